"""Do the companion notebooks in notebooks/ run, top to bottom, in a real kernel and show
what their text says they show?

Each notebook runs once (module-scoped), as CI runs it: nbclient, a python3 kernel, the working
folder notebooks/, COURSE_HEADLESS=1 so that the explorer saves figures instead of drawing
widgets. A probe cell appended in memory reads the notebook's own results back as JSON; the
committed files are never changed. About 30 s in all: marked slow.
"""

import json
import os
import re
import shutil
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.slow

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
ARTIFACTS = NOTEBOOKS.parent / "artifacts" / "browser"  # screenshots, git-ignored
PROBE = "PROBE "
# What each notebook computed, read from its own variables after its last cell.
PROBES = {
    "01_why_the_scale_matters.ipynb": (
        "{'std': {scheme: result['std'] for scheme, result in relu_results.items()}"
        " | {'tanh ' + scheme: result['std'] for scheme, result in tanh_results.items()},"
        " 'float32_overflow_layer': float32_overflow_layer}"
    ),
    "02_explore_it_yourself.ipynb": "[str(path) for path in saved_figures]",
    "03_more_initialisers.ipynb": (
        "{name: {key: result[key] for key in ('train_accuracy', 'test_accuracy', 'final_cost')}"
        " for name, result in comparison.items()}"
    ),
}
HEADLESS_FIGURES = [
    "explorer_zeros_x1.png",
    "explorer_random_x1.png",
    "explorer_he_x1.png",
    "explorer_custom_x0.1.png",
]


def notebook_names():
    return sorted(path.name for path in NOTEBOOKS.glob("*.ipynb"))


@pytest.fixture(scope="module")
def figures_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("figures")


@pytest.fixture(scope="module")
def run(figures_dir):
    """run(name) -> (executed notebook, probed value); each notebook executes once."""
    done = {}

    def execute(name):
        if name not in done:
            notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
            probe = PROBES.get(name, "None")
            notebook.cells.append(
                nbformat.v4.new_code_cell(f"import json\nprint({PROBE!r} + json.dumps({probe}))")
            )
            env = dict(os.environ, COURSE_HEADLESS="1", COURSE_FIGURES_DIR=str(figures_dir))
            client = NotebookClient(
                notebook,
                kernel_name="python3",
                timeout=300,
                resources={"metadata": {"path": str(NOTEBOOKS)}},
            )
            client.execute(cwd=str(NOTEBOOKS), env=env)  # raises CellExecutionError on any error
            probed = json.loads(notebook.cells[-1].outputs[-1]["text"].split(PROBE, 1)[1])
            done[name] = (notebook, probed)
        return done[name]

    return execute


def test_every_notebook_has_a_probe():
    """Is every companion notebook checked for its results, not only for running?"""
    assert notebook_names() == sorted(PROBES)


@pytest.mark.parametrize("name", notebook_names())
def test_notebook_runs_without_errors_or_warnings(run, name):
    """Does the notebook run top to bottom with no error and nothing written to stderr?"""
    notebook, _ = run(name)
    outputs = [
        output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs
    ]
    assert not [output for output in outputs if output["output_type"] == "error"]
    stderr = [output["text"] for output in outputs if output.get("name") == "stderr"]
    assert not stderr, stderr


def test_depth_experiment_shows_vanishing_and_exploding_signals(run):
    """Does He hold the scale over 50 ReLU layers while 0.01 vanishes and 1.0 explodes?"""
    std = run("01_why_the_scale_matters.ipynb")[1]["std"]
    assert 1 / 3 < std["he"][-1] / std["he"][0] < 3
    assert std["small (0.01)"][-1] < 1e-10
    assert std["large (1.0)"][-1] > 1e10
    assert std["xavier"][-1] < 1e-6  # ReLU halves Xavier's variance at every layer
    assert set(std["zeros"]) == {0.0}


def test_tanh_experiment_keeps_xavier_within_an_order_of_magnitude(run):
    """With tanh, does Xavier stay within 10x over 50 layers, as the text says?"""
    std = run("01_why_the_scale_matters.ipynb")[1]["std"]
    assert 0.1 < std["tanh xavier"][-1] / std["tanh xavier"][0] < 1
    assert 0.3 < std["tanh he"][-1] < 1


def test_float32_overflow_layer_is_computed_not_stated(run):
    """Does notebook 01 compute and print where float32 activations overflow (where the float64
    scale reaches float32's largest value), and does its prose leave the number to that output?"""
    notebook, probed = run("01_why_the_scale_matters.ipynb")
    layer = probed["float32_overflow_layer"]
    large = probed["std"]["large (1.0)"]
    largest = float(np.finfo(np.float32).max)
    assert layer is not None
    assert large[layer - 2] < largest < 100 * large[layer - 1]
    printed = "".join(
        output.get("text", "") for cell in notebook.cells for output in cell.get("outputs", [])
    )
    assert f"overflow to inf at layer {layer} of 50" in printed
    prose = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert not re.search(r"(overflow|inf)\W[^.]*\blayer \d", prose), "prose states a layer"


def test_explorer_saves_its_figures_without_a_front_end(run, figures_dir):
    """Without a front end, does the explorer save one PNG per fixed setting?"""
    _, saved = run("02_explore_it_yourself.ipynb")
    assert [Path(path).name for path in saved] == HEADLESS_FIGURES
    for name in HEADLESS_FIGURES:
        assert (figures_dir / name).read_bytes()[:4] == b"\x89PNG"
        assert (figures_dir / name).stat().st_size > 10_000


def test_comparison_table_has_the_assignments_results(run):
    """Does the comparison reproduce the assignment's accuracies, and do Xavier and LeCun learn?"""
    _, table = run("03_more_initialisers.ipynb")
    assert list(table) == ["zeros", "random x10", "xavier", "lecun", "he"]
    assert (table["zeros"]["train_accuracy"], table["zeros"]["test_accuracy"]) == (0.5, 0.5)
    assert (table["random x10"]["train_accuracy"], table["random x10"]["test_accuracy"]) == (
        0.83,
        0.86,
    )
    assert table["he"]["test_accuracy"] == 0.96
    assert table["he"]["train_accuracy"] == pytest.approx(0.9933333333333333)
    assert table["he"]["final_cost"] == pytest.approx(0.07357895962677366, rel=1e-9)
    for name in ("xavier", "lecun"):
        assert table[name]["test_accuracy"] > 0.9


def test_exercise_solutions_pass_their_public_tests(run):
    """Do the filled-in Xavier and LeCun solutions print 'All tests passed.'?"""
    notebook, _ = run("03_more_initialisers.ipynb")
    printed = "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
    assert printed.count("All tests passed.") == 2


def test_explorer_builds_its_widgets_with_a_front_end(tmp_path):
    """With a front end (COURSE_HEADLESS unset), does the explorer show widgets, draw when run
    (as the Run Interact button does) and save nothing?"""
    notebook = nbformat.read(NOTEBOOKS / "02_explore_it_yourself.ipynb", as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell('explore("xavier", 0.5, 500)'))
    env = {key: value for key, value in os.environ.items() if key != "COURSE_HEADLESS"}
    env["COURSE_FIGURES_DIR"] = str(tmp_path)
    NotebookClient(notebook, kernel_name="python3", timeout=300).execute(
        cwd=str(NOTEBOOKS), env=env
    )
    kinds = {
        kind
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        for kind in output.get("data", {})
    }
    assert "application/vnd.jupyter.widget-view+json" in kinds
    assert not list(tmp_path.iterdir())
    drawn = notebook.cells[-1].outputs
    assert len([output for output in drawn if "image/png" in output.get("data", {})]) == 1
    assert "xavier x0.5: train" in "".join(output.get("text", "") for output in drawn)


@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="chromium is not installed")
def test_run_interact_retrains_in_jupyterlab(tmp_path, monkeypatch):
    """In JupyterLab in real Chromium, does choosing a scheme and pressing Run Interact
    retrain the network and draw its figure?"""
    # The browser tests' harness: a private JupyterLab and headless Chromium.
    from support import lab

    # A copy, so that JupyterLab's autosave never writes outputs into the committed notebook.
    course = tmp_path / "course"
    (course / "notebooks").mkdir(parents=True)
    for name in ("init_utils.py", "public_tests.py"):
        shutil.copy(NOTEBOOKS.parent / name, course / name)
    for path in [*NOTEBOOKS.glob("*.py"), NOTEBOOKS / "02_explore_it_yourself.ipynb"]:
        shutil.copy(path, course / "notebooks" / path.name)
    monkeypatch.delenv("COURSE_HEADLESS", raising=False)  # the server's kernels inherit it

    with (
        lab.running_lab(course, tmp_path / "scratch") as server,
        lab.chromium_page(tmp_path) as page,
    ):
        lab.open_notebook(page, server, "notebooks/02_explore_it_yourself.ipynb")
        assert lab.run_all_cells(page, timeout=240) == "true"
        images = page.locator(".jp-OutputArea-output img")
        shown = images.count()
        page.select_option(".widget-dropdown select", "lecun")
        page.click("button.widget-button")
        page.wait_for_function(
            f"() => document.querySelectorAll('.jp-OutputArea-output img').length > {shown}",
            timeout=120_000,
        )
        page.get_by_text("lecun x1: train").wait_for(timeout=30_000)
        lab.save_notebook_screenshot(page, ARTIFACTS / "companion_explorer_full.png")
