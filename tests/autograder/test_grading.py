"""Does grading give each corpus submission its expected verdicts, scores and feedback?"""

import pytest
from autograder_corpus import SUBMISSIONS, corpus_expectations

import public_tests
from autograder import cases, grading
from autograder.sandbox import JobResult

EXPECTED = corpus_expectations()
EXERCISES = [public_tests.FUNCTION_NAMES[scheme] for scheme in public_tests.SCHEMES]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_verdicts(corpus_reports, name):
    """Does each exercise of each corpus submission get its expected status, score, feedback
    and integrity flags?"""
    report = corpus_reports[name]
    assert [entry["name"] for entry in report["exercises"]] == EXERCISES
    assert report["flags"] == EXPECTED[name]["flags"]
    assert report["flags"] == [flag for entry in report["exercises"] for flag in entry["flags"]]
    for entry in report["exercises"]:
        wanted = EXPECTED[name]["exercises"][entry["name"]]
        where = f"{name} {entry['name']}: {entry['feedback']}"
        assert entry["status"] == wanted["status"], where
        assert entry["score"] == wanted["score"], where
        if wanted["misconception"]:
            assert f"[{wanted['misconception']}]" in entry["feedback"], where
        for mention in wanted["mentions"]:
            assert mention.lower() in entry["feedback"].lower(), where


def test_totals_are_the_sums_of_the_exercises(corpus_reports):
    """Are a report's score and max_score the sums over its three exercises (max 18)?"""
    full = sum(cases.max_points(scheme) for scheme in public_tests.SCHEMES)
    for report in corpus_reports.values():
        assert report["score"] == sum(entry["score"] for entry in report["exercises"])
        assert report["max_score"] == full


def test_misconception_comes_before_the_case_messages(corpus_reports):
    """Does the feedback name the likely mistake first, then the failed cases?"""
    he = corpus_reports["xavier_instead_of_he.ipynb"]["exercises"][2]
    lines = he["feedback"].splitlines()
    assert lines[0].startswith("Likely mistake [xavier_instead_of_he]")
    assert "expected" in lines[1] and "got" in lines[1]


def test_feedback_never_shows_hidden_test_source(corpus_reports):
    """Is the text of the hidden tests (hidden_case(...), grade(...)) absent from feedback?"""
    for report in corpus_reports.values():
        for entry in report["exercises"]:
            assert "hidden_case(" not in entry["feedback"]
            assert "BEGIN HIDDEN TESTS" not in entry["feedback"]


def test_jobs_carry_no_expected_values():
    """Does a job send the sandbox only each case's kind and layers_dims?"""
    submission = grading.prepare(SUBMISSIONS / "correct_loop.ipynb")
    for job in submission.jobs.values():
        assert all(set(call) == {"kind", "layers_dims"} for call in job.calls)


def test_public_only_check_runs_no_hidden_case(sandbox):
    """Does grading with hidden=False run only the public cases (2, 3 and 4 points)?"""
    report = grading.grade_notebook(SUBMISSIONS / "correct_loop.ipynb", sandbox, hidden=False)
    maxima = [entry["max_score"] for entry in report["exercises"]]
    assert maxima == [len(public_tests.public_cases(s)) for s in public_tests.SCHEMES]
    assert report["score"] == report["max_score"]


def test_unreadable_observations_are_a_failed_case_not_a_crash():
    """Does a result with malformed observations fail its cases instead of raising?"""
    findings = grading.analysis.StaticFindings("initialize_parameters_zeros")
    count = len(grading.graded_cases("zeros", True))
    result = JobResult("ok", "", [[{"nonsense": 1}]] * count, 0.1, "none")
    entry = grading.judge_result("zeros", True, findings, result)
    assert entry["status"] == "failed"
    assert entry["score"] == 0
    assert "unreadable" in entry["feedback"]


def test_a_message_shared_by_two_cases_is_shown_once():
    """Is the same failure of the values and the seeding case on [3, 2, 1] listed only once?"""
    findings = grading.analysis.StaticFindings("initialize_parameters_random")
    case_list = grading.graded_cases("random", True)
    observations = [
        [
            {
                "raised": None,
                "returned": "dict",
                "entries": {},
                "bad_keys": [],
                "layers_dims_after": list(case["layers_dims"]),
            }
        ]
        * (2 if case["kind"] == "seeding" else 1)
        for case in case_list
    ]
    result = JobResult("ok", "", observations, 0.1, "none")
    entry = grading.judge_result("random", True, findings, result)
    listed = [line for line in entry["feedback"].splitlines() if line.startswith("- ")]
    assert len(listed) == len(set(listed))
    assert sum("[3, 2, 1]" in line for line in listed) == 1
    assert f"{len(case_list)} of {len(case_list)} cases failed." in entry["feedback"]


def test_timeout_result_is_status_timeout():
    """Is a job stopped by the time limit reported as 'timeout' with 0 points?"""
    findings = grading.analysis.StaticFindings("initialize_parameters_he")
    result = JobResult("timeout", "wall time limit of 5 s", [], 5.0, "none")
    entry = grading.judge_result("he", True, findings, result)
    assert (entry["status"], entry["score"]) == ("timeout", 0.0)


def test_a_grader_bug_on_one_file_does_not_stop_the_others(sandbox, monkeypatch):
    """Is an unexpected exception while preparing one notebook an error report for it alone?"""
    real_prepare = grading.prepare

    def prepare(path, hidden=True):
        if path.name == "correct_loop.ipynb":
            raise RuntimeError("boom")
        return real_prepare(path, hidden)

    monkeypatch.setattr(grading, "prepare", prepare)
    paths = [SUBMISSIONS / "correct_loop.ipynb", SUBMISSIONS / "correct_numpy_alias.ipynb"]
    broken, fine = grading.grade_many(paths, sandbox)
    assert "internal error" in broken["reason"]
    assert fine["score"] == fine["max_score"]
