"""Does this autograder give the same score per exercise as real `nbgrader autograde`?

Every valid notebook of the corpus whose entry in expected.json says `agreement: true`
is autograded by nbgrader in a temporary course built from source/ (it runs the
whole notebook, trainings included: minutes) and by this grader.
"""

import pytest
from support import nbgrader_course as nbgrader
from support.corpus import SUBMISSIONS, corpus_expectations

pytestmark = pytest.mark.slow

AGREEING = sorted(
    name
    for name, entry in corpus_expectations().items()
    if entry["agreement"] and not entry.get("unreadable")
)


def student_of(name):
    return name.removesuffix(".ipynb")


@pytest.fixture(scope="module")
def nbgrader_course(tmp_path_factory):
    """A course in which nbgrader has autograded every agreeing corpus notebook."""
    course = nbgrader.make_course(tmp_path_factory.mktemp("agreement"))
    for name in AGREEING:
        nbgrader.submit(course, student_of(name), SUBMISSIONS / name)
    nbgrader.autograde(course)
    return course


def test_the_agreement_set_covers_the_corpus():
    """Are the notebooks left out of the comparison only the few documented exceptions?"""
    assert len(AGREEING) >= 30


@pytest.mark.parametrize("name", AGREEING)
def test_same_score_per_exercise(nbgrader_course, corpus_reports, name):
    """Does nbgrader give each exercise of this submission the score we give it?"""
    ours = {entry.name: entry.score for entry in corpus_reports[name].exercises}
    assert nbgrader.scores(nbgrader_course, student_of(name)) == ours
