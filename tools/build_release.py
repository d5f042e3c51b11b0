"""Regenerate release/initialization/ from source/initialization/ with nbgrader.

    .venv/bin/python tools/build_release.py

Runs the real `nbgrader generate_assignment initialization --force` in the course folder, then
strips the released notebook with nbstripout. The gradebook nbgrader needs while generating is
a throwaway file in a temporary folder, so no gradebook.db appears in the repository. Refuses to
run when the source notebook's hidden tests are out of date with autograder/cases.py, or
public_mistakes.json with autograder/misconceptions.py.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder.assignment import NAME, NOTEBOOK_FILE
from public_tests import MISTAKES_FILE

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, beside this one: imported, it would need tools/ on the path of both this
# script and the tests that import this module as tools.build_release.
SYNC_SOURCE = Path(__file__).resolve().parent / "sync_source.py"
# As `./course` strips the committed notebooks (NBSTRIPOUT_OPTIONS there): cell ids kept.
NBSTRIPOUT_OPTIONS = ("--keep-id",)


def nbgrader_environment():
    """The environment for nbgrader: it runs `alembic` from the PATH, which lives beside python.

    The one place of this workaround: the tests' nbgrader helper builds on it.
    """
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def generate_assignment(course_root, gradebook):
    """Run nbgrader generate_assignment in course_root; raises CalledProcessError on failure."""
    command = [
        sys.executable,
        "-m",
        "nbgrader",
        "generate_assignment",
        NAME,
        "--force",
        f"--CourseDirectory.db_url=sqlite:///{gradebook}",
    ]
    return subprocess.run(
        command,
        cwd=course_root,
        env=nbgrader_environment(),
        capture_output=True,
        text=True,
        check=True,
    )


def build_release(course_root=ROOT):
    """Write course_root/release/initialization/ and return its notebook's path."""
    with tempfile.TemporaryDirectory() as scratch:
        generate_assignment(Path(course_root), Path(scratch) / "gradebook.db")
    notebook = Path(course_root) / "release" / NAME / NOTEBOOK_FILE
    strip(notebook)
    return notebook


def strip(notebook):
    """Strip outputs and run state from the notebook file in place, as git's filter does."""
    command = [sys.executable, "-m", "nbstripout", *NBSTRIPOUT_OPTIONS, str(notebook)]
    subprocess.run(command, capture_output=True, text=True, check=True)


def source_in_sync(source, mistakes):
    """Are the source notebook's hidden tests those of autograder/cases.py, and the mistakes
    file the catalogue of autograder/misconceptions.py? (It says why not.)"""
    command = [sys.executable, str(SYNC_SOURCE), "--check", "--notebook", str(source)]
    command += ["--mistakes", str(mistakes)]
    return subprocess.run(command, stdout=subprocess.DEVNULL).returncode == 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--course-root", type=Path, default=ROOT, help="default: this repository")
    args = parser.parse_args(argv)
    source = args.course_root / "source" / NAME / NOTEBOOK_FILE
    if not source_in_sync(source, args.course_root / MISTAKES_FILE):
        return 1
    try:
        notebook = build_release(args.course_root)
    except subprocess.CalledProcessError as error:
        print(error.stdout + error.stderr, file=sys.stderr)
        print("nbgrader generate_assignment failed (output above)", file=sys.stderr)
        return 1
    print(f"wrote {notebook.parent}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
