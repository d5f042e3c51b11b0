"""The assignment's training loop, shared by the companion notebooks and tools/make_figures.py.

The assignment's notebook keeps its `model()` loop inline for students to read;
this is the same loop (forward, cost, backward, update, with init_utils), with
the initial parameters passed in so that any initialiser can be compared.

Glossary: X -- (n_x, m); Y -- (1, m); parameters -- {"W1": (n_1, n_x), "b1": (n_1, 1), ...}.
"""

import numpy as np

from init_utils import (
    backward_propagation,
    compute_loss,
    forward_propagation,
    update_parameters,
)

LAYERS_DIMS = [2, 10, 5, 1]
LEARNING_RATE = 0.01
NUM_ITERATIONS = 15_000
EVERY = 1_000


def train(
    X, Y, parameters, learning_rate=LEARNING_RATE, num_iterations=NUM_ITERATIONS, every=EVERY
):
    """Plain gradient descent on the 3-layer network, from the given parameters.

    X          -- (n_x, m)
    Y          -- (1, m)
    parameters -- W1 (n_1, n_x), b1 (n_1, 1), W2 (n_2, n_1), b2 (n_2, 1), W3 (1, n_2), b3 (1, 1)

    Returns (parameters, costs): the trained parameters (same shapes) and the cost
    recorded before the update of every `every`-th iteration (0, every, 2*every, ...),
    as the assignment's model() records it.
    """
    costs = []
    # A large start saturates the sigmoid: exp overflow and log(0) are expected there.
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        for i in range(num_iterations):
            a3, cache = forward_propagation(X, parameters)
            cost = compute_loss(a3, Y)
            grads = backward_propagation(X, Y, cache)
            parameters = update_parameters(parameters, grads, learning_rate)
            if i % every == 0:
                costs.append(float(cost))
    return parameters, costs


def accuracy(X, Y, parameters):
    """Fraction of examples whose prediction (a3 > 0.5) equals the label, silently.

    X -- (n_x, m); Y -- (1, m). Returns a float in [0, 1].
    """
    a3, _ = forward_propagation(X, parameters)
    return float(np.mean((a3 > 0.5)[0, :] == Y[0, :]))


def train_and_score(
    data, parameters, learning_rate=LEARNING_RATE, num_iterations=NUM_ITERATIONS, every=EVERY
):
    """Train from the given parameters and measure the result on both sets.

    data       -- (train_X (2, 300), train_Y (1, 300), test_X (2, 100), test_Y (1, 100)),
                  as init_utils.load_dataset() returns them
    parameters -- the starting parameters, as for train()

    Returns a dict: costs, parameters (trained), train_accuracy, test_accuracy, and
    the data as train_X, train_Y, test_X, test_Y.
    """
    train_X, train_Y, test_X, test_Y = data
    parameters, costs = train(train_X, train_Y, parameters, learning_rate, num_iterations, every)
    return {
        "costs": costs,
        "parameters": parameters,
        "train_accuracy": accuracy(train_X, train_Y, parameters),
        "test_accuracy": accuracy(test_X, test_Y, parameters),
        "train_X": train_X,
        "train_Y": train_Y,
        "test_X": test_X,
        "test_Y": test_Y,
    }
