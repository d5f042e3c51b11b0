"""Are reports written correctly: table, JSON (golden files), CSV rows, Gradescope results?"""

import csv
import json

import pytest
from autograder_corpus import GOLDEN

from autograder import report

GOLDEN_SUBMISSIONS = [
    "correct_loop.ipynb",
    "xavier_instead_of_he.ipynb",
    "syntax_error_in_he_cell.ipynb",
    "global_variable.ipynb",
    "truncated_json.ipynb",
]
# The sandbox level depends on the machine; timings on the run.
MACHINE_FIELDS = ("isolation",)


def comparable(result, name):
    """The report without timings and machine details, its notebook named by file name only."""
    stable = report.without_volatile(result)
    stable = {key: value for key, value in stable.items() if key not in MACHINE_FIELDS}
    stable["notebook"] = name
    return stable


@pytest.mark.parametrize("name", GOLDEN_SUBMISSIONS)
def test_report_matches_its_golden_file(corpus_reports, name, update_golden):
    """Is the JSON report the reviewed one in tests/files/golden (pytest --update-golden)?"""
    path = GOLDEN / name.replace(".ipynb", ".json")
    got = comparable(corpus_reports[name], name)
    if update_golden:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(got, indent=2) + "\n", encoding="utf-8")
    assert got == json.loads(path.read_text(encoding="utf-8"))


def test_volatile_fields_are_dropped():
    """Are timings left out of the copy used for comparisons?"""
    assert "seconds" not in report.without_volatile({"score": 1.0, "seconds": 0.3})


def test_table_lists_every_exercise_and_the_total(corpus_reports):
    """Does the readable table show each exercise with score and status, the total, feedback?"""
    text = report.table(corpus_reports["xavier_instead_of_he.ipynb"])
    assert "initialize_parameters_zeros       5/5  passed" in text
    assert "initialize_parameters_he          0/7  failed" in text
    assert "total                           11/18" in text
    assert "[xavier_instead_of_he]" in text


def test_csv_has_one_row_per_submission_with_status_and_reason(corpus_reports, tmp_path):
    """Does the CSV hold the columns instructors script against, one row per submission?"""
    graded = [(name.removesuffix(".ipynb"), result) for name, result in corpus_reports.items()]
    path = tmp_path / "grades.csv"
    report.write_csv(path, graded)
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == report.CSV_COLUMNS
    assert [row["student"] for row in rows] == [student for student, _ in graded]
    by_student = {row["student"]: row for row in rows}
    assert by_student["correct_loop"]["status"] == "graded"
    assert by_student["correct_loop"]["score"] == "18"
    assert by_student["truncated_json"]["status"] == "error"
    assert "truncated" in by_student["truncated_json"]["reason"]
    assert by_student["infinite_loop"]["status"] == "timeout"
    assert by_student["infinite_loop"]["initialize_parameters_he"] == "0"
    assert by_student["renamed_function"]["status"] == "missing"
    assert all("\n" not in row["reason"] for row in rows)


def test_gradescope_results_follow_the_schema(corpus_reports):
    """Is the Gradescope results.json one test per exercise, passed/failed, scores adding up?"""
    result = corpus_reports["seed_inside_loop.ipynb"]
    results = report.gradescope_results(result)
    assert {"score", "execution_time", "output", "tests"} <= set(results)
    assert [test["name"] for test in results["tests"]] == [e["name"] for e in result["exercises"]]
    for test in results["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility"}
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] == "visible"
    assert results["score"] == sum(test["score"] for test in results["tests"])
    json.dumps(results)  # plain JSON, nothing numpy


def test_gradescope_output_says_what_could_not_be_graded(corpus_reports):
    """Does the top-level output of an unreadable notebook say why?"""
    results = report.gradescope_results(corpus_reports["png_named_ipynb.ipynb"])
    assert "PNG" in results["output"]
    assert all(test["status"] == "failed" for test in results["tests"])
