"""The sandbox: run untrusted code in warm, isolated workers; nothing of any course.

    pool.py           -- Sandbox: a pool of worker slots, jobs in, results out
    worker_process.py -- one slot: launch, pump, verdicts, restarts
    launch.py         -- the command, binds and environment of each isolation level
    jail.py           -- the root-only steps before a worker starts (cgroup, binds, chroot)
    cgroup.py         -- a memory cgroup per worker
    syscall_filter.py -- the seccomp filter of the job children
    worker.py         -- the script run inside the sandbox: a fork server for jobs
    channel.py        -- the only framing and the only size limits
    job.py            -- Limits, Probe, Job, JobResult, JobStatus and the errors

The user gives a Probe: the module the workers preload, which observes each call in the
job child, and the grader-side checks of the calls and of what comes back.
"""

from .channel import JobTooLargeError
from .job import (
    LEVELS,
    MAX_MEMORY_BYTES,
    SANDBOX_FAILURE,
    Job,
    JobResult,
    JobStatus,
    Limits,
    MemoryLimitError,
    Probe,
    SandboxError,
)
from .pool import Sandbox
from .worker_process import MIN_JOB_MEMORY, tagged_processes

__all__ = [
    "LEVELS",
    "MAX_MEMORY_BYTES",
    "MIN_JOB_MEMORY",
    "SANDBOX_FAILURE",
    "Job",
    "JobResult",
    "JobStatus",
    "JobTooLargeError",
    "Limits",
    "MemoryLimitError",
    "Probe",
    "Sandbox",
    "SandboxError",
    "tagged_processes",
]
