"""`nbgrader validate` (the Validate button runs the same) tells the truth, with the real nbgrader.

A student's notebook holds the public tests only. They print their findings in the notebook;
under Validate (nbgrader sets NBGRADER_EXECUTION=validate) a failing public test writes them to
stderr, which Validate counts as a failed test cell and shows as its reason.
"""

import json

import pytest
from support.nbgrader_course import ROOT, validate

SUBMISSIONS = ROOT / "tests" / "files" / "submissions"
FAILED = "VALIDATION FAILED ON"
PASSED = "Success! Your notebook passes all the tests."


def corpus_names(wanted):
    """Readable corpus notebooks whose expected verdicts satisfy wanted(list of exercises)."""
    expected = json.loads((SUBMISSIONS / "expected.json").read_text())
    return sorted(
        name
        for name, entry in expected.items()
        if not entry.get("unreadable") and wanted(list(entry["exercises"].values()))
    )


# The common wrong answers: a named misconception, or a hard-coded answer.
WRONG_ANSWERS = corpus_names(
    lambda exercises: any(
        e["misconception"] or "hard-coded answer" in e["mentions"] for e in exercises
    )
)
# A table of the public cases' answers is right on every case Validate can run: only the hidden
# cases, at autograding, show it does not depend on layers_dims.
PASSES_THE_PUBLIC_CASES = {"lookup_table_of_public_cases.ipynb"}
RIGHT_ANSWERS = [
    "correct_loop.ipynb",
    "correct_lambda.ipynb",
    "correct_moved_cells.ipynb",
    "correct_redefined_wrongly_after_its_test.ipynb",
]


def test_the_untouched_release_fails_validation_with_its_reasons(tmp_path):
    """Does Validate fail the untouched release on all three test cells, saying why?"""
    output = validate(ROOT / "release" / "initialization" / "Initialization.ipynb", tmp_path)
    assert f"{FAILED} 3 CELL(S)" in output, output
    words = " ".join(output.split())  # Validate's lines, as the public tests wrapped them
    assert "is not implemented yet" in words
    assert "replace `raise NotImplementedError()` with your code" in words
    assert "2 of 2 tests failed." in output and "4 of 4 tests failed." in output


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(set(WRONG_ANSWERS) - PASSES_THE_PUBLIC_CASES))
def test_a_common_wrong_answer_fails_validation(name, tmp_path):
    """Does Validate fail each common wrong answer of the corpus?"""
    output = validate(SUBMISSIONS / name, tmp_path)
    assert FAILED in output and PASSED not in output, output


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PASSES_THE_PUBLIC_CASES))
def test_an_answer_right_on_the_public_cases_passes_validation(name, tmp_path):
    """Does Validate pass a notebook right on every public case (Validate runs no hidden one)?"""
    assert PASSED in validate(SUBMISSIONS / name, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("name", RIGHT_ANSWERS)
def test_a_right_answer_passes_validation(name, tmp_path):
    """Does Validate pass a correct notebook?"""
    output = validate(SUBMISSIONS / name, tmp_path)
    assert PASSED in output and FAILED not in output, output
