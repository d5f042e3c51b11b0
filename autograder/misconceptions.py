"""A catalogue of the mistakes students make in the three initialisers.

Each misconception is recognised by comparison, never by reading code: the
grader builds, with numpy in its own process, what that mistake returns for the
case's layers_dims (one or a few "versions" of it), observes it exactly as the
sandbox observed the student's function (`public_tests.observe_call`), and
compares the two observations (public_tests.matches, the notebook's rule too). The student's
code is not rerun here. What ships to students is data: `render_public_mistakes` writes each
mistake's name, cause, fix and output on the public cases into public_tests.MISTAKES_FILE
(`python tools/sync_source.py`), from which the notebook's tests name the same mistakes.

A mistake is the reference initialiser (reference.py) with one or two of its knobs turned --
the draw, the scale, the bias, the seed, the sizes or the layers it uses -- so the right
answer and every mistake are one function, and a mistake differs from the right answer only
where its name says.

parameters -- {"W1": (n_1, n_0), "b1": (n_1, 1), ..., "WL", "bL"} throughout.
"""

import dataclasses
import json
from dataclasses import dataclass, field
from functools import cache

import numpy as np

import public_tests

from . import cases, reference

# Seeds a student might type instead of the course's 3.
OTHER_SEEDS = (0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 42, 123, 1234, 2020, 2021, 2022, 2023)
KNOBS = frozenset(knob.name for knob in dataclasses.fields(reference.Knobs))


def turned(**knobs):
    """A mistake: ((knob, value), ...), the knobs of reference.Knobs it turns.

    A tuple, so that a Misconception stays hashable; a misspelt knob fails here, at import.
    """
    unknown = sorted(set(knobs) - KNOBS)
    if unknown:
        raise TypeError(f"not knobs of reference.Knobs: {', '.join(unknown)}")
    return tuple(sorted(knobs.items()))


def mistaken_initialiser(scheme, mistake):
    """A grader-side function layers_dims -> parameters that makes `mistake` in `scheme`."""
    return reference.initialiser(dataclasses.replace(reference.RIGHT[scheme], **dict(mistake)))


# ---- the turned knobs: what students write instead ---------------------------


def the_stub(generator, shape):
    raise NotImplementedError()  # the release's stub, left in place


def randn_given_a_tuple(generator, shape):
    return generator.randn(shape)  # the mistake: randn takes sizes, not a shape tuple


def uniform(generator, shape):
    return generator.rand(*shape)


def ones(generator, shape):
    return np.ones(shape)


def zeros_given_two_sizes(generator, shape):
    return np.zeros(*shape)  # the mistake: np.zeros wants one shape tuple


def flat_zeros(generator, rows, scale):
    return np.zeros(rows)


def standard_normal_column(generator, rows, scale):
    return generator.randn(rows, 1)


def scaled_normal_column(generator, rows, scale):
    return generator.randn(rows, 1) * scale


def small_normal_column(generator, rows, scale):
    return generator.randn(rows, 1) * 0.01


def zero_column_given_two_sizes(generator, rows, scale):
    return np.zeros(rows, 1)


def first_layer_size(layers_dims, l):
    return layers_dims[1]


def constant(factor):
    """A scale knob: `factor` whatever the layer's sizes."""
    return lambda n_prev, n_cur: factor


@dataclass(frozen=True)
class Misconception:
    """A named mistake: what it is, how to fix it, and the versions that produce it.

    versions      -- mistakes (see `turned`) whose output is compared with the student's
    calls_differ  -- recognised on a seeding case: the student's two calls differ
    unseeded      -- the mistake draws without a seed, so the weights are compared by
                     their spread (root mean square), not value by value
    """

    name: str
    schemes: tuple
    cause: str
    fix: str
    versions: tuple = field(default_factory=tuple)
    calls_differ: bool = False
    unseeded: bool = False

    def made(self, case):
        """What the versions of this mistake return on the case, observed (see public_tests)."""
        return mistaken_observations(self, case)


ALL = public_tests.SCHEMES
# The schemes whose weights are drawn at random (all but zeros).
RANDOM = tuple(scheme for scheme in public_tests.SCHEMES if scheme != "zeros")

CATALOGUE = (
    Misconception(
        "unanswered_stub",
        ALL,
        "the function is not implemented yet (it still raises the stub's NotImplementedError)",
        "under `# YOUR CODE HERE`, replace `raise NotImplementedError()` with your code",
        (turned(draw=the_stub),),
    ),
    Misconception(
        "layers_dims_1_for_l",
        ALL,
        "W[l] gets its rows from layers_dims[1] in every layer, instead of layers_dims[l]",
        "use layers_dims[l] (the layer's own size) for the rows of W[l] and b[l]",
        (turned(rows=first_layer_size, bias_rows=first_layer_size),),
    ),
    Misconception(
        "transposed_weights",
        ALL,
        "W[l] is transposed: (layers_dims[l-1], layers_dims[l]) instead of "
        "(layers_dims[l], layers_dims[l-1])",
        "W[l] has one row per unit of layer l and one column per unit of layer l-1",
        (turned(rows=reference.previous_size, cols=reference.own_size),),
    ),
    Misconception(
        "flat_biases",
        ALL,
        "the biases are 1-D arrays of shape (n,) instead of column vectors (n, 1)",
        "create them with np.zeros((layers_dims[l], 1)) -- note the double parentheses",
        (turned(bias=flat_zeros),),
    ),
    Misconception(
        "missing_last_layer",
        ALL,
        "the loop stops one layer early, so the output layer WL, bL is never created",
        "loop over range(1, len(layers_dims)): the last l is len(layers_dims) - 1",
        (turned(layers=lambda count: range(1, count - 1)),),
    ),
    Misconception(
        "layer_off_by_one",
        ALL,
        "the loop over layers is off by one: it starts at l = 0 (W0 uses layers_dims[-1]) "
        "or runs past the last layer (layers_dims[L+1] does not exist)",
        "layers_dims[0] is the input size, not a layer: l runs from 1 to len(layers_dims) - 1",
        (
            turned(layers=lambda count: range(0, count)),
            turned(layers=lambda count: range(1, count + 1)),
        ),
    ),
    Misconception(
        "missing_times_ten",
        ("random",),
        "the weights are standard normal draws without the factor 10",
        "this exercise uses deliberately large weights: np.random.randn(...) * 10",
        (turned(scale=reference.unscaled),),
    ),
    Misconception(
        "wrong_scale_on_he",
        ("he",),
        "He weights are scaled by a constant (x10, or nothing at all) instead of "
        "np.sqrt(2 / layers_dims[l-1])",
        "He initialisation multiplies by np.sqrt(2 / layers_dims[l-1]), which depends on the layer",
        (
            turned(scale=reference.times_ten),
            turned(scale=reference.unscaled),
        ),
    ),
    Misconception(
        "small_scale_0_01",
        RANDOM,
        "the weights are scaled by 0.01, the small-random recipe of the previous course",
        "follow this exercise's scale: x10 for the random exercise, "
        "np.sqrt(2 / layers_dims[l-1]) for He",
        (turned(scale=constant(0.01)),),
    ),
    Misconception(
        "uniform_rand",
        RANDOM,
        "np.random.rand draws uniform numbers in [0, 1) -- all positive -- "
        "instead of np.random.randn's standard normal",
        "use np.random.randn (with an n) for normally distributed weights",
        (turned(draw=uniform),),
    ),
    Misconception(
        "randn_given_a_tuple",
        RANDOM,
        "np.random.randn was given a shape tuple, but it takes the sizes as separate arguments",
        "write np.random.randn(layers_dims[l], layers_dims[l-1]) without the extra parentheses",
        (turned(draw=randn_given_a_tuple),),
    ),
    Misconception(
        "zeros_given_two_arguments",
        ALL,
        "np.zeros was given two sizes, but it takes one shape tuple (its second argument "
        "is the dtype)",
        "write np.zeros((rows, columns)) with double parentheses",
        (turned(draw=zeros_given_two_sizes), turned(bias=zero_column_given_two_sizes)),
    ),
    Misconception(
        "no_seed",
        RANDOM,
        "the function does not seed numpy's generator, so every call returns different weights",
        "call np.random.seed(3) once, at the top of the function, before the loop",
        calls_differ=True,
    ),
    Misconception(
        "seed_inside_loop",
        RANDOM,
        "np.random.seed(3) is called inside the loop, so every layer restarts the same stream "
        "of random numbers",
        "seed once, before the loop, so each layer continues the stream",
        (turned(seed_each_layer=True),),
    ),
    Misconception(
        "wrong_seed",
        RANDOM,
        "the generator is seeded with a number other than the course's 3",
        "use np.random.seed(3) so that your random weights match the expected ones",
        tuple(turned(seed=seed) for seed in OTHER_SEEDS),
    ),
    Misconception(
        "random_biases",
        RANDOM,
        "the biases are random; they should start at zero (the random weights already "
        "break the symmetry), and drawing them also shifts the weights of the next layers",
        "b[l] = np.zeros((layers_dims[l], 1))",
        (
            turned(bias=scaled_normal_column),
            turned(bias=standard_normal_column),
            turned(bias=small_normal_column),
        ),
    ),
    Misconception(
        "xavier_instead_of_he",
        ("he",),
        "the weights use Xavier's np.sqrt(1 / layers_dims[l-1]) instead of He's "
        "np.sqrt(2 / layers_dims[l-1])",
        "He initialisation, for ReLU layers, has a 2 in the numerator",
        (turned(scale=lambda n_prev, n_cur: np.sqrt(1.0 / n_prev)),),
    ),
    Misconception(
        "fan_out_instead_of_fan_in",
        ("he",),
        "the scale uses the layer's own size, np.sqrt(2 / layers_dims[l]), instead of the "
        "previous layer's",
        "He scales by the number of inputs of the layer: np.sqrt(2 / layers_dims[l-1])",
        (turned(scale=lambda n_prev, n_cur: np.sqrt(2.0 / n_cur)),),
    ),
    Misconception(
        "no_square_root",
        ("he",),
        "the scale is 2 / layers_dims[l-1] without the square root",
        "2 / n is the variance; multiply the draws by its square root, "
        "np.sqrt(2 / layers_dims[l-1])",
        (turned(scale=lambda n_prev, n_cur: 2.0 / n_prev),),
    ),
    Misconception(
        "square_root_of_numerator_only",
        ("he",),
        "the scale is np.sqrt(2) / layers_dims[l-1]: only the 2 is under the square root",
        "put the whole fraction inside: np.sqrt(2 / layers_dims[l-1])",
        (turned(scale=lambda n_prev, n_cur: np.sqrt(2.0) / n_prev),),
    ),
    Misconception(
        "integer_division",
        ("he",),
        "the scale uses integer division 2 // layers_dims[l-1], which is 0 for layers wider than 2",
        "use true division: np.sqrt(2 / layers_dims[l-1])",
        (turned(scale=lambda n_prev, n_cur: np.sqrt(2 // n_prev)),),
    ),
    Misconception(
        "integer_weights",
        ALL,
        "the weights are integers (dtype=int or .astype(int)), which truncates every value",
        "keep the default float dtype",
        (turned(as_int=True),),
    ),
    Misconception(
        "random_weights_in_zeros",
        ("zeros",),
        "the zeros exercise returns random weights (He, x10 or x0.01)",
        "every weight of this exercise is 0 (np.zeros): the point is to watch it fail to learn",
        (
            turned(draw=reference.standard_normal, scale=reference.he_scale),
            turned(draw=reference.standard_normal, scale=reference.times_ten),
            turned(draw=reference.standard_normal, scale=constant(0.01)),
        ),
        unseeded=True,
    ),
    Misconception(
        "ones_instead_of_zeros",
        ("zeros",),
        "the weights are ones (np.ones) instead of zeros",
        "use np.zeros((layers_dims[l], layers_dims[l-1]))",
        (turned(draw=ones),),
    ),
    Misconception(
        "constant_weights",
        RANDOM,
        "every weight has the same value (np.zeros or np.ones, scaled or not) instead of a "
        "random draw, so every unit of a layer computes the same thing and symmetry is never "
        "broken",
        "draw the weights with np.random.randn(layers_dims[l], layers_dims[l-1]) times this "
        "exercise's scale",
        (
            turned(draw=reference.zeros),
            turned(draw=ones, scale=reference.unscaled),
            turned(draw=ones),
        ),
    ),
)

BY_NAME = {misconception.name: misconception for misconception in CATALOGUE}


# --------------------------------------------------------------------------
# Recognising a misconception in a failed case: public_tests' one definition of the match,
# with each mistake's output computed here (the notebook reads it from MISTAKES_FILE).
# --------------------------------------------------------------------------


@cache
def mistaken_observation(name, version, scheme, layers_dims):
    """What version `version` of misconception `name` returns for layers_dims, observed."""
    mistake = BY_NAME[name].versions[version]
    return public_tests.observe_call(mistaken_initialiser(scheme, mistake), list(layers_dims))


def mistaken_observations(misconception, case):
    """Each version's observation on the case, computed (and cached) only when compared."""
    dims = tuple(case.layers_dims)
    for index in range(len(misconception.versions)):
        yield mistaken_observation(misconception.name, index, case.scheme, dims)


def matches(misconception, case, observations):
    return public_tests.matches(misconception, case, observations)


def compute_ahead(cases):
    """Compute (and cache) every mistaken observation `matches` may compare these cases with.

    Some 50 ms for the whole assignment, which recognising the first failed notebook would
    otherwise pay after its jobs: the grader calls this while its sandbox starts.
    """
    for case in cases:
        if case.kind != public_tests.VALUES:
            continue
        for misconception in CATALOGUE:
            if case.scheme in misconception.schemes and not misconception.calls_differ:
                for _ in mistaken_observations(misconception, case):
                    pass


def recognise(case, observations):
    """The first misconception of the catalogue that explains a failed case, or None."""
    return public_tests.recognise(CATALOGUE, case, observations)


def recognised(cases, observations, verdicts):
    """[(misconception, case name)] for the failed cases, each once (public_tests' rule)."""
    return public_tests.recognised_mistakes(CATALOGUE, cases, observations, verdicts)


def explain(misconception):
    """One line for the student, as the notebook prints it."""
    return public_tests.explain(misconception)


# --------------------------------------------------------------------------
# What ships to students: each mistake's words and its output on the public cases, as data.
# --------------------------------------------------------------------------


# A mistaken value this close to a hidden case's expected value is withheld from the shipped
# file (five significant digits, the closest any feedback prints a value).
WITHHOLD_RTOL = 1e-5


def values_of(case_list):
    arrays = [np.ravel(value) for case in case_list for value in case.expected.values()]
    return np.concatenate(arrays) if arrays else np.zeros(0)


@cache
def hidden_only_values():
    """The hidden cases' nonzero expected values that no public case's expected values share.

    Some mistakes return on a public case what a hidden case expects (a random bias shifts the
    stream; fan-out scales by another layer's size): those values are the hidden cases' secret.
    """
    public = values_of(
        case for scheme in public_tests.SCHEMES for case in public_tests.public_cases(scheme)
    )
    hidden = values_of(
        case for scheme in public_tests.SCHEMES for case in cases.hidden_cases(scheme)
    )
    hidden = np.unique(hidden[hidden != 0])
    shared = np.isclose(hidden[:, None], public[None, :], rtol=WITHHOLD_RTOL, atol=0).any(axis=1)
    return hidden[~shared]


def withheld(flat):
    """Which entries of a flat float array are hidden-only values (True: withhold it)."""
    secret = hidden_only_values()
    if flat.dtype.kind != "f" or not flat.size or not secret.size:
        return np.zeros(flat.shape, dtype=bool)
    return np.isclose(flat[:, None], secret[None, :], rtol=WITHHOLD_RTOL, atol=0).any(axis=1)


def entry_data(value):
    """An observed entry as JSON: a type name, or an array's dtype, shape and flat values, a
    withheld value written as null (public_tests.same_entry compares the others)."""
    if isinstance(value, str):
        return value
    flat = value.ravel()
    hide = withheld(flat)
    values = [None if secret else item for item, secret in zip(flat.tolist(), hide, strict=True)]
    return {"dtype": value.dtype.str, "shape": list(value.shape), "values": values}


def observation_data(observation):
    """The parts of an observation that public_tests.same_observation compares."""
    return {
        "raised": observation["raised"],
        "returned": observation["returned"],
        "entries": {key: entry_data(value) for key, value in observation["entries"].items()},
    }


def tells_something(data):
    """Does the shipped observation keep a weight to compare (or is it an error or no dict)?"""
    weights = [entry for key, entry in data["entries"].items() if key.startswith("W")]
    if data["raised"] is not None or not weights:
        return True
    return any(
        isinstance(entry, str) or any(item is not None for item in entry["values"])
        for entry in weights
    )


def public_outputs(misconception):
    """{case key: [observation data, ...]} of the mistake on every public values case.

    An observation whose every weight is withheld is left out: it would match anything.
    """
    outputs = {}
    if misconception.calls_differ:
        return outputs  # recognised from the student's two calls alone
    for scheme in misconception.schemes:
        for case in public_tests.public_cases(scheme):
            if case.kind == public_tests.VALUES:
                observed = map(observation_data, mistaken_observations(misconception, case))
                outputs[public_tests.case_key(case)] = list(filter(tells_something, observed))
    return outputs


def render_public_mistakes():
    """The text of public_tests.MISTAKES_FILE: the catalogue's words and public outputs.

    Data only: no code that computes an initialisation ships to students, the outputs cover
    the public cases only, whose expected values the notebook shows anyway, and a value that a
    hidden case expects is withheld.
    """
    mistakes = [
        {
            "name": misconception.name,
            "schemes": list(misconception.schemes),
            "cause": misconception.cause,
            "fix": misconception.fix,
            "calls_differ": misconception.calls_differ,
            "unseeded": misconception.unseeded,
            "outputs": public_outputs(misconception),
        }
        for misconception in CATALOGUE
    ]
    about = (
        "Written by `python tools/sync_source.py` from autograder/misconceptions.py: what each "
        "catalogued mistake returns on the public cases, for the notebook's tests to name it."
    )
    # One mistake a line, so that a change of the catalogue reads as a diff of its lines;
    # allow_nan=False: the file stays standard JSON (no mistake makes NaN on a public case).
    lines = [json.dumps(mistake, allow_nan=False, separators=(",", ":")) for mistake in mistakes]
    return f'{{"about": {json.dumps(about)},\n"mistakes": [\n' + ",\n".join(lines) + "\n]}\n"
