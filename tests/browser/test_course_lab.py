"""`./course lab` as a student starts it in a fresh checkout, looked at in real Chromium."""

import hashlib
import re
import secrets
import shutil
import sys
import time
from pathlib import Path

import pytest
import support
from support import lab

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    lab.NEEDS_CHROMIUM,
]

# State of this checkout, not the course: a fresh checkout has none of it.
NOT_THE_COURSE = (".git", ".venv", "build", "*.egg-info", "__pycache__", "artifacts", "student")
STUDENT_NOTEBOOK = "student/initialization/Initialization.ipynb"
NBGRADER_BAD_SETUP = "course directory root is not a subdirectory"
# Given on the command line, the token is printed as "...": the test knows it.
PRINTED_URL = re.compile(r"(http://127\.0\.0\.1:\d+/\S*)\?token=")
OPEN_TIMEOUT = 90_000  # ms

_CURRENT_PATH_JS = """() => {
    const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    return widget && widget.context ? widget.context.path : null;
}"""
_FILE_BROWSER_JS = """() => ({
    folder: document.querySelector('.jp-FileBrowser .jp-BreadCrumbs').textContent,
    names: Array.from(document.querySelectorAll('.jp-FileBrowser .jp-DirListing-itemName'))
        .map((node) => node.textContent.trim()),
})"""


def fresh_checkout(dest):
    """The course's files copied to dest, with a .venv borrowed from this environment.

    The .venv holds links to this environment's folders and its own stamp of dest's
    requirements, so `./course` finds it up to date and installs nothing.
    """
    shutil.copytree(support.ROOT, dest, ignore=shutil.ignore_patterns(*NOT_THE_COURSE))
    venv = dest / ".venv"
    venv.mkdir()
    for entry in Path(sys.prefix).iterdir():
        if entry.name != ".requirements.sha256":
            (venv / entry.name).symlink_to(entry)
    stamp = (dest / "requirements.txt").read_bytes() + (dest / "pyproject.toml").read_bytes()
    (venv / ".requirements.sha256").write_text(hashlib.sha256(stamp).hexdigest() + "\n")
    return dest


def start_course_lab(checkout, scratch):
    """`./course lab --no-browser` on a free port with a known token, run from another folder."""
    port, token = lab.free_port(), secrets.token_hex(24)
    command = [
        str(checkout / "course"),
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        "--LabApp.expose_app_in_browser=True",
    ]
    elsewhere = scratch / "elsewhere"
    elsewhere.mkdir(parents=True)
    # The checkout's own code, as its own editable install would give it.
    return lab.start_server(
        command, checkout, scratch, port, token, elsewhere, {"PYTHONPATH": str(checkout)}
    )


def printed_url(server, timeout=30):
    """The address `./course lab --no-browser` prints for the student (after /api/status)."""
    deadline = time.monotonic() + timeout
    while not (urls := set(PRINTED_URL.findall(server.log_text()))):
        assert time.monotonic() < deadline, f"no address printed:\n{server.log_text()}"
        time.sleep(0.25)
    (url,) = urls
    return f"{url}?token={server.token}"


def test_course_lab_opens_the_assignment_with_the_companions_one_click_away(tmp_path):
    """Does `./course lab` in a fresh checkout start without nbgrader's bad-setup error, open the
    student's notebook, and list the companion notebooks in the file browser, one of which a
    double-click opens?"""
    checkout = fresh_checkout(tmp_path / "checkout")
    companions = sorted(path.name for path in (checkout / "notebooks").glob("*.ipynb"))
    before = lab.live_pids()
    server = start_course_lab(checkout, tmp_path / "scratch")
    try:
        url = printed_url(server)
        assert NBGRADER_BAD_SETUP not in server.log_text()  # logged as the server starts
        with lab.chromium_page(tmp_path / "scratch") as page:
            page.goto(url, timeout=OPEN_TIMEOUT)
            page.wait_for_function(
                f"() => ({_CURRENT_PATH_JS})() === {STUDENT_NOTEBOOK!r}", timeout=OPEN_TIMEOUT
            )
            page.wait_for_function(
                f"() => ({_FILE_BROWSER_JS})().names.includes({companions[0]!r})",
                timeout=OPEN_TIMEOUT,
            )
            browser = page.evaluate(_FILE_BROWSER_JS)
            lab.dismiss_dialogs(page)
            page.locator(".jp-DirListing-item", has_text=companions[0]).dblclick()
            page.wait_for_function(
                f"() => ({_CURRENT_PATH_JS})() === 'notebooks/{companions[0]}'",
                timeout=OPEN_TIMEOUT,
            )
            lab.save_screenshot(page, support.ROOT / "artifacts" / "browser" / "course_lab.png")
            started = lab.started_since(before)
        log = server.log_text()
    finally:
        lab.stop_lab(server)
    assert NBGRADER_BAD_SETUP not in log
    assert f"Serving notebooks from local directory: {checkout}" in log
    assert set(companions) <= set(browser["names"]), browser
    assert browser["folder"].strip(" /") == "notebooks"
    assert lab.processes_left(started, before) == ""
