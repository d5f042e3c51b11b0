# Attack: kill(-1, SIGKILL) -- every process the job may signal -- then answer correctly.
# Expected: in a PID namespace that spares the worker (PID 1) and the job itself, and
# cannot reach other sandboxes or the grader -> ok and a pass, the jobs around it intact.
# Never run without namespaces (as root it would kill the whole machine).
# expect[bubblewrap,unshare]: ok, judged pass
import os
import signal

import numpy as np

try:
    os.kill(-1, signal.SIGKILL)
except ProcessLookupError:  # nothing else to kill in here
    pass


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
