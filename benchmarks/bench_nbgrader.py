"""How much faster is `nbgrader autograde` through the course's grader than stock? Prints it.

    .venv/bin/python -m benchmarks.bench_nbgrader            # 20 submissions, each way once
    .venv/bin/python -m benchmarks.bench_nbgrader --count 8

In one run, on the same --count submissions (valid corpus notebooks under tests/files/submissions,
cycled; the hostile ones that only wait for a time limit or kill their process are left out):
  * stock: a temporary course whose autograde executes each notebook with nbgrader's Execute
    (the whole notebook in a kernel, trainings included);
  * sandboxed: a temporary course with the course's nbgrader_config.py (SandboxedAutograde).
Each figure is the wall time of the whole `nbgrader autograde` command, start-up included; the
ratio is stock / sandboxed (target: at least TARGET). nbgrader's own bookkeeping -- sanitizing,
the gradebook, writing the autograded notebooks -- is about 0.6 s a submission here, the floor of
both. Then the scores per exercise of the two gradebooks are compared on the submissions whose
corpus entry says `agreement: true` (the others differ on purpose, docs/graders.md).
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

from tests.support import nbgrader_course  # the real nbgrader

SUBMISSIONS = nbgrader_course.ROOT / "tests" / "files" / "submissions"
TARGET = 10.0
# Hostile notebooks that only measure the time limit or a killed worker.
LEFT_OUT = {"infinite_loop.ipynb", "exits_the_process.ipynb"}


def corpus_expectations():
    return json.loads((SUBMISSIONS / "expected.json").read_text(encoding="utf-8"))


def chosen_notebooks(count):
    """count valid corpus notebooks (cycled): [(student id, path, agreement expected)]."""
    expected = corpus_expectations()
    names = [
        name
        for name in sorted(expected)
        if name not in LEFT_OUT and not expected[name].get("unreadable")
    ]
    chosen = [names[index % len(names)] for index in range(count)]
    return [
        (f"student_{index + 1:02d}", SUBMISSIONS / name, expected[name]["agreement"])
        for index, name in enumerate(chosen)
    ]


def autograde_seconds(scratch, execution, notebooks):
    """(seconds of `nbgrader autograde`, course folder) for one way of executing."""
    course = nbgrader_course.make_course(Path(scratch) / execution, execution=execution)
    for student, path, _ in notebooks:
        nbgrader_course.submit(course, student, path)
    return nbgrader_course.autograde(course), course


def disagreements(stock, sandboxed, notebooks):
    """[(student, notebook name, stock scores, sandboxed scores)] where they differ."""
    found = []
    for student, path, agreement in notebooks:
        if not agreement:
            continue
        theirs, ours = (
            nbgrader_course.scores(stock, student),
            nbgrader_course.scores(sandboxed, student),
        )
        if theirs != ours:
            found.append((student, path.name, theirs, ours))
    return found


def print_seconds(label, seconds, count):
    print(f"{label:<36} {seconds:7.1f} s, {seconds / count:.2f} s a submission")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=20, help="submissions (default 20)")
    args = parser.parse_args()
    notebooks = chosen_notebooks(args.count)
    with tempfile.TemporaryDirectory(prefix="bench-nbgrader-") as scratch:
        stock, stock_course = autograde_seconds(scratch, "stock", notebooks)
        print_seconds("stock nbgrader autograde (Execute)", stock, len(notebooks))
        sandboxed, sandboxed_course = autograde_seconds(scratch, "sandboxed", notebooks)
        print_seconds("course's autograde (sandboxed)", sandboxed, len(notebooks))
        ratio = stock / sandboxed
        print(
            f"ratio {ratio:.1f}x (target >= {TARGET:g}x): {'met' if ratio >= TARGET else 'NOT met'}"
        )
        differ = disagreements(stock_course, sandboxed_course, notebooks)
    compared = sum(1 for *_, agreement in notebooks if agreement)
    print(f"scores per exercise agree on {compared - len(differ)} of {compared} submissions")
    for student, name, theirs, ours in differ:
        print(f"  {student} ({name}): stock {theirs}, sandboxed {ours}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
