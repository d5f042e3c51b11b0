"""Reading a submitted .ipynb as plain JSON: never executed, never trusted.

A submission may be anything a student's disk produced: an empty file, JSON cut
off by a full disk, an old nbformat 3 notebook, a PNG renamed to .ipynb -- or a symlink to a
classmate's notebook, a FIFO, a device. Each of those becomes a `NotebookError`
with a one-line reason; a readable notebook becomes a list of `Cell`s.

Only regular files are read: no symbolic link is followed (below a trusted root,
in no component of the path), a FIFO or device is never opened, and a read stops
one byte past MAX_NOTEBOOK_BYTES. The caps on cells and code are checked before
any code is parsed; grading.prepare runs all of this in a bounded child (bounded.py).
"""

import errno
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

# A notebook of this course is about 45 kB (plots included, a few hundred kB); a
# bigger file is not a submission of it and is refused before it is parsed. The
# read itself stops one byte past the limit, whatever size the file claims.
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
# The release has 41 cells and 13,138 characters of code (solved); these caps leave
# a margin of about 40x and bound extraction and analysis to about 1 s of CPU (a
# worst case within them: code of large literals, 2 s at 1,000,000 characters).
MAX_CELLS = 2_000
MAX_CODE_CHARACTERS = 500_000

# Opening a submission never follows a symbolic link, never blocks on a FIFO and
# never leaks the descriptor into the sandbox's processes.
OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
FOLDER_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_DIRECTORY | os.O_CLOEXEC
READ_CHUNK = 1 << 20

FILE_KINDS = {
    stat.S_IFLNK: "a symbolic link, which the grader never follows",
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a named pipe",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


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
    if len(document["cells"]) > MAX_CELLS:
        raise NotebookError(
            f"too many cells for a notebook of this course ({len(document['cells']):,}; "
            f"the limit is {MAX_CELLS:,})"
        )
    cells, code_characters = [], 0
    for index, raw_cell in enumerate(document["cells"]):
        if not isinstance(raw_cell, dict):
            raise NotebookError(f"cell {index} is not a JSON object")
        kind = raw_cell.get("cell_type")
        if kind not in ("code", "markdown", "raw"):
            raise NotebookError(f"cell {index} has an unknown cell_type {kind!r:.40}")
        source = cell_source(raw_cell.get("source", ""))
        if kind == "code":
            code_characters += len(source)
        cells.append(Cell(index, kind, source, grade_id_of(raw_cell)))
    if code_characters > MAX_CODE_CHARACTERS:
        raise NotebookError(
            f"too much code for a notebook of this course ({code_characters:,} characters; "
            f"the limit is {MAX_CODE_CHARACTERS:,})"
        )
    return cells


# A JSON string, or one cut off by the end of the text (then group 1 is not a quote).
# Linear: every quote outside a string starts one match that closes or runs to the end.
JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*("|\\?\Z)', re.DOTALL)


def is_cut_off(text):
    """Does the text end inside a string or an open bracket -- JSON whose end is missing?"""
    outside = JSON_STRING.sub(lambda string: "" if string.group(1) == '"' else '"', text)
    if '"' in outside:
        return True
    opened = outside.count("[") + outside.count("{")
    return opened > outside.count("]") + outside.count("}")


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


def not_regular_reason(mode, name, expected="file"):
    kind = FILE_KINDS.get(stat.S_IFMT(mode), "not an ordinary file")
    return f"not a regular {expected}: {name!r:.80} is {kind}"


def components_beneath(path, root):
    """The names leading from root to path; NotebookError when path is not inside root."""
    path, root = Path(os.path.abspath(path)), Path(os.path.abspath(root))
    try:
        relative = path.relative_to(root)
    except ValueError:
        raise NotebookError("not inside the submission folder") from None
    if not relative.parts:
        raise NotebookError("not a regular file: the submission folder itself")
    return root, relative.parts


def open_folder_beneath(root, names):
    """A descriptor of root/names[0]/..., each name a real folder (no symlink followed)."""
    folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for name in names:
            status = os.stat(name, dir_fd=folder, follow_symlinks=False)
            if not stat.S_ISDIR(status.st_mode):
                raise NotebookError(not_regular_reason(status.st_mode, name, "folder"))
            inner = os.open(name, FOLDER_FLAGS, dir_fd=folder)
            os.close(folder)
            folder = inner
    except BaseException:
        os.close(folder)
        raise
    return folder


def open_regular(name, folder):
    """A read-only descriptor of the regular file `name` in the folder descriptor.

    lstat first, so that a device or FIFO is never even opened (opening some
    devices acts), then fstat of what was opened: the same regular file, or refused.
    """
    status = os.stat(name, dir_fd=folder, follow_symlinks=False)
    if not stat.S_ISREG(status.st_mode):
        raise NotebookError(not_regular_reason(status.st_mode, name))
    descriptor = os.open(name, OPEN_FLAGS, dir_fd=folder)
    opened = os.fstat(descriptor)
    if not stat.S_ISREG(opened.st_mode) or (opened.st_dev, opened.st_ino) != (
        status.st_dev,
        status.st_ino,
    ):
        os.close(descriptor)
        raise NotebookError(f"not a regular file: {name!r:.80} changed while it was opened")
    return descriptor


def open_notebook(path, root=None):
    """A read-only descriptor of the submission at path, a regular file.

    root -- None: only the file's own name is checked (never a symlink; its folders
            are the caller's). A trusted folder: every component below it must be a
            real folder or, last, a regular file -- no symlink anywhere is followed.
    """
    path = Path(path)
    try:
        if root is None:
            folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            name = path.name
        else:
            root, names = components_beneath(path, root)
            folder = open_folder_beneath(root, names[:-1])
            name = names[-1]
        try:
            return open_regular(name, folder)
        finally:
            os.close(folder)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise NotebookError(not_regular_reason(stat.S_IFLNK, path.name)) from None
        raise NotebookError(f"cannot read the file: {error.strerror or error}") from None


def read_notebook(path, root=None):
    """The bytes of the submission at path (see open_notebook), at most the size limit."""
    descriptor = open_notebook(path, root)
    try:
        size = os.fstat(descriptor).st_size
        if size > MAX_NOTEBOOK_BYTES:
            raise NotebookError(too_large_reason(size))
        chunks, total = [], 0
        # Read to the limit plus one byte whatever st_size said (a file may grow).
        while total <= MAX_NOTEBOOK_BYTES:
            chunk = os.read(descriptor, min(READ_CHUNK, MAX_NOTEBOOK_BYTES + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as error:
        raise NotebookError(f"cannot read the file: {error.strerror or error}") from None
    finally:
        os.close(descriptor)
    if total > MAX_NOTEBOOK_BYTES:
        raise NotebookError(too_large_reason(total))
    return b"".join(chunks)


def too_large_reason(size):
    return (
        f"file too large for a notebook of this course ({size:,} bytes or more; "
        f"the limit is {MAX_NOTEBOOK_BYTES:,})"
    )


def load_cells(path, root=None):
    """The cells of the notebook at `path`; raises NotebookError with a one-line reason."""
    return parse_cells(decode(read_notebook(path, root)))
