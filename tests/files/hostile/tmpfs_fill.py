# Attack: fill the job's /tmp with 1 MiB files (each at the output limit) until the disk is
# full, hoping for far more than its 64 MiB cap, then answer correctly.
# Expected: the private /tmp is a 64 MiB tmpfs: writing stops there (ENOSPC), the attack
# holds at most that much, answers correctly and is emptied afterwards -> ok and a pass.
# (Not run without namespaces: there /tmp is a folder on the grader's disk.)
# expect[bubblewrap,unshare]: ok, judged pass
# fallback[bubblewrap,unshare]: ok, judged pass
import os

import numpy as np

written = 0
chunk = b"x" * (1 << 20)
try:
    for index in range(1024):
        with open(f"/tmp/fill{index}", "wb") as file:
            file.write(chunk)
        written += len(chunk)
except OSError:
    pass
if written > 64 << 20:
    raise RuntimeError(f"WROTE {written >> 20} MiB into /tmp")


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
