# Attack: make the warm WORKER nice 19, SCHED_IDLE, pinned to one CPU and of the lowest I/O
# priority -- settings of another process of the same uid -- so that every later job, a
# fork of it, inherits them and starves into the time limit under load.
# Expected: changing another process's priority, policy, affinity or I/O priority is
# refused (EPERM) -> ok and a pass; the worker also checks its own settings after a job.
# expect[bubblewrap,unshare,none]: ok, judged pass
import ctypes
import os
import platform

import numpy as np

worker = os.getppid()
IOPRIO_SET = {"x86_64": 251, "aarch64": 30}.get(platform.machine())
IOPRIO_WHO_PROCESS, IDLE_CLASS = 1, 3 << 13
changed = []
for name, change in [
    ("nice", lambda: os.setpriority(os.PRIO_PROCESS, worker, 19)),
    ("nice of the user", lambda: os.setpriority(os.PRIO_USER, 0, 19)),
    ("policy", lambda: os.sched_setscheduler(worker, os.SCHED_IDLE, os.sched_param(0))),
    ("affinity", lambda: os.sched_setaffinity(worker, {0})),
]:
    try:
        change()
        changed.append(name)
    except OSError:
        pass
if IOPRIO_SET is not None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.syscall(IOPRIO_SET, IOPRIO_WHO_PROCESS, worker, IDLE_CLASS) == 0:
        changed.append("I/O priority")
if changed:
    raise RuntimeError(f"CHANGED the worker's {changed}")


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
