"""Does the shared training loop train the assignment's network as its model() does?"""

import warnings

import numpy as np
import pytest
from training_loop import LAYERS_DIMS, accuracy, train

from autograder.reference import initialize
from init_utils import load_dataset

# The seed text's He run: "Cost after iteration 0" and "... 1000".
HE_COST_AT_0, HE_COST_AT_1000 = 0.8830537463419761, 0.6879825919728063


@pytest.fixture(scope="module")
def data():
    return load_dataset()


def test_he_start_reproduces_the_published_costs(data):
    """Do 1,001 iterations from the He start print the published costs at 0 and 1,000?"""
    train_X, train_Y, _, _ = data
    _, costs = train(train_X, train_Y, initialize("he", LAYERS_DIMS), num_iterations=1001)
    assert costs == pytest.approx([HE_COST_AT_0, HE_COST_AT_1000], rel=1e-12)


def test_costs_are_recorded_every_every_iterations(data):
    """Is a cost recorded at iterations 0, every, 2*every, ... and nowhere else?"""
    train_X, train_Y, _, _ = data
    _, costs = train(train_X, train_Y, initialize("he", LAYERS_DIMS), num_iterations=25, every=10)
    assert len(costs) == 3


def test_training_leaves_the_start_unchanged(data):
    """Can the same start be trained twice, i.e. does train() leave its argument alone?"""
    train_X, train_Y, _, _ = data
    start = initialize("he", LAYERS_DIMS)
    before = {key: value.copy() for key, value in start.items()}
    train(train_X, train_Y, start, num_iterations=5)
    assert all(np.array_equal(start[key], before[key]) for key in before)


def test_a_saturating_start_trains_without_warnings(data):
    """Does a start large enough to overflow the sigmoid's exp train without numpy warnings?"""
    train_X, train_Y, _, _ = data
    start = {key: value * 1000 for key, value in initialize("random", LAYERS_DIMS).items()}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's RuntimeWarnings become failures
        _, costs = train(train_X, train_Y, start, num_iterations=3)
    assert costs[0] == np.inf


def test_accuracy_is_silent_and_counts_matches(data, capsys):
    """Does accuracy() return the fraction of correct predictions without printing it?"""
    train_X, train_Y, _, _ = data
    # Zero weights predict sigmoid(0) = 0.5, which is not > 0.5: every prediction is 0.
    assert accuracy(train_X, train_Y, initialize("zeros", LAYERS_DIMS)) == np.mean(train_Y == 0)
    assert capsys.readouterr().out == ""
