"""How long, and how much memory, does reading a hostile notebook cost the grader? Prints it.

    .venv/bin/python -m benchmarks.bench_parsing         # everything (~2 min)
    .venv/bin/python -m benchmarks.bench_parsing --fuzz 200 --fork-count 50

Run from the repository root: the hostile notebooks are built by the tests' helpers
(tests.support).

Three parts:
  * Hostile notebooks, before and after, side by side. "before" is the grader's
    reading as it was: read, JSON-parse, extract and analyse in the grader's own
    process, without the caps on cells, code per cell and nesting (they are lifted);
    it runs in a subprocess of its own with a safety limit (--before-memory,
    --before-seconds) so that the benchmark itself stays bounded. "after" is
    grading.prepare as the grader runs it: size and cell caps, the work in a forked
    child under grading.PREPARE_BOUNDS. Each measurement is a fresh process; it
    reports the wall time, the peak resident memory the work added to the grader's
    process (VmHWM after clear_refs), that of the parse child (RUSAGE_CHILDREN), and
    what the notebook became.
  * The fork's cost on a normal notebook: prepare with the bounded child against the
    same work in-process, per notebook, over --fork-count notebooks.
  * Hypothesis fuzzing of reading, extraction and analysis (tests/support/notebook_fuzz.py),
    and of the whole bounded prepare on fuzzed files: how many inputs were tried, and
    that none raised.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder import bounded, extraction, grading, notebook
from tests.support import hostile_files

ROOT = Path(__file__).resolve().parent.parent

UNLIMITED = sys.maxsize
# name in hostile_files.CONTENT_ATTACKS (or "normal") -> what the row shows
CASES = [
    ("normal", "a correct submission"),
    ("huge_list_literal", "a 20 MB list literal in one cell"),
    ("nested_brackets_100k", "100k nested brackets"),
    ("expression_900_deep", "a graded function 900 levels deep"),
    ("million_cells", "a million cells"),
    ("million_source_strings", "a cell source of a million strings"),
    ("ten_mb_single_line", "a 10 MB single line of code"),
    ("json_nested_a_million_deep", "JSON nested a million deep"),
    ("json_memory_bomb", "20 MB of nested empty lists"),
    ("five_thousand_chained_helpers", "5,000 chained helper functions"),
    ("literals_at_the_code_cap", "400k characters of literals (at the code cap)"),
    ("eight_hundred_functions", "800 cells of 20-line functions (at the code cap)"),
]


def peak_resident_bytes():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) << 10 for line in status if line.startswith("VmHWM:"))


def reset_peak_resident():
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


def lift_caps():
    """The reading as main ran it: no caps on cells, code, cell size or nesting."""
    notebook.MAX_CELLS = notebook.MAX_CODE_CHARACTERS = UNLIMITED
    extraction.MAX_CELL_CODE_CHARACTERS = extraction.MAX_TREE_DEPTH = UNLIMITED


def outcome_of_message(message):
    if message.get("reason"):
        return message["reason"]
    return "; ".join(
        f"{scheme}: {entry['verdict'] or 'runs'}" for scheme, entry in message["exercises"].items()
    )


def measure(mode, path):
    """One measurement in this (fresh) process: {seconds, grader_bytes, child_bytes, outcome}."""
    reset_peak_resident()
    before = peak_resident_bytes()
    started = time.perf_counter()
    if mode == "before":
        lift_caps()
        try:
            outcome = outcome_of_message(grading.analyse_notebook(path))
        except BaseException as error:  # noqa: BLE001 -- what the grader itself would have hit
            outcome = f"RAISED {type(error).__name__}"
    else:
        submission = grading.prepare(path)
        grading.close_notebook_reader()  # reaped: its peak counts in RUSAGE_CHILDREN
        outcome = submission.reason or "; ".join(
            f"{exercise.spec.scheme}: {exercise.findings.verdict or 'runs'}"
            for exercise in submission.exercises
        )
    seconds = time.perf_counter() - started
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss << 10
    return {
        "seconds": seconds,
        "grader_bytes": peak_resident_bytes() - before,
        "child_bytes": child,
        "outcome": outcome,
    }


def run_measurement(mode, path, args):
    """measure() in a subprocess; the 'before' one under the benchmark's safety limits."""
    command = [sys.executable, "-m", "benchmarks.bench_parsing", "--measure", mode, str(path)]
    limit = args.before_memory << 20 if mode == "before" else None

    def limit_memory():
        if limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    started = time.perf_counter()
    try:
        done = subprocess.run(
            command,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=args.before_seconds if mode == "before" else 120,
            preexec_fn=limit_memory,
        )
    except subprocess.TimeoutExpired:
        return {"stopped": f"stopped after {time.perf_counter() - started:.0f} s (safety limit)"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"stopped": f"exited {done.returncode}: {last[:60]}"}
    return json.loads(done.stdout)


def megabytes(count):
    return f"{count / (1 << 20):7.0f} MiB"


def cell_text(result, limit=None):
    if "stopped" in result:
        return f"{result['stopped']:52}"
    text = (
        f"{result['seconds']:7.2f} s  grader +{megabytes(result['grader_bytes'])}"
        f"  child {megabytes(result['child_bytes'])}"
    )
    if limit and result["grader_bytes"] > 0.9 * limit:
        text += "  (at the safety limit: would have grown further)"
    return text


def size_text(path):
    size = path.stat().st_size
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} kB"


def write_cases(folder):
    submitted = folder / "submitted"
    hostile_files.write_content_attacks(submitted)
    normal = hostile_files.notebook_path(submitted, "normal")
    normal.parent.mkdir(parents=True)
    normal.write_bytes(hostile_files.BASE.read_bytes())
    return {name: hostile_files.notebook_path(submitted, name) for name, _ in CASES}


def hostile_table(args, folder):
    paths = write_cases(folder)
    print(f"Reading bounds: {bounds_text()}")
    print(
        f"'before': in-process, caps lifted, under a safety limit of {args.before_memory} MiB "
        f"and {args.before_seconds} s\n"
    )
    for name, label in CASES:
        before = run_measurement("before", paths[name], args)
        after = run_measurement("after", paths[name], args)
        print(f"{label} ({size_text(paths[name])})")
        limit = args.before_memory << 20
        print(f"  before  {cell_text(before, limit)}  {before.get('outcome', '')[:70]}")
        print(f"  after   {cell_text(after)}  {after.get('outcome', '')[:70]}")
    print()


def bounds_text():
    bounds = grading.PREPARE_BOUNDS
    return (
        f"file <= {notebook.MAX_NOTEBOOK_BYTES:,} bytes, <= {notebook.MAX_CELLS:,} cells, "
        f"<= {notebook.MAX_CODE_CHARACTERS:,} characters of code, <= "
        f"{extraction.MAX_CELL_CODE_CHARACTERS:,} per cell, nesting <= "
        f"{extraction.MAX_TREE_DEPTH}; child: +{bounds.memory_bytes >> 20} MiB address space, "
        f"{bounds.cpu_seconds} s CPU, {bounds.wall_seconds:g} s wall"
    )


def fork_overhead(count, rounds=3):
    """Per-notebook seconds of prepare in the reader child, against the same work in-process."""
    path = hostile_files.BASE

    submission = grading.Submission(path, grading.exercises_to_grade())

    def in_process():
        grading.fill_submission(submission, grading.analyse_notebook(str(path)))

    def fresh_child():
        message = bounded.call(grading.analyse_notebook, str(path))
        grading.fill_submission(submission, message)

    ways = [
        ("in-process (as on main)", in_process),
        ("reader child (prepare)", lambda: grading.prepare(path)),
        ("a fork per notebook", fresh_child),
    ]
    timings = {}
    for label, work in ways:
        work()  # warm caches, start the reader
        best_wall = best_cpu = float("inf")
        for _ in range(rounds):  # the least disturbed round on a shared machine
            cpu_before, started = cpu_seconds(), time.perf_counter()
            for _ in range(count):
                work()
            best_wall = min(best_wall, (time.perf_counter() - started) / count)
            best_cpu = min(best_cpu, (cpu_seconds() - cpu_before) / count)
        timings[label] = best_wall, best_cpu
    base_wall, base_cpu = timings["in-process (as on main)"]
    print(f"Per-notebook cost of a normal notebook (best of {rounds} rounds of {count}):")
    for label, (wall, cpu) in timings.items():
        print(
            f"  {label:26} wall {wall * 1e3:6.1f} ms ({(wall - base_wall) * 1e3:+5.1f}), "
            f"CPU {cpu * 1e3:6.1f} ms ({(cpu - base_cpu) * 1e3:+5.1f}): "
            f"{(cpu - base_cpu) * 1000:+.1f} s of CPU per 1,000 notebooks"
        )
    print()


def cpu_seconds():
    """CPU time of this process, its reaped children and the live notebook reader."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    reader = grading.READER
    if reader is not None and reader.pid is not None:
        fields = Path(f"/proc/{reader.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def fuzz(count, folder):
    """Run each fuzzing property `count` times (Hypothesis); print tried and failed."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from tests.support import notebook_fuzz as properties

    configured = settings(
        max_examples=count,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    path = folder / "fuzzed.ipynb"

    def prepared(data):
        path.write_bytes(data)
        properties.check_prepared(grading.prepare(path))

    targets = [
        ("file bytes -> cells", properties.notebook_bytes(), properties.check_decoding),
        ("JSON documents -> cells", properties.notebook_documents(), properties.check_document),
        (
            "cell sources -> programs, findings",
            st.lists(properties.cell_sources, max_size=6),
            properties.check_analysis,
        ),
        ("JSON text -> cut-off check", properties.json_like_text, properties.check_cut_off),
        ("file bytes -> bounded prepare", properties.notebook_bytes(), prepared),
    ]
    total_failed = 0
    for label, strategy, check in targets:
        tried, failures = fuzz_property(strategy, check, configured, given)
        total_failed += len(failures)
        print(f"  {label:38} {tried:6,} inputs, {len(failures)} failed")
        for failure in failures[:3]:
            print(f"      {failure}")
    print(f"Fuzzing: {'none failed' if total_failed == 0 else f'{total_failed} FAILED'}")
    return total_failed


def fuzz_property(strategy, check, configured, given):
    """(inputs tried, failure lines) of check over strategy; failures are kept, not raised."""
    tried, failures = [0], []

    @configured
    @given(strategy)
    def run(value):
        tried[0] += 1
        try:
            check(value)
        except Exception as error:  # noqa: BLE001 -- counted and shown, not raised
            failures.append(f"{type(error).__name__}: {error}"[:200])

    run()
    return tried[0], failures


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--measure", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--before-memory", type=int, default=4096, help="MiB for 'before'")
    parser.add_argument("--before-seconds", type=int, default=120, help="s for 'before'")
    parser.add_argument("--fork-count", type=int, default=300)
    parser.add_argument("--fuzz", type=int, default=1000, help="inputs per fuzzed property")
    parser.add_argument("--skip-hostile", action="store_true")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.measure:
        mode, path = args.measure
        print(json.dumps(measure(mode, Path(path))))
        return 0
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        if not args.skip_hostile:
            hostile_table(args, folder)
        fork_overhead(args.fork_count)
        failed = fuzz(args.fuzz, folder) if args.fuzz else 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
