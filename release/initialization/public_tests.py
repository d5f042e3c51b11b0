"""Tests for the three initialisers of the Initialization assignment.

This module is the one definition of every check. It is used three ways:
  * students call `initialize_parameters_zeros_test(initialize_parameters_zeros)`
    (and the random / he twins) in the notebook: public cases, plain-words feedback that
    names a catalogued mistake as the grader does (`recognised_mistakes`), from the data of
    MISTAKES_FILE: the grader's catalogue, its words and its outputs on the public cases;
  * the hidden tests of the nbgrader source notebook call `grade(...)` with
    cases on layer sizes the student never saw, and get a partial-credit score;
  * the autograder runs `observe_kind` (one `observe_call`, or two for a seeding
    case) next to the student's code in a sandbox, ships the plain observations
    back, and calls `judge` on each case and `hardcoded_problem` on the exercise,
    in its own process.

A check never calls the student's function itself: `observe_*` turns what the
function did into plain data (arrays, exact keys, an error line) and `judge`
compares that data with a case. Cases are data too: a name, `layers_dims`, the
expected arrays, points. Points come only with the right values, and an exercise
whose function returns the same parameters for different layers_dims (a
hard-coded answer) scores 0. Feedback on a hidden case never shows its expected
values. Nothing here computes an initialisation: every expected value is literal data, so
that no helper returns the answer for a student's layers_dims.

Glossary: `layers_dims` -- [n_0, n_1, ..., n_L]; `parameters` -- {"W1": (n_1, n_0),
"b1": (n_1, 1), ..., "WL", "bL"}.
"""

import json
import os
import sys
import textwrap
import warnings
from dataclasses import dataclass
from functools import cache

import numpy as np

RTOL, ATOL = 1e-6, 1e-8
SCHEMES = ("zeros", "random", "he")


def function_name(scheme):
    """initialize_parameters_<scheme>, for the graded schemes and any other."""
    return f"initialize_parameters_{scheme}"


FUNCTION_NAMES = {scheme: function_name(scheme) for scheme in SCHEMES}
# The kinds of case, and how many observations (calls) each needs: a 'values' case calls the
# function once; a 'seeding' case twice, the global generator moved on between the calls.
VALUES, SEEDING = "values", "seeding"
KINDS = (VALUES, SEEDING)
OBSERVATIONS_PER_KIND = {VALUES: 1, SEEDING: 2}
# The keys of one observation, as observe_call writes them.
OBSERVATION_KEYS = ("raised", "returned", "entries", "bad_keys", "layers_dims_after")
# The longest one-line error or type name an observation or a reason keeps, in characters.
MAX_LINE = 300

VALUE_HINTS = {
    "zeros": "every weight should be 0: use np.zeros((layers_dims[l], layers_dims[l-1]))",
    "random": (
        "weights should be np.random.randn(layers_dims[l], layers_dims[l-1]) * 10, "
        "drawn layer by layer after a single np.random.seed(3) at the top of the function"
    ),
    "he": (
        "weights should be np.random.randn(layers_dims[l], layers_dims[l-1]) "
        "* np.sqrt(2 / layers_dims[l-1]), drawn layer by layer after a single "
        "np.random.seed(3) at the top of the function"
    ),
}


# --------------------------------------------------------------------------
# Observing a call: what the student's function did, as plain data.
# --------------------------------------------------------------------------


def one_line_error(error):
    """'ZeroDivisionError: division by zero' -- the first line only, at most MAX_LINE characters."""
    detail = str(error).strip()
    text = f"{type(error).__name__}: {detail}" if detail else type(error).__name__
    return text.splitlines()[0][:MAX_LINE]


def with_article(type_name):
    """'a list', 'an int', 'an ndarray of object': the article a type name takes."""
    sounds_like_vowel = type_name[:1].lower() in "aeiou" or type_name.startswith("ndarray")
    return f"{'an' if sounds_like_vowel else 'a'} {type_name}"


def exit_error_line(error):
    """A SystemExit in one line: the student's function tried to end the program."""
    code = "" if error.code is None else repr(error.code)[:40]
    return f"SystemExit: it called sys.exit({code}) (or raised SystemExit) instead of returning"


def describe_type(value):
    """A short type name for feedback: 'list', 'ndarray of int64', 'NoneType'."""
    if type(value) is np.ndarray:
        return f"ndarray of {value.dtype}"
    return type(value).__name__


def plain_entry(value):
    """A returned dict entry as plain data: a copy of a numeric ndarray, or a type name."""
    if type(value) is np.ndarray and value.dtype.kind in "biuf":
        return np.array(value, copy=True)
    return describe_type(value)


def observe_call(function, layers_dims):
    """Call function(layers_dims) once and record what happened.

    Returns a dict with the OBSERVATION_KEYS:
    raised            -- one-line error or None
    returned          -- type name of the result ('dict', 'NoneType', ...)
    entries           -- {key: ndarray copy or type name}, for a dict result
    bad_keys          -- reprs of keys that are not strings
    layers_dims_after -- the argument after the call, to catch mutation
    """
    argument = list(layers_dims)
    observation = dict.fromkeys(OBSERVATION_KEYS) | {"entries": {}, "bad_keys": []}
    try:
        with warnings.catch_warnings():
            # nbgrader scores a grade cell that writes to stderr as 0; a
            # warning is the student's business, not a failed check.
            warnings.simplefilter("ignore")
            result = function(argument)
    except (KeyboardInterrupt, GeneratorExit):
        # Ctrl-C in the notebook must still stop the test.
        raise
    except SystemExit as error:
        # sys.exit() inside the function is a failed case, not the end of the test.
        observation["raised"] = exit_error_line(error)
        result = None
    except BaseException as error:  # noqa: BLE001 -- any error is feedback, not a crash
        observation["raised"] = one_line_error(error)
        result = None
    else:
        observation["returned"] = type(result).__name__
        if type(result) is dict:
            for key, value in result.items():
                if type(key) is str:
                    observation["entries"][key] = plain_entry(value)
                else:
                    observation["bad_keys"].append(repr(key)[:40])
    observation["layers_dims_after"] = [
        item if type(item) is int else repr(item)[:40] for item in argument
    ]
    return observation


def disturb_global_generator(draws):
    """Move numpy's global generator on, without seeding it to anything useful."""
    np.random.random(draws)


def observe_seeding(function, layers_dims):
    """Two calls, with the global generator left in different states before each.

    A function that seeds itself returns the same arrays both times.
    """
    disturb_global_generator(7)
    first = observe_call(function, layers_dims)
    disturb_global_generator(11)
    second = observe_call(function, layers_dims)
    return [first, second]


def observe_kind(function, kind, layers_dims):
    """The observations a case of this kind needs: OBSERVATIONS_PER_KIND[kind] calls."""
    if kind == SEEDING:
        return observe_seeding(function, layers_dims)
    return [observe_call(function, layers_dims)]


def observe(function, case):
    """The observations a Case needs."""
    return observe_kind(function, case.kind, case.layers_dims)


# --------------------------------------------------------------------------
# Expected values and cases.
# --------------------------------------------------------------------------


def with_zero_biases(layers_dims, weights):
    """Expected parameters from literal weights: W1, b1, ..., WL, bL, every bias a zero column.

    weights -- {'W1': (n_1, n_0) nested list or array, ...}, one for every layer of layers_dims.
    Nothing here makes a weight: this module holds no initialiser, so that no helper a student
    can import returns the answer for their layers_dims.
    """
    wanted = [f"W{l}" for l in range(1, len(layers_dims))]
    if sorted(weights) != sorted(wanted):
        raise ValueError(f"weights for {layers_dims} need exactly {', '.join(wanted)}")
    expected = {}
    for key in wanted:
        expected[key] = np.array(weights[key], dtype=float)
        expected["b" + key[1:]] = np.zeros((expected[key].shape[0], 1))
    return expected


def case_shapes(case):
    """{'W1': (n_1, n_0), 'b1': (n_1, 1), ...}: the shapes of the case's expected arrays."""
    return {key: np.shape(value) for key, value in case.expected.items()}


@dataclass(frozen=True, eq=False)
class Case:
    """One test case, as data; both graders (nbgrader's hidden tests, the autograder) use it.

    name        -- 'public case layers_dims=[3, 2, 1]', 'hidden seeding layers_dims=[...]'
    scheme      -- 'zeros', 'random', 'he' (or a companion notebook's initialiser)
    kind        -- VALUES (one call) or SEEDING (two calls, the generator moved between)
    layers_dims -- [n_0, ..., n_L]
    expected    -- {'W1': array (n_1, n_0), 'b1': array (n_1, 1), ...}, floats
    points      -- what the case earns when it passes
    hidden      -- never shown to students: its feedback shows no expected value
    hint        -- what a wrong value should suggest (None: VALUE_HINTS of the scheme)
    """

    name: str
    scheme: str
    kind: str
    layers_dims: list
    expected: dict
    points: float = 1.0
    hidden: bool = False
    hint: str | None = None


def make_case(scheme, layers_dims, expected, hidden=False, kind=VALUES, points=1.0, hint=None):
    """A Case. `expected` maps every key to its array (or nested list).

    `hint` -- what a wrong value should suggest; needed only for a scheme that is not in
    VALUE_HINTS (such as the companion notebooks' extra initialisers).
    """
    label = "hidden" if hidden else "public"
    name = f"{label} {'seeding' if kind == SEEDING else 'case'} layers_dims={list(layers_dims)}"
    expected = {key: np.array(value, dtype=float) for key, value in expected.items()}
    return Case(name, scheme, kind, list(layers_dims), expected, float(points), hidden, hint)


# Full-precision values of the published outputs (they print as the notebook's
# "Expected output" with numpy's default 8 digits).
RANDOM_3_2_1 = {
    "W1": [
        [17.886284734303185, 4.365098505119894, 0.9649746807200863],
        [-18.634927033644907, -2.7738820251439904, -3.5475897926898674],
    ],
    "W2": [[-0.8274148148245977, -6.270006768238473]],
}
RANDOM_2_3_2 = {
    "W1": [
        [17.886284734303185, 4.365098505119894],
        [0.9649746807200863, -18.634927033644907],
        [-2.7738820251439904, -3.5475897926898674],
    ],
    "W2": [
        [-0.8274148148245977, -6.270006768238473, -0.4381816897592824],
        [-4.772180303595027, -13.138647533626822, 8.846223804995846],
    ],
}
HE_2_4_1 = {
    "W1": [
        [1.7886284734303186, 0.43650985051198943],
        [0.09649746807200862, -1.8634927033644908],
        [-0.27738820251439905, -0.35475897926898675],
        [-0.08274148148245977, -0.6270006768238473],
    ],
    "W2": [[-0.030984124422056857, -0.33744410537169206, -0.9290426766647434, 0.6255224840406426]],
}
HE_3_1_2 = {
    "W1": [[1.4604090331058333, 0.35640880048431217, 0.07878985274897744]],
    "W2": [[-2.635376654481366], [-0.3922861580381578]],
}
HE_4_2_3 = {
    "W1": [
        [1.2647513225859208, 0.3086590753517539, 0.06823401404104966, -1.317688327240683],
        [-0.1961430790190789, -0.25085247992791837, -0.05850706264166846, -0.44335643039069744],
    ],
    "W2": [
        [-0.04381816897592824, -0.47721803035950267],
        [-1.3138647533626822, 0.8846223804995846],
        [0.8813180422075299, 1.7095730636529485],
    ],
}

ZEROS_3_2_1 = {"W1": [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], "W2": [[0.0, 0.0]]}
ZEROS_2_4_3_1 = {
    "W1": [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]],
    "W2": [[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]],
    "W3": [[0.0, 0.0, 0.0]],
}

PUBLIC_CASES = {
    "zeros": [
        make_case("zeros", [3, 2, 1], with_zero_biases([3, 2, 1], ZEROS_3_2_1)),
        make_case("zeros", [2, 4, 3, 1], with_zero_biases([2, 4, 3, 1], ZEROS_2_4_3_1)),
    ],
    "random": [
        make_case("random", [3, 2, 1], with_zero_biases([3, 2, 1], RANDOM_3_2_1)),
        make_case("random", [2, 3, 2], with_zero_biases([2, 3, 2], RANDOM_2_3_2)),
    ],
    "he": [
        make_case("he", [2, 4, 1], with_zero_biases([2, 4, 1], HE_2_4_1)),
        make_case("he", [3, 1, 2], with_zero_biases([3, 1, 2], HE_3_1_2)),
        make_case("he", [4, 2, 3], with_zero_biases([4, 2, 3], HE_4_2_3)),
    ],
}


# --------------------------------------------------------------------------
# Judging: one definition of each check, on plain observations.
# --------------------------------------------------------------------------


def show_array(array, limit=4):
    """A few values of an array, for feedback: '[[17.886, 4.365, ...]]'."""
    flat = np.ravel(array)[:limit]
    values = ", ".join(f"{value:.5g}" for value in flat)
    more = ", ..." if np.size(array) > limit else ""
    return f"[{values}{more}] (shape {tuple(np.shape(array))})"


def call_text(case):
    return f"{function_name(case.scheme)}({case.layers_dims})"


def where(case):
    """'In initialize_parameters_he([2, 4, 1]), ' -- names the case a message is about."""
    return f"In {call_text(case)}, "


def layer_of(key):
    return int(key[1:]) if key[1:].isdigit() else None


def explain_keys(case, observation):
    """Why the set of keys is wrong, or None when it is exactly W1..WL, b1..bL."""
    wanted = list(case_shapes(case))
    got = list(observation["entries"])
    if observation["bad_keys"]:
        return (
            f"{call_text(case)} returned keys that are not strings: "
            f"{', '.join(observation['bad_keys'])}; use 'W' + str(l) and 'b' + str(l)"
        )
    if not got:
        return (
            f"{call_text(case)} returned an empty dict: nothing was stored in parameters. "
            "The loop should run for l = 1, ..., len(layers_dims) - 1"
        )
    missing = [key for key in wanted if key not in got]
    extra = [key for key in got if key not in wanted]
    if not missing and not extra:
        return None
    parts = []
    if missing:
        parts.append(f"is missing {', '.join(missing)}")
    if extra:
        parts.append(f"has unexpected keys {', '.join(extra)}")
    n_layers = len(case.layers_dims) - 1
    cause = f"expected exactly W1..W{n_layers} and b1..b{n_layers}"
    if missing and all(layer_of(key) == n_layers for key in missing):
        cause += f" -- the last layer is missing: range(1, len(layers_dims)) reaches l = {n_layers}"
    elif any(layer_of(key) in (0, n_layers + 1) for key in extra):
        cause += " -- layers_dims[0] is the input; the loop runs for l = 1 .. len(layers_dims) - 1"
    return f"{call_text(case)} {' and '.join(parts)}: {cause}"


def shape_cause(key, got, want, layers_dims):
    """The likely cause of a wrong shape, for W[l] and b[l] alike."""
    l = layer_of(key)
    bias = key.startswith("b")
    recipe = "np.zeros((layers_dims[l], 1))" if bias else "(layers_dims[l], layers_dims[l-1])"
    if bias and got == (want[0],):
        return f"biases are column vectors, {recipe}"
    if len(got) == 2 and got == want[::-1]:
        return f"it looks transposed -- {key[0]}[l] is {recipe}"
    if l and l > 1 and len(got) == 2 and got[0] == layers_dims[1] and got[1] == want[1]:
        return (
            "the rows of W[l] and b[l] come from layers_dims[l] "
            "(is there a layers_dims[1] where layers_dims[l] is meant?)"
        )
    if bias:
        return f"b[l] has one row per unit of layer l, {recipe}"
    return "the rows of W[l] come from layers_dims[l], its columns from layers_dims[l-1]"


# How a value problem's message introduces the scheme's formula (VALUE_HINTS).
HINT = ". Hint: "
# A failing case lists at most this many of its problems, then "and N more".
MAX_PROBLEMS = 3


def in_words(items):
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def listed(problems):
    """Every problem of a case in one line, the list capped at MAX_PROBLEMS.

    problems -- [(what, joiner, cause)]: 'W2 has shape (2, 2) but should be (1, 2)', ': ',
                'the rows ...'. Problems of one cause share it: 'W2 ... and b2 ...: the rows ...'.
    """
    shown, more = problems[:MAX_PROBLEMS], len(problems) - MAX_PROBLEMS
    causes = {}  # (joiner, cause) -> [what, ...], in the order of their first problem
    for what, joiner, cause in shown:
        causes.setdefault((joiner, cause), []).append(what)
    text = "; ".join(in_words(whats) + joiner + cause for (joiner, cause), whats in causes.items())
    if more > 0:
        text += f"; and {more} more problem{'s' if more > 1 else ''}"
    return text


def whole_call_problem(case, observation):
    """A problem of the call as a whole (it raised, or returned no usable dict), or None."""
    if observation["raised"] is not None:  # "" too: a call that raised is never a pass
        message = f"{call_text(case)} raised {observation['raised']}"
        if observation["raised"].startswith("NotImplementedError"):
            message += ": replace `raise NotImplementedError()` with your code"
        return message
    if observation["returned"] != "dict":
        if observation["returned"] == "NoneType":
            return f"{call_text(case)} returned None: is `return parameters` missing?"
        return (
            f"{call_text(case)} returned {with_article(observation['returned'])}; "
            "it should return a dict {'W1': ..., 'b1': ..., ...}"
        )
    return None


def entry_problem(key, value, want, layers_dims):
    """(what, joiner, cause) of a wrong type, dtype or shape of one returned entry, or None."""
    if isinstance(value, str):
        return (
            f"{key} is {with_article(value)}",
            "; ",
            f"it should be a float numpy array, shape {want}",
        )
    if value.dtype.kind != "f":
        return (
            f"{key} has dtype {value.dtype}",
            "; ",
            "parameters must be floats (did you pass dtype=int, or use integer division?)",
        )
    if value.shape != want:
        return (
            f"{key} has shape {value.shape} but should be {want}",
            ": ",
            shape_cause(key, value.shape, want, layers_dims),
        )
    return None


def judge_structure(case, observation):
    """Every structural problem of one call (type, keys, dtype, shape) in one line, or None."""
    problem = whole_call_problem(case, observation)
    if problem:
        return problem
    keys_problem = explain_keys(case, observation)
    entries = observation["entries"]
    problems = [
        entry_problem(key, entries[key], want, case.layers_dims)
        for key, want in case_shapes(case).items()
        if key in entries
    ]
    problems = [problem for problem in problems if problem]
    if keys_problem:
        # The key set's message names the call itself; the entries' problems follow it.
        return listed([(keys_problem, "", ""), *problems])
    return (where(case) + listed(problems)) if problems else None


def close_entries(got, want, equal_nan=False):
    """np.isclose(got, want, rtol=RTOL, atol=ATOL, equal_nan=equal_nan), element by element.

    numpy's own formula with none of its per-call checks (its tolerances are these constants,
    finite): the grader compares a few small arrays per case, and those checks cost more than
    the comparison. NaN and inf differ from everything but an equal inf (or NaN, with
    equal_nan); arrays broadcast as numpy's do.
    """
    x, y = np.asanyarray(got), np.asanyarray(want)
    if y.dtype.kind != "m":
        y = np.asanyarray(y, dtype=np.result_type(y, 1.0))
    with np.errstate(invalid="ignore"):
        result = np.less_equal(abs(x - y), ATOL + RTOL * abs(y)) & np.isfinite(y) | (x == y)
        if equal_nan:
            result |= np.isnan(x) & np.isnan(y)
    return result


def all_close(got, want, equal_nan=False):
    """np.allclose(got, want, rtol=RTOL, atol=ATOL, equal_nan=equal_nan), as close_entries."""
    return bool(close_entries(got, want, equal_nan).all())


def count_differing(got, want):
    """How many entries of got are not close to want (NaN and inf count as differing)."""
    return int(np.size(got) - np.count_nonzero(close_entries(got, want)))


def describe_difference(got, want):
    """What is wrong with an array, in words and without any expected value.

    got, want -- arrays of the same shape. Used for hidden cases, whose expected
    values are instructor material: counts and the student's own oddities only.
    """
    parts = [f"{count_differing(got, want)} of {np.size(want)} entries differ"]
    if not np.all(np.isfinite(got)):
        parts.append("it holds NaN or inf")
    elif np.size(got) > 1 and np.all(got == np.ravel(got)[0]):
        parts.append(f"every entry is {np.ravel(got)[0]:.5g}")
    return "; ".join(parts)


def hidden_where(case):
    """'In initialize_parameters_he([3, 6, 4, 1]) (a hidden case), '."""
    return f"In {call_text(case)} (a hidden case), "


def value_problem(case, key, got, want, first):
    """(what, joiner, cause) of the wrong values of one entry of the right shape, or None.

    first -- is this the first weight that differs? Only it shows values (of a public case):
    the others are named, so that the line stays short.
    """
    if all_close(got, want):
        return None
    if key.startswith("b"):
        shown = describe_difference(got, want) if case.hidden else f"is {show_array(got)}"
        return (f"{key} should be all zeros but {shown}", ": ", "use np.zeros")
    if case.hidden:
        return (
            f"{key} differs from the expected values ({describe_difference(got, want)})",
            "",
            "",
        )
    if not first:
        return (f"{key} differs from the expected values too", "", "")
    return (
        f"{key} differs from the expected values",
        ": ",
        f"expected {show_array(want)}, got {show_array(got)}",
    )


def judge_values(case, observation):
    """Every value problem of a structurally correct call in one line, or None.

    A hidden case names its layer sizes and what differs, never its expected values.
    """
    problems, weights_differ = [], False
    for key, want in case.expected.items():
        problem = value_problem(case, key, observation["entries"][key], want, not weights_differ)
        if problem:
            problems.append(problem)
            weights_differ = weights_differ or key.startswith("W")
    if not problems:
        return None
    hint = f"{HINT}{case.hint or VALUE_HINTS[case.scheme]}" if weights_differ else ""
    return f"{hidden_where(case) if case.hidden else where(case)}{listed(problems)}{hint}"


def judge_mutation(case, observation):
    if observation["layers_dims_after"] != case.layers_dims:
        return (
            f"{call_text(case)} changed its argument to {observation['layers_dims_after']}; "
            "read layers_dims, never modify it"
        )
    return None


def judge_seeding(case, observations):
    first, second = observations
    for key in case_shapes(case):
        a, b = first["entries"][key], second["entries"][key]
        if a.shape != b.shape or not np.array_equal(a, b, equal_nan=True):
            return (
                f"two calls of {call_text(case)} gave different {key}: the result depends on the "
                "global generator's state -- call np.random.seed(3) at the top of your function"
            )
    return None


def judge(case, observations):
    """The verdict of one case: (passed, message). The message is '' on a pass."""
    for observation in observations:
        problem = judge_structure(case, observation) or judge_mutation(case, observation)
        if problem:
            return False, problem
    problem = judge_seeding(case, observations) if case.kind == SEEDING else None
    # A seeding case scores only with the right values too: constant, zero or NaN
    # weights are also "the same on every call".
    problem = problem or judge_values(case, observations[0])
    return (problem is None), (problem or "")


# --------------------------------------------------------------------------
# A result that does not depend on layers_dims: a hard-coded answer.
# --------------------------------------------------------------------------


def returned_parameters(observation):
    """The non-empty dict entries a call returned, or None (an error, None, {} ...)."""
    if type(observation) is not dict or observation.get("raised") is not None:
        return None
    entries = observation.get("entries")
    if observation.get("returned") != "dict" or type(entries) is not dict or not entries:
        return None
    return entries


def same_values(a, b):
    """Two returned entries are the same arrays, to the tolerance of the checks.

    A type name ('list', 'ndarray of object') says nothing of the contents: never the same.
    """
    if type(a) is not np.ndarray or type(b) is not np.ndarray or a.shape != b.shape:
        return False
    return all_close(a.astype(float), b.astype(float), equal_nan=True)


def same_parameters(first, second):
    return first.keys() == second.keys() and all(
        same_values(first[key], second[key]) for key in first
    )


def repeated_result(cases, observations):
    """The layers_dims of the calls that returned one and the same non-empty parameters.

    cases        -- the cases of one exercise
    observations -- per case, its list of observations (as `observe` makes them)
    Correct code returns different shapes for different layers_dims (the shapes
    spell out every layer size), and so do the mistakes of the catalogue: the graded
    cases differ pairwise in n_0 and n_1. Identical results for two different
    layers_dims mean the function ignores its argument. Returns the largest such group
    (at least two different layers_dims), or [] when there is none.
    """
    groups = []  # [(parameters, [layers_dims, ...])]
    for case, observed in zip(cases, observations, strict=True):
        for parameters in filter(None, map(returned_parameters, observed)):
            group = next((g for g in groups if same_parameters(g[0], parameters)), None)
            if group is None:
                groups.append((parameters, [case.layers_dims]))
            elif case.layers_dims not in group[1]:
                group[1].append(case.layers_dims)
    repeated = [dims for _, dims in groups if len(dims) >= 2]
    return max(repeated, key=len, default=[])


def hardcoded_problem(cases, observations):
    """Why the exercise scores 0 as a hard-coded answer, or '' when its result varies."""
    repeated = repeated_result(cases, observations)
    if not repeated:
        return ""
    listed = ", ".join(str(dims) for dims in repeated[:-1]) + f" and {repeated[-1]}"
    return (
        f"{function_name(cases[0].scheme)} returned the same parameters for layers_dims "
        f"{listed}: its result does not depend on layers_dims, so it is a hard-coded answer "
        "and this exercise scores 0. Compute every W[l] and b[l] from layers_dims"
    )


def judge_exercise(cases, observations):
    """(verdicts, hardcoded): each case's (passed, message), and hardcoded_problem's text."""
    verdicts = [judge(case, observed) for case, observed in zip(cases, observations, strict=True)]
    return verdicts, hardcoded_problem(cases, observations)


def score(cases, verdicts):
    """Points earned: the sum of the points of the passed cases, rounded to 4 places."""
    earned = sum(case.points for case, (passed, _) in zip(cases, verdicts, strict=True) if passed)
    return round(earned, 4)


def exercise_score(cases, verdicts, hardcoded):
    """The exercise's points: 0 for a hard-coded answer, else the points of its passed cases."""
    return 0.0 if hardcoded else score(cases, verdicts)


def max_score(cases):
    return round(sum(case.points for case in cases), 4)


# --------------------------------------------------------------------------
# Naming the mistake: a failed case compared with what each catalogued mistake returns.
# --------------------------------------------------------------------------

# Unseeded draws of the same spread have a root mean square within this factor
# of each other (a few elements: wide; the scales told apart differ by >= 10x).
SPREAD_FACTOR = 3.0


def root_mean_square(array):
    return float(np.mean(np.square(array.astype(float))) ** 0.5) if array.size else 0.0


def same_spread(got, made):
    """Two unseeded weight draws: both varied, spreads within SPREAD_FACTOR of each other."""
    if got.size > 1 and not np.std(got) > 0:
        return False  # constant weights (np.ones, np.full) were not drawn at random
    ratio = root_mean_square(got) / max(root_mean_square(made), 1e-300)
    return 1 / SPREAD_FACTOR <= ratio <= SPREAD_FACTOR


def same_entry(key, got, made, unseeded=False):
    """Is the student's entry the mistaken one? A NaN of the mistaken one is a withheld value
    (MISTAKES_FILE withholds what a hidden case expects; no mistake makes NaN on a public case):
    the other values are compared."""
    if isinstance(got, str) or isinstance(made, str):
        # A type name against an array is a difference (== would compare element-wise).
        return isinstance(got, str) and isinstance(made, str) and got == made
    if got.shape != made.shape or got.dtype.kind != made.dtype.kind:
        return False
    if unseeded and key.startswith("W"):
        known = ~np.isnan(made) if made.dtype.kind == "f" else ...  # ...: every entry
        # inf or NaN weights make std and the spread NaN: no match, and no warning.
        with np.errstate(all="ignore"):
            return same_spread(got, made[known])
    close = close_entries(got, made)
    if made.dtype.kind == "f":
        close |= np.isnan(made)  # a withheld value: not compared
    return bool(close.all())


def same_observation(got, made, unseeded=False):
    """Does the student's observation look like the mistaken one (exactly, or by spread)?"""
    if got.get("raised") or made["raised"]:
        return got.get("raised") == made["raised"]
    entries, mistaken = got.get("entries") or {}, made["entries"]
    if got.get("returned") != made["returned"] or list(entries) != list(mistaken):
        return False
    return all(same_entry(key, entries[key], mistaken[key], unseeded) for key in mistaken)


def calls_differ(observations):
    """For a seeding case: two structurally sound calls whose arrays differ."""
    if len(observations) != 2 or any(obs.get("raised") for obs in observations):
        return False
    first, second = (obs.get("entries") or {} for obs in observations)
    if not first or list(first) != list(second):
        return False
    return any(
        not isinstance(first[key], str)
        and not isinstance(second[key], str)
        and (
            first[key].shape != second[key].shape
            # NaN weights are the same on every call: not a missing seed.
            or not np.array_equal(first[key], second[key], equal_nan=True)
        )
        for key in first
    )


def matches(mistake, case, observations):
    """Does a failed case look like `mistake`?

    mistake -- anything with the fields of a Mistake and a method made(case): the
               observations of the mistake's versions on the case (the grader computes
               them; the notebook reads them from MISTAKES_FILE)
    """
    if case.scheme not in mistake.schemes:
        return False
    if mistake.calls_differ:
        return case.kind == SEEDING and calls_differ(observations)
    if case.kind != VALUES or not observations:
        return False
    return any(
        same_observation(observations[0], made, mistake.unseeded) for made in mistake.made(case)
    )


def recognise(mistakes, case, observations):
    """The first of `mistakes` that explains a failed case, or None.

    Exact comparisons go first; a comparison by spread only when none of them matched.
    """
    for mistake in sorted(mistakes, key=lambda mistake: mistake.unseeded):
        if matches(mistake, case, observations):
            return mistake
    return None


def recognised_mistakes(mistakes, cases, observations, verdicts):
    """[(mistake, case name)] for the failed cases, each mistake once, in the order of the cases.

    A case that a mistake named already explains adds no other name: all-zero He weights
    are integer division's output too wherever every layer is wider than 2. An observation
    that cannot be compared (a malformed one) names nothing.
    """
    found = {}
    for case, observed, (passed, _) in zip(cases, observations, verdicts, strict=True):
        if passed:
            continue
        try:
            if any(matches(named, case, observed) for named, _ in found.values()):
                continue
            mistake = recognise(mistakes, case, observed)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            mistake = None
        if mistake is not None:
            found[mistake.name] = (mistake, case.name)
    return list(found.values())


def explain(mistake):
    """One line for the student: the mistake's name, its cause and its fix."""
    return f"Likely mistake [{mistake.name}]: {mistake.cause}. Fix: {mistake.fix}."


# The catalogue's name for the untouched stub: its cases' own messages only repeat it.
UNANSWERED_STUB = "unanswered_stub"


def case_messages(named, failures):
    """The distinct messages of the failed cases worth printing after the named mistakes.

    named    -- the names of the recognised mistakes
    failures -- the messages of the failed cases, in order
    A named mistake says what to fix: the cases' generic formula hint goes, and so do the
    cases of an untouched stub, which only repeat it.
    """
    if named:
        failures = [message.split(HINT)[0] for message in failures]
    distinct = list(dict.fromkeys(failures))
    if UNANSWERED_STUB in named:
        distinct = [message for message in distinct if " raised NotImplementedError" not in message]
    return distinct


# What each catalogued mistake returns on the public cases: data, written by the grader's
# authoring tool (tools/sync_source.py) from its catalogue, beside this module.
MISTAKES_FILE = "public_mistakes.json"


@dataclass(frozen=True, eq=False)
class Mistake:
    """A catalogued mistake as the notebook knows it: its words, and its output on public cases.

    outputs -- {case_key(case): [observation, ...]}, one observation per version of the
               mistake, as observe_call writes them (arrays rebuilt from the file's lists)
    """

    name: str
    schemes: tuple
    cause: str
    fix: str
    calls_differ: bool = False
    unseeded: bool = False
    outputs: dict | None = None

    def made(self, case):
        return (self.outputs or {}).get(case_key(case), ())


def case_key(case):
    """'he [2, 4, 1]': the key of a case's outputs in MISTAKES_FILE."""
    return f"{case.scheme} {list(case.layers_dims)}"


def entry_from_data(data):
    """An observed entry from MISTAKES_FILE: a type name, or {dtype, shape, values} -> ndarray."""
    if isinstance(data, str):
        return data
    return np.array(data["values"], dtype=np.dtype(data["dtype"])).reshape(data["shape"])


def observation_from_data(data):
    entries = {key: entry_from_data(value) for key, value in data["entries"].items()}
    return {"raised": data["raised"], "returned": data["returned"], "entries": entries}


def mistake_from_data(data):
    outputs = {
        key: [observation_from_data(observation) for observation in observations]
        for key, observations in data["outputs"].items()
    }
    return Mistake(
        str(data["name"]),
        tuple(data["schemes"]),
        str(data["cause"]),
        str(data["fix"]),
        bool(data["calls_differ"]),
        bool(data["unseeded"]),
        outputs,
    )


def load_mistakes(path):
    """The mistakes of MISTAKES_FILE at `path`; () when it is missing or unreadable.

    A test must run without it: the catalogue only adds names to the feedback.
    """
    try:
        with open(path, encoding="utf-8") as file:
            data = json.load(file)
        return tuple(mistake_from_data(mistake) for mistake in data["mistakes"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return ()


@cache
def known_mistakes():
    """The mistakes of the MISTAKES_FILE beside this module, read once."""
    return load_mistakes(os.path.join(os.path.dirname(os.path.abspath(__file__)), MISTAKES_FILE))


# --------------------------------------------------------------------------
# What students and the nbgrader hidden tests call.
# --------------------------------------------------------------------------


def public_cases(scheme):
    """The public cases of a scheme, with the seeding case for the random ones."""
    cases = list(PUBLIC_CASES[scheme])
    if scheme != "zeros":
        first = cases[0]
        cases.append(make_case(scheme, first.layers_dims, first.expected, kind=SEEDING))
    return cases


def run_cases(function, cases):
    """Observe and judge every case in this process: (verdicts, hardcoded), as judge_exercise."""
    return judge_exercise(cases, [observe(function, case) for case in cases])


def validating():
    """Is nbgrader's Validate running this notebook? It sets NBGRADER_EXECUTION to 'validate'
    (and to 'autograde' while autograding) in the environment the kernel inherits."""
    return os.environ.get("NBGRADER_EXECUTION") == "validate"


def failure_stream():
    """Where a failing public test writes: stderr under Validate, else stdout.

    Validate counts a test cell as failed only when it raised or wrote to stderr, and shows that
    text as the reason. Autograding must not see stderr: nbgrader scores a cell that wrote to
    it 0, and the hidden `grade(...)` after the public call would lose its partial credit.
    """
    return sys.stderr if validating() else sys.stdout


def report(verdicts, hardcoded="", found=()):
    """Print the named mistakes, each distinct failure once (a hard-coded answer last), then a
    one-line summary.

    found -- recognised_mistakes(...): [(mistake, case name)]
    """
    failures = [message for passed, message in verdicts if not passed]
    if not failures and not hardcoded:
        print("All tests passed.")
        return
    lines = [explain(mistake) for mistake, _ in found]
    lines += case_messages([mistake.name for mistake, _ in found], failures)
    lines += [hardcoded] if hardcoded else []
    lines.append(f"{len(failures)} of {len(verdicts)} tests failed.")
    stream = failure_stream()
    for line in lines:
        print(fitted(line), file=stream)


# nbgrader's Validate shows each line of a failed cell's error cut at 87 characters (its
# Validator.width, 90, less "..."); under Validate a line is wrapped to fit, and loses nothing.
VALIDATE_LINE = 86


def fitted(line):
    """The line as printed: wrapped to VALIDATE_LINE under Validate, else whole."""
    if not validating():
        return line
    return textwrap.fill(line, VALIDATE_LINE, subsequent_indent="  ", break_on_hyphens=False)


def run_test(function, cases, mistakes=None):
    """Observe, judge and report a function on any cases (all of one scheme).

    mistakes -- the catalogued mistakes to name (default: known_mistakes()); none is named
                for a hard-coded answer, whose cases match mistakes by accident
    """
    if not callable(function):
        name = function_name(cases[0].scheme)
        print(
            f"{name} is not a function: pass the function itself, without ()", file=failure_stream()
        )
        return
    observations = [observe(function, case) for case in cases]
    verdicts, hardcoded = judge_exercise(cases, observations)
    found = []
    if not hardcoded:
        mistakes = known_mistakes() if mistakes is None else mistakes
        found = recognised_mistakes(mistakes, cases, observations, verdicts)
    report(verdicts, hardcoded, found)


def run_public_test(scheme, function):
    run_test(function, public_cases(scheme))


def initialize_parameters_zeros_test(target):
    """Public tests of initialize_parameters_zeros; prints what is wrong, in plain words."""
    run_public_test("zeros", target)


def initialize_parameters_random_test(target):
    """Public tests of initialize_parameters_random; prints what is wrong, in plain words."""
    run_public_test("random", target)


def initialize_parameters_he_test(target):
    """Public tests of initialize_parameters_he; prints what is wrong, in plain words."""
    run_public_test("he", target)


def hidden_case(scheme, layers_dims, weights, kind=VALUES, points=1.0):
    """A hidden case from literal data, as written into the source notebook's test cells."""
    expected = with_zero_biases(layers_dims, weights)
    return make_case(scheme, layers_dims, expected, hidden=True, kind=kind, points=points)


def grade(scheme, function, hidden_cases):
    """Score a function on the public and the hidden cases; prints one line a case.

    Returns the points earned (a float), which nbgrader takes as partial credit
    when it is the value of a grade cell: 0 for a hard-coded answer.
    """
    cases = public_cases(scheme) + list(hidden_cases)
    verdicts, hardcoded = run_cases(function, cases) if callable(function) else ([], "")
    if not verdicts:
        verdicts = [(False, f"{FUNCTION_NAMES[scheme]} is not a function")] * len(cases)
    for case, (passed, message) in zip(cases, verdicts, strict=True):
        print(f"{'PASS' if passed else 'FAIL'} {case.name}" + ("" if passed else f": {message}"))
    if hardcoded:
        print(f"FAIL exercise: {hardcoded}")
    return exercise_score(cases, verdicts, hardcoded)
