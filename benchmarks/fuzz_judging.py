"""Fuzz the judging code with returned values (Hypothesis); print how many inputs were tried.

    .venv/bin/python -m benchmarks.fuzz_judging     # 2,000 inputs per target
    .venv/bin/python -m benchmarks.fuzz_judging --count 20000

Run from the repository root: the returned values come from the tests' helpers (tests.support).

Three targets, each given what a graded function can return as the grader observes it
(tests/support/returned_values.py: right answers, right shapes with NaN, inf, constant, nudged or
negated weights, other dtypes and shapes, odd keys, type names, errors; for judge_result also
JSON junk where observations should be):
  * public_tests.judge_exercise -- every case of an exercise, and the hard-coded check;
  * misconceptions.recognise    -- one case;
  * grading.judge_result        -- a whole sandbox result.
Each input must be judged without an exception or a warning (a warning is stderr, which
fails nbgrader's grade cell), and nothing wrong may pass: a passed case, or full marks, only
for right values (`returned_values.is_right`). Prints one line per target and exits 1 with
Hypothesis' smallest failing input on the first failure.
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import public_tests
from autograder import analysis, assignment, grading, misconceptions
from autograder.data import Exercise
from autograder.sandbox import JobResult
from tests.support import returned_values

ROOT = Path(__file__).resolve().parent.parent


def exercise_cases(scheme):
    return list(assignment.exercise(scheme).cases(True))


def check_judge_exercise(data):
    scheme = data.draw(st.sampled_from(public_tests.SCHEMES))
    graded = exercise_cases(scheme)
    observations = [data.draw(returned_values.observations_for(case)) for case in graded]
    verdicts, hardcoded = public_tests.judge_exercise(graded, observations)
    for case, observed, (passed, _) in zip(graded, observations, verdicts, strict=True):
        assert not passed or returned_values.is_right(case, observed), case.name
    points = public_tests.exercise_score(graded, verdicts, hardcoded)
    assert 0 <= points <= public_tests.max_score(graded)


def check_recognise(data):
    case = data.draw(st.sampled_from(returned_values.ALL_CASES))
    observations = data.draw(returned_values.observations_for(case))
    found = misconceptions.recognise(case, observations)
    assert found is None or found in misconceptions.CATALOGUE


def check_judge_result(data):
    scheme = data.draw(st.sampled_from(public_tests.SCHEMES))
    graded = exercise_cases(scheme)
    observations = [
        data.draw(
            st.one_of(
                returned_values.observations_for(case),
                st.lists(returned_values.junk(), max_size=2),
                returned_values.junk(),
            )
        )
        for case in graded
    ]
    spec = assignment.exercise(scheme)
    findings = analysis.StaticFindings(spec.function)
    exercise = Exercise(spec, tuple(graded), findings)
    entry = grading.judge_result(exercise, JobResult("ok", "", observations, 0.1, "none"))
    assert 0 <= entry.score <= entry.max_score
    if entry.score == entry.max_score:
        assert all(
            type(observed) is list and returned_values.is_right(case, observed)
            for case, observed in zip(graded, observations, strict=True)
        )


TARGETS = {
    "public_tests.judge_exercise": check_judge_exercise,
    "misconceptions.recognise": check_recognise,
    "grading.judge_result": check_judge_result,
}


def fuzz(check, count):
    """Run check on `count` generated inputs; returns how many ran."""
    tried = [0]

    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def run(data):
        tried[0] += 1
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            check(data)

    run()
    return tried[0]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="inputs per target")
    args = parser.parse_args(argv)
    for name, check in TARGETS.items():
        started = time.perf_counter()
        tried = fuzz(check, args.count)
        seconds = time.perf_counter() - started
        print(
            f"{name}: {tried} inputs tried in {seconds:.1f} s; "
            "none crashed, none warned, no wrong answer passed"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
