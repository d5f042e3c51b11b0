"""Is a submitted file read as a notebook safely, with one-line reasons for broken files?"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from autograder_corpus import SUBMISSIONS, corpus_expectations, unreadable_names

from autograder import notebook

UNREADABLE = unreadable_names()
ROOT = Path(__file__).resolve().parents[2]


def test_release_cells_keep_their_grade_ids(root):
    """Are the release's code cells read with their nbgrader grade_ids and text?"""
    cells = notebook.load_cells(root / "release/initialization/Initialization.ipynb")
    by_id = {cell.grade_id: cell for cell in cells if cell.grade_id}
    solution = by_id["initialize_parameters_he"]
    assert solution.kind == "code"
    assert "def initialize_parameters_he(layers_dims):" in solution.source
    assert "initialize_parameters_he_tests" in by_id


@pytest.mark.parametrize("name", UNREADABLE)
def test_broken_files_give_a_one_line_reason(name):
    """Does each broken file of the corpus raise NotebookError with a one-line reason?"""
    mention = corpus_expectations()[name]["exercises"]["initialize_parameters_zeros"]["mentions"][0]
    with pytest.raises(notebook.NotebookError) as raised:
        notebook.load_cells(SUBMISSIONS / name)
    reason = str(raised.value)
    assert "\n" not in reason
    assert mention.lower() in reason.lower()


def test_invalid_json_in_the_middle_is_not_called_truncated(tmp_path):
    """Is JSON broken in its middle reported with its position, not as a cut-off file?"""
    path = tmp_path / "bad.ipynb"
    path.write_text('{"cells": [1, 2,, 3], "nbformat": 4}')
    with pytest.raises(notebook.NotebookError, match="invalid JSON at line 1"):
        notebook.load_cells(path)


def test_source_as_a_list_of_lines(tmp_path):
    """Is a cell source stored as a list of lines joined back into one text?"""
    document = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [{"cell_type": "code", "metadata": {}, "source": ["a = 1\n", "b = 2"]}],
    }
    path = tmp_path / "lines.ipynb"
    path.write_text(json.dumps(document))
    assert notebook.load_cells(path)[0].source == "a = 1\nb = 2"


def test_cell_source_of_the_wrong_type(tmp_path):
    """Is a cell whose source is a number refused with a reason, not a crash?"""
    document = {"nbformat": 4, "metadata": {}, "cells": [{"cell_type": "code", "source": 7}]}
    path = tmp_path / "odd.ipynb"
    path.write_text(json.dumps(document))
    with pytest.raises(notebook.NotebookError, match="source"):
        notebook.load_cells(path)


def test_oversized_file_is_refused_before_reading(tmp_path, monkeypatch):
    """Is a file larger than the limit refused by its size?"""
    path = tmp_path / "big.ipynb"
    path.write_text("{" + " " * 100 + "}")
    monkeypatch.setattr(notebook, "MAX_NOTEBOOK_BYTES", 50)
    with pytest.raises(notebook.NotebookError, match="too large"):
        notebook.load_cells(path)


def test_a_folder_is_not_readable(tmp_path):
    """Is a folder named like a notebook refused as not a regular file?"""
    (tmp_path / "folder.ipynb").mkdir()
    with pytest.raises(notebook.NotebookError, match="not a regular file: .* is a folder"):
        notebook.load_cells(tmp_path / "folder.ipynb")


def test_a_missing_file_is_not_readable(tmp_path):
    """Does a path that cannot be read give a reason instead of an OSError?"""
    with pytest.raises(notebook.NotebookError, match="cannot read"):
        notebook.load_cells(tmp_path / "gone.ipynb")


def test_a_link_to_a_device_or_a_pipe_is_refused_without_reading(tmp_path):
    """Is a .ipynb linking to /dev/zero or a named pipe refused instead of read forever?"""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    script = (
        "import os, sys\n"
        "from autograder import notebook\n"
        "folder, targets = sys.argv[1], sys.argv[2:]\n"
        "for index, target in enumerate(targets):\n"
        "    link = os.path.join(folder, f'{index}.ipynb')\n"
        "    os.symlink(target, link)\n"
        "    try:\n"
        "        notebook.load_cells(link)\n"
        "    except notebook.NotebookError as error:\n"
        "        assert 'regular file' in str(error), error\n"
        "    else:\n"
        "        raise AssertionError(link)\n"
    )
    # Without the check the read never ends: the subprocess is stopped at the time-out.
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path), str(fifo), "/dev/zero"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
