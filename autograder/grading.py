"""Grading notebooks: from files to per-exercise verdicts, scores and feedback.

The flow for each notebook: read it (notebook.py), extract the definitions
(extraction.py), run the static checks (analysis.py), then one sandbox Job per
runnable exercise whose calls are the cases' {kind, layers_dims}. The sandbox
sends back plain observations; every case is judged here with
`public_tests.judge`, the score is `public_tests.exercise_score` (1 point per
case, 0 for a hard-coded answer, which is also flagged), and the feedback names
a recognised misconception first (misconceptions.py).

The grader never seeds numpy for the student: a function that forgets its
np.random.seed(3) must fail the seeding case, as it does in nbgrader.
"""

import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import public_tests

from . import analysis, cases, extraction, misconceptions, notebook
from .sandbox import Job

SCHEMES = public_tests.SCHEMES
# A handful of failed cases say what is wrong; a list of ten says it no better.
MAX_CASE_MESSAGES = 3


@cache
def graded_cases(scheme, hidden):
    """The cases a grade runs: public and hidden (`grade`), or public only (`check`)."""
    chosen = cases.all_cases(scheme) if hidden else public_tests.public_cases(scheme)
    return tuple(chosen)


def job_calls(case_list):
    """What the sandbox needs of each case: never the expected values."""
    return [{"kind": case["kind"], "layers_dims": list(case["layers_dims"])} for case in case_list]


@dataclass
class Submission:
    """A notebook on its way through the grader.

    reason   -- why the notebook itself cannot be graded ('' when it can)
    findings -- {scheme: analysis.StaticFindings}
    jobs     -- {scheme: sandbox Job} for the exercises that can run
    """

    path: Path
    hidden: bool = True
    reason: str = ""
    findings: dict = field(default_factory=dict)
    jobs: dict = field(default_factory=dict)


def prepare(path, hidden=True):
    """Read, extract and check one notebook; build its jobs. Never raises for bad input."""
    submission = Submission(Path(path), hidden)
    try:
        cells = notebook.load_cells(path)
    except notebook.NotebookError as error:
        submission.reason = str(error)
        return submission
    # Each exercise sees the notebook as nbgrader's run does when it reaches its test cell.
    programs = extraction.exercise_programs(cells, SCHEMES)
    for scheme, program in programs.items():
        findings = analysis.analyse(scheme, program)
        submission.findings[scheme] = findings
        if not findings.blocked:
            calls = job_calls(graded_cases(scheme, hidden))
            submission.jobs[scheme] = Job(
                source=program.source, function=findings.function, calls=calls
            )
    return submission


def exercise_entry(scheme, hidden, score, status, feedback, flags=()):
    """flags -- integrity flags an instructor can filter on, e.g. 'hardcoded:<function>'."""
    return {
        "name": public_tests.FUNCTION_NAMES[scheme],
        "score": float(score),
        "max_score": float(public_tests.max_score(graded_cases(scheme, hidden))),
        "status": status,
        "feedback": feedback,
        "flags": list(flags),
    }


def hardcoded_flag(scheme):
    return f"hardcoded:{public_tests.FUNCTION_NAMES[scheme]}"


def judge_observations(case_list, observations):
    """(passed, message) per case; a malformed observation is a failed case, not a crash."""
    verdicts = []
    for case, observed in zip(case_list, observations, strict=True):
        try:
            verdicts.append(public_tests.judge(case, observed))
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            verdicts.append((False, f"{case['name']}: the sandbox returned an unreadable result"))
    return verdicts


def hardcoded_problem(case_list, observations):
    """public_tests.hardcoded_problem; a malformed observation is just not a repeat."""
    try:
        return public_tests.hardcoded_problem(list(case_list), observations)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        return ""


def recognised_misconceptions(case_list, observations, verdicts):
    """[(misconception, case name)] for the failed cases, each misconception once.

    A case that a misconception named already explains adds no other name: all-zero He
    weights are integer division's output too wherever every layer is wider than 2.
    """
    found = {}
    for case, observed, (passed, _) in zip(case_list, observations, verdicts, strict=True):
        if passed:
            continue
        try:
            if any(misconceptions.matches(named, case, observed) for named, _ in found.values()):
                continue
            misconception = misconceptions.recognise(case, observed)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            misconception = None
        if misconception is not None:
            found[misconception.name] = (misconception, case["name"])
    return list(found.values())


def failure_feedback(case_list, observations, verdicts, hardcoded=""):
    """A hard-coded answer or the named misconception(s) first, then the first failed cases.

    A hard-coded answer is not a misconception: its cases match mistakes by accident.
    """
    lines = [f"{hardcoded}."] if hardcoded else []
    found = [] if hardcoded else recognised_misconceptions(case_list, observations, verdicts)
    for misconception, case_name in found:
        lines.append(f'{misconceptions.explain(misconception)} (seen in case "{case_name}")')
    failures = [message for passed, message in verdicts if not passed]
    # A values case and the seeding case on the same layers_dims often fail alike: once.
    distinct = list(dict.fromkeys(failures))
    lines += [f"- {message}" for message in distinct[:MAX_CASE_MESSAGES]]
    if len(distinct) > MAX_CASE_MESSAGES:
        lines.append(f"- ... and {len(distinct) - MAX_CASE_MESSAGES} more failed case(s).")
    lines.append(f"{len(failures)} of {len(verdicts)} cases failed.")
    return lines


def judge_result(scheme, hidden, findings, result):
    """The exercise entry from a sandbox JobResult."""
    case_list = graded_cases(scheme, hidden)
    notes = [f"Note: {note}" for note in findings.notes]
    if result.status == "timeout":
        feedback = [
            f"{findings.function} did not finish in time ({result.reason}): "
            "is there a loop that never ends?"
        ]
        return exercise_entry(scheme, hidden, 0.0, "timeout", "\n".join(feedback + notes))
    observations = list(result.observations or [])
    if result.status != "ok" or len(observations) != len(case_list):
        reason = result.reason or "no result for some of the cases"
        feedback = [
            f"{findings.function} could not be graded: {reason}. A graded function should "
            "only build and return the parameters dictionary (no exit, no huge arrays or prints)."
        ]
        return exercise_entry(scheme, hidden, 0.0, "error", "\n".join(feedback + notes))
    verdicts = judge_observations(case_list, observations)
    hardcoded = hardcoded_problem(case_list, observations)
    score = public_tests.exercise_score(list(case_list), verdicts, hardcoded)
    if all(passed for passed, _ in verdicts) and not hardcoded:
        feedback = [f"All {len(verdicts)} cases passed."]
        return exercise_entry(scheme, hidden, score, "passed", "\n".join(feedback + notes))
    feedback = failure_feedback(case_list, observations, verdicts, hardcoded)
    flags = [hardcoded_flag(scheme)] if hardcoded else []
    return exercise_entry(scheme, hidden, score, "failed", "\n".join(feedback + notes), flags)


def blocked_entry(scheme, hidden, findings):
    notes = [f"Note: {note}" for note in findings.notes]
    return exercise_entry(
        scheme, hidden, 0.0, findings.blocked, "\n".join([findings.reason] + notes)
    )


def unreadable_entry(scheme, hidden, reason):
    return exercise_entry(scheme, hidden, 0.0, "error", f"The notebook could not be read: {reason}")


def finish(submission, results, isolation, seconds):
    """The report of one notebook (the schema of `grade --json`).

    flags -- every exercise's integrity flags, e.g. ['hardcoded:initialize_parameters_he'].
    """
    exercises = []
    for scheme in SCHEMES:
        if submission.reason:
            exercises.append(unreadable_entry(scheme, submission.hidden, submission.reason))
        elif scheme in results:
            findings = submission.findings[scheme]
            exercises.append(judge_result(scheme, submission.hidden, findings, results[scheme]))
        else:
            exercises.append(blocked_entry(scheme, submission.hidden, submission.findings[scheme]))
    return {
        "notebook": str(submission.path),
        "score": round(sum(entry["score"] for entry in exercises), 4),
        "max_score": round(sum(entry["max_score"] for entry in exercises), 4),
        "isolation": isolation,
        "exercises": exercises,
        "flags": [flag for entry in exercises for flag in entry["flags"]],
        "seconds": round(seconds, 3),
        "reason": submission.reason,
    }


def internal_error_submission(path, hidden, error):
    submission = Submission(Path(path), hidden)
    submission.reason = f"internal error of the grader ({type(error).__name__}: {error})"[:300]
    return submission


def grade_many(paths, sandbox, hidden=True, progress=None):
    """Reports for many notebooks, all jobs in one sandbox run; in the order of `paths`.

    progress -- None, or progress(total_jobs) -> a callback that sandbox.run_many calls
                with the number of jobs done so far.
    """
    started = time.perf_counter()
    submissions = []
    for path in paths:
        try:
            submissions.append(prepare(path, hidden))
        except Exception as error:  # noqa: BLE001 -- one odd file must not stop a batch
            submissions.append(internal_error_submission(path, hidden, error))
    keys = [(index, scheme) for index, sub in enumerate(submissions) for scheme in sub.jobs]
    jobs = [submissions[index].jobs[scheme] for index, scheme in keys]
    callback = progress(len(jobs)) if progress is not None else None
    results = sandbox.run_many(jobs, progress=callback) if jobs else []
    by_submission = [{} for _ in submissions]
    seconds = [0.0 for _ in submissions]
    for (index, scheme), result in zip(keys, results, strict=True):
        by_submission[index][scheme] = result
        seconds[index] += result.seconds or 0.0
    reports = []
    for index, submission in enumerate(submissions):
        try:
            report = finish(submission, by_submission[index], sandbox.isolation, seconds[index])
        except Exception as error:  # noqa: BLE001 -- as above
            failed = internal_error_submission(submission.path, hidden, error)
            report = finish(failed, {}, sandbox.isolation, 0.0)
        reports.append(report)
    if len(paths) == 1 and reports:
        reports[0]["seconds"] = round(time.perf_counter() - started, 3)
    return reports


def grade_notebook(path, sandbox, hidden=True):
    """The report of one notebook."""
    return grade_many([path], sandbox, hidden)[0]
