"""Does grade-batch find submissions in nbgrader and flat layouts and write every output?"""

import csv
import json
import shutil

from autograder_corpus import SUBMISSIONS

from autograder import batch

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


def test_student_with_two_notebooks_gets_one_row_each(tmp_path):
    """Does a student with two notebooks get two labelled submissions?"""
    course = nbgrader_course(tmp_path / "course", ["correct_loop.ipynb"])
    extra = course / "submitted" / "correct_loop" / "initialization" / "Scratch.ipynb"
    shutil.copy(SUBMISSIONS / "no_seed.ipynb", extra)
    students = [student for student, _ in batch.discover(course)]
    assert students == [
        "correct_loop/initialization/Initialization",
        "correct_loop/initialization/Scratch",
    ]


def test_flat_folder_uses_file_stems(tmp_path):
    """Is a flat folder of notebooks read with the file stem as the student?"""
    folder = flat_folder(tmp_path / "flat", SAMPLE)
    assert [student for student, _ in batch.discover(folder)] == sorted(
        name.removesuffix(".ipynb") for name in SAMPLE
    )


def test_safe_file_names():
    """Is a student label turned into one harmless file name?"""
    assert batch.safe_file_name("ana/initialization/x") == "ana__initialization__x"
    escaping = batch.safe_file_name("../../etc")
    assert "/" not in escaping and not escaping.startswith(".")
    assert batch.safe_file_name("..") == "student"


def test_batch_writes_a_row_per_submission_and_every_output(sandbox, tmp_path):
    """Does a batch with broken and hostile files write all rows, JSON and Gradescope files?"""
    course = nbgrader_course(tmp_path / "course", SAMPLE)
    out, json_dir, gradescope = tmp_path / "grades.csv", tmp_path / "json", tmp_path / "gs"
    graded = batch.grade_batch(course, sandbox, out, json_dir, gradescope, show_progress=False)
    assert len(graded) == len(SAMPLE)
    with out.open(newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert rows["correct_loop"]["score"] == "18"
    assert rows["no_seed"]["status"] == "graded"
    assert rows["empty_file"]["status"] == "error" and "empty" in rows["empty_file"]["reason"]
    assert rows["exits_the_process"]["status"] == "error"
    assert rows["exits_the_process"]["initialize_parameters_he"] == "7"
    for student in rows:
        saved = json.loads((json_dir / f"{student}.json").read_text())
        assert set(saved) >= {"notebook", "score", "max_score", "isolation", "exercises"}
        results = json.loads((gradescope / student / "results.json").read_text())
        assert len(results["tests"]) == 3


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
