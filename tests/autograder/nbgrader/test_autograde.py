"""Does `nbgrader autograde` through SandboxedAutograde give the grader's verdicts?

The preprocessor runs on corpus notebooks as nbgrader hands them to it (the test cells put back
from the source notebook, hidden blocks included), with a real sandbox, and nbgrader's own
determine_grade reads the points from the test cells. The slow test runs the real `nbgrader
autograde` on the whole corpus and compares the gradebook with `python -m autograder grade`.
"""

import copy

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_output
from nbgrader import utils
from support import nbgrader_course
from support.corpus import SUBMISSIONS, corpus_expectations

from autograder import assignment, grading
from autograder.nbgrader.autograde import NOT_GRADED, SandboxedAutograde

SOURCE = (
    nbgrader_course.ROOT
    / "source"
    / nbgrader_course.ASSIGNMENT
    / f"{nbgrader_course.NOTEBOOK}.ipynb"
)
SAMPLES = (
    "correct_loop",
    "no_seed",
    "deleted_function",
    "hardcoded_published_answer",
    "transposed_weights",
    "infinite_loop",
)
TEST_CELLS = {spec.test_cell: spec for spec in assignment.EXERCISES}


def source_test_cells():
    """{grade_id: the source notebook's test cell}, hidden blocks included."""
    cells = nbformat.read(SOURCE, as_version=4).cells
    return {cell.metadata["nbgrader"]["grade_id"]: cell for cell in cells if utils.is_grade(cell)}


def as_nbgrader_hands_it(path):
    """A submission as the autograde preprocessors receive it: outputs cleared, the test
    cells' source put back from the source notebook (what sanitizing does)."""
    nb = nbformat.read(path, as_version=4)
    restored = source_test_cells()
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            if grade_id in restored:
                cell.source = restored[grade_id].source
    return nb


def autograded(nb):
    """The notebook after SandboxedAutograde, on two workers."""
    preprocessor = SandboxedAutograde(workers=2)
    nb, _ = preprocessor.preprocess(nb, {})
    return nb


def cell_scores(nb):
    """{grade_id: nbgrader's score} of every code grade cell."""
    return {
        cell.metadata["nbgrader"]["grade_id"]: utils.determine_grade(cell)[0]
        for cell in nb.cells
        if cell.cell_type == "code" and utils.is_grade(cell)
    }


def grade_cell(nb, grade_id):
    return next(
        cell
        for cell in nb.cells
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id
    )


def cell_text(cell):
    return "".join(output.get("text", "") for output in cell.outputs)


@pytest.fixture(scope="module")
def samples():
    """{name: the notebook SandboxedAutograde gave back} of SAMPLES."""
    return {
        name: autograded(as_nbgrader_hands_it(SUBMISSIONS / f"{name}.ipynb")) for name in SAMPLES
    }


@pytest.fixture(scope="module")
def sample_reports(sandbox):
    """{name: the Report grading.grade_many gives} of SAMPLES."""
    paths = [SUBMISSIONS / f"{name}.ipynb" for name in SAMPLES]
    return dict(zip(SAMPLES, grading.grade_many(paths, sandbox), strict=True))


@pytest.mark.parametrize("name", SAMPLES)
def test_each_test_cell_scores_what_the_grader_gives(samples, sample_reports, name):
    """Does nbgrader's determine_grade read from each test cell the grader's score of its
    exercise?"""
    nb = samples[name]
    ours = {f"{entry.name}_tests": entry.score for entry in sample_reports[name].exercises}
    assert cell_scores(nb) == ours


@pytest.mark.parametrize("name", SAMPLES)
def test_each_test_cell_shows_a_line_per_case_and_the_feedback(samples, sample_reports, name):
    """Does each test cell show one PASS/FAIL line per graded case, then the grader's feedback?"""
    nb = samples[name]
    for entry in sample_reports[name].exercises:
        text = cell_text(grade_cell(nb, f"{entry.name}_tests"))
        spec = next(spec for spec in assignment.EXERCISES if spec.function == entry.name)
        for case in spec.cases(hidden=True):
            assert f"PASS {case.name}\n" in text or f"FAIL {case.name}:" in text, case.name
        # Only the first line: unseeded values differ run to run. A loop that never ends is
        # stopped by whichever of its two 5 s limits (CPU, wall clock) the machine's load
        # lets it reach first, so the limit named in the parenthesis may differ as well.
        assert entry.feedback.splitlines()[0].split(" (exceeded the ")[0] in text


def test_a_hidden_case_value_never_reaches_student_code():
    """Does a function that looks for the hidden cases in its callers' frames, and prints what
    it finds, find nothing (the sandbox receives only kinds and layer sizes)?"""
    nb = as_nbgrader_hands_it(SUBMISSIONS / "correct_loop.ipynb")
    solution = grade_cell(nb, "initialize_parameters_he")
    solution.source = (
        "import inspect\n"
        "for frame in inspect.stack():\n"
        "    for name, value in frame.frame.f_locals.items():\n"
        "        if 'expected' in repr(value)[:100000]:\n"
        "            raise ValueError('LEAKED ' + name)\n" + solution.source
    )
    text = cell_text(grade_cell(autograded(nb), "initialize_parameters_he_tests"))
    assert "LEAKED" not in text
    assert "All " in text and "cases passed" in text


def test_a_grade_cell_the_grader_does_not_know_gets_no_points():
    """Does a code grade cell that is none of the assignment's test cells score 0 with a reason,
    rather than nbgrader's full marks for a code cell without output?"""
    nb = as_nbgrader_hands_it(SUBMISSIONS / "correct_loop.ipynb")
    extra = new_code_cell("assert False")
    extra.metadata["nbgrader"] = {
        "grade": True,
        "solution": False,
        "locked": True,
        "grade_id": "instructors_extra_tests",
        "points": 2,
        "schema_version": 3,
    }
    nb.cells.append(extra)
    done = autograded(nb)
    assert cell_scores(done)["instructors_extra_tests"] == 0
    assert NOT_GRADED in str(grade_cell(done, "instructors_extra_tests").outputs)


def test_no_output_of_the_students_own_run_survives():
    """Does every cell lose outputs it arrived with -- a planted score of 7 in the He test cell
    of a wrong answer, a printed 'All tests passed' elsewhere -- so that only the grader's
    outputs remain?"""
    nb = nbformat.read(SUBMISSIONS / "no_seed.ipynb", as_version=4)
    planted = new_output("execute_result", data={"text/plain": "7.0"}, execution_count=1)
    printed = new_output("stream", name="stdout", text="All tests passed.\n")
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [copy.deepcopy(printed), copy.deepcopy(planted)]
    done = autograded(nb)
    assert cell_scores(done)["initialize_parameters_he_tests"] == 0
    for cell in done.cells:
        if (
            cell.cell_type == "code"
            and cell.metadata.get("nbgrader", {}).get("grade_id") not in TEST_CELLS
        ):
            assert cell.outputs == [], cell.source[:80]


def test_a_notebook_that_cannot_be_graded_scores_0_with_its_reason():
    """Does a notebook the grader refuses to analyse (too much code) get 0 in every test cell
    with the reason in the cell, rather than stopping nbgrader's run?"""
    nb = as_nbgrader_hands_it(SUBMISSIONS / "correct_loop.ipynb")
    nb.cells.append(new_code_cell("# padding\n" * 60_000))
    done = autograded(nb)
    assert set(cell_scores(done).values()) == {0}
    for grade_id in TEST_CELLS:
        assert "too much code" in cell_text(grade_cell(done, grade_id))


# --------------------------------------------------------------------------
# The real nbgrader on the whole corpus.
# --------------------------------------------------------------------------

READABLE = sorted(
    name.removesuffix(".ipynb")
    for name, entry in corpus_expectations().items()
    if not entry.get("unreadable")
)


@pytest.fixture(scope="module")
def sandboxed_course(tmp_path_factory):
    """A course in which `nbgrader autograde`, as the course configures it, graded the corpus."""
    course = nbgrader_course.make_course(
        tmp_path_factory.mktemp("sandboxed"), execution="sandboxed"
    )
    for student in READABLE:
        nbgrader_course.submit(course, student, SUBMISSIONS / f"{student}.ipynb")
    nbgrader_course.autograde(course)
    return course


@pytest.mark.slow
@pytest.mark.parametrize("student", READABLE)
def test_gradebook_agrees_with_the_grader(sandboxed_course, corpus_reports, student):
    """Does the gradebook hold, for each exercise of this submission, the score that `python -m
    autograder grade` gives it?"""
    ours = {entry.name: entry.score for entry in corpus_reports[f"{student}.ipynb"].exercises}
    assert nbgrader_course.scores(sandboxed_course, student) == ours
