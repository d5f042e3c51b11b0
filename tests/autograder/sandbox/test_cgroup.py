"""The memory cgroup of a worker: joined before it starts, counting what a job pins, gone after.

Also the fall-back route: every hostile file's `# fallback[levels]: ...` line says what it
must get when no memory cgroup is used (Limits(memory_cgroup=False)), as on a machine where
the grader cannot create one; the syscall filter then refuses shared memory instead.
"""

import contextlib
import os
import re
import signal
import time
from pathlib import Path

import pytest
from test_pool import CALLS, CORRECT_HE, HOSTILE, LIMITS, all_cases_pass, wait_until_no_strays

from autograder.probe import COURSE_PROBE
from autograder.sandbox import Job, Limits, Sandbox, tagged_processes
from autograder.sandbox import cgroup as sandbox_cgroup
from autograder.sandbox import launch as sandbox_launch

FALLBACK = re.compile(
    r"# fallback\[(?P<levels>[a-z,]+)\]: (?P<status>ok|error|timeout)"
    r"(?:, judged (?P<judged>pass|fail))?(?: ~ (?P<reason>.+))?"
)
CGROUP_PROBLEM = sandbox_cgroup.unavailable()
needs_cgroup = pytest.mark.skipif(CGROUP_PROBLEM is not None, reason=str(CGROUP_PROBLEM))


def he_job(source):
    return Job(source=source, function="initialize_parameters_he", calls=CALLS)


def level_or_skip(level):
    problem = sandbox_launch.unavailable(level)
    if problem:
        pytest.skip(f"{level}: {problem}")


def cgroup_directories(box):
    """The cgroup directories named after this sandbox, wherever they were created."""
    parents = {Path(slot.memory.path).parent for slot in box.slots if slot.memory is not None}
    return sorted(p for parent in parents for p in parent.glob(f"autograder-{box.tag}-*"))


def fallback_params():
    params = []
    for path in sorted(HOSTILE.glob("*.py")):
        for line in path.read_text().splitlines():
            match = FALLBACK.fullmatch(line.strip())
            for level in match["levels"].split(",") if match else []:
                expected = (match["status"], match["judged"], match["reason"])
                marks = [pytest.mark.slow] if level != "bubblewrap" else []
                params.append(
                    pytest.param(level, path, expected, marks=marks, id=f"{level}-{path.stem}")
                )
    return params


@needs_cgroup
def test_each_worker_runs_in_its_own_memory_cgroup_from_the_start():
    """Is every worker (and its preloaded modules) charged to a cgroup of its own, limited
    to the job limit above that charge, with swap counted?"""
    with Sandbox(COURSE_PROBE, workers=2, limits=LIMITS, isolation="bubblewrap") as box:
        cgroups = [slot.memory for slot in box.slots]
        assert len({c.path for c in cgroups}) == 2
        for cgroup in cgroups:
            assert cgroup.processes(), "the worker is not in its cgroup"
            # numpy and public_tests were loaded inside (about 19 MiB): charged there.
            assert cgroup.baseline > 10 << 20
            assert cgroup.usage() <= cgroup.baseline + LIMITS.memory_bytes
        result = box.run(he_job(CORRECT_HE))
        assert all_cases_pass(result)
        assert f"cgroup v{cgroups[0].version}" in result.limits["memory"]
        directories = cgroup_directories(box)
        assert len(directories) == 2
    assert all(not path.exists() for path in directories), "a cgroup outlived its sandbox"


@needs_cgroup
def test_a_dead_workers_cgroup_is_removed_and_replaced():
    """When a worker dies, is its cgroup removed and the new worker in a fresh one?"""
    with Sandbox(COURSE_PROBE, workers=1, limits=LIMITS, isolation="bubblewrap") as box:
        slot = box.slots[0]
        first = slot.memory.path
        for pid in slot.memory.processes():
            os.kill(pid, signal.SIGKILL)
        slot.process.wait(timeout=10)  # dead between jobs: the next run() restarts it
        assert all_cases_pass(box.run(he_job(CORRECT_HE)))
        assert not first.exists()
        assert cgroup_directories(box) == [slot.memory.path]
    assert not cgroup_directories(box) and not slot.memory.path.exists()


@needs_cgroup
@pytest.mark.parametrize(
    "level, attack",
    [
        ("bubblewrap", "sysv_shm_detached.py"),
        ("bubblewrap", "oom_victim_worker.py"),
        ("unshare", "sysv_shm_detached.py"),
        ("none", "processes_allocating.py"),  # SysV IPC is the host's there: refused
    ],
)
def test_memory_past_the_limit_is_a_memory_error_and_the_next_job_passes(level, attack):
    """Does a job holding over 1 GiB (detached shared memory; shared memory with the worker
    as the likelier OOM victim; five processes) get the memory verdict from the cgroup's
    counters, and do the next jobs in that worker pass?"""
    level_or_skip(level)
    # Time enough to fault in over 1 GiB on a slow machine: the memory verdict must come.
    limits = Limits(wall_seconds=20.0)
    with Sandbox(COURSE_PROBE, workers=1, limits=limits, isolation=level) as box:
        result = box.run(he_job((HOSTILE / attack).read_text()))
        assert (result.status, result.reason) == ("error", "exceeded the 1 GiB memory limit")
        after = [box.run(he_job(CORRECT_HE)) for _ in range(2)]
        assert all(all_cases_pass(r) for r in after), [r.reason for r in after]
        assert not wait_until_no_strays(box)
        assert len(cgroup_directories(box)) == 1
    assert not tagged_processes(box.tag)


def test_without_a_cgroup_the_result_says_so():
    """With the cgroup turned off, does every result say memory is limited per process only,
    and does the syscall filter then refuse SysV IPC and memory files?"""
    level_or_skip("bubblewrap")
    limits = Limits(wall_seconds=2.0, memory_cgroup=False)
    with Sandbox(COURSE_PROBE, workers=1, limits=limits, isolation="bubblewrap") as box:
        result = box.run(he_job(CORRECT_HE))
        assert all_cases_pass(result)
        assert result.limits["memory"].startswith("per process only")
        assert "SysV IPC and memfd_create" in result.limits["syscall filter"]


@pytest.fixture(scope="module")
def fallback_sandboxes():
    started = {}

    def get(level):
        level_or_skip(level)
        if level not in started:
            limits = Limits(wall_seconds=LIMITS.wall_seconds, memory_cgroup=False)
            started[level] = Sandbox(COURSE_PROBE, workers=2, limits=limits, isolation=level)
        return started[level]

    yield get
    for box in started.values():
        box.close()


@pytest.mark.parametrize("level, path, expected", fallback_params())
def test_without_a_cgroup_an_attack_gets_its_fallback_verdict(
    fallback_sandboxes, level, path, expected
):
    """Without a memory cgroup, does each memory attack get its fallback verdict while the
    correct jobs around it pass?"""
    box = fallback_sandboxes(level)
    status, judged, reason = expected
    correct = he_job(CORRECT_HE)
    results = box.run_many([correct, correct, he_job(path.read_text()), correct, correct])
    attack = results.pop(2)
    assert attack.status == status, attack.reason
    if reason:
        assert reason in attack.reason
    if status == "ok":
        assert all_cases_pass(attack) == (judged == "pass")
    assert all(all_cases_pass(other) for other in results)
    assert not wait_until_no_strays(box)


@needs_cgroup
def test_cgroups_left_by_a_killed_grader_are_removed():
    """Is an empty cgroup of ours older than an hour (its grader was killed) removed when the
    next sandbox starts, while a young one is left alone?"""
    with Sandbox(COURSE_PROBE, workers=1, limits=LIMITS, isolation="none") as box:
        parent = box.slots[0].memory.path.parent
    stale, young = parent / "autograder-stale-test", parent / "autograder-young-test"
    for path in (stale, young):
        path.mkdir()
    hours_ago = time.time() - 2 * 3600
    os.utime(stale, (hours_ago, hours_ago))
    try:
        with Sandbox(COURSE_PROBE, workers=1, limits=LIMITS, isolation="none"):
            assert not stale.exists()
            assert young.exists()
    finally:
        for path in (stale, young):
            with contextlib.suppress(FileNotFoundError):
                path.rmdir()


def test_no_cgroup_is_created_where_the_grader_cannot(monkeypatch, tmp_path):
    """Where neither hierarchy is writable, is the reason one line and nothing created?"""
    monkeypatch.setattr(sandbox_cgroup, "V1_MOUNT", tmp_path / "v1")
    monkeypatch.setattr(sandbox_cgroup, "V2_MOUNTS", (tmp_path / "v2",))
    with pytest.raises(
        sandbox_cgroup.CgroupUnavailableError, match="v2: not mounted.*v1: no memory"
    ):
        sandbox_cgroup.MemoryCgroup.create("autograder-test", 1 << 30)
    assert not any(tmp_path.iterdir())
