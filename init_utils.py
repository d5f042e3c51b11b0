"""Helpers for the Initialization assignment: data, the 3-layer network, plots.

The network is LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID. Students
write only the initialisers; everything here is given to them.

Glossary (used the same way in the notebooks, the tests and the autograder):
    X           -- inputs, (n_x, m); here n_x = 2, the two coordinates of a point
    Y           -- labels, (1, m); 0 for red, 1 for blue
    m           -- number of examples
    layers_dims -- [n_x, n_1, ..., n_L]; layers_dims[l] is the size of layer l
    parameters  -- {"W1": (n_1, n_0), "b1": (n_1, 1), ..., "WL", "bL"}
    grads       -- {"dW1": like W1, "db1": like b1, ...}

The arithmetic follows the original course helpers operation for operation, so
that a correct He initialisation reproduces the published costs to ~1e-15.
"""

import importlib
import sys

import numpy as np

TRAIN_SEED, TEST_SEED = 1, 2
TRAIN_SIZE, TEST_SIZE = 300, 100
NOISE = 0.05


def sigmoid(x):
    """Logistic function, elementwise.

    x -- scalar or numpy array of any shape
    Returns s = 1 / (1 + exp(-x)), same shape as x.
    """
    return 1 / (1 + np.exp(-x))


def relu(x):
    """Rectified linear unit, elementwise.

    x -- scalar or numpy array of any shape
    Returns max(0, x), same shape as x.
    """
    return np.maximum(0, x)


def load_dataset():
    """The "circles" data: red points on an outer ring, blue on an inner one.

    Draws exactly the original points: make_circles is driven by numpy's global
    generator, seeded with 1 for the training set and 2 for the test set.

    Returns:
    train_X -- (2, 300)
    train_Y -- (1, 300), integer labels 0 / 1
    test_X  -- (2, 100)
    test_Y  -- (1, 100)
    """
    import sklearn.datasets  # here, not at the top: see __getattr__

    np.random.seed(TRAIN_SEED)
    train_X, train_Y = sklearn.datasets.make_circles(n_samples=TRAIN_SIZE, noise=NOISE)
    np.random.seed(TEST_SEED)
    test_X, test_Y = sklearn.datasets.make_circles(n_samples=TEST_SIZE, noise=NOISE)
    return train_X.T, train_Y.reshape(1, -1), test_X.T, test_Y.reshape(1, -1)


def plot_dataset(X, Y, title=None):
    """Scatter the points, coloured by label.

    X -- (2, m)
    Y -- (1, m)
    """
    import matplotlib.pyplot as plt

    plt.scatter(X[0, :], X[1, :], c=np.ravel(Y), s=40, cmap=plt.cm.Spectral)
    if title:
        plt.title(title)
    plt.show()


def forward_propagation(X, parameters):
    """LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID.

    X          -- (n_x, m)
    parameters -- W1 (n_1, n_x), b1 (n_1, 1), W2 (n_2, n_1), b2 (n_2, 1),
                  W3 (1, n_2), b3 (1, 1)

    Returns:
    a3    -- (1, m), the predicted probability of the blue class
    cache -- (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3), for backpropagation
    """
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]

    z1 = np.dot(W1, X) + b1
    a1 = relu(z1)
    z2 = np.dot(W2, a1) + b2
    a2 = relu(z2)
    z3 = np.dot(W3, a2) + b3
    a3 = sigmoid(z3)

    cache = (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3)
    return a3, cache


def backward_propagation(X, Y, cache):
    """Gradients of the mean cross-entropy cost with respect to every parameter.

    X     -- (n_x, m)
    Y     -- (1, m)
    cache -- as returned by forward_propagation

    Returns grads -- dW1..dW3 and db1..db3 shaped like the parameters, and the
    intermediate dz1..dz3, da1, da2 shaped like z1..z3, a1, a2.
    """
    m = X.shape[1]
    (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3) = cache

    # For sigmoid + cross-entropy, dL/dz3 simplifies to (a3 - Y), averaged over m.
    dz3 = 1.0 / m * (a3 - Y)
    dW3 = np.dot(dz3, a2.T)
    db3 = np.sum(dz3, axis=1, keepdims=True)

    da2 = np.dot(W3.T, dz3)
    dz2 = np.multiply(da2, np.int64(a2 > 0))  # ReLU passes the gradient where it was active
    dW2 = np.dot(dz2, a1.T)
    db2 = np.sum(dz2, axis=1, keepdims=True)

    da1 = np.dot(W2.T, dz2)
    dz1 = np.multiply(da1, np.int64(a1 > 0))
    dW1 = np.dot(dz1, X.T)
    db1 = np.sum(dz1, axis=1, keepdims=True)

    return {
        "dz3": dz3, "dW3": dW3, "db3": db3,
        "da2": da2, "dz2": dz2, "dW2": dW2, "db2": db2,
        "da1": da1, "dz1": dz1, "dW1": dW1, "db1": db1,
    }  # fmt: skip


def update_parameters(parameters, grads, learning_rate):
    """One step of gradient descent: W[l] -= learning_rate * dW[l], likewise b[l].

    parameters    -- W1..WL, b1..bL
    grads         -- dW1..dWL, db1..dbL, shaped like the parameters
    learning_rate -- float

    Returns the updated parameters (a new dict; the arrays are new arrays).
    """
    n_layers = len(parameters) // 2
    updated = dict(parameters)
    for l in range(1, n_layers + 1):
        updated[f"W{l}"] = parameters[f"W{l}"] - learning_rate * grads[f"dW{l}"]
        updated[f"b{l}"] = parameters[f"b{l}"] - learning_rate * grads[f"db{l}"]
    return updated


def compute_loss(a3, Y):
    """Mean cross-entropy cost.

    a3 -- (1, m), predicted probabilities
    Y  -- (1, m), true labels

    Returns the cost, a float. np.nansum drops the 0 * log(0) = nan terms that
    saturated sigmoids produce, so one such example does not poison the mean;
    a confident wrong answer still costs inf, as it should.
    """
    m = Y.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    return 1.0 / m * np.nansum(logprobs)


def predict(X, Y, parameters):
    """Predict labels with the trained network and print the accuracy.

    X          -- (n_x, m)
    Y          -- (1, m), true labels
    parameters -- W1..W3, b1..b3

    Returns p -- (1, m), integer predictions 0 / 1. Prints "Accuracy: <mean>".
    """
    a3, _ = forward_propagation(X, parameters)
    p = (a3 > 0.5).astype(np.int64)
    print("Accuracy: " + str(np.mean(p[0, :] == Y[0, :])))
    return p


def predict_dec(parameters, X):
    """Boolean predictions, for drawing the decision boundary.

    parameters -- W1..W3, b1..b3
    X          -- (n_x, m)

    Returns (1, m) booleans, True for the blue class.
    """
    a3, _ = forward_propagation(X, parameters)
    return a3 > 0.5


def plot_decision_boundary(model, X, Y, step=0.01):
    """Shade the plane by the model's prediction and scatter the points on top.

    model -- function taking points of shape (k, 2) and returning k predictions
    X     -- (2, m)
    Y     -- (1, m)
    step  -- grid spacing of the shaded plane
    """
    import matplotlib.pyplot as plt

    x_min, x_max = X[0, :].min() - 1, X[0, :].max() + 1
    y_min, y_max = X[1, :].min() - 1, X[1, :].max() + 1
    xx, yy = np.meshgrid(np.arange(x_min, x_max, step), np.arange(y_min, y_max, step))
    Z = np.asarray(model(np.c_[xx.ravel(), yy.ravel()])).reshape(xx.shape)
    plt.contourf(xx, yy, Z, cmap=plt.cm.Spectral)
    plt.ylabel("x2")
    plt.xlabel("x1")
    plt.scatter(X[0, :], X[1, :], c=np.ravel(Y), cmap=plt.cm.Spectral)
    plt.show()


def plot_costs(costs, learning_rate, every=1000):
    """Draw the cost curve recorded during training.

    costs         -- list of floats, one every `every` iterations
    learning_rate -- shown in the title
    every         -- iterations between two recorded costs
    """
    import matplotlib.pyplot as plt

    plt.plot(np.arange(len(costs)) * every, costs)
    plt.ylabel("cost")
    plt.xlabel("iterations")
    plt.title(f"Learning rate = {learning_rate} (cost recorded every {every:,} iterations)")
    plt.show()


# matplotlib and scikit-learn take about a second to import and the grader needs neither,
# so the functions above import them when called. `plt` and `sklearn` stay names of this
# module for the notebooks that use them after `from init_utils import *`.
LAZY_MODULES = {"plt": "matplotlib.pyplot", "sklearn": "sklearn.datasets"}


def __getattr__(name):
    """The module behind a name of LAZY_MODULES, imported on first use (PEP 562)."""
    if name not in LAZY_MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(LAZY_MODULES[name])
    return sys.modules["sklearn"] if name == "sklearn" else module


__all__ = sorted(
    {
        name
        for name in dir()
        if not name.startswith("_") and name not in ("importlib", "sys", "LAZY_MODULES")
    }
    | set(LAZY_MODULES)
)
