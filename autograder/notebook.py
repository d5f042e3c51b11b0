"""Reading a submitted .ipynb as plain JSON: never executed, never trusted.

A submission may be anything a student's disk produced: an empty file, JSON cut
off by a full disk, an old nbformat 3 notebook, a PNG renamed to .ipynb. Each of
those becomes a `NotebookError` with a one-line reason; a readable notebook
becomes a list of `Cell`s.
"""

import json
import stat
from dataclasses import dataclass
from pathlib import Path

# A notebook of this course is a few hundred kB at most; a bigger file is not a
# submission of it and is refused before it is read into memory.
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024


class NotebookError(Exception):
    """The file cannot be read as a notebook; str(error) is a one-line reason."""


@dataclass(frozen=True)
class Cell:
    """One cell of a notebook.

    index    -- position in the notebook, from 0
    kind     -- 'code', 'markdown' or 'raw'
    source   -- the cell's text
    grade_id -- nbgrader's grade_id, or '' when the cell has none
    """

    index: int
    kind: str
    source: str
    grade_id: str = ""


def cell_source(raw_source):
    """nbformat stores a cell's source as one string or as a list of lines."""
    if isinstance(raw_source, str):
        return raw_source
    if isinstance(raw_source, list) and all(isinstance(line, str) for line in raw_source):
        return "".join(raw_source)
    raise NotebookError("a cell's source is neither text nor a list of lines")


def grade_id_of(raw_cell):
    metadata = raw_cell.get("metadata")
    nbgrader = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
    return grade_id if isinstance(grade_id, str) else ""


def parse_cells(document):
    """The cells of a decoded notebook document, checked to be nbformat 4."""
    if not isinstance(document, dict):
        raise NotebookError("not a notebook: the JSON is not an object")
    if "worksheets" in document or document.get("nbformat") == 3:
        raise NotebookError(
            "nbformat 3 notebook: open and save it in a current Jupyter to convert it to nbformat 4"
        )
    if document.get("nbformat") != 4 or not isinstance(document.get("cells"), list):
        raise NotebookError("not a notebook: no nbformat 4 'cells' list")
    cells = []
    for index, raw_cell in enumerate(document["cells"]):
        if not isinstance(raw_cell, dict):
            raise NotebookError(f"cell {index} is not a JSON object")
        kind = raw_cell.get("cell_type")
        if kind not in ("code", "markdown", "raw"):
            raise NotebookError(f"cell {index} has an unknown cell_type {kind!r:.40}")
        source = cell_source(raw_cell.get("source", ""))
        cells.append(Cell(index, kind, source, grade_id_of(raw_cell)))
    return cells


def is_cut_off(text):
    """Does the text end inside a string or an open bracket -- JSON whose end is missing?"""
    depth, in_string, escaped = 0, False, False
    for character in text:
        if in_string:
            if escaped:
                escaped = False
            elif character == "\\":
                escaped = True
            elif character == '"':
                in_string = False
        elif character == '"':
            in_string = True
        elif character in "[{":
            depth += 1
        elif character in "]}":
            depth -= 1
    return in_string or depth > 0


def decode(data):
    """Bytes of a file -> the decoded JSON document, or a NotebookError."""
    if not data.strip():
        raise NotebookError("empty file: the notebook was not saved")
    if data.startswith(b"\x89PNG"):
        raise NotebookError("not a notebook: the file is a PNG image")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotebookError("not a notebook: the file is not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        if is_cut_off(text):
            raise NotebookError(
                "truncated notebook: its JSON ends early (was the save interrupted?)"
            ) from None
        raise NotebookError(
            f"not a notebook: invalid JSON at line {error.lineno}, column {error.colno}"
        ) from None
    except RecursionError:
        raise NotebookError("not a notebook: its JSON is nested too deeply") from None


def load_cells(path):
    """The cells of the notebook at `path`; raises NotebookError with a one-line reason."""
    path = Path(path)
    try:
        status = path.stat()
        if stat.S_ISFIFO(status.st_mode) or stat.S_ISCHR(status.st_mode):
            # A symlink to /dev/zero or a named pipe would be read forever.
            raise NotebookError("not a notebook: not a regular file")
        size = status.st_size
        if size > MAX_NOTEBOOK_BYTES:
            raise NotebookError(f"file too large for a notebook of this course ({size} bytes)")
        data = path.read_bytes()
    except OSError as error:
        raise NotebookError(f"cannot read the file: {error.strerror or error}") from None
    return parse_cells(decode(data))
