"""Does a batch's writer keep every row and report, resume where it stopped, and stay valid?"""

import csv
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from support.output_fuzzing import BATCHES, check_batch

from autograder import assignment, grading
from autograder.batch_output import BatchOutputs, OutputError, read_rows
from autograder.data import ExerciseResult, Report, Status


def a_report(score=18.0, feedback="All cases passed.", reason=""):
    exercises = tuple(
        ExerciseResult(name, score / 3, 6.0, Status.PASSED, feedback)
        for name in assignment.FUNCTIONS
    )
    return Report(
        notebook="n.ipynb",
        score=score,
        max_score=18.0,
        isolation="none",
        exercises=exercises,
        job_seconds=0.1,
        reason=reason,
    )


def record_all(out, submissions, force=False, json_dir=None):
    """Run a BatchOutputs over [(student, key, name)]: returns the keys it had to grade."""
    outputs = BatchOutputs(out, json_dir)
    to_grade = outputs.start([(key, name) for _, key, name in submissions], force=force)
    for student, key, name in submissions:
        if key in to_grade:
            outputs.record(student, key, name, a_report())
    outputs.finish([key for _, key, _ in submissions])
    return to_grade


def rows_of(out):
    with out.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


SUBMISSIONS = [(f"s{number}", Path(f"s{number}.ipynb"), f"s{number}") for number in range(5)]


def test_each_row_is_on_disk_as_soon_as_it_is_recorded(tmp_path):
    """Is a row readable from the file right after record(), before the batch ends?"""
    out = tmp_path / "grades.csv"
    outputs = BatchOutputs(out)
    outputs.start([(key, name) for _, key, name in SUBMISSIONS])
    for count, (student, key, name) in enumerate(SUBMISSIONS, start=1):
        outputs.record(student, key, name, a_report())
        assert len(read_rows(out)) == count
    outputs.close()


def test_a_second_run_grades_only_what_is_missing(tmp_path):
    """Does a rerun skip every submission with a row, and --force regrade them all?"""
    out = tmp_path / "grades.csv"
    assert record_all(out, SUBMISSIONS[:3]) == {key for _, key, _ in SUBMISSIONS[:3]}
    assert record_all(out, SUBMISSIONS) == {key for _, key, _ in SUBMISSIONS[3:]}
    assert record_all(out, SUBMISSIONS) == set()
    assert [row["student_id"] for row in rows_of(out)] == [student for student, _, _ in SUBMISSIONS]
    assert record_all(out, SUBMISSIONS, force=True) == {key for _, key, _ in SUBMISSIONS}
    assert len(rows_of(out)) == len(SUBMISSIONS)


def test_a_row_cut_off_by_a_kill_is_graded_again(tmp_path):
    """Is a half-written last line dropped (not glued to the next row) and regraded?"""
    out = tmp_path / "grades.csv"
    # Killed while writing the third row: inside it, or before its line end (its last
    # cell may be cut short; nothing tells, so it is graded again).
    for cut in (7, 2, 1):
        out.unlink(missing_ok=True)
        record_all(out, SUBMISSIONS[:3])
        out.write_bytes(out.read_bytes()[:-cut])
        assert record_all(out, SUBMISSIONS) == {key for _, key, _ in SUBMISSIONS[2:]}
        rows = rows_of(out)
        assert [row["student_id"] for row in rows] == [student for student, _, _ in SUBMISSIONS]
        assert all(row["score"] == "18" for row in rows)


def test_a_missing_report_file_is_written_again(tmp_path):
    """Is a submission with its row but without its JSON report (now asked for) regraded?"""
    out, json_dir = tmp_path / "grades.csv", tmp_path / "json"
    record_all(out, SUBMISSIONS, json_dir=json_dir)
    (json_dir / "s1.json").unlink()
    assert record_all(out, SUBMISSIONS, json_dir=json_dir) == {Path("s1.ipynb")}
    assert (json_dir / "s1.json").exists()


def test_rows_of_files_no_longer_found_are_kept(tmp_path):
    """Does a rerun on fewer files keep the other rows (after the found ones), not drop them?"""
    out = tmp_path / "grades.csv"
    record_all(out, SUBMISSIONS)
    record_all(out, SUBMISSIONS[2:])
    assert [row["student_id"] for row in rows_of(out)] == ["s2", "s3", "s4", "s0", "s1"]


def test_a_csv_not_written_by_grade_batch_is_refused(tmp_path):
    """Is an --out with other columns refused with a way out, never overwritten?"""
    out = tmp_path / "grades.csv"
    for text in (b"name,grade\r\nana,A\r\n", b"name,grade\nana,A", b"\x89PNG\r\n"):
        out.write_bytes(text)
        with pytest.raises(OutputError, match="--force"):
            read_rows(out)
        assert out.read_bytes() == text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(BATCHES)
def test_fuzzed_names_and_reports_lose_no_row(batch):
    """Fuzzed: do hostile file names and report text give one valid row and report each?"""
    names, graded = batch
    with tempfile.TemporaryDirectory() as scratch:
        assert check_batch(Path(scratch), names, graded) == len(names)


def test_temporary_files_of_a_killed_run_are_removed(tmp_path):
    """Are the half-written temporary files a kill leaves cleaned up by the next run?"""
    out, json_dir = tmp_path / "grades.csv", tmp_path / "json"
    record_all(out, SUBMISSIONS[:2], json_dir=json_dir)
    left = [tmp_path / ".grades.csv.4242.tmp", json_dir / ".s2.json.4242.tmp"]
    for path in left:
        path.write_text("half")
    mine = json_dir / "notes.tmp"  # not ours: kept
    mine.write_text("instructor's")
    record_all(out, SUBMISSIONS, json_dir=json_dir)
    assert not any(path.exists() for path in left) and mine.exists()
    assert sorted(path.name for path in json_dir.iterdir()) == [
        "notes.tmp",
        "s0.json",
        "s1.json",
        "s2.json",
        "s3.json",
        "s4.json",
    ]


@pytest.mark.parametrize("failure", grading.GRADER_FAILURES)
def test_a_row_the_grader_failed_on_is_graded_again(tmp_path, failure):
    """Is a submission whose row says the grader (or its sandbox) failed -- not the student --
    graded again by a rerun, while the others are kept?"""
    out = tmp_path / "grades.csv"
    outputs = BatchOutputs(out)
    outputs.start([(key, name) for _, key, name in SUBMISSIONS])
    for student, key, name in SUBMISSIONS:
        reason = f"{failure}: the worker ended" if student == "s2" else ""
        outputs.record(student, key, name, a_report(reason=reason))
    outputs.finish([key for _, key, _ in SUBMISSIONS])
    assert record_all(out, SUBMISSIONS) == {Path("s2.ipynb")}
    assert all(row["reason"] == "" for row in rows_of(out))
