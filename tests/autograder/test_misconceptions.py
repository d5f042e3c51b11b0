"""Is each misconception of the catalogue recognised by comparison, and only where it applies?"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import returned_values
from support.corpus import SUBMISSIONS, corpus_expectations

import public_tests
from autograder import cases, extraction, grading, misconceptions, reference

CATALOGUE = misconceptions.CATALOGUE
WITH_VERSIONS = [(m.name, scheme) for m in CATALOGUE if m.versions for scheme in m.schemes]


def observe_mistake(misconception, scheme, layers_dims, version=0):
    function = misconceptions.mistaken_initialiser(scheme, misconception.versions[version])
    return [public_tests.observe_call(function, layers_dims)]


def test_catalogue_has_at_least_twelve_named_misconceptions():
    """Are there at least 12 misconceptions, each with a unique name, a cause and a fix?"""
    names = [m.name for m in CATALOGUE]
    assert len(names) >= 12
    assert len(set(names)) == len(names)
    assert all(m.cause and m.fix and m.schemes for m in CATALOGUE)


# Integer division makes every He weight 0 where each layer's input is wider than 2: there
# it returns exactly what all-zero weights return, and either name explains the case.
TWINS = {"constant_weights": {"integer_division"}, "integer_division": {"constant_weights"}}


@pytest.mark.parametrize(("name", "scheme"), WITH_VERSIONS)
def test_each_mistake_fails_and_is_recognised_as_itself(name, scheme):
    """Does each version of a mistake fail a case, and is it named as itself wherever it fails
    (or as its twin, on a case where the two return exactly the same)?"""
    misconception = misconceptions.BY_NAME[name]
    for version in range(len(misconception.versions)):
        named = []
        for case in cases.all_cases(scheme):
            if case.kind != "values":
                continue
            observations = observe_mistake(misconception, scheme, case.layers_dims, version)
            passed, _ = public_tests.judge(case, observations)
            if not passed:
                found = misconceptions.recognise(case, observations)
                named.append(found.name if found else None)
        assert named, f"version {version} of {name} passes every case"
        assert name in named, f"version {version} of {name} was recognised as {named}"
        allowed = {name} | TWINS.get(name, set())
        assert set(named) <= allowed, f"version {version} of {name} was recognised as {named}"


@pytest.mark.parametrize("scheme", public_tests.SCHEMES)
def test_the_right_answer_matches_a_mistake_only_where_it_is_invisible(scheme):
    """Does a misconception match the right answer only on a case its own output passes?"""
    for case in cases.all_cases(scheme):
        if case.kind != "values":
            continue
        right = [
            public_tests.observe_call(
                lambda dims: reference.initialize(scheme, dims), case.layers_dims
            )
        ]
        found = misconceptions.recognise(case, right)
        if found is not None:
            own = observe_mistake(found, scheme, case.layers_dims)
            assert public_tests.judge(case, own)[0], f"{found.name} matched the right answer"


def test_no_seed_is_recognised_when_two_calls_differ():
    """Is 'no_seed' named on a seeding case whose two calls differ, and only then?"""
    [case] = [case for case in public_tests.public_cases("he") if case.kind == "seeding"]

    def unseeded(layers_dims):
        return {
            "W1": np.random.randn(layers_dims[1], layers_dims[0]),
            "b1": np.zeros((layers_dims[1], 1)),
        }

    differing = public_tests.observe(unseeded, case)
    assert misconceptions.recognise(case, differing).name == "no_seed"
    same = public_tests.observe(lambda dims: reference.initialize("he", dims), case)
    assert misconceptions.recognise(case, same) is None


def test_recognising_leaves_numpys_global_generator_alone():
    """Does generating the mistaken outputs never touch numpy's global generator?"""
    misconceptions.mistaken_observation.cache_clear()
    graded = cases.all_cases("random")
    np.random.seed(1234)
    before = np.random.get_state()[1].copy()
    for case in graded:
        misconceptions.recognise(
            case, [public_tests.observe_call(lambda dims: {}, case.layers_dims)]
        )
    assert np.array_equal(np.random.get_state()[1], before)


def test_a_knob_the_reference_lacks_is_refused():
    """Is a mistake that names no knob of the reference refused where it is written?"""
    with pytest.raises(TypeError, match="seeed"):
        misconceptions.turned(seeed=4)


def test_ones_are_not_taken_for_random_weights():
    """Are constant weights (np.ones) named as ones, not as random draws of the same spread?"""
    case = cases.all_cases("zeros")[0]
    ones = misconceptions.BY_NAME["ones_instead_of_zeros"]
    assert misconceptions.recognise(case, observe_mistake(ones, "zeros", case.layers_dims)) is ones


def test_explanation_names_the_misconception():
    """Does the explanation give the name, the cause and the fix?"""
    misconception = misconceptions.BY_NAME["xavier_instead_of_he"]
    text = misconceptions.explain(misconception)
    assert "[xavier_instead_of_he]" in text
    assert misconception.cause in text and misconception.fix in text


@pytest.mark.parametrize(("name", "scheme"), WITH_VERSIONS)
def test_no_catalogued_mistake_is_taken_for_a_hard_coded_answer(name, scheme):
    """Does every version of every mistake return results that vary with layers_dims over the
    graded cases, so that an honest mistake is never flagged as hard-coded?"""
    misconception = misconceptions.BY_NAME[name]
    graded = cases.all_cases(scheme)
    for version in range(len(misconception.versions)):
        observations = [
            observe_mistake(misconception, scheme, case.layers_dims, version)
            * (2 if case.kind == "seeding" else 1)
            for case in graded
        ]
        assert public_tests.hardcoded_problem(graded, observations) == "", (name, version)


def test_nan_weights_are_not_a_missing_seed():
    """Are NaN weights, the same on both calls, not named as a missing np.random.seed(3)?"""
    [case] = [case for case in public_tests.public_cases("random") if case.kind == "seeding"]

    def nan_weights(layers_dims):
        return {
            key: np.full(shape, np.nan) if key[0] == "W" else np.zeros(shape)
            for key, shape in reference.shapes(layers_dims).items()
        }

    found = misconceptions.recognise(case, public_tests.observe(nan_weights, case))
    assert found is None or found.name != "no_seed"


@pytest.mark.parametrize("scheme", ["random", "he"])
@pytest.mark.parametrize("value", [0.0, 1.0])
def test_constant_weights_are_named(scheme, value):
    """Are all-zero or all-one weights of the right shape named constant_weights?"""
    case = cases.all_cases(scheme)[0]

    def constant(layers_dims):
        return {
            key: np.full(shape, value) if key[0] == "W" else np.zeros(shape)
            for key, shape in reference.shapes(layers_dims).items()
        }

    found = misconceptions.recognise(case, [public_tests.observe_call(constant, case.layers_dims)])
    assert found is misconceptions.BY_NAME["constant_weights"]


@pytest.mark.filterwarnings("error")
@settings(max_examples=300, deadline=None, database=None)
@given(data=st.data())
def test_recognising_never_crashes_and_names_only_catalogued_mistakes(data):
    """Does recognise() take any returned values -- any dtype, shape, NaN, odd keys, type
    names -- without raising or warning, and answer None or a misconception of the catalogue?"""
    case = data.draw(st.sampled_from(returned_values.ALL_CASES))
    observations = data.draw(returned_values.observations_for(case))
    found = misconceptions.recognise(case, observations)
    assert found is None or found in CATALOGUE
    if found is not None:
        assert case.scheme in found.schemes


def test_a_type_name_where_a_mistake_has_an_array_is_no_match():
    """Is a list where every mistake returns an array simply no match, not a ValueError?"""
    case = cases.all_cases("zeros")[0]
    [observation] = public_tests.observe(lambda dims: reference.initialize("zeros", dims), case)
    observation["entries"]["W2"] = "list"
    assert misconceptions.recognise(case, [observation]) is None


def test_computing_ahead_leaves_recognising_nothing_to_compute():
    """After compute_ahead of the assignment's cases, does recognising a failed case of any
    of them find every mistaken observation it compares with already computed?"""
    cases = [
        case for exercise in grading.exercises_to_grade(hidden=True) for case in exercise.cases
    ]
    misconceptions.compute_ahead(cases)
    computed = misconceptions.mistaken_observation.cache_info().misses
    unexplained = {"raised": "NameError: nothing like any mistake", "returned": None}
    for case in cases:
        misconceptions.recognise(case, [unexplained, unexplained])
    assert misconceptions.mistaken_observation.cache_info().misses == computed


# --------------------------------------------------------------------------
# The notebook and the grader name the same mistake, over the corpus.
# --------------------------------------------------------------------------

NAMED = re.compile(r"^Likely mistake \[([a-z0-9_]+)\]: ", re.MULTILINE)
RELEASE = Path(__file__).resolve().parents[2] / "release" / "initialization"
# Cells that train or plot: slow, and they print nothing of the tests.
TRAINING_CELLS = ("_train", "_predictions", "_boundary", "load_dataset")
CORPUS_WITH_MISTAKES = sorted(
    name
    for name, entry in corpus_expectations().items()
    if not entry.get("unreadable")
    and any(exercise.get("misconception") for exercise in entry["exercises"].values())
)
# Runs a notebook's cells in order as a student does, one after the other (a cell that raises
# prints its error and the next one runs), each test cell's output under a '== id' line.
RUN_CELLS = """
import json, sys, traceback
for grade_id, source in json.load(sys.stdin):
    if grade_id.endswith("_tests"):
        print("== " + grade_id, flush=True)
    try:
        exec(compile(source, grade_id or "cell", "exec"), globals())
    except Exception as error:
        print(type(error).__name__, error)
"""


def code_cells(path):
    """[(grade id, source)] of the notebook's code cells but those that train or plot."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        text = extraction.python_text(source)
        if text is not None and not grade_id.endswith(TRAINING_CELLS):
            # A magic line (%matplotlib inline) is IPython's, not Python's: the grader's rule.
            cells.append((grade_id, extraction.strip_magic_lines(text)))
    return cells


def names_in_the_notebook(path):
    """{exercise: [names]} that the public test cells print, run beside the released files."""
    done = subprocess.run(
        [sys.executable, "-c", RUN_CELLS],
        input=json.dumps(code_cells(path)),
        cwd=RELEASE,  # the shipped public_tests.py and public_mistakes.json, as students have them
        env={**os.environ, "MPLBACKEND": "Agg"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    parts = re.split(r"^== (\w+)_tests$", done.stdout, flags=re.MULTILINE)
    return {parts[i]: NAMED.findall(parts[i + 1]) for i in range(1, len(parts), 2)}


@pytest.mark.parametrize("name", CORPUS_WITH_MISTAKES)
def test_the_notebook_and_the_grader_name_the_same_mistake(corpus_reports, name):
    """Does each public test cell of a corpus notebook with a catalogued mistake name exactly
    the mistakes the grader's report names for that exercise (and the expected one)?"""
    printed = names_in_the_notebook(SUBMISSIONS / name)
    graded_names = {
        entry.name: NAMED.findall(entry.feedback) for entry in corpus_reports[name].exercises
    }
    unseeded = {entry.name for entry in misconceptions.CATALOGUE if entry.unseeded}
    if any(printed.get(exercise, []) != names for exercise, names in graded_names.items()) and any(
        mistake in unseeded for names in graded_names.values() for mistake in names
    ):
        # An unseeded mistake is recognised by the spread of a few random draws, which the
        # notebook and the grader each make afresh: one more draw of the notebook's.
        printed = names_in_the_notebook(SUBMISSIONS / name)
    for exercise in corpus_reports[name].exercises:
        graded = NAMED.findall(exercise.feedback)
        assert printed.get(exercise.name, []) == graded, exercise.name
        expected = corpus_expectations()[name]["exercises"][exercise.name]["misconception"]
        assert (expected in graded) if expected else not graded, exercise.name
