"""The reference initialisers. Grader-side only: never shipped to students or sandboxes.

Each returns parameters -- {"W1": (n_1, n_0), "b1": (n_1, 1), ..., "WL", "bL"}.
"""

import numpy as np

SEED = 3  # the course's seed, so that every student's "random" weights match ours


def weight_scales():
    """The factor each scheme multiplies a standard normal draw by, given n_{l-1}."""
    return {
        "random": lambda n_prev: 10.0,
        # He et al. 2015: Var(W) = 2 / n_in keeps the variance of ReLU activations
        # constant from layer to layer (ReLU zeroes half of its inputs).
        "he": lambda n_prev: np.sqrt(2.0 / n_prev),
    }


def initialize(scheme, layers_dims):
    """Reference parameters for scheme 'zeros', 'random' or 'he'."""
    parameters = {}
    if scheme != "zeros":
        np.random.seed(SEED)
    for l in range(1, len(layers_dims)):
        shape = (layers_dims[l], layers_dims[l - 1])
        if scheme == "zeros":
            parameters[f"W{l}"] = np.zeros(shape)
        else:
            parameters[f"W{l}"] = np.random.randn(*shape) * weight_scales()[scheme](shape[1])
        parameters[f"b{l}"] = np.zeros((layers_dims[l], 1))
    return parameters
