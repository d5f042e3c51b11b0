"""Does grading give each corpus submission its expected verdicts, scores and feedback?"""

import json
import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import hidden_values, hostile_files, notebook_fuzz, returned_values
from support.corpus import SUBMISSIONS, corpus_expectations

import public_tests
from autograder import assignment, grading, reference
from autograder.data import Exercise
from autograder.report import report_data
from autograder.report import table as report_table
from autograder.sandbox import Job, JobResult

EXPECTED = corpus_expectations()
EXERCISES = [public_tests.FUNCTION_NAMES[scheme] for scheme in public_tests.SCHEMES]


def exercise_of(scheme):
    """The exercise of a scheme as a grade prepares it (all cases), its function present."""
    spec = assignment.exercise(scheme)
    return Exercise(spec, spec.cases(True), grading.analysis.StaticFindings(spec.function))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_verdicts(corpus_reports, name):
    """Does each exercise of each corpus submission get its expected status, score, feedback
    and integrity flags?"""
    report = corpus_reports[name]
    assert [entry.name for entry in report.exercises] == EXERCISES
    assert list(report.flags) == EXPECTED[name]["flags"]
    assert list(report.flags) == [flag for entry in report.exercises for flag in entry.flags]
    for entry in report.exercises:
        wanted = EXPECTED[name]["exercises"][entry.name]
        where = f"{name} {entry.name}: {entry.feedback}"
        assert entry.status == wanted["status"], where
        assert entry.score == wanted["score"], where
        if wanted["misconception"]:
            assert f"[{wanted['misconception']}]" in entry.feedback, where
        for mention in wanted["mentions"]:
            assert mention.lower() in entry.feedback.lower(), where


def test_totals_are_the_sums_of_the_exercises(corpus_reports):
    """Are a report's score and max_score the sums over its three exercises (max 18)?"""
    full = sum(assignment.exercise(scheme).max_points for scheme in public_tests.SCHEMES)
    for report in corpus_reports.values():
        assert report.score == sum(entry.score for entry in report.exercises)
        assert report.max_score == full


def test_misconception_comes_before_the_case_messages(corpus_reports):
    """Does the feedback name the likely mistake first, then the failed cases?"""
    he = corpus_reports["xavier_instead_of_he.ipynb"].exercises[2]
    lines = he.feedback.splitlines()
    assert lines[0].startswith("Likely mistake [xavier_instead_of_he]")
    assert "expected" in lines[1] and "got" in lines[1]


def test_feedback_never_shows_hidden_test_source(corpus_reports):
    """Is the text of the hidden tests (hidden_case(...), grade(...)) absent from feedback?"""
    for report in corpus_reports.values():
        for entry in report.exercises:
            assert "hidden_case(" not in entry.feedback
            assert "BEGIN HIDDEN TESTS" not in entry.feedback


def test_jobs_carry_no_expected_values():
    """Does a job send the sandbox only each case's kind and layers_dims?"""
    submission = grading.prepare(SUBMISSIONS / "correct_loop.ipynb")
    for job in submission.jobs.values():
        assert all(set(call) == {"kind", "layers_dims"} for call in job.calls)


def test_public_only_check_runs_no_hidden_case(sandbox):
    """Does grading with hidden=False run only the public cases (2, 3 and 4 points)?"""
    report = grading.grade_notebook(SUBMISSIONS / "correct_loop.ipynb", sandbox, hidden=False)
    maxima = [entry.max_score for entry in report.exercises]
    assert maxima == [len(public_tests.public_cases(s)) for s in public_tests.SCHEMES]
    assert report.score == report.max_score


def test_unreadable_observations_are_a_failed_case_not_a_crash():
    """Does a result with malformed observations fail its cases instead of raising?"""
    count = len(assignment.graded_cases("zeros", True))
    result = JobResult("ok", "", [[{"nonsense": 1}]] * count, 0.1, "none")
    entry = grading.judge_result(exercise_of("zeros"), result)
    assert entry.status == "failed"
    assert entry.score == 0
    assert "unreadable" in entry.feedback


def test_a_message_shared_by_two_cases_is_shown_once():
    """Is the same failure of the values and the seeding case on [3, 2, 1] listed only once?"""
    case_list = assignment.graded_cases("random", True)
    observations = [
        [
            {
                "raised": None,
                "returned": "dict",
                "entries": {},
                "bad_keys": [],
                "layers_dims_after": list(case.layers_dims),
            }
        ]
        * (2 if case.kind == "seeding" else 1)
        for case in case_list
    ]
    result = JobResult("ok", "", observations, 0.1, "none")
    entry = grading.judge_result(exercise_of("random"), result)
    listed = [line for line in entry.feedback.splitlines() if line.startswith("- ")]
    assert len(listed) == len(set(listed))
    assert sum("[3, 2, 1]" in line for line in listed) == 1
    assert f"{len(case_list)} of {len(case_list)} cases failed." in entry.feedback


def test_timeout_result_is_status_timeout():
    """Is a job stopped by the time limit reported as 'timeout' with 0 points?"""
    result = JobResult("timeout", "wall time limit of 5 s", [], 5.0, "none")
    entry = grading.judge_result(exercise_of("he"), result)
    assert (entry.status, entry.score) == ("timeout", 0.0)


def test_a_grader_bug_on_one_file_does_not_stop_the_others(sandbox, monkeypatch):
    """Is an unexpected exception while preparing one notebook an error report for it alone?"""
    real_prepare = grading.prepare

    def prepare(path, exercises=None, root=None):
        if path.name == "correct_loop.ipynb":
            raise RuntimeError("boom")
        return real_prepare(path, exercises, root)

    monkeypatch.setattr(grading, "prepare", prepare)
    paths = [SUBMISSIONS / "correct_loop.ipynb", SUBMISSIONS / "correct_numpy_alias.ipynb"]
    broken, fine = grading.grade_many(paths, sandbox)
    assert "internal error" in broken.reason
    assert fine.score == fine.max_score


def test_each_report_is_handed_on_as_soon_as_its_notebook_is_graded(sandbox):
    """Is a quick notebook's report out while a slow one still runs, each exactly once?"""
    paths = [SUBMISSIONS / "infinite_loop.ipynb"] + [SUBMISSIONS / "correct_loop.ipynb"] * 3
    handed_on = []
    reports = grading.grade_many(
        paths, sandbox, on_report=lambda index, report: handed_on.append((index, report))
    )
    assert sorted(index for index, _ in handed_on) == [0, 1, 2, 3]
    assert handed_on[-1][0] == 0  # the endless loop finished last, the others did not wait
    assert [report for _, report in sorted(handed_on, key=lambda pair: pair[0])] == reports


def test_the_jobs_of_a_notebook_run_as_one_group(sandbox, monkeypatch):
    """Does grade_many send the sandbox each notebook's jobs as one group (one worker, its
    clean state verified once per notebook), never a job alone?"""
    groups = []
    run_group = sandbox.run_group

    def recorded(jobs):
        groups.append([job.function for job in jobs])
        return run_group(jobs)

    monkeypatch.setattr(sandbox, "run_group", recorded)
    monkeypatch.setattr(sandbox, "run", lambda job: pytest.fail(f"{job.function} sent alone"))
    reports = grading.grade_many([SUBMISSIONS / "correct_loop.ipynb"] * 3, sandbox)
    assert groups == [EXERCISES] * 3
    assert all(report.score == report.max_score for report in reports)


def test_a_failure_to_write_a_report_stops_the_run_and_is_raised(sandbox):
    """Does an exception of on_report (a full disk) end grade_many with that exception?"""
    paths = [SUBMISSIONS / "correct_loop.ipynb"] * 6
    handed_on = []

    def write(index, report):
        if handed_on:
            raise OSError(28, "No space left on device")
        handed_on.append(index)

    with pytest.raises(OSError, match="No space left"):
        grading.grade_many(paths, sandbox, on_report=write)
    assert len(handed_on) == 1


def report_text(submission):
    """The notebook's reason and every exercise's reason and notes, as one text."""
    parts = [submission.reason]
    for exercise in submission.exercises:
        if exercise.findings is not None:
            parts += [exercise.findings.reason, *exercise.findings.notes]
    return "\n".join(parts)


def peak_resident_bytes():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) << 10 for line in status if line.startswith("VmHWM:"))


@pytest.fixture(scope="module")
def content_attacks(tmp_path_factory):
    """(submitted folder, {student: expected}) of every content attack (hostile_files.py)."""
    submitted = tmp_path_factory.mktemp("content") / "submitted"
    return submitted, hostile_files.write_content_attacks(submitted)


def test_every_content_attack_is_a_reason_within_seconds_in_bounded_memory(content_attacks):
    """Does each huge or pathological notebook become its reason fast, the grader's memory flat?"""
    submitted, expected = content_attacks
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")  # a new peak-resident measurement
    before = peak_resident_bytes()
    wrong = {}
    for student, substring in expected.items():
        started = time.monotonic()
        submission = grading.prepare(
            hostile_files.notebook_path(submitted, student), root=submitted
        )
        seconds = time.monotonic() - started
        text = report_text(submission)
        if substring is None and (submission.reason or len(submission.jobs) != 3):
            wrong[student] = text
        elif substring is not None and not hostile_files.shows_reason(substring, text):
            wrong[student] = text[:300]
        elif seconds > grading.PREPARE_BOUNDS.wall_seconds:
            wrong[student] = f"{seconds:.1f} s"
    assert not wrong
    assert peak_resident_bytes() - before < 64 << 20


def test_a_notebook_over_the_memory_bound_is_a_reason(content_attacks, monkeypatch):
    """Is a notebook whose reading needs more memory than the bound a one-line reason?"""
    submitted, _ = content_attacks
    small = grading.bounded.Bounds(memory_bytes=64 << 20, cpu_seconds=5, wall_seconds=10.0)
    grading.close_notebook_reader()  # the next reader is forked with the small bounds
    monkeypatch.setattr(grading, "PREPARE_BOUNDS", small)
    submission = grading.prepare(hostile_files.notebook_path(submitted, "million_cells"))
    grading.close_notebook_reader()  # not to keep a reader with the small bounds
    assert submission.reason == (
        "the notebook is too large or too complex to analyse: it needs more than 64 MiB of memory"
    )
    assert submission.jobs == {}
    assert all(exercise.findings is None for exercise in submission.exercises)


def test_a_linked_folder_is_refused_under_a_root(tmp_path):
    """With the submission folder as root, is a student folder linked to a classmate's refused?"""
    submitted = tmp_path / "submitted"
    expected = hostile_files.write_file_attacks(submitted)
    for student in ["linked_student_folder", "linked_assignment_folder", "link_to_classmate"]:
        path = hostile_files.notebook_path(submitted, student)
        submission = grading.prepare(path, root=submitted)
        assert expected[student] in submission.reason and not submission.jobs
    assert len(grading.prepare(hostile_files.notebook_path(submitted, "ana")).jobs) == 3


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notebook_fuzz.notebook_bytes())
def test_fuzzed_files_are_prepared_without_an_exception(tmp_path_factory, data):
    """Does the bounded prepare turn any file into a reason or findings, never raising?"""
    path = tmp_path_factory.mktemp("fuzz") / "fuzzed.ipynb"
    path.write_bytes(data)
    notebook_fuzz.check_prepared(grading.prepare(path))


def test_a_file_name_that_is_not_utf8_is_read(tmp_path):
    """Is a notebook whose name is not UTF-8 (given as bytes or as str) read all the same?"""
    name = os.fsencode(tmp_path) + b"/caf\xe9.ipynb"
    with open(name, "wb") as file:
        file.write((SUBMISSIONS / "correct_loop.ipynb").read_bytes())
    for path in [name, os.fsdecode(name)]:
        submission = grading.prepare(path, root=tmp_path)
        assert submission.reason == "" and len(submission.jobs) == 3


# --------------------------------------------------------------------------
# Points only for right values; hidden cases stay hidden.
# --------------------------------------------------------------------------


def public_case_calls():
    """'initialize_parameters_he([2, 4, 1])', ...: how a public case's messages name it."""
    return [
        public_tests.call_text(c)
        for s in public_tests.SCHEMES
        for c in public_tests.public_cases(s)
    ]


def without_public_case_lines(report):
    """The report as text, without the feedback lines about public cases.

    Those print the student's own values on public layer sizes, which can coincide with a
    hidden value (random_biases: b1 of [3, 1, 2] continues the stream W1 of [3, 6, 4, 1] uses).
    """
    calls = public_case_calls()
    kept = {key: value for key, value in report_data(report).items() if key != "exercises"}
    lines = [json.dumps(kept)]
    for entry in report.exercises:
        lines += [line for line in entry.feedback.splitlines() if not any(c in line for c in calls)]
    return "\n".join(lines)


def test_no_report_of_the_corpus_prints_a_hidden_expected_value(corpus_reports):
    """Is no hidden case's expected value printed (5 digits, 8 decimals or in full) anywhere in
    any report of the corpus, outside the lines that show a public case's values?"""
    for name, report in corpus_reports.items():
        assert not hidden_values.leaked_forms(without_public_case_lines(report)), name


def test_hidden_case_feedback_says_what_is_wrong():
    """Does a failed hidden case name its layer sizes and how many entries differ?"""
    # The feedback lists only the first failed cases: judge every case of a halved He answer.
    case_list = assignment.graded_cases("he", True)
    hidden = [case for case in case_list if case.hidden]
    assert hidden
    observations = [
        public_tests.observe(
            lambda dims: {k: v * 0.5 for k, v in reference.initialize("he", dims).items()}, case
        )
        for case in case_list
    ]
    verdicts, _ = public_tests.judge_exercise(list(case_list), observations)
    for case, (passed, message) in zip(case_list, verdicts, strict=True):
        if case.hidden:
            assert not passed
            assert f"({case.layers_dims})" in message and "(a hidden case)" in message
            assert "entries differ" in message and "expected [" not in message


def test_all_zero_he_weights_are_named_once_as_constant(corpus_reports):
    """Are all-zero He weights named constant_weights alone, not also integer division (which
    returns zeros too wherever every layer is wider than 2)?"""
    he = corpus_reports["all_zeros_weights.ipynb"].exercises[2]
    assert "[constant_weights]" in he.feedback
    assert "[integer_division]" not in he.feedback


def hard_coded_result(scheme):
    """A JobResult whose every call returned the first public case's expected parameters."""
    case_list = assignment.graded_cases(scheme, True)
    first = public_tests.public_cases(scheme)[0]
    observation = public_tests.observe_call(lambda dims: dict(first.expected), [0])
    observations = [[observation] * (2 if c.kind == "seeding" else 1) for c in case_list]
    return JobResult("ok", "", observations, 0.1, "none")


@pytest.mark.parametrize("scheme", public_tests.SCHEMES)
def test_a_hard_coded_answer_scores_0_and_is_flagged(scheme):
    """Does an exercise whose function returns the same parameters for every layers_dims score
    0, say so first in its feedback and carry the flag hardcoded:<function>?"""
    entry = grading.judge_result(exercise_of(scheme), hard_coded_result(scheme))
    assert (entry.score, entry.status) == (0.0, "failed")
    assert entry.flags == (f"hardcoded:{public_tests.FUNCTION_NAMES[scheme]}",)
    first_line = entry.feedback.splitlines()[0]
    assert "hard-coded answer" in first_line and "does not depend on layers_dims" in first_line
    assert "Likely mistake" not in entry.feedback


def test_finish_collects_every_exercise_flag():
    """Does the report list the flags of all its exercises at the top, for the CSV?"""
    exercises = tuple(exercise_of(scheme) for scheme in public_tests.SCHEMES)
    submission = grading.Submission(SUBMISSIONS / "x.ipynb", exercises)
    results = {assignment.exercise(s): hard_coded_result(s) for s in ("random", "he")}
    results[assignment.exercise("zeros")] = JobResult("timeout", "time limit", [], 5.0, "none")
    report = grading.finish(submission, results, "none")
    assert report.flags == (
        "hardcoded:initialize_parameters_random",
        "hardcoded:initialize_parameters_he",
    )
    assert report.score == 0


def junk_or_observations(case):
    return st.one_of(
        returned_values.observations_for(case),
        st.lists(returned_values.junk(), max_size=2),
        returned_values.junk(),
    )


@settings(max_examples=200, deadline=None, database=None)
@given(data=st.data())
def test_judging_a_result_never_crashes_nor_gives_points_for_wrong_values(data):
    """Does judge_result() turn any returned values -- spoiled arrays, odd keys, JSON junk where
    observations should be -- into an entry without raising, full marks only for right values?"""
    scheme = data.draw(st.sampled_from(public_tests.SCHEMES))
    case_list = assignment.graded_cases(scheme, True)
    observations = [data.draw(junk_or_observations(case)) for case in case_list]
    entry = grading.judge_result(
        exercise_of(scheme), JobResult("ok", "", observations, 0.1, "none")
    )
    assert entry.status in ("passed", "failed")
    assert 0 <= entry.score <= entry.max_score
    assert type(entry.feedback) is str and entry.feedback
    assert entry.flags in ((), (f"hardcoded:{public_tests.FUNCTION_NAMES[scheme]}",))
    if entry.status == "passed":
        assert entry.score == entry.max_score and not entry.flags
        assert all(
            type(observed) is list and returned_values.is_right(case, observed)
            for case, observed in zip(case_list, observations, strict=True)
        )


def test_every_report_says_which_limits_were_enforced(sandbox):
    """Does a graded report name each limit the sandbox enforced on its jobs (and an unreadable
    notebook, whose code never ran, name none)?"""
    graded, unreadable = grading.grade_many(
        [SUBMISSIONS / "correct_loop.ipynb", SUBMISSIONS / "empty_file.ipynb"], sandbox
    )
    assert set(graded.limits) >= {"memory", "cpu", "wall clock", "processes", "syscall filter"}
    [job_result] = sandbox.run_many([Job("", "initialize_parameters_he", ())])
    assert graded.limits == job_result.limits
    assert unreadable.limits == {}
    assert "Limits enforced on the student's code:" in report_table(graded)


def test_a_notebook_graded_alone_reports_its_sandbox_time_as_seconds(sandbox):
    """Is `seconds` the sandbox time of the notebook's jobs for one notebook too (0 for a
    notebook whose code never ran), as in a batch?"""
    [unreadable] = grading.grade_many([SUBMISSIONS / "empty_file.ipynb"], sandbox)
    assert report_data(unreadable)["seconds"] == 0.0


@pytest.mark.parametrize("verdict", ["passed", "failed", "timeout", "bogus", "x" * 1000])
def test_a_verdict_the_static_checks_cannot_give_is_refused(verdict):
    """Is an exercise verdict from the reading child other than '', missing or error refused
    (the grader's own failure) rather than written into the report as the status?"""
    message = grading.analyse_notebook(str(SUBMISSIONS / "deleted_function.ipynb"))
    entry = next(e for e in message["exercises"].values() if e["verdict"])
    entry["verdict"] = verdict
    submission = grading.Submission(SUBMISSIONS / "x.ipynb", grading.exercises_to_grade())
    with pytest.raises(ValueError, match="verdict"):
        grading.fill_submission(submission, message)


def test_an_exercise_is_judged_on_the_cases_it_carries():
    """Does judging use the cases the exercise was prepared with, whatever they are (here the
    public ones of a check), and score out of their points?"""
    spec = assignment.exercise("he")
    public = spec.cases(False)
    exercise = Exercise(spec, public, grading.analysis.StaticFindings(spec.function))
    observations = [
        public_tests.observe(lambda dims: reference.initialize("he", dims), case) for case in public
    ]
    entry = grading.judge_result(exercise, JobResult("ok", "", observations, 0.1, "none"))
    assert (entry.status, entry.score, entry.max_score) == ("passed", len(public), len(public))


def test_nothing_is_computed_ahead_for_one_notebook_only_for_a_batch(sandbox):
    """Is nothing of the misconceptions computed ahead when one notebook is graded (it would
    compete with the worker's start), while a batch computes them during its first jobs?"""
    computed = grading.misconceptions.mistaken_observation.cache_info
    grading.misconceptions.mistaken_observation.cache_clear()
    grading.grade_notebook(SUBMISSIONS / "correct_loop.ipynb", sandbox)
    assert computed().currsize == 0
    grading.grade_many([SUBMISSIONS / "correct_loop.ipynb"] * 2, sandbox)
    assert computed().currsize > 0


def test_one_failed_notebook_names_its_mistake_as_in_a_batch(sandbox):
    """Does a notebook graded alone (nothing computed ahead) get the same feedback, the
    mistake named, as in a batch?"""
    path = SUBMISSIONS / "fan_out_instead_of_fan_in.ipynb"
    grading.misconceptions.mistaken_observation.cache_clear()
    alone = grading.grade_notebook(path, sandbox)
    in_a_batch = grading.grade_many([path, path], sandbox)[0]
    assert any("Likely mistake" in entry.feedback for entry in alone.exercises)
    assert [entry.feedback for entry in alone.exercises] == [
        entry.feedback for entry in in_a_batch.exercises
    ]
