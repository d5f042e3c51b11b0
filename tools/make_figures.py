"""Draw the README's figures from the course's own code, into docs/figures/.

    .venv/bin/python -m tools.make_figures                  # write docs/figures/*.png
    .venv/bin/python -m tools.make_figures --out /tmp/figs  # (from the repository root)

The assignment's three initialisations (zeros, random x10, He, from the grader's
reference) train the [2, 10, 5, 1] network for 15,000 iterations with init_utils,
exactly as the assignment's model() does; the depth experiment is the one of
notebooks/01_why_the_scale_matters.ipynb. One PNG per topic:

    decision_boundaries.png         the three trained networks on the circles, 1x3
    cost_curves.png                 their costs, recorded every 1,000 iterations
    activation_scale_by_depth.png   std of the activations of a 50-layer ReLU net, per scheme
    class_misconceptions.png        the class report's misconceptions figure, of the demo
                                    class (the grader's corpus, tests/files/submissions,
                                    graded in the sandbox as `grade-batch --report` does)
"""

import argparse
import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display needed, none assumed

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from autograder import batch, class_report  # noqa: E402
from autograder.probe import COURSE_PROBE  # noqa: E402
from autograder.reference import initialize  # noqa: E402
from autograder.sandbox import Limits, Sandbox  # noqa: E402
from init_utils import load_dataset  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
# The notebooks' companion modules this script draws with, each after those it imports.
COMPANIONS = ("training_loop", "deep_signals", "explorer")


def load_companions():
    """The companion modules, loaded from notebooks/ under the names the notebooks import
    them by (explorer imports training_loop so), as a notebook's kernel finds them in its
    own folder. Loaded from their files: nothing is added to sys.path.
    """
    modules = []
    for name in COMPANIONS:
        spec = importlib.util.spec_from_file_location(name, NOTEBOOKS / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        modules.append(module)
    return modules


training_loop, deep_signals, explorer = load_companions()

SCHEMES = {"zeros": "zeros", "random": "random (x10)", "he": "He"}
FIGURE_NAMES = (
    "decision_boundaries.png",
    "cost_curves.png",
    "activation_scale_by_depth.png",
    "class_misconceptions.png",
)
DEFAULT_OUT = ROOT / "docs" / "figures"
# A ready class: one notebook per mistake the grader knows, correct ones among them.
DEMO_CLASS = ROOT / "tests" / "files" / "submissions"
# Its endless loops need not run for the grader's default time limit.
DEMO_LIMITS = Limits(wall_seconds=2.0, cpu_seconds=2)


def train_assignment_models():
    """Train the assignment's network from each reference initialisation.

    Returns {scheme: result}, each result a dict: costs (15 floats, every 1,000
    iterations), parameters (trained: W1 (10, 2) ... b3 (1, 1)), train_accuracy,
    test_accuracy, train_X (2, 300), train_Y (1, 300), test_X (2, 100), test_Y (1, 100).
    """
    data = load_dataset()
    layers_dims = training_loop.LAYERS_DIMS
    return {
        scheme: training_loop.train_and_score(data, initialize(scheme, layers_dims))
        for scheme in SCHEMES
    }


def draw_decision_boundaries(results):
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.2))
    for ax, (scheme, result) in zip(axes, results.items(), strict=True):
        explorer.plot_boundary(result, ax)
        ax.set_title(
            f"{SCHEMES[scheme]}: train {result['train_accuracy']:.2f}, "
            f"test {result['test_accuracy']:.2f}"
        )
    fig.suptitle("Decision boundaries after 15,000 iterations, layers_dims = [2, 10, 5, 1]")
    fig.tight_layout()
    return fig


def draw_cost_curves(results):
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for scheme, result in results.items():
        costs = np.asarray(result["costs"])
        iterations = np.arange(len(costs)) * training_loop.EVERY
        # random x10 starts at an infinite cost: a gap, not a clipped point.
        ax.plot(iterations, np.where(np.isfinite(costs), costs, np.nan), marker="o",
                markersize=3, label=SCHEMES[scheme])  # fmt: skip
    ax.set_xlabel("iteration")
    ax.set_ylabel(f"cost (recorded every {training_loop.EVERY:,} iterations)")
    ax.set_title("Training cost, learning rate 0.01")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def draw_activation_scale_by_depth():
    fig, ax = plt.subplots(figsize=(7, 4.5))
    deep_signals.plot_std_by_depth(
        deep_signals.depth_experiment(activation="relu"),
        ax,
        title="50 ReLU layers of 100 units: activation scale by depth",
    )
    fig.tight_layout()
    return fig


def copy_class_figure(path):
    """Grade the demo class as `grade-batch --report` does; copy its misconceptions figure."""
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        workers = os.cpu_count() or 1
        with Sandbox(COURSE_PROBE, workers=workers, limits=DEMO_LIMITS) as sandbox:
            done = batch.grade_batch(
                DEMO_CLASS, sandbox, scratch / "grades.csv", show_progress=False
            )
        class_report.write_class_report(scratch / "report", done, DEMO_CLASS)
        shutil.copyfile(scratch / "report" / class_report.FIGURES["misconceptions"], path)
    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB) from {len(done.rows)} notebooks")


def save(fig, path, dpi):
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB)")


def make_figures(out=DEFAULT_OUT, dpi=80):
    """Write every figure into `out` (created if needed); returns their paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    results = train_assignment_models()
    for scheme, result in results.items():
        print(
            f"{SCHEMES[scheme]:>12}: cost {result['costs'][0]:.4g} -> {result['costs'][-1]:.4g}, "
            f"train {result['train_accuracy']:.4f}, test {result['test_accuracy']:.2f}"
        )
    figures = {
        "decision_boundaries.png": draw_decision_boundaries(results),
        "cost_curves.png": draw_cost_curves(results),
        "activation_scale_by_depth.png": draw_activation_scale_by_depth(),
    }
    paths = []
    for name in FIGURE_NAMES:
        paths.append(out / name)
        if name in figures:
            save(figures[name], paths[-1], dpi)
    copy_class_figure(out / "class_misconceptions.png")
    return paths


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for the PNGs")
    parser.add_argument("--dpi", type=int, default=80, help="resolution (default 80: small files)")
    args = parser.parse_args(argv)
    if args.dpi < 20:
        parser.error(f"--dpi must be at least 20, not {args.dpi}")
    make_figures(args.out, args.dpi)


if __name__ == "__main__":
    main()
