# Attack: fill /tmp with files that are deleted but kept open by a daemon (double fork +
# setsid), so that the next job's /tmp looks empty yet has no room left.
# Expected: ok and a pass; the daemon is killed, the space is freed before the next job.
# expect[bubblewrap,unshare,none]: ok, judged pass
import os
import tempfile
import time

import numpy as np

handles = []
for index in range(80):
    path = os.path.join(tempfile.gettempdir(), f"hidden{index}")
    handles.append(open(path, "wb", buffering=0))
    os.unlink(path)
    try:
        handles[-1].write(b"x" * ((1 << 20) - 1))  # a file may be as large as the output limit
    except OSError:
        break  # /tmp is full
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(300)
    os._exit(0)


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
