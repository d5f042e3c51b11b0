"""Fixtures of the autograder tests: one warm sandbox and the graded corpus, per session."""

import pytest
from support.corpus import SUBMISSIONS, corpus_expectations

from autograder import grading
from autograder.probe import COURSE_PROBE
from autograder.sandbox import Sandbox


@pytest.fixture(scope="session")
def sandbox():
    """A real sandbox (the strongest isolation available), shared by the tests."""
    with Sandbox(COURSE_PROBE, workers=2) as shared:
        yield shared


@pytest.fixture(scope="session")
def corpus_reports(sandbox):
    """{file name: report} of every corpus submission, graded once with the hidden cases."""
    names = sorted(corpus_expectations())
    reports = grading.grade_many([SUBMISSIONS / name for name in names], sandbox)
    return dict(zip(names, reports, strict=True))
