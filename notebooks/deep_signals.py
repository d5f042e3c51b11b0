"""How the scale of the initial weights carries a signal through a deep network.

A plain stack of `depth` fully connected layers of `width` units, no biases,
the same activation everywhere. Used by 01_why_the_scale_matters.ipynb and by
tools/make_figures.py.

Glossary: X -- (width, m) inputs; weights -- list of depth arrays W^[l] of shape
(width, width); zs / activations -- lists of depth arrays of shape (width, m),
index 0 being layer 1.
"""

import numpy as np

from init_utils import relu

DEPTH, WIDTH, BATCH = 50, 100, 1000

# The standard deviation of every weight, as a function of n_{l-1} (the fan-in).
WEIGHT_STD = {
    "zeros": lambda n_prev: 0.0,
    "small (0.01)": lambda n_prev: 0.01,
    "large (1.0)": lambda n_prev: 1.0,
    # Glorot & Bengio 2010: Var(W) = 2 / (n_{l-1} + n_l), which is 1 / n_{l-1} here, where
    # every layer has the same width (and what the assignment's text calls Xavier).
    "xavier": lambda n_prev: np.sqrt(1.0 / n_prev),
    # He et al. 2015: Var(W) = 2 / n_{l-1}, twice Xavier's, because ReLU zeroes half its inputs.
    "he": lambda n_prev: np.sqrt(2.0 / n_prev),
}
SCHEMES = tuple(WEIGHT_STD)

ACTIVATIONS = {
    "relu": (relu, lambda z: (z > 0).astype(float)),
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
}


def standard_inputs(width=WIDTH, batch=BATCH, seed=0):
    """A batch of standard-normal inputs. Returns X -- (width, batch)."""
    return np.random.default_rng(seed).standard_normal((width, batch))


def deep_weights(scheme, depth=DEPTH, width=WIDTH, seed=1):
    """depth weight matrices W^[l] -- (width, width), each standard normal * WEIGHT_STD[scheme]."""
    rng = np.random.default_rng(seed)
    std = WEIGHT_STD[scheme](width)
    return [rng.standard_normal((width, width)) * std for _ in range(depth)]


def forward_signals(X, weights, activation="relu"):
    """Run X through every layer: z^[l] = W^[l] a^[l-1], a^[l] = g(z^[l]), with a^[0] = X.

    X -- (width, m). Returns (zs, activations): two lists of len(weights) arrays (width, m).
    """
    g, _ = ACTIVATIONS[activation]
    zs, activations = [], []
    a = X
    for W in weights:
        z = W @ a
        a = g(z)
        zs.append(z)
        activations.append(a)
    return zs, activations


def backward_signals(X, weights, zs, activations, activation="relu", seed=2):
    """Backpropagate a unit-scale error signal from the top layer down to layer 1.

    The loss is L = sum(G * a^[L]) / m for a fixed standard-normal G -- (width, m), so
    dL/da^[L] = G / m has the same size whatever the weights are: what happens to it
    on the way down is due to the weights alone.

    Returns (da_norms, dW_norms): two lists of len(weights) floats, index 0 being layer 1,
    the Frobenius norms of dL/da^[l] -- (width, m) and dL/dW^[l] -- (width, width).
    """
    _, g_prime = ACTIVATIONS[activation]
    m = X.shape[1]
    da = np.random.default_rng(seed).standard_normal(activations[-1].shape) / m
    da_norms, dW_norms = [], []
    for l in reversed(range(len(weights))):
        a_prev = X if l == 0 else activations[l - 1]
        dz = da * g_prime(zs[l])
        da_norms.append(float(np.linalg.norm(da)))
        dW_norms.append(float(np.linalg.norm(dz @ a_prev.T)))
        da = weights[l].T @ dz
    return da_norms[::-1], dW_norms[::-1]


def depth_experiment(schemes=SCHEMES, activation="relu", depth=DEPTH, width=WIDTH, batch=BATCH):
    """The whole experiment for each scheme, on the same inputs.

    Returns {scheme: {"std": [depth floats], "zs": [depth arrays (width, batch)],
    "da_norm": [depth floats], "dW_norm": [depth floats]}}; "std" is the standard
    deviation of the activations a^[l] of each layer, over all units and examples.
    """
    X = standard_inputs(width, batch)
    results = {}
    # The large scheme reaches ~1e40 and the small ~1e-60: both are finite in float64,
    # but their products underflow on the way, which is the point, not an error.
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        for scheme in schemes:
            weights = deep_weights(scheme, depth, width)
            zs, activations = forward_signals(X, weights, activation)
            da_norm, dW_norm = backward_signals(X, weights, zs, activations, activation)
            results[scheme] = {
                "std": [float(np.std(a)) for a in activations],
                "zs": zs,
                "da_norm": da_norm,
                "dW_norm": dW_norm,
            }
    return results


def plot_std_by_depth(results, ax, title="Activation scale by depth"):
    """One line per scheme: std of a^[l] against l, on a log axis (ax: a matplotlib Axes).

    A scheme whose activations are exactly 0 cannot be drawn on a log axis; it is named
    in a note instead.
    """
    flat = []
    for scheme, result in results.items():
        std = np.asarray(result["std"])
        if np.all(std == 0):
            flat.append(scheme)
            continue
        ax.plot(np.arange(1, len(std) + 1), std, label=scheme, linewidth=2)
    ax.set_yscale("log")
    ax.set_xlabel("layer l")
    ax.set_ylabel("std of activations a[l]")
    ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    if flat:
        ax.text(0.02, 0.02, f"{', '.join(flat)}: exactly 0 at every layer (off a log axis)",
                transform=ax.transAxes, fontsize=9)  # fmt: skip
    ax.legend(loc="best", fontsize=9)
