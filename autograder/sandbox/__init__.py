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

import importlib

# Where each name lives. They are imported when first used, so that naming the levels or
# the limits (as the command line does before it launches anything) imports neither the
# pool nor the worker machinery, and the grader never imports the worker's own script.
HOMES = {
    "JobTooLargeError": "channel",
    "LEVELS": "job",
    "MAX_MEMORY_BYTES": "job",
    "SANDBOX_FAILURE": "job",
    "Job": "job",
    "JobResult": "job",
    "JobStatus": "job",
    "Limits": "job",
    "MemoryLimitError": "job",
    "Probe": "job",
    "SandboxError": "job",
    "Sandbox": "pool",
    "MIN_JOB_MEMORY": "worker_process",
    "tagged_processes": "worker_process",
}

__all__ = sorted(HOMES)


def __getattr__(name):
    """A public name, imported from its module on first use (PEP 562)."""
    home = HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *HOMES})
