"""Run untrusted student code away from the grader: a pool of warm workers in a sandbox.

    with Sandbox(probe, workers=2) as sandbox:
        results = sandbox.run_many([Job(source, "initialize_parameters_he", calls), ...])

Each worker slot (autograder/sandbox/worker_process.py) is one long-lived process
(autograder/sandbox/worker.py) inside its own sandbox, with the probe's module
preloaded; it forks a child per job. Only plain data comes back: what the probe
observed of each call, JSON in one frame (autograder/sandbox/channel.py), strictly
decoded here by the probe's decode_call. Judging stays with the user of the sandbox.

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

from . import launch
from .job import LEVELS, JobResult, Limits, MemoryLimitError, SandboxError, validate_limits
from .worker_process import WorkerProcess


class Sandbox:
    """A pool of sandboxed warm workers. Use as a context manager.

    probe -- a job.Probe: what the workers preload and how their observations are read
    """

    def __init__(self, probe, workers=1, limits=Limits(), isolation="auto"):  # noqa: B008 -- frozen
        validate_limits(limits)
        self.probe = probe
        if isolation != "auto" and isolation not in LEVELS:
            raise ValueError(f"isolation must be 'auto' or one of {', '.join(LEVELS)}")
        self.limits = limits
        self.tag = secrets.token_hex(8)
        self.warning = None
        self.staging = launch.stage_grader_files(probe.files)
        self.pool = queue.Queue()
        self.slots = []
        try:
            self.isolation = self.start_workers(max(1, int(workers)), isolation)
        except BaseException:
            self.close()
            raise

    def start_workers(self, count, isolation):
        candidates = LEVELS if isolation == "auto" else (isolation,)
        problems = []
        for level in candidates:
            problem = launch.unavailable(level)
            if problem is None:
                try:
                    self.launch(level, count)
                except MemoryLimitError:
                    raise
                except SandboxError as error:
                    problem = str(error)
            if problem is None:
                if problems:
                    self.warn(level, problems)
                return level
            problems.append(f"{level}: {problem}")
        raise SandboxError("no isolation level could start: " + "; ".join(problems))

    def launch(self, level, count):
        slots = [
            WorkerProcess(level, self.limits, self.staging, f"{self.tag}-{index}", self.probe)
            for index in range(count)
        ]
        try:
            for slot in slots:
                slot.start()
            for slot in slots:
                slot.wait_ready()
        except BaseException:
            for slot in slots:
                slot.stop()
            raise
        self.slots = slots
        for slot in slots:
            self.pool.put(slot)

    def enforced_limits(self):
        """{limit: how it is enforced} for this sandbox's jobs (as in every JobResult.limits)."""
        return self.slots[0].enforced_limits() if self.slots else {}

    def warn(self, level, problems):
        self.warning = f"sandbox isolation fell back to {level!r} ({'; '.join(problems)})" + (
            "; student code is NOT isolated from the grader" if level == "none" else ""
        )
        print(f"warning: {self.warning}", file=sys.stderr)

    def run(self, job):
        """Run one job on a free worker; never raises: a failure of the sandbox itself (a
        grader bug) is this job's error, so that one bad job cannot lose a batch."""
        slot = self.pool.get()
        try:
            return slot.run(job)
        except Exception as error:  # noqa: BLE001 -- reported as the job's error, not raised
            return JobResult("error", f"sandbox failure: {error}"[:300])
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

        threads = [threading.Thread(target=work, daemon=True) for _ in self.slots]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return results

    def close(self):
        for slot in self.slots:
            slot.stop()
        self.slots = []
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
