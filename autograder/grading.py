"""Grading notebooks: from files to per-exercise verdicts, scores and feedback.

The flow for each notebook: read it (notebook.py), extract the definitions
(extraction.py), run the static checks (analysis.py) -- these three in a forked
child under PREPARE_BOUNDS (bounded.py) -- then one sandbox Job per
runnable exercise whose calls are the cases' {kind, layers_dims}, the jobs of one
notebook run as one group on one worker. The sandbox
sends back plain observations; every case is judged here with
`public_tests.judge`, the score is `public_tests.exercise_score` (1 point per
case, 0 for a hard-coded answer, which is also flagged), and the feedback names
a recognised misconception first (misconceptions.py).

The grader never seeds numpy for the student: a function that forgets its
np.random.seed(3) must fail the seeding case, as it does in nbgrader.
"""

import atexit
import os
import queue
import threading
from dataclasses import dataclass, replace
from pathlib import Path

import public_tests

from . import analysis, assignment, bounded, extraction, misconceptions, notebook
from .data import Exercise, ExerciseResult, Report, Status
from .sandbox import SANDBOX_FAILURE, Job, JobStatus

# How a report says the grader itself, not the student, failed on a notebook or a job.
INTERNAL_ERROR = "internal error of the grader"
GRADER_FAILURES = (INTERNAL_ERROR, SANDBOX_FAILURE)
# A handful of failed cases say what is wrong; a list of ten says it no better.
MAX_CASE_MESSAGES = 3
# Reading and analysing one notebook: at most 512 MiB more memory than the grader's
# own, 5 s of CPU, 10 s of wall time (a notebook of this course takes about 10 ms).
PREPARE_BOUNDS = bounded.Bounds(memory_bytes=512 << 20, cpu_seconds=5, wall_seconds=10.0)


def internal_error_reason(detail):
    """The one-line reason of a grader failure, cut like every reason to MAX_LINE characters."""
    return f"{INTERNAL_ERROR} ({detail})"[: public_tests.MAX_LINE]


def exercises_to_grade(hidden=True):
    """(Exercise, ...) of the assignment with the cases a grade runs, not yet prepared.

    hidden -- public and hidden cases (`grade`), or public ones only (`check`)
    """
    return tuple(Exercise(spec, spec.cases(hidden)) for spec in assignment.EXERCISES)


def job_calls(cases):
    """What the sandbox needs of each case: never the expected values."""
    return tuple({"kind": case.kind, "layers_dims": list(case.layers_dims)} for case in cases)


@dataclass(frozen=True)
class Submission:
    """A notebook on its way through the grader.

    exercises -- (Exercise, ...) of every graded function, in the assignment's order:
                 prepared (findings, and a job when it can run) unless the notebook
                 itself cannot be graded
    reason    -- why the notebook itself cannot be graded ('' when it can)
    """

    path: Path
    exercises: tuple
    reason: str = ""

    @property
    def jobs(self):
        """{ExerciseSpec: sandbox Job} of the exercises that can run."""
        return {
            exercise.spec: exercise.job for exercise in self.exercises if exercise.job is not None
        }


def analyse_notebook(path, root=None):
    """Read, extract and check one notebook, as plain data (run in the bounded child).

    Returns {"reason": ''} plus, when the notebook is readable, "sources" (the distinct
    programs to run) and "exercises": {scheme: {"function", "verdict" ('' when it can
    run, else a Status value), "reason", "notes", and "source": an index into sources
    when the exercise can run}}.
    """
    try:
        cells = notebook.load_cells(path, root)
    except notebook.NotebookError as error:
        return {"reason": str(error)}
    # Each exercise sees the notebook as nbgrader's run does when it reaches its test cell.
    programs = extraction.exercise_programs(
        cells, assignment.EXERCISES, assignment.SLOW_STAR_IMPORTS
    )
    sources, exercises = [], {}
    for spec, program in programs.items():
        findings = analysis.analyse(spec, program, assignment.FUNCTIONS)
        entry = {
            "function": findings.function,
            "verdict": "" if findings.runs else findings.verdict.value,
            "reason": findings.reason,
            "notes": list(findings.notes),
        }
        if findings.runs:
            # The exercises often share one program: it crosses the pipe once.
            if program.source not in sources:
                sources.append(program.source)
            entry["source"] = sources.index(program.source)
        exercises[spec.scheme] = entry
    return {"reason": "", "sources": sources, "exercises": exercises}


READER = None  # the bounded.Reader of analyse_notebook under PREPARE_BOUNDS, once started


def notebook_reader():
    """The child that reads notebooks under PREPARE_BOUNDS (forked at its first call)."""
    global READER
    if READER is None:
        READER = bounded.Reader(analyse_notebook, PREPARE_BOUNDS)
    return READER


@atexit.register
def close_notebook_reader():
    """End the reading child; the next prepare starts a new one."""
    global READER
    reader, READER = READER, None
    if reader is not None:
        reader.close()


def checked(value, expected_type):
    """value if it is an expected_type; ValueError otherwise (the child's data is checked)."""
    if not isinstance(value, expected_type):
        raise ValueError(f"the notebook's analysis sent a {type(value).__name__}")
    return value


# What the static checks alone may decide: a function that is not there, or cannot run.
STATIC_VERDICTS = (Status.MISSING, Status.ERROR)


def checked_verdict(text):
    """None ('' -- the function runs) or one of STATIC_VERDICTS; ValueError otherwise."""
    if text == "":
        return None
    if text not in STATIC_VERDICTS:
        raise ValueError(f"the notebook's analysis sent the verdict {text[:40]!r}")
    return Status(text)


def checked_findings(entry):
    """analysis.StaticFindings from the child's plain data; ValueError if it is malformed."""
    return analysis.StaticFindings(
        checked(entry.get("function"), str),
        checked_verdict(checked(entry.get("verdict"), str)),
        checked(entry.get("reason"), str),
        tuple(checked(note, str) for note in checked(entry.get("notes"), list)),
    )


def prepared_exercises(exercises, message):
    """The exercises with their findings and jobs, from analyse_notebook's data."""
    sources = [checked(source, str) for source in checked(message.get("sources"), list)]
    entries = checked(message.get("exercises"), dict)
    done = []
    for exercise in exercises:
        entry = checked(entries.get(exercise.spec.scheme), dict)
        findings = checked_findings(entry)
        job = None
        if findings.runs:
            source = sources[checked(entry.get("source"), int)]
            job = Job(source=source, function=findings.function, calls=job_calls(exercise.cases))
        done.append(replace(exercise, findings=findings, job=job))
    return tuple(done)


def fill_submission(submission, message):
    """The submission with what analyse_notebook found, or with its reason."""
    message = checked(message, dict)
    reason = checked(message.get("reason"), str)
    if reason:
        return replace(submission, reason=reason)
    return replace(submission, exercises=prepared_exercises(submission.exercises, message))


def prepare(path, exercises=None, root=None):
    """Read, extract and check one notebook; build its jobs. Never raises for bad input.

    exercises -- exercises_to_grade(...) (None: all cases, as `grade` runs them)
    root      -- None, or the trusted folder the path lies in: then no component of the
                 path below it may be a symlink (see notebook.open_notebook).
    The work runs in a forked child under PREPARE_BOUNDS (bounded.py): a notebook too
    large or too complex to analyse becomes a reason within seconds. The child serves
    the next notebooks too; close_notebook_reader() ends it (also done at exit).
    """
    exercises = exercises_to_grade() if exercises is None else exercises
    # Plain text for the child (a name that is not UTF-8 travels surrogate-escaped).
    path = os.fsdecode(path)
    submission = Submission(Path(path), exercises)
    try:
        root = None if root is None else os.fsdecode(root)
        message = notebook_reader().call(path, root)
        return fill_submission(submission, message)
    except bounded.LimitError as error:
        reason = f"the notebook is too large or too complex to analyse: {error}"
    except (bounded.InternalError, ValueError, IndexError, OSError) as error:
        reason = internal_error_reason(str(error))
    return replace(submission, reason=reason)


def exercise_result(exercise, score, status, feedback, flags=(), verdicts=(), found=()):
    """flags    -- integrity flags an instructor can filter on, e.g. 'hardcoded:<function>'
    verdicts -- (passed, message) per case, when the cases were judged
    found    -- [(misconception, case name)] recognised in the failed cases
    """
    return ExerciseResult(
        name=exercise.spec.function,
        score=float(score),
        max_score=float(public_tests.max_score(exercise.cases)),
        status=status,
        feedback=feedback,
        flags=tuple(flags),
        cases=tuple(judged_cases(exercise.cases, verdicts)),
        misconceptions=tuple(misconception.name for misconception, _ in found),
    )


def judged_cases(cases, verdicts):
    """[(case name, passed)], or [] when the cases were not judged (no verdicts)."""
    if not verdicts:
        return []
    return [(case.name, passed) for case, (passed, _) in zip(cases, verdicts, strict=True)]


def judge_observations(cases, observations):
    """(passed, message) per case; a malformed observation is a failed case, not a crash."""
    verdicts = []
    for case, observed in zip(cases, observations, strict=True):
        try:
            verdicts.append(public_tests.judge(case, observed))
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            verdicts.append((False, f"{case.name}: the sandbox returned an unreadable result"))
    return verdicts


def hardcoded_problem_safely(cases, observations):
    """public_tests.hardcoded_problem; a malformed observation is just not a repeat."""
    try:
        return public_tests.hardcoded_problem(list(cases), observations)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        return ""


def recognised_misconceptions(cases, observations, verdicts):
    """[(misconception, case name)] for the failed cases, each misconception once.

    The rule is public_tests.recognised_mistakes, which the notebook's tests follow too.
    """
    return misconceptions.recognised(cases, observations, verdicts)


def failure_feedback(cases, observations, verdicts, hardcoded="", found=None):
    """A hard-coded answer or the named misconception(s) first, then the first failed cases.

    A hard-coded answer is not a misconception: its cases match mistakes by accident.
    found -- recognised_misconceptions(...), when the caller has them already
    """
    lines = [f"{hardcoded}."] if hardcoded else []
    if found is None:
        found = [] if hardcoded else recognised_misconceptions(cases, observations, verdicts)
    for misconception, case_name in found:
        lines.append(f'{misconceptions.explain(misconception)} (seen in case "{case_name}")')
    failures = [message for passed, message in verdicts if not passed]
    # A values case and the seeding case on the same layers_dims often fail alike: once.
    distinct = public_tests.case_messages([named.name for named, _ in found], failures)
    lines += [f"- {message}" for message in distinct[:MAX_CASE_MESSAGES]]
    if len(distinct) > MAX_CASE_MESSAGES:
        lines.append(f"- ... and {len(distinct) - MAX_CASE_MESSAGES} more failed case(s).")
    lines.append(f"{len(failures)} of {len(verdicts)} cases failed.")
    return lines


def judge_result(exercise, result):
    """The ExerciseResult of a prepared exercise from its sandbox JobResult."""
    findings, cases = exercise.findings, exercise.cases
    notes = [f"Note: {note}" for note in findings.notes]
    if result.status == JobStatus.TIMEOUT:
        feedback = [
            f"{findings.function} did not finish in time ({result.reason}): "
            "is there a loop that never ends?"
        ]
        return exercise_result(exercise, 0.0, Status.TIMEOUT, "\n".join(feedback + notes))
    observations = list(result.observations or [])
    if result.status != JobStatus.OK or len(observations) != len(cases):
        reason = result.reason or "no result for some of the cases"
        feedback = [
            f"{findings.function} could not be graded: {reason}. A graded function should "
            "only build and return the parameters dictionary (no exit, no huge arrays or prints)."
        ]
        return exercise_result(exercise, 0.0, Status.ERROR, "\n".join(feedback + notes))
    verdicts = judge_observations(cases, observations)
    hardcoded = hardcoded_problem_safely(cases, observations)
    score = public_tests.exercise_score(list(cases), verdicts, hardcoded)
    if all(passed for passed, _ in verdicts) and not hardcoded:
        feedback = [f"All {len(verdicts)} cases passed."]
        return exercise_result(
            exercise, score, Status.PASSED, "\n".join(feedback + notes), verdicts=verdicts
        )
    found = [] if hardcoded else recognised_misconceptions(cases, observations, verdicts)
    feedback = failure_feedback(cases, observations, verdicts, hardcoded, found)
    flags = [exercise.spec.hardcoded_flag()] if hardcoded else []
    feedback = "\n".join(feedback + notes)
    return exercise_result(exercise, score, Status.FAILED, feedback, flags, verdicts, found)


def blocked_result(exercise):
    """The ExerciseResult of an exercise the static checks kept from running."""
    findings = exercise.findings
    notes = [f"Note: {note}" for note in findings.notes]
    feedback = "\n".join([findings.reason] + notes)
    return exercise_result(exercise, 0.0, findings.verdict, feedback)


def unreadable_result(exercise, reason):
    feedback = f"The notebook could not be read: {reason}"
    return exercise_result(exercise, 0.0, Status.ERROR, feedback)


def finish(submission, results, isolation):
    """The Report of one notebook.

    results -- {ExerciseSpec: sandbox JobResult} of the exercises that ran
    """
    exercises = []
    for exercise in submission.exercises:
        if submission.reason:
            exercises.append(unreadable_result(exercise, submission.reason))
        elif exercise.spec in results:
            exercises.append(judge_result(exercise, results[exercise.spec]))
        else:
            exercises.append(blocked_result(exercise))
    return Report(
        notebook=str(submission.path),
        score=round(sum(entry.score for entry in exercises), 4),
        max_score=round(sum(entry.max_score for entry in exercises), 4),
        isolation=isolation,
        exercises=tuple(exercises),
        limits=enforced_limits(results),
        job_seconds=sum(result.seconds or 0.0 for result in results.values()),
        reason=submission.reason,
    )


def enforced_limits(results):
    """The limits the sandbox reported for a notebook's jobs: {limit: one line}.

    Every worker of a sandbox enforces the same limits, unless one of them could not get
    its memory cgroup or filter: then both wordings are given, "X (on some jobs: Y)".
    """
    merged = {}
    for result in results.values():
        for name, text in (result.limits or {}).items():
            if merged.setdefault(name, text) != text:
                merged[name] = f"{merged[name]} (on some jobs: {text})"
    return merged


def internal_error_submission(path, exercises, error):
    reason = internal_error_reason(f"{type(error).__name__}: {error}")
    return Submission(Path(path), exercises, reason)


def internal_error_report(path, error, isolation, exercises=None):
    """The report of a notebook on which the grader itself failed: 0, with the reason."""
    exercises = exercises_to_grade() if exercises is None else exercises
    return finish(internal_error_submission(path, exercises, error), {}, isolation)


def prepare_safely(path, exercises, root=None):
    """prepare(path), or a submission that says why the grader failed on it."""
    try:
        return prepare(path, exercises, root=root)
    except Exception as error:  # noqa: BLE001 -- one odd file must not stop a batch
        return internal_error_submission(path, exercises, error)


def finish_safely(submission, results, isolation):
    """finish(...), or the report of a grader failure on this one submission."""
    try:
        return finish(submission, results, isolation)
    except Exception as error:  # noqa: BLE001 -- as above
        return internal_error_report(submission.path, error, isolation, submission.exercises)


class Pipeline:
    """Notebooks through prepare -> sandbox jobs -> finish, each report out when it is done.

    The calling thread prepares notebooks and queues them; one thread per sandbox worker
    runs a notebook's jobs as one group on one worker (the worker's clean state is
    verified once per notebook), finishes it and hands the report on (one at a time,
    under a lock). The queue is short, so preparing keeps just ahead of the sandbox.
    """

    def __init__(self, sandbox, exercises, count, on_report, progress, root=None):
        self.sandbox = sandbox
        self.exercises = exercises
        self.root = root
        self.reports = [None] * count
        self.on_report = on_report
        self.progress = progress
        self.threads = sandbox.workers
        self.jobs = queue.Queue(maxsize=2 * self.threads)
        self.output_lock = threading.Lock()  # one report handed on at a time
        self.done = 0
        self.failure = None  # an exception of on_report (say, a full disk): ends the run
        self.stopping = False  # set when the run ends early; queued jobs are dropped

    def run(self, paths):
        workers = [threading.Thread(target=self.work, daemon=True) for _ in range(self.threads)]
        for worker in workers:
            worker.start()
        try:
            for index, path in enumerate(paths):
                if self.failure is not None:
                    break
                self.submit(index, prepare_safely(path, self.exercises, self.root))
                if index == 0 and len(self.reports) > 1:
                    # While the first jobs wait for the workers to start (or run): what
                    # recognising a failed case compares it with, once per process. Only
                    # for a batch: for one notebook it would take ~50 ms of CPU from the
                    # worker's start (the critical path), which a notebook whose exercises
                    # all pass never needs and a failed one needs only in part.
                    misconceptions.compute_ahead(
                        case for exercise in self.exercises for case in exercise.cases
                    )
        except BaseException:
            self.stopping = True  # Ctrl-C: the workers drop what is queued
            raise
        finally:
            for _ in workers:
                self.jobs.put(None)
            for worker in workers:
                worker.join()
        if self.failure is not None:
            raise self.failure
        return self.reports

    def submit(self, index, submission):
        if not submission.jobs:
            self.complete(index, finish_safely(submission, {}, self.sandbox.isolation))
            return
        self.jobs.put((index, submission))

    def work(self):
        while (item := self.jobs.get()) is not None:
            if self.stopping:
                continue  # the run is ending: drain the queue
            try:
                self.run_one(*item)
            except BaseException as error:  # noqa: BLE001 -- a grader bug ends the run, never hangs it
                self.stop(error)

    def run_one(self, index, submission):
        jobs = submission.jobs
        results = dict(zip(jobs, self.sandbox.run_group(list(jobs.values())), strict=True))
        self.complete(index, finish_safely(submission, results, self.sandbox.isolation))

    def complete(self, index, report):
        with self.output_lock:
            self.reports[index] = report
            if self.failure is not None:
                return
            try:
                if self.on_report is not None:
                    self.on_report(index, report)
                self.done += 1
                if self.progress is not None:
                    self.progress(self.done)
            except BaseException as error:  # noqa: BLE001 -- raised in the caller's thread
                self.stop(error)

    def stop(self, error):
        """End the run: queued jobs are dropped, and error is raised by run()."""
        if self.failure is None:
            self.failure = error
        self.stopping = True


def grade_many(paths, sandbox, hidden=True, progress=None, on_report=None, root=None):
    """Reports for many notebooks, graded as a pipeline on the sandbox's workers.

    Returns the Reports in the order of `paths`.
    hidden    -- grade on the public and hidden cases (`grade`), or the public ones (`check`)
    progress  -- None, or progress(number of notebooks) -> None or a callback called with
                 the number of notebooks done so far.
    on_report -- None, or on_report(index in paths, report), called as each notebook is
                 finished (in any order, one call at a time); an exception it raises
                 stops the run and is raised here.
    root      -- None, or the folder all paths lie under: no symbolic link below it is
                 followed (see notebook.open_notebook).
    """
    paths = list(paths)
    callback = progress(len(paths)) if progress is not None else None
    exercises = exercises_to_grade(hidden)
    return Pipeline(sandbox, exercises, len(paths), on_report, callback, root).run(paths)


def grade_notebook(path, sandbox, hidden=True):
    """The Report of one notebook."""
    return grade_many([path], sandbox, hidden)[0]
