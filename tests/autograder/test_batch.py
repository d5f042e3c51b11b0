"""Does grade-batch find submissions in nbgrader and flat layouts and write every output?"""

import csv
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from support import hostile_names
from support.corpus import SUBMISSIONS
from support.output_fuzzing import unsafe_characters

from autograder import batch, grading, report

# A correct one, a wrong one, an unreadable one and a hostile one.
SAMPLE = [
    "correct_loop.ipynb",
    "no_seed.ipynb",
    "empty_file.ipynb",
    "exits_the_process.ipynb",
]


def nbgrader_course(root, names):
    """root/submitted/<student>/initialization/Initialization.ipynb for each corpus file."""
    for name in names:
        folder = root / "submitted" / name.removesuffix(".ipynb") / "initialization"
        folder.mkdir(parents=True)
        shutil.copy(SUBMISSIONS / name, folder / "Initialization.ipynb")
    return root


def flat_folder(root, names):
    root.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(SUBMISSIONS / name, root / name)
    return root


def test_nbgrader_layout_from_the_course_or_its_submitted_folder(tmp_path):
    """Are students found from the course folder and from `submitted` itself?"""
    course = nbgrader_course(tmp_path / "course", SAMPLE[:2])
    expected = [("correct_loop", "Initialization.ipynb"), ("no_seed", "Initialization.ipynb")]
    for folder in (course, course / "submitted"):
        found = [(student, path.name) for student, path in batch.discover(folder)]
        assert found == expected


def test_flat_folder_uses_file_stems(tmp_path):
    """Is a flat folder of notebooks read with the file stem as the student?"""
    folder = flat_folder(tmp_path / "flat", SAMPLE)
    assert [student for student, _ in batch.discover(folder)] == sorted(
        name.removesuffix(".ipynb") for name in SAMPLE
    )


def test_report_file_names_are_safe_unique_and_stable():
    """Is each label one harmless file name, different from every other label's, every run?"""
    assert batch.report_file_name("ana") == "ana"
    labels = [
        "ana+b",
        "ana_b",
        "bob",
        "bob.",
        "bob..",
        "Bob",
        "BOB",
        "..",
        ".",
        "../../etc",
        "ana/initialization/x",
        "ana__initialization__x",
        "caf\udce9",
        "caf\\xe9",
        "\x1b[2J",
        "a" * 300,
        "ana_b~" + batch.label_hash("ana+b"),
    ]
    names = batch.report_file_names(labels)
    assert len({name.lower() for name in names.values()}) == len(labels)
    for name in names.values():
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._~-]*", name) and len(name) < 100
    assert names == batch.report_file_names(list(reversed(labels)))
    assert names["ana_b"] == "ana_b" and names["bob"] == "bob"


def test_discovery_lists_links_pipes_and_folders_without_following_them(tmp_path):
    """Is every *.ipynb a student left a row -- a link, a FIFO, a folder -- and no link followed?"""
    secret = tmp_path / "instructor"
    secret.mkdir()
    (secret / "answers.ipynb").write_bytes((SUBMISSIONS / "correct_loop.ipynb").read_bytes())
    flat = flat_folder(tmp_path / "flat", ["correct_loop.ipynb"])
    (flat / "link.ipynb").symlink_to(secret / "answers.ipynb")
    os.mkfifo(flat / "pipe.ipynb")
    (flat / "folder.ipynb").mkdir()
    found = {student: path.name for student, path in batch.discover(flat)}
    assert found == {
        "correct_loop": "correct_loop.ipynb",
        "link": "link.ipynb",
        "pipe": "pipe.ipynb",
        "folder": "folder.ipynb",
    }

    course = nbgrader_course(tmp_path / "course", ["correct_loop.ipynb"])
    submitted = course / "submitted"
    (submitted / "mallory").symlink_to(secret)  # a student folder that is a link
    (submitted / "eve").mkdir()
    (submitted / "eve" / "initialization").symlink_to(secret)  # an assignment folder too
    found = [(student, path.relative_to(submitted)) for student, path in batch.discover(course)]
    assert found == [
        ("correct_loop", Path("correct_loop/initialization/Initialization.ipynb")),
        ("eve", Path("eve/initialization")),
        ("mallory", Path("mallory")),
    ]


def test_batch_writes_a_row_per_submission_and_every_output(sandbox, tmp_path):
    """Does a batch with broken and hostile files write all rows, JSON and Gradescope files?"""
    course = nbgrader_course(tmp_path / "course", SAMPLE)
    out, json_dir, gradescope = tmp_path / "grades.csv", tmp_path / "json", tmp_path / "gs"
    done = batch.grade_batch(course, sandbox, out, json_dir, gradescope, show_progress=False)
    assert len(done.graded) == len(done.rows) == len(SAMPLE)
    with out.open(newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert rows["correct_loop"]["score"] == "18"
    assert rows["correct_loop"]["submission"] == (
        "submitted/correct_loop/initialization/Initialization.ipynb"
    )
    assert rows["no_seed"]["status"] == "graded"
    assert rows["empty_file"]["status"] == "error" and "empty" in rows["empty_file"]["reason"]
    assert rows["exits_the_process"]["status"] == "error"
    assert rows["exits_the_process"]["initialize_parameters_he"] == "7"
    for student in rows:
        saved = json.loads((json_dir / f"{student}.json").read_text())
        assert set(saved) >= {"notebook", "score", "max_score", "isolation", "exercises"}
        results = json.loads((gradescope / student / "results.json").read_text())
        assert len(results["tests"]) == 3


def test_hostile_names_and_messages_each_keep_their_row_and_report(sandbox, tmp_path):
    """Do escapes, bidi, surrogates, non-UTF-8 and colliding names cost no row, no report?"""
    written = hostile_names.write_hostile_batch(tmp_path / "flat", tmp_path / "scratch")
    out, json_dir, gradescope = tmp_path / "grades.csv", tmp_path / "json", tmp_path / "gs"
    done = batch.grade_batch(
        tmp_path / "flat", sandbox, out, json_dir, gradescope, show_progress=False
    )
    text = out.read_bytes().decode("utf-8")  # valid UTF-8, or this raises
    assert unsafe_characters(text, allowed="\r\n") == []
    assert len(text.split("\r\n")) == len(written) + 2  # a line per row: no forged row
    rows = {row["submission"]: row for row in csv.DictReader(text.splitlines())}
    assert len(rows) == len(written) == len(done.rows)
    assert len(os.listdir(json_dir)) == len(os.listdir(gradescope)) == len(written)
    for name, (kind, _) in written.items():
        row = rows[report.submission_key(os.fsdecode(name))]
        if kind == "name":  # a correct notebook under a hostile name
            assert (row["score"], row["status"]) == ("18", "graded"), row
        else:  # zeros and random right, He's text quoted escaped
            assert row["initialize_parameters_zeros"] == "5", row
    for path in [*json_dir.iterdir(), *gradescope.glob("*/results.json")]:
        text = path.read_bytes().decode("utf-8")
        assert unsafe_characters(text, allowed="\n") == [], path
        json.loads(text)


def test_progress_bar_only_on_a_terminal(monkeypatch):
    """Is there no progress bar when stderr is not a terminal (logs, pipes)?"""
    monkeypatch.setattr("sys.stderr.isatty", lambda: False, raising=False)
    bar = batch.ProgressBar(True)
    assert bar(10) is None


def test_progress_bar_counts_jobs_on_a_terminal(monkeypatch):
    """On a terminal, does the bar follow the sandbox's count of finished jobs?"""
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    bar = batch.ProgressBar(True)
    update = bar(4)
    update(1)
    update(3)
    assert bar.bar.n == 3
    bar.close()


def test_a_report_that_cannot_be_written_is_a_row_with_its_reason(sandbox, tmp_path, monkeypatch):
    """Does a grader bug that leaves one report unwritable cost that row its grade, no other?"""
    real_finish = grading.finish

    def finish(submission, results, isolation):
        result = real_finish(submission, results, isolation)
        if submission.path.name == "no_seed.ipynb" and not submission.reason:
            result = dataclasses.replace(result, score="not a number")  # no writer formats it
        return result

    monkeypatch.setattr(grading, "finish", finish)
    folder = flat_folder(tmp_path / "flat", SAMPLE)
    out, json_dir = tmp_path / "grades.csv", tmp_path / "json"
    batch.grade_batch(folder, sandbox, out, json_dir, show_progress=False)
    with out.open(newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert len(rows) == len(SAMPLE)
    assert rows["no_seed"]["status"] == "error"
    assert "internal error of the grader" in rows["no_seed"]["reason"]
    assert rows["correct_loop"]["score"] == "18"
    assert len(list(json_dir.iterdir())) == len(SAMPLE)


def test_a_folder_the_grader_cannot_list_is_a_row_not_a_stopped_batch(tmp_path):
    """Run without root's right to read every folder, is a student folder (or assignment
    folder) the grader cannot list that student's row, while every other student is found?"""
    course = nbgrader_course(tmp_path / "course", ["correct_loop.ipynb", "no_seed.ipynb"])
    locked = course / "submitted" / "locked" / "initialization"
    locked.mkdir(parents=True)
    shutil.copy(SUBMISSIONS / "correct_loop.ipynb", locked / "Initialization.ipynb")
    os.chown(locked, 65534, 65534)
    os.chmod(locked, 0)
    hidden_student = course / "submitted" / "hidden"
    hidden_student.mkdir()
    os.chown(hidden_student, 65534, 65534)
    os.chmod(hidden_student, 0)
    script = (
        "import sys\nfrom autograder import batch\n"
        "for student, path in batch.discover(sys.argv[1]):\n"
        "    print(student, path.name)\n"
    )
    # root's DAC capabilities dropped: the kernel checks the folders' modes as for any user.
    found = subprocess.run(
        ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
        + [sys.executable, "-c", script, str(course)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert found == [
        "correct_loop Initialization.ipynb",
        "hidden hidden",
        "locked initialization",
        "no_seed Initialization.ipynb",
    ]


def test_notebooks_at_the_top_make_a_flat_folder_whatever_sits_beside_them(tmp_path):
    """Does a flat folder with one subfolder holding <dir>/<dir>/*.ipynb still give every
    notebook at its top a row?"""
    folder = flat_folder(tmp_path / "flat", SAMPLE)
    old = folder / "old_work" / "week1"
    old.mkdir(parents=True)
    shutil.copy(SUBMISSIONS / "no_seed.ipynb", old / "draft.ipynb")
    found = [student for student, _ in batch.discover(folder)]
    assert found == sorted(name.removesuffix(".ipynb") for name in SAMPLE)
