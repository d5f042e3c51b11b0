# Attack: start 20 processes (each could fill its own 1 GiB address space: 20 GiB in all),
# then answer correctly.
# Expected: under bubblewrap RLIMIT_NPROC counts the sandbox's own tasks (8 with the
# worker), so at most 6 more start -- a job's memory stays bounded -> ok and a pass.
# (Under unshare the limit is uid-wide and larger; without namespaces root is exempt.)
# expect[bubblewrap]: ok, judged pass
import os
import time

import numpy as np

started = 0
for _ in range(20):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    started += 1
if started > 6:
    raise RuntimeError(f"STARTED {started} processes")


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
