"""Can the instructor's server on the demo hub grade in the grader's own bubblewrap sandbox?

The spawner's real command line (bubblewrap as root, setpriv to an unprivileged account) runs a
Python that starts the course grader's Sandbox, as SandboxedAutograde does in formgrader's
autograde. Needs root and bubblewrap; a few seconds.
"""

import os
import pwd
import shutil
import subprocess
import sys

import pytest
from coursehub import spawner

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not os.path.exists(spawner.BWRAP), reason="needs root and bubblewrap"
)

# What the server's Python does first in autograde: start the course's sandbox at one level.
START_SANDBOX = """
import sys
from autograder.probe import COURSE_PROBE
from autograder.sandbox import Sandbox
with Sandbox(COURSE_PROBE, isolation=sys.argv[1]) as sandbox:
    print("started", sandbox.isolation)
"""


def run_in_server(command_prefix, home, level, pythonpath):
    """Start the grader's sandbox at `level` in a server sandbox; returns the CompletedProcess."""
    command = [*command_prefix, sys.executable, "-c", START_SANDBOX, level]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "PYTHONPATH": pythonpath}
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def member_home(tmp_path):
    """A home owned by the unprivileged account `nobody`, which stands for the instructor."""
    home = tmp_path / "home"
    home.mkdir()
    entry = pwd.getpwnam("nobody")
    shutil.chown(home, entry.pw_uid, entry.pw_gid)
    return entry, home


def server_command(entry, home, grader):
    read_only = spawner.environment_folders()
    return spawner.sandbox_command(entry, home, read_only, [str(home)], grader=grader)


def test_the_instructors_server_starts_the_graders_bubblewrap(member_home):
    """Does the grader, run as the instructor in the instructor's server sandbox, start its own
    bubblewrap sandbox (nested), importing the grader from the read-only grader folder?"""
    entry, home = member_home
    done = run_in_server(
        server_command(entry, home, True), home, "bubblewrap", spawner.GRADER_FOLDER
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "started bubblewrap"


def test_a_students_server_has_no_grader(member_home):
    """Does a student's server sandbox leave out the grader's files (the hidden cases are in
    autograder/cases.py)?"""
    entry, home = member_home
    command = server_command(entry, home, False)
    assert spawner.GRADER_FOLDER not in " ".join(command)
    done = run_in_server(command, home, "none", spawner.GRADER_FOLDER)
    assert done.returncode != 0 and "No module named 'autograder'" in done.stderr
