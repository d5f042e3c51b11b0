"""Grading submissions with the real `nbgrader autograde`, to compare it with this autograder.

Used by the benchmarks beside it (bench_grading.py, bench_nbgrader.py) and the agreement tests
(which import it as benchmarks.nbgrader_run), never by grading itself: it lives outside the
grader's package, where all import it without a path of their own. A temporary course is built
from the repository's source/ and nbgrader_config.py -- with autograding's execution set to
nbgrader's stock Execute unless asked for the course's sandboxed one; the submissions go to
submitted/<student>/initialization/Initialization.ipynb, and the scores per exercise are
read back from nbgrader's gradebook.
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import public_tests

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "initialization"
NOTEBOOK = "Initialization"
COURSE_FILES = ("nbgrader_config.py", "init_utils.py", "public_tests.py")
# The entry of the course's autograde_preprocessors that chooses how a submission is executed.
SANDBOXED = '"autograder.nbgrader.autograde.SandboxedAutograde",'
STOCK = '"nbgrader.preprocessors.Execute",'


def nbgrader(course, *arguments):
    """Run one nbgrader command in the course; returns the CompletedProcess."""
    env = dict(os.environ, HOME=str(course.parent / "home"))
    # nbgrader runs `alembic` from the PATH; it is installed beside this python.
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    # The course's preprocessors are this checkout's.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    Path(env["HOME"]).mkdir(exist_ok=True)
    command = [sys.executable, "-m", "nbgrader", *arguments]
    done = subprocess.run(command, cwd=course, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(arguments)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def make_course(base, execution="stock"):
    """A fresh course under base with the assignment generated; returns the course folder.

    execution -- "stock": autograde executes the notebook with nbgrader's Execute (the comparison
                 this module exists for); "sandboxed": the course's nbgrader_config.py as it is
    """
    course = Path(base) / "course"
    shutil.copytree(ROOT / "source", course / "source", symlinks=True)
    for name in COURSE_FILES:
        shutil.copy(ROOT / name, course / name)
    if execution == "stock":
        config = (course / "nbgrader_config.py").read_text()
        if config.count(SANDBOXED) != 1:
            raise RuntimeError("nbgrader_config.py no longer names the sandboxed autograde")
        (course / "nbgrader_config.py").write_text(config.replace(SANDBOXED, STOCK))
    elif execution != "sandboxed":
        raise ValueError(f"execution must be 'stock' or 'sandboxed', not {execution!r}")
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    return course


def submit(course, student, notebook_path):
    """Place a notebook as the student's submission (what `nbgrader collect` would leave)."""
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(notebook_path, folder / f"{NOTEBOOK}.ipynb")


def autograde(course, students=None):
    """`nbgrader autograde` of every submitted student (or the given ones); returns seconds."""
    started = time.perf_counter()
    selection = [f"--student={student}" for student in students] if students else []
    nbgrader(course, "autograde", ASSIGNMENT, "--create", *selection)
    return time.perf_counter() - started


def scores(course, student):
    """{function name: nbgrader's score of its test cell} for one autograded student."""
    from nbgrader.api import Gradebook

    found = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for scheme in public_tests.SCHEMES:
            name = public_tests.FUNCTION_NAMES[scheme]
            grade = gradebook.find_grade(f"{name}_tests", NOTEBOOK, ASSIGNMENT, student)
            found[name] = float(grade.score)
    return found
