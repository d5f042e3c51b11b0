"""Are reports written correctly: table, JSON (golden files), CSV rows, Gradescope results?"""

import csv
import dataclasses
import json

import pytest
from support.corpus import GOLDEN, without_volatile
from support.hostile_names import HOSTILE_TEXTS
from support.output_fuzzing import unsafe_characters

from autograder import assignment, report
from autograder.batch_output import csv_text
from autograder.data import ExerciseResult, Report, Status
from autograder.safe_text import shown

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
    stable = without_volatile(report.report_data(result))
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
    assert "seconds" not in without_volatile({"score": 1.0, "seconds": 0.3})


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
    rows = [report.csv_row(student, f"{student}.ipynb", result) for student, result in graded]
    path.write_text(csv_text(rows), encoding="utf-8", newline="")
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == report.CSV_COLUMNS
    assert [row["student_id"] for row in rows] == [student for student, _ in graded]
    by_student = {row["student_id"]: row for row in rows}
    assert by_student["correct_loop"]["status"] == "graded"
    assert by_student["correct_loop"]["score"] == "18"
    assert by_student["correct_loop"]["submission"] == "correct_loop.ipynb"
    assert by_student["truncated_json"]["status"] == "error"
    assert "truncated" in by_student["truncated_json"]["reason"]
    assert by_student["infinite_loop"]["status"] == "timeout"
    assert by_student["infinite_loop"]["initialize_parameters_he"] == "0"
    assert by_student["renamed_function"]["status"] == "missing"
    assert all("\n" not in row["reason"] for row in rows)


def one_line(text):
    """Student text as the judge quotes it in feedback: on one line (one_line_error)."""
    return text.replace("\n", " ")


def hostile_report(text):
    """A report with `text` wherever student text or a file name can reach."""
    quoted = one_line(text)
    exercises = tuple(
        ExerciseResult(
            name=name,
            score=0.0,
            max_score=5.0,
            status=Status.ERROR,
            feedback=f"{name} could not be graded: ValueError: {quoted} while running cells"
            f"\n- In {name}([2, 1]), a key {quoted} is unexpected",
            # The first exercise's flag carries the text (a report's flags are its exercises').
            flags=(f"hardcoded:{text}",) if name == assignment.FUNCTIONS[0] else (),
        )
        for name in assignment.FUNCTIONS
    )
    return Report(
        notebook=f"submitted/{text}/Initialization.ipynb",
        score=0.0,
        max_score=15.0,
        isolation="none",
        exercises=exercises,
        job_seconds=0.2,
        reason="",
        limits={f"memory{text}": f"1 GiB{text}"},
    )


def strings_in(data):
    """Every key and string of decoded JSON, one per line."""
    if isinstance(data, dict):
        return "\n".join(f"{key}\n{strings_in(value)}" for key, value in data.items())
    if isinstance(data, list):
        return "\n".join(strings_in(value) for value in data)
    return data if isinstance(data, str) else ""


def writers(text):
    """{output: the text written for a hostile report} for every writer of report.py."""
    result = hostile_report(text)
    row = report.csv_row(text, f"{text}.ipynb", result)
    return {
        "table": report.table(result),
        "json": report.to_json(result),
        "csv": csv_text([row]),
        "gradescope": json.dumps(report.gradescope_results(result), ensure_ascii=False),
    }


@pytest.mark.parametrize("attack", sorted(HOSTILE_TEXTS))
def test_every_writer_shows_student_text_escaped(attack):
    """Do the table, JSON, CSV and Gradescope output hold the attack only escaped, as UTF-8?"""
    text = HOSTILE_TEXTS[attack]
    for output, written in writers(text).items():
        written.encode("utf-8")  # raises on a lone surrogate
        assert unsafe_characters(written, allowed="\r\n") == [], output
        readable = written if output in ("table", "csv") else strings_in(json.loads(written))
        assert shown(one_line(text)) in readable, output  # escaped, not dropped
    table = writers(text)["table"]
    # Line breaks are our own: the same number of lines whatever the text holds.
    assert table.count("\n") == writers("plain")["table"].count("\n")


def test_a_formula_is_text_in_a_spreadsheet():
    """Does a label or reason starting with =, +, -, @ get a quote, one-to-one?"""
    cells = [
        report.csv_row(label, label, hostile_report("x"))["student_id"]
        for label in ("=1+2", "@SUM(A1)", "-2", "+3", "'=1+2", "ana")
    ]
    assert cells == ["'=1+2", "'@SUM(A1)", "'-2", "'+3", "''=1+2", "ana"]


def test_flags_are_a_column_and_limits_stay_in_the_json():
    """Are integrity flags in the CSV's flags column and the sandbox's limits in the JSON?"""
    result = hostile_report("x")
    he = dataclasses.replace(result.exercises[2], flags=("hardcoded:initialize_parameters_he",))
    result = dataclasses.replace(result, exercises=(*result.exercises[:2], he))
    row = report.csv_row("ana", "ana.ipynb", result)
    assert row["flags"] == "hardcoded:x;hardcoded:initialize_parameters_he"
    assert json.loads(report.to_json(result))["limits"] == {"memoryx": "1 GiBx"}


def test_gradescope_results_follow_the_schema(corpus_reports):
    """Is the Gradescope results.json one test per exercise, passed/failed, scores adding up?"""
    result = corpus_reports["seed_inside_loop.ipynb"]
    results = report.gradescope_results(result)
    assert {"score", "execution_time", "output", "tests"} <= set(results)
    assert [test["name"] for test in results["tests"]] == [e.name for e in result.exercises]
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
