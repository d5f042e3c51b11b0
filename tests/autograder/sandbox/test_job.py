"""The Probe: the sandbox runs jobs for any user, and knows nothing of the course."""

import dataclasses
import subprocess
import sys

import pytest
from files import toy_probe

from autograder.sandbox import Job, JobStatus, Limits, Probe, Sandbox
from autograder.sandbox import launch as sandbox_launch

TOY_PROBE = Probe(
    module="toy_probe",
    files={"toy_probe": "files.toy_probe"},
    check_call=toy_probe.check_call,
    decode_call=toy_probe.decode_call,
)
COURSE_MODULES = ("public_tests", "init_utils", "numpy", "observations", "autograder")
# The job fails unless its worker preloaded nothing of the course and /grader holds only
# the sandbox's two modules and the toy probe.
NOTHING_OF_THE_COURSE = f"""
import os, sys
loaded = sorted(name for name in {COURSE_MODULES!r} if name in sys.modules)
if loaded or sorted(os.listdir("/grader")) != ["channel.py", "toy_probe.py", "worker.py"]:
    raise RuntimeError(f"{{loaded}} {{sorted(os.listdir('/grader'))}}")

def add(a, b):
    return a + b
"""


@pytest.mark.parametrize("level", ["bubblewrap", "unshare"])
def test_a_sandbox_runs_a_probe_that_is_not_the_courses(level):
    """Does a job run against a toy probe, with nothing of the course staged or preloaded?"""
    if sandbox_launch.unavailable(level):
        pytest.skip(sandbox_launch.unavailable(level))
    calls = [{"args": [2, 3]}, {"args": [1]}]
    with Sandbox(TOY_PROBE, workers=1, limits=Limits(), isolation=level) as box:
        result = box.run(Job(NOTHING_OF_THE_COURSE, "add", calls))
    assert (result.status, result.reason) == ("ok", "")
    assert result.observations == [{"returned": 5}, {"raised": "TypeError"}]


def test_a_probe_that_refuses_a_call_makes_it_a_grader_error():
    """Is a call the probe's check refuses an error of the job, before any worker runs it?"""
    with Sandbox(TOY_PROBE, workers=1, isolation="none") as box:
        result = box.run(Job("def add(a): return a", "add", [{"args": ["x"]}]))
    assert result.status == "error" and "bad call" in result.reason


def test_a_job_is_a_frozen_value_and_ends_with_a_job_status():
    """Can a Job not be changed once made, and is each result's status a JobStatus by name?"""
    job = Job("def add(a, b): return a + b", "add", ({"args": [2, 3]},))
    with pytest.raises(dataclasses.FrozenInstanceError):
        job.calls = ()
    with Sandbox(TOY_PROBE, workers=1, isolation="none") as box:
        ran, refused = box.run(job), box.run(Job("", "add", ({"args": ["x"]},)))
    assert (ran.status, refused.status) == (JobStatus.OK, JobStatus.ERROR)
    assert type(ran.status) is JobStatus and type(refused.status) is JobStatus


def test_importing_the_sandbox_imports_nothing_of_the_course():
    """Does `import autograder.sandbox` load no course module (public_tests, numpy, ...)?"""
    script = (
        "import sys, autograder.sandbox\n"
        f"print(sorted(n for n in {COURSE_MODULES[:-1]!r} if n in sys.modules))\n"
        "print(sorted(n for n in sys.modules if n.startswith('autograder.')"
        " and not n.startswith('autograder.sandbox')))"
    )
    shown = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert shown.stdout.split("\n")[:2] == ["[]", "[]"], shown.stderr
