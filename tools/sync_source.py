"""Keep what the grader's catalogues write for students in step with them.

The hidden tests of the nbgrader source notebook follow autograder/cases.py, and
public_mistakes.json (the catalogued mistakes' words and outputs on the public cases, which
the notebook's tests read to name a mistake) follows autograder/misconceptions.py.

Each grade cell `initialize_parameters_<scheme>_tests` of the source notebook is its visible
public-test call followed by a hidden block (`### BEGIN HIDDEN TESTS` ... `### END HIDDEN
TESTS`). This module rewrites that block with `cases.render_hidden_tests(scheme)` and the cell's
points with the exercise's `max_points` (autograder/assignment.py), so both graders score the
same cases. Running it twice changes nothing; it also leaves the notebook without outputs or
execution counts.

public_mistakes.json is written at the top level, beside public_tests.py; the source folder
links to it, and nbgrader copies it into release/ with the other helpers.

An authoring tool, not part of the grader: it imports the installed `autograder`.

    .venv/bin/python tools/sync_source.py           # rewrite the notebook and the mistakes
    .venv/bin/python tools/sync_source.py --check   # exit 1 if either is out of date
"""

import argparse
import sys
from pathlib import Path

import nbformat

import public_tests
from autograder import assignment, cases, misconceptions

ROOT = Path(__file__).resolve().parent.parent
SOURCE_NOTEBOOK = ROOT / "source" / assignment.NAME / assignment.NOTEBOOK_FILE
MISTAKES = ROOT / public_tests.MISTAKES_FILE
BEGIN, END = cases.HIDDEN_BEGIN, cases.HIDDEN_END


class SyncError(Exception):
    """The notebook cannot be synced (a grade cell is missing or malformed)."""


def test_cell_id(scheme):
    return assignment.exercise(scheme).test_cell


def points_value(scheme):
    """max_points as nbgrader metadata: an int when it is whole, so that 5 stays 5."""
    points = assignment.exercise(scheme).max_points
    return int(points) if float(points).is_integer() else points


def with_hidden_block(source, scheme):
    """The cell source with its hidden block replaced (or appended when there is none)."""
    block = cases.render_hidden_tests(scheme)
    start = source.find(BEGIN)
    if start == -1:
        return source.rstrip("\n") + "\n" + block
    end = source.find(END, start)
    if end == -1:
        raise SyncError(f"grade cell {test_cell_id(scheme)!r} has {BEGIN!r} without {END!r}")
    return source[:start] + block + source[end + len(END) :]


def grade_cells(notebook):
    """{grade_id: cell} for every cell with nbgrader metadata."""
    found = {}
    for cell in notebook.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id:
            found[grade_id] = cell
    return found


def clear_outputs(notebook):
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None


def synced(notebook):
    """Update the notebook in place: hidden blocks, points, no outputs."""
    cells_by_id = grade_cells(notebook)
    for scheme in public_tests.SCHEMES:
        cell = cells_by_id.get(test_cell_id(scheme))
        if cell is None:
            raise SyncError(f"the source notebook has no grade cell {test_cell_id(scheme)!r}")
        cell.source = with_hidden_block(cell.source, scheme)
        cell.metadata["nbgrader"]["points"] = points_value(scheme)
    clear_outputs(notebook)
    return notebook


def synced_text(path):
    """The text the notebook at `path` should have, and the text it has."""
    current = path.read_text(encoding="utf-8")
    notebook = nbformat.reads(current, as_version=nbformat.NO_CONVERT)
    return nbformat.writes(synced(notebook)) + "\n", current


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="tools/sync_source.py",
        description="Write the hidden tests and points of autograder/cases.py into the "
        "nbgrader source notebook, and the catalogued mistakes of autograder/misconceptions.py "
        f"into {public_tests.MISTAKES_FILE}.",
    )
    parser.add_argument("--notebook", type=Path, default=SOURCE_NOTEBOOK, help="source notebook")
    parser.add_argument(
        "--mistakes", type=Path, default=MISTAKES, help=f"the {public_tests.MISTAKES_FILE} to write"
    )
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if either file is stale"
    )
    return parser.parse_args(argv)


def current_text(path):
    """The file's text, or None when there is none yet (a missing file is a stale one)."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def main(argv=None):
    """Sync (or with --check, verify) the source notebook and the mistakes; the exit status."""
    args = parse_args(argv)
    try:
        wanted, current = synced_text(args.notebook)
    except (OSError, ValueError, SyncError) as error:
        print(f"tools/sync_source.py: {args.notebook}: {error}", file=sys.stderr)
        return 2
    targets = [
        (args.notebook, wanted, current, "autograder/cases.py"),
        (
            args.mistakes,
            misconceptions.render_public_mistakes(),
            current_text(args.mistakes),
            "autograder/misconceptions.py",
        ),
    ]
    stale = []
    for path, text, now, origin in targets:
        if text == now:
            print(f"{path} is up to date with {origin}")
        else:
            stale.append((path, text, origin))
    if stale and args.check:
        for path, _, origin in stale:
            print(
                f"{path} is out of date with {origin}: run `.venv/bin/python tools/sync_source.py`",
                file=sys.stderr,
            )
        return 1
    for path, text, origin in stale:
        path.write_text(text, encoding="utf-8")
        print(f"updated {path} from {origin}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
