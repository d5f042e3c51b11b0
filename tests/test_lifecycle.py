"""The whole nbgrader round trip of the assignment, with the real nbgrader, in a temporary course.

Instructor: generate_assignment, release_assignment. Students (each with their own HOME and
folder): fetch_assignment, answer, submit. Instructor: collect, autograde, generate_feedback,
export. Four students: every answer right (18 points), the seed text's zeros bug (13: the
5 zeros points lost), the untouched release (0), and the untouched release with a public_tests.py
rigged to award full marks (0: autograding uses the instructor's copy).
"""

import csv
import os
import shutil
import subprocess
import sys

import hidden_values
import pytest
from nbgrader.api import Gradebook
from support import SEED_ZEROS_BUG, SOLUTIONS, fill_answers

from autograder import cases

pytestmark = pytest.mark.slow

ASSIGNMENT = "initialization"
COURSE_ID = "initialization-course"
NOTEBOOK = "Initialization"
SCHEMES = ("zeros", "random", "he")
FULL_MARKS = sum(cases.max_points(scheme) for scheme in SCHEMES)

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
    "ada": {scheme: cases.max_points(scheme) for scheme in SCHEMES},
    "seed": {"zeros": 0, "random": cases.max_points("random"), "he": cases.max_points("he")},
    "idle": {scheme: 0 for scheme in SCHEMES},
    "rigger": {scheme: 0 for scheme in SCHEMES},
}


class Nbgrader:
    """Runs nbgrader commands against one exchange, as the instructor or as a student."""

    def __init__(self, exchange, course):
        self.exchange = exchange
        self.course = course

    def run(self, *arguments, cwd, home):
        env = dict(os.environ, HOME=str(home))
        # nbgrader runs `alembic` from the PATH; it is installed beside this python.
        env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
        command = [
            sys.executable,
            "-m",
            "nbgrader",
            *arguments,
            f"--Exchange.root={self.exchange}",
            f"--CourseDirectory.course_id={COURSE_ID}",
        ]
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
        assert done.returncode == 0, (
            f"nbgrader {' '.join(arguments)} failed:\n{done.stdout}\n{done.stderr}"
        )
        return done

    def instructor(self, *arguments):
        return self.run(*arguments, cwd=self.course, home=self.course.parent / "instructor-home")

    def student(self, student_id, *arguments):
        home = self.course.parent / "students" / student_id
        home.mkdir(parents=True, exist_ok=True)
        return self.run(*arguments, cwd=home, home=home)


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory, request):
    """A course after the whole lifecycle: (course folder, exported grades.csv path)."""
    root = request.config.rootpath
    base = tmp_path_factory.mktemp("lifecycle")
    course, exchange = base / "course", base / "exchange"
    (base / "instructor-home").mkdir()
    exchange.mkdir()
    shutil.copytree(root / "source", course / "source", symlinks=True)
    for name in ("nbgrader_config.py", "init_utils.py", "public_tests.py"):
        shutil.copy(root / name, course / name)

    nbgrader = Nbgrader(exchange, course)
    nbgrader.instructor("generate_assignment", ASSIGNMENT)
    nbgrader.instructor("release_assignment", ASSIGNMENT)
    for student_id, answers in STUDENTS.items():
        nbgrader.student(student_id, "fetch_assignment", ASSIGNMENT)
        fetched = base / "students" / student_id / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
        fill_answers(fetched, answers)
        if student_id == "rigger":
            with (fetched.parent / "public_tests.py").open("a") as rigged:
                rigged.write(RIGGED_GRADE)
        nbgrader.student(
            student_id, "submit", ASSIGNMENT, f"--CourseDirectory.student_id={student_id}"
        )
    nbgrader.instructor("collect", ASSIGNMENT)
    nbgrader.instructor("autograde", ASSIGNMENT)
    nbgrader.instructor("generate_feedback", ASSIGNMENT)
    grades = course / "grades.csv"
    nbgrader.instructor("export", f"--to={grades}")
    return course, grades


def test_every_student_was_collected(graded_course):
    """Did collect bring in one submission per student, sent through the exchange?"""
    course, _ = graded_course
    for student_id in STUDENTS:
        assert (course / "submitted" / student_id / ASSIGNMENT / f"{NOTEBOOK}.ipynb").is_file()
    rigged = course / "submitted" / "rigger" / ASSIGNMENT / "public_tests.py"
    assert "def grade(scheme, function, hidden_cases):\n    return" in rigged.read_text()


def test_exported_csv_has_the_expected_totals(graded_course):
    """Does the exported CSV give 18, 13, 0 and 0 out of 18?"""
    _, grades = graded_course
    with grades.open(newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert sorted(rows) == sorted(STUDENTS)
    for student_id, row in rows.items():
        assert row["assignment"] == ASSIGNMENT
        assert float(row["max_score"]) == FULL_MARKS
        expected = sum(EXPECTED_SCORES[student_id].values())
        assert float(row["score"]) == expected, f"{student_id}: {row['score']} != {expected}"


def test_gradebook_has_the_expected_cell_scores(graded_course):
    """Does the gradebook score each grade cell as the public and hidden cases say?"""
    course, _ = graded_course
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        assert gradebook.find_assignment(ASSIGNMENT).max_score == FULL_MARKS
        for student_id, expected in EXPECTED_SCORES.items():
            for scheme, points in expected.items():
                grade = gradebook.find_grade(
                    f"initialize_parameters_{scheme}_tests", NOTEBOOK, ASSIGNMENT, student_id
                )
                assert grade.max_score == cases.max_points(scheme)
                assert grade.score == points, f"{student_id} {scheme}: {grade.score} != {points}"
            submission = gradebook.find_submission(ASSIGNMENT, student_id)
            assert submission.score == sum(expected.values())


def test_hidden_tests_ran_during_autograding(graded_course):
    """Did autograding run the hidden cases, which the students never saw?"""
    course, _ = graded_course
    autograded = course / "autograded" / "ada" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    text = autograded.read_text()
    for scheme in SCHEMES:
        for layers_dims in cases.HIDDEN_LAYERS[scheme]:
            assert f"PASS hidden case layers_dims={layers_dims}" in text


def test_feedback_html_exists_for_every_student(graded_course):
    """Is there a feedback page per student, showing the score?"""
    course, _ = graded_course
    for student_id in STUDENTS:
        page = course / "feedback" / student_id / ASSIGNMENT / f"{NOTEBOOK}.html"
        assert page.is_file(), f"no feedback for {student_id}"
        assert "initialize_parameters_he_tests" in page.read_text()


def test_feedback_never_shows_the_hidden_tests(graded_course):
    """Does every feedback page keep the hidden cases' PASS/FAIL lines but drop the hidden
    blocks, so that no hidden layer sizes' expected values reach the students?"""
    course, _ = graded_course
    for student_id in STUDENTS:
        page = (course / "feedback" / student_id / ASSIGNMENT / f"{NOTEBOOK}.html").read_text()
        assert "BEGIN HIDDEN TESTS" not in page and "hidden_case(" not in page, student_id
        assert not hidden_values.leaked_forms(page), student_id
    ada = (course / "feedback" / "ada" / ASSIGNMENT / f"{NOTEBOOK}.html").read_text()
    assert "PASS hidden case layers_dims=" in ada
