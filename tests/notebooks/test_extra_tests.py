"""Do the public tests of the Xavier and LeCun exercises pass right answers and catch wrong ones?"""

import numpy as np
import pytest
from extra_tests import (
    EXPECTED_WEIGHTS,
    extra_cases,
    initialize_parameters_lecun_test,
    initialize_parameters_xavier_test,
)

import public_tests

STD = {
    "xavier": lambda n_prev, n: np.sqrt(2.0 / (n_prev + n)),  # Glorot & Bengio 2010
    "lecun": lambda n_prev, n: np.sqrt(1.0 / n_prev),  # LeCun et al. 1998
}
TESTS = {"xavier": initialize_parameters_xavier_test, "lecun": initialize_parameters_lecun_test}


def initializer(scheme, seed=3, reseed=True):
    """A student's answer: seed, then one standard-normal draw per layer, scaled."""

    def initialize(layers_dims):
        if reseed:
            np.random.seed(seed)
        parameters = {}
        for l in range(1, len(layers_dims)):
            n_prev, n = layers_dims[l - 1], layers_dims[l]
            parameters[f"W{l}"] = np.random.randn(n, n_prev) * STD[scheme](n_prev, n)
            parameters[f"b{l}"] = np.zeros((n, 1))
        return parameters

    return initialize


@pytest.mark.parametrize("scheme", ["xavier", "lecun"])
def test_literal_expected_values_follow_the_formula(scheme):
    """Are the literal expected weights seed-3 standard normals times the scheme's std?"""
    for layers_dims, weights in EXPECTED_WEIGHTS[scheme].items():
        generator = np.random.RandomState(3)  # the legacy generator np.random.seed(3) sets
        for l in range(1, len(layers_dims)):
            n_prev, n = layers_dims[l - 1], layers_dims[l]
            drawn = generator.standard_normal((n, n_prev)) * STD[scheme](n_prev, n)
            np.testing.assert_allclose(weights[f"W{l}"], drawn, rtol=1e-15)


def test_the_two_exercises_expect_different_weights():
    """Would one answer pass both exercises, i.e. do their expected values coincide anywhere?"""
    for layers_dims, xavier in EXPECTED_WEIGHTS["xavier"].items():
        lecun = EXPECTED_WEIGHTS["lecun"][layers_dims]
        assert all(not np.allclose(xavier[key], lecun[key]) for key in xavier)


@pytest.mark.parametrize("scheme", ["xavier", "lecun"])
def test_a_right_answer_passes(scheme, capsys):
    """Does a correct answer print 'All tests passed.'?"""
    TESTS[scheme](initializer(scheme))
    assert capsys.readouterr().out == "All tests passed.\n"


@pytest.mark.parametrize("scheme, other", [("xavier", "lecun"), ("lecun", "xavier")])
def test_the_other_formula_fails_with_this_schemes_hint(scheme, other, capsys):
    """Does the other exercise's formula fail, with a hint naming this scheme's std?"""
    TESTS[scheme](initializer(other))
    out = capsys.readouterr().out
    assert f"initialize_parameters_{scheme}([3, 2, 1])" in out and "W1 differs" in out
    hint = "layers_dims[l-1] + layers_dims[l]" if scheme == "xavier" else "np.sqrt(1 / layers_dims"
    assert hint in out
    assert out.endswith("3 of 3 tests failed.\n")  # the seeding case needs right values too


def test_a_missing_seed_fails_the_seeding_case(capsys):
    """Is an answer that forgets np.random.seed(3) caught by the seeding case?"""
    np.random.seed(3)  # right values by luck on the first call only
    initialize_parameters_xavier_test(initializer("xavier", reseed=False))
    assert "np.random.seed(3)" in capsys.readouterr().out


def test_an_empty_dict_is_not_a_pass(capsys):
    """Does returning {} fail, naming the function and the missing loop?"""
    initialize_parameters_lecun_test(lambda layers_dims: {})
    out = capsys.readouterr().out
    assert "initialize_parameters_lecun([3, 2, 1]) returned an empty dict" in out


def test_passing_a_call_instead_of_the_function_is_explained(capsys):
    """Is the common slip initialize_parameters_xavier_test(f(dims)) explained in one line?"""
    initialize_parameters_xavier_test({"W1": np.zeros((2, 3))})
    assert capsys.readouterr().out == (
        "initialize_parameters_xavier is not a function: pass the function itself, without ()\n"
    )


def test_cases_are_public_tests_cases():
    """Are the cases shaped like public_tests' own, values first and seeding last?"""
    cases = extra_cases("xavier")
    assert [case.kind for case in cases] == ["values", "values", "seeding"]
    assert all(isinstance(case, public_tests.Case) for case in cases)
