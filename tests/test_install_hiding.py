"""Does an installed grader stay out of student code's reach, however it is started?

Installed with `pip install .`, the grader's package (its hidden cases, its reference answers)
lies in site-packages, which every namespace sandbox binds. Every copy the distribution
installed must be hidden there -- also when the grader that runs is another copy (Gradescope
runs the zip's own from its folder) and when the install is reached through a symbolic link.
"""

import json
import os
import shutil

import pytest
import support
import test_install
from test_install import READS_THE_INSTALLED_CASES, run

from autograder.sandbox import launch as sandbox_launch

# Building a virtual environment and installing into it takes seconds.
pytestmark = pytest.mark.slow

LEVELS = ("bubblewrap", "unshare")
# The fresh `pip install .` venv of test_install (built again for this module).
installed = test_install.installed
# What of the project a grader run from its own folder needs there (as Gradescope's zip has).
GRADER_FILES = ("autograder", "public_tests.py", "init_utils.py")


def graded_he(python, notebook, level, cwd):
    """The He exercise of `python -m autograder grade notebook` at level, run in cwd."""
    if sandbox_launch.unavailable(level):
        pytest.skip(sandbox_launch.unavailable(level))
    command = [python, "-m", "autograder", "grade", str(notebook), "--json", "--isolation", level]
    result = run(command, cwd=cwd, timeout=300)
    assert "LEAKED" not in result.stdout, result.stdout
    report = json.loads(result.stdout)
    assert report["isolation"] == level, report
    return next(e for e in report["exercises"] if e["name"] == "initialize_parameters_he")


def attacking_notebook(folder):
    answer = READS_THE_INSTALLED_CASES + support.SOLUTIONS["initialize_parameters_he"]
    return support.write_answers(folder, {"initialize_parameters_he": answer})


@pytest.mark.parametrize("level", LEVELS)
def test_the_installed_copy_is_hidden_when_another_copy_grades(installed, tmp_path, level):
    """Run from a folder holding its own copy of the grader (as Gradescope's run_autograder
    is), can student code read the copy installed in the venv's site-packages?"""
    grader = tmp_path / "grader"
    grader.mkdir()
    for name in GRADER_FILES:
        source = support.ROOT / name
        if source.is_dir():
            shutil.copytree(source, grader / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (grader / name).write_bytes(source.read_bytes())
    notebook = attacking_notebook(tmp_path / "submission")
    he = graded_he(installed / "bin" / "python", notebook, level, cwd=grader)
    assert he["score"] == he["max_score"], he


@pytest.mark.parametrize("level", LEVELS)
def test_the_installed_copy_is_hidden_when_reached_through_a_link(installed, tmp_path, level):
    """Started through a symbolic link to the venv, can student code read the package at the
    link's path (both the link and where it leads are bound)?"""
    linked = tmp_path / "linked-venv"
    os.symlink(installed, linked)
    notebook = attacking_notebook(tmp_path / "submission")
    he = graded_he(linked / "bin" / "python", notebook, level, cwd=tmp_path)
    assert he["score"] == he["max_score"], he
