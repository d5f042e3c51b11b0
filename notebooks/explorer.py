"""Retrain the assignment's network from a chosen initialisation, and draw what happened.

The logic behind 02_explore_it_yourself.ipynb, kept here so that it can be tested
without a browser: `train_short` trains, `plot_result` draws, `save_result_figure`
writes a PNG when there is no front end to show widgets in.

Glossary: X -- (2, m); Y -- (1, m); layers_dims -- [2, 10, 5, 1];
parameters -- {"W1": (10, 2), "b1": (10, 1), "W2": (5, 10), "b2": (5, 1),
               "W3": (1, 5), "b3": (1, 1)}.
"""

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from training_loop import LAYERS_DIMS, LEARNING_RATE, train_and_score

from init_utils import load_dataset, predict_dec

ROOT = Path(__file__).resolve().parent.parent  # the course folder
SEED = 3  # the assignment's seed: scale 1 of "random" and "he" starts where the assignment does

# The standard deviation of the weights of layer l at scale 1, given n_{l-1} and n_l.
BASE_STD = {
    "zeros": lambda n_prev, n: 0.0,
    "random": lambda n_prev, n: 10.0,  # the assignment's "large random" start
    # Glorot & Bengio 2010, Var = 2 / (n_in + n_out), as in 03_more_initialisers.ipynb.
    "xavier": lambda n_prev, n: np.sqrt(2.0 / (n_prev + n)),
    # LeCun et al. 1998, Var = 1 / n_in: what the assignment's text calls Xavier.
    "lecun": lambda n_prev, n: np.sqrt(1.0 / n_prev),
    "he": lambda n_prev, n: np.sqrt(2.0 / n_prev),  # He et al. 2015
    "custom": lambda n_prev, n: 1.0,  # the scale alone sets the std
}
SCHEMES = tuple(BASE_STD)
HEADLESS_VARIABLE = "COURSE_HEADLESS"
FIGURES_VARIABLE = "COURSE_FIGURES_DIR"
# What the notebook runs when no one is there to move the sliders.
HEADLESS_SETTINGS = [("zeros", 1.0), ("random", 1.0), ("he", 1.0), ("custom", 0.1)]


def initialize(scheme, scale, layers_dims=LAYERS_DIMS):
    """Weights W^[l] = standard normal * scale * BASE_STD[scheme](n_{l-1}, n_l), biases zero.

    scheme -- one of SCHEMES; scale -- a positive float multiplying the scheme's std
    Returns parameters -- W^[l] (layers_dims[l], layers_dims[l-1]), b^[l] (layers_dims[l], 1).
    """
    if scheme not in BASE_STD:
        raise ValueError(f"unknown scheme {scheme!r}: choose one of {', '.join(SCHEMES)}")
    if not scale > 0:
        raise ValueError(f"scale must be a positive number, not {scale!r}")
    np.random.seed(SEED)
    parameters = {}
    for l in range(1, len(layers_dims)):
        n_prev, n = layers_dims[l - 1], layers_dims[l]
        std = scale * BASE_STD[scheme](n_prev, n)
        parameters[f"W{l}"] = np.random.randn(n, n_prev) * std
        parameters[f"b{l}"] = np.zeros((n, 1))
    return parameters


def train_short(scheme, scale=1.0, iterations=2_000, every=100, learning_rate=LEARNING_RATE):
    """Train the assignment's network on the circles data from the chosen start.

    Returns a dict: scheme, scale, iterations, every, costs (one float every `every`
    iterations), parameters (trained), train_accuracy, test_accuracy (floats in [0, 1]),
    and the data: train_X (2, 300), train_Y (1, 300), test_X (2, 100), test_Y (1, 100).
    """
    if int(iterations) < 1:
        raise ValueError(f"iterations must be at least 1, not {iterations!r}")
    start = initialize(scheme, scale)
    result = train_and_score(load_dataset(), start, learning_rate, int(iterations), every)
    return {
        "scheme": scheme,
        "scale": float(scale),
        "iterations": int(iterations),
        "every": every,
        **result,
    }


def describe(result):
    """'he x1: train 0.917, test 0.92, final cost 0.3512' -- one line for a result."""
    return (
        f"{result['scheme']} x{result['scale']:g}: train {result['train_accuracy']:.3f}, "
        f"test {result['test_accuracy']:.3f}, final cost {result['costs'][-1]:.4g}"
    )


def plot_cost(result, ax):
    """The cost curve; an infinite cost (a saturated start) is drawn as a gap."""
    iterations = np.arange(len(result["costs"])) * result["every"]
    costs = np.asarray(result["costs"], dtype=float)
    ax.plot(iterations, np.where(np.isfinite(costs), costs, np.nan))
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost")
    ax.set_title("Cost")


def plot_boundary(result, ax, step=0.02):
    """Shade the plane by the trained network's prediction; training points on top."""
    X, Y = result["train_X"], result["train_Y"]
    xx, yy = np.meshgrid(
        np.arange(X[0].min() - 0.5, X[0].max() + 0.5, step),
        np.arange(X[1].min() - 0.5, X[1].max() + 0.5, step),
    )
    grid = np.c_[xx.ravel(), yy.ravel()].T  # (2, k), what predict_dec takes
    with np.errstate(over="ignore"):
        Z = predict_dec(result["parameters"], grid).reshape(xx.shape)
    # The same red / blue as the points: 0 below the 0.5 level, 1 above it.
    region_colours = [plt.cm.Spectral(0.0), plt.cm.Spectral(1.0)]
    ax.contourf(xx, yy, Z.astype(float), levels=[-0.5, 0.5, 1.5], colors=region_colours, alpha=0.35)
    ax.scatter(
        X[0], X[1], c=np.ravel(Y), cmap=plt.cm.Spectral, s=12, edgecolors="k", linewidths=0.3
    )
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title("Decision boundary")


def plot_result(result, axes):
    """Draw the cost curve on axes[0] and the decision boundary on axes[1]."""
    plot_cost(result, axes[0])
    plot_boundary(result, axes[1])
    axes[0].figure.suptitle(describe(result))


def result_figure(result):
    """A new 1x2 figure of plot_result."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    plot_result(result, axes)
    fig.tight_layout()
    return fig


def is_headless():
    """True when no front end can show widgets: the tests and CI set COURSE_HEADLESS=1."""
    return os.environ.get(HEADLESS_VARIABLE, "") not in ("", "0")


def figures_dir():
    """Where headless runs save figures: $COURSE_FIGURES_DIR, else notebooks/figures."""
    return Path(os.environ.get(FIGURES_VARIABLE) or ROOT / "notebooks" / "figures")


def figure_name(scheme, scale):
    """'explorer_he_x1.png' -- a file name that says which setting it shows."""
    return f"explorer_{scheme}_x{scale:g}.png"


def save_result_figure(result, directory=None):
    """Write the 1x2 figure of a result as a PNG; returns its path."""
    directory = Path(directory) if directory else figures_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / figure_name(result["scheme"], result["scale"])
    fig = result_figure(result)
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path
