"""How much memory a job can pin under a 1 GiB limit: RLIMIT_AS alone against the cgroup.

    python benchmarks/bench_memory_limit.py      (as root: it needs a cgroup v1 to measure)

Runs the same attacks (tests/files/hostile/) in a bubblewrap sandbox, side by side:
"before" -- RLIMIT_AS per process only, no syscall filter (the limits before issue 8);
the worker's cgroup is kept but lifted to 64 GiB, only to measure; "after" -- the default
limits (the cgroup at 1 GiB above the worker, the filter). The figure is the cgroup's peak
charge above the ready worker: what the job really held.
"""

import time
from pathlib import Path

from autograder import cases
from autograder.grading import job_calls
from autograder.probe import COURSE_PROBE
from autograder.sandbox import Job, Limits, Sandbox

HOSTILE = Path(__file__).resolve().parent.parent / "tests" / "files" / "hostile"
ATTACKS = ("sysv_shm_detached", "memfd_write", "processes_allocating")
CALLS = job_calls(cases.all_cases("he")[:1])  # one values case: the attacks ignore the call
MEASURE_ONLY = 64 << 30


def run(attack, before):
    """(verdict, peak bytes above the worker, seconds) for one attack in a fresh sandbox."""
    limits = Limits(wall_seconds=20.0, syscall_filter=not before)
    with Sandbox(COURSE_PROBE, workers=1, limits=limits, isolation="bubblewrap") as box:
        memory = box.slots[0].memory
        if memory is None or memory.version != 1:
            raise SystemExit("needs a cgroup v1 memory controller the grader can write (root)")
        if before:
            memory.set_limit(MEASURE_ONLY)
        (memory.path / "memory.max_usage_in_bytes").write_text("0\n")
        started = time.monotonic()
        result = box.run(
            Job((HOSTILE / f"{attack}.py").read_text(), "initialize_parameters_he", CALLS)
        )
        seconds = time.monotonic() - started
        peak = memory.peak_bytes() - memory.baseline
        return f"{result.status}: {result.reason or 'held it'}", peak, seconds


def main():
    print(f"{'attack':22} {'limits':32} {'peak held':>10} {'seconds':>8}  verdict")
    for attack in ATTACKS:
        for before in (True, False):
            name = "RLIMIT_AS only (before)" if before else "cgroup + filter (after)"
            verdict, peak, seconds = run(attack, before)
            print(f"{attack:22} {name:32} {peak / (1 << 20):6.0f} MiB {seconds:8.2f}  {verdict}")


if __name__ == "__main__":
    main()
