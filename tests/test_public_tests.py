"""What students see from the public tests, and the partial credit of the hidden ones."""

import ast
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import hidden_values, returned_values

import public_tests
from autograder import assignment, cases, grading, misconceptions, reference

TESTS = {
    "zeros": public_tests.initialize_parameters_zeros_test,
    "random": public_tests.initialize_parameters_random_test,
    "he": public_tests.initialize_parameters_he_test,
}


def solution(scheme):
    """A correct initialiser, written as a student would."""

    def initialize(layers_dims):
        if scheme != "zeros":
            np.random.seed(3)
        parameters = {}
        for l in range(1, len(layers_dims)):
            shape = (layers_dims[l], layers_dims[l - 1])
            if scheme == "zeros":
                parameters["W" + str(l)] = np.zeros(shape)
            elif scheme == "random":
                parameters["W" + str(l)] = np.random.randn(*shape) * 10
            else:
                parameters["W" + str(l)] = np.random.randn(*shape) * np.sqrt(2.0 / shape[1])
            parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
        return parameters

    return initialize


def seed_text_zeros(layers_dims):
    """The seed text's own answer: layers_dims[1] where layers_dims[l] is meant."""
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.zeros((layers_dims[1], layers_dims[l - 1]))
        parameters["b" + str(l)] = np.zeros((layers_dims[1], 1))
    return parameters


def run_public(scheme, function, capsys):
    """The printed feedback of a public test, as lines."""
    TESTS[scheme](function)
    return capsys.readouterr().out.splitlines()


def assert_one_line_failures(lines):
    """Failures are one line each, followed by the 'N of M tests failed.' summary."""
    assert lines, "the public test printed nothing"
    assert not any("Traceback" in line or line.startswith("  File ") for line in lines)
    assert lines[-1].endswith("tests failed."), lines
    assert len(lines) >= 2


@pytest.mark.parametrize("scheme", ["zeros", "random", "he"])
def test_correct_solution_prints_exactly_all_tests_passed(scheme, capsys):
    """Does a correct solution print exactly 'All tests passed.' and nothing else?"""
    TESTS[scheme](solution(scheme))
    assert capsys.readouterr().out == "All tests passed.\n"


def test_seed_text_zeros_bug_is_caught_and_explained(capsys):
    """Is the seed text's zeros answer caught, with layers_dims[1] named as the cause?"""
    lines = run_public("zeros", seed_text_zeros, capsys)
    assert_one_line_failures(lines)
    assert any("W2" in line and "layers_dims[1]" in line for line in lines), lines


def returns(value):
    return lambda layers_dims: value


def missing_last_layer(layers_dims):
    parameters = solution("zeros")(layers_dims)
    last = len(layers_dims) - 1
    del parameters[f"W{last}"], parameters[f"b{last}"]
    return parameters


def with_extra_key(layers_dims):
    parameters = solution("zeros")(layers_dims)
    parameters["W0"] = np.zeros((layers_dims[0], 1))
    return parameters


def integer_arrays(layers_dims):
    return {key: np.zeros(shape, dtype=int) for key, shape in reference.shapes(layers_dims).items()}


def raises(layers_dims):
    return 1 / 0


def stub(layers_dims):
    raise NotImplementedError()


def exits(layers_dims):
    import sys

    sys.exit(3)


def object_arrays(layers_dims):
    parameters = solution("zeros")(layers_dims)
    return {key: value.astype(object) for key, value in parameters.items()}


def mutates_argument(layers_dims):
    parameters = solution("zeros")(layers_dims)
    layers_dims.append(1)
    return parameters


BAD_ZEROS = {
    "empty dict": (returns({}), "empty dict"),
    "missing last layer": (missing_last_layer, "last layer is missing"),
    "extra key": (with_extra_key, "unexpected keys W0"),
    "None": (returns(None), "returned None"),
    "list": (returns([]), "returned a list"),
    "integer arrays": (integer_arrays, "dtype int"),
    "raises": (raises, "raised ZeroDivisionError: division by zero"),
    "stub left in place": (stub, "replace `raise NotImplementedError()` with your code"),
    "sys.exit": (exits, "raised SystemExit: it called sys.exit(3)"),
    "int": (returns(7), "returned an int;"),
    "object arrays": (object_arrays, "W1 is an ndarray of object;"),
    "mutated layers_dims": (mutates_argument, "changed its argument"),
}


@pytest.mark.parametrize("kind", list(BAD_ZEROS))
def test_bad_return_gets_one_line_without_traceback(kind, capsys):
    """Are {}, a missing layer, an extra key, None, a list, int arrays, an error and a mutated
    layers_dims each reported in one plain line, without a traceback?"""
    function, words = BAD_ZEROS[kind]
    lines = run_public("zeros", function, capsys)
    assert_one_line_failures(lines)
    assert any(words in line for line in lines), lines


def unseeded(scheme):
    """A correct formula that forgets np.random.seed(3)."""
    scale = {"random": lambda n_prev: 10, "he": lambda n_prev: np.sqrt(2.0 / n_prev)}[scheme]

    def initialize(layers_dims):
        parameters = {}
        for l in range(1, len(layers_dims)):
            weights = np.random.randn(layers_dims[l], layers_dims[l - 1])
            parameters["W" + str(l)] = weights * scale(layers_dims[l - 1])
            parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
        return parameters

    return initialize


@pytest.mark.parametrize("scheme", ["random", "he"])
@pytest.mark.parametrize("global_seed", [None, 0, 3])
def test_function_that_does_not_seed_itself_fails(scheme, global_seed, capsys):
    """Does a function without its own np.random.seed(3) fail, even with the global seed at 3?"""
    if global_seed is not None:
        np.random.seed(global_seed)
    lines = run_public(scheme, unseeded(scheme), capsys)
    assert_one_line_failures(lines)
    assert any("np.random.seed(3)" in line for line in lines), lines


def test_non_function_is_reported(capsys):
    """Is passing the result instead of the function explained in one line?"""
    lines = run_public("he", solution("he")([2, 4, 1]), capsys)
    assert len(lines) == 1 and "without ()" in lines[0]


# The 8-digit values of the published outputs (REFERENCE.md).
PUBLISHED = {
    "RANDOM_3_2_1": {
        "W1": [[17.88628473, 4.36509851, 0.96497468], [-18.63492703, -2.77388203, -3.54758979]],
        "W2": [[-0.82741481, -6.27000677]],
    },
    "HE_2_4_1": {
        "W1": [
            [1.78862847, 0.43650985],
            [0.09649747, -1.8634927],
            [-0.2773882, -0.35475898],
            [-0.08274148, -0.62700068],
        ],
        "W2": [[-0.03098412, -0.33744411, -0.92904268, 0.62552248]],
    },
    "HE_3_1_2": {
        "W1": [[1.46040903, 0.3564088, 0.07878985]],
        "W2": [[-2.63537665], [-0.39228616]],
    },
}


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_full_precision_values_round_to_the_published_ones(name):
    """Do the full-precision public values round to the published 8-digit outputs?"""
    full = getattr(public_tests, name)
    assert sorted(full) == sorted(PUBLISHED[name])
    for key, published in PUBLISHED[name].items():
        np.testing.assert_array_equal(np.round(np.array(full[key]), 8), np.array(published))


@pytest.mark.parametrize("scheme", ["zeros", "random", "he"])
def test_public_expected_values_are_the_reference_ones(scheme):
    """Are the expected arrays of every public case exactly the reference initialiser's?"""
    for case in public_tests.public_cases(scheme):
        wanted = reference.initialize(scheme, case.layers_dims)
        assert sorted(case.expected) == sorted(wanted), case.name
        for key, value in wanted.items():
            np.testing.assert_array_equal(case.expected[key], value, err_msg=case.name)


def two_layers_only(layers_dims):
    """Hard-wired to W1, b1, W2, b2: right for 3-entry layers_dims, wrong for longer ones."""
    return {
        "W1": np.zeros((layers_dims[1], layers_dims[0])),
        "b1": np.zeros((layers_dims[1], 1)),
        "W2": np.zeros((layers_dims[2], layers_dims[1])),
        "b2": np.zeros((layers_dims[2], 1)),
    }


def test_grade_gives_partial_credit(capsys):
    """Does grade() award one point per passed case, public and hidden?"""
    points = public_tests.grade("zeros", two_layers_only, cases.hidden_cases("zeros"))
    lines = capsys.readouterr().out.splitlines()
    passed = [line for line in lines if line.startswith("PASS")]
    failed = [line for line in lines if line.startswith("FAIL")]
    # Three-entry layers_dims: public [3, 2, 1] and hidden [5, 3, 4]; the other three fail.
    assert (len(passed), len(failed)) == (2, 3), lines
    assert points == 2.0


@pytest.mark.parametrize("scheme", ["zeros", "random", "he"])
def test_grade_gives_full_and_zero_marks(scheme, capsys):
    """Does grade() give max_points to a solution, and 0 to the untouched stub?"""

    def stub(layers_dims):
        raise NotImplementedError()

    hidden = cases.hidden_cases(scheme)
    assert (
        public_tests.grade(scheme, solution(scheme), hidden)
        == assignment.exercise(scheme).max_points
    )
    assert public_tests.grade(scheme, stub, hidden) == 0
    assert "Traceback" not in capsys.readouterr().out


def test_ctrl_c_inside_the_function_still_stops_the_test():
    """Does a KeyboardInterrupt raised by the function stop the test instead of failing a case?"""

    def interrupted(layers_dims):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        public_tests.initialize_parameters_he_test(interrupted)


# --------------------------------------------------------------------------
# Points only for right values.
# --------------------------------------------------------------------------


def constant_weights(value, scheme):
    """Weights of the right shape that are all `value` (scaled as the scheme scales)."""
    scale = {"random": lambda n_prev: 10.0, "he": lambda n_prev: np.sqrt(2.0 / n_prev)}[scheme]

    def initialize(layers_dims):
        parameters = {}
        for l in range(1, len(layers_dims)):
            shape = (layers_dims[l], layers_dims[l - 1])
            parameters["W" + str(l)] = np.full(shape, value) * scale(shape[1])
            parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
        return parameters

    return initialize


@pytest.mark.parametrize("scheme", ["random", "he"])
@pytest.mark.parametrize("value", [0.0, 1.0, np.nan, np.inf, -2.5])
def test_constant_weights_earn_nothing(scheme, value, capsys):
    """Do weights of the right shape that are all 0, all 1, all NaN, all inf or any constant
    earn no point at all -- the seeding case included -- on random and He?"""
    hidden = cases.hidden_cases(scheme)
    assert public_tests.grade(scheme, constant_weights(value, scheme), hidden) == 0
    seeding = next(line for line in capsys.readouterr().out.splitlines() if "seeding" in line)
    assert seeding.startswith("FAIL"), seeding


def test_the_seeding_case_needs_the_right_values():
    """Does a seeded function with wrong values fail the seeding case on its values?"""
    [case] = [case for case in public_tests.public_cases("he") if case.kind == "seeding"]

    def times_ten(layers_dims):
        np.random.seed(3)
        return {
            key: (np.random.randn(*shape) * 10 if key[0] == "W" else np.zeros(shape))
            for key, shape in reference.shapes(layers_dims).items()
        }

    passed, message = public_tests.judge(case, public_tests.observe(times_ten, case))
    assert not passed
    assert "differs from the expected values" in message


# --------------------------------------------------------------------------
# A result that does not depend on layers_dims.
# --------------------------------------------------------------------------


def published(scheme):
    """The first public case's expected parameters, as a student would copy them."""
    return {
        key: value.copy() for key, value in public_tests.PUBLIC_CASES[scheme][0].expected.items()
    }


def hard_coded_constant(scheme):
    return lambda layers_dims: published(scheme)


def hard_coded_by_length(scheme):
    """An answer chosen by len(layers_dims) alone (the published one for length 3)."""
    answers = {3: published(scheme), 4: solution(scheme)([5, 5, 5, 5])}
    return lambda layers_dims: {
        key: value.copy() for key, value in answers[len(layers_dims)].items()
    }


def hard_coded_lookup(scheme):
    """The public cases looked up, any other layers_dims given the first public answer."""
    table = {tuple(case.layers_dims): case.expected for case in public_tests.PUBLIC_CASES[scheme]}
    fallback = published(scheme)
    return lambda layers_dims: dict(table.get(tuple(layers_dims), fallback))


def hard_coded_with_noise(scheme):
    """The published answer, nudged by a tiny amount that depends on layers_dims."""

    def initialize(layers_dims):
        nudge = 1e-12 * sum(layers_dims)
        return {key: value + nudge for key, value in published(scheme).items()}

    return initialize


HARD_CODED = {
    "constant dict": hard_coded_constant,
    "answer chosen by length": hard_coded_by_length,
    "lookup table with a constant fallback": hard_coded_lookup,
    "published answer nudged by layers_dims": hard_coded_with_noise,
}


@pytest.mark.parametrize("scheme", public_tests.SCHEMES)
@pytest.mark.parametrize("kind", list(HARD_CODED))
def test_a_hard_coded_answer_scores_0_and_is_named(scheme, kind, capsys):
    """Does a function whose result does not depend on layers_dims score 0 in grade(), with a
    line that names it as a hard-coded answer?"""
    points = public_tests.grade(scheme, HARD_CODED[kind](scheme), cases.hidden_cases(scheme))
    lines = capsys.readouterr().out.splitlines()
    assert points == 0
    [named] = [line for line in lines if "hard-coded answer" in line]
    assert named.startswith("FAIL exercise: ")
    assert "does not depend on layers_dims" in named


@pytest.mark.parametrize("scheme", ["random", "he"])
def test_the_public_test_says_plainly_that_an_answer_is_hard_coded(scheme, capsys):
    """Does the public test tell the student that a copied expected output is hard-coded?"""
    lines = run_public(scheme, hard_coded_constant(scheme), capsys)
    assert_one_line_failures(lines)
    assert any("hard-coded answer" in line for line in lines), lines


def list_parameters(layers_dims):
    """Python lists instead of arrays: observed as the type name 'list' whatever they hold."""
    return {key: np.zeros(shape).tolist() for key, shape in reference.shapes(layers_dims).items()}


def unseeded_random(layers_dims):
    return {key: np.random.randn(*shape) for key, shape in reference.shapes(layers_dims).items()}


HONEST = {
    "correct zeros": ("zeros", solution("zeros")),
    "correct random": ("random", solution("random")),
    "correct he": ("he", solution("he")),
    "seed text's zeros bug": ("zeros", seed_text_zeros),
    "missing last layer": ("zeros", missing_last_layer),
    "two layers only": ("zeros", two_layers_only),
    "stub": ("he", stub),
    "empty dict": ("random", returns({})),
    "None": ("he", returns(None)),
    "lists": ("zeros", list_parameters),
    "no seed": ("random", unseeded_random),
    "raises": ("he", raises),
}


@pytest.mark.parametrize("kind", list(HONEST))
def test_honest_code_is_never_called_hard_coded(kind):
    """Are correct code and honest mistakes (the seed bug, a missing layer, the stub, {}, None,
    lists) never taken for a hard-coded answer on the graded cases?"""
    scheme, function = HONEST[kind]
    graded = cases.all_cases(scheme)
    observations = [public_tests.observe(function, case) for case in graded]
    assert public_tests.hardcoded_problem(graded, observations) == ""


@pytest.mark.parametrize("scheme", public_tests.SCHEMES)
def test_graded_cases_differ_in_their_first_two_layer_sizes(scheme):
    """Do the graded cases differ pairwise in (n_0, n_1), so that any code whose W1 depends on
    its layer sizes returns different results for them?"""
    firsts = [tuple(case.layers_dims[:2]) for case in cases.all_cases(scheme)]
    distinct_inputs = {tuple(case.layers_dims) for case in cases.all_cases(scheme)}
    assert len(set(firsts)) == len(distinct_inputs)


# --------------------------------------------------------------------------
# Hidden cases stay hidden.
# --------------------------------------------------------------------------


def nudged(scheme, factor):
    """The right answer, every weight multiplied by factor: wrong values that look right."""

    def initialize(layers_dims):
        parameters = solution(scheme)(layers_dims)
        return {key: value * factor for key, value in parameters.items()}

    return initialize


@pytest.mark.parametrize("scheme", ["random", "he"])
@pytest.mark.parametrize("factor", [1.001, 0.5, -1.0])
def test_hidden_feedback_never_prints_expected_values(scheme, factor, capsys):
    """Does grade() name a hidden case's wrong values without printing any expected value?"""
    public_tests.grade(scheme, nudged(scheme, factor), cases.hidden_cases(scheme))
    out = capsys.readouterr().out
    hidden_lines = [line for line in out.splitlines() if line.startswith("FAIL hidden case")]
    assert hidden_lines and all("differs from the expected values" in l for l in hidden_lines)
    assert all("entries differ" in line for line in hidden_lines)
    assert not hidden_values.leaked_forms(out)


@pytest.mark.parametrize("scheme", ["random", "he"])
def test_hidden_feedback_names_nan_and_constant_weights(scheme, capsys):
    """Does the feedback of a hidden case say that the weights are NaN, or all the same?"""
    hidden = cases.hidden_cases(scheme)
    public_tests.grade(scheme, constant_weights(np.nan, scheme), hidden)
    public_tests.grade(scheme, constant_weights(0.0, scheme), hidden)
    hidden_lines = [
        line for line in capsys.readouterr().out.splitlines() if line.startswith("FAIL hidden")
    ]
    assert any("NaN" in line for line in hidden_lines)
    assert any("every entry is 0" in line for line in hidden_lines)


# --------------------------------------------------------------------------
# Fuzzing the judge with returned values (Hypothesis).
# --------------------------------------------------------------------------

FUZZ = settings(max_examples=300, deadline=None, database=None)


@pytest.mark.filterwarnings("error")  # a warning is stderr, which fails nbgrader's grade cell
@FUZZ
@given(data=st.data())
def test_judge_never_crashes_nor_passes_a_wrong_answer(data):
    """Does judge() give every observation -- arrays of any dtype and shape, NaN, inf, odd keys,
    type names -- a verdict without raising or warning, and pass only right answers?"""
    case = data.draw(st.sampled_from(returned_values.ALL_CASES))
    observations = data.draw(returned_values.observations_for(case))
    passed, message = public_tests.judge(case, observations)
    assert type(passed) is bool and type(message) is str
    if passed:
        assert returned_values.is_right(case, observations)
        assert message == ""
    else:
        assert message and "\n" not in message


@pytest.mark.filterwarnings("error")
@FUZZ
@given(data=st.data())
def test_an_exercise_is_scored_between_0_and_its_points(data):
    """Does judge_exercise() score any mix of right and spoiled results between 0 and the
    exercise's points, full points only when every case is right?"""
    scheme = data.draw(st.sampled_from(public_tests.SCHEMES))
    graded = cases.all_cases(scheme)
    observations = [data.draw(returned_values.observations_for(case)) for case in graded]
    verdicts, hardcoded = public_tests.judge_exercise(graded, observations)
    points = public_tests.exercise_score(graded, verdicts, hardcoded)
    assert 0 <= points <= public_tests.max_score(graded)
    if points == public_tests.max_score(graded):
        assert all(
            returned_values.is_right(c, o) for c, o in zip(graded, observations, strict=True)
        )
        assert hardcoded == ""


def test_a_call_that_raised_with_an_empty_message_never_passes():
    """Is an observation that says the call raised -- even with an empty line, as a forged
    channel message may -- a failed case, whatever entries come with it?"""
    case = public_tests.public_cases("he")[0]
    observation = public_tests.observe_call(solution("he"), case.layers_dims)
    assert public_tests.judge(case, [observation]) == (True, "")
    observation["raised"] = ""
    passed, message = public_tests.judge(case, [observation])
    assert not passed and "raised" in message


# --------------------------------------------------------------------------
# What ships to students computes no initialisation.
# --------------------------------------------------------------------------

HIDDEN_DIMS = [dims for scheme in public_tests.SCHEMES for dims in cases.HIDDEN_LAYERS[scheme]]
# Calls of these name a draw, a seed or a scale: the makings of an initialiser.
INITIALISER_CALLS = {
    "randn",
    "rand",
    "normal",
    "standard_normal",
    "seed",
    "RandomState",
    "default_rng",
    "sqrt",
    "ones",
    "full",
}


def arguments_for(layers_dims):
    """The ways a student might hand layers_dims to a helper: alone, with {}, with a scheme."""
    yield (list(layers_dims),)
    yield (list(layers_dims), {})
    for scheme in public_tests.SCHEMES:
        yield (scheme, list(layers_dims), {})


def returned_parameters_of_every_helper(layers_dims):
    """What each public function of public_tests returns (a Case: its expected) for layers_dims."""
    for name, helper in vars(public_tests).items():
        if name.startswith("_") or not callable(helper) or isinstance(helper, type):
            continue
        for arguments in arguments_for(layers_dims):
            try:
                result = helper(*arguments)
            except Exception:  # noqa: BLE001 -- a helper that refuses these arguments is fine
                continue
            yield name, getattr(result, "expected", result)


def is_initialisation(result, layers_dims):
    """Is `result` the right parameters of some scheme for layers_dims?"""
    for scheme in public_tests.SCHEMES:
        right = reference.initialize(scheme, layers_dims)
        if (
            type(result) is dict
            and result.keys() == right.keys()
            and all(
                np.shape(result[key]) == right[key].shape and np.allclose(result[key], right[key])
                for key in right
            )
        ):
            return True
    return False


@pytest.mark.parametrize("layers_dims", HIDDEN_DIMS, ids=str)
def test_no_shipped_helper_returns_an_initialisation(layers_dims, capsys):
    """Does no function of public_tests, handed unseen layer sizes (with or without a scheme
    and weights), return the right parameters -- which a student could return as an answer?"""
    found = [
        name
        for name, result in returned_parameters_of_every_helper(layers_dims)
        if is_initialisation(result, layers_dims)
    ]
    capsys.readouterr()
    assert not found, f"public_tests hands out the answer for {layers_dims}: {found}"


def called_names(path):
    """The names of every function public_tests.py calls: np.random.randn -> 'randn'."""
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            function = node.func
            yield (
                function.attr
                if isinstance(function, ast.Attribute)
                else getattr(function, "id", "")
            )


@pytest.mark.parametrize("folder", [".", "release/initialization"])
def test_shipped_tests_draw_no_weights(request, folder):
    """Does the public_tests.py that students get call no draw, seed or scale (randn, seed,
    sqrt, ...)? Its expected values are literal data."""
    path = request.config.rootpath / folder / "public_tests.py"
    assert not set(called_names(path)) & INITIALISER_CALLS


# --------------------------------------------------------------------------
# The notebook names the mistake, from the grader's one catalogue.
# --------------------------------------------------------------------------

NAMED = re.compile(r"^Likely mistake \[([a-z0-9_]+)\]: ", re.MULTILINE)
SHIPPED_MISTAKES = public_tests.load_mistakes(
    Path(public_tests.__file__).parent / public_tests.MISTAKES_FILE
)
CATALOGUED = [
    (mistake.name, scheme, version)
    for mistake in misconceptions.CATALOGUE
    for scheme in mistake.schemes
    for version in range(len(mistake.versions))
]


def names_printed(text):
    return NAMED.findall(text)


@pytest.mark.parametrize(("name", "scheme", "version"), CATALOGUED)
def test_the_notebook_names_each_mistake_as_the_grader_does(name, scheme, version, capsys):
    """Does the notebook's public test name each version of each catalogued mistake exactly as
    the grader's feedback does on the same calls (the same names, in the same order)?"""
    mistake = misconceptions.BY_NAME[name]
    function = misconceptions.mistaken_initialiser(scheme, mistake.versions[version])
    TESTS[scheme](function)
    printed = names_printed(capsys.readouterr().out)
    public = public_tests.public_cases(scheme)
    observations = [public_tests.observe(function, case) for case in public]
    verdicts, hardcoded = public_tests.judge_exercise(public, observations)
    feedback = "\n".join(grading.failure_feedback(public, observations, verdicts, hardcoded))
    assert printed == names_printed(feedback)
    if not all(passed for passed, _ in verdicts):
        assert printed, f"the notebook names nothing for version {version} of {name}"


@pytest.mark.parametrize("scheme", ["random", "he"])
def test_the_notebook_names_a_missing_seed(scheme, capsys):
    """Is a function that never seeds numpy's generator named no_seed in the notebook?"""

    def unseeded(layers_dims):
        return {
            key: (np.random.randn(*shape) if key[0] == "W" else np.zeros(shape))
            for key, shape in reference.shapes(layers_dims).items()
        }

    TESTS[scheme](unseeded)
    assert names_printed(capsys.readouterr().out) == ["no_seed"]


def test_the_shipped_mistakes_are_the_catalogue_with_its_words():
    """Does the shipped file hold every catalogued mistake with the catalogue's own name, cause
    and fix -- one definition of each message, for the grader and the notebook alike?"""
    shipped = [(m.name, m.cause, m.fix, m.schemes) for m in SHIPPED_MISTAKES]
    catalogue = [(m.name, m.cause, m.fix, m.schemes) for m in misconceptions.CATALOGUE]
    assert shipped == catalogue


def test_the_shipped_mistakes_cover_public_cases_only():
    """Does the shipped file hold outputs on the public cases only, never a hidden layer size?"""
    public = {
        public_tests.case_key(case)
        for scheme in public_tests.SCHEMES
        for case in public_tests.public_cases(scheme)
    }
    keys = {key for mistake in SHIPPED_MISTAKES for key in mistake.outputs}
    assert keys and keys <= public
    text = (Path(public_tests.__file__).parent / public_tests.MISTAKES_FILE).read_text()
    for dims in HIDDEN_DIMS:
        assert str(dims) not in text


@pytest.mark.parametrize(
    "content",
    [
        None,
        "",
        "not json",
        "[]",
        '{"mistakes": 7}',
        '{"mistakes": [{"name": "x"}]}',
        '{"mistakes": [{"name": "x", "schemes": ["zeros"], "cause": "c", "fix": "f", '
        '"calls_differ": false, "unseeded": false, "outputs": {"zeros [3, 2, 1]": '
        '[{"raised": null, "returned": "dict", "entries": {"W1": {"dtype": "V3", '
        '"shape": [9], "values": [1]}}}]}}]}',
    ],
)
def test_a_missing_or_broken_mistakes_file_names_nothing_and_loses_nothing(
    tmp_path, content, capsys
):
    """Does a missing, empty, malformed or hostile mistakes file name no mistake, while the
    public test still lists every failed case?"""
    path = tmp_path / public_tests.MISTAKES_FILE
    if content is not None:
        path.write_text(content)
    mistakes = public_tests.load_mistakes(path)
    assert mistakes == ()
    public_tests.run_test(stub, public_tests.public_cases("zeros"), mistakes)
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "2 of 2 tests failed." and len(lines) == 3


def test_a_mistake_whose_outputs_do_not_compare_names_nothing(capsys):
    """Does a mistake whose shipped output cannot be compared (an entry of the wrong kind) name
    nothing instead of crashing the test?"""
    odd = public_tests.Mistake(
        "odd", ("zeros",), "c", "f", outputs={"zeros [3, 2, 1]": [{"raised": None}]}
    )
    public_tests.run_test(returns({"W1": 1}), public_tests.public_cases("zeros"), (odd,))
    out = capsys.readouterr().out
    assert "Likely mistake" not in out and out.endswith("2 of 2 tests failed.\n")


def test_the_untouched_stub_says_it_is_not_implemented_yet(capsys):
    """Does the untouched random exercise say plainly that it is not implemented yet and where
    to write the code -- one line, as `check` names it, then the count?"""
    TESTS["random"](stub)
    lines = capsys.readouterr().out.splitlines()
    stub_mistake = misconceptions.BY_NAME["unanswered_stub"]
    assert lines == [misconceptions.explain(stub_mistake), "3 of 3 tests failed."]
    assert "not implemented yet" in lines[0] and "# YOUR CODE HERE" in lines[0]


# --------------------------------------------------------------------------
# Every problem of a failing case.
# --------------------------------------------------------------------------


def fixed_dims_and_3d_bias(layers_dims):
    """W of the first test case's sizes whatever layers_dims, and a 3-D bias."""
    parameters = solution("zeros")(layers_dims)
    parameters["W2"] = np.zeros((5, 5))
    parameters["b1"] = np.zeros((layers_dims[1], 1, 1))
    return parameters


def test_a_case_lists_every_structural_problem(capsys):
    """Does a case with a wrong W and a 3-D bias name both, not only the bias?"""
    lines = run_public("zeros", fixed_dims_and_3d_bias, capsys)
    assert_one_line_failures(lines)
    first = lines[0]
    assert "b1 has shape (2, 1, 1)" in first and "W2 has shape (5, 5)" in first, first


def test_a_long_list_of_problems_is_capped(capsys):
    """Are the problems of one case capped at MAX_PROBLEMS, with the count of the rest?"""

    def all_flat(layers_dims):
        return {key: np.zeros(shape[0]) for key, shape in reference.shapes(layers_dims).items()}

    lines = run_public("zeros", all_flat, capsys)
    [long_case] = [line for line in lines if "[2, 4, 3, 1]" in line]
    assert long_case.count(" has shape ") == public_tests.MAX_PROBLEMS
    assert long_case.endswith("and 3 more problems"), long_case


def test_the_layers_dims_1_cause_covers_w_and_b(capsys):
    """Is layers_dims[1] named as the cause of a wrong bias, as of a wrong W?"""

    def bias_rows_from_layer_1(layers_dims):
        parameters = solution("zeros")(layers_dims)
        for l in range(2, len(layers_dims)):
            parameters[f"b{l}"] = np.zeros((layers_dims[1], 1))
        return parameters

    lines = run_public("zeros", bias_rows_from_layer_1, capsys)
    assert any("b2 has shape" in line and "layers_dims[1]" in line for line in lines), lines


def test_under_validate_every_line_fits_and_nothing_is_cut(monkeypatch, capsys):
    """Under nbgrader's Validate (which cuts each line at 87 characters), does every line the
    public test writes fit, with all of its words still there?"""
    TESTS["he"](fixed_dims_and_3d_bias)
    whole = capsys.readouterr().out
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    TESTS["he"](fixed_dims_and_3d_bias)
    wrapped = capsys.readouterr().err
    assert max(len(line) for line in wrapped.splitlines()) <= public_tests.VALIDATE_LINE
    assert wrapped.split() == whole.split()


def test_the_shipped_mistakes_show_no_hidden_value():
    """Does the shipped file withhold every value a hidden case expects (some mistakes return on
    a public case what a hidden case expects), printed in any form, as a whole number?"""
    text = (Path(public_tests.__file__).parent / public_tests.MISTAKES_FILE).read_text()
    forms = set().union(*(hidden_values.hidden_only_forms(s) for s in public_tests.SCHEMES))
    shown = [f for f in forms if re.search(rf"(?<![\d.]){re.escape(f)}(?!\d)", text)]
    assert not shown


TRICKY = [
    np.array([np.nan, np.inf, -np.inf, 0.0, 1e-9, -0.0, 1e308, -1e308]),
    np.array([np.inf, np.inf, np.inf, 1e-8, 0.0, 0.0, -1e308, 1e308]),
    np.array([[1.0, 2.0]], dtype=np.float16),
    np.array([[1, 2]], dtype=np.int64),
    np.array([[True, False]]),
    np.array([[1.0000001, 2.0]], dtype=np.float32),
    np.zeros((0, 2)),
    np.array(np.nan),
]


@pytest.mark.parametrize("equal_nan", [False, True])
def test_close_entries_agree_with_numpy_isclose_on_tricky_pairs(equal_nan):
    """Does close_entries, and so all_close, agree with numpy's isclose and allclose on NaN,
    inf, overflowing differences, other dtypes, empty arrays and broadcasting?"""
    # 1e308 - -1e308 overflows in both (numpy warns alike): the comparison, not the warning.
    with np.errstate(over="ignore"):
        compare_tricky_pairs(equal_nan)


def compare_tricky_pairs(equal_nan):
    for got in TRICKY:
        for want in TRICKY:
            try:
                expected = np.isclose(
                    got, want, rtol=public_tests.RTOL, atol=public_tests.ATOL, equal_nan=equal_nan
                )
            except (ValueError, TypeError) as error:
                with pytest.raises(type(error)):
                    public_tests.close_entries(got, want, equal_nan)
                continue
            found = public_tests.close_entries(got, want, equal_nan)
            assert np.array_equal(found, expected), (got, want)
            assert public_tests.all_close(got, want, equal_nan) == np.allclose(
                got, want, rtol=public_tests.RTOL, atol=public_tests.ATOL, equal_nan=equal_nan
            )


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_close_entries_agree_with_numpy_isclose_on_returned_arrays(data):
    """Does close_entries agree with numpy's isclose on any two arrays a function may return
    (of one shape: the judging compares only those)?"""
    got = data.draw(returned_values.any_array())
    want = data.draw(returned_values.any_array(got.shape))
    for equal_nan in (False, True):
        expected = np.isclose(
            got, want, rtol=public_tests.RTOL, atol=public_tests.ATOL, equal_nan=equal_nan
        )
        assert np.array_equal(public_tests.close_entries(got, want, equal_nan), expected)
