"""What students see from the public tests, and the partial credit of the hidden ones."""

import numpy as np
import pytest

import public_tests
from autograder import cases, reference

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
    return {
        key: np.zeros(shape, dtype=int)
        for key, shape in public_tests.expected_shapes(layers_dims).items()
    }


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
        wanted = reference.initialize(scheme, case["layers_dims"])
        assert sorted(case["expected"]) == sorted(wanted), case["name"]
        for key, value in wanted.items():
            np.testing.assert_array_equal(case["expected"][key], value, err_msg=case["name"])


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
    assert public_tests.grade(scheme, solution(scheme), hidden) == cases.max_points(scheme)
    assert public_tests.grade(scheme, stub, hidden) == 0
    assert "Traceback" not in capsys.readouterr().out


def test_ctrl_c_inside_the_function_still_stops_the_test():
    """Does a KeyboardInterrupt raised by the function stop the test instead of failing a case?"""

    def interrupted(layers_dims):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        public_tests.initialize_parameters_he_test(interrupted)
