"""Running the grader's own reading of submissions in a forked child, under limits.

Reading, JSON parsing, extraction and static analysis of a notebook run no student
code, but their cost grows with what the student wrote: a 20 MB list literal took
minutes and gigabytes, deep nesting overflows recursive steps. So they run in a
`Reader`: a child forked from the grader (cheap: nothing is re-imported) that
computes one call at a time, with

  * an address-space limit of what the child inherited plus `Bounds.memory_bytes`,
  * a CPU-time limit of `Bounds.cpu_seconds` per call, no core files, no file writes,
  * a wall-clock deadline per call kept by the parent, which kills the child on expiry,

and answers each call with one frame of plain JSON on a pipe: the parent reads at
most `Bounds.result_bytes` and decodes it strictly (never pickle). Whatever a call
does -- MemoryError, RecursionError, a crash, a signal, a hang -- the parent gets a
value or a `LimitError` with a one-line reason, and the child is replaced: the next
call starts in a fresh one. The child also leaves by itself when its memory has
grown (RECYCLE_GROWTH_BYTES), so that no call inherits a smaller budget. The
grader's own memory grows by the results only.

One child serves many calls because a fork per call costs several milliseconds
(copy-on-write faults, teardown) on every notebook of a batch.
"""

import contextlib
import gc
import json
import os
import resource
import select
import signal
import threading
import time
from dataclasses import dataclass

from .sandbox.channel import describe_bytes, frame, read_frame, split_frame, write_all, write_frame

# What the child reports when the call itself failed (it is alive to say so).
MEMORY, RECURSION, INTERNAL = "memory", "recursion", "internal"
MAX_DESCRIPTOR = os.sysconf("SC_OPEN_MAX")
# A child whose address space grew by this much since it started leaves after its answer.
RECYCLE_GROWTH_BYTES = 64 << 20
MAX_REQUEST_BYTES = 1 << 20


@dataclass(frozen=True)
class Bounds:
    """Limits of each bounded call.

    memory_bytes -- address space the child may add to what it inherits
    cpu_seconds  -- CPU time of one call (RLIMIT_CPU, SIGXCPU)
    wall_seconds -- deadline of one call, kept by the parent (the child may block)
    result_bytes -- largest JSON result the parent reads
    """

    memory_bytes: int = 512 << 20
    cpu_seconds: int = 5
    wall_seconds: float = 10.0
    result_bytes: int = 16 << 20


class LimitError(Exception):
    """The call did not finish within its limits; str(error) is a one-line reason."""


class InternalError(Exception):
    """The call raised an unexpected exception (a grader bug); str(error) is one line."""


# --------------------------------------------------------------------------
# The child.
# --------------------------------------------------------------------------


def address_space():
    """Bytes of address space this process maps now (VmSize)."""
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
    """The child's lasting limits: memory, no core file (SIGXCPU/SIGSEGV dump), no writes."""
    set_limit(resource.RLIMIT_AS, address_space() + bounds.memory_bytes)
    set_limit(resource.RLIMIT_CORE, 0)
    set_limit(resource.RLIMIT_FSIZE, 0)


def limit_next_call(bounds):
    """CPU time for one more call: the soft limit moves, the hard one stays (no privilege)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = int(usage.ru_utime + usage.ru_stime) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = used + bounds.cpu_seconds
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def answer(function, args):
    """The answer to one call: {"value": ...} or {"failure": kind, "detail": text}."""
    try:
        return {"value": function(*args)}
    except MemoryError:
        return {"failure": MEMORY}
    except RecursionError:
        return {"failure": RECURSION}
    except Exception as error:  # noqa: BLE001 -- reported to the parent as one line
        return {"failure": INTERNAL, "detail": f"{type(error).__name__}: {error}"[:300]}


def encoded(message, bounds):
    """The answer's bytes; ensure_ascii: a lone surrogate in student text travels escaped."""
    try:
        data = json.dumps(message, ensure_ascii=True).encode("ascii")
    except (TypeError, ValueError, RecursionError, MemoryError) as error:
        message = {"failure": INTERNAL, "detail": f"{type(error).__name__}: {error}"[:300]}
        data = json.dumps(message).encode("ascii")
    if len(data) > bounds.result_bytes:
        detail = f"a result of more than {describe_bytes(bounds.result_bytes)}"
        data = json.dumps({"failure": INTERNAL, "detail": detail}).encode("ascii")
    return data


def next_request(descriptor):
    """The next call's arguments from the parent, or None when the parent is done."""
    data = read_frame(descriptor, MAX_REQUEST_BYTES)
    return None if data is None else json.loads(data)


def serve(function, bounds, requests, answers):
    """In the forked child: answer calls until the parent is done or a call failed."""
    # The grader's Python signal handlers (cleanups of its own) must not run here;
    # Ctrl-C is the grader's to handle, and it ends this child.
    for number in signal.valid_signals():
        with contextlib.suppress(OSError, ValueError, RuntimeError):
            if callable(signal.getsignal(number)):
                signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The grader's other descriptors (the sandbox's pipes) are none of its business,
    # and a copy held here would delay a worker's end of file.
    keep = sorted({requests, answers})
    os.closerange(3, keep[0])
    os.closerange(keep[0] + 1, keep[1])
    os.closerange(keep[1] + 1, MAX_DESCRIPTOR)
    # The objects inherited from the grader are never collected here: the collector
    # skips them instead of touching (and copying) every page of the grader's heap.
    gc.freeze()
    limit_child(bounds)
    start = address_space()
    while True:
        args = next_request(requests)
        if args is None:
            return
        limit_next_call(bounds)
        message = answer(function, args)
        # After a failure, or once grown, the next call gets a fresh child.
        message["last"] = "failure" in message or address_space() - start > RECYCLE_GROWTH_BYTES
        write_frame(answers, encoded(message, bounds))
        if message["last"]:
            return


def run_child(function, bounds, requests, answers):
    status = 1
    try:
        serve(function, bounds, requests, answers)
        status = 0
    except BaseException:  # noqa: BLE001 -- nothing may escape into the grader's code
        status = 1
    finally:
        os._exit(status)


# --------------------------------------------------------------------------
# The parent.
# --------------------------------------------------------------------------


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


def decode_answer(data, bounds):
    """(value, whether the child leaves), or the exception the answer stands for."""
    try:
        message = json.loads(data.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        message = None
    if not isinstance(message, dict) or not (set(message) & {"value", "failure"}):
        raise InternalError("the reader sent an unreadable answer")
    failure = message.get("failure")
    if failure == MEMORY:
        raise LimitError(f"it needs more than {describe_bytes(bounds.memory_bytes)} of memory")
    if failure == RECURSION:
        raise LimitError("it is nested too deeply")
    if failure is not None:
        raise InternalError(str(message.get("detail", ""))[:300])
    return message["value"], message.get("last") is True


class Reader:
    """A child that computes function(*args) for one call at a time, under Bounds.

    Thread-safe (calls are serialised). The child is forked at the first call and
    replaced after any failed call; close() ends it.
    """

    def __init__(self, function, bounds=Bounds()):
        self.function, self.bounds = function, bounds
        self.pid = None
        self.lock = threading.Lock()

    def start(self):
        request_read, request_write = os.pipe2(os.O_CLOEXEC)
        answer_read, answer_write = os.pipe2(os.O_CLOEXEC)
        try:
            pid = os.fork()
        except BaseException:
            for descriptor in (request_read, request_write, answer_read, answer_write):
                os.close(descriptor)
            raise
        if pid == 0:
            run_child(self.function, self.bounds, request_read, answer_write)
        os.close(request_read)
        os.close(answer_write)
        self.pid, self.requests, self.answers = pid, request_write, answer_read

    def stop(self, kill=True):
        """End the child (killed, or left to exit after its last answer) and reap it."""
        if self.pid is None:
            return None
        os.close(self.requests)
        os.close(self.answers)
        if kill:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        return status

    def close(self):
        with self.lock:
            self.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def call(self, *args):
        """function(*args), computed in the child; args and value are plain JSON data.

        Raises LimitError (the input is too costly) or InternalError (a bug of the
        function), each with a one-line reason; never anything the child raised.
        """
        request = frame(json.dumps(list(args), ensure_ascii=True).encode("ascii"))
        with self.lock:
            for attempt in range(2):
                if self.pid is None:
                    self.start()
                try:
                    write_all(self.requests, request)
                    break
                except BrokenPipeError:
                    # The child died between calls (killed from outside): a fresh one.
                    self.stop()
                    if attempt:
                        raise InternalError("the reader does not accept calls") from None
            return self.receive()

    def receive(self):
        """The answer to the call just sent; the child is replaced unless it succeeded."""
        try:
            data = self.read_frame()
        except BaseException:
            # A deadline, or the grader interrupted (Ctrl-C): the child's answer to this
            # call must never be read as the answer to the next one.
            self.stop()
            raise
        if data is None:
            # End of file: the child died during the call.
            status = self.stop(kill=False)
            if os.WIFSIGNALED(status):
                raise LimitError(signal_reason(os.WTERMSIG(status), self.bounds))
            code = os.waitstatus_to_exitcode(status)
            raise InternalError(f"the reader exited with status {code}")
        try:
            value, last = decode_answer(data, self.bounds)
        except (LimitError, InternalError):
            self.stop()
            raise
        if last:
            self.stop(kill=False)
        return value

    def read_frame(self):
        """One answer frame, or None at end of file; LimitError at the deadline or cap."""
        deadline = time.monotonic() + self.bounds.wall_seconds
        buffer = bytearray()
        while True:
            message, _ = split_frame(buffer)
            if message is not None:
                return message
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise LimitError(f"it takes more than {self.bounds.wall_seconds:g} s")
            ready, _, _ = select.select([self.answers], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self.answers, 1 << 20)
            if not chunk:
                return None
            buffer += chunk
            if len(buffer) > self.bounds.result_bytes + 4:
                limit = describe_bytes(self.bounds.result_bytes)
                raise InternalError(f"a result of more than {limit}")


def call(function, *args, bounds=Bounds()):
    """function(*args) computed once in a fresh limited child (see Reader.call)."""
    with Reader(function, bounds) as reader:
        return reader.call(*args)
