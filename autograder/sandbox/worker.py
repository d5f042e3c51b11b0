"""The warm worker that runs inside a sandbox: a fork server for student jobs.

Started once per sandbox slot (by autograder/sandbox/worker_process.py) as

    python -E -s -B worker.py '<config json>'

next to copies of channel.py and of the probe's files (and nothing else), which Python
puts first on sys.path. It preloads the probe's module (config["probe"]), reads the
syscall filter from the pipe config["syscall_filter_fd"] (the grader builds it while this
worker starts), then for every job forks a child that

  1. sets itself up while idle, before any job exists: enters the job's /tmp,
     sets the CPU / memory / process limits and loads the syscall filter (so the
     job waits only for the read, and is read by a confined process);
  2. reads ONE job frame from the job stream (fd 0) -- the worker itself never
     reads jobs, so a child's copy of the worker's memory holds no other
     submission's source -- drops the job stream, sends its stdout/stderr into a
     capped sink, and only then tells the worker it has started, and waits until
     the worker has told the grader so;
  3. execs the student's source in a fresh module namespace, calls the probe's
     observe_call for every call, and writes one framed JSON message
     (channel.encode_observations) to the payload fd, straight to the grader.

Jobs come in groups (the exercises of one submission); the child tells the worker
whether its job is the last of its group. After every job the worker enforces the
wall-clock and output limits, kills every process the job left behind (also
setsid()/double-forked ones) and checks that no job changed its own settings; after
the last job of a group it also resets and verifies the state the next group will
start from (clean_up below): /tmp empty, mode 0o700, owned by the worker, no
attributes; no room of it still in use; no System V IPC object; no key. (The jobs of
one group share /tmp, as the cells of one notebook share a kernel; no group sees
another's.) It reports on the status fd that the job started, then how the child
ended, whether the state is clean and whether it was verified. A child that dies before
it started (reported when the next job arrives), or a state that is not clean, ends
the worker: the grader replaces it (and retries a job that never started). The
worker never reads what the child sends to the grader (a correct answer must not
linger in its memory for the next child to find).

Frames on every fd: 4-byte big-endian length, then UTF-8 JSON.
"""

import builtins
import contextlib
import ctypes
import errno
import functools
import gc
import importlib
import json
import os
import platform
import resource
import select
import signal
import stat
import struct
import sys
import time

if __package__:  # imported by the grader, as autograder.sandbox.worker (for reset_tmp)
    from . import channel
else:  # run inside the sandbox as /grader/worker.py, next to a copy of channel.py
    import channel

EXIT_NO_JOB = 3  # the child found the job stream closed: the worker shuts down
# What a set-up child says to the worker: its job started; the last of its group too.
STARTED, STARTED_LAST = b"g", b"l"
PR_SET_NAME, PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 15, 4, 36
PR_SET_SECCOMP, SECCOMP_MODE_FILTER, PR_SET_NO_NEW_PRIVS = 22, 2, 38
BPF_INSTRUCTION_BYTES = 8  # struct sock_filter
IPC_RMID = 0
TMP_MODE = 0o700
# keyctl(2): operations, and the special IDs of the keyrings a job can reach.
KEYCTL_GET_KEYRING_ID, KEYCTL_JOIN_SESSION_KEYRING, KEYCTL_CLEAR = 0, 1, 7
KEYCTL_READ, KEYCTL_GET_PERSISTENT = 11, 22
SESSION_KEYRING, USER_KEYRING, USER_SESSION_KEYRING = -3, -4, -5
KEYCTL_SYSCALL = {"x86_64": 250, "aarch64": 219}.get(platform.machine())


# --------------------------------------------------------------------------
# Small system helpers.
# --------------------------------------------------------------------------


@functools.cache
def libc():
    """The C library, loaded once per process (a fork inherits it): every job and its
    clean-up call into it several times."""
    return ctypes.CDLL(None, use_errno=True)


def prctl(option, value):
    """prctl(2) through libc; a no-op off Linux ("none" isolation on other systems)."""
    if sys.platform.startswith("linux"):
        libc().prctl(option, ctypes.c_ulong(value), 0, 0, 0)


def set_process_name(name):
    """The comm name (/proc/PID/comm), inherited by forks: lets tests tell jobs from workers."""
    if sys.platform.startswith("linux"):
        libc().prctl(PR_SET_NAME, ctypes.c_char_p(name.encode()), 0, 0, 0)


# --------------------------------------------------------------------------
# The job child: runs the student's code. Everything here may be sabotaged by
# that code; the grader trusts only the decoded, validated payload.
# --------------------------------------------------------------------------


def set_limit(name, soft, hard=None):
    """setrlimit; strict on Linux, best effort elsewhere ("none" on macOS lacks some)."""
    try:
        resource.setrlimit(getattr(resource, name), (soft, soft if hard is None else hard))
    except (AttributeError, ValueError, OSError):
        if sys.platform.startswith("linux"):
            raise


def set_job_limits(limits, processes):
    cpu = int(limits["cpu_seconds"])
    # The soft limit sends SIGXCPU; the hard one, a second later, SIGKILL.
    set_limit("RLIMIT_CPU", cpu, cpu + 1)
    set_limit("RLIMIT_AS", limits["memory_bytes"])
    # Files in the job's /tmp are output too: a write past the limit fails (EFBIG).
    set_limit("RLIMIT_FSIZE", limits["output_bytes"])
    set_limit("RLIMIT_CORE", 0)
    set_limit("RLIMIT_NOFILE", 256)
    # No POSIX message queues: they would outlive the job in the IPC namespace.
    set_limit("RLIMIT_MSGQUEUE", 0)
    if processes:
        # Processes and threads of the sandbox user, the worker included. With the
        # memory limit per process it also bounds the job's memory in all. Root is
        # exempt: only the namespace levels, which run as nobody, set it.
        set_limit("RLIMIT_NPROC", processes)
    # When the job pushes its worker's memory cgroup over the limit, the kernel must kill
    # a job process, not the worker. (The job may lower this again; then the worker may
    # die instead, and the grader, reading the cgroup's counters, still says why.)
    # (os.open, not open(): a fresh fork that builds a file object copies the io module's
    # pages on write, about 0.15 ms of every job.)
    with contextlib.suppress(OSError):
        adjustment = os.open("/proc/self/oom_score_adj", os.O_WRONLY)
        try:
            os.write(adjustment, b"1000")
        finally:
            os.close(adjustment)


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


class SyscallFilter:
    """The grader's seccomp filter (autograder/sandbox/syscall_filter.py), decoded once in
    the worker; every job child installs it.

    program -- base64 of raw BPF (struct sock_filter[]), or None when the filter is off.
    """

    def __init__(self, program):
        self.program = None
        if program:
            import base64

            code = base64.b64decode(program)
            self.buffer = ctypes.create_string_buffer(code, len(code))
            self.program = SockFprog(
                len(code) // BPF_INSTRUCTION_BYTES, ctypes.addressof(self.buffer)
            )

    def install(self):
        """Load the filter into this process: irrevocable and inherited by everything the
        job starts; OSError if it cannot load."""
        if self.program is None:
            return
        # no_new_privs first: without it the kernel refuses a filter from an unprivileged
        # process.
        checked_prctl(PR_SET_NO_NEW_PRIVS, 1, 0)
        checked_prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(self.program))


def read_syscall_filter(descriptor):
    """The filter's program (base64 text) from the grader, which writes it while this
    worker starts, or None when the filter is off; the descriptor is closed, so that no
    job child inherits it."""
    with os.fdopen(descriptor, "rb") as stream:
        return stream.read().decode("ascii") or None


def install_syscall_filter(program):
    """Load the filter of base64 BPF `program` (None: off) into this process."""
    SyscallFilter(program).install()


def checked_prctl(option, value, pointer):
    if libc().prctl(option, ctypes.c_ulong(value), ctypes.c_void_p(pointer or None), 0, 0) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"prctl({option}): {os.strerror(error)}")


def guarded(function, memory_errors):
    """function, but a MemoryError is also noted (observe_call turns errors into text)."""

    def call(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except MemoryError:
            memory_errors.append(True)
            raise

    return call


def exit_status(error):
    """The status Python would exit with for a SystemExit."""
    if error.code is None:
        return 0
    return error.code if isinstance(error.code, int) else 1


def run_job(job, limits, probe):
    """Run one job; returns the payload bytes for the grader (channel format)."""
    memory_reason = f"exceeded the {channel.describe_bytes(limits['memory_bytes'])} memory limit"
    memory_errors = []
    namespace = {"__name__": "__student__", "__builtins__": builtins}
    try:
        exec(compile(job["source"], "<student>", "exec"), namespace)
    except MemoryError:
        namespace.clear()
        return channel.encode_error(memory_reason)
    except SystemExit as error:
        return exited_before_reporting(error)
    except BaseException as error:  # noqa: BLE001 -- any failure is the student's, reported
        return channel.encode_error(f"{describe_error(probe, error)} while running the cells")
    name = job["function"]
    if name not in namespace:
        return channel.encode_error(f"name {name!r} is not defined")
    if not callable(namespace[name]):
        return channel.encode_error(f"{name} is not a function")
    function = guarded(namespace[name], memory_errors)
    observations = []
    try:
        for call in job["calls"]:
            observations.append(probe.observe_call(function, call))
            if memory_errors:
                return channel.encode_error(memory_reason)
        return channel.encode_observations(observations)
    except MemoryError:
        observations.clear()
        return channel.encode_error(memory_reason)
    except SystemExit as error:
        return exited_before_reporting(error)
    except BaseException as error:  # noqa: BLE001 -- e.g. KeyboardInterrupt raised by the student
        return channel.encode_error(f"{describe_error(probe, error)} while calling {name}")


def describe_error(probe, error):
    """The probe's describe_error, or the bare type name when str(error) itself fails."""
    try:
        return probe.describe_error(error)
    except BaseException:  # noqa: BLE001 -- a student's __str__ may raise anything
        return type(error).__name__


def exited_before_reporting(error):
    """sys.exit() in the student's code: the child exits the same way, without a result."""
    sys.stdout.flush()
    os._exit(exit_status(error) & 0xFF)


def child_main(config, syscall_filter, go_w, ack_r, sink_w):
    """The job child, right after fork. Never returns.

    It is limited and filtered while idle, before its job arrives: the job then waits
    only for the read. The job is read by a process that is already confined.
    """
    try:
        os.close(config["status_fd"])
        os.setpgid(0, 0)  # the job's own process group, for killpg where /proc is missing
        set_process_name("ag-idle")
        prctl(PR_SET_DUMPABLE, 1)
        os.chdir(config["tmp"])
        set_job_limits(config["limits"], config["processes"])
        syscall_filter.install()
        data = channel.read_frame(0)
        if data is None:
            os._exit(EXIT_NO_JOB)
        set_process_name("ag-job")
        job = json.loads(data)
        del data
        # Whether the worker resets and verifies its state after this job: the last of its
        # group. Told now, while this process still runs nothing but the worker's code.
        started = STARTED_LAST if job.get("last") is True else STARTED
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.dup2(sink_w, 1)
        os.dup2(sink_w, 2)
        os.close(sink_w)
        # Set up: from here on, whatever happens is the student's code's doing.
        os.write(go_w, started)
        os.close(go_w)
        if os.read(ack_r, 1) != b"a":
            os._exit(EXIT_NO_JOB)  # the worker is gone before it could report the start
        os.close(ack_r)
        payload = run_job(job, config["limits"], importlib.import_module(config["probe"]))
        channel.write_frame(config["payload_fd"], payload)
        os._exit(0)
    except MemoryError:
        os._exit(120)
    except BaseException:  # noqa: BLE001 -- a child never returns into the worker's loop
        os._exit(121)


# --------------------------------------------------------------------------
# The worker: fork, supervise, clean up, report.
# --------------------------------------------------------------------------


def spawn_child(config, syscall_filter):
    """Fork the next job child; returns (pid, go_r, ack_w, sink_r).

    go -- the child says it is set up; ack -- the worker says the grader knows the job
    started (a worker's death after that is retried once by the grader, then the job's).
    """
    go_r, go_w = os.pipe()
    ack_r, ack_w = os.pipe()
    sink_r, sink_w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(go_r)
        os.close(ack_w)
        os.close(sink_r)
        child_main(config, syscall_filter, go_w, ack_r, sink_w)
    os.close(go_w)
    os.close(ack_r)
    os.close(sink_w)
    return pid, go_r, ack_w, sink_r


def wait_for_start(go_r):
    """Block until the child has its job and is set up: STARTED, or STARTED_LAST for the
    last job of a group; b"" when it ended first."""
    started = os.read(go_r, 1)
    os.close(go_r)
    return started if started in (STARTED, STARTED_LAST) else b""


def wait_for_job():
    """Block until a job (or the end of the job stream) waits on fd 0, without reading it.

    A child that died while it set itself up, idle, is reported when the job it would have
    run arrives: the grader then knows which job to retry, and the worker never reads it.
    """
    select.select([0], [], [])


def describe_exit(status):
    if os.WIFSIGNALED(status):
        return f"was killed by signal {os.WTERMSIG(status)}"
    return f"exited with status {os.WEXITSTATUS(status)}"


class OutputSink:
    """Counts and discards the job's stdout/stderr, without keeping any of it."""

    def __init__(self, fd):
        self.fd = fd
        self.total = 0
        self.devnull = os.open(os.devnull, os.O_WRONLY)
        os.set_blocking(fd, False)

    def drain(self):
        """Read what is there; False at end of stream."""
        while True:
            try:
                if hasattr(os, "splice"):
                    moved = os.splice(self.fd, self.devnull, 1 << 16)
                else:
                    moved = len(os.read(self.fd, 1 << 16))
            except BlockingIOError:
                return True
            if moved == 0:
                return False
            self.total += moved

    def close(self):
        os.close(self.fd)
        os.close(self.devnull)


def supervise(pid, sink_r, limits):
    """Wait for the child within the wall-clock and output limits; returns its outcome."""
    started = time.monotonic()
    deadline = started + limits["wall_seconds"]
    sink = OutputSink(sink_r)
    pidfd = os.pidfd_open(pid) if hasattr(os, "pidfd_open") else None
    open_sink = True
    outcome = None
    try:
        while outcome is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                outcome = {"outcome": "timeout"}
                break
            watched = [fd for fd in (pidfd, sink_r if open_sink else None) if fd is not None]
            timeout = remaining if pidfd is not None else min(remaining, 0.005)
            readable, _, _ = select.select(watched, [], [], timeout)
            if sink_r in readable:
                open_sink = sink.drain()
                if sink.total > limits["output_bytes"]:
                    outcome = {"outcome": "output"}
                    break
            outcome = reap_child(pid)
    finally:
        if outcome is None or outcome["outcome"] in ("timeout", "output"):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        if pidfd is not None:
            os.close(pidfd)
        sink.close()
    outcome["seconds"] = round(time.monotonic() - started, 6)
    return outcome


def reap_child(pid):
    """The child's exit as an outcome dict, or None while it runs."""
    done, status = os.waitpid(pid, os.WNOHANG)
    if done == 0:
        return None
    if os.WIFSIGNALED(status):
        return {"outcome": "signaled", "signal": os.WTERMSIG(status)}
    return {"outcome": "exited", "code": os.WEXITSTATUS(status)}


def other_pids():
    """Processes visible in /proc other than this one (in a PID namespace: the job's)."""
    me = os.getpid()
    if not os.path.isdir("/proc"):
        return []
    return [int(name) for name in os.listdir("/proc") if name.isdigit() and int(name) != me]


def children_of(pid):
    """The children of every thread of pid (/proc/PID/task/TID/children), [] once it is gone."""
    found = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{task}/children") as listing:
                found += [int(child) for child in listing.read().split()]
    return found


def descendants():
    """This process's children, grandchildren, ... (orphans come to us as subreaper).

    From the kernel's lists of children where it keeps them (CONFIG_PROC_CHILDREN; a
    snapshot that may miss a fork in flight -- kill_leftovers looks again until none is
    found), else from the parent of every process on the machine.
    """
    me = os.getpid()
    if os.path.exists(f"/proc/{me}/task/{me}/children"):
        found, todo = [], [me]
        while todo:
            children = children_of(todo.pop())
            found += children
            todo += children
        return found
    children = {}
    for pid in other_pids():
        try:
            with open(f"/proc/{pid}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(pid)
    found, todo = [], [os.getpid()]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def reap_all():
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass


def kill_leftovers(own_pid_namespace, job_pid=None):
    """Kill every process the job left, until none is left (forks may race the first pass).

    In its own PID namespace the worker (PID 1) kills everything it can see but
    itself: kill(-1) spares only the caller. Elsewhere ("none") it kills its
    descendants; as child subreaper, setsid()/double-forked ones are among them.
    Without /proc (macOS) only the job's process group can be found.
    """
    if job_pid is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(job_pid, signal.SIGKILL)
    for _ in range(1000):
        victims = other_pids() if own_pid_namespace else descendants()
        if not victims:
            return True
        if own_pid_namespace:
            with contextlib.suppress(ProcessLookupError):
                os.kill(-1, signal.SIGKILL)
        for pid in victims:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.001)
        reap_all()
    return False


# --------------------------------------------------------------------------
# The state the next job starts from: reset it, then verify it. The job ran as
# the worker's own uid, so it could change anything the worker owns; what the
# reset does not restore, the verification finds, and the grader replaces the
# worker (a new sandbox: a new tmpfs, IPC namespace and user keyring).
# --------------------------------------------------------------------------


def reset_tmp(path):
    """Give /tmp back its mode, no attributes, no contents, fresh timestamps.

    Modes are fixed before listing at every depth (a mode-000 directory cannot be
    listed); symlinks are removed, never followed. Only called once every process
    of the job is dead, so nothing changes the tree meanwhile.
    """
    os.chmod(path, TMP_MODE)
    for name in os.listxattr(path, follow_symlinks=False):
        os.removexattr(path, name, follow_symlinks=False)
    directory = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        empty_directory(directory)
    finally:
        os.close(directory)
    # Timestamps set by the job could carry a message.
    os.utime(path)


def empty_directory(directory):
    """Remove everything in the open directory fd, whatever the modes and the depth.

    Depth first, holding one directory open at a time and climbing back through
    "..", so that neither the recursion limit nor the file limit bounds the depth.
    """
    current = os.dup(directory)
    try:
        entered = []  # names of the directories entered, from the top down
        pending = [remove_files(current)]  # per depth: subdirectories still to remove
        while True:
            if pending[-1]:
                name = pending[-1].pop()
                os.chmod(name, TMP_MODE, dir_fd=current)  # a directory, not a symlink
                inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=current)
                os.close(current)
                current = inner
                entered.append(name)
                pending.append(remove_files(current))
                continue
            pending.pop()
            if not entered:
                return
            parent = os.open("..", os.O_RDONLY | os.O_DIRECTORY, dir_fd=current)
            os.close(current)
            current = parent
            os.rmdir(entered.pop(), dir_fd=current)
    finally:
        os.close(current)


def remove_files(directory):
    """Unlink everything but subdirectories in the open directory fd; returns those."""
    with os.scandir(directory) as entries:
        found = [(entry.name, entry.is_dir(follow_symlinks=False)) for entry in entries]
    for name, is_directory in found:
        if not is_directory:
            os.unlink(name, dir_fd=directory)
    return [name for name, is_directory in found if is_directory]


def tmp_problems(path, baseline):
    """What differs from a fresh /tmp: mode, owner, contents, attributes, room in use."""
    info = os.lstat(path)
    problems = []
    if not stat.S_ISDIR(info.st_mode) or stat.S_IMODE(info.st_mode) != TMP_MODE:
        problems.append(f"/tmp has mode {info.st_mode:o}")
    if (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
        problems.append(f"/tmp is owned by {info.st_uid}:{info.st_gid}")
    if os.listdir(path):
        problems.append("/tmp is not empty")
    if os.listxattr(path, follow_symlinks=False):
        problems.append("/tmp has extended attributes")
    if baseline is not None and tmp_usage(path) != baseline:
        # E.g. a deleted file still open: some process of the job is still alive.
        problems.append("room of /tmp is still in use")
    return problems


def tmp_usage(path):
    """(blocks, inodes) in use on the file system of path (the sandbox's own tmpfs)."""
    room = os.statvfs(path)
    return room.f_blocks - room.f_bfree, room.f_files - room.f_ffree


def keyctl(operation, *arguments):
    """keyctl(2) (no libkeyutils needed): its result, or -errno (-ENOSYS where unknown)."""
    if KEYCTL_SYSCALL is None:
        return -errno.ENOSYS
    values = [ctypes.c_long(value) for value in (operation, *arguments)]
    result = libc().syscall(KEYCTL_SYSCALL, *values)
    return result if result >= 0 else -ctypes.get_errno()


def keyring_contents(keyring):
    """The key IDs linked in a keyring ([] where keys are unavailable); PermissionError
    when a job took the worker's right to see or read it (keyctl setperm)."""
    size = keyctl(KEYCTL_READ, keyring, 0, 0)
    if size in (-errno.ENOSYS, -errno.EPERM):
        return []  # no keys here (e.g. a container's syscall filter): none for jobs either
    if size < 0:
        raise PermissionError(-size, "a keyring is locked")
    if size == 0:
        return []
    buffer = ctypes.create_string_buffer(size)
    got = max(keyctl(KEYCTL_READ, keyring, ctypes.addressof(buffer), size), 0)
    return list(struct.unpack(f"={got // 4}i", buffer.raw[:got]))


def reachable_keyrings():
    """The keyrings a later job could reach, and the IDs of the keyrings linked among them.

    The user, user-session and session keyrings (the worker's own session keyring,
    which its jobs inherit), and the user's persistent keyring, which outlives every
    process for days: it is linked into the session keyring while we look.
    """
    persistent = keyctl(KEYCTL_GET_PERSISTENT, -1, SESSION_KEYRING)
    keyrings = [USER_KEYRING, USER_SESSION_KEYRING, SESSION_KEYRING]
    keyrings += [persistent] if persistent > 0 else []
    own = {keyctl(KEYCTL_GET_KEYRING_ID, USER_KEYRING, 1), persistent}
    return keyrings, own


def clear_keys():
    """Empty every keyring a later job could reach; returns the IDs of the keys unlinked."""
    keyrings, own = reachable_keyrings()
    unlinked = []
    # The persistent keyring first: clearing the session keyring unlinks it.
    for keyring in reversed(keyrings):
        with contextlib.suppress(PermissionError):
            unlinked += [key for key in keyring_contents(keyring) if key not in own]
        keyctl(KEYCTL_CLEAR, keyring)
    return unlinked


def key_problems(unlinked):
    """Keys a later job could still find: linked in a reachable keyring, in a keyring the
    worker may no longer read, or unlinked but not yet destroyed (/proc/keys shows those)."""
    keyrings, own = reachable_keyrings()
    problems = []
    try:
        if any(key not in own for keyring in keyrings for key in keyring_contents(keyring)):
            problems.append("keys are left in the keyrings")
    except PermissionError:
        problems.append("a keyring is locked")
    keyctl(KEYCTL_CLEAR, SESSION_KEYRING)  # unlinks the persistent keyring again
    if unlinked and not keys_collected(unlinked):
        problems.append("keys are not collected")
    return problems


def keys_collected(keys, seconds=1.0):
    """Whether the kernel has destroyed these unlinked keys (it does so asynchronously;
    until then /proc/keys still shows their descriptions)."""
    pending = {f"{key:08x}" for key in keys}
    deadline = time.monotonic() + seconds
    while True:
        try:
            with open("/proc/keys") as listing:
                shown = {line.split(None, 1)[0] for line in listing if line.strip()}
        except OSError:
            return True
        if not pending & shown:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)


def await_stray_keys(seconds=5.0):
    """Wait (at most seconds) until /proc/keys shows no key but the kernel's own keyrings.

    /proc/keys also shows keys of the same uid outside this sandbox -- e.g. those of
    the worker this one replaces, kept until the kernel frees its user namespace.
    Waiting at start lets them go before any job could see them; keys of some other
    sandbox may stay longer, and do not stop the worker (the syscall filter is what
    keeps jobs away from keys altogether).
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with open("/proc/keys") as listing:
                rows = [line.split() for line in listing if line.strip()]
        except OSError:
            return
        if all(is_standard_keyring(row) for row in rows):
            return
        time.sleep(0.01)


def is_standard_keyring(row):
    """A /proc/keys row of a keyring the kernel makes for every user and session."""
    if len(row) < 9 or row[7] != "keyring":
        return False
    name = row[8].rstrip(":")
    base, _, number = name.partition(".")
    own = base in ("_uid", "_uid_ses", "_persistent") and number == str(os.getuid())
    return own or name in ("_ses", ".user_reg")


def sysv_problems():
    """System V IPC objects still there (in the sandbox's own IPC namespace)."""
    problems = []
    for table in ("shm", "msg", "sem"):
        try:
            with open(f"/proc/sysvipc/{table}") as listing:
                if len(listing.read().splitlines()) > 1:
                    problems.append(f"System V {table} objects are left")
        except OSError:
            continue
    return problems


def process_settings():
    """What a job could change of this worker's own process and pass on to later jobs:
    {setting: value} -- every resource limit, the nice value, the scheduling policy and
    priority, the CPUs it may run on."""
    settings = {
        name: resource.getrlimit(getattr(resource, name))
        for name in dir(resource)
        if name.startswith("RLIMIT_")
    }
    if hasattr(os, "sched_getscheduler"):  # Linux
        settings["nice"] = os.getpriority(os.PRIO_PROCESS, 0)
        settings["scheduling policy"] = os.sched_getscheduler(0)
        settings["scheduling priority"] = os.sched_getparam(0).sched_priority
        settings["CPUs"] = sorted(os.sched_getaffinity(0))
    return settings


def settings_problems(initial):
    """The worker's own settings that differ from when it started (a job changed them)."""
    now = process_settings()
    changed = [name for name, value in initial.items() if now.get(name) != value]
    return [f"the worker's {', '.join(changed)} changed"] if changed else []


def clean_up(config, baseline):
    """Reset the state the next job starts from, then verify it; the problems left, if any.

    baseline -- the /tmp usage of a fresh worker, or None where /tmp is not the
                sandbox's own tmpfs (level "none": a folder on the host's /tmp)
    """
    problems = []
    try:
        reset_tmp(config["tmp"])
    except OSError as error:
        problems.append(f"/tmp could not be reset ({type(error).__name__})")
    unlinked = []
    if config["own_pid_namespace"]:
        remove_sysv_ipc()
        unlinked = clear_keys()
    try:
        problems += tmp_problems(config["tmp"], baseline)
    except OSError as error:
        problems.append(f"/tmp could not be checked ({type(error).__name__})")
    if config["own_pid_namespace"]:
        problems += sysv_problems() + key_problems(unlinked)
    return problems


def remove_sysv_ipc():
    """Delete the System V shared memory, queues and semaphores a job left behind.

    Only called in the sandbox's own IPC namespace, where all of them are the jobs'.
    """
    removers = {
        "shm": lambda ipc_id: libc().shmctl(ipc_id, IPC_RMID, None),
        "msg": lambda ipc_id: libc().msgctl(ipc_id, IPC_RMID, None),
        "sem": lambda ipc_id: libc().semctl(ipc_id, 0, IPC_RMID),
    }
    for table, remove in removers.items():
        try:
            with open(f"/proc/sysvipc/{table}") as listing:
                rows = listing.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            remove(int(row.split()[1]))


def preload(probe):
    """Import what every job needs once, so a job costs a fork, not a Python start.

    The probe's module and what it imports, only: whatever else a job imports (MPLBACKEND
    is Agg) it pays for alone.
    """
    importlib.import_module(probe)
    gc.collect()


def address_space():
    """This process's virtual memory size in bytes (VmSize), 0 where /proc is missing."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def prepare_worker():
    set_process_name("ag-worker")
    # Same-uid job children must not ptrace us or open /proc/<worker>/fd or /mem.
    prctl(PR_SET_DUMPABLE, 0)
    # Orphaned (double-forked, setsid) job processes are re-parented to us.
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    # As PID 1 of a namespace, a signal with no handler cannot reach us from a job.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    # Not the jobs' /tmp: the root of the sandbox, read-only, which no job can change.
    os.chdir("/")


def prepare_state(config):
    """The first clean state; returns (baseline /tmp usage, problems)."""
    if config["own_pid_namespace"]:
        # A keyring of the worker's own, not the session keyring of whoever started it.
        keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0)
    problems = clean_up(config, None)
    if config["own_pid_namespace"]:
        await_stray_keys()
    baseline = tmp_usage(config["tmp"]) if config["own_pid_namespace"] else None
    return baseline, problems


def main():
    config = json.loads(sys.argv[1])
    prepare_worker()
    preload(config["probe"])
    baseline, problems = prepare_state(config)
    settings = process_settings()
    status_fd = config["status_fd"]
    # What a job inherits: its memory limit must leave room above this.
    ready = {"ready": True, "address_space": address_space(), "problems": problems}
    syscall_filter = SyscallFilter(read_syscall_filter(config["syscall_filter_fd"]))
    # What is loaded now stays: no job child's collection touches (and so copies) it.
    gc.freeze()
    channel.write_frame(status_fd, json.dumps(ready).encode())
    while not problems:
        pid, go_r, ack_w, sink_r = spawn_child(config, syscall_filter)
        started = wait_for_start(go_r)
        if not started:
            os.close(ack_w)
            os.close(sink_r)
            _, status = os.waitpid(pid, 0)
            if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != EXIT_NO_JOB:
                wait_for_job()
                reason = f"the job process {describe_exit(status)} before the student code started"
                channel.write_frame(
                    status_fd, json.dumps({"outcome": "sandbox", "reason": reason}).encode()
                )
            break
        channel.write_frame(status_fd, b'{"started": true}')
        with contextlib.suppress(BrokenPipeError):  # killed from outside meanwhile
            os.write(ack_w, b"a")
        os.close(ack_w)
        outcome = supervise(pid, sink_r, config["limits"])
        # After every job: nothing of it runs on, and the worker's own settings are its
        # own, so that the next job of the group gets a verdict of its own.
        problems = [] if kill_leftovers(config["own_pid_namespace"], pid) else ["processes survive"]
        began = time.monotonic()
        verified = started == STARTED_LAST
        if verified:
            # After the last job of a group (the next may be another student's): the state
            # the next group starts from, reset and verified.
            problems += clean_up(config, baseline)
        problems += settings_problems(settings)
        outcome.update(clean=not problems, problems=problems[:8], verified=verified)
        outcome["cleanup_seconds"] = round(time.monotonic() - began, 6)
        channel.write_frame(status_fd, json.dumps(outcome).encode())
    kill_leftovers(config["own_pid_namespace"])


if __name__ == "__main__":
    main()
