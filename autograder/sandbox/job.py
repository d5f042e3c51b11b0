"""What goes into a sandbox and what comes out: limits, the probe, jobs and their results."""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from .channel import describe_bytes

LEVELS = ("bubblewrap", "unshare", "none")
# The prefix of a job's reason when the sandbox itself failed, twice, before the job started.
SANDBOX_FAILURE = "sandbox failure (not the student's code): "
# The most memory a job may be given (the CLI's --memory-limit ceiling too).
MAX_MEMORY_BYTES = 1 << 30


@dataclass(frozen=True)
class Limits:
    wall_seconds: float = 5.0  # per exercise job
    cpu_seconds: int = 5
    memory_bytes: int = MAX_MEMORY_BYTES
    output_bytes: int = 1 << 20  # stdout+stderr of the student code
    # Count all a job holds (shared memory, memory files, tmpfs, every process) in a memory
    # cgroup per worker where the grader can create one; else RLIMIT_AS per process only.
    memory_cgroup: bool = True
    # Refuse the system calls grading never needs (autograder/sandbox/syscall_filter.py).
    syscall_filter: bool = True


@dataclass(frozen=True)
class Probe:
    """How jobs observe the student's function: given by the user of the sandbox.

    module     -- the module every worker preloads; in the job child its
                  observe_call(function, call) returns what it observed of one call as
                  JSON-able data in which `bytes` travel raw (channel.encode_message),
                  and describe_error(error) words an error in one line
    files      -- {name the worker imports: importable module to copy in}: the probe
                  module and every module of the user's that a job may import
    check_call -- call -> the call as plain JSON data; ValueError for a malformed one
    decode_call -- (untrusted JSON observed of a call, bytes back as read-only
                  memoryviews; the call) -> the call's observations; ValueError for
                  anything malformed
    """

    module: str
    files: dict[str, str]
    check_call: Callable
    decode_call: Callable


@dataclass(frozen=True)
class Job:
    source: str  # the student's program: safe top-level definitions, no IPython magics
    function: str  # e.g. "initialize_parameters_he"
    calls: tuple  # JSON-able calls, checked by the probe's check_call


class JobStatus(StrEnum):
    """How a job ended: its calls ran (OK), it ran out of time, or it failed otherwise."""

    OK = "ok"
    TIMEOUT = "timeout"
    ERROR = "error"


@dataclass
class JobResult:
    status: JobStatus
    reason: str  # one line; "" when ok
    observations: list = field(default_factory=list)  # per call: the probe's decode_call
    seconds: float = 0.0
    isolation: str = "none"
    limits: dict = field(default_factory=dict)  # {limit: how it was enforced}, one line each


class SandboxError(RuntimeError):
    """The sandbox could not be started at the requested isolation level."""


class MemoryLimitError(SandboxError):
    """Limits.memory_bytes leaves a job no room: a setting to fix, not a level to skip."""


def validate_limits(limits):
    if not 0 < limits.memory_bytes <= MAX_MEMORY_BYTES:
        ceiling = describe_bytes(MAX_MEMORY_BYTES)
        raise ValueError(f"Limits.memory_bytes must be positive and at most {ceiling}")
    if limits.wall_seconds <= 0 or limits.cpu_seconds <= 0 or limits.output_bytes <= 0:
        raise ValueError("Limits must be positive")
