"""Strip notebooks to what belongs in git: no outputs, no execution counts, no run state.

    python tools/clean_notebooks.py                 # clean every committed notebook in place
    python tools/clean_notebooks.py A.ipynb B.ipynb # clean these
    python tools/clean_notebooks.py --check         # change nothing; exit 1 listing dirty ones

Run state is what Jupyter records as a side effect of running or viewing a notebook: outputs,
execution counts, widget state, per-cell execution timing, scroll positions. Files under
tests/files/ that are not valid notebooks are skipped: they are broken on purpose, as inputs of
the autograder's tests. Anywhere else an invalid notebook is an error.
"""

import argparse
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
TEST_INPUTS = ROOT / "tests" / "files"

# Cell metadata written by running a notebook (JupyterLab's "execution" timing, the
# ExecuteTime extension) or by viewing it (output scrolling).
TRANSIENT_CELL_METADATA = ("execution", "ExecuteTime", "scrolled")
# Notebook metadata holding the live state of ipywidgets.
TRANSIENT_NOTEBOOK_METADATA = ("widgets",)


def committed_notebooks(root=ROOT):
    """Every .ipynb file tracked by git under root."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "*.ipynb"], cwd=root, capture_output=True, check=True
    )
    return [root / name for name in listing.stdout.decode().split("\0") if name]


def clean(notebook):
    """Remove outputs, execution counts and run state from a notebook, in place."""
    for key in TRANSIENT_NOTEBOOK_METADATA:
        notebook.metadata.pop(key, None)
    for cell in notebook.cells:
        for key in TRANSIENT_CELL_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return notebook


def is_clean(notebook):
    """True when clean() would change nothing."""
    before = nbformat.writes(notebook)
    return nbformat.writes(clean(nbformat.reads(before, as_version=nbformat.NO_CONVERT))) == before


class NotANotebookError(Exception):
    """The file is not a valid nbformat 4 notebook."""


def read(path):
    """The notebook at path; NotANotebookError (one line) if it is not a valid nbformat 4 one."""
    try:
        notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        if notebook.get("nbformat") != 4:
            raise ValueError(f"nbformat {notebook.get('nbformat')}, not 4")
        nbformat.validate(notebook)
    except (OSError, ValueError, AttributeError, nbformat.ValidationError) as error:
        reason = str(error).strip().splitlines()[0][:120] if str(error).strip() else ""
        message = f"not a valid nbformat 4 notebook: {type(error).__name__} {reason}"
        raise NotANotebookError(message.strip()) from None
    return notebook


def is_test_input(path):
    """Files under tests/files/ may be broken on purpose (the autograder's bad submissions)."""
    return Path(path).resolve().is_relative_to(TEST_INPUTS)


def clean_file(path):
    """Clean one notebook file; returns True when it changed."""
    notebook = read(path)
    if is_clean(notebook):
        return False
    nbformat.write(clean(notebook), path)
    return True


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every committed one")
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if any notebook is dirty"
    )
    return parser.parse_args(argv)


def check(paths):
    """Print one line per dirty or unreadable notebook; returns how many there were."""
    problems = 0
    for path in paths:
        try:
            clean_already = is_clean(read(path))
        except NotANotebookError as error:
            if is_test_input(path):
                continue
            print(f"unreadable: {path}: {error}")
            problems += 1
            continue
        if not clean_already:
            print(f"dirty: {path} (run python tools/clean_notebooks.py)")
            problems += 1
    return problems


def clean_all(paths):
    """Clean every notebook in place; returns how many could not be read."""
    problems = 0
    for path in paths:
        try:
            changed = clean_file(path)
        except NotANotebookError as error:
            if not is_test_input(path):
                print(f"unreadable: {path}: {error}")
                problems += 1
            continue
        if changed:
            print(f"cleaned {path}")
    return problems


def main(argv=None):
    """Clean (or with --check, list) notebooks; returns the exit status."""
    args = parse_args(argv)
    paths = args.notebooks or committed_notebooks()
    problems = check(paths) if args.check else clean_all(paths)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
