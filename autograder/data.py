"""The grader's data, typed: an exercise on its way to the sandbox, its verdict, a report.

Built by grading.py, turned into JSON, CSV, a table or Gradescope's results only at the
output edge (report.py). Student text in them is kept as graded, unescaped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for the annotations only: the grader's data imports nothing of it
    from .analysis import StaticFindings
    from .assignment import ExerciseSpec
    from .sandbox import Job


class Status(StrEnum):
    """The verdict of one exercise (the `status` of a report's exercise)."""

    PASSED = "passed"  # every case passed
    FAILED = "failed"  # the function ran; some cases failed, or it is a hard-coded answer
    ERROR = "error"  # it could not run (syntax error, signature, crash, unreadable file)
    TIMEOUT = "timeout"  # the sandbox stopped it at the time limit
    MISSING = "missing"  # no function of that name in the notebook

    @property
    def judged(self):
        """Did the student's code run and get judged?"""
        return self in (Status.PASSED, Status.FAILED)


@dataclass(frozen=True)
class Exercise:
    """One graded function of a notebook: it carries its cases from preparation to the judging.

    spec     -- its assignment.ExerciseSpec
    cases    -- (public_tests.Case, ...) it is graded on, in scoring order
    findings -- analysis.StaticFindings of its code; None until the notebook is prepared
    job      -- the sandbox Job that runs its cases, or None when it cannot run
    """

    spec: ExerciseSpec
    cases: tuple
    findings: StaticFindings | None = None
    job: Job | None = None


@dataclass(frozen=True)
class ExerciseResult:
    """The verdict of one exercise.

    name           -- the graded function's name
    flags          -- integrity flags an instructor can filter on, e.g. ('hardcoded:<function>',)
    cases          -- ((case name, passed), ...) of the cases it was judged on, in scoring
                      order; () when it did not run (the class report's pass rate per case)
    misconceptions -- names of the misconceptions recognised in its failed cases
                      (misconceptions.CATALOGUE), in the order its feedback names them
    """

    name: str
    score: float
    max_score: float
    status: Status
    feedback: str
    flags: tuple = ()
    cases: tuple = ()
    misconceptions: tuple = ()


@dataclass(frozen=True)
class Report:
    """The report of one notebook (`grade --json` is its JSON form, report.report_data).

    notebook    -- the notebook's path, as given
    exercises   -- (ExerciseResult, ...) of every graded function, in the assignment's order
    limits      -- {limit: how the sandbox enforced it} on the jobs that ran ({} if none)
    job_seconds -- the time the sandbox spent on the notebook's jobs (the `seconds` field)
    reason      -- why the notebook itself could not be graded ('' when it could)
    """

    notebook: str
    score: float
    max_score: float
    isolation: str
    exercises: tuple
    limits: dict = field(default_factory=dict)
    job_seconds: float = 0.0
    reason: str = ""

    @property
    def flags(self):
        """Every exercise's integrity flags, in the exercises' order, each once."""
        return tuple(dict.fromkeys(flag for entry in self.exercises for flag in entry.flags))
