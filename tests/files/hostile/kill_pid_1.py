# Attack: SIGKILL PID 1 and SIGSTOP the parent, then answer correctly.
# Expected: PID 1 of the sandbox's namespace is the worker, which no job can signal -> ok.
# (Not run without namespaces: PID 1 would be the host's init.)
# expect[bubblewrap,unshare]: ok, judged pass
import os
import signal

import numpy as np

os.kill(1, signal.SIGKILL)
os.kill(os.getppid(), signal.SIGSTOP)


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
