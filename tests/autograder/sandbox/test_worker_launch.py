"""How a worker is launched (autograder/sandbox/launch.py; tests/hub/test_launch.py is the hub's):
the command of each level, in its memory cgroup, and where its files are staged."""

import json
import os
import shutil

import pytest

from autograder.sandbox import launch


def jail_steps(command):
    """[(mode, spec)] of every step of the jail in a command line, in order."""
    jail = str(launch.HERE / "jail.py")
    return [
        (command[index + 1], json.loads(command[index + 2]))
        for index, argument in enumerate(command)
        if argument == jail
    ]


@pytest.mark.skipif(not launch.running_as_root(), reason="the jail's stage step is root's")
def test_a_roots_bubblewrap_worker_joins_its_cgroup_in_the_stage_step(tmp_path):
    """Does a root's bubblewrap command go into a memory cgroup through one jail step, the
    stage step joining the cgroup first (one Python start, not two, before bwrap)?"""
    command = launch.bubblewrap_command(tmp_path, "tag")
    steps = jail_steps(launch.in_cgroup(command, "/sys/fs/cgroup/memory/x/cgroup.procs"))
    assert [mode for mode, _ in steps] == ["stage"]
    assert steps[0][1]["cgroup"] == "/sys/fs/cgroup/memory/x/cgroup.procs"
    assert steps[0][1]["binds"] == jail_steps(command)[0][1]["binds"]


@pytest.mark.parametrize("level", ["unshare", "none"])
def test_other_commands_join_their_cgroup_in_a_step_of_their_own(tmp_path, level):
    """Is any other command started by the jail's join step, before anything else runs?"""
    command, _ = launch.command(level, tmp_path, "tag")
    joined = launch.in_cgroup(command, "/sys/fs/cgroup/memory/x/cgroup.procs")
    assert jail_steps(joined)[0] == ("join", {"cgroup": "/sys/fs/cgroup/memory/x/cgroup.procs"})
    assert joined[joined.index("--") + 1 :] == command


def test_without_a_cgroup_the_command_is_unchanged(tmp_path):
    """Is a command with no cgroup to join launched as it is?"""
    command, _ = launch.command("bubblewrap", tmp_path, "tag")
    assert launch.in_cgroup(command, None) == command


def test_staging_folders_are_made_on_the_memory_file_system_when_there_is_one():
    """Is a staging folder made under /dev/shm where this process can write there (made and
    removed at every command, it costs tens of ms on a disk), and under /tmp otherwise?"""
    staging = launch.stage_grader_files({})
    try:
        expected = "/dev/shm" if os.access("/dev/shm", os.W_OK | os.X_OK) else "/tmp"
        assert str(staging.parent) == expected
        assert sorted(path.name for path in staging.iterdir()) == [
            "empty",
            "empty-file",
            "grader",
            "mnt",
            "root",
            "tmp",
        ]
    finally:
        shutil.rmtree(staging)
