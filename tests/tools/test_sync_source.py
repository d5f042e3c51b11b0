"""Tests of tools/sync_source.py on copies of the source notebook."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import public_tests
from autograder import assignment, cases, misconceptions
from tools import sync_source

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def notebook(tmp_path):
    """A copy of the committed source notebook."""
    path = tmp_path / "Initialization.ipynb"
    shutil.copy(sync_source.SOURCE_NOTEBOOK, path)
    return path


def grade_cell(path, scheme):
    notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    return sync_source.grade_cells(notebook)[sync_source.test_cell_id(scheme)]


def edit_grade_cell(path, scheme, edit):
    notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    edit(sync_source.grade_cells(notebook)[sync_source.test_cell_id(scheme)])
    nbformat.write(notebook, path)


def test_committed_source_notebook_is_in_sync():
    """Does the committed source notebook hold exactly the hidden tests of autograder/cases.py?"""
    assert sync_source.main(["--check"]) == 0


@pytest.mark.parametrize("scheme", ["zeros", "random", "he"])
def test_stale_hidden_block_is_detected_and_fixed(notebook, scheme, capsys):
    """Is a stale hidden block caught by --check, and does a sync restore the rendered one?"""

    def make_stale(cell):
        cell.source = cell.source.replace("hidden_case(", "hidden_case_old(", 1)

    edit_grade_cell(notebook, scheme, make_stale)
    assert sync_source.main(["--notebook", str(notebook), "--check"]) == 1
    message = capsys.readouterr().err.strip()
    assert "out of date" in message and "\n" not in message

    assert sync_source.main(["--notebook", str(notebook)]) == 0
    source = grade_cell(notebook, scheme).source
    assert source.endswith(cases.render_hidden_tests(scheme))
    assert source.startswith(f"initialize_parameters_{scheme}_test(initialize_parameters_{scheme})")
    assert sync_source.main(["--notebook", str(notebook), "--check"]) == 0


def test_stale_points_are_fixed(notebook):
    """Are a grade cell's points reset to the exercise's max_points?"""

    def set_points(cell):
        cell.metadata["nbgrader"]["points"] = 1

    edit_grade_cell(notebook, "he", set_points)
    assert sync_source.main(["--notebook", str(notebook), "--check"]) == 1
    sync_source.main(["--notebook", str(notebook)])
    assert (
        grade_cell(notebook, "he").metadata["nbgrader"]["points"]
        == assignment.exercise("he").max_points
    )


def test_missing_hidden_block_is_appended(notebook):
    """Does a grade cell that lost its hidden block get it back after the visible call?"""

    def drop_hidden(cell):
        cell.source = cell.source.split(sync_source.BEGIN)[0]

    edit_grade_cell(notebook, "zeros", drop_hidden)
    sync_source.main(["--notebook", str(notebook)])
    assert grade_cell(notebook, "zeros").source == (
        "initialize_parameters_zeros_test(initialize_parameters_zeros)\n"
        + cases.render_hidden_tests("zeros")
    )


def test_sync_is_idempotent_and_clears_outputs(notebook):
    """Does a second sync change nothing, and are outputs and execution counts dropped?"""

    def add_output(cell):
        cell.execution_count = 3
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="All tests passed.\n")]

    edit_grade_cell(notebook, "random", add_output)
    sync_source.main(["--notebook", str(notebook)])
    first = notebook.read_bytes()
    sync_source.main(["--notebook", str(notebook)])
    assert notebook.read_bytes() == first
    cell = grade_cell(notebook, "random")
    assert cell.outputs == [] and cell.execution_count is None


def test_missing_grade_cell_is_a_one_line_error(notebook, capsys):
    """Is a notebook without a grade cell refused with one line, and left untouched?"""

    def rename(cell):
        cell.metadata["nbgrader"]["grade_id"] = "renamed"

    edit_grade_cell(notebook, "he", rename)
    before = notebook.read_bytes()
    assert sync_source.main(["--notebook", str(notebook)]) == 2
    message = capsys.readouterr().err.strip()
    assert "initialize_parameters_he_tests" in message and "\n" not in message
    assert notebook.read_bytes() == before


def test_runs_as_a_script_from_any_folder(tmp_path):
    """Does `python tools/sync_source.py --check`, as documented, find the grader and the
    source notebook from another folder, and say the committed notebook is up to date?"""
    # As a user runs it: the installed project, no PYTHONPATH.
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "sync_source.py"), "--check"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stdout


@pytest.fixture
def mistakes(tmp_path):
    """A copy of the committed public_mistakes.json."""
    path = tmp_path / public_tests.MISTAKES_FILE
    shutil.copy(sync_source.MISTAKES, path)
    return path


def test_committed_mistakes_file_is_the_catalogue():
    """Is the committed public_mistakes.json what autograder/misconceptions.py renders?"""
    text = sync_source.MISTAKES.read_text(encoding="utf-8")
    assert text == misconceptions.render_public_mistakes()


@pytest.mark.parametrize("edit", ["a cause", "an output", "the file is gone"])
def test_stale_mistakes_file_is_detected_and_fixed(notebook, mistakes, edit, capsys):
    """Is a mistakes file whose words or outputs differ from the catalogue (or that is missing)
    caught by --check with one line, and rewritten by a sync?"""
    text = mistakes.read_text(encoding="utf-8")
    if edit == "a cause":
        mistakes.write_text(text.replace("Xavier's", "Glorot's", 1), encoding="utf-8")
    elif edit == "an output":
        mistakes.write_text(text.replace("17.886284734303185", "17.886", 1), encoding="utf-8")
    else:
        mistakes.unlink()
    arguments = ["--notebook", str(notebook), "--mistakes", str(mistakes)]
    assert sync_source.main([*arguments, "--check"]) == 1
    message = capsys.readouterr().err.strip()
    assert "out of date with autograder/misconceptions.py" in message and "\n" not in message
    assert sync_source.main(arguments) == 0
    assert mistakes.read_text(encoding="utf-8") == text
    assert sync_source.main([*arguments, "--check"]) == 0
