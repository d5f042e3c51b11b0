"""The whole class on the demo hub, in real browsers: release, fetch, validate, submit, grade,
feedback; and what a student's server can and cannot reach."""

import json
import os
import pwd
import shutil
import tempfile
from pathlib import Path

import pytest
import support
from support import classhub

pytestmark = [
    pytest.mark.hub,
    pytest.mark.skipif(bool(classhub.hub_is_runnable()), reason=classhub.hub_is_runnable()),
]

ASSIGNMENT = "initialization"
COURSE = "initialization-course"
NOTEBOOK_NAME = "Initialization.ipynb"
NOTEBOOK = f"{ASSIGNMENT}/{NOTEBOOK_NAME}"
FULL_MARKS = "18"


@pytest.fixture(scope="module")
def state():
    """The hub's state folder (homes, exchange, gradebook), removed afterwards."""
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
        autograde_logs = []
        for name in (solver, idler):
            done, log = classhub.formgrader_action(
                teacher, name, "flash", snapshot, f"autograde-{name}"
            )
            assert done, log
            autograde_logs.append(log)
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
            first_test = "All 5 cases passed." if name == solver else "raised NotImplementedError"
            page.get_by_text(first_test).first.scroll_into_view_if_needed()
            snapshot(page, f"{name}-feedback-messages")

    assert f"Score: {FULL_MARKS}.0 / {FULL_MARKS}.0" in feedback[solver]
    assert "All 5 cases passed." in feedback[solver] and "PASS hidden case" in feedback[solver]
    # Autograding ran the course's grader, in its own bubblewrap nested in the instructor's.
    assert "Grading in the sandbox: bubblewrap isolation" in autograde_logs[0], autograde_logs[0]
    assert f"Score: 0.0 / {FULL_MARKS}.0" in feedback[idler]
    assert "raised NotImplementedError" in feedback[idler]
    # The untouched release must not validate (part of the course's Validate work).
    # JupyterLab's Validate dialog lists each failed cell ("VALIDATION FAILED" is the command's).
    assert "The following cell failed" in idler_validate_verdict, idler_validate_verdict
    assert "Success!" not in idler_validate_verdict


# What a student's code tries to open: {label: path}. Every one exists and root can read it.
PROBE = """
import json, os
results = {}
for label, path in json.loads(%r).items():
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            with open(path, "rb") as stream:
                stream.read(1)
        results[label] = "read"
    except OSError as error:
        results[label] = type(error).__name__
others = []
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        if os.stat(f"/proc/{pid}").st_uid != os.getuid():
            with open(f"/proc/{pid}/comm") as comm:
                others.append(comm.read().strip())
    except OSError:
        pass
results["processes of other accounts"] = sorted(others)
print(json.dumps(results))
"""


def forbidden_paths(hub, course_folder):
    """{label: path} a student must not reach; made where a walk-through has not made them."""
    grace_work = hub.home("grace") / "private-work.txt"
    grace_work.write_text("grace's answers\n")
    os.chown(grace_work, pwd.getpwnam("grace").pw_uid, pwd.getpwnam("grace").pw_gid)
    return {
        "another student's file": str(grace_work),
        "another student's home": str(hub.home("grace")),
        "the instructor's source notebook": str(
            course_folder / "source" / ASSIGNMENT / NOTEBOOK_NAME
        ),
        "the instructor's course folder": str(course_folder),
        "the gradebook": str(course_folder / "gradebook.db"),
        "the checkout's hidden cases": str(classhub.ROOT / "autograder" / "cases.py"),
        "the checkout's source notebook": str(
            classhub.ROOT / "source" / ASSIGNMENT / NOTEBOOK_NAME
        ),
        "the hub's passwords": str(hub.state / "hub" / "passwords.json"),
        "the hub's database": str(hub.state / "hub" / "jupyterhub.sqlite"),
        "the submissions in the exchange": str(hub.state / "exchange" / COURSE / "inbound"),
    }


def test_a_student_server_reaches_only_its_own_home_and_the_release(hub):
    """Can a student's code read their own work, and nothing of other students or the grader?"""
    course_folder = hub.home("instructor") / COURSE
    with classhub.chromium() as browser:
        # The instructor's formgrader makes the gradebook if no walk-through has yet.
        classhub.open_formgrader(classhub.sign_in(browser, hub, "instructor"), hub, "instructor")
        targets = forbidden_paths(hub, course_folder)
        own_work = hub.home("ada") / "own-work.txt"
        own_work.write_text("ada's answers\n")
        os.chown(own_work, pwd.getpwnam("ada").pw_uid, pwd.getpwnam("ada").pw_gid)
        for label, path in targets.items():
            assert Path(path).exists(), f"{label} ({path}) should exist for the probe to mean much"
        page = classhub.sign_in(browser, hub, "ada")
        probe = PROBE % json.dumps({**targets, "own work": str(own_work)})
        results = json.loads(classhub.run_in_new_notebook(page, probe).strip().splitlines()[-1])
        classhub.Snapshots.single(page, "ada-isolation-probe")

        assert not classhub.sign_in_is_refused(browser, hub, "grace", hub.passwords["grace"])
        assert classhub.sign_in_is_refused(browser, hub, "grace", hub.passwords["ada"])
        assert classhub.sign_in_is_refused(browser, hub, "root", hub.passwords["ada"])
        assert classhub.sign_in_is_refused(browser, hub, "ada", "")

    assert results.pop("own work") == "read"
    # Only the sandbox's own first process (bubblewrap, root's) besides the student's.
    assert results.pop("processes of other accounts") == ["bwrap"]
    assert {label: outcome for label, outcome in results.items() if outcome == "read"} == {}
