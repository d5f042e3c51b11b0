"""Running the grader's own reading of a submission in a forked child, under limits.

Reading, JSON parsing, extraction and static analysis of a notebook run no student
code, but their cost grows with what the student wrote: a 20 MB list literal took
minutes and gigabytes, deep nesting overflows recursive steps. So they run in a
child forked from the grader (cheap: nothing is re-imported) with

  * an address-space limit of what the child inherited plus `Bounds.memory_bytes`,
  * a CPU-time limit, no core files and no file writes,
  * a wall-clock deadline kept by the parent, which kills the child on expiry,

and the child sends back plain JSON on a pipe: the parent reads at most
`Bounds.result_bytes` and decodes it strictly (never pickle). Whatever the child
does -- MemoryError, RecursionError, a crash, a signal, a hang -- the parent gets a
value or a `LimitError` with a one-line reason; the grader's own memory grows by
the result only.
"""

import contextlib
import json
import os
import resource
import select
import signal
import time
from dataclasses import dataclass

from .channel import describe_bytes

# What the child reports when the work itself failed (it is alive to say so).
MEMORY, RECURSION, INTERNAL = "memory", "recursion", "internal"
MAX_DESCRIPTOR = os.sysconf("SC_OPEN_MAX")


@dataclass(frozen=True)
class Bounds:
    """Limits of one bounded call.

    memory_bytes -- address space the child may add to what it inherits
    cpu_seconds  -- CPU time of the child (RLIMIT_CPU, SIGXCPU)
    wall_seconds -- deadline kept by the parent (the child may block or sleep)
    result_bytes -- largest JSON result the parent reads
    """

    memory_bytes: int = 512 << 20
    cpu_seconds: int = 5
    wall_seconds: float = 10.0
    result_bytes: int = 16 << 20


class LimitError(Exception):
    """The bounded work did not finish within its limits; str(error) is a one-line reason."""


class InternalError(Exception):
    """The bounded work raised an unexpected exception (a grader bug); str is one line."""


def inherited_address_space():
    """Bytes of address space this process maps now (VmSize): the child's starting point."""
    with open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def set_limit(kind, soft, hard=None):
    """Lower a resource limit (never above the current hard limit)."""
    _, current_hard = resource.getrlimit(kind)
    hard = soft if hard is None else hard
    if current_hard != resource.RLIM_INFINITY:
        soft, hard = min(soft, current_hard), min(hard, current_hard)
    resource.setrlimit(kind, (soft, hard))


def limit_child(bounds):
    """The child's limits: memory, CPU, no core file (SIGXCPU/SIGSEGV dump), no writes."""
    set_limit(resource.RLIMIT_AS, inherited_address_space() + bounds.memory_bytes)
    set_limit(resource.RLIMIT_CPU, bounds.cpu_seconds, bounds.cpu_seconds + 1)
    set_limit(resource.RLIMIT_CORE, 0)
    set_limit(resource.RLIMIT_FSIZE, 0)


def child_message(function, args, bounds):
    """The bytes the child sends: {"value": ...} or {"failure": kind, "detail": text}."""
    try:
        message = {"value": function(*args)}
        # ensure_ascii: a lone surrogate in student text travels as an escape.
        data = json.dumps(message, ensure_ascii=True).encode("ascii")
    except MemoryError:
        return b'{"failure": "memory"}'
    except RecursionError:
        return b'{"failure": "recursion"}'
    except Exception as error:  # noqa: BLE001 -- reported to the parent as one line
        detail = f"{type(error).__name__}: {error}"[:300]
        return json.dumps({"failure": INTERNAL, "detail": detail}).encode("ascii")
    if len(data) > bounds.result_bytes:
        detail = f"a result of more than {describe_bytes(bounds.result_bytes)}"
        return json.dumps({"failure": INTERNAL, "detail": detail}).encode("ascii")
    return data


def run_child(function, args, bounds, write_end):
    """In the forked child: limit, work, write the message, exit without cleanup."""
    status = 1
    try:
        # Ctrl-C is the parent's to handle; it kills this child.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        # The grader's other descriptors (the sandbox's pipes) are none of its business,
        # and a copy held here would delay a worker's end of file.
        os.closerange(3, write_end)
        os.closerange(write_end + 1, MAX_DESCRIPTOR)
        limit_child(bounds)
        data = child_message(function, args, bounds)
        view = memoryview(data)
        while view:
            view = view[os.write(write_end, view) :]
        status = 0
    except BaseException:  # noqa: BLE001 -- nothing may escape into the grader's code
        status = 1
    finally:
        os._exit(status)


def read_result(read_end, pid, bounds):
    """Bytes from the child until EOF; LimitError at the deadline or past the cap."""
    deadline = time.monotonic() + bounds.wall_seconds
    chunks, total = [], 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise LimitError(f"it takes more than {bounds.wall_seconds:g} s")
        ready, _, _ = select.select([read_end], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(read_end, min(1 << 20, bounds.result_bytes + 1 - total))
        if not chunk:
            return b"".join(chunks), deadline
        chunks.append(chunk)
        total += len(chunk)
        if total > bounds.result_bytes:
            raise InternalError(f"a result of more than {describe_bytes(bounds.result_bytes)}")


def wait_until(pid, deadline):
    """The child's wait status; None if it has not exited by the deadline."""
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.001)


def kill_and_reap(pid):
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def signal_reason(number, bounds):
    if number == signal.SIGXCPU:
        return f"it takes more than {bounds.cpu_seconds} s of CPU time"
    if number in (signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT):
        # A C-level stack overflow or an allocation failure inside the interpreter.
        return f"reading it crashed the reader ({signal.Signals(number).name})"
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = f"signal {number}"
    return f"reading it was stopped by {name}"


def decode_message(data, status, bounds):
    """The child's value, or the exception its message or exit status stands for."""
    if os.WIFSIGNALED(status):
        raise LimitError(signal_reason(os.WTERMSIG(status), bounds))
    try:
        message = json.loads(data.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        message = None
    if not isinstance(message, dict) or not (set(message) & {"value", "failure"}):
        raise InternalError(f"the reader exited with status {os.waitstatus_to_exitcode(status)}")
    failure = message.get("failure")
    if failure == MEMORY:
        raise LimitError(f"it needs more than {describe_bytes(bounds.memory_bytes)} of memory")
    if failure == RECURSION:
        raise LimitError("it is nested too deeply")
    if failure is not None:
        raise InternalError(str(message.get("detail", ""))[:300])
    return message["value"]


def call(function, *args, bounds=Bounds()):
    """function(*args) computed in a limited child; its value must be plain JSON data.

    Raises LimitError (the input is too costly) or InternalError (a bug of the
    function), each with a one-line reason; never anything the child raised.
    """
    read_end, write_end = os.pipe2(os.O_CLOEXEC)
    try:
        pid = os.fork()
    except BaseException:
        os.close(read_end)
        os.close(write_end)
        raise
    if pid == 0:
        os.close(read_end)
        run_child(function, args, bounds, write_end)
    os.close(write_end)
    reaped = False
    try:
        data, deadline = read_result(read_end, pid, bounds)
        status = wait_until(pid, deadline)
        if status is None:
            raise LimitError(f"it takes more than {bounds.wall_seconds:g} s")
        reaped = True
        return decode_message(data, status, bounds)
    finally:
        os.close(read_end)
        if not reaped:
            kill_and_reap(pid)
