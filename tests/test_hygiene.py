"""Are committed notebooks clean, and does tools/clean_notebooks.py make them so?"""

import shutil

import nbformat
import pytest

from tools import clean_notebooks


def test_every_committed_notebook_is_clean(request, capsys):
    """Is every notebook tracked by git free of outputs, execution counts and run state?"""
    paths = clean_notebooks.committed_notebooks(request.config.rootpath)
    assert paths, "git lists no notebooks"
    problems = clean_notebooks.check(paths)
    assert problems == 0, (
        f"run `.venv/bin/python tools/clean_notebooks.py`:\n{capsys.readouterr().out}"
    )


def test_broken_notebook_is_reported_in_one_line(tmp_path, capsys):
    """Is a notebook that is not valid JSON reported (one line, exit 1) rather than crashed on?"""
    path = tmp_path / "Broken.ipynb"
    path.write_text('{"cells": [')
    assert clean_notebooks.main(["--check", str(path)]) == 1
    assert clean_notebooks.main([str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(line.startswith(f"unreadable: {path}") for line in lines)
    assert path.read_text() == '{"cells": ['


def test_broken_test_inputs_are_skipped():
    """Are the deliberately broken notebooks under tests/files/ left out of the check?"""
    path = clean_notebooks.TEST_INPUTS / "hygiene_probe_does_not_exist.ipynb"
    assert clean_notebooks.is_test_input(path)
    assert clean_notebooks.check([path]) == 0


@pytest.fixture
def dirty_notebook(tmp_path, request):
    """A copy of the source notebook as Jupyter leaves it after a run."""
    path = tmp_path / "Dirty.ipynb"
    shutil.copy(request.config.rootpath / "source/initialization/Initialization.ipynb", path)
    notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    code_cell = next(cell for cell in notebook.cells if cell.cell_type == "code")
    code_cell.execution_count = 4
    code_cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hello\n")]
    code_cell.metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00.000000Z"}
    code_cell.metadata["scrolled"] = True
    nbformat.write(notebook, path)
    return path


def test_check_lists_a_dirty_notebook_and_changes_nothing(dirty_notebook, capsys):
    """Does --check exit 1, name the dirty notebook, and leave it as it was?"""
    before = dirty_notebook.read_bytes()
    assert clean_notebooks.main(["--check", str(dirty_notebook)]) == 1
    assert str(dirty_notebook) in capsys.readouterr().out
    assert dirty_notebook.read_bytes() == before


def test_clean_strips_run_state_and_keeps_the_rest(dirty_notebook, request):
    """Does cleaning remove outputs, counts, widgets and timing, and keep nbgrader metadata?"""
    assert clean_notebooks.main([str(dirty_notebook)]) == 0
    assert clean_notebooks.main(["--check", str(dirty_notebook)]) == 0
    cleaned = nbformat.read(dirty_notebook, as_version=nbformat.NO_CONVERT)
    original = nbformat.read(
        request.config.rootpath / "source/initialization/Initialization.ipynb",
        as_version=nbformat.NO_CONVERT,
    )
    assert cleaned == original


def test_cleaning_a_clean_notebook_changes_no_byte(tmp_path, request):
    """Is a clean notebook left byte-for-byte as it is?"""
    path = tmp_path / "Clean.ipynb"
    shutil.copy(request.config.rootpath / "release/initialization/Initialization.ipynb", path)
    before = path.read_bytes()
    assert clean_notebooks.main([str(path)]) == 0
    assert path.read_bytes() == before
