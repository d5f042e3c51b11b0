# Attack: lower the warm WORKER's own resource limits with prlimit(2) -- the job has the
# worker's uid and knows its PID (its parent) -- so that every later job, a fork of the
# worker, inherits them: a data limit at what the worker already uses (numpy's next
# allocation fails), a 64 KiB stack, and the hard limit on open files.
# Expected: prlimit on another process is refused (EPERM) -> ok and a pass; the worker
# also checks its own limits after every job, so the next job starts unharmed.
# expect[bubblewrap,unshare,none]: ok, judged pass
import os
import resource

import numpy as np

worker = os.getppid()
changed = []
for limit, value in [
    (resource.RLIMIT_DATA, 1 << 20),
    (resource.RLIMIT_STACK, 64 << 10),
    (resource.RLIMIT_NOFILE, 16),
]:
    try:
        resource.prlimit(worker, limit, (value, value))
        changed.append(limit)
    except OSError:
        pass
if changed:
    raise RuntimeError(f"CHANGED the worker's limits {changed}")


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
