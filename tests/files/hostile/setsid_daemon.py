# Attack: leave a daemon behind (double fork + setsid) that outlives the job and would
# tamper with later jobs, then answer correctly.
# Expected: ok and a pass; the daemon is killed when the job ends.
# expect[bubblewrap,unshare,none]: ok, judged pass
import os
import time

import numpy as np

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
