"""The whole class on the demo hub, in real browsers: release, fetch, validate, submit, grade,
feedback; and what a student's server can and cannot reach."""

import shutil
import tempfile
from pathlib import Path

import classhub
import pytest
import support

pytestmark = [
    pytest.mark.hub,
    pytest.mark.skipif(bool(classhub.hub_is_runnable()), reason=classhub.hub_is_runnable()),
]

ASSIGNMENT = "initialization"
COURSE = "initialization-course"
NOTEBOOK = f"{ASSIGNMENT}/Initialization.ipynb"
FULL_MARKS = "18"


@pytest.fixture(scope="module")
def state():
    """The hub's state folder, removed afterwards (a pytest tmp_path is for root only)."""
    folder = Path(tempfile.mkdtemp(prefix="course-hub-test-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def hub(state):
    with classhub.running_hub(state) as running:
        yield running
    assert classhub.processes_left(running) == ""
    names = set(running.passwords)
    assert classhub.member_processes(names) == []


def solved_sources(page):
    """The sources a student who answers every exercise leaves in the solution cells."""
    sources = classhub.cell_sources(page)
    return {
        grade_id: support.fill_stub(sources[grade_id], answer)
        for grade_id, answer in support.SOLUTIONS.items()
    }


def test_instructor_and_students_go_from_release_to_feedback_in_the_browser(hub):
    """Does a class go from release to feedback through formgrader and the Assignment List?"""
    snapshot = classhub.Snapshots()
    instructor, solver, idler = "instructor", "ada", "grace"
    with classhub.chromium() as browser:
        teacher = classhub.sign_in(browser, hub, instructor)
        snapshot(teacher, "instructor-signed-in")
        classhub.open_formgrader(teacher, hub, instructor)
        snapshot(teacher, "formgrader")
        done, log = classhub.formgrader_action(
            teacher, ASSIGNMENT, "education", snapshot, "generate"
        )
        assert done, log
        done, log = classhub.formgrader_action(
            teacher, ASSIGNMENT, "cloud-upload", snapshot, "release"
        )
        assert done, log

        students = {}
        for name in (solver, idler):
            page = classhub.sign_in(browser, hub, name)
            classhub.open_assignment_list(page)
            snapshot(page, f"{name}-assignment-list")
            classhub.click_list_button(page, "Fetch")
            snapshot(page, f"{name}-fetched")
            assert (hub.home(name) / NOTEBOOK).exists() or page.locator("text=Submit").count(), (
                "the fetched assignment should be listed"
            )
            students[name] = page

        page = students[solver]
        classhub.open_notebook(page, hub, solver, NOTEBOOK)
        assert classhub.set_cell_sources(page, solved_sources(page)) == 3
        classhub.save_notebook(page)
        verdict = classhub.validate_notebook(page)
        snapshot(page, f"{solver}-validate")
        classhub.close_dialog(page)
        assert "Success! Your notebook passes all the tests." in verdict, verdict

        page = students[idler]
        classhub.open_notebook(page, hub, idler, NOTEBOOK)
        verdict = classhub.validate_notebook(page)
        snapshot(page, f"{idler}-validate")
        classhub.close_dialog(page)
        idler_validate_verdict = verdict

        for name, page in students.items():
            classhub.open_assignment_list(page)
            classhub.click_list_button(page, "Submit")
            snapshot(page, f"{name}-submitted")

        classhub.open_formgrader(teacher, hub, instructor)
        done, log = classhub.formgrader_action(
            teacher, ASSIGNMENT, "cloud-download", snapshot, "collect"
        )
        assert done, log
        classhub.open_formgrader(teacher, hub, instructor, f"manage_submissions/{ASSIGNMENT}")
        for name in (solver, idler):
            done, log = classhub.formgrader_action(
                teacher, name, "flash", snapshot, f"autograde-{name}"
            )
            assert done, log
        snapshot(teacher, "autograded")
        classhub.open_formgrader(teacher, hub, instructor)
        done, log = classhub.formgrader_action(
            teacher, ASSIGNMENT, "comment", snapshot, "generate-feedback"
        )
        assert done, log
        done, log = classhub.formgrader_action(
            teacher, ASSIGNMENT, "envelope", snapshot, "release-feedback"
        )
        assert done, log

        feedback = {}
        for name, page in students.items():
            classhub.open_assignment_list(page)
            classhub.click_list_button(page, "Fetch Feedback")
            snapshot(page, f"{name}-feedback-fetched")
            (html,) = (hub.home(name) / ASSIGNMENT / "feedback").glob("*/Initialization.html")
            relative = html.relative_to(hub.home(name))
            page.goto(f"{hub.url}/user/{name}/files/{relative}")
            page.wait_for_selector("text=Score", timeout=30_000)
            snapshot(page, f"{name}-feedback")
            feedback[name] = page.inner_text("body")

    assert f"Score: {FULL_MARKS}.0 / {FULL_MARKS}.0" in feedback[solver]
    assert "All tests passed." in feedback[solver]
    assert f"Score: 0.0 / {FULL_MARKS}.0" in feedback[idler]
    assert "raised NotImplementedError" in feedback[idler]
    # The untouched release must not validate (part of the course's Validate work).
    assert "Validation failed" in idler_validate_verdict, idler_validate_verdict
