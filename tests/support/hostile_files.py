"""Hostile submission files that cannot be committed: links, pipes, devices, huge notebooks.

    from support.hostile_files import write_all_attacks, notebook_path
    expected = write_all_attacks(tmp_path / "submitted")   # {student: what it becomes}
    notebook_path(tmp_path / "submitted", "fifo")  # .../fifo/initialization/Initialization.ipynb

Every attack is one student of an nbgrader layout, submitted/<student>/initialization/
Initialization.ipynb, built from the committed correct_loop.ipynb (18/18). The value of
each student is a substring of its report's text (the notebook's reason, or the feedback of
the exercise the attack targets; a tuple of them: any one, see shows_reason), or None when
the file must be graded as the correct notebook it is (18/18).

File attacks (write_file_attacks): symbolic links to a classmate, to the instructor's
source/, to /dev/zero, to a block device, to /proc, dangling and looping links, linked
student and assignment folders, a FIFO, device nodes, a socket, a folder named like the
notebook -- none may be followed or read. A hard link to a classmate's notebook is a
regular file: it is graded (the grader cannot tell whose content it is; an instructor's
plagiarism check can, by inode).

Content attacks (write_content_attacks): a 20 MB list literal, a file over the size
limit, 100k nested brackets, a graded function nested 900 levels deep, a million cells,
a 10 MB single line of code, a cell source list of a million strings, JSON nested a
million levels, 20 MB of nested empty lists, thousands of chained helpers, a 10 MB
markdown line, and notebooks at the caps (large literals, 800 functions) that must
still be graded -- each a row within seconds, in bounded memory.
"""

import json
import os
import socket
import stat
from pathlib import Path

from autograder import assignment

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "tests" / "files" / "submissions" / "correct_loop.ipynb"
INSTRUCTOR_NOTEBOOK = ROOT / "source" / assignment.NAME / assignment.NOTEBOOK_FILE
ASSIGNMENT = assignment.NAME
NOTEBOOK = assignment.NOTEBOOK_FILE
HE = "initialize_parameters_he"
MB = 1_000_000

LINK = "symbolic link"
CORRECT = None  # graded like the correct notebook it is


def notebook_path(submitted, student):
    return Path(submitted) / student / ASSIGNMENT / NOTEBOOK


def base_document():
    return json.loads(BASE.read_text(encoding="utf-8"))


def with_he_cell(source):
    """The correct notebook with the He exercise's cell replaced by source."""
    document = base_document()
    for cell in document["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == HE:
            cell["source"] = source
    return document


def code_cell(source):
    return {
        "cell_type": "code",
        "metadata": {},
        "execution_count": None,
        "outputs": [],
        "source": source,
    }


def with_extra_cell(cell):
    document = base_document()
    document["cells"].append(cell)
    return document


def with_extra_cells(cells):
    document = base_document()
    document["cells"] += cells
    return document


def twenty_line_function(index):
    return (
        f"def helper_{index}(layers_dims):\n"
        + "    x = layers_dims[0] + 1\n" * 20
        + "    return x\n"
    )


def he_returning(expression):
    return f"def {HE}(layers_dims):\n    return {expression}\n"


def chained_helpers(count):
    """count helpers, each calling the next, spread over cells under the per-cell cap."""
    document = with_he_cell(f"def {HE}(layers_dims):\n    return helper_0(layers_dims)\n")
    lines = [
        f"def helper_{i}(layers_dims):\n    return helper_{i + 1}(layers_dims)\n"
        for i in range(count)
    ]
    lines.append(f"def helper_{count}(layers_dims):\n    return parameters_template\n")
    per_cell = 1000
    cells = [
        code_cell("".join(lines[start : start + per_cell]))
        for start in range(0, len(lines), per_cell)
    ]
    # Above the He cell, so that the analysis follows the whole chain.
    position = next(
        index
        for index, cell in enumerate(document["cells"])
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == HE
    )
    document["cells"][position:position] = cells
    return document


def million_cells():
    # {"cell_type":"raw"} is the smallest valid cell: 1M of them fit under 20 MiB.
    return (
        '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": ['
        + ",".join(['{"cell_type":"raw"}'] * MB)
        + "]}"
    )


def deep_json():
    document = json.dumps(base_document())
    return document[:-1] + ', "x": ' + "[" * MB + "]" * MB + "}"


def json_memory_bomb():
    """20 MB of one-element lists, [[]] (5 bytes each, ~170 in memory): ~660 MiB once parsed.

    Well over the reader's 512 MiB, whatever the reader held before (empty objects, at
    ~480 MiB, came too close to the bound to be sure of the verdict).
    """
    base = json.dumps(base_document())
    count = (20_900_000 - len(base)) // 5
    return base[:-1] + ', "x": [' + "[[]]," * (count - 1) + "[[]]]}"


def list_literal(characters):
    return "x = [" + "0, " * (characters // 3) + "0]\n"


def over_size():
    text = json.dumps(base_document())
    return text[:-1] + " " * (21 * MB) + "}"


# name -> (builder of the document or its text, expected substring)
CONTENT_ATTACKS = {
    "huge_list_literal": (
        lambda: with_extra_cell(code_cell(list_literal(19 * MB))),
        "too much code",
    ),
    "over_the_size_limit": (over_size, "file too large"),
    "nested_brackets_100k": (
        lambda: with_he_cell(he_returning("[" * 100_000 + "]" * 100_000)),
        "too large or too deep to analyse",
    ),
    "expression_900_deep": (
        lambda: with_he_cell(he_returning("1+" * 900 + "1")),
        "nested more than 100 levels deep",
    ),
    "attribute_chain_900": (
        lambda: with_he_cell(he_returning("layers_dims" + ".x" * 900)),
        "nested more than 100 levels deep",
    ),
    "million_cells": (million_cells, "too many cells"),
    "ten_mb_single_line": (
        lambda: with_extra_cell(code_cell("x = '" + "a" * (10 * MB) + "'")),
        "too much code",
    ),
    "million_source_strings": (lambda: with_he_cell(["pass\n"] * MB), "too much code"),
    "json_nested_a_million_deep": (deep_json, "nested too deeply"),
    # Which of the reader's bounds it meets first depends on the machine's load: 512 MiB
    # within a few CPU seconds on an idle machine, the 10 s deadline on a crowded one.
    "json_memory_bomb": (
        json_memory_bomb,
        ("needs more than 512 MiB of memory", "takes more than"),
    ),
    "five_thousand_chained_helpers": (lambda: chained_helpers(5000), "and 4991 more"),
    # At the caps, not over them: graded as usual, within the reading's CPU limit.
    "literals_at_the_code_cap": (
        lambda: with_extra_cells([code_cell(list_literal(99_000)) for _ in range(4)]),
        CORRECT,
    ),
    "eight_hundred_functions": (
        lambda: with_extra_cells([code_cell(twenty_line_function(i)) for i in range(800)]),
        CORRECT,
    ),
    "ten_mb_markdown_line": (
        lambda: with_extra_cell({"cell_type": "markdown", "metadata": {}, "source": "a" * 10 * MB}),
        CORRECT,
    ),
}


def write_content_attacks(submitted):
    """Write every content attack as a student of submitted/; {student: expected}."""
    expected = {}
    for name, (build, substring) in CONTENT_ATTACKS.items():
        path = notebook_path(submitted, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        document = build()
        text = document if isinstance(document, str) else json.dumps(document)
        path.write_text(text, encoding="utf-8")
        expected[name] = substring
    return expected


def block_device():
    """A block device of this machine (/dev/loop0, /dev/sda ...), or None."""
    for entry in sorted(os.scandir("/dev"), key=lambda entry: entry.name):
        if stat.S_ISBLK(entry.stat(follow_symlinks=False).st_mode):
            return entry.path
    return None


def make_socket(path):
    # A socket's path is limited to 108 bytes: bind it through a descriptor of its folder.
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(f"/proc/self/fd/{folder}/{path.name}")
    finally:
        server.close()
        os.close(folder)


def write_file_attacks(submitted):
    """Write every file attack as a student of submitted/; {student: expected}.

    `ana` is the classmate whose correct notebook the links point to. Attacks this
    machine cannot build (no block device, no right to mknod) are left out.
    """
    submitted = Path(submitted)
    ana = notebook_path(submitted, "ana")
    ana.parent.mkdir(parents=True, exist_ok=True)
    ana.write_bytes(BASE.read_bytes())
    expected = {"ana": CORRECT}

    def place(student, make, substring):
        path = notebook_path(submitted, student)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            make(path)
        except PermissionError:
            return
        expected[student] = substring

    place(
        "link_to_classmate", lambda p: os.symlink("../../ana/initialization/" + NOTEBOOK, p), LINK
    )
    place("absolute_link_to_classmate", lambda p: os.symlink(ana, p), LINK)
    place("link_to_instructor_source", lambda p: os.symlink(INSTRUCTOR_NOTEBOOK, p), LINK)
    place("link_to_dev_zero", lambda p: os.symlink("/dev/zero", p), LINK)
    place("link_to_proc_environ", lambda p: os.symlink("/proc/self/environ", p), LINK)
    device = block_device()
    if device:
        place("link_to_block_device", lambda p: os.symlink(device, p), LINK)
    place("dangling_link", lambda p: os.symlink("nowhere.ipynb", p), LINK)
    place("link_loop", lambda p: os.symlink(p.name, p), LINK)
    place("fifo", os.mkfifo, "named pipe")
    place(
        "character_device",
        lambda p: os.mknod(p, stat.S_IFCHR | 0o600, os.makedev(1, 5)),
        "character device",
    )
    place(
        "block_device_node",
        lambda p: os.mknod(p, stat.S_IFBLK | 0o600, os.makedev(7, 0)),
        "block device",
    )
    place("socket", make_socket, "socket")
    place("folder_named_like_the_notebook", os.mkdir, "folder")
    place("hard_link_to_classmate", lambda p: os.link(ana, p), CORRECT)
    # Whole folders linked to the classmate's.
    os.symlink("ana", submitted / "linked_student_folder")
    expected["linked_student_folder"] = LINK
    (submitted / "linked_assignment_folder").mkdir()
    os.symlink("../ana/" + ASSIGNMENT, submitted / "linked_assignment_folder" / ASSIGNMENT)
    expected["linked_assignment_folder"] = LINK
    return expected


def shows_reason(expected, text):
    """Does text show the expected reason (any one of a tuple of them)?"""
    return any(
        reason in text for reason in (expected if isinstance(expected, tuple) else (expected,))
    )


def write_all_attacks(submitted):
    """Both kinds of attack under one submitted/ folder; {student: expected}."""
    expected = write_file_attacks(submitted)
    expected.update(write_content_attacks(submitted))
    return expected
