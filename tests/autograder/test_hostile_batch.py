"""A class with hostile submissions among correct ones: does every classmate still get full marks?

The hostile corpus (tests/files/hostile/*.py) is turned into notebooks and graded with
`grade-batch` in nbgrader's layout, each attack followed by a correct submission, on ONE
worker -- so that every correct notebook is graded right after an attack, in the same warm
worker -- at every isolation level available. Whatever an attack does to itself, the batch
must give every correct submission full marks, every file its own row and report, valid
UTF-8 everywhere, and leave no process of the sandbox behind.
"""

import csv
import json
import re
import time
from pathlib import Path

import pytest
from support import SOLUTIONS, replace_solution_cells, write_answers

from autograder import batch, sandbox_launch
from autograder.sandbox import Limits, Sandbox, tagged_processes

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests" / "files" / "hostile"
LEVELS = ("bubblewrap", "unshare", "none")
EXPECT_LEVELS = re.compile(r"# expect\[(?P<levels>[a-z,]+)\]:")
# Short limits: the corpus holds endless loops and fork bombs.
LIMITS = Limits(wall_seconds=2.0, cpu_seconds=2)
FULL_MARKS = 18.0
# Processes of a live sandbox that are not a job's.
INFRASTRUCTURE = {"bwrap", "unshare", "ag-worker", "ag-idle"}
HE = "initialize_parameters_he"


def attack_levels(path):
    """The isolation levels an attack file is meant to run at (from its expect headers)."""
    levels = set()
    for line in path.read_text().splitlines():
        match = EXPECT_LEVELS.match(line.strip())
        if match:
            levels.update(match["levels"].split(","))
    return levels


def attack_cell(source):
    """The He solution cell of a hostile notebook: the attack runs when the cell is defined.

    The grader replays only definitions, so the attack's module-level code is run from a
    class body (which runs at definition time, as in a student's notebook); the attack's own
    initialize_parameters_he is what the graded function calls.
    """
    renamed = source.replace(f"def {HE}(", "def attack_initialize_parameters_he(")
    return (
        "import numpy as np\n"
        f"ATTACK = {renamed!r}\n\n\n"
        "class RunsWhenDefined:\n"
        "    exec(ATTACK, globals())\n\n\n"
        f"def {HE}(layers_dims):\n"
        "    return attack_initialize_parameters_he(layers_dims)\n"
    )


def class_folder(root, level):
    """submitted/<student>/initialization/ with each attack followed by a correct notebook.

    Returns {student: attack name or None for a correct submission}.
    """
    roster = {}
    attacks = [path for path in sorted(HOSTILE.glob("*.py")) if level in attack_levels(path)]
    for index, path in enumerate(attacks):
        source = path.read_text().replace("__REPO_ROOT__", str(ROOT)).replace("__PORT__", "9")
        attacker = f"s{index:03d}a-{path.stem}"
        classmate = f"s{index:03d}b-correct"
        folder = root / "submitted" / attacker / "initialization"
        replace_solution_cells(write_answers(folder, SOLUTIONS), {HE: attack_cell(source)})
        write_answers(root / "submitted" / classmate / "initialization", SOLUTIONS)
        roster[attacker] = path.stem
        roster[classmate] = None
    return roster


def process_name(pid):
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return None


def strays(sandbox, seconds=3.0):
    """Processes of the sandbox that are not its workers, after a short grace."""
    deadline = time.monotonic() + seconds
    while True:
        left = [
            (pid, process_name(pid))
            for pid in tagged_processes(sandbox.tag)
            if process_name(pid) not in INFRASTRUCTURE | {None}
        ]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def level_params():
    return [
        pytest.param(level, marks=[] if level == "bubblewrap" else [pytest.mark.slow], id=level)
        for level in LEVELS
    ]


@pytest.mark.parametrize("level", level_params())
def test_every_classmate_of_an_attacker_gets_full_marks(tmp_path, level):
    """Graded on one worker right after each attack, does every correct notebook get 18/18,
    every submission its own row and report, all in valid UTF-8, with no process left over?"""
    if sandbox_launch.unavailable(level):
        pytest.skip(f"{level}: {sandbox_launch.unavailable(level)}")
    roster = class_folder(tmp_path / "course", level)
    out, reports = tmp_path / "grades.csv", tmp_path / "reports"
    with Sandbox(workers=1, limits=LIMITS, isolation=level) as sandbox:
        graded = batch.grade_batch(tmp_path / "course", sandbox, out, json_dir=reports).graded
        assert not strays(sandbox)
    assert not tagged_processes(sandbox.tag)
    text = out.read_bytes().decode("utf-8")  # valid UTF-8, or this raises
    rows = list(csv.DictReader(text.splitlines()))
    assert sorted(row["student"] for row in rows) == sorted(roster)
    assert len(list(reports.glob("*.json"))) == len(roster)
    students = list(roster)
    for row in rows:
        if roster[row["student"]] is None:
            after = students[students.index(row["student"]) - 1]
            assert float(row["score"]) == FULL_MARKS, f"graded right after {after}: {row}"
    for student, result in graded:
        json.dumps(result, ensure_ascii=False).encode("utf-8")
        assert result["isolation"] == level, student
