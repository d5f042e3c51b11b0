"""Does the depth experiment show what 01_why_the_scale_matters.ipynb says it shows?"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from deep_signals import (  # noqa: E402
    DEPTH,
    WIDTH,
    backward_signals,
    deep_weights,
    depth_experiment,
    forward_signals,
    plot_std_by_depth,
)


@pytest.fixture(scope="module")
def relu_results():
    # A smaller batch than the notebook's: the scale per layer does not depend on it.
    return depth_experiment(activation="relu", batch=200)


def test_he_holds_the_scale_while_small_vanishes_and_large_explodes(relu_results):
    """Through 50 ReLU layers, does He stay within 3x of layer 1, 0.01 vanish, 1.0 explode?"""
    he = relu_results["he"]["std"]
    assert 1 / 3 < he[-1] / he[0] < 3
    assert relu_results["small (0.01)"]["std"][-1] < 1e-10
    assert relu_results["large (1.0)"]["std"][-1] > 1e10
    assert relu_results["zeros"]["std"] == [0.0] * DEPTH


@pytest.mark.parametrize(
    "scheme, sigma",
    [("small (0.01)", 0.01), ("large (1.0)", 1.0), ("xavier", 0.1), ("he", np.sqrt(0.02))],
)
def test_factor_per_layer_matches_the_derivation(relu_results, scheme, sigma):
    """Is the mean factor per layer close to sqrt(n * sigma^2 / 2), as derived for ReLU?"""
    std = np.array(relu_results[scheme]["std"])
    measured = (std[-1] / std[0]) ** (1 / (DEPTH - 1))
    assert measured == pytest.approx(np.sqrt(WIDTH * sigma**2 / 2), rel=0.05)


def test_backward_norms_match_finite_differences():
    """Is ||dL/dW[1]|| what finite differences of L = sum(G * a[L]) / m give?"""
    X = np.random.default_rng(5).standard_normal((4, 6))
    weights = deep_weights("he", depth=3, width=4)
    G = np.random.default_rng(2).standard_normal((4, 6))  # the signal backward_signals draws

    def loss(W1):
        _, activations = forward_signals(X, [W1, *weights[1:]], "tanh")
        return np.sum(G * activations[-1]) / X.shape[1]

    numeric = np.zeros_like(weights[0])
    for index in np.ndindex(numeric.shape):
        step = np.zeros_like(numeric)
        step[index] = 1e-6
        numeric[index] = (loss(weights[0] + step) - loss(weights[0] - step)) / 2e-6
    zs, activations = forward_signals(X, weights, "tanh")
    _, dW_norms = backward_signals(X, weights, zs, activations, "tanh")
    assert dW_norms[0] == pytest.approx(np.linalg.norm(numeric), rel=1e-6)


def test_plot_names_the_all_zero_scheme_instead_of_drawing_it(relu_results):
    """Is every scheme but zeros a line, and zeros named in a note (it has no log value)?"""
    fig, ax = plt.subplots()
    plot_std_by_depth(relu_results, ax)
    assert [line.get_label() for line in ax.get_lines()] == [
        "small (0.01)",
        "large (1.0)",
        "xavier",
        "he",
    ]
    assert any("zeros" in text.get_text() for text in ax.texts)
    plt.close(fig)
