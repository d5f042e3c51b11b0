"""`nbgrader autograde` through the course's grader: the graded functions run in the sandbox.

Named first in `Autograde.autograde_preprocessors` (the course's nbgrader_config.py), in place of
nbgrader's Execute. nbgrader hands it each submission after sanitizing: outputs cleared, the test
cells put back from the source notebook, hidden blocks included. Nothing of the notebook runs in a
kernel: it is graded as `python -m autograder grade` grades it (extraction, static checks, one
sandbox job an exercise that receives only each case's kind and layer sizes, judging in this
process), and each exercise's test cell is given two outputs:

  - a stdout stream: one PASS/FAIL line a case, as public_tests.grade prints them in a kernel,
    then the grader's feedback (the likely mistake, the notes);
  - an execute_result whose text is the points, which nbgrader's determine_grade takes as partial
    credit -- as it takes the value public_tests.grade returns in a kernel.

SaveAutoGrades, the gradebook, formgrader (manual overrides included), generate_feedback and export
then work unchanged. Every other code cell is left without outputs (as sanitizing leaves it, and
cleared here too, not to depend on it): nothing ran, and a stale output of the student's own run
could pass for the grader's. A code grade cell that is not
one of the assignment's test cells gets an error output (0 points, flagged by nbgrader's cell
checks to the instructor) instead of nbgrader's full marks for a code cell without output.

The sandbox's workers start at the first notebook of the run and serve every student after it;
they end when nbgrader's process exits.
"""

import atexit
import tempfile
import threading
from pathlib import Path

import nbformat
from nbformat.v4 import new_output
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Enum, Integer

from .. import assignment, grading
from ..probe import COURSE_PROBE
from ..sandbox import LEVELS, Sandbox

# nbgrader autogrades one notebook at a time, and a notebook's exercises run on one worker
# (one group of jobs): a second worker would sit idle.
DEFAULT_WORKERS = 1
NOT_GRADED = "this grade cell is not one of the assignment's test cells: the grader gave it 0"

# grade_id of a test cell -> the ExerciseSpec it tests.
TEST_CELLS = {spec.test_cell: spec for spec in assignment.EXERCISES}

SANDBOXES = {}  # (isolation, workers) -> the Sandbox every notebook of this process shares
# formgrader runs autograde inside the Jupyter server, where two requests may start at once.
SANDBOXES_LOCK = threading.Lock()


def shared_sandbox(isolation, workers, log):
    """The sandbox of this process for those settings, started at its first use.

    `nbgrader autograde` grades every student in one process: the workers start once. In
    formgrader, autograde runs inside the instructor's Jupyter server, and the workers stay warm
    there for the next click until the server stops.
    """
    key = (isolation, workers)
    with SANDBOXES_LOCK:
        sandbox = SANDBOXES.get(key)
        if sandbox is None:
            sandbox = SANDBOXES[key] = started_sandbox(isolation, workers, log)
    return sandbox


def started_sandbox(isolation, workers, log):
    """A new Sandbox of the course's probe; its level and any fallback go to nbgrader's log."""
    sandbox = Sandbox(COURSE_PROBE, workers=workers, isolation=isolation)
    log.info("Grading in the sandbox: %s isolation, %d worker(s)", sandbox.isolation, workers)
    if sandbox.warning:
        log.warning(sandbox.warning)
    return sandbox


@atexit.register
def close_sandboxes():
    """Stop the workers (at exit: nbgrader grades every student in one process)."""
    while SANDBOXES:
        _, sandbox = SANDBOXES.popitem()
        sandbox.close()


def verdict_line(case, passed, message):
    """'PASS <case>' or 'FAIL <case>: <why>' -- the line public_tests.grade prints for a case."""
    return f"{'PASS' if passed else 'FAIL'} {case.name}" + ("" if passed else f": {message}")


def case_lines(exercise, result):
    """One verdict line per case of an exercise, then a hard-coded answer's line.

    exercise -- the data.Exercise, with its cases
    result   -- its sandbox JobResult, or None when it did not run
    """
    ran = result is not None and result.status == "ok"
    observations = list(result.observations or []) if ran else []
    if len(observations) != len(exercise.cases):
        return [f"FAIL {case.name}: not run" for case in exercise.cases]
    verdicts = grading.judge_observations(exercise.cases, observations)
    lines = [
        verdict_line(case, *verdict) for case, verdict in zip(exercise.cases, verdicts, strict=True)
    ]
    hardcoded = grading.hardcoded_problem_safely(exercise.cases, observations)
    return lines + ([f"FAIL exercise: {hardcoded}"] if hardcoded else [])


def grade_file(path, sandbox):
    """(Report, {function: [verdict line, ...]}) of one notebook; never raises for bad input.

    The same steps as grading.grade_notebook (prepare, the sandbox jobs, finish), keeping the
    judged cases for the per-case lines.
    """
    submission = grading.prepare_safely(path, grading.exercises_to_grade(hidden=True))
    jobs = submission.jobs
    results = dict(zip(jobs, sandbox.run_group(list(jobs.values())), strict=True))
    report = grading.finish_safely(submission, results, sandbox.isolation)
    lines = {
        exercise.spec.function: case_lines(exercise, results.get(exercise.spec))
        for exercise in submission.exercises
    }
    return report, lines


def grade_notebook_node(nb, sandbox):
    """grade_file of an in-memory notebook, written to a private temporary folder.

    A failure of the grader itself on this notebook is its report (0, with the reason), so
    that one notebook never stops nbgrader's run.
    """
    try:
        with tempfile.TemporaryDirectory(prefix="autograde-") as folder:
            path = Path(folder) / "submission.ipynb"
            nbformat.write(nb, path)
            return grade_file(path, sandbox)
    except Exception as error:  # noqa: BLE001 -- as grading.prepare_safely: one notebook, not the run
        exercises = grading.exercises_to_grade(hidden=True)
        report = grading.internal_error_report("submission.ipynb", error, sandbox.isolation)
        return report, {
            exercise.spec.function: case_lines(exercise, None) for exercise in exercises
        }


def cell_text(result, lines):
    """What a test cell shows: the case lines, the score, then the grader's feedback."""
    score = f"Score: {result.score:g} of {result.max_score:g} ({result.status})"
    return "\n".join([*lines, score, result.feedback]) + "\n"


def points(result, cell):
    """The exercise's score on the cell's scale (the same unless its points were edited)."""
    cell_points = float(cell.metadata["nbgrader"]["points"])
    if result.max_score == cell_points or result.max_score == 0:
        return min(result.score, cell_points)
    return round(result.score * cell_points / result.max_score, 4)


def graded_outputs(result, lines, cell):
    """The outputs nbgrader reads a test cell's partial credit from: text, then the points."""
    return [
        new_output("stream", name="stdout", text=cell_text(result, lines)),
        new_output("execute_result", data={"text/plain": repr(points(result, cell))}),
    ]


def not_graded_output():
    return new_output("error", ename="NotGraded", evalue=NOT_GRADED, traceback=[NOT_GRADED])


class SandboxedAutograde(NbGraderPreprocessor):
    """Grade a submission's graded functions in the sandbox and write the verdicts into its
    test cells (nothing of the notebook runs in a kernel)."""

    isolation = Enum(
        ("auto", *LEVELS),
        default_value="auto",
        help="How student code is isolated ('auto': the strongest level that starts here).",
    ).tag(config=True)
    workers = Integer(
        DEFAULT_WORKERS,
        help="Sandbox workers (nbgrader grades one notebook at a time, on one worker).",
    ).tag(config=True)

    def preprocess(self, nb, resources):
        sandbox = shared_sandbox(self.isolation, max(1, self.workers), self.log)
        report, lines = grade_notebook_node(nb, sandbox)
        if report.reason:
            self.log.warning("Not gradable, 0 points: %s", report.reason)
        results = {result.name: result for result in report.exercises}
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = self.outputs_of(cell, results, lines)
                cell.execution_count = None
        return nb, resources

    def outputs_of(self, cell, results, lines):
        """A code cell's outputs after grading: a test cell's verdicts, else none (or 0 points
        for a grade cell the grader does not know)."""
        if not utils.is_grade(cell) or utils.is_solution(cell):
            return []
        spec = TEST_CELLS.get(cell.metadata["nbgrader"].get("grade_id"))
        if spec is None:
            self.log.warning("%s: %s", cell.metadata["nbgrader"].get("grade_id"), NOT_GRADED)
            return [not_graded_output()]
        return graded_outputs(results[spec.function], lines[spec.function], cell)
