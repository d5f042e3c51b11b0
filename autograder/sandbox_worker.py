"""The warm worker that runs inside a sandbox: a fork server for student jobs.

Started once per sandbox slot (by autograder.sandbox) as

    python -I -B sandbox_worker.py '<config json>'

next to copies of public_tests.py, init_utils.py and channel.py (and nothing else
of the course). It preloads numpy, matplotlib (Agg), init_utils and public_tests,
then for every job forks a child that

  1. reads ONE job frame from the job stream (fd 0) -- the worker itself never
     reads jobs, so a child's copy of the worker's memory holds no other
     submission's source;
  2. drops the job stream, sends its stdout/stderr into a capped sink, sets the
     CPU / memory / process limits;
  3. execs the student's source in a fresh module namespace, calls
     public_tests.observe for every call, and writes one framed JSON message
     (autograder.channel) to the payload fd, straight to the grader.

The worker enforces the wall-clock and output limits, kills every process the job
left behind (also setsid()/double-forked ones), empties the job's /tmp, and
reports how the child ended on the status fd. It never reads what the child
sends to the grader (a correct answer must not linger in its memory for the next
child to find).

Frames on every fd: 4-byte big-endian length, then UTF-8 JSON.
"""

import builtins
import contextlib
import ctypes
import gc
import json
import os
import resource
import select
import shutil
import signal
import struct
import sys
import time

HEADER = struct.Struct(">I")
MAX_JOB_BYTES = 4 << 20
EXIT_NO_JOB = 3  # the child found the job stream closed: the worker shuts down
PR_SET_NAME, PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 15, 4, 36
PR_SET_SECCOMP, SECCOMP_MODE_FILTER, PR_SET_NO_NEW_PRIVS = 22, 2, 38
BPF_INSTRUCTION_BYTES = 8  # struct sock_filter
IPC_RMID = 0


# --------------------------------------------------------------------------
# Small system helpers.
# --------------------------------------------------------------------------


def prctl(option, value):
    """prctl(2) through libc; a no-op off Linux ("none" isolation on other systems)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0)


def set_process_name(name):
    """The comm name (/proc/PID/comm), inherited by forks: lets tests tell jobs from workers."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_NAME, ctypes.c_char_p(name.encode()), 0, 0, 0)


def write_frame(fd, data):
    message = HEADER.pack(len(data)) + data
    view = memoryview(message)
    while view:
        view = view[os.write(fd, view) :]


def read_exactly(fd, size):
    chunks = []
    while size:
        chunk = os.read(fd, min(size, 1 << 16))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_frame(fd):
    """One frame's bytes, or None at end of stream."""
    header = read_exactly(fd, HEADER.size)
    if header is None:
        return None
    (size,) = HEADER.unpack(header)
    if size > MAX_JOB_BYTES:
        return None
    return read_exactly(fd, size)


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
    with contextlib.suppress(OSError), open("/proc/self/oom_score_adj", "w") as adjustment:
        adjustment.write("1000")


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install_syscall_filter(program):
    """Load the grader's seccomp filter (autograder/syscall_filter.py) into this process.

    program -- base64 of raw BPF (struct sock_filter[]), or None when the filter is off.
    Irrevocable and inherited by everything the job starts; OSError if it cannot load.
    """
    if not program:
        return
    import base64

    code = base64.b64decode(program)
    buffer = ctypes.create_string_buffer(code, len(code))
    fprog = SockFprog(len(code) // BPF_INSTRUCTION_BYTES, ctypes.addressof(buffer))
    # no_new_privs first: without it the kernel refuses a filter from an unprivileged process.
    checked_prctl(PR_SET_NO_NEW_PRIVS, 1, 0)
    checked_prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog))


def checked_prctl(option, value, pointer):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(option, ctypes.c_ulong(value), ctypes.c_void_p(pointer or None), 0, 0) != 0:
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


def run_job(job, limits):
    """Run one job; returns the payload bytes for the grader (channel format)."""
    import channel

    import public_tests

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
        return channel.encode_error(f"{describe_error(error)} while running the cells")
    name = job["function"]
    if name not in namespace:
        return channel.encode_error(f"name {name!r} is not defined")
    if not callable(namespace[name]):
        return channel.encode_error(f"{name} is not a function")
    function = guarded(namespace[name], memory_errors)
    observations = []
    try:
        for call in job["calls"]:
            case = {"kind": call["kind"], "layers_dims": list(call["layers_dims"])}
            observations.append(public_tests.observe(function, case))
            if memory_errors:
                return channel.encode_error(memory_reason)
        return channel.encode_result(observations)
    except MemoryError:
        observations.clear()
        return channel.encode_error(memory_reason)
    except SystemExit as error:
        return exited_before_reporting(error)
    except BaseException as error:  # noqa: BLE001 -- e.g. KeyboardInterrupt raised by the student
        return channel.encode_error(f"{describe_error(error)} while calling {name}")


def describe_error(error):
    """public_tests.one_line_error, or the bare type name when str(error) itself fails."""
    import public_tests

    try:
        return public_tests.one_line_error(error)
    except BaseException:  # noqa: BLE001 -- a student's __str__ may raise anything
        return type(error).__name__


def exited_before_reporting(error):
    """sys.exit() in the student's code: the child exits the same way, without a result."""
    sys.stdout.flush()
    os._exit(exit_status(error) & 0xFF)


def child_main(config, go_w, sink_w):
    """The job child, right after fork. Never returns."""
    try:
        os.close(config["status_fd"])
        os.setpgid(0, 0)  # the job's own process group, for killpg where /proc is missing
        set_process_name("ag-idle")
        prctl(PR_SET_DUMPABLE, 1)
        data = read_frame(0)
        if data is None:
            os._exit(EXIT_NO_JOB)
        set_process_name("ag-job")
        job = json.loads(data)
        del data
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.dup2(sink_w, 1)
        os.dup2(sink_w, 2)
        os.close(sink_w)
        os.write(go_w, b"g")
        os.close(go_w)
        os.chdir(config["tmp"])
        set_job_limits(config["limits"], config["processes"])
        install_syscall_filter(config.get("syscall_filter"))
        payload = run_job(job, config["limits"])
        write_frame(config["payload_fd"], payload)
        os._exit(0)
    except MemoryError:
        os._exit(120)
    except BaseException:  # noqa: BLE001 -- a child never returns into the worker's loop
        os._exit(121)


# --------------------------------------------------------------------------
# The worker: fork, supervise, clean up, report.
# --------------------------------------------------------------------------


def spawn_child(config):
    go_r, go_w = os.pipe()
    sink_r, sink_w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(go_r)
        os.close(sink_r)
        child_main(config, go_w, sink_w)
    os.close(go_w)
    os.close(sink_w)
    return pid, go_r, sink_r


def wait_for_start(go_r):
    """Block until the child has its job (True) or found no job (False)."""
    started = os.read(go_r, 1) == b"g"
    os.close(go_r)
    return started


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


def descendants():
    """This process's children, grandchildren, ... (orphans come to us as subreaper)."""
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


def kill_leftovers(own_pid_namespace, job_pid):
    """Kill every process the job left, until none is left (forks may race the first pass).

    In its own PID namespace the worker (PID 1) kills everything it can see but
    itself: kill(-1) spares only the caller. Elsewhere ("none") it kills its
    descendants; as child subreaper, setsid()/double-forked ones are among them.
    Without /proc (macOS) only the job's process group can be found.
    """
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


def empty_directory(path):
    """Remove everything the job wrote under path (its /tmp), whatever the modes."""
    for name in os.listdir(path):
        target = os.path.join(path, name)
        if os.path.isdir(target) and not os.path.islink(target):
            for root, dirs, _ in os.walk(target):
                for directory in dirs:
                    with contextlib.suppress(OSError):
                        os.chmod(os.path.join(root, directory), 0o700)
            with contextlib.suppress(OSError):
                os.chmod(target, 0o700)
            shutil.rmtree(target, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(target)


def remove_sysv_ipc():
    """Delete the System V shared memory, queues and semaphores a job left behind.

    Only called in the sandbox's own IPC namespace, where all of them are the jobs'.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    removers = {
        "shm": lambda ipc_id: libc.shmctl(ipc_id, IPC_RMID, None),
        "msg": lambda ipc_id: libc.msgctl(ipc_id, IPC_RMID, None),
        "sem": lambda ipc_id: libc.semctl(ipc_id, 0, IPC_RMID),
    }
    for table, remove in removers.items():
        try:
            with open(f"/proc/sysvipc/{table}") as listing:
                rows = listing.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            remove(int(row.split()[1]))


def preload():
    """Import what every job needs once, so a job costs a fork, not a Python start."""
    import matplotlib

    matplotlib.use("Agg")
    import channel  # noqa: F401
    import matplotlib.pyplot  # noqa: F401
    import numpy  # noqa: F401

    import init_utils  # noqa: F401
    import public_tests  # noqa: F401

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


def main():
    config = json.loads(sys.argv[1])
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    prepare_worker()
    preload()
    status_fd = config["status_fd"]
    # What a job inherits: its memory limit must leave room above this.
    write_frame(status_fd, json.dumps({"ready": True, "address_space": address_space()}).encode())
    while True:
        pid, go_r, sink_r = spawn_child(config)
        if not wait_for_start(go_r):
            os.close(sink_r)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
            break
        outcome = supervise(pid, sink_r, config["limits"])
        outcome["clean"] = kill_leftovers(config["own_pid_namespace"], pid)
        empty_directory(config["tmp"])
        if config["own_pid_namespace"]:
            remove_sysv_ipc()
        write_frame(status_fd, json.dumps(outcome).encode())
    kill_leftovers(config["own_pid_namespace"], pid)


if __name__ == "__main__":
    main()
