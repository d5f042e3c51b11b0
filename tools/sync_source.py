"""Keep the hidden tests of the nbgrader source notebook in step with autograder/cases.py.

Each grade cell `initialize_parameters_<scheme>_tests` of the source notebook is its visible
public-test call followed by a hidden block (`### BEGIN HIDDEN TESTS` ... `### END HIDDEN
TESTS`). This module rewrites that block with `cases.render_hidden_tests(scheme)` and the cell's
points with the exercise's `max_points` (autograder/assignment.py), so both graders score the
same cases. Running it twice changes nothing; it also leaves the notebook without outputs or
execution counts.

An authoring tool, not part of the grader: it imports the installed `autograder`.

    .venv/bin/python tools/sync_source.py           # rewrite the notebook
    .venv/bin/python tools/sync_source.py --check   # exit 1 if it is out of date
"""

import argparse
import sys
from pathlib import Path

import nbformat

import public_tests
from autograder import assignment, cases

ROOT = Path(__file__).resolve().parent.parent
SOURCE_NOTEBOOK = ROOT / "source" / assignment.NAME / assignment.NOTEBOOK_FILE
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
        "nbgrader source notebook.",
    )
    parser.add_argument("--notebook", type=Path, default=SOURCE_NOTEBOOK, help="source notebook")
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if the notebook is stale"
    )
    return parser.parse_args(argv)


def main(argv=None):
    """Sync (or with --check, verify) the source notebook; returns the exit status."""
    args = parse_args(argv)
    try:
        wanted, current = synced_text(args.notebook)
    except (OSError, ValueError, SyncError) as error:
        print(f"tools/sync_source.py: {args.notebook}: {error}", file=sys.stderr)
        return 2
    if wanted == current:
        print(f"{args.notebook} is up to date with autograder/cases.py")
        return 0
    if args.check:
        print(
            f"{args.notebook} is out of date with autograder/cases.py: "
            "run `.venv/bin/python tools/sync_source.py`",
            file=sys.stderr,
        )
        return 1
    args.notebook.write_text(wanted, encoding="utf-8")
    print(f"updated the hidden tests and points of {args.notebook}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
