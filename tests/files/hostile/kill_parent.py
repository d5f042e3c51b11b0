# Attack: SIGKILL the process that forked the job (the warm worker), then answer correctly.
# Expected: in a PID namespace the worker is PID 1 and ignores it -> ok and a pass;
# without namespaces the worker dies, this job is an error and the worker is restarted.
# expect[bubblewrap,unshare]: ok, judged pass
# expect[none]: error ~ killed the sandbox worker
import os
import signal

import numpy as np


def initialize_parameters_he(layers_dims):
    os.kill(os.getppid(), signal.SIGKILL)
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
