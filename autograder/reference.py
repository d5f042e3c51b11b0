"""The reference initialiser. Grader-side only: never shipped to students or sandboxes.

One function, `initialiser(knobs)`, builds every initialiser the grader needs: the right one
of each scheme (`RIGHT[scheme]`), and each mistake of the catalogue (misconceptions.py), which
is the right one with a knob turned. It draws from its own generator, never from numpy's
global one: the grader's threads and its callers keep their own random state, and the values
are the same whoever else draws meanwhile.

parameters -- {"W1": (n_1, n_0), "b1": (n_1, 1), ..., "WL", "bL"}
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

SEED = 3  # the course's seed, so that every student's "random" weights match ours


# ---- the right knobs --------------------------------------------------------


def standard_normal(generator, shape):
    """np.random.randn(rows, cols), drawn from `generator`."""
    return generator.randn(*shape)


def zeros(generator, shape):
    return np.zeros(shape)


def zero_column(generator, rows, scale):
    """b[l]: (rows, 1) zeros."""
    return np.zeros((rows, 1))


def unscaled(n_prev, n_cur):
    return 1.0


def times_ten(n_prev, n_cur):
    """The random exercise's deliberately large weights."""
    return 10.0


def he_scale(n_prev, n_cur):
    # He et al. 2015: Var(W) = 2 / n_in keeps the variance of ReLU activations
    # constant from layer to layer (ReLU zeroes half of its inputs).
    return np.sqrt(2.0 / n_prev)


def own_size(layers_dims, l):
    return layers_dims[l]


def previous_size(layers_dims, l):
    return layers_dims[l - 1]


def every_layer(count):
    """l = 1 .. L for a layers_dims of `count` entries."""
    return range(1, count)


@dataclass(frozen=True)
class Knobs:
    """How an initialiser builds its parameters; the defaults are shared by every scheme.

    draw            -- (generator, (rows, cols)) -> W[l] before scaling
    scale           -- (n_prev, n_cur) -> the factor of the draw, n_prev = layers_dims[l-1]
    bias            -- (generator, rows, scale) -> b[l]
    rows, cols      -- (layers_dims, l) -> the size used for W[l]'s rows / columns
    bias_rows       -- (layers_dims, l) -> the size used for b[l]'s rows
    layers          -- number of entries of layers_dims -> the l's the loop runs over
    seed            -- the seed of the generator, drawn from layer after layer
    seed_each_layer -- the generator is seeded again at the top of every layer
    as_int          -- the weights are cast to int
    """

    draw: Callable
    scale: Callable
    bias: Callable = zero_column
    rows: Callable = own_size
    cols: Callable = previous_size
    bias_rows: Callable = own_size
    layers: Callable = every_layer
    seed: int = SEED
    seed_each_layer: bool = False
    as_int: bool = False


RIGHT = {
    "zeros": Knobs(draw=zeros, scale=unscaled),
    "random": Knobs(draw=standard_normal, scale=times_ten),
    "he": Knobs(draw=standard_normal, scale=he_scale),
}


def initialiser(knobs):
    """The function layers_dims -> parameters that `knobs` describe.

    Its generator is its own RandomState: RandomState(3).randn draws exactly the numbers of
    np.random.seed(3); np.random.randn, without touching numpy's global generator.
    """

    def initialise(layers_dims):
        generator = np.random.RandomState(knobs.seed)
        parameters = {}
        for l in knobs.layers(len(layers_dims)):
            if knobs.seed_each_layer:
                generator = np.random.RandomState(knobs.seed)
            scale = knobs.scale(layers_dims[l - 1], layers_dims[l])
            shape = (knobs.rows(layers_dims, l), knobs.cols(layers_dims, l))
            weights = knobs.draw(generator, shape) * scale
            parameters[f"W{l}"] = weights.astype(int) if knobs.as_int else weights
            parameters[f"b{l}"] = knobs.bias(generator, knobs.bias_rows(layers_dims, l), scale)
        return parameters

    return initialise


def shapes(layers_dims):
    """{'W1': (n_1, n_0), 'b1': (n_1, 1), ...}: the right shapes for layers_dims."""
    found = {}
    for l in every_layer(len(layers_dims)):
        found[f"W{l}"] = (own_size(layers_dims, l), previous_size(layers_dims, l))
        found[f"b{l}"] = (own_size(layers_dims, l), 1)
    return found


def initialize(scheme, layers_dims):
    """Reference parameters for scheme 'zeros', 'random' or 'he'."""
    return initialiser(RIGHT[scheme])(layers_dims)
