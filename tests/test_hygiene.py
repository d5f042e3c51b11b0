"""Are committed notebooks stripped, and does nbstripout, as the course runs it, strip them?"""

import shutil
import subprocess
import sys

import nbformat
import pytest

from tools.build_release import NBSTRIPOUT_OPTIONS

COURSE_NOTEBOOKS = {
    "source/initialization/Initialization.ipynb",
    "release/initialization/Initialization.ipynb",
    "notebooks/01_why_the_scale_matters.ipynb",
}


def nbstripout(*arguments, cwd=None):
    """Run nbstripout with the course's options; returns the finished process."""
    command = [sys.executable, "-m", "nbstripout", *NBSTRIPOUT_OPTIONS, *map(str, arguments)]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


def stripped_notebooks(root):
    """The committed notebooks that .gitattributes sends through nbstripout (as ./course does)."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--", "*.ipynb"], cwd=root, capture_output=True, check=True
    )
    attributes = subprocess.run(
        ["git", "check-attr", "-z", "--stdin", "filter"],
        cwd=root,
        input=listing.stdout,
        capture_output=True,
        check=True,
    )
    # NUL-separated triples: path, attribute, value; then one empty field.
    fields = attributes.stdout.decode().split("\0")[:-1]
    triples = [fields[index : index + 3] for index in range(0, len(fields), 3)]
    return [path for path, _, value in triples if value == "nbstripout"]


def test_every_committed_notebook_is_stripped(root):
    """Is every course notebook tracked by git free of outputs, execution counts and run state?"""
    paths = stripped_notebooks(root)
    assert set(paths) >= COURSE_NOTEBOOKS, paths
    verified = nbstripout("--verify", *paths, cwd=root)
    assert verified.returncode == 0, f"strip them with nbstripout:\n{verified.stdout}"


def test_test_inputs_are_left_out_of_the_filter_and_the_check(root):
    """Are the autograder's test inputs (some broken on purpose) stored byte for byte?"""
    paths = stripped_notebooks(root)
    assert not [path for path in paths if path.startswith("tests/files/")]
    assert (root / "tests/files/submissions/truncated_json.ipynb").exists()


def test_broken_notebook_is_reported_in_one_line(tmp_path):
    """Is a notebook that is not valid JSON reported (one line, exit 1) and left as it was?"""
    path = tmp_path / "Broken.ipynb"
    path.write_text('{"cells": [')
    for arguments in (["--verify", path], [path]):
        result = nbstripout(*arguments)
        assert result.returncode == 1
        assert result.stderr.strip().splitlines() == [f"No valid notebook detected in '{path}'"]
    assert path.read_text() == '{"cells": ['


@pytest.fixture
def dirty_notebook(tmp_path, root):
    """A copy of the source notebook as Jupyter leaves it after a run."""
    path = tmp_path / "Dirty.ipynb"
    shutil.copy(root / "source/initialization/Initialization.ipynb", path)
    notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    code_cell = next(cell for cell in notebook.cells if cell.cell_type == "code")
    code_cell.execution_count = 4
    code_cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hello\n")]
    code_cell.metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00.000000Z"}
    code_cell.metadata["ExecuteTime"] = {"end_time": "2026-01-01T00:00:00.000000Z"}
    code_cell.metadata["scrolled"] = True
    nbformat.write(notebook, path)
    return path


def test_verify_names_a_dirty_notebook_and_changes_nothing(dirty_notebook):
    """Does the check exit 1, name the dirty notebook, and leave it as it was?"""
    before = dirty_notebook.read_bytes()
    result = nbstripout("--verify", dirty_notebook)
    assert result.returncode == 1
    assert str(dirty_notebook) in result.stdout
    assert dirty_notebook.read_bytes() == before


def test_stripping_removes_run_state_and_keeps_the_rest(dirty_notebook, root):
    """Does stripping remove outputs, counts, widgets and timing, and keep the cell ids and
    nbgrader metadata -- the source notebook exactly?"""
    assert nbstripout(dirty_notebook).returncode == 0
    assert nbstripout("--verify", dirty_notebook).returncode == 0
    assert (
        dirty_notebook.read_bytes()
        == (root / "source/initialization/Initialization.ipynb").read_bytes()
    )


def test_stripping_a_clean_notebook_changes_no_byte(tmp_path, root):
    """Is a clean notebook left byte-for-byte as it is?"""
    path = tmp_path / "Clean.ipynb"
    shutil.copy(root / "release/initialization/Initialization.ipynb", path)
    before = path.read_bytes()
    assert nbstripout(path).returncode == 0
    assert path.read_bytes() == before
