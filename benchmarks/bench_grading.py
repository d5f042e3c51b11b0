"""How fast is this autograder next to `nbgrader autograde`? Prints the figures.

    .venv/bin/python -m benchmarks.bench_grading               # 8 for nbgrader, 1,000 for us
    .venv/bin/python -m benchmarks.bench_grading --nbgrader-count 0 --count 200   # quick

First the three targets, each figure against its target:
  * start-up: one notebook graded (`autograder grade --json`) and checked (`autograder check`),
    each a fresh process, start-up included, at most STARTUP_TARGET times
    `python -c "import numpy"` (fastest of --startup-runs runs each);
  * a handful: `autograder grade-batch` of the same --nbgrader-count submissions that
    nbgrader autogrades, both start-up included, at least HANDFUL_TARGET times faster
    (fastest of --startup-runs runs);
  * throughput: --count submissions on --workers bubblewrap workers in at most
    THROUGHPUT_TARGET seconds (the fastest of the isolated runs below).
Every figure is the fastest of several runs, printed with the spread of the runs
(fastest / median / slowest): the machine may be shared, and the fastest run is the
one least disturbed by others. The throughput runs also give the CPU time per
submission, of every process of the grading (the grader, its reader, the workers and
their jobs, counted by a cpuacct cgroup of the benchmark's own where cgroup v1 lets
root make one): on a shared machine the only figure that says whether the target is
reachable on 2 idle CPUs (CPU per submission x count / 2).

Both graders grade copies of the corpus under tests/files/submissions (its valid
notebooks, cycled; the two hostile ones that only wait for a time limit or kill
their process are left out, they measure limits, not grading):
  * nbgrader: a temporary course from source/, `nbgrader autograde` of N students
    (it runs every notebook top to bottom in a kernel, trainings included);
  * this grader: the same mix replicated to --count notebooks, graded with
    --workers sandboxed workers, with isolation on (the strongest level available)
    and with isolation "none", to show what the isolation costs. The two runs
    alternate --repeat times and the fastest of each is kept: the machine may be
    shared, and the fastest run is the one least disturbed by others.
Peak memory: each sandbox process's VmHWM from /proc, sampled while grading, and
resource.getrusage(RUSAGE_CHILDREN) after the workers exit.

Same verdicts: for every submission nbgrader graded, its score per exercise (from
nbgrader's gradebook) is compared with ours on the same notebook; corpus entries
marked `agreement: false` in expected.json (deliberate differences, see
docs/graders.md) are left out. Prints "verdicts agree on N of M submissions",
lists each disagreement, and exits 1 if there is any.
"""

import argparse
import contextlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from autograder import grading, sandbox
from autograder.probe import COURSE_PROBE
from tests.support import nbgrader_course  # the real nbgrader, to compare

ROOT = Path(__file__).resolve().parent.parent
SUBMISSIONS = ROOT / "tests" / "files" / "submissions"
# The targets of the three figures.
STARTUP_TARGET = 4.0  # one notebook: at most this many times `python -c "import numpy"`
HANDFUL_TARGET = 100.0  # the handful: at least this many times faster than nbgrader
THROUGHPUT_TARGET = 15.0  # seconds for --count (1,000) submissions on 2 bubblewrap workers
# Hostile notebooks that only measure the time limit or a killed worker.
LEFT_OUT = {"infinite_loop.ipynb", "exits_the_process.ipynb"}


def corpus_expectations():
    return json.loads((SUBMISSIONS / "expected.json").read_text(encoding="utf-8"))


def corpus_notebooks(readable_only=True):
    expected = corpus_expectations()
    return [
        SUBMISSIONS / name
        for name in sorted(expected)
        if name not in LEFT_OUT and not (readable_only and expected[name].get("unreadable"))
    ]


def replicate(notebooks, count, folder):
    """count copies of the notebooks, cycled, as student_0001.ipynb ...; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        path = folder / f"student_{index + 1:04d}.ipynb"
        shutil.copy(notebooks[index % len(notebooks)], path)
        paths.append(path)
    return paths


class MemorySampler:
    """Samples the peak resident memory (VmHWM) of every process of a sandbox."""

    def __init__(self, tag, interval=0.1):
        self.tag, self.interval = tag, interval
        self.peaks = {}  # pid -> (peak kB, command name)
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stop_event.set()
        self.thread.join()

    def run(self):
        while not self.stop_event.is_set():
            self.sample()
            self.stop_event.wait(self.interval)

    def sample(self):
        for pid in sandbox.tagged_processes(self.tag):
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            peak = int(fields.get("VmHWM", "0 kB").split()[0])
            name = fields.get("Name", "?").strip()
            if peak > self.peaks.get(pid, (0, ""))[0]:
                self.peaks[pid] = (peak, name)

    def largest(self, count):
        return sorted(self.peaks.values(), reverse=True)[:count]


CPUACCT = Path("/sys/fs/cgroup/cpuacct")


class CpuAccount:
    """CPU seconds used by this process and every process it starts (workers, jobs, the
    reader), from a cpuacct cgroup (v1) of its own for the whole benchmark; seconds()
    is None where none can be made (not root, no cgroup v1)."""

    def __enter__(self):
        self.folder = CPUACCT / f"bench-grading-{os.getpid()}-{time.monotonic_ns()}"
        try:
            self.folder.mkdir()
            (self.folder / "cgroup.procs").write_text(str(os.getpid()))
        except OSError:
            self.folder = None
        return self

    def seconds(self):
        if self.folder is None:
            return None
        return int((self.folder / "cpuacct.usage").read_text()) / 1e9

    def __exit__(self, *exc_info):
        if self.folder is None:
            return
        (CPUACCT / "cgroup.procs").write_text(str(os.getpid()))
        grading.close_notebook_reader()  # the last process of ours in the group
        for _ in range(100):
            with contextlib.suppress(OSError):
                self.folder.rmdir()
                return
            time.sleep(0.05)


def grade_ours(paths, workers, isolation, cpu):
    """Grade paths in one sandbox; returns a dict of figures."""
    cpu_before = cpu.seconds()
    started = time.perf_counter()
    with sandbox.Sandbox(COURSE_PROBE, workers=workers, isolation=isolation) as box:
        ready = time.perf_counter()
        with MemorySampler(box.tag) as memory:
            reports = grading.grade_many(paths, box)
        graded = time.perf_counter()
        level = box.isolation
    finished = time.perf_counter()
    cpu_after = cpu.seconds()
    return {
        "cpu_per_submission": None if cpu_before is None else (cpu_after - cpu_before) / len(paths),
        "isolation": level,
        "count": len(paths),
        "startup": ready - started,
        "grading": graded - ready,
        "total": finished - started,
        "per_submission": (finished - started) / len(paths),
        "memory": memory.largest(workers + 2),
        "statuses": count_statuses(reports),
        "reports": reports,
    }


def seconds_of(command, cwd, runs=1, verdicts=(0,)):
    """Wall times of `runs` runs of command (a fresh process each, start-up included),
    sorted; an exit status outside `verdicts` stops the benchmark."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, capture_output=True, env=user_environment())
        times.append(time.perf_counter() - started)
        if done.returncode not in verdicts:
            raise subprocess.CalledProcessError(done.returncode, command, done.stdout, done.stderr)
    return sorted(times)


def user_environment():
    """This environment as a user's shell has it: Python's bytecode cache on. A machine that
    sets PYTHONDONTWRITEBYTECODE (a CI image, a container) would make every timed command
    compile the grader's modules again (some 20 ms) -- no user pays that twice."""
    return {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def spread(times):
    """'fastest / median / slowest' of sorted run times."""
    return f"{times[0]:.2f} / {statistics.median(times):.2f} / {times[-1]:.2f} s"


def autograder_command():
    """The grader's command line, as an instructor or a student types it."""
    return [sys.executable, "-m", "autograder"]


STARTUP_COMMANDS = ("python -c 'import numpy'", "autograder grade --json", "autograder check")


def startup_figures(notebook, runs, scratch):
    """{what: sorted run times} for `import numpy`, one notebook graded and one checked,
    the three commands taking turns (so that a busy spell of the machine hits all three)."""
    commands = dict(
        zip(
            STARTUP_COMMANDS,
            (
                [sys.executable, "-c", "import numpy"],
                [*autograder_command(), "grade", str(notebook), "--json"],
                [*autograder_command(), "check", str(notebook)],
            ),
            strict=True,
        )
    )
    # `check` exits 1 when the notebook fails a case (its verdict, not an error here).
    verdicts = {what: (0, 1) if what == "autograder check" else (0,) for what in commands}
    times = {what: [] for what in commands}
    for _ in range(runs):
        for what, command in commands.items():
            times[what] += seconds_of(command, scratch, verdicts=verdicts[what])
    return {what: sorted(runs) for what, runs in times.items()}


def handful_seconds(notebooks, count, workers, scratch, runs):
    """Sorted times of `autograder grade-batch` of the count notebooks nbgrader grades,
    start-up included (--force: each run grades them all again)."""
    folder = scratch / "handful"
    replicate(notebooks, count, folder)
    command = [*autograder_command(), "grade-batch", str(folder), "--workers", str(workers)]
    return seconds_of([*command, "--out", str(scratch / "handful.csv"), "--force"], scratch, runs)


def verdict(met):
    return "target met" if met else "TARGET MISSED"


def print_targets(startup, handful, nbgrader_seconds, throughput, count, workers):
    """The three figures against their targets, one line each (fastest run), with the
    spread of the runs."""
    floor = startup["python -c 'import numpy'"]
    print(
        "targets, fastest run (fastest / median / slowest of the runs; the machine is "
        f"shared: other work may slow any figure down; load average now {load_average():.1f})"
    )
    for what in ("autograder grade --json", "autograder check"):
        ratio = startup[what][0] / floor[0]
        print(
            f"  one notebook, {what}: {startup[what][0]:.2f} s = {ratio:.1f}x "
            f"`import numpy` ({floor[0]:.2f} s); target <= {STARTUP_TARGET:.0f}x: "
            f"{verdict(ratio <= STARTUP_TARGET)}  [{what}: {spread(startup[what])}; "
            f"import numpy: {spread(floor)}]"
        )
    if handful is not None:
        count_of_handful, times = handful
        ratio = nbgrader_seconds / times[0]
        print(
            f"  {count_of_handful} submissions: {times[0]:.2f} s against nbgrader's "
            f"{nbgrader_seconds:.1f} s = {ratio:.0f}x faster; target >= {HANDFUL_TARGET:.0f}x: "
            f"{verdict(ratio >= HANDFUL_TARGET)}  [{spread(times)}]"
        )
    runs = sorted(figures["total"] for figures in throughput)
    fastest = min(throughput, key=lambda figures: figures["total"])
    print(
        f"  {count} submissions on {workers} workers ({fastest['isolation']}): "
        f"{fastest['total']:.1f} s; target <= {THROUGHPUT_TARGET:.0f} s: "
        f"{verdict(fastest['total'] <= THROUGHPUT_TARGET)}  [{spread(runs)}]"
    )
    cpu = sorted(f["cpu_per_submission"] for f in throughput if f["cpu_per_submission"])
    if cpu:
        print(
            f"    CPU per submission, every process of the grading: {cpu[0] * 1000:.1f} ms "
            f"(of the runs: {', '.join(f'{c * 1000:.1f}' for c in cpu)} ms), so "
            f"{count} on {workers} idle CPUs take at least {cpu[0] * count / workers:.1f} s"
        )


def count_statuses(reports):
    counts = {}
    for report in reports:
        for entry in report.exercises:
            counts[entry.status] = counts.get(entry.status, 0) + 1
    return counts


def grade_nbgrader(notebooks, count, scratch):
    """`nbgrader autograde` of count students in a fresh course; returns a dict of figures."""
    course = nbgrader_course.make_course(scratch)
    for index in range(count):
        nbgrader_course.submit(
            course, f"student_{index + 1:04d}", notebooks[index % len(notebooks)]
        )
    seconds = nbgrader_course.autograde(course)
    graded = {
        f"student_{index + 1:04d}": notebooks[index % len(notebooks)] for index in range(count)
    }
    return {
        "count": count,
        "total": seconds,
        "per_submission": seconds / count,
        "course": course,
        "graded": graded,
    }


def our_scores(report):
    """{function name: score} of one of our reports (nbgrader_course.scores' shape)."""
    return {entry.name: entry.score for entry in report.exercises}


def our_reports_by_notebook(sources, reports, wanted, workers):
    """{corpus notebook: our report}, from the timed run, grading any it did not cover."""
    found = {}
    for source, report in zip(sources, reports, strict=True):
        found.setdefault(source.name, report)
    missing = sorted({path for path in wanted if path.name not in found})
    if missing:
        with sandbox.Sandbox(COURSE_PROBE, workers=workers) as box:
            for path, report in zip(missing, grading.grade_many(missing, box), strict=True):
                found[path.name] = report
    return found


def compare_verdicts(theirs, ours_by_notebook):
    """(compared, disagreements, left out): nbgrader's scores against ours, per exercise."""
    expected = corpus_expectations()
    compared, disagreements, left_out = 0, [], 0
    for student, notebook in sorted(theirs["graded"].items()):
        if not expected[notebook.name]["agreement"]:
            left_out += 1
            continue
        compared += 1
        nbgrader_scores = nbgrader_course.scores(theirs["course"], student)
        ours = our_scores(ours_by_notebook[notebook.name])
        if nbgrader_scores != ours:
            disagreements.append((student, notebook.name, nbgrader_scores, ours))
    return compared, disagreements, left_out


def print_verdicts(compared, disagreements, left_out):
    agreeing = compared - len(disagreements)
    print(
        f"verdicts agree on {agreeing} of {compared} submissions "
        f"({left_out} left out: agreement false in expected.json)"
    )
    for student, notebook, nbgrader_scores, ours in disagreements:
        differing = ", ".join(
            f"{name}: nbgrader {nbgrader_scores.get(name)} vs ours {ours.get(name)}"
            for name in sorted(set(nbgrader_scores) | set(ours))
            if nbgrader_scores.get(name) != ours.get(name)
        )
        print(f"  DISAGREE {student} ({notebook}): {differing}")


def megabytes(kilobytes):
    return f"{kilobytes / 1024:.0f} MiB"


def print_ours(label, figures):
    print(
        f"{label}: {figures['count']} submissions, isolation {figures['isolation']}: "
        f"total {figures['total']:.1f} s (workers start {figures['startup']:.1f} s, "
        f"grading {figures['grading']:.1f} s), {figures['per_submission'] * 1000:.1f} ms "
        "per submission"
    )
    peaks = ", ".join(f"{name} {megabytes(peak)}" for peak, name in figures["memory"])
    print(f"  peak memory of the largest sandbox processes (VmHWM): {peaks}")
    print(f"  exercise statuses: {figures['statuses']}")
    if figures["cpu_per_submission"] is not None:
        print(f"  CPU per submission: {figures['cpu_per_submission'] * 1000:.1f} ms")


def print_totals(label, runs):
    totals = ", ".join(f"{figures['total']:.1f} s" for figures in runs)
    print(f"runs {label}: {totals}")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="notebooks for this grader")
    parser.add_argument("--nbgrader-count", type=int, default=8, help="notebooks for nbgrader")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each isolation level")
    parser.add_argument(
        "--startup-runs", type=int, default=5, help="runs of each start-up and of the handful"
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    notebooks = corpus_notebooks()
    print(f"corpus: {len(notebooks)} valid notebooks, cycled; machine: {cpu_summary()}")
    agree = True
    with tempfile.TemporaryDirectory() as scratch, CpuAccount() as cpu:
        scratch = Path(scratch)
        every_notebook = corpus_notebooks(readable_only=False)
        paths = replicate(every_notebook, args.count, scratch / "ours")
        sources = [every_notebook[index % len(every_notebook)] for index in range(len(paths))]
        startup = startup_figures(notebooks[0], max(1, args.startup_runs), scratch)
        handful = None
        if args.nbgrader_count:
            handful = (
                args.nbgrader_count,
                handful_seconds(
                    notebooks, args.nbgrader_count, args.workers, scratch, args.startup_runs
                ),
            )
        runs = {"bubblewrap": [], "none": []}
        for _ in range(max(1, args.repeat)):
            for level, results in runs.items():
                results.append(grade_ours(paths, args.workers, level, cpu))
        isolated = min(runs["bubblewrap"], key=lambda figures: figures["total"])
        plain = min(runs["none"], key=lambda figures: figures["total"])
        print_totals("isolated", runs["bubblewrap"])
        print_totals("no isolation", runs["none"])
        print_ours("this grader (fastest run)", isolated)
        print_ours("this grader, no isolation (fastest run)", plain)
        overhead = isolated["total"] / plain["total"] - 1
        print(f"isolation overhead: {overhead * 100:+.0f}% of the total wall time")
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(f"largest finished child process (getrusage ru_maxrss): {megabytes(children)}")
        if args.nbgrader_count:
            theirs = grade_nbgrader(notebooks, args.nbgrader_count, scratch / "nbgrader")
            print(
                f"nbgrader autograde: {theirs['count']} submissions in {theirs['total']:.1f} s, "
                f"{theirs['per_submission']:.2f} s per submission"
            )
            ratio = theirs["per_submission"] / isolated["per_submission"]
            print(f"per submission, this grader (isolated) is {ratio:.0f}x faster than nbgrader")
            ours_by_notebook = our_reports_by_notebook(
                sources, isolated["reports"], theirs["graded"].values(), args.workers
            )
            compared, disagreements, left_out = compare_verdicts(theirs, ours_by_notebook)
            print_verdicts(compared, disagreements, left_out)
            agree = not disagreements
        else:
            theirs = None
            print("verdicts not compared: --nbgrader-count 0")
        nbgrader_seconds = theirs["total"] if theirs else None
        print_targets(
            startup, handful, nbgrader_seconds, runs["bubblewrap"], args.count, args.workers
        )
    return 0 if agree else 1


def load_average():
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def cpu_summary():
    return f"{os.cpu_count()} CPUs, load average {load_average():.1f} at start"


if __name__ == "__main__":
    sys.exit(main())
