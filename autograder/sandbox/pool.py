"""Run untrusted student code away from the grader: a pool of warm workers in a sandbox.

    with Sandbox(probe, workers=2) as sandbox:
        results = sandbox.run_many([Job(source, "initialize_parameters_he", calls), ...])
        he, zeros = sandbox.run_group([Job(source, ...), Job(source, ...)])  # one student's

Sandbox(..., wait=False) returns as soon as the workers are launched: their start
(a namespace, Python, the probe's imports) overlaps whatever the caller does next, and
the first job, `isolation` or wait_ready() waits for them -- falling back to the next
isolation level there when the workers of this one cannot get ready.

Each worker slot (autograder/sandbox/worker_process.py) is one long-lived process
(autograder/sandbox/worker.py) inside its own sandbox, with the probe's module
preloaded; it forks a child per job, and resets and verifies its clean state after each
group of jobs (run_group: one submission's; run and run_many: groups of one). Only
plain data comes back: what the probe observed of each call, JSON in one frame
(autograder/sandbox/channel.py), strictly decoded here by the probe's decode_call.
Judging stays with the user of the sandbox.

Isolation levels, strongest first (see docs/security.md):
  "bubblewrap" -- bwrap: new user, PID, network, IPC, UTS and mount namespaces, a
                  read-only view of the Python install and /grader, a private /tmp;
  "unshare"    -- util-linux unshare with the same namespaces and a chroot built by
                  autograder/sandbox/jail.py;
  "none"       -- a plain child process with the same limits (a warning is logged).
"""

import contextlib
import queue
import secrets
import shutil
import sys
import threading

from . import channel, launch
from .job import (
    LEVELS,
    SANDBOX_FAILURE,
    JobResult,
    JobStatus,
    Limits,
    MemoryLimitError,
    SandboxError,
    validate_limits,
)
from .worker_process import WorkerProcess


class Sandbox:
    """A pool of sandboxed warm workers. Use as a context manager.

    probe -- a job.Probe: what the workers preload and how their observations are read
    """

    def __init__(self, probe, workers=1, limits=Limits(), isolation="auto", wait=True):  # noqa: B008 -- frozen
        validate_limits(limits)
        self.probe = probe
        if isolation != "auto" and isolation not in LEVELS:
            raise ValueError(f"isolation must be 'auto' or one of {', '.join(LEVELS)}")
        self.limits = limits
        self.workers = max(1, int(workers))  # how many jobs run at once
        self.tag = secrets.token_hex(8)
        self.warning = None
        self.level = None  # the level launched (ready once self.ready)
        self.ready = False
        self.candidates = list(LEVELS if isolation == "auto" else (isolation,))
        self.problems = []  # "<level>: why it could not start", for the warning or the error
        self.ready_lock = threading.Lock()
        self.staging = launch.stage_grader_files(probe.files)
        self.pool = queue.Queue()
        self.slots = []
        try:
            self.launch_next_level()
            if wait:
                self.wait_ready()
        except BaseException:
            self.close()
            raise

    # -- starting: launch now, wait for readiness when first needed ----------------

    def launch_next_level(self):
        """Launch the workers of the strongest level left that can be launched.

        Returns without waiting for them to be ready: the caller can read, import and
        prepare meanwhile, and wait_ready() (or the first job) waits. SandboxError when
        no level is left.
        """
        while self.candidates:
            level = self.candidates.pop(0)
            problem = launch.unavailable(level)
            if problem is None:
                slots = [
                    WorkerProcess(
                        level, self.limits, self.staging, f"{self.tag}-{index}", self.probe
                    )
                    for index in range(self.workers)
                ]
                try:
                    for slot in slots:
                        slot.start()
                except SandboxError as error:
                    stop_all(slots)
                    problem = str(error)
                else:
                    self.slots, self.level = slots, level
                    return
            self.problems.append(f"{level}: {problem}")
        raise SandboxError("no isolation level could start: " + "; ".join(self.problems))

    def wait_ready(self):
        """Block until every worker is ready, falling back to the next level (as "auto"
        allows) when this level's workers cannot get ready; returns the level.

        SandboxError when no level could start; MemoryLimitError when the memory limit
        leaves a job too little room (a setting to fix, no level would do better).
        Safe to call from several threads and again: only the first call waits.
        """
        with self.ready_lock:
            while self.level is not None and not self.ready:
                try:
                    for slot in self.slots:
                        slot.wait_ready()
                except MemoryLimitError:
                    raise
                except SandboxError as error:
                    stop_all(self.slots)
                    self.slots = []
                    self.problems.append(f"{self.level}: {error}")
                    self.level = None
                    self.launch_next_level()
                    continue
                if self.problems:
                    self.warn(self.level, self.problems)
                for slot in self.slots:
                    self.pool.put(slot)
                self.ready = True
            if self.level is None:
                raise SandboxError("the sandbox is closed")
            return self.level

    @property
    def isolation(self):
        """The level the workers run at (waits until they are ready)."""
        return self.wait_ready()

    def warn(self, level, problems):
        self.warning = f"sandbox isolation fell back to {level!r} ({'; '.join(problems)})" + (
            "; student code is NOT isolated from the grader" if level == "none" else ""
        )
        print(f"warning: {self.warning}", file=sys.stderr)

    def run(self, job):
        """Run one job on a free worker (a group of one); its JobResult."""
        return self.run_group([job])[0]

    def run_group(self, jobs):
        """Run a group of jobs -- the exercises of one submission -- on one free worker, one
        after the other; their JobResults in order.

        Each job runs in a process of its own, with its own limits and verdict; nothing
        of a job runs on into the next. The jobs of a group share the worker's /tmp (as
        the cells of one notebook share a kernel); its clean state is reset and verified
        after the group, so no other group sees it. Never raises: a failure of the
        sandbox itself (a grader bug) is every job's error, so that one bad group cannot
        lose a batch. The first groups wait for the workers to be ready (SandboxError if
        none can start).
        """
        if not self.ready:
            self.wait_ready()
        slot = self.pool.get()
        try:
            return slot.run_group(jobs)
        except Exception as error:  # noqa: BLE001 -- reported as the jobs' error, not raised
            reason = (SANDBOX_FAILURE + str(error))[: channel.MAX_REASON]
            return [JobResult(JobStatus.ERROR, reason) for _ in jobs]
        finally:
            self.pool.put(slot)

    def run_many(self, jobs, progress=None):
        """Run jobs in parallel over the workers; results in job order."""
        results = [None] * len(jobs)
        lock = threading.Lock()
        done = 0
        indices = queue.Queue()
        for index in range(len(jobs)):
            indices.put(index)

        def work():
            nonlocal done
            while True:
                try:
                    index = indices.get_nowait()
                except queue.Empty:
                    return
                results[index] = self.run(jobs[index])
                with lock:
                    done += 1
                    if progress is not None:
                        progress(done)

        threads = [threading.Thread(target=work, daemon=True) for _ in range(self.workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return results

    def close(self):
        stop_all(self.slots)
        self.slots = []
        self.level, self.ready = None, False
        if self.staging:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __del__(self):
        with contextlib.suppress(Exception):
            self.close()


def stop_all(slots):
    for slot in slots:
        slot.stop()
