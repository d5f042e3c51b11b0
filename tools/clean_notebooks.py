"""Strip notebooks to what belongs in git: no outputs, no execution counts, no run state.

    python tools/clean_notebooks.py                 # clean every committed notebook in place
    python tools/clean_notebooks.py A.ipynb B.ipynb # clean these
    python tools/clean_notebooks.py --check         # change nothing; exit 1 listing dirty ones

Run state is what Jupyter records as a side effect of running or viewing a notebook: outputs,
execution counts, widget state, per-cell execution timing, scroll positions.
"""

import argparse
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent

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


def read(path):
    return nbformat.read(path, as_version=nbformat.NO_CONVERT)


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


def main(argv=None):
    args = parse_args(argv)
    paths = args.notebooks or committed_notebooks()
    if args.check:
        dirty = [path for path in paths if not is_clean(read(path))]
        for path in dirty:
            print(f"dirty: {path} (run python tools/clean_notebooks.py)")
        return 1 if dirty else 0
    for path in paths:
        if clean_file(path):
            print(f"cleaned {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
