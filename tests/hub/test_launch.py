"""`./course hub` itself: what it refuses, and that it stops everything it started."""

import os
import shutil
import signal
import subprocess
import tempfile
import urllib.request
from pathlib import Path

import pytest
from coursehub import accounts, launch
from support import classhub

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="the hub makes system accounts: root")


@pytest.fixture
def state():
    folder = Path(tempfile.mkdtemp(prefix="course-hub-test-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@needs_root
@pytest.mark.parametrize("name", ["root", "daemon"])
def test_a_roster_naming_an_account_the_hub_did_not_make_is_refused(tmp_path, state, name):
    """Does the hub refuse to take over an existing account (a server running as root, say)?"""
    roster = tmp_path / "roster.csv"
    roster.write_text(f"name,role\n{name},instructor\nada,student\n")
    with pytest.raises(accounts.AccountError, match="is not the hub's"):
        launch.prepare_class(state, roster)


@needs_root
def test_the_launcher_says_why_it_cannot_start_in_one_line(tmp_path, state):
    """Does a bad roster give a one-line error and exit 1, with no hub started?"""
    roster = tmp_path / "roster.csv"
    roster.write_text("name,role\nada,student\n")
    result = subprocess.run(
        [*classhub.launcher_command(classhub.lab.free_port(), state), "--roster", str(roster)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("[course] error: ") and result.stderr.count("\n") == 1


@pytest.mark.hub
@pytest.mark.skipif(bool(classhub.hub_is_runnable()), reason=classhub.hub_is_runnable())
def test_sigterm_stops_the_hub_and_everything_it_started(state):
    """Does the hub answer /hub/api, and does SIGTERM leave no process of it behind?"""
    hub = classhub.start_hub(state)
    try:
        with urllib.request.urlopen(f"{hub.url}/hub/api", timeout=10) as response:
            assert response.status == 200
        hub.started = classhub.descendants(hub)
        commands = " ".join(" ".join(process.cmdline()) for process in hub.started)
        assert "jupyterhub" in commands and "configurable-http-proxy" in commands
        with pytest.raises(launch.LaunchError, match="another course hub"):
            launch.take_lock()
        hub.process.send_signal(signal.SIGTERM)
        assert hub.process.wait(classhub.HUB_STOP_TIMEOUT) == 0
    finally:
        said = classhub.stop_hub(hub)
    assert "The course hub stopped." in said
    assert classhub.processes_left(hub) == ""
    assert launch.port_is_free(hub.port)


@needs_root
def test_a_restart_never_writes_through_links_a_member_left_in_their_home(state):
    """Does preparing the class again leave alone a link a student planted in their home?

    The hub prepares the homes as root at every start; a student controls what is in theirs.
    """
    roster = launch.DEPLOY / "roster.csv"
    launch.prepare_class(state, roster)
    home = accounts.StateLayout(state).home("ada")
    target = state / "written-by-root"
    for relative in accounts.LAB_USER_SETTINGS:
        planted = home / ".jupyter" / "lab" / "user-settings" / relative
        planted.unlink()
        planted.symlink_to(target)
    victim = state / "someone-elses-file"
    victim.write_text("root's\n")
    (home / "hardlink-or-link").symlink_to(victim)
    launch.prepare_class(state, roster)
    assert not target.exists(), "root wrote through a link in a student's home"
    assert victim.stat().st_uid == 0, "root gave a file outside the home to the student"
