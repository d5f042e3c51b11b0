"""Does tools/make_figures.py still draw every README figure, and does the README text
in docs/figures.md show the figures that are committed?"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIGURES = (
    "decision_boundaries.png",
    "cost_curves.png",
    "activation_scale_by_depth.png",
    "class_misconceptions.png",
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def run_script(*arguments):
    # As documented: `python -m tools.make_figures` from the repository root, no PYTHONPATH.
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    return subprocess.run(
        [sys.executable, "-m", "tools.make_figures", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )


@pytest.mark.slow
def test_script_writes_every_figure(tmp_path):
    """Does the script run to the end and write each figure as a non-trivial PNG in --out?"""
    out = tmp_path / "new" / "figures"
    finished = run_script("--out", str(out), "--dpi", "40")
    assert finished.returncode == 0, finished.stderr
    assert sorted(path.name for path in out.iterdir()) == sorted(FIGURES)
    for name in FIGURES:
        data = (out / name).read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 5_000, name
    # The printed numbers are the assignment's: He reaches test accuracy 0.96.
    assert re.search(r"He: cost 0\.8831 -> 0\.07358, train 0\.9933, test 0\.96", finished.stdout)


def test_bad_dpi_is_refused_before_any_training():
    """Is a useless --dpi refused at once with a one-line error and exit status 2?"""
    finished = run_script("--dpi", "5", "--out", "/nonexistent/never-created")
    assert finished.returncode == 2
    assert finished.stderr.strip().splitlines()[-1].endswith("--dpi must be at least 20, not 5")
    assert not Path("/nonexistent/never-created").exists()


def test_readme_text_embeds_every_committed_figure():
    """Does docs/figures.md link each figure the script makes, and is each one committed?"""
    text = (ROOT / "docs" / "figures.md").read_text()
    linked = re.findall(r"!\[[^\]]+\]\(docs/figures/([^)]+)\)", text)
    assert linked == list(FIGURES)
    for name in FIGURES:
        path = ROOT / "docs" / "figures" / name
        assert path.read_bytes().startswith(PNG_SIGNATURE), name
        assert path.stat().st_size < 200_000, f"{name} is too large for the repository"
