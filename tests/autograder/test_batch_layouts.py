"""Does grade-batch give one row per student, importable by student_id, in every layout it
understands -- with nbgrader's submission time -- and refuse a folder it does not understand?"""

import csv
import os
import shutil
import threading

import pytest
from support import run_autograder as autograder
from support.corpus import SUBMISSIONS

from autograder import batch, cli, report

FUNCTIONS = [
    "initialize_parameters_zeros",
    "initialize_parameters_random",
    "initialize_parameters_he",
]
# What an LMS import needs first, as nbgrader's own export names it.
IMPORT_COLUMNS = ["student_id", "assignment", "timestamp", "score", "max_score"]


def student_file(root, relative, corpus_name):
    """Copy a corpus notebook to root/relative; returns its path."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(SUBMISSIONS / corpus_name, path)
    return path


def rows_of(out):
    with out.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_csv_starts_with_the_columns_an_lms_imports():
    """Are the CSV's columns student_id, assignment, timestamp, score, max_score, one per
    exercise, status and reason (then flags and the submission key)?"""
    assert report.CSV_COLUMNS[:5] == IMPORT_COLUMNS
    assert report.CSV_COLUMNS[5:8] == FUNCTIONS
    assert report.CSV_COLUMNS[8:] == ["status", "reason", "flags", "submission"]


def test_a_student_with_several_notebooks_is_one_row_graded_on_the_assignments(sandbox, tmp_path):
    """Is a student folder holding a scratch notebook beside the assignment's one row keyed
    by the student, graded on Initialization.ipynb, with the scratch named in its reason?"""
    course = tmp_path / "course"
    folder = "submitted/bob/initialization"
    student_file(course, f"{folder}/Initialization.ipynb", "correct_loop.ipynb")
    student_file(course, f"{folder}/scratch.ipynb", "no_seed.ipynb")
    student_file(course, "submitted/bob/old/Initialization.ipynb", "no_seed.ipynb")
    (course / folder / "timestamp.txt").write_text("2026-11-30 12:04:05.250000 UTC\n")
    student_file(course, "submitted/ana/initialization/Initialization.ipynb", "no_seed.ipynb")
    out = tmp_path / "grades.csv"
    batch.grade_batch(course, sandbox, out, show_progress=False)
    rows = {row["student_id"]: row for row in rows_of(out)}
    assert sorted(rows) == ["ana", "bob"]
    bob = rows["bob"]
    assert (bob["score"], bob["status"], bob["assignment"]) == ("18", "graded", "initialization")
    assert bob["timestamp"] == "2026-11-30T12:04:05.250000+00:00"
    assert bob["submission"] == f"{folder}/Initialization.ipynb"
    assert bob["reason"] == (
        "not graded, also in the student's folder: "
        "initialization/scratch.ipynb, old/Initialization.ipynb"
    )
    assert rows["ana"]["reason"] == "" and rows["ana"]["timestamp"] == ""


def test_several_notebooks_and_none_the_assignments_is_a_row_that_says_so(sandbox, tmp_path):
    """Is a student with two notebooks, neither Initialization.ipynb, one row that grades
    neither (the instructor chooses) and names both -- and one alone graded whatever its name?"""
    course = tmp_path / "course"
    student_file(course, "submitted/eve/initialization/mine.ipynb", "correct_loop.ipynb")
    student_file(course, "submitted/eve/initialization/mine2.ipynb", "correct_loop.ipynb")
    student_file(course, "submitted/joe/initialization/renamed.ipynb", "correct_loop.ipynb")
    (course / "submitted" / "nobody").mkdir()
    out = tmp_path / "grades.csv"
    batch.grade_batch(course, sandbox, out, show_progress=False)
    rows = {row["student_id"]: row for row in rows_of(out)}
    assert sorted(rows) == ["eve", "joe", "nobody"]
    assert (rows["eve"]["score"], rows["eve"]["status"]) == ("0", "error")
    assert rows["eve"]["reason"] == (
        "2 notebooks and none is initialization/Initialization.ipynb: "
        "initialization/mine.ipynb, initialization/mine2.ipynb"
    )
    assert rows["eve"]["submission"] == "submitted/eve"
    assert rows["joe"]["score"] == "18"
    assert rows["nobody"]["reason"] == "no notebook in the student's folder"


def test_student_folders_without_assignment_folders_are_a_layout(sandbox, tmp_path):
    """Is DIR/<student>/<notebook>.ipynb graded as one row per student folder?"""
    folder = tmp_path / "class"
    student_file(folder, "ana/Initialization.ipynb", "correct_loop.ipynb")
    student_file(folder, "ana/notes.ipynb", "no_seed.ipynb")
    student_file(folder, "bob/my_work.ipynb", "no_seed.ipynb")
    found = [
        (entry.student, entry.path.name, entry.others) for entry in batch.find_submissions(folder)
    ]
    assert found == [
        ("ana", "Initialization.ipynb", ("notes.ipynb",)),
        ("bob", "my_work.ipynb", ()),
    ]
    out = tmp_path / "grades.csv"
    batch.grade_batch(folder, sandbox, out, show_progress=False)
    rows = {row["student_id"]: row for row in rows_of(out)}
    assert rows["ana"]["score"] == "18" and rows["ana"]["assignment"] == "initialization"
    assert rows["bob"]["status"] == "graded" and rows["bob"]["timestamp"] == ""


@pytest.mark.parametrize(
    "layout",
    [
        {},  # an empty folder
        {"notes.txt": b"x"},
        {"a/b/c/deep.ipynb": b"{}"},  # deeper than any layout
        {"submitted/README.txt": b"x"},  # nbgrader's folder, no student in it
    ],
    ids=["empty", "no_notebook", "too_deep", "empty_submitted"],
)
def test_a_folder_in_no_layout_it_understands_is_a_one_line_error(root, tmp_path, layout):
    """Is a folder with no submission in any layout refused with a one-line message naming
    the layouts and exit 2 -- not 0 rows and success?"""
    folder = tmp_path / "given"
    folder.mkdir()
    for relative, data in layout.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(data)
    with pytest.raises(batch.NoSubmissionsError, match="DIR/<student>/\\*.ipynb"):
        batch.find_submissions(folder)
    out = tmp_path / "grades.csv"
    done = autograder("grade-batch", folder, "--out", out, "--workers", "1", cwd=root)
    assert done.returncode == cli.USAGE_ERROR, done.stderr
    assert done.stderr.count("\n") == 1 and "no submissions found" in done.stderr
    assert "DIR/submitted/<student>/<assignment>/*.ipynb" in done.stderr
    assert not out.exists()


def timestamp_folder(tmp_path, data):
    folder = tmp_path / "ts"
    folder.mkdir()
    (folder / "timestamp.txt").write_bytes(data)
    return folder / "timestamp.txt"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"2026-11-30 12:04:05.123456 UTC\n", "2026-11-30T12:04:05.123456+00:00"),
        (b"2026-11-30 12:04:05 UTC", "2026-11-30T12:04:05+00:00"),
        (b"2026-11-30T13:04:05+01:00", "2026-11-30T12:04:05+00:00"),
        (b"2026-11-30 07:04:05.5 -0500", "2026-11-30T12:04:05.500000+00:00"),
        (b"2026-11-30 12:04:05", "2026-11-30T12:04:05+00:00"),  # no zone: UTC, as nbgrader
        # nbgrader's %Z in a course's own time zone: an abbreviation, or an offset's digits
        (b"2026-11-30 13:04:05.000001 CET", "2026-11-30T12:04:05.000001+00:00"),
        (b"2026-11-30 07:04:05 EST", "2026-11-30T12:04:05+00:00"),
        (b"2026-11-30 15:04:05 +03", "2026-11-30T12:04:05+00:00"),
    ],
)
def test_nbgraders_timestamps_are_read_as_utc(tmp_path, text, expected):
    """Is the time nbgrader writes (and ISO 8601 with an offset) given in UTC, ISO 8601?"""
    assert batch.read_timestamp(timestamp_folder(tmp_path, text)) == (expected, "")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"yesterday",
        b"2026-13-45 12:00:00 UTC",
        b"0001-01-01 00:00:00 +05:00",  # before year 1 in UTC
        b"9999-12-31 23:59:59 -05:00",  # after year 9999 in UTC
        b"2026-11-30 12:00:00 +99:00",
        "2026-11-30 12:00:00 +\u0660\u0661:\u0660\u0660".encode(),  # other scripts' digits
        b"\xff\xfe\x1b[2J2026",
        b"2026-11-30 12:00:00 UTC" + b" " * 100,
        b"9" * (50 << 20),  # 50 MB: read to the limit only
    ],
    ids=[
        "empty",
        "words",
        "no_such_date",
        "underflow",
        "overflow",
        "bad_offset",
        "arabic_indic_digits",
        "escapes",
        "padded",
        "huge",
    ],
)
def test_a_hostile_timestamp_is_a_reason_never_a_crash(tmp_path, data):
    """Is a timestamp.txt that is not a time an empty timestamp and a one-line problem?"""
    timestamp, problem = batch.read_timestamp(timestamp_folder(tmp_path, data))
    assert timestamp == ""
    assert problem.startswith("timestamp.txt: ") and "\n" not in problem and len(problem) < 200
    assert "\x1b" not in problem


def test_a_zone_no_database_knows_keeps_the_time_as_written_and_says_so(tmp_path):
    """Is nbgrader's time in a zone abbreviation the system cannot resolve (CEST: nbgrader
    itself cannot read it back) kept as written, without a zone, with a one-line note?"""
    timestamp, problem = batch.read_timestamp(
        timestamp_folder(tmp_path, b"2026-07-01 14:04:05.5 CEST\n")
    )
    assert timestamp == "2026-07-01T14:04:05.500000"
    assert problem == "timestamp.txt: time zone 'CEST' unknown, the time is as written"


def test_a_timestamp_that_is_a_link_or_a_pipe_is_never_followed_or_opened(tmp_path):
    """Is a timestamp.txt linking to a secret, or a FIFO (whose open would block), refused
    at once with its reason?"""
    secret = tmp_path / "secret"
    secret.write_text("2026-11-30 12:00:00 UTC")
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "timestamp.txt").symlink_to(secret)
    piped = tmp_path / "piped"
    piped.mkdir()
    os.mkfifo(piped / "timestamp.txt")
    answers = {}

    def read_both():
        for name in ("linked", "piped"):
            answers[name] = batch.read_timestamp(tmp_path / name / "timestamp.txt")

    reader = threading.Thread(target=read_both, daemon=True)
    reader.start()
    reader.join(10)
    assert not reader.is_alive(), "reading a FIFO timestamp blocked"
    assert answers["linked"][0] == answers["piped"][0] == ""
    assert "symbolic link" in answers["linked"][1]
    assert "named pipe" in answers["piped"][1]
    assert batch.read_timestamp(tmp_path / "nowhere" / "timestamp.txt") == ("", "")


def test_a_hostile_timestamp_costs_the_student_no_grade(sandbox, tmp_path):
    """Does a student whose timestamp.txt is a huge file still get graded, with the problem
    in the reason?"""
    course = tmp_path / "course"
    folder = "submitted/mallory/initialization"
    student_file(course, f"{folder}/Initialization.ipynb", "correct_loop.ipynb")
    (course / folder / "timestamp.txt").write_bytes(b"\x1b]0;owned\x07" * 100_000)
    out = tmp_path / "grades.csv"
    batch.grade_batch(course, sandbox, out, show_progress=False)
    (row,) = rows_of(out)
    assert (row["student_id"], row["score"], row["status"]) == ("mallory", "18", "graded")
    assert row["timestamp"] == "" and row["reason"].startswith("timestamp.txt: longer than")


def test_a_rerun_after_the_students_folder_changed_keeps_one_row_for_them(sandbox, tmp_path):
    """When a student's folder changes between two runs (the instructor removes the extra
    notebook that kept it from being graded), does the resumed CSV still hold one row for
    the student -- the new one -- while a student who is gone keeps their old row?"""
    course = tmp_path / "course"
    folder = course / "submitted" / "eve" / "initialization"
    student_file(course, "submitted/eve/initialization/mine.ipynb", "correct_loop.ipynb")
    student_file(course, "submitted/eve/initialization/draft.ipynb", "no_seed.ipynb")
    student_file(course, "submitted/gone/initialization/Initialization.ipynb", "no_seed.ipynb")
    student_file(course, "submitted/ana/initialization/Initialization.ipynb", "no_seed.ipynb")
    out = tmp_path / "grades.csv"
    batch.grade_batch(course, sandbox, out, show_progress=False)
    assert {row["student_id"]: row["status"] for row in rows_of(out)}["eve"] == "error"
    (folder / "draft.ipynb").unlink()
    shutil.rmtree(course / "submitted" / "gone")
    done = batch.grade_batch(course, sandbox, out, show_progress=False)
    assert [row["student_id"] for row in rows_of(out)] == ["ana", "eve", "gone"]
    assert {row["student_id"]: row["score"] for row in rows_of(out)}["eve"] == "18"
    assert (len(done.graded), done.kept) == (1, 1)


def test_another_assignments_notebook_is_never_graded_as_this_one(sandbox, tmp_path):
    """In a course of several assignments, is a student whose only notebook is another
    assignment's refused with that said (not graded as Initialization and written as that
    assignment's row), and one with both graded on this assignment's, the other named?"""
    course = tmp_path / "course"
    student_file(course, "submitted/bob/regularization/Regularization.ipynb", "no_seed.ipynb")
    student_file(course, "submitted/ana/regularization/Regularization.ipynb", "no_seed.ipynb")
    student_file(course, "submitted/ana/initialization/mine.ipynb", "correct_loop.ipynb")
    out = tmp_path / "grades.csv"
    batch.grade_batch(course, sandbox, out, show_progress=False)
    rows = {row["student_id"]: row for row in rows_of(out)}
    assert {row["assignment"] for row in rows.values()} == {"initialization"}
    assert (rows["bob"]["score"], rows["bob"]["status"]) == ("0", "error")
    assert rows["bob"]["reason"] == (
        "no notebook of initialization in the student's folder, only of other folders: "
        "regularization/Regularization.ipynb"
    )
    assert (rows["ana"]["score"], rows["ana"]["status"]) == ("18", "graded")
    assert rows["ana"]["reason"] == (
        "not graded, also in the student's folder: regularization/Regularization.ipynb"
    )


def test_folders_that_are_no_students_are_no_rows(sandbox, tmp_path):
    """Are version control's, checkpoints' and archivers' folders beside the students'
    (.git, .ipynb_checkpoints, __MACOSX) skipped rather than made students of?"""
    course = tmp_path / "course"
    student_file(course, "submitted/ana/initialization/Initialization.ipynb", "no_seed.ipynb")
    student_file(course, "submitted/.git/objects/x.ipynb", "no_seed.ipynb")
    student_file(course, "submitted/.ipynb_checkpoints/Initialization.ipynb", "no_seed.ipynb")
    student_file(course, "submitted/__MACOSX/ana/._Initialization.ipynb", "no_seed.ipynb")
    assert [entry.student for entry in batch.find_submissions(course)] == ["ana"]


def test_a_folder_of_many_notebooks_names_a_few_and_counts_the_rest(sandbox, tmp_path):
    """Does a student folder holding dozens of notebooks give a reason of a few names and a
    count, not a cell of every name?"""
    course = tmp_path / "course"
    for number in range(12):
        student_file(course, f"submitted/eve/initialization/try{number:02d}.ipynb", "no_seed.ipynb")
    (entry,) = batch.find_submissions(course)
    assert entry.refusal.endswith("initialization/try04.ipynb and 7 more")
    assert entry.refusal.count("/try") == batch.MAX_NAMED


def test_a_submission_collected_anew_is_graded_again_on_a_rerun(sandbox, tmp_path):
    """When nbgrader collects a student's resubmission (same path, a new timestamp.txt),
    does a resumed batch grade it again instead of keeping the old row?"""
    course = tmp_path / "course"
    folder = "submitted/ana/initialization"
    notebook = student_file(course, f"{folder}/Initialization.ipynb", "no_seed.ipynb")
    (course / folder / "timestamp.txt").write_text("2026-11-30 12:00:00 UTC\n")
    out = tmp_path / "grades.csv"
    batch.grade_batch(course, sandbox, out, show_progress=False)
    shutil.copy(SUBMISSIONS / "correct_loop.ipynb", notebook)
    (course / folder / "timestamp.txt").write_text("2026-11-30 13:00:00 UTC\n")
    done = batch.grade_batch(course, sandbox, out, show_progress=False)
    (row,) = rows_of(out)
    assert (row["score"], row["timestamp"]) == ("18", "2026-11-30T13:00:00+00:00")
    assert (len(done.graded), done.kept) == (1, 0)
