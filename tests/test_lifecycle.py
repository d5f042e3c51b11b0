"""The whole nbgrader round trip of the assignment, with the real nbgrader, in a temporary course.

The commands are read out of docs/instructors.md ("A term, step by step") and run as written, one
line at a time with bash: the instructor's in the course folder, each student's section once per
student with the docs' placeholder student replaced, the answers written where the docs say the
student works. Four students: every answer right (18 points), the seed text's zeros bug (13: the
5 zeros points lost), the untouched release (0), and the untouched release with a public_tests.py
rigged to award full marks (0: autograding uses the instructor's copy).
"""

import csv
import re
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from support import SEED_ZEROS_BUG, SOLUTIONS, fill_answers, hidden_values
from support.nbgrader_course import (
    ASSIGNMENT,
    DOCS_STUDENT,
    INSTRUCTOR_DOCS,
    README_HEADING,
    ROOT,
    TERM_HEADING,
    Shell,
    bash_block,
    command_lines,
    copy_course,
    nbgrader_environment,
    term_sections,
)

from autograder import assignment, cases

NOTEBOOK = "Initialization"
SCHEMES = ("zeros", "random", "he")
FULL_MARKS = sum(assignment.exercise(scheme).max_points for scheme in SCHEMES)

STUDENTS = {
    "ada": SOLUTIONS,
    "seed": {**SOLUTIONS, "initialize_parameters_zeros": SEED_ZEROS_BUG},
    "idle": {},
    "rigger": {},
}
# Appended to the rigger's public_tests.py: a grade() that awards every point.
RIGGED_GRADE = """

def grade(scheme, function, hidden_cases):
    return {"zeros": 5.0, "random": 6.0, "he": 7.0}[scheme]
"""
EXPECTED_SCORES = {
    "ada": {scheme: assignment.exercise(scheme).max_points for scheme in SCHEMES},
    "seed": {
        "zeros": 0,
        "random": assignment.exercise("random").max_points,
        "he": assignment.exercise("he").max_points,
    },
    "idle": {scheme: 0 for scheme in SCHEMES},
    "rigger": {scheme: 0 for scheme in SCHEMES},
}
# Where the docs' student section says the student works on the notebook.
WORK_MARK = "works in"
# nbgrader's warning for a cell autograding restored from the gradebook.
CHANGED_CELL = re.compile(r"Attribute '(\w+)' for cell (\w+) has changed!")


def term_block():
    return bash_block(INSTRUCTOR_DOCS.read_text(), TERM_HEADING)


def work_as_student(student_id, answers, folder):
    """What a student does between fetch and submit: answer (and, for one, rig the tests)."""
    fetched = Path(folder) / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    fill_answers(fetched, answers)
    if student_id == "rigger":
        with (fetched.parent / "public_tests.py").open("a") as rigged:
            rigged.write(RIGGED_GRADE)


def play_section(shell, role, lines, outputs):
    """Run one section of the term: the instructor's once, a student's once per student."""
    students = STUDENTS.items() if role == "student" else [(None, None)]
    for student_id, answers in students:
        for line in lines:
            if role == "student":
                line = line.replace(DOCS_STUDENT, student_id)
            if line.startswith("#"):
                if WORK_MARK in line and student_id is not None:
                    work_as_student(student_id, answers, shell.cwd)
                continue
            done = shell.run(line)
            if done is not None:
                outputs.setdefault(" ".join(line.split()[:2]), []).append(done)


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    """A course after the docs' whole term: (course folder, exported grades.csv path, {command:
    [CompletedProcess]} of the commands run)."""
    base = tmp_path_factory.mktemp("lifecycle")
    course = copy_course(base / "course")
    (base / "home").mkdir()
    (base / "tmp").mkdir()  # mktemp -d makes the exchange and the students' folders here
    shell = Shell(course, nbgrader_environment(base / "home", TMPDIR=str(base / "tmp")))
    outputs = {}
    for role, lines in term_sections(term_block()):
        play_section(shell, role, lines, outputs)
    assert Path(shell.cwd) == course, "the term ends where it began, in the course folder"
    return course, course / "grades.csv", outputs


def test_readme_instructor_commands_are_the_docs_commands_in_order():
    """Are the README's instructor commands, setup aside, the docs' term commands in the same
    order (so that running either runs what the lifecycle test runs)?"""
    readme = command_lines(bash_block((ROOT / "README.md").read_text(), README_HEADING))
    setup = {"./course setup", 'export PATH="$PWD/.venv/bin:$PATH"'}
    docs = iter(command_lines(term_block()))
    missing = [command for command in readme if command not in setup and command not in docs]
    assert not missing, f"README commands not in docs/instructors.md's term, in order: {missing}"


@pytest.mark.slow
def test_every_student_was_collected(graded_course):
    """Did collect bring in one submission per student, sent through the exchange?"""
    course, *_ = graded_course
    for student_id in STUDENTS:
        assert (course / "submitted" / student_id / ASSIGNMENT / f"{NOTEBOOK}.ipynb").is_file()
    rigged = course / "submitted" / "rigger" / ASSIGNMENT / "public_tests.py"
    assert "def grade(scheme, function, hidden_cases):\n    return" in rigged.read_text()


@pytest.mark.slow
def test_exported_csv_has_the_expected_totals(graded_course):
    """Does the exported CSV give 18, 13, 0 and 0 out of 18?"""
    _, grades, _ = graded_course
    with grades.open(newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert sorted(rows) == sorted(STUDENTS)
    for student_id, row in rows.items():
        assert row["assignment"] == ASSIGNMENT
        assert float(row["max_score"]) == FULL_MARKS
        expected = sum(EXPECTED_SCORES[student_id].values())
        assert float(row["score"]) == expected, f"{student_id}: {row['score']} != {expected}"


@pytest.mark.slow
def test_gradebook_has_the_expected_cell_scores(graded_course):
    """Does the gradebook score each grade cell as the public and hidden cases say?"""
    course, *_ = graded_course
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        assert gradebook.find_assignment(ASSIGNMENT).max_score == FULL_MARKS
        for student_id, expected in EXPECTED_SCORES.items():
            for scheme, points in expected.items():
                grade = gradebook.find_grade(
                    f"initialize_parameters_{scheme}_tests", NOTEBOOK, ASSIGNMENT, student_id
                )
                assert grade.max_score == assignment.exercise(scheme).max_points
                assert grade.score == points, f"{student_id} {scheme}: {grade.score} != {points}"
            submission = gradebook.find_submission(ASSIGNMENT, student_id)
            assert submission.score == sum(expected.values())


@pytest.mark.slow
def test_hidden_tests_ran_during_autograding(graded_course):
    """Did autograding run the hidden cases, which the students never saw?"""
    course, *_ = graded_course
    autograded = course / "autograded" / "ada" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    text = autograded.read_text()
    for scheme in SCHEMES:
        for layers_dims in cases.HIDDEN_LAYERS[scheme]:
            assert f"PASS hidden case layers_dims={layers_dims}" in text


@pytest.mark.slow
def test_feedback_html_exists_for_every_student(graded_course):
    """Is there a feedback page per student, showing the score?"""
    course, *_ = graded_course
    for student_id in STUDENTS:
        page = course / "feedback" / student_id / ASSIGNMENT / f"{NOTEBOOK}.html"
        assert page.is_file(), f"no feedback for {student_id}"
        assert "initialize_parameters_he_tests" in page.read_text()


@pytest.mark.slow
def test_feedback_never_shows_the_hidden_tests(graded_course):
    """Does every feedback page keep the hidden cases' PASS/FAIL lines but drop the hidden
    blocks, so that no hidden layer sizes' expected values reach the students?"""
    course, *_ = graded_course
    for student_id in STUDENTS:
        page = (course / "feedback" / student_id / ASSIGNMENT / f"{NOTEBOOK}.html").read_text()
        assert "BEGIN HIDDEN TESTS" not in page and "hidden_case(" not in page, student_id
        assert not hidden_values.leaked_forms(page), student_id
    ada = (course / "feedback" / "ada" / ASSIGNMENT / f"{NOTEBOOK}.html").read_text()
    assert "PASS hidden case layers_dims=" in ada


@pytest.mark.slow
def test_autograding_warns_only_of_the_restored_test_cells(graded_course):
    """Are autograde's changed-cell warnings one per test cell and student, the checksum -- nbgrader
    putting the hidden blocks back, as the docs explain -- and none for any other cell?"""
    *_, outputs = graded_course
    (autograde,) = outputs["nbgrader autograde"]
    warnings = CHANGED_CELL.findall(autograde.stdout + autograde.stderr)
    expected = [("checksum", f"initialize_parameters_{scheme}_tests") for scheme in SCHEMES]
    assert sorted(warnings) == sorted(expected * len(STUDENTS))
