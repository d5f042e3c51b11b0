"""Is a submitted file read as a notebook safely, with one-line reasons for broken files?"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from support import hostile_files, notebook_fuzz
from support.corpus import SUBMISSIONS, corpus_expectations, unreadable_names

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


@pytest.fixture(scope="module")
def file_attacks(tmp_path_factory):
    """(submitted folder, {student: expected}) of every file attack (hostile_files.py)."""
    submitted = tmp_path_factory.mktemp("attacks") / "submitted"
    return submitted, hostile_files.write_file_attacks(submitted)


def test_every_file_attack_is_refused_without_being_followed(file_attacks):
    """Is each link, pipe, device, socket or linked folder a one-line reason, never read?"""
    submitted, expected = file_attacks
    assert len(expected) >= 15
    classmate = notebook.load_cells(hostile_files.notebook_path(submitted, "ana"), submitted)
    wrong = {}
    for student, substring in expected.items():
        path = hostile_files.notebook_path(submitted, student)
        try:
            cells = notebook.load_cells(path, root=submitted)
        except notebook.NotebookError as error:
            if substring is None or substring not in str(error) or "\n" in str(error):
                wrong[student] = str(error)
        else:
            if substring is not None or cells != classmate:
                wrong[student] = "read as a notebook"
    assert not wrong


def test_a_linked_notebook_is_refused_without_a_root(file_attacks):
    """Without a trusted root (grade NOTEBOOK), is a notebook that is a symlink refused?"""
    submitted, _ = file_attacks
    for student in ["link_to_classmate", "link_to_instructor_source", "link_to_dev_zero"]:
        with pytest.raises(notebook.NotebookError, match="symbolic link"):
            notebook.load_cells(hostile_files.notebook_path(submitted, student))


def test_a_path_outside_the_root_is_refused(tmp_path):
    """Is a notebook outside the trusted folder (or `..` out of it) refused?"""
    inside = tmp_path / "submitted"
    inside.mkdir()
    outside = tmp_path / "elsewhere.ipynb"
    outside.write_text("{}")
    for path in [outside, inside / ".." / "elsewhere.ipynb"]:
        with pytest.raises(notebook.NotebookError, match="not inside the submission folder"):
            notebook.load_cells(path, root=inside)


def test_a_read_stops_one_byte_past_the_limit(monkeypatch):
    """Is a file whose size says 0 (as /proc files do) still read no further than the cap?"""
    monkeypatch.setattr(notebook, "MAX_NOTEBOOK_BYTES", 100)
    assert os.stat("/proc/self/maps").st_size == 0
    with pytest.raises(notebook.NotebookError, match=r"too large .*\(101 bytes or more"):
        notebook.load_cells("/proc/self/maps")


def document_with(cells):
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}


def test_too_many_cells_are_refused_before_they_are_read():
    """Is a notebook of more cells than the limit refused with the count?"""
    cells = [{"cell_type": "raw", "source": ""}] * (notebook.MAX_CELLS + 1)
    with pytest.raises(notebook.NotebookError, match=r"too many cells .*2,001"):
        notebook.parse_cells(document_with(cells))
    assert len(notebook.parse_cells(document_with(cells[:-1]))) == notebook.MAX_CELLS


def test_too_much_code_is_refused_but_long_markdown_is_not():
    """Is code over the total limit refused, while a long markdown cell is read?"""
    limit = notebook.MAX_CODE_CHARACTERS
    code = [{"cell_type": "code", "source": "#" * (limit // 2 + 1)}] * 2
    with pytest.raises(notebook.NotebookError, match=r"too much code .*500,002"):
        notebook.parse_cells(document_with(code))
    markdown = [{"cell_type": "markdown", "source": "a" * (2 * limit)}]
    assert notebook.parse_cells(document_with(code[:1] + markdown))[1].kind == "markdown"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notebook_fuzz.notebook_bytes())
def test_fuzzed_files_are_cells_or_a_one_line_reason(data):
    """Does any file (notebook-shaped, cut, corrupted or random) give cells or a reason?"""
    notebook_fuzz.check_decoding(data)


@settings(max_examples=300, deadline=None)
@given(notebook_fuzz.notebook_documents())
def test_fuzzed_documents_are_cells_or_a_one_line_reason(document):
    """Does any JSON document give cells or a one-line NotebookError, nothing else?"""
    notebook_fuzz.check_document(document)


@settings(max_examples=500, deadline=None)
@given(notebook_fuzz.json_like_text)
def test_the_cut_off_check_agrees_with_a_character_scan(text):
    """Does the linear-time is_cut_off decide as a character-by-character scan does?"""
    notebook_fuzz.check_cut_off(text)
