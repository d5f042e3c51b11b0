"""A memory cgroup per sandbox worker: the kernel's own count of what a job holds.

RLIMIT_AS bounds one process's address space; it does not see System V shared
memory once detached, memory files (memfd), tmpfs pages or the other processes of
a job. A memory cgroup charges all of them, with swap. Each worker slot gets its
own cgroup, created by the grader, joined by the launcher before the sandbox
starts (jail.py), so the worker and every job child it forks are in it:

    memory = MemoryCgroup.create("autograder-<tag>", limit_bytes)   # or CgroupUnavailableError
    ... start the worker with memory.procs_file ...
    memory.arm(job_bytes)       # worker ready: limit = its own charge + what a job may use
    memory.oom_kills()          # > 0: the kernel stopped a job at the limit
    memory.remove()             # kill what is left, rmdir

cgroup v2 (memory.max, memory.swap.max, memory.events) where its memory controller
is available to us, else cgroup v1 (memory.limit_in_bytes, memory.memsw.*,
memory.oom_control); neither -> CgroupUnavailableError, and the sandbox falls back to
RLIMIT_AS plus a syscall filter that refuses shared memory (docs/security.md).
"""

import contextlib
import os
import signal
import time
from pathlib import Path

from .channel import describe_bytes
from .retrying import attempts

V1_MOUNT = Path("/sys/fs/cgroup/memory")
V2_MOUNTS = (Path("/sys/fs/cgroup/unified"), Path("/sys/fs/cgroup"))
START_HEADROOM = 512 << 20  # above the job limit while the worker preloads its modules
REMOVE_SECONDS = 5.0
# An empty cgroup of ours this old was left by a grader that was killed: removed. (A live
# worker's cgroup holds processes, and rmdir refuses those; younger ones may be starting.)
STALE_SECONDS = 3600.0
PREFIX = "autograder-"


class CgroupUnavailableError(OSError):
    """No memory cgroup can be created here (not root, no controller, not Linux)."""


def own_cgroup(controller):
    """Our cgroup's path inside the hierarchy of controller ("" for the v2 one), or None."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):  # "" is the v2 hierarchy's line
            return path
    return None


def write(path, value):
    Path(path).write_text(f"{value}\n")


def read_fields(path):
    """{name: int} from a flat keyed file (memory.stat, memory.events, memory.oom_control)."""
    fields = {}
    for line in Path(path).read_text().splitlines():
        name, _, value = line.partition(" ")
        with contextlib.suppress(ValueError):
            fields[name] = int(value)
    return fields


def remove_stale(parent):
    """Remove the empty cgroups that killed graders left under parent (best effort)."""
    now = time.time()
    for path in parent.glob(f"{PREFIX}*"):
        with contextlib.suppress(OSError):
            if now - path.stat().st_mtime > STALE_SECONDS:
                path.rmdir()  # EBUSY while any process is in it


class MemoryCgroup:
    """One worker's memory cgroup (v1 or v2); every method touches the kernel's files."""

    version = 0
    PINNED_FIELDS = ()
    PEAK_FILE = ""

    def __init__(self, path):
        self.path = Path(path)
        self.procs_file = str(self.path / "cgroup.procs")
        self.baseline = 0  # the ready worker's own charge
        self.baseline_pinned = 0
        self.final_oom_kills = None  # counted just before removal
        self.reported_oom_kills = 0

    @classmethod
    def create(cls, name, limit_bytes):
        """A new cgroup under our own, limited to limit_bytes; CgroupUnavailableError if none."""
        problems = []
        for kind in (CgroupV2, CgroupV1):
            parent = kind.parent()
            if isinstance(parent, str):
                problems.append(parent)
                continue
            remove_stale(parent)
            path = parent / name
            try:
                path.mkdir()
            except OSError as error:
                problems.append(f"cgroup v{kind.version}: cannot create {path} ({error.strerror})")
                continue
            cgroup = kind(path)
            try:
                cgroup.set_limit(limit_bytes + START_HEADROOM)
            except OSError as error:
                cgroup.remove()
                problems.append(f"cgroup v{kind.version}: cannot set a limit ({error.strerror})")
                continue
            return cgroup
        raise CgroupUnavailableError("no memory cgroup: " + "; ".join(problems))

    def arm(self, job_bytes):
        """The worker is ready: from now on a job may charge job_bytes beyond it."""
        self.baseline = self.usage()
        self.baseline_pinned = self.pinned()
        self.set_limit(self.baseline + job_bytes)

    def new_oom_kills(self):
        """OOM kills since the last call: each is reported for one job only."""
        kills = self.oom_kills()
        fresh, self.reported_oom_kills = kills - self.reported_oom_kills, kills
        return fresh

    def pinned(self):
        """Bytes the cgroup holds that the kernel cannot reclaim without swap: anonymous
        memory and shared memory (SysV, memfd, tmpfs)."""
        try:
            fields = read_fields(self.path / "memory.stat")
        except OSError:
            return 0
        return sum(fields.get(name, 0) for name in self.PINNED_FIELDS)

    def peak_bytes(self):
        """The highest charge so far (cgroup v1 max_usage, v2 memory.peak; 0 if unknown)."""
        if self.final_oom_kills is not None:
            return self.final_peak
        with contextlib.suppress(OSError, ValueError):
            return int((self.path / self.PEAK_FILE).read_text())
        return 0

    def oom_kills(self):
        """Processes the kernel killed for this cgroup's limit since it was created."""
        if self.final_oom_kills is not None:
            return self.final_oom_kills
        try:
            return self.read_oom_kills()
        except OSError:
            return 0

    def processes(self):
        try:
            return [int(pid) for pid in Path(self.procs_file).read_text().split()]
        except OSError:
            return []

    def kill_all(self):
        """SIGKILL every process in the cgroup until it is empty (False if they linger)."""
        for _ in attempts(REMOVE_SECONDS):
            if not (pids := self.processes()):
                return True
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
        return False

    def remove(self):
        """Note the OOM count, kill what is left, remove the directory (retrying while busy)."""
        if self.final_oom_kills is None:
            self.final_peak = self.peak_bytes()
            self.final_oom_kills = self.oom_kills()
        self.kill_all()
        for _ in attempts(REMOVE_SECONDS):
            try:
                self.path.rmdir()
            except FileNotFoundError:
                return True
            except OSError:
                continue  # busy: its last processes are still leaving
            return True
        return False

    def describe(self, job_bytes):
        return (
            # Not the worker's own charge: it differs a little from worker to worker.
            f"{describe_bytes(job_bytes)} per job above what the worker itself holds, "
            "counting shared memory, memory files, tmpfs "
            f"pages and every process of the job, swap included (cgroup v{self.version})"
        )


class CgroupV1(MemoryCgroup):
    version = 1
    PINNED_FIELDS = ("total_rss", "total_shmem")
    PEAK_FILE = "memory.max_usage_in_bytes"

    @staticmethod
    def parent():
        own = own_cgroup("memory")
        if own is None or not (V1_MOUNT / "memory.limit_in_bytes").exists():
            return "cgroup v1: no memory controller mounted"
        parent = V1_MOUNT / own.lstrip("/")
        if not os.access(parent, os.W_OK):
            return f"cgroup v1: {parent} is not writable"
        return parent

    def set_limit(self, limit_bytes):
        # memory+swap must stay >= memory: lower memory first, raise memory+swap first.
        memory = self.path / "memory.limit_in_bytes"
        both = self.path / "memory.memsw.limit_in_bytes"
        files = [memory, both] if both.exists() else [memory]
        if limit_bytes > int(memory.read_text()):
            files.reverse()
        for path in files:
            write(path, limit_bytes)

    def usage(self):
        return int((self.path / "memory.usage_in_bytes").read_text())

    def read_oom_kills(self):
        return read_fields(self.path / "memory.oom_control").get("oom_kill", 0)


class CgroupV2(MemoryCgroup):
    version = 2
    PINNED_FIELDS = ("anon", "shmem")
    PEAK_FILE = "memory.peak"

    @staticmethod
    def parent():
        own = own_cgroup("")
        mount = next((m for m in V2_MOUNTS if (m / "cgroup.controllers").exists()), None)
        if own is None or mount is None:
            return "cgroup v2: not mounted"
        parent = mount / own.lstrip("/")
        try:
            if "memory" not in (parent / "cgroup.subtree_control").read_text().split():
                return f"cgroup v2: the memory controller is not enabled in {parent}"
        except OSError as error:
            return f"cgroup v2: {error.strerror}"
        if not os.access(parent, os.W_OK):
            return f"cgroup v2: {parent} is not writable"
        return parent

    def set_limit(self, limit_bytes):
        write(self.path / "memory.max", limit_bytes)
        if (self.path / "memory.swap.max").exists():
            write(self.path / "memory.swap.max", 0)

    def usage(self):
        return int((self.path / "memory.current").read_text())

    def read_oom_kills(self):
        return read_fields(self.path / "memory.events").get("oom_kill", 0)

    def kill_all(self):
        with contextlib.suppress(OSError):
            write(self.path / "cgroup.kill", 1)  # Linux 5.14+: all at once, no races
        return super().kill_all()


def unavailable():
    """Why no memory cgroup can be created here, or None (creates and removes a probe)."""
    try:
        probe = MemoryCgroup.create(f"autograder-probe-{os.getpid()}", 64 << 20)
    except CgroupUnavailableError as problem:
        return str(problem)
    probe.remove()
    return None
