"""How a worker is launched (autograder/sandbox/launch.py; tests/hub/test_launch.py is the hub's):
the command of each level, in its memory cgroup, and where its files are staged."""

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.probe import COURSE_PROBE
from autograder.sandbox import Sandbox, launch, syscall_filter
from autograder.sandbox.worker_process import tagged_processes


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


LAUNCH_IMPORTS = """
import json, sys
from pathlib import Path
from autograder.sandbox import launch
launch.hidden_paths()
needed = any(
    (Path(folder) / "autograder").is_dir() and launch.has_distributions(folder)
    for folder in launch.site_folders()
)
print(json.dumps(["importlib.metadata" in sys.modules, needed]))
"""


def test_no_metadata_is_read_where_no_distribution_is_installed():
    """Does finding the grader's installed copies leave importlib.metadata (~15 ms before
    every launch) unimported when no folder with the package also holds an installed
    distribution (a checkout, an editable install's link tree)?"""
    root = launch.HERE.parents[1]
    done = subprocess.run(
        [sys.executable, "-c", LAUNCH_IMPORTS], cwd=root, capture_output=True, text=True
    )
    imported, needed = json.loads(done.stdout)
    if needed:
        pytest.skip("the grader is installed next to its metadata here: it must be read")
    assert not imported


def test_a_folder_holds_distributions_only_with_their_metadata(tmp_path):
    """Is a folder with the package but no .dist-info or .egg-info skipped, and one with
    either (or a folder that cannot be listed) judged as it is?"""
    (tmp_path / "autograder").mkdir()
    assert not launch.has_distributions(tmp_path)
    (tmp_path / "initialization_course-0.1.0.dist-info").mkdir()
    assert launch.has_distributions(tmp_path)
    assert not launch.has_distributions(tmp_path / "missing")
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    (legacy / "initialization_course.egg-info").mkdir()
    assert launch.has_distributions(legacy)


def idle_job_child(tag, seconds=10.0):
    """The PID of a sandbox's idle job child (forked ahead, waiting for its job), or None."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for pid in tagged_processes(tag):
            with contextlib.suppress(OSError):
                if Path(f"/proc/{pid}/comm").read_text().strip() == "ag-idle":
                    return pid
        time.sleep(0.01)
    return None


def test_the_filter_is_sent_after_the_launch_and_loaded_by_the_idle_job_child():
    """Does a worker's command line carry only the descriptor of its syscall filter (built
    while it starts, not before), and does its idle job child still load the filter?"""
    if syscall_filter.unavailable():
        pytest.skip(syscall_filter.unavailable())
    with Sandbox(COURSE_PROBE, workers=1) as box:
        arguments = Path(f"/proc/{box.slots[0].process.pid}/cmdline").read_bytes().split(b"\0")
        config = json.loads(arguments[-2])  # the last argument (the list ends with a NUL)
        assert "syscall_filter" not in config
        assert isinstance(config["syscall_filter_fd"], int)
        idle = idle_job_child(box.tag)
        assert idle is not None
        status = Path(f"/proc/{idle}/status").read_text().splitlines()
        assert "Seccomp:\t2" in status
