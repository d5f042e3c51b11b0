"""The sandbox: hostile student code gets the right verdict and harms no other job.

Every file under tests/files/hostile/ is one attack. Its header says, per isolation
level, what it must get:

    # expect[bubblewrap,unshare]: ok, judged pass
    # expect[none]: error ~ killed the sandbox worker

An attack runs in a batch between correct submissions, on a sandbox with two warm
workers (each of which has just run a correct job); the correct jobs must still pass
every case, and afterwards no process of the sandbox may remain but its workers. A
level not named in a header is one where the attack is meaningless or unsafe to run
(e.g. kill(-1) as root without namespaces).

Every attack also runs on a sandbox with ONE warm worker, followed in that same worker
by TRACE_READER, a correct job that fails if it finds anything an earlier job left
(files, modes, attributes, used room in /tmp, IPC objects, keys, process state), and
by a correct job: the next student is never harmed by the previous one.
"""

import array
import dataclasses
import fcntl
import json
import os
import re
import signal
import socket
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

import public_tests
from autograder import cases
from autograder.grading import GRADER_FAILURES
from autograder.probe import COURSE_PROBE
from autograder.sandbox import (
    MIN_JOB_MEMORY,
    SANDBOX_FAILURE,
    Job,
    Limits,
    MemoryLimitError,
    Sandbox,
    SandboxError,
    tagged_processes,
)
from autograder.sandbox import launch as sandbox_launch
from autograder.sandbox.channel import MAX_REASON

ROOT = Path(__file__).resolve().parents[3]
HOSTILE = ROOT / "tests" / "files" / "hostile"
LEVELS = ("bubblewrap", "unshare", "none")
HE_CASES = cases.all_cases("he")
CALLS = [{"kind": case.kind, "layers_dims": case.layers_dims} for case in HE_CASES]
# Room for the memory attacks to fault in more than 1 GiB on a busy machine.
LIMITS = Limits(wall_seconds=5.0, cpu_seconds=5)
# Processes of a live sandbox that are not a job's: bwrap/unshare, the worker, its idle child.
INFRASTRUCTURE = {"bwrap", "unshare", "ag-worker", "ag-idle"}
SLOW_ATTACKS = {"fork_bomb", "infinite_loop"}
# Attacks on the state a warm worker hands to its next job: run by default at bubblewrap.
CLEAN_STATE_PREFIXES = ("tmp_", "keyring_", "process_")
EXPECT = re.compile(
    r"# expect\[(?P<levels>[a-z,]+)\]: (?P<status>ok|error|timeout)"
    r"(?:, judged (?P<judged>pass|fail))?(?: ~ (?P<reason>.+))?"
)

CORRECT_HE = """
# marker: other-student-7f3a (hostile/scan_memory_for_other_submissions.py looks for it)
import numpy as np

def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
"""

# A correct job that raises, naming what it found, if an earlier job left any trace. At the
# namespace levels /tmp is the sandbox's own tmpfs and IPC and keys are the sandbox's own.
TRACE_READER = (
    CORRECT_HE
    + """
import ctypes, os, signal, stat, tempfile, time

tmp = tempfile.gettempdir()
traces = []
info = os.lstat(tmp)
if not stat.S_ISDIR(info.st_mode) or stat.S_IMODE(info.st_mode) != 0o700:
    traces.append(f"/tmp has mode {oct(info.st_mode)}")
if (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
    traces.append(f"/tmp is owned by {info.st_uid}:{info.st_gid}")
if info.st_mtime < time.time() - 600:
    traces.append(f"/tmp has an old timestamp {info.st_mtime}")
if os.getcwd() != tmp:
    traces.append(f"the job started in {os.getcwd()}")
traces += [f"/tmp holds {name}" for name in os.listdir(tmp)]
traces += [f"/tmp carries {name}" for name in os.listxattr(tmp)]
mask = os.umask(0o022)
if mask & 0o700:
    traces.append(f"umask {oct(mask)}")
traces += [f"environment {name}" for name in ("PREVIOUS_STUDENT", "PYTHONSTARTUP")
           if name in os.environ]
if signal.getsignal(signal.SIGTERM) != signal.SIG_DFL:
    traces.append("SIGTERM handler")
os.mkdir(os.path.join(tmp, "scratch"))
with open(os.path.join(tmp, "scratch", "file"), "w") as scratch:
    scratch.write("x" * 100_000)
if tmp == "/tmp":
    room = os.statvfs(tmp)
    used = (room.f_blocks - room.f_bfree) * room.f_frsize
    if used > 1 << 20:
        traces.append(f"{used} bytes of /tmp in use")
    for table in ("shm", "msg", "sem"):
        rows = open(f"/proc/sysvipc/{table}").read().splitlines()[1:]
        traces += [f"System V {table} {row.split()[1]}" for row in rows]
    for line in open("/proc/keys").read().splitlines():
        fields = line.split()
        if fields[7] != "keyring" or "secret" in line:
            traces.append(f"key {fields[7]} {fields[8]}")
if traces:
    raise RuntimeError("TRACES: " + "; ".join(traces))
"""
)


# --------------------------------------------------------------------------
# Helpers.
# --------------------------------------------------------------------------


def expectations(path):
    """{level: (status, judged, reason)} from the header of a hostile file."""
    found = {}
    for line in path.read_text().splitlines():
        match = EXPECT.fullmatch(line.strip())
        if match:
            for level in match["levels"].split(","):
                found[level] = (match["status"], match["judged"], match["reason"])
    return found


def attack_params():
    params = []
    for path in sorted(HOSTILE.glob("*.py")):
        for level, expected in expectations(path).items():
            slow = level != "bubblewrap" or path.stem in SLOW_ATTACKS
            marks = [pytest.mark.slow] if slow else []
            params.append(
                pytest.param(level, path, expected, marks=marks, id=f"{level}-{path.stem}")
            )
    return params


def clean_state_params():
    """(level, attack) pairs whose attack's next job, in the same worker, must be unharmed."""
    params = []
    for path in sorted(HOSTILE.glob("*.py")):
        for level, expected in expectations(path).items():
            default = level == "bubblewrap" and path.stem.startswith(CLEAN_STATE_PREFIXES)
            marks = [] if default else [pytest.mark.slow]
            params.append(
                pytest.param(level, path, expected, marks=marks, id=f"{level}-{path.stem}")
            )
    return params


def attack_source(path, port=1):
    return path.read_text().replace("__REPO_ROOT__", str(ROOT)).replace("__PORT__", str(port))


def he_job(source):
    return Job(source=source, function="initialize_parameters_he", calls=CALLS)


def all_cases_pass(result):
    """Does a job's result pass every He case when the grader judges it?"""
    if result.status != "ok":
        return False
    return all(
        public_tests.judge(case, observed)[0]
        for case, observed in zip(HE_CASES, result.observations, strict=True)
    )


def process_name(pid):
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return None


def stray_processes(sandbox):
    """Processes of this sandbox that belong to no worker: job leftovers."""
    return [
        (pid, process_name(pid))
        for pid in tagged_processes(sandbox.tag)
        if process_name(pid) not in INFRASTRUCTURE | {None}
    ]


def wait_until_no_strays(sandbox, seconds=3.0):
    """Stray processes still there after a short grace (a killed process takes a moment)."""
    deadline = time.monotonic() + seconds
    while (strays := stray_processes(sandbox)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return strays


def level_available(level):
    return sandbox_launch.unavailable(level) is None


def sandbox_per_level(workers):
    """get(level) -> a sandbox of that many workers, started on first use; then closed."""
    started = {}

    def get(level):
        if not level_available(level):
            pytest.skip(f"{level}: {sandbox_launch.unavailable(level)}")
        if level not in started:
            started[level] = Sandbox(COURSE_PROBE, workers=workers, limits=LIMITS, isolation=level)
        return started[level]

    yield get
    for box in started.values():
        box.close()
        assert not tagged_processes(box.tag), "a sandbox left processes after close()"


@pytest.fixture(scope="module")
def sandboxes():
    """One two-worker sandbox per isolation level, started on first use."""
    yield from sandbox_per_level(2)


@pytest.fixture(scope="module")
def lone_workers():
    """One one-worker sandbox per isolation level: every job follows the last in its worker."""
    yield from sandbox_per_level(1)


def idle_child(box, seconds=10.0):
    """The PID of the sandbox's idle job child (forked ahead, waiting for its job)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        idle = [pid for pid in tagged_processes(box.tag) if process_name(pid) == "ag-idle"]
        if idle:
            return idle[0]
        time.sleep(0.01)
    raise AssertionError("no idle job child appeared")


@pytest.fixture
def listener():
    """A TCP server on the grader's loopback that counts connections (none expected)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def accepted_connections(server):
    count = 0
    while True:
        try:
            connection, _ = server.accept()
        except BlockingIOError:
            return count
        connection.close()
        count += 1


# --------------------------------------------------------------------------
# The hostile corpus.
# --------------------------------------------------------------------------


GRADERS_FILES = [ROOT / "public_tests.py", ROOT / "autograder" / "cases.py"]


def test_every_hostile_file_says_what_it_tries_and_expects():
    """Does each attack file carry a header: what it tries, what it expects, per level?"""
    files = sorted(HOSTILE.glob("*.py"))
    assert len(files) >= 20
    for path in files:
        text = path.read_text()
        assert text.startswith("# Attack: "), path.name
        assert "# Expected: " in text, path.name
        assert expectations(path), path.name
        assert set(expectations(path)) <= set(LEVELS), path.name


@pytest.mark.parametrize("level, path, expected", attack_params())
def test_an_attack_gets_its_verdict_and_harms_no_other_job(
    sandboxes, level, path, expected, listener
):
    """Does the attack get the expected verdict, while correct jobs around it still pass
    and no process of the job survives it?"""
    box = sandboxes(level)
    status, judged, reason = expected
    source = attack_source(path, listener.getsockname()[1])
    correct = he_job(CORRECT_HE)
    graders_files = {path: path.read_bytes() for path in GRADERS_FILES}
    # Two correct jobs first: whichever worker gets the attack has just run one of them.
    results = box.run_many([correct, correct, he_job(source), correct, correct])
    attack = results.pop(2)
    assert (attack.status, attack.isolation) == (status, level), attack.reason
    if reason:
        assert reason in attack.reason
    if status == "ok":
        assert attack.reason == ""
        assert all_cases_pass(attack) == (judged == "pass")
    for other in results:
        assert all_cases_pass(other), f"a correct job next to {path.stem}: {other.reason}"
    assert not wait_until_no_strays(box)
    assert accepted_connections(listener) == 0
    assert all(path.read_bytes() == text for path, text in graders_files.items())


@pytest.mark.parametrize("level, path, expected", clean_state_params())
def test_the_next_job_in_the_same_worker_finds_no_trace_of_an_attack(
    lone_workers, level, path, expected
):
    """Does the job after an attack, in the same warm worker, start in a clean state (no
    trace of the attack, a usable /tmp) and pass, as does the correct job after it?"""
    box = lone_workers(level)
    status, judged, reason = expected
    results = [
        box.run(he_job(source))
        for source in (CORRECT_HE, attack_source(path), TRACE_READER, CORRECT_HE)
    ]
    attack = results.pop(1)
    assert attack.status == status, attack.reason
    if reason:
        assert reason in attack.reason
    for other in results:
        assert all_cases_pass(other), f"a job after {path.stem}: {other.reason}"
    assert not wait_until_no_strays(box)


def test_the_trace_reader_finds_a_trace():
    """Does TRACE_READER fail when a trace is there (a reader that cannot fail proves nothing)?"""
    with Sandbox(COURSE_PROBE, workers=1, limits=LIMITS, isolation="none") as box:
        (Path(box.slots[0].tmp) / "left-behind").write_text("answers")
        result = box.run(he_job(TRACE_READER))
    assert result.status == "error" and "TRACES: /tmp holds left-behind" in result.reason


def bytes_waiting(fd):
    """How many bytes a pipe holds (FIONREAD works on either end)."""
    waiting = array.array("i", [0])
    fcntl.ioctl(fd, termios.FIONREAD, waiting)
    return waiting[0]


@pytest.mark.parametrize("level", LEVELS)
def test_a_job_whose_process_dies_before_it_starts_is_retried_on_a_new_worker(level):
    """When the process forked for a job dies before the student's code starts (here killed
    from outside while it waits for the job, as the out-of-memory killer might), is the
    worker replaced and the job retried and passed, not charged to the student?"""
    if not level_available(level):
        pytest.skip(sandbox_launch.unavailable(level))
    with Sandbox(COURSE_PROBE, workers=1, limits=LIMITS, isolation=level) as box:
        assert all_cases_pass(box.run(he_job(CORRECT_HE)))
        slot = box.slots[0]
        worker = slot.process.pid
        idle = idle_child(box)
        os.kill(idle, signal.SIGSTOP)  # it cannot take the job before it dies
        results = []
        runner = threading.Thread(target=lambda: results.append(box.run(he_job(CORRECT_HE))))
        runner.start()
        deadline = time.monotonic() + 10
        while not bytes_waiting(slot.job_w) and time.monotonic() < deadline:
            time.sleep(0.005)
        os.kill(idle, signal.SIGKILL)
        runner.join()
        assert all_cases_pass(results[0]), results[0].reason
        assert slot.process.pid != worker
        assert slot.replacements == [
            "the job process was killed by signal 9 before the student code started"
        ]
        assert not wait_until_no_strays(box)


def proc_field(pid, name, file="status"):
    """A line of /proc/PID/status (or limits) that starts with name, '' when there is none."""
    try:
        lines = Path(f"/proc/{pid}/{file}").read_text().splitlines()
    except OSError:
        return ""
    return next((line for line in lines if line.startswith(name)), "")


def set_up_while_idle(pid, seconds=10.0):
    """Has the idle child loaded the syscall filter and set the job's CPU limit?"""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        filtered = proc_field(pid, "Seccomp:").split()[1:] == ["2"]
        cpu = proc_field(pid, "Max cpu time", "limits").split()[3:5]
        if filtered and cpu == [str(LIMITS.cpu_seconds), str(LIMITS.cpu_seconds + 1)]:
            return True
        time.sleep(0.01)
    return False


@pytest.mark.parametrize("level", LEVELS)
def test_the_idle_child_is_confined_before_its_job_and_its_death_costs_the_job_nothing(level):
    """Is the process forked for the next job limited and filtered while it waits, before
    any job exists -- and when it dies then, is that reported when the job arrives, the
    worker replaced and the job passed?"""
    if not level_available(level):
        pytest.skip(sandbox_launch.unavailable(level))
    with Sandbox(COURSE_PROBE, workers=1, limits=LIMITS, isolation=level) as box:
        first = box.run(he_job(CORRECT_HE))
        if first.limits["syscall filter"].startswith("off"):
            pytest.skip("no syscall filter on this machine")
        assert all_cases_pass(first)
        idle = idle_child(box)
        assert set_up_while_idle(idle)
        os.kill(idle, signal.SIGKILL)
        time.sleep(0.5)  # time enough for a worker that reports at once to have ended
        result = box.run(he_job(CORRECT_HE))
        assert all_cases_pass(result), result.reason
        assert box.slots[0].replacements == [
            "the job process was killed by signal 9 before the student code started"
        ]
        assert not wait_until_no_strays(box)


TWICE = """
import json, resource
from autograder.sandbox import Job, Limits, Sandbox
from autograder.probe import COURSE_PROBE
# Below the file limit that a job's set-up sets: every job process of every worker fails.
resource.setrlimit(resource.RLIMIT_NOFILE, (200, 200))
with Sandbox(COURSE_PROBE, workers=1, limits=Limits(wall_seconds=2.0), isolation={level!r}) as box:
    result = box.run(Job("pass", "initialize_parameters_he", [{{"kind": "values",
                                                                 "layers_dims": [2, 1]}}]))
    print(json.dumps([result.status, result.reason, box.slots[0].replacements]))
"""


@pytest.mark.parametrize("level", ["bubblewrap", "unshare"])
def test_a_sandbox_that_fails_twice_before_the_job_starts_reports_its_own_failure(level):
    """When the job cannot be set up in a new worker either (every worker inherits a file
    limit below what the set-up sets), is the job an error naming the sandbox, not the
    student's code, after exactly one retry?"""
    if not level_available(level):
        pytest.skip(sandbox_launch.unavailable(level))
    ran = subprocess.run(
        [sys.executable, "-c", TWICE.format(level=level)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    status, reason, replacements = json.loads(ran.stdout)
    assert status == "error"
    assert reason.startswith("sandbox failure (not the student's code): the job process exited")
    assert "student code exited" not in reason
    assert len(replacements) == 2


def test_a_failure_of_the_sandbox_in_a_job_is_one_a_rerun_tries_again():
    """When running a job raises in the sandbox itself (a malformed call: a grader bug), is
    the job an error whose reason starts with SANDBOX_FAILURE, so a rerun of the batch
    grades that submission again?"""
    malformed = [{"kind": "no such kind", "layers_dims": [2, 1]}]
    with Sandbox(COURSE_PROBE, workers=1, limits=LIMITS, isolation="none") as box:
        result = box.run(Job(CORRECT_HE, "initialize_parameters_he", malformed))
    assert result.status == "error"
    assert result.reason.startswith(SANDBOX_FAILURE + "bad call")
    assert len(result.reason) <= MAX_REASON
    assert any(failure in result.reason for failure in GRADER_FAILURES)


def test_a_worker_left_unclean_is_replaced_before_the_next_job():
    """Is a worker whose clean-up cannot restore a clean state (a locked keyring with a key
    in it) replaced, saying why, and the next job run in a new one?

    The syscall filter refuses keyctl to jobs; it is off here, so that the check behind it
    -- the worker's own verification -- is what is tested.
    """
    if not level_available("bubblewrap"):
        pytest.skip(sandbox_launch.unavailable("bubblewrap"))
    unfiltered = dataclasses.replace(LIMITS, syscall_filter=False)
    with Sandbox(COURSE_PROBE, workers=1, limits=unfiltered, isolation="bubblewrap") as box:
        slot = box.slots[0]
        worker = slot.process.pid
        attack = box.run(he_job(attack_source(HOSTILE / "keyring_locked.py")))
        assert all_cases_pass(attack), attack.reason
        assert any("not clean" in reason for reason in slot.replacements), slot.replacements
        assert all_cases_pass(box.run(he_job(TRACE_READER)))
        assert slot.process.pid != worker


@pytest.mark.parametrize("level", LEVELS)
def test_the_worker_works_in_its_root_not_in_the_jobs_tmp(lone_workers, level):
    """Is each worker's working directory the root of its sandbox (read-only), never the /tmp
    that its jobs can change?"""
    box = lone_workers(level)
    assert all_cases_pass(box.run(he_job(CORRECT_HE)))
    workers = [pid for pid in tagged_processes(box.tag) if process_name(pid) == "ag-worker"]
    assert workers
    for pid in workers:
        working, root = os.stat(f"/proc/{pid}/cwd"), os.stat(f"/proc/{pid}/root")
        assert (working.st_dev, working.st_ino) == (root.st_dev, root.st_ino)


# --------------------------------------------------------------------------
# Groups: the jobs of one submission in one worker, its state verified once.
# --------------------------------------------------------------------------


def group_params():
    """(level, attack) pairs: the attack is the middle job of a group of three."""
    return attack_params()


@pytest.mark.parametrize("level, path, expected", group_params())
def test_an_attack_in_a_group_leaves_the_other_jobs_and_the_next_group_their_verdicts(
    lone_workers, level, path, expected
):
    """As the middle job of a group, does the attack get its verdict while the jobs before
    and after it in the same group pass, and does the next group (another student) start
    from a verified clean state?"""
    box = lone_workers(level)
    status, judged, reason = expected
    before, attack, after = box.run_group(
        [he_job(CORRECT_HE), he_job(attack_source(path)), he_job(CORRECT_HE)]
    )
    assert attack.status == status, attack.reason
    if reason:
        assert reason in attack.reason
    for other in (before, after):
        assert all_cases_pass(other), f"a job of the group of {path.stem}: {other.reason}"
    (reader,) = box.run_group([he_job(TRACE_READER)])
    assert all_cases_pass(reader), f"the group after {path.stem}: {reader.reason}"
    assert not wait_until_no_strays(box)


# Leaves a grandchild (double fork + setsid) appending to a file in /tmp, and answers right.
LEAVES_A_WRITER = (
    CORRECT_HE
    + """
import os, tempfile, time

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        try:
            while True:
                with open(os.path.join(tempfile.gettempdir(), "grandchild.log"), "a") as log:
                    log.write("x" * 1000)
                time.sleep(0.001)
        finally:
            os._exit(0)  # never back into the job's own code
    os._exit(0)
time.sleep(0.2)  # the grandchild writes meanwhile
"""
)

# A correct job that fails if anything of an earlier job of its group still runs: the
# grandchild's file must not grow, and no process but this one and the worker is there.
NOTHING_RUNS_ON = (
    CORRECT_HE
    + """
import os, tempfile, time

def size():
    try:
        return os.path.getsize(os.path.join(tempfile.gettempdir(), "grandchild.log"))
    except FileNotFoundError:
        return 0

first = size()
time.sleep(0.3)
found = []
if size() != first:
    found.append(f"grandchild.log in /tmp grew from {first} to {size()} bytes")
if os.getppid() == 1:  # the worker is PID 1 of the sandbox's own PID namespace
    mine = (1, os.getpid())
    found += [f"process {pid} runs" for pid in os.listdir("/proc")
              if pid.isdigit() and int(pid) not in mine]
if found:
    raise RuntimeError("RUNS ON: " + "; ".join(found))
"""
)


@pytest.mark.parametrize("level", LEVELS)
def test_what_a_job_leaves_running_is_killed_before_the_next_job_of_its_group(lone_workers, level):
    """When the second job of a group leaves a grandchild writing into /tmp, is it killed
    before the third job starts (which gets its own verdict), and does the next group find
    a verified clean worker?"""
    box = lone_workers(level)
    results = box.run_group([he_job(CORRECT_HE), he_job(LEAVES_A_WRITER), he_job(NOTHING_RUNS_ON)])
    for result in results:
        assert all_cases_pass(result), result.reason
    (reader,) = box.run_group([he_job(TRACE_READER)])
    assert all_cases_pass(reader), reader.reason
    assert not wait_until_no_strays(box)


WRITES_A_NOTE = CORRECT_HE + "\nopen('/tmp/note.txt', 'w').write('from the first exercise')\n"
READS_THE_NOTE = CORRECT_HE + "\nassert open('/tmp/note.txt').read() == 'from the first exercise'\n"


@pytest.mark.parametrize("level", LEVELS)
def test_the_jobs_of_a_group_share_tmp_and_no_other_group_sees_it(lone_workers, level):
    """Do the jobs of one group (one student's exercises) share /tmp, as the cells of one
    notebook share a kernel -- while the next group, another student's, finds it clean?"""
    box = lone_workers(level)
    replaced = len(box.slots[0].replacements)
    writer, reader = box.run_group([he_job(WRITES_A_NOTE), he_job(READS_THE_NOTE)])
    assert all_cases_pass(writer) and all_cases_pass(reader), (writer.reason, reader.reason)
    (other,) = box.run_group([he_job(TRACE_READER)])
    assert all_cases_pass(other), other.reason
    # The worker cleaned up after itself: it was not replaced to get there.
    assert box.slots[0].replacements[replaced:] == []


def test_a_job_that_times_out_in_a_group_leaves_the_next_job_its_own_time():
    """Does a job that runs out of time in the middle of a group time out alone, the jobs
    after it in the same group getting their own limits and verdicts?"""
    limits = dataclasses.replace(LIMITS, wall_seconds=1.5)
    with Sandbox(COURSE_PROBE, workers=1, limits=limits, isolation="bubblewrap") as box:
        loop = (HOSTILE / "infinite_loop.py").read_text()
        results = box.run_group(
            [he_job(CORRECT_HE), he_job(loop), he_job(CORRECT_HE), he_job(loop), he_job(CORRECT_HE)]
        )
    assert [result.status for result in results] == ["ok", "timeout"] * 2 + ["ok"]
    assert all(all_cases_pass(result) for result in results[::2])
    assert all(result.seconds < 1.5 for result in results[::2])


def test_a_job_too_large_to_send_in_a_group_is_its_own_error():
    """Is a job too large to send an error of its own, the others of its group run and the
    state verified after the last job that ran?"""
    with Sandbox(COURSE_PROBE, workers=1, limits=LIMITS, isolation="bubblewrap") as box:
        note, huge = he_job(WRITES_A_NOTE), he_job(CORRECT_HE + "#" * (5 << 20))
        results = box.run_group([note, he_job(READS_THE_NOTE), huge])
        assert [result.status for result in results[:2]] == ["ok", "ok"]
        assert (results[2].status, results[2].reason) == ("error", "the code is larger than 4 MiB")
        assert all_cases_pass(box.run(he_job(TRACE_READER)))
        assert box.slots[0].replacements == []


def test_a_worker_that_dies_in_the_middle_of_a_group_costs_its_jobs_nothing():
    """When the worker dies while the second job of a group runs, is that job retried on a
    new worker, and the third run there, each graded right?"""
    if not level_available("bubblewrap"):
        pytest.skip(sandbox_launch.unavailable("bubblewrap"))
    slow_correct = CORRECT_HE + "\nimport time\n\n\nclass Wait:\n    time.sleep(1.0)\n"
    with Sandbox(COURSE_PROBE, workers=1, limits=LIMITS, isolation="bubblewrap") as box:
        slot = box.slots[0]
        first = box.run(he_job(CORRECT_HE))  # the worker is ready; its next job child idles

        def kill_the_worker_once_the_slow_job_runs():
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                # The group's first job is done (its process reaped before its outcome came),
                # so a job process now is the slow one's.
                if len(slot.cleanup_seconds) >= 2:
                    pids = tagged_processes(box.tag)
                    if any(process_name(pid) == "ag-job" for pid in pids):
                        time.sleep(0.3)  # well inside its 1 s: it has started, and still runs
                        for pid in pids:
                            if process_name(pid) == "ag-worker":
                                os.kill(pid, signal.SIGKILL)
                        return
                time.sleep(0.01)

        killer = threading.Thread(target=kill_the_worker_once_the_slow_job_runs)
        killer.start()
        results = box.run_group([he_job(CORRECT_HE), he_job(slow_correct), he_job(CORRECT_HE)])
        killer.join()
        for result in [first, *results]:
            assert all_cases_pass(result), result.reason
        assert slot.replacements == ["the worker died while the job ran"]
        assert not wait_until_no_strays(box)


# --------------------------------------------------------------------------
# Plain verdicts, limits and the interface.
# --------------------------------------------------------------------------


def test_a_correct_submission_passes_every_case(sandboxes):
    """Does a correct He initialiser pass all public and hidden cases through the sandbox?"""
    result = sandboxes("bubblewrap").run(he_job(CORRECT_HE))
    assert result.status == "ok" and result.reason == "" and result.isolation == "bubblewrap"
    assert all_cases_pass(result)
    assert 0 < result.seconds < LIMITS.wall_seconds


# A correct He initialiser that uses what the workers no longer preload: the course's plotting
# helpers (matplotlib) and init_utils' data (scikit-learn), imported by the job itself.
HE_WITH_THE_COURSE_IMPORTS = """
import matplotlib.pyplot as plt
import numpy as np
from init_utils import load_dataset, relu

def initialize_parameters_he(layers_dims):
    plt.figure()
    assert load_dataset()[0].shape == (2, 300) and relu(-1) == 0
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
"""


@pytest.mark.parametrize("level", LEVELS)
def test_a_job_can_import_matplotlib_and_init_utils_itself(sandboxes, level):
    """Does a kept `import matplotlib.pyplot` or `from init_utils import ...`, which the worker
    no longer preloads, still work in a job, and within the limits?"""
    result = sandboxes(level).run(he_job(HE_WITH_THE_COURSE_IMPORTS))
    assert result.status == "ok" and result.reason == "", result.reason
    assert all_cases_pass(result)


def test_a_missing_function_is_an_error_naming_it(sandboxes):
    """Is a program without the graded function an error that names the function?"""
    result = sandboxes("bubblewrap").run(
        he_job("def initialize_parameters_zeros(dims):\n    pass\n")
    )
    assert (result.status, result.reason) == (
        "error",
        "name 'initialize_parameters_he' is not defined",
    )
    assert result.observations == []


def test_an_error_while_running_the_cells_is_reported_in_one_line(sandboxes):
    """Does a NameError at definition time come back as one line 'while running the cells'?"""
    result = sandboxes("bubblewrap").run(he_job(CORRECT_HE + "\nprint(undefined_name)\n"))
    assert result.status == "error"
    assert (
        result.reason == "NameError: name 'undefined_name' is not defined while running the cells"
    )


def test_errors_inside_the_function_are_observations_not_job_errors(sandboxes):
    """Is a function that raises still an ok job, whose observations the grader judges as fails?"""
    result = sandboxes("bubblewrap").run(
        he_job("def initialize_parameters_he(d):\n    return 1 / 0\n")
    )
    assert result.status == "ok"
    assert result.observations[0][0]["raised"] == "ZeroDivisionError: division by zero"
    assert not all_cases_pass(result)


def test_sys_exit_inside_the_function_is_a_failed_case_in_one_line(sandboxes):
    """Is sys.exit(3) in the function an observation naming sys.exit, not a job error?"""
    source = (HOSTILE / "sys_exit_in_function.py").read_text()
    result = sandboxes("bubblewrap").run(he_job(source))
    assert result.status == "ok", result.reason
    raised = result.observations[0][0]["raised"]
    assert raised.startswith("SystemExit: it called sys.exit(3)")
    assert "\n" not in raised


@pytest.mark.parametrize("level", LEVELS)
def test_a_job_is_the_kernels_first_victim_not_its_worker(lone_workers, level):
    """Does every job process start with oom_score_adj 1000, so that at its worker's memory
    limit the kernel kills a job process, not the worker?"""
    source = CORRECT_HE + (
        "\nadjustment = open('/proc/self/oom_score_adj').read().strip()\n"
        "if adjustment != '1000':\n    raise RuntimeError(f'oom_score_adj {adjustment}')\n"
    )
    result = lone_workers(level).run(he_job(source))
    assert all_cases_pass(result), result.reason


def test_numpy_works_under_the_memory_limit(sandboxes):
    """Can a job use numpy and allocate 100 MB under the 1 GiB limit?"""
    source = CORRECT_HE + "\nbuffer = np.ones(12_500_000)\nassert buffer.sum() == 12_500_000\n"
    result = sandboxes("bubblewrap").run(he_job(source))
    assert result.status == "ok", result.reason
    assert all_cases_pass(result)


def test_nothing_a_job_leaves_reaches_the_next_job(sandboxes):
    """Are files in /tmp and System V shared memory gone before the next job in a worker?"""
    writer = CORRECT_HE + (
        "\nimport ctypes\nopen('/tmp/note.txt', 'w').write('answers')\n"
        "ctypes.CDLL(None).shmget(4242, 4096, 0o1000 | 0o600)\n"
    )
    reader = CORRECT_HE + (
        "\nimport os, ctypes\n"
        "left = os.listdir('/tmp') + [ctypes.CDLL(None).shmget(4242, 4096, 0o600)]\n"
        "if left != [-1]:\n    raise RuntimeError(f'FOUND {left}')\n"
    )
    box = sandboxes("bubblewrap")
    # The pool hands out the workers in turn: each reader follows a writer in its worker.
    results = [box.run(he_job(source)) for source in (writer, writer, reader, reader)]
    assert [result.status for result in results] == ["ok"] * 4, [r.reason for r in results]


def test_an_oversize_submission_is_an_error_not_a_crash(sandboxes):
    """Is a 5 MB program an error result (the grader goes on), not an exception?"""
    result = sandboxes("bubblewrap").run(he_job(CORRECT_HE + "#" * (5 << 20)))
    assert (result.status, result.reason) == ("error", "the code is larger than 4 MiB")


def test_run_many_keeps_job_order_and_reports_progress(sandboxes):
    """Are results in job order, with progress called once per finished job?"""
    sources = [
        f"def initialize_parameters_he(d):\n    raise ValueError('job {i}')\n" for i in range(7)
    ]
    seen = []
    results = sandboxes("bubblewrap").run_many([he_job(s) for s in sources], progress=seen.append)
    assert [r.observations[0][0]["raised"] for r in results] == [
        f"ValueError: job {i}" for i in range(7)
    ]
    assert sorted(seen) == list(range(1, 8))


@pytest.mark.slow
@pytest.mark.parametrize("level", LEVELS)
def test_the_cpu_limit_stops_a_busy_job(level):
    """Does a job that burns CPU past the CPU limit (before the wall limit) time out, saying so?"""
    if not level_available(level):
        pytest.skip(sandbox_launch.unavailable(level))
    limits = Limits(wall_seconds=20.0, cpu_seconds=1)
    with Sandbox(COURSE_PROBE, workers=1, limits=limits, isolation=level) as box:
        result = box.run(he_job("while True:\n    pass\n"))
        assert (result.status, result.reason) == ("timeout", "exceeded the 1 s CPU time limit")
        assert result.seconds < 10
        assert all_cases_pass(box.run(he_job(CORRECT_HE)))


@pytest.mark.slow
def test_the_worker_is_restarted_after_a_job_kills_it():
    """Without namespaces a job can kill its worker: is that job an error and the next one fine?"""
    with Sandbox(COURSE_PROBE, workers=1, limits=LIMITS, isolation="none") as box:
        killer = "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n"
        first = box.run(he_job(killer))
        assert first.status == "error" and "killed the sandbox worker" in first.reason
        assert all_cases_pass(box.run(he_job(CORRECT_HE)))
        assert not wait_until_no_strays(box)


# A correct job that fails when it inherits settings a job gave its worker.
SETTINGS_READER = (
    CORRECT_HE
    + """
import os, resource

inherited = []
if os.getpriority(os.PRIO_PROCESS, 0) != 0:
    inherited.append("nice")
if os.sched_getscheduler(0) != os.SCHED_OTHER:
    inherited.append("scheduling policy")
if resource.getrlimit(resource.RLIMIT_DATA)[0] != resource.RLIM_INFINITY:
    inherited.append("data limit")
if 0 <= resource.getrlimit(resource.RLIMIT_STACK)[0] < 1 << 20:
    inherited.append("stack limit")
if inherited:
    raise RuntimeError(f"INHERITED {inherited}")
"""
)


@pytest.mark.parametrize("attack", ["worker_rlimits_lowered", "worker_scheduling_lowered"])
def test_a_worker_whose_own_settings_a_job_changed_is_replaced(attack):
    """With the syscall filter off (it refuses the change), is a worker whose limits or
    scheduling a job changed replaced, so that the next job starts with a fresh worker's?"""
    if not level_available("bubblewrap"):
        pytest.skip(sandbox_launch.unavailable("bubblewrap"))
    unfiltered = dataclasses.replace(LIMITS, syscall_filter=False)
    with Sandbox(COURSE_PROBE, workers=1, limits=unfiltered, isolation="bubblewrap") as box:
        slot = box.slots[0]
        changed = box.run(he_job(attack_source(HOSTILE / f"{attack}.py")))
        assert "CHANGED the worker's" in changed.reason  # the attack works without the filter
        assert any("the worker's" in reason for reason in slot.replacements), slot.replacements
        reader = box.run(he_job(SETTINGS_READER))
        assert all_cases_pass(reader), reader.reason


def test_a_worker_that_dies_under_a_correct_job_costs_that_job_nothing():
    """When a worker dies while a job runs (the job cannot kill PID 1 of its namespace, so
    it is the sandbox's failure), is the job retried on a new worker and graded right?"""
    if not level_available("bubblewrap"):
        pytest.skip(sandbox_launch.unavailable("bubblewrap"))
    slow_correct = CORRECT_HE + "\nimport time\n\n\nclass Wait:\n    time.sleep(1.0)\n"
    with Sandbox(COURSE_PROBE, workers=1, limits=LIMITS, isolation="bubblewrap") as box:
        slot = box.slots[0]

        def kill_the_worker_once_the_job_runs():
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                pids = tagged_processes(box.tag)
                if any(process_name(pid) == "ag-job" for pid in pids):
                    for pid in pids:
                        if process_name(pid) == "ag-worker":
                            os.kill(pid, signal.SIGKILL)
                    return
                time.sleep(0.01)

        killer = threading.Thread(target=kill_the_worker_once_the_job_runs)
        killer.start()
        result = box.run(he_job(slow_correct))
        killer.join()
        assert all_cases_pass(result), result.reason
        assert "the worker died while the job ran" in slot.replacements


def test_limits_above_one_gibibyte_are_refused():
    """Is a memory limit above 1 GiB refused before any worker starts?"""
    with pytest.raises(ValueError, match="1 GiB"):
        Sandbox(COURSE_PROBE, limits=Limits(memory_bytes=2 << 30), isolation="none")


@pytest.mark.slow
def test_a_memory_limit_below_the_preloaded_modules_is_refused():
    """Is a limit the preloaded modules would exhaust refused at start, saying what is needed?"""
    # The room a job needs above the preloaded modules, and nothing for the modules themselves.
    with pytest.raises(
        MemoryLimitError,
        match=r"too low: the interpreter and the preloaded modules take .*; allow at least \d+ MiB",
    ):
        Sandbox(COURSE_PROBE, limits=Limits(memory_bytes=MIN_JOB_MEMORY))


def test_an_unknown_level_is_refused():
    """Is a misspelt isolation level a clear error?"""
    with pytest.raises(ValueError, match="isolation"):
        Sandbox(COURSE_PROBE, isolation="docker")


@pytest.mark.slow
def test_falling_back_to_no_isolation_warns(monkeypatch, capsys):
    """When no namespace level can run, does auto fall back to 'none' with a logged warning?"""
    real = sandbox_launch.unavailable
    monkeypatch.setattr(
        sandbox_launch,
        "unavailable",
        lambda level: "not on this machine" if level != "none" else real(level),
    )
    with Sandbox(COURSE_PROBE, workers=1, limits=LIMITS) as box:
        assert box.isolation == "none"
        assert "fell back to 'none'" in box.warning and "NOT isolated" in box.warning
        assert box.warning in capsys.readouterr().err
        assert box.run(he_job(CORRECT_HE)).isolation == "none"


def test_an_explicit_level_that_cannot_start_raises(monkeypatch):
    """Is an explicitly requested level that cannot run an error, not a silent fallback?"""
    monkeypatch.setattr(sandbox_launch, "unavailable", lambda level: "not on this machine")
    with pytest.raises(SandboxError, match="not on this machine"):
        Sandbox(COURSE_PROBE, isolation="bubblewrap")


def launched_but_never_ready(monkeypatch, failing_level):
    """Make failing_level's workers launch (bwrap starts) and then fail to get ready: the
    real bwrap is given a bind of a path that does not exist, which it refuses once running."""
    real = sandbox_launch.command

    def command(level, staging, tag):
        argv, extra = real(level, staging, tag)
        if level == failing_level:
            argv = [argv[0], "--ro-bind", "/nonexistent-autograder-test", "/x", *argv[1:]]
        return argv, extra

    monkeypatch.setattr(sandbox_launch, "command", command)


def test_a_level_whose_workers_launch_but_never_get_ready_falls_back_when_waited_for(
    monkeypatch, capsys
):
    """When the workers are launched without waiting and bubblewrap's then fail to get
    ready, does waiting for them fall back to the next level, warn, and run the job there?"""
    if not (level_available("bubblewrap") and level_available("unshare")):
        pytest.skip("needs bubblewrap and unshare")
    launched_but_never_ready(monkeypatch, "bubblewrap")
    with Sandbox(COURSE_PROBE, workers=2, limits=LIMITS, wait=False) as box:
        assert (box.level, box.ready) == ("bubblewrap", False)  # launched, not waited for
        assert all_cases_pass(box.run(he_job(CORRECT_HE)))
        assert box.isolation == "unshare"
        assert "fell back to 'unshare'" in box.warning and "bubblewrap:" in box.warning
        assert box.warning in capsys.readouterr().err
        assert not wait_until_no_strays(box)


def test_an_explicit_level_whose_workers_never_get_ready_fails_the_wait_not_a_job(monkeypatch):
    """When the one level asked for launches but its workers never get ready, is waiting for
    them (or the first job) a SandboxError saying so, with nothing of the sandbox left?"""
    if not level_available("bubblewrap"):
        pytest.skip("bwrap is not installed")
    launched_but_never_ready(monkeypatch, "bubblewrap")
    with Sandbox(COURSE_PROBE, workers=1, limits=LIMITS, isolation="bubblewrap", wait=False) as box:
        with pytest.raises(SandboxError, match="no isolation level could start: bubblewrap: "):
            box.run(he_job(CORRECT_HE))
        assert tagged_processes(box.tag) == []


def test_auto_picks_the_strongest_level_here():
    """Does 'auto' pick bubblewrap where bwrap works, with no warning?"""
    if not level_available("bubblewrap"):
        pytest.skip("bwrap is not installed")
    with Sandbox(COURSE_PROBE, workers=1, limits=LIMITS) as box:
        assert (box.isolation, box.warning) == ("bubblewrap", None)


def test_the_sandbox_sees_only_the_files_it_needs(sandboxes):
    """Is /grader exactly the worker's two modules and the course probe's three?"""
    source = CORRECT_HE + (
        "\nimport os\nif sorted(os.listdir('/grader')) != "
        "['channel.py', 'init_utils.py', 'observations.py', 'public_tests.py', 'worker.py']:\n"
        "    raise RuntimeError(os.listdir('/grader'))\n"
    )
    result = sandboxes("bubblewrap").run(he_job(source))
    assert result.status == "ok", result.reason
