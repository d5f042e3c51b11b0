"""A class with hostile submissions among correct ones: does every classmate still get full marks?

The whole hostile corpus is graded with `grade-batch` as one class, at every isolation level
available:
  * code attacks (tests/files/hostile/*.py), each in a notebook followed by a correct
    classmate, on ONE worker -- so every correct notebook is graded right after an attack,
    in the same warm worker;
  * file and content attacks (tests/files/hostile_files.py): links, pipes, devices, huge or
    pathological notebooks;
  * text attacks (tests/files/hostile_names.py): hostile file names and messages aimed at
    the outputs, in a flat folder.
Whatever an attack does to itself, every correct submission must get full marks, every file
its own row and report, all outputs valid UTF-8 with no raw control character, and no process
of the sandbox may be left behind.
"""

import csv
import os
import re
import time
from pathlib import Path

import pytest
from support import SOLUTIONS, hostile_files, hostile_names, replace_solution_cells, write_answers
from support.output_fuzzing import unsafe_characters

from autograder import batch, report
from autograder.probe import COURSE_PROBE
from autograder.sandbox import Limits, Sandbox, tagged_processes
from autograder.sandbox import launch as sandbox_launch

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests" / "files" / "hostile"
LEVELS = ("bubblewrap", "unshare", "none")
EXPECT_LEVELS = re.compile(r"# expect\[(?P<levels>[a-z,]+)\]:")
# Room for the memory attacks, short enough for the endless loops and fork bombs.
LIMITS = Limits(wall_seconds=3.0, cpu_seconds=3)
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


def write_code_attacks(submitted, level):
    """Each code attack of the level, then a correct classmate, as students of submitted/.

    Returns {student: None} -- what a code attack earns is sandbox/test_pool.py's business; here
    only its classmates' marks count.
    """
    students = {}
    attacks = [path for path in sorted(HOSTILE.glob("*.py")) if level in attack_levels(path)]
    for index, path in enumerate(attacks):
        source = path.read_text().replace("__REPO_ROOT__", str(ROOT)).replace("__PORT__", "9")
        attacker = f"s{index:03d}a-{path.stem}"
        folder = submitted / attacker / "initialization"
        replace_solution_cells(write_answers(folder, SOLUTIONS), {HE: attack_cell(source)})
        write_answers(submitted / f"s{index:03d}b-correct" / "initialization", SOLUTIONS)
        students[attacker] = "code attack"
        students[f"s{index:03d}b-correct"] = hostile_files.CORRECT
    return students


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


def level_params(levels=LEVELS, default=("bubblewrap",)):
    return [
        pytest.param(level, marks=[] if level in default else [pytest.mark.slow], id=level)
        for level in levels
    ]


def require(level):
    if sandbox_launch.unavailable(level):
        pytest.skip(f"{level}: {sandbox_launch.unavailable(level)}")


def graded_class(folder, level, workers=1):
    """grade-batch of folder at a level -> (CSV text, reports folder, BatchResult)."""
    out, reports = folder.parent / "grades.csv", folder.parent / "reports"
    with Sandbox(COURSE_PROBE, workers=workers, limits=LIMITS, isolation=level) as sandbox:
        done = batch.grade_batch(folder, sandbox, out, json_dir=reports, show_progress=False)
        assert not strays(sandbox)
    assert not tagged_processes(sandbox.tag)
    text = out.read_bytes().decode("utf-8")  # valid UTF-8, or this raises
    assert unsafe_characters(text, allowed="\r\n") == []
    for path in reports.iterdir():
        assert unsafe_characters(path.read_bytes().decode("utf-8"), allowed="\n") == [], path
    return text, reports, done


@pytest.mark.parametrize("level", level_params())
def test_every_classmate_of_an_attacker_gets_full_marks(tmp_path, level):
    """Graded on one worker right after each code attack, and beside every file and content
    attack, does every correct notebook get 18/18, every attack its own row with its reason,
    every submission its report, all valid UTF-8, with no process left over?"""
    require(level)
    submitted = tmp_path / "course" / "submitted"
    expected = write_code_attacks(submitted, level)
    expected.update(hostile_files.write_all_attacks(submitted))
    text, reports, done = graded_class(tmp_path / "course", level)
    rows = {row["student_id"]: row for row in csv.DictReader(text.splitlines())}
    assert sorted(rows) == sorted(expected)
    assert len(list(reports.glob("*.json"))) == len(expected)
    graded = dict(done.graded)
    students = list(expected)
    for student, wanted in expected.items():
        row = rows[student]
        if wanted is hostile_files.CORRECT:
            before = students[students.index(student) - 1] if student[0] == "s" else "-"
            assert float(row["score"]) == FULL_MARKS, f"graded right after {before}: {row}"
        elif wanted != "code attack":
            assert hostile_files.shows_reason(wanted, report.table(graded[student])), (student, row)


@pytest.mark.parametrize("level", level_params(default=()))
def test_hostile_names_and_messages_each_keep_their_row(tmp_path, level):
    """At each level, does a flat folder of hostile file names and messages give one row and
    one report per file, every correct notebook 18/18, all outputs valid UTF-8?"""
    require(level)
    written = hostile_names.write_hostile_batch(tmp_path / "flat", tmp_path / "scratch")
    text, reports, _ = graded_class(tmp_path / "flat", level, workers=2)
    assert len(text.split("\r\n")) == len(written) + 2  # a line per row: no forged row
    rows = {row["submission"]: row for row in csv.DictReader(text.splitlines())}
    assert len(rows) == len(written) == len(list(reports.iterdir()))
    for name, (kind, _) in written.items():
        row = rows[report.submission_key(os.fsdecode(name))]
        if kind == "name":  # a correct notebook under a hostile name
            assert float(row["score"]) == FULL_MARKS, row
