"""One worker slot: a sandboxed warm worker, restarted when it dies, and the verdict on each job.

The worker (autograder/sandbox/worker.py) runs in its own sandbox, launched as
autograder/sandbox/launch.py says; this side writes it job frames, pumps its status
frames and the job child's payload (capped, autograder/sandbox/channel.py), and turns
them -- with the memory cgroup's word (autograder/sandbox/cgroup.py) -- into a JobResult.
Everything that comes back is untrusted: the worker shares its sandbox with the job.
"""

import base64
import contextlib
import dataclasses
import json
import os
import secrets
import select
import signal
import subprocess
import tempfile
import time

from . import cgroup, channel, launch, syscall_filter
from .job import SANDBOX_FAILURE, JobResult, JobStatus, MemoryLimitError, SandboxError
from .retrying import attempts

START_TIMEOUT = 120.0  # importing the probe (numpy, for the course) on a very busy machine
CLEANUP_GRACE = 10.0  # beyond the wall limit: killing leftovers, emptying /tmp
MIN_JOB_MEMORY = 128 << 20  # room a job needs above the preloaded modules
# Unreclaimable memory a worker may still hold after a job (beyond what it held when
# ready) before it is replaced: more means something of the job outlived it.
LEFTOVER_BYTES = 64 << 20
# Why an attempt ended when the worker died while the job's code ran.
WORKER_DIED = "the worker died while the job ran"


def encode_job(job, probe, last=True):
    """The job frame for the worker; last -- whether it ends its group.

    ValueError for malformed calls (a grader bug); JobTooLargeError for code beyond
    what a job may carry (the student's doing).
    """
    calls = [probe.check_call(call) for call in job.calls]
    return channel.encode_job(job.source, job.function, calls, last)


# --------------------------------------------------------------------------
# Outcome (from the worker) + payload (from the student's child) -> JobResult.
# --------------------------------------------------------------------------

SIGNAL_REASONS = {
    signal.SIGXCPU: (JobStatus.TIMEOUT, "exceeded the {cpu} s CPU time limit"),
    signal.SIGXFSZ: (JobStatus.ERROR, "output limit ({output}) exceeded"),
}


def signal_name(number):
    with contextlib.suppress(ValueError):
        return signal.Signals(number).name
    return "unknown"


def verdict(outcome, payload, job, limits, probe):
    """(status, reason, observations) from the worker's outcome and the payload bytes."""
    words = {"cpu": limits.cpu_seconds, "output": channel.describe_bytes(limits.output_bytes)}
    kind = outcome["outcome"]
    if kind == "timeout":
        return JobStatus.TIMEOUT, f"exceeded the {limits.wall_seconds:g} s time limit", []
    if kind == "output":
        return JobStatus.ERROR, f"output limit ({words['output']}) exceeded", []
    if kind == "signaled":
        number = outcome["signal"]
        if number in SIGNAL_REASONS:
            status, template = SIGNAL_REASONS[number]
            return status, template.format(**words), []
        return JobStatus.ERROR, f"killed by signal {number} ({signal_name(number)})", []
    if outcome["code"] != 0 or not payload:
        return (
            JobStatus.ERROR,
            f"the student code exited (status {outcome['code']}) before reporting",
            [],
        )
    try:
        status, decoded = read_payload(channel.parse_payload(payload), job.calls, probe)
    except ValueError as problem:  # channel.ChannelError, or the probe's decoder refusing
        return JobStatus.ERROR, f"malformed result from the sandbox: {problem}", []
    if status == "error":
        return JobStatus.ERROR, decoded, []
    return JobStatus.OK, "", decoded


def read_payload(message, calls, probe):
    """A job child's message -> ("ok", [observations per call]) or ("error", reason).

    The sandbox's channel checks the frame's JSON, keys and count of calls; the probe's
    decode_call each call's observations. ValueError for anything malformed.
    """
    status, decoded = channel.decode_payload(message, len(calls))
    if status == "error":
        return status, decoded
    return "ok", [
        probe.decode_call(observed, call) for observed, call in zip(decoded, calls, strict=True)
    ]


def check_outcome(message):
    """The worker's status frame, validated (the worker shares the sandbox with the job)."""
    outcome = json.loads(message)
    kinds = {"timeout": set(), "output": set(), "signaled": {"signal"}, "exited": {"code"}}
    if type(outcome) is not dict or outcome.get("outcome") not in kinds:
        raise channel.ChannelError("bad worker status")
    for key in kinds[outcome["outcome"]]:
        if type(outcome.get(key)) is not int:
            raise channel.ChannelError("bad worker status")
    return outcome


def check_started(message):
    """The worker's first frame for a job: None when the job started, else why it did not.

    Before "started" no student code has run: a failure then is the sandbox's own.
    """
    started = json.loads(message)
    if started == {"started": True}:
        return None
    if (
        type(started) is dict
        and started.get("outcome") == "sandbox"
        and type(started.get("reason")) is str
    ):
        return started["reason"][:200]
    raise channel.ChannelError("bad worker status")


def cleanup_problems(outcome):
    """Why the worker's state after a job is not clean ([] when it is)."""
    problems = outcome.get("problems")
    if type(problems) is not list or not all(type(problem) is str for problem in problems):
        problems = ["no clean-up report"]
    if outcome.get("clean") is not True:
        return [problem[:100] for problem in problems[:8]] or ["no clean-up report"]
    return []


def check_ready(message, limits):
    """The worker's ready message -> the address space a job inherits (bytes).

    SandboxError when the memory limit leaves a job too little room above what
    the interpreter and the probe's preloaded modules already take.
    """
    try:
        ready = json.loads(message)
        preloaded = ready["address_space"] if ready.get("ready") is True else None
    except (ValueError, TypeError, AttributeError, KeyError):
        preloaded = None
    if type(preloaded) is not int:
        raise SandboxError(f"sent {message[:80]!r} instead of its ready message")
    if ready.get("problems"):
        raise SandboxError(f"its state is not clean at start: {ready['problems']!r:.200}")
    if preloaded + MIN_JOB_MEMORY > limits.memory_bytes:
        need = channel.describe_bytes(preloaded + MIN_JOB_MEMORY)
        raise MemoryLimitError(
            f"the memory limit ({channel.describe_bytes(limits.memory_bytes)}) is too low: "
            f"the interpreter and the preloaded modules take {channel.describe_bytes(preloaded)}; "
            f"allow at least {need}"
        )
    return preloaded


# --------------------------------------------------------------------------
# One worker slot: a sandboxed fork server, restarted when it dies.
# --------------------------------------------------------------------------


class WorkerProcess:
    """A warm worker in its own sandbox; run_group() one group of jobs at a time."""

    def __init__(self, level, limits, staging, tag, probe):
        self.level = level
        self.probe = probe
        self.limits = limits
        self.staging = staging
        self.tag = tag
        self.process = None
        self.log = None
        self.memory = None  # cgroup.MemoryCgroup, when one could be created
        self.pending_oom_kills = 0  # seen by memory_killed, not yet in a job's verdict
        self.memory_problem = "not requested"
        self.filter_problem = "not requested"
        self.processes = None
        self.tmp = None  # level none: the worker's own /tmp folder
        self.replacements = []  # why this slot's worker was replaced, oldest first
        self.cleanup_seconds = []  # per job: the worker's reset and check of the clean state

    # -- starting and stopping ------------------------------------------------

    def start(self):
        """Launch the sandbox; returns without waiting for the worker to be ready.

        SandboxError when it cannot be launched, with nothing of the attempt left open.
        """
        opened = []
        try:
            self.launch(opened)
        except Exception as error:
            for fd in opened:
                with contextlib.suppress(OSError):
                    os.close(fd)
            if self.process is not None:
                # Launched before the failure (building its syscall filter): taken down.
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
                kill_tagged_processes(self.tag)
            if self.log is not None:
                self.log.close()
            if self.memory is not None:
                self.memory.remove()
                self.memory = None
            if self.tmp is not None:
                remove_folder(self.tmp)
                self.tmp = None
            self.process = None
            raise SandboxError(f"the {self.level} sandbox could not be launched: {error}") from None

    def launch(self, opened):
        """start()'s work; opened collects the descriptors to close if it fails."""
        job_r, self.job_w = os.pipe()
        self.payload_r, payload_w = os.pipe()
        self.status_r, status_w = os.pipe()
        filter_r, filter_w = os.pipe()
        opened += [job_r, self.job_w, self.payload_r, payload_w, self.status_r, status_w]
        opened += [filter_r, filter_w]
        config = {
            "limits": dataclasses.asdict(self.limits),
            "payload_fd": payload_w,
            "probe": self.probe.module,
            "status_fd": status_w,
            "syscall_filter_fd": filter_r,
        }
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 -- lives as long as the worker
        command, config_extra = launch.command(self.level, self.staging, self.tag)
        config.update(config_extra)
        self.processes = config_extra["processes"]
        self.memory = self.create_memory_cgroup()
        command = launch.in_cgroup(command, self.memory and self.memory.procs_file)
        environment = launch.environment(self.tag, self.level, self.staging)
        if self.level == "none":
            # No namespaces: each worker gets a folder of its own, new at every start, so
            # that neither another worker's jobs nor a mess its predecessor could not clean
            # up is in its /tmp.
            self.tmp = tempfile.mkdtemp(prefix=f"{self.tag}-", dir=config["tmp"])
            launch.hand_over(self.tmp)
            config["tmp"] = self.tmp
            environment.update(launch.tmp_variables(self.tmp))
        self.process = subprocess.Popen(
            [*command, json.dumps(config)],
            stdin=job_r,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            pass_fds=(payload_w, status_w, filter_r),
            start_new_session=True,
            env=environment,
        )
        for fd in (job_r, payload_w, status_w, filter_r):
            opened.remove(fd)
            os.close(fd)
        # Built while the worker starts, not before: loading libseccomp (pyseccomp's
        # library lookup runs ldconfig) took ~8 ms of every command before its launch.
        opened.remove(filter_w)
        self.send_filter(filter_w)
        for fd in (self.job_w, self.payload_r, self.status_r):
            os.set_blocking(fd, False)
        self.status_buffer = bytearray()
        self.ready = False

    def create_memory_cgroup(self):
        """A fresh memory cgroup for this worker, or None (the reason in memory_problem)."""
        if not self.limits.memory_cgroup:
            return None
        name = f"autograder-{self.tag}-{secrets.token_hex(4)}"
        try:
            return cgroup.MemoryCgroup.create(name, self.limits.memory_bytes)
        except cgroup.CgroupUnavailableError as problem:
            self.memory_problem = str(problem)
            return None

    def denies_ipc(self):
        """Refuse SysV IPC and memory files: no cgroup counts them, or the IPC is the host's."""
        return self.memory is None or self.level == "none"

    def filter_program(self):
        """The syscall filter for the job children (base64 BPF), or None (why: filter_problem)."""
        if not self.limits.syscall_filter:
            return None
        self.filter_problem = syscall_filter.unavailable()
        if self.filter_problem:
            return None
        try:
            program = syscall_filter.build(self.denies_ipc())
        except (OSError, RuntimeError, ValueError) as error:
            # e.g. a libseccomp too old to know a call of the list.
            self.filter_problem = f"libseccomp could not build it ({error})"
            return None
        return base64.b64encode(program).decode()

    def send_filter(self, descriptor):
        """Write the job children's filter (base64 BPF; nothing: off) to the worker, which
        reads it before its first job child, and close the pipe. 1-2 KiB: less than a
        pipe holds, so this never waits for the worker."""
        program = self.filter_program()
        try:
            with contextlib.suppress(BrokenPipeError):  # the worker died: wait_ready says why
                os.write(descriptor, (program or "").encode("ascii"))
        finally:
            os.close(descriptor)

    def enforced_limits(self):
        """{limit: how it is enforced} for this worker, one line each (every JobResult)."""
        limits = self.limits
        size = channel.describe_bytes
        if self.memory is not None:
            memory = self.memory.describe(limits.memory_bytes)
        else:
            memory = f"per process only, see address space ({self.memory_problem})"
        filtered = self.limits.syscall_filter and not self.filter_problem
        return {
            "memory": memory,
            "address space": f"{size(limits.memory_bytes)} per process (RLIMIT_AS)",
            "cpu": f"{limits.cpu_seconds} s per process (RLIMIT_CPU)",
            "wall clock": f"{limits.wall_seconds:g} s per job",
            "processes": describe_processes(self.level, self.processes),
            "output": f"{size(limits.output_bytes)} of stdout and stderr; each file as much",
            "/tmp": (
                f"a private {size(launch.TMP_BYTES)} tmpfs"
                if self.level != "none"
                else "a folder on the grader's disk (level none)"
            ),
            "syscall filter": (
                syscall_filter.describe(self.denies_ipc())
                if filtered
                else f"off ({self.filter_problem})"
            ),
        }

    def memory_killed(self):
        """Has the kernel OOM-killed anything in this worker's cgroup since it was last asked?

        Kept for the job's verdict (memory_verdict reports it once).
        """
        if self.memory is None:
            return False
        self.pending_oom_kills += self.memory.new_oom_kills()
        return self.pending_oom_kills > 0

    def memory_verdict(self, status, reason, observations):
        """The kernel's word on memory overrides how the job seemed to end.

        A job the kernel stopped at the cgroup's limit (its processes, or even the worker,
        OOM-killed) is an error naming the limit, and the worker is replaced: a fresh
        cgroup holds no charge. So is a worker still holding unreclaimable memory after
        the job's clean-up.
        """
        if self.memory is None:
            return status, reason, observations
        if self.memory_killed():
            self.pending_oom_kills = 0
            self.replace("a job reached the memory limit")
            limit = channel.describe_bytes(self.limits.memory_bytes)
            return JobStatus.ERROR, f"exceeded the {limit} memory limit", []
        if self.process is not None and (
            self.memory.pinned() > self.memory.baseline_pinned + LEFTOVER_BYTES
        ):
            self.replace("memory still pinned after a job")
        return status, reason, observations

    def wait_ready(self, timeout=START_TIMEOUT):
        """Block until the worker has preloaded everything; SandboxError if it cannot."""
        deadline = time.monotonic() + timeout
        while not self.ready:
            message = self.read_status(deadline)
            if message is None:
                problem = self.log_tail() or "no message"
                self.stop()
                raise SandboxError(f"the {self.level} sandbox did not start: {problem}")
            try:
                check_ready(message, self.limits)
            except SandboxError:
                self.stop()
                raise
            self.ready = True
            if self.memory is not None:
                self.memory.arm(self.limits.memory_bytes)

    def log_tail(self):
        if self.log is None:
            return ""
        self.log.seek(0, os.SEEK_END)
        size = self.log.tell()
        self.log.seek(max(0, size - 2000))
        lines = self.log.read().decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else ""

    def alive(self):
        return self.process is not None and self.process.poll() is None and self.ready

    def stop(self):
        """Kill the whole sandbox (its process group; namespaces take the rest down)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        self.process.wait()
        # The worker and its job die with the sandbox, but asynchronously (parent-death
        # signal, PID namespace teardown); without namespaces orphans may remain. Wait
        # until nothing with this worker's tag is left, killing what still runs.
        kill_tagged_processes(self.tag)
        if self.memory is not None:
            self.memory.remove()  # its OOM count stays readable for the job's verdict
        for fd in (self.job_w, self.payload_r, self.status_r):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.log.close()
        self.process = None
        self.ready = False
        if self.tmp is not None:
            remove_folder(self.tmp)
            self.tmp = None

    def restart(self):
        self.stop()
        self.start()
        self.wait_ready()

    def replace(self, reason):
        """Stop this worker for good (the next job gets a new one), noting why."""
        self.replacements.append(reason)
        self.stop()

    # -- one job ----------------------------------------------------------------

    def read_status(self, deadline, payload=None, pending=b""):
        """Pump the fds until a status frame arrives; None if the worker died or is late.

        payload -- bytearray collecting the student's bytes meanwhile (capped)
        pending -- job bytes still to be written to the worker
        """
        pending = memoryview(pending)
        while True:
            message, rest = channel.split_frame(self.status_buffer)
            if message is not None:
                self.status_buffer = bytearray(rest)
                return message
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            readers = [self.status_r] + ([self.payload_r] if payload is not None else [])
            writers = [self.job_w] if pending else []
            readable, writable, _ = select.select(readers, writers, [], remaining)
            if writable:
                try:
                    pending = pending[os.write(self.job_w, pending) :]
                except BlockingIOError:
                    pass
                except BrokenPipeError:
                    return None
            if self.payload_r in readable:
                drain(self.payload_r, payload)
            if self.status_r in readable:
                chunk = read_some(self.status_r)
                if chunk == b"":
                    return None
                self.status_buffer += chunk or b""
                if len(self.status_buffer) > channel.MAX_STATUS_BYTES:
                    return None  # no status is that long: the worker is not ours any more

    def run_group(self, jobs):
        """Run a group of jobs (one submission's) in this worker, one after the other, each
        in a process of its own with its own limits and verdict; their JobResults in order.

        The worker kills what each job left and checks its own settings after every job,
        and resets and verifies its clean state after the last: the jobs of a group share
        /tmp, no group sees another's. A job that cannot be sent (too large, a malformed
        call) is an error of its own; the others run. Should this method fail midway (a
        grader bug), the worker is stopped: no unverified state outlives its group.
        """
        results = [None] * len(jobs)
        frames = []  # (index, frame) of the jobs to send
        for index, job in enumerate(jobs):
            started = time.monotonic()
            try:
                frames.append((index, encode_job(job, self.probe, last=False)))
            except channel.JobTooLargeError as error:
                results[index] = self.result(JobStatus.ERROR, str(error), [], started)
            except ValueError as error:  # a malformed call: the grader's bug, not the student's
                reason = (SANDBOX_FAILURE + str(error))[: channel.MAX_REASON]
                results[index] = self.result(JobStatus.ERROR, reason, [], started)
        if frames:
            index, _ = frames[-1]
            frames[-1] = (index, encode_job(jobs[index], self.probe, last=True))
        try:
            for index, data in frames:
                last = index == frames[-1][0]
                results[index] = self.run_job(jobs[index], data, last)
        except BaseException:
            self.stop()
            raise
        return results

    def run_job(self, job, data, last):
        """Run one job (data: its frame; last: the last of its group) in this worker; never
        charges the sandbox's own failures to the job.

        A worker that died or misbehaved is restarted; one whose state is not clean
        after a job is replaced before the next job. A job that did not start (its
        process died while being set up, the worker was gone) or whose worker died under
        it is retried once on a new worker: a worker is PID 1 of its namespace, out of
        the job's reach, so its death is the sandbox's failure until it happens twice.
        Two deaths under the same job are that job's doing (at level none a job can kill
        its worker); a job that twice fails to start is an error naming the sandbox.
        """
        started = time.monotonic()
        failures = []
        for _attempt in range(2):
            if self.process is not None and not self.alive():
                self.replacements.append("the worker had ended")
            if not self.alive():
                try:
                    self.restart()
                except SandboxError as error:
                    failures.append(f"the sandbox could not be restarted: {error}")
                    continue
            result, failure = self.attempt(job, data, last, started)
            if result is not None:
                return result
            failures.append(failure)
            self.replace(failure)
        if failures == [WORKER_DIED, WORKER_DIED]:
            reason = "the student code killed the sandbox worker (it was restarted)"
            return self.result(JobStatus.ERROR, reason, [], started)
        return self.result(JobStatus.ERROR, SANDBOX_FAILURE + failures[-1], [], started)

    def attempt(self, job, data, last, started):
        """(JobResult, None) once the job started, or (None, why it did not start)."""
        payload = bytearray()
        deadline = time.monotonic() + self.limits.wall_seconds + CLEANUP_GRACE
        message = self.read_status(deadline, payload, data)
        if message is None:
            late = time.monotonic() >= deadline
            return (
                None,
                f"the worker {'did not start' if late else 'ended before starting'} the job",
            )
        try:
            not_started = check_started(message)
        except (ValueError, channel.ChannelError):
            return None, "malformed status from the sandbox worker before the job started"
        if not_started:
            return None, not_started
        message = self.read_status(deadline, payload)
        if message is None:
            late = time.monotonic() >= deadline
            self.stop()
            if late:
                reason = f"exceeded the {self.limits.wall_seconds:g} s time limit"
                return self.result(JobStatus.TIMEOUT, reason, [], started), None
            if self.memory_killed():  # the kernel killed the worker at the job's memory limit
                return self.result(
                    JobStatus.ERROR, "", [], started
                ), None  # memory_verdict's reason
            return None, WORKER_DIED
        drain(self.payload_r, payload)
        try:
            outcome = check_outcome(message)
        except (ValueError, channel.ChannelError):
            self.stop()
            result = self.result(
                JobStatus.ERROR, "malformed status from the sandbox worker", [], started
            )
            return result, None
        if len(payload) > channel.MAX_PAYLOAD_BYTES + channel.HEADER.size:
            result = self.result(JobStatus.ERROR, "the result is too large", [], started)
        else:
            status, reason, observations = verdict(
                outcome, bytes(payload), job, self.limits, self.probe
            )
            result = self.result(status, reason, observations, started)
        self.note_cleanup(outcome, last)
        return result, None

    def note_cleanup(self, outcome, last):
        """Replace the worker when its state after the job is not clean, when the last job
        of a group left it unverified, or when it said more."""
        if type(outcome.get("cleanup_seconds")) is float:
            self.cleanup_seconds.append(outcome["cleanup_seconds"])
        problems = cleanup_problems(outcome)
        if last and outcome.get("verified") is not True:
            problems.append("the clean state was not verified after the group")
        if self.status_buffer:
            problems.append("extra status frames")
        if problems:
            # The job's own result stands: what it left behind was its own doing. The new
            # worker starts now, so that its start-up is not timed as the next job's.
            self.replace("not clean after a job: " + "; ".join(problems))
            with contextlib.suppress(SandboxError):
                self.restart()

    def result(self, status, reason, observations, started):
        status, reason, observations = self.memory_verdict(status, reason, observations)
        return JobResult(
            status=status,
            reason=reason,
            observations=observations,
            seconds=round(time.monotonic() - started, 6),
            isolation=self.level,
            limits=self.enforced_limits(),
        )


def describe_processes(level, processes):
    """The process limit of a level in words (RLIMIT_NPROC counts differently at each)."""
    if not processes:
        return "not limited (level none)"
    counted = {
        "bubblewrap": "tasks of the sandbox, the worker included",
        "unshare": "processes of uid 65534 on the machine",
    }
    return f"{processes} {counted.get(level, 'processes')} (RLIMIT_NPROC)"


def remove_folder(path):
    """Remove a worker's /tmp folder (level none) whatever its job left in it; best effort.

    A folder the sandbox uid owns (level none run as root) is emptied with that uid's rights
    only: a process the job left behind may still be swapping entries for links to what
    only root may change, and root would follow them.
    """
    # The worker's own clean-up, imported here only: level none's stop is its one use in the
    # grader, and the worker script is no part of the grader's start.
    from .worker import reset_tmp

    with contextlib.suppress(OSError):
        if os.geteuid() == 0 and os.lstat(path).st_uid == launch.SANDBOX_UID:
            as_sandbox_user(reset_tmp, path)
        else:
            reset_tmp(path)
        os.rmdir(path)


def as_sandbox_user(function, path):
    """Run function(path) in a child process dropped to the sandbox uid; wait for it."""
    pid = os.fork()
    if pid == 0:  # the child: only system calls and the function, then out
        code = 1
        try:
            os.setgroups([])
            os.setresgid(launch.SANDBOX_GID, launch.SANDBOX_GID, launch.SANDBOX_GID)
            os.setresuid(launch.SANDBOX_UID, launch.SANDBOX_UID, launch.SANDBOX_UID)
            function(path)
            code = 0
        finally:
            os._exit(code)
    os.waitpid(pid, 0)


def read_some(fd):
    """Bytes waiting on fd; b"" at end of stream, None when nothing is there yet."""
    try:
        return os.read(fd, 1 << 16)
    except BlockingIOError:
        return None


def drain(fd, sink):
    """Read all that is waiting on fd into sink, keeping at most a message's worth."""
    while True:
        try:
            chunk = os.read(fd, 1 << 16)
        except BlockingIOError:
            return
        if not chunk:
            return
        if len(sink) <= channel.MAX_PAYLOAD_BYTES + channel.HEADER.size:
            sink += chunk


KILL_SECONDS = 1.0  # kill_tagged_processes gives up after this long


def tagged_processes(tag):
    """PIDs of processes whose environment carries the tag of a sandbox (root sees all).

    A worker slot's tag is "<sandbox tag>-<slot>"; a sandbox tag finds all its slots.
    """
    marker = f"{launch.TAG_VARIABLE}={tag}".encode()
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as environ:
                variables = environ.read().split(b"\0")
                if any(v == marker or v.startswith(marker + b"-") for v in variables):
                    found.append(int(name))
        except OSError:
            continue
    return found


def kill_tagged_processes(tag):
    """Kill the processes carrying a worker's tag until none is left (at most ~1 s)."""
    if not os.path.isdir("/proc"):
        return
    for _ in attempts(KILL_SECONDS):
        victims = tagged_processes(tag)
        if not victims:
            return
        for pid in victims:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
