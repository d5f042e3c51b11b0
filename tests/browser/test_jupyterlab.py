"""The student's view: the released notebook opened and run in JupyterLab, in real Chromium.

Screenshots land in artifacts/browser/ at the repository root.
"""

from pathlib import Path

import pytest
import support
from support import lab

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    lab.NEEDS_CHROMIUM,
]

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "browser"
SCHEMES = ("zeros", "random", "he")
UNTOUCHED_RUN_TIMEOUT = 120  # seconds; every training stops at once on the stub
SOLVED_RUN_TIMEOUT = 240  # three trainings of ~2-4 s each, plus seven plots, on a busy machine

# Published results (train and test accuracy) of each initialisation.
PUBLISHED_ACCURACIES = {
    "zeros": ("Accuracy: 0.5", "Accuracy: 0.5"),
    "random": ("Accuracy: 0.83", "Accuracy: 0.86"),
    "he": ("Accuracy: 0.9933333333333333", "Accuracy: 0.96"),
}

# Cells that draw exactly one plot: the data, each training's cost curve and
# each trained model's decision boundary.
PLOT_CELLS = ("load_dataset",) + tuple(
    f"{scheme}_{plot}" for scheme in SCHEMES for plot in ("train", "boundary")
)


def cells_by_grade_id(cells):
    return {cell["grade_id"]: cell for cell in cells if cell["grade_id"]}


def output_lines(cell):
    """The cell's rendered text, one stripped line a list item."""
    text = "".join(output["text"] for output in cell["outputs"])
    return [line.strip() for line in text.splitlines() if line.strip()]


def run_in_lab(notebook_path, scratch, run, timeout, screenshots):
    """Serve the notebook's folder, open it in Chromium and run it.

    Returns (run result, cells, a description of the processes -- server, kernel,
    browser -- still running afterwards: '' when all have gone).

    run         -- lab.run_all_cells or lab.run_cells_in_turn
    screenshots -- {name: grade_id of the cell to scroll to, or None for the top}; each
                   becomes ARTIFACTS/<name>.png, and the whole notebook <prefix>_full.png
                   where prefix is the part of the first name before "_"
    """
    before = lab.live_pids()
    with (
        lab.running_lab(notebook_path.parent, scratch) as server,
        lab.chromium_page(scratch) as page,
    ):
        lab.open_notebook(page, server, notebook_path.name)
        result = run(page, timeout=timeout)
        cells = lab.read_cells(page)
        for name, grade_id in screenshots.items():
            lab.save_screenshot(page, ARTIFACTS / f"{name}.png", grade_id)
        prefix = next(iter(screenshots)).split("_")[0]
        lab.save_notebook_screenshot(page, ARTIFACTS / f"{prefix}_full.png")
        started = lab.started_since(before)
    return result, cells, lab.processes_left(started, before)


def test_untouched_release_shows_plain_public_test_failures(tmp_path):
    """Do the public test cells of the untouched release say, in plain words, that each exercise
    is not implemented yet and where its code goes?

    Run cell by cell as a student would (Run All stops at the first stub).
    """
    notebook = support.copy_release(tmp_path / "release")
    result, cells, leftovers = run_in_lab(
        notebook,
        tmp_path / "scratch",
        lab.run_cells_in_turn,
        UNTOUCHED_RUN_TIMEOUT,
        {"untouched_top": None, "untouched_zeros": "initialize_parameters_zeros_show"},
    )
    assert result == "false", "cells calling the unanswered stubs should raise"
    by_id = cells_by_grade_id(cells)
    for scheme in SCHEMES:
        cell = by_id[f"initialize_parameters_{scheme}_tests"]
        assert cell["prompt"] not in ("[ ]:", "[*]:"), f"the {scheme} tests did not run"
        assert [output["type"] for output in cell["outputs"]] == ["stream"]
        assert cell["outputs"][0]["mime"] == "application/vnd.jupyter.stdout"
        lines = output_lines(cell)
        stub = [line for line in lines if "not implemented yet" in line]
        assert stub, f"the {scheme} tests should say the stub is not implemented yet: {lines}"
        assert all("# YOUR CODE HERE" in line for line in stub)
        assert lines[-1].endswith("tests failed.")
        text = "\n".join(lines)
        assert "Traceback" not in text and "public_tests.py" not in text
    assert leftovers == ""


def test_solved_release_passes_reproduces_results_and_draws_every_plot(tmp_path):
    """Does the solved notebook, run with Run All, pass, match the published numbers and plot?"""
    notebook = support.write_solved_release(tmp_path / "solved")
    result, cells, leftovers = run_in_lab(
        notebook,
        tmp_path / "scratch",
        lab.run_all_cells,
        SOLVED_RUN_TIMEOUT,
        {
            "solved_top": None,
            "solved_dataset": "load_dataset",
            "solved_he_cost": "he_train",
            "solved_he_boundary": "he_boundary",
        },
    )
    assert result == "true", "Run All should finish without an error"
    code_cells = [cell for cell in cells if cell["kind"] == "code" and cell["source"].strip()]
    assert all(cell["prompt"][1:-2].isdigit() for cell in code_cells), [
        cell["prompt"] for cell in code_cells
    ]
    errors = [output for cell in cells for output in cell["outputs"] if output["type"] == "error"]
    assert errors == []

    by_id = cells_by_grade_id(cells)
    for scheme in SCHEMES:
        assert output_lines(by_id[f"initialize_parameters_{scheme}_tests"]) == ["All tests passed."]
        accuracies = [line for line in output_lines(by_id[f"{scheme}_train"]) if "Accuracy" in line]
        assert tuple(accuracies) == PUBLISHED_ACCURACIES[scheme]

    for grade_id in PLOT_CELLS:
        images = sum(output["images"] for output in by_id[grade_id]["outputs"])
        assert images == 1, f"{grade_id} should show one plot, shows {images}"
    assert sum(output["images"] for cell in cells for output in cell["outputs"]) >= 7
    assert leftovers == ""


def test_table_of_contents_links_scroll_their_heading_into_view(tmp_path):
    """Does each table-of-contents entry of the released notebook, clicked in JupyterLab, bring
    its heading into view?

    JupyterLab's sanitiser strips `<a name=...>`: a link to such an anchor leaves the notebook
    where it was.
    """
    notebook = support.copy_release(tmp_path / "release")
    with (
        lab.running_lab(notebook.parent, tmp_path / "scratch") as server,
        lab.chromium_page(tmp_path / "scratch") as page,
    ):
        lab.open_notebook(page, server, notebook.name)
        links = lab.internal_links(page)
        assert [link["text"] for link in links][:1] == ["1 - Packages"], links
        out_of_view, missed = [], []
        for link in links:
            lab.scroll_notebook_to_top(page)
            before = lab.heading_position(page, link["text"])
            assert before is not None, f"the notebook has no heading {link['text']!r}"
            if not lab.is_in_view(before):
                out_of_view.append(link["text"])
            lab.click_internal_link(page, link["href"])
            if not lab.is_in_view(lab.heading_position(page, link["text"])):
                missed.append(f"{link['text']} ({link['href']})")
    assert len(out_of_view) >= 5, "most headings should start below the window"
    assert missed == [], f"clicked, these headings stayed out of view: {missed}"
