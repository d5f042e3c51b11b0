"""A copy of the course in a temporary folder, and the real nbgrader run on it.

Used by the lifecycle, Validate, feedback and agreement tests and by the grading benchmark
(`python -m benchmarks.bench_grading`), never by grading itself. nbgrader runs as a subprocess,
the way an instructor or a student runs it, with this checkout's `autograder` first on its path
(the course's nbgrader_config.py loads preprocessors from it).

    course = make_course(tmp_path)                       # source/ copied, the release generated
    submit(course, "alice", notebook)                    # as `nbgrader collect` leaves it
    seconds = autograde(course)                          # `nbgrader autograde`, timed
    scores(course, "alice")                              # {function name: score} from the gradebook
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from autograder import assignment
from tools.build_release import nbgrader_environment as tool_environment

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = assignment.NAME
COURSE_ID = "initialization-course"
NOTEBOOK = assignment.NOTEBOOK
# What a course folder holds besides source/: the files nbgrader_config.py and source/ use.
COURSE_FILES = ("nbgrader_config.py", "init_utils.py", "public_tests.py", "public_mistakes.json")
# The entry of the course's autograde_preprocessors that chooses how a submission is executed.
SANDBOXED = '"autograder.nbgrader.autograde.SandboxedAutograde",'
STOCK = '"nbgrader.preprocessors.Execute",'


def copy_course(dest):
    """A course folder at dest: source/ (its symlinks kept) and the top-level course files."""
    dest = Path(dest)
    shutil.copytree(ROOT / "source", dest / "source", symlinks=True)
    for name in COURSE_FILES:
        shutil.copy(ROOT / name, dest / name)
    return dest


def nbgrader_environment(home, **variables):
    """The environment nbgrader runs in: its own HOME, and the release tool's environment.

    PYTHONPATH names this checkout, so the preprocessors nbgrader_config.py names are this
    checkout's.
    """
    env = dict(tool_environment(), HOME=str(home), **variables)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def run_nbgrader(arguments, cwd, home, **variables):
    """`python -m nbgrader <arguments>` in cwd; returns the CompletedProcess (never raises)."""
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *arguments],
        cwd=cwd,
        env=nbgrader_environment(home, **variables),
        capture_output=True,
        text=True,
    )


def validate(notebook, folder):
    """`nbgrader validate` on a copy of notebook, released beside the student files.

    folder -- an empty scratch folder; the notebook is copied in as Initialization.ipynb next to
    release/initialization's public_tests.py, init_utils.py and public_mistakes.json, as a
    student has them.
    Returns nbgrader's output (stdout and stderr together).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for path in (ROOT / "release" / ASSIGNMENT).iterdir():
        if path.is_file() and path.name != assignment.NOTEBOOK_FILE:
            shutil.copy(path, folder / path.name)
    shutil.copy(notebook, folder / assignment.NOTEBOOK_FILE)
    done = run_nbgrader(["validate", assignment.NOTEBOOK_FILE], cwd=folder, home=folder)
    return done.stdout + done.stderr


# --------------------------------------------------------------------------
# Autograding with nbgrader, to compare it with this autograder.
# --------------------------------------------------------------------------


def nbgrader(course, *arguments):
    """Run one nbgrader command in course (HOME beside it); raises RuntimeError on failure."""
    home = course.parent / "home"
    home.mkdir(exist_ok=True)
    done = run_nbgrader(arguments, cwd=course, home=home)
    if done.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(arguments)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def make_course(base, execution="stock"):
    """A fresh course under base with the assignment generated; returns the course folder.

    execution -- "stock": autograde executes the notebook with nbgrader's Execute (what the
                 comparisons with nbgrader need); "sandboxed": the course's nbgrader_config.py
                 as it is
    """
    course = copy_course(Path(base) / "course")
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
    shutil.copy(notebook_path, folder / assignment.NOTEBOOK_FILE)


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
        for exercise in assignment.EXERCISES:
            grade = gradebook.find_grade(exercise.test_cell, NOTEBOOK, ASSIGNMENT, student)
            found[exercise.function] = float(grade.score)
    return found


# --------------------------------------------------------------------------
# The instructor docs' commands, read out of the docs and run as written.
# --------------------------------------------------------------------------

INSTRUCTOR_DOCS = ROOT / "docs" / "instructors.md"
TERM_HEADING = "## A term, step by step"
README_HEADING = "## For instructors"
# The placeholder student of the docs' dry run.
DOCS_STUDENT = "alice"


def bash_block(markdown, heading):
    """The lines of the first ```bash block after `heading` in a markdown text."""
    after = markdown.split(f"\n{heading}\n", 1)[1]
    return after.split("```bash\n", 1)[1].split("\n```", 1)[0].splitlines()


def term_sections(lines):
    """The term block as [(role, lines)]: role 'instructor' or 'student', from the comment line
    that opens each section ('# Instructor...', '# Each student...')."""
    sections = []
    for line in lines:
        if line.startswith("# Instructor"):
            sections.append(("instructor", []))
        elif line.startswith("# Each student"):
            sections.append(("student", []))
        elif line.strip():
            sections[-1][1].append(line)
    return sections


def command_lines(lines):
    """The commands of a block, without comments (whole-line or trailing)."""
    commands = (line.split("  #")[0].strip() for line in lines if not line.startswith("#"))
    return [command for command in commands if command]


class Shell:
    """Runs a block's lines one at a time with bash, keeping the folder and exported variables
    from line to line as an interactive shell would."""

    def __init__(self, cwd, env):
        self.cwd, self.previous, self.env = str(cwd), str(cwd), dict(env)

    def bash(self, line):
        env = dict(self.env, OLDPWD=self.previous)
        done = subprocess.run(
            ["bash", "-ec", line], cwd=self.cwd, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, f"{line}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done

    def run(self, line):
        """Run one command line; returns its CompletedProcess (None for cd and export)."""
        if line.startswith("cd "):
            folder = self.bash(f"{line} >/dev/null && pwd").stdout.strip()
            self.previous, self.cwd = self.cwd, folder
        elif line.startswith("export "):
            name = line.split()[1].split("=")[0]
            self.env[name] = self.bash(f'{line} && printf %s "${name}"').stdout
        else:
            return self.bash(line)
        return None
