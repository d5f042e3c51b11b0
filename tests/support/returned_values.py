"""Hypothesis strategies: what a graded function can return, as the grader observes it.

An observation is the dict of `public_tests.observe_call` (after the sandbox's channel):
raised, returned, entries {key: ndarray or type name}, bad_keys, layers_dims_after. The
strategies draw right answers, right answers spoiled one way or another (NaN, inf, constants,
a nudge, another dtype, another shape, a missing or odd key), and arbitrary junk, so that
properties can be stated about passing as well as failing.

`is_right(case, observations)` is the oracle the properties compare the judge with, written
independently of public_tests: every parameter present, float, of the right shape, close to
the expected values; nothing raised; layers_dims left alone; both calls of a seeding case equal.
"""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import public_tests
from autograder import cases

ALL_CASES = [case for scheme in public_tests.SCHEMES for case in cases.all_cases(scheme)]
DTYPES = [
    "bool",
    "int8",
    "int64",
    "uint8",
    "uint64",
    "float16",
    "float32",
    "float64",
]
TYPE_NAMES = [
    "list",
    "NoneType",
    "int",
    "float",
    "str",
    "ndarray of object",
    "ndarray of complex128",
]
ODD_KEYS = ["W0", "b0", "W", "w1", "W1 ", "Ｗ1", "W\u202e1", "\x1b[2J", "", "W99", "b-1"]


def one_line(max_size=40):
    """Text as the channel admits it for errors, type names and keys: no line breaks."""
    return st.text(st.characters(blacklist_characters="\n\r"), max_size=max_size)


def any_array(shape=None):
    """An ndarray of any whitelisted dtype; any small shape unless one is given."""
    shapes = st.just(shape) if shape is not None else hnp.array_shapes(min_dims=0, max_dims=3)
    return st.sampled_from(DTYPES).flatmap(
        lambda dtype: hnp.arrays(np.dtype(dtype), shapes, elements=elements_of(dtype))
    )


def elements_of(dtype):
    if dtype.startswith("float"):
        width = int(dtype[5:])
        return st.floats(allow_nan=True, allow_infinity=True, width=width)
    return None  # hypothesis' default for the dtype


def wrong_values(array):
    """Strategies for wrong values of the array's shape and dtype: non-finite, constant,
    nudged."""
    return [
        st.just(np.full_like(array, np.nan)),
        st.just(np.full_like(array, np.inf)),
        st.just(np.zeros_like(array)),
        st.just(np.ones_like(array)),
        st.floats(-1e6, 1e6).map(lambda value: np.full_like(array, value)),
        st.floats(1e-9, 1e-3).map(lambda nudge: array + nudge),
    ]


def spoiled(array):
    """The array made wrong (or left right) in one of the ways students and attackers do."""
    return st.one_of(
        st.just(array.copy()),
        *wrong_values(array),
        st.just(array.astype(np.float32)),
        st.just(array.astype(np.float16)),
        st.just(array.astype(np.int64)),
        st.just(array.T.copy()),
        st.just(array.reshape(-1)),
        any_array(array.shape),
        any_array(),
        st.sampled_from(TYPE_NAMES),
    )


def right_entries(case):
    return {key: np.array(value, copy=True) for key, value in case.expected.items()}


@st.composite
def entries_for(draw, case):
    """A returned dict's entries: the expected ones, each maybe spoiled, maybe odd keys."""
    entries = {}
    for key, value in right_entries(case).items():
        if draw(st.booleans()):
            entries[key] = value
        elif draw(st.integers(0, 9)):
            entries[key] = draw(spoiled(value))
    for key in draw(st.lists(st.sampled_from(ODD_KEYS), max_size=2)):
        entries[key] = draw(st.one_of(any_array(), st.sampled_from(TYPE_NAMES)))
    if draw(st.integers(0, 9)) == 0:
        keys = list(entries)
        entries = {key: entries[key] for key in draw(st.permutations(keys))}
    return entries


def same_shape_spoils(array):
    """Wrong values of the right shape and dtype: the answers that must not earn points."""
    return st.one_of(
        *wrong_values(array),
        st.floats(0.5, 2.0).map(lambda factor: array * factor),
        st.just(-array),
    )


@st.composite
def wrong_weights(draw, case):
    """A clean call whose weights have the right shape but (maybe) not the right values."""
    entries = right_entries(case)
    for key in entries:
        if key.startswith("W") and draw(st.booleans()):
            entries[key] = draw(same_shape_spoils(entries[key]))
    return clean_call(case, entries)


def clean_call(case, entries):
    return {
        "raised": None,
        "returned": "dict",
        "entries": entries,
        "bad_keys": [],
        "layers_dims_after": list(case.layers_dims),
    }


@st.composite
def any_call(draw, case):
    """A call's observation with anything wrong: errors, types, keys, dtypes, shapes."""
    dims = list(case.layers_dims)
    raised = draw(st.one_of(st.none(), st.none(), one_line()))
    returned = draw(st.sampled_from(["dict", "dict", "dict", *TYPE_NAMES]))
    entries = draw(entries_for(case)) if returned == "dict" else {}
    after = draw(
        st.one_of(
            st.just(dims),
            st.just(dims),
            st.lists(st.one_of(st.integers(-3, 9), one_line(5)), max_size=6),
        )
    )
    return {
        "raised": raised,
        "returned": returned,
        "entries": entries,
        "bad_keys": draw(st.lists(one_line(10), max_size=2)),
        "layers_dims_after": after,
    }


def observation_for(case):
    """One call's observation for the case: right, wrong values of the right shape, or junk."""
    return st.one_of(
        st.just(clean_call(case, right_entries(case))),
        wrong_weights(case),
        any_call(case),
    )


@st.composite
def observations_for(draw, case):
    """The observations of one case: one call, or two for a seeding case."""
    first = draw(observation_for(case))
    if case.kind != "seeding":
        return [first]
    second = draw(st.one_of(st.just(first), observation_for(case)))
    return [first, second]


def junk():
    """Anything JSON-like where an observation should be."""
    return st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
        ),
        max_leaves=8,
    )


def is_right(case, observations):
    """The oracle: is every call of this case a right answer?"""
    wanted_keys = set(case.expected)
    for observation in observations:
        entries = observation.get("entries")
        if observation.get("raised") is not None or observation.get("returned") != "dict":
            return False
        if observation.get("bad_keys") or type(entries) is not dict:
            return False
        if set(entries) != wanted_keys or observation.get("layers_dims_after") != list(
            case.layers_dims
        ):
            return False
        for key, want in case.expected.items():
            got = entries[key]
            if type(got) is not np.ndarray or got.dtype.kind != "f" or got.shape != want.shape:
                return False
            if not np.allclose(got, want, rtol=public_tests.RTOL, atol=public_tests.ATOL):
                return False
    if case.kind == "seeding":
        first, second = (observation["entries"] for observation in observations)
        return all(np.array_equal(first[key], second[key]) for key in wanted_keys)
    return True
