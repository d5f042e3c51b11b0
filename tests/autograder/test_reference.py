"""Is the reference one initialiser with its own generator, giving the course's values?"""

import sys
import threading

import numpy as np
import pytest

import public_tests
from autograder import cases, reference


def course_recipe(scheme, layers_dims):
    """The initialiser as the notebook's solution writes it, with numpy's global generator."""
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        shape = (layers_dims[l], layers_dims[l - 1])
        if scheme == "zeros":
            parameters[f"W{l}"] = np.zeros(shape)
        elif scheme == "random":
            parameters[f"W{l}"] = np.random.randn(*shape) * 10
        else:
            parameters[f"W{l}"] = np.random.randn(*shape) * np.sqrt(2.0 / layers_dims[l - 1])
        parameters[f"b{l}"] = np.zeros((layers_dims[l], 1))
    return parameters


def bit_identical(got, want):
    return list(got) == list(want) and all(
        got[key].dtype == want[key].dtype
        and got[key].shape == want[key].shape
        and got[key].tobytes() == want[key].tobytes()
        for key in want
    )


@pytest.mark.parametrize("scheme", public_tests.SCHEMES)
def test_values_are_the_course_recipes_bit_for_bit(scheme):
    """Does the reference return, bit for bit, what np.random.seed(3) and the course's recipe
    return, for every graded case and a few wider networks?"""
    dims_list = [case.layers_dims for case in cases.all_cases(scheme)]
    dims_list += [[1, 1], [12, 7, 30, 1], [3] + [9] * 12]
    for layers_dims in dims_list:
        want = course_recipe(scheme, layers_dims)
        assert bit_identical(reference.initialize(scheme, layers_dims), want), layers_dims


@pytest.mark.parametrize("scheme", public_tests.SCHEMES)
def test_leaves_numpys_global_generator_alone(scheme):
    """Does building reference values leave numpy's global generator where its caller left it?"""
    np.random.seed(1234)
    np.random.randn(5)
    before = np.random.get_state()
    reference.initialize(scheme, [4, 3, 2])
    after = np.random.get_state()
    assert after[2:] == before[2:] and np.array_equal(after[1], before[1])


def test_values_do_not_depend_on_other_threads_drawing():
    """Are the reference values the same while another thread seeds and draws from numpy's
    global generator (as the grader's worker threads may)?"""
    layers_dims = [3] + [4] * 200
    want = reference.initialize("he", layers_dims)
    stop = threading.Event()

    def other_thread():
        while not stop.is_set():
            np.random.seed(0)
            np.random.randn(1)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter can
    thread = threading.Thread(target=other_thread)
    thread.start()
    try:
        differing = sum(
            not bit_identical(reference.initialize("he", layers_dims), want) for _ in range(200)
        )
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(interval)
    assert differing == 0
