# Attack: change what a forked process inherits from its worker, hoping the next job gets
# it: the environment, the working directory, the umask, signal handlers.
# Expected: ok and a pass; each job is a fresh fork, so none of it reaches the next one.
# expect[bubblewrap,unshare,none]: ok, judged pass
import os
import signal

import numpy as np

os.environ["PREVIOUS_STUDENT"] = "answers"
os.putenv("PYTHONSTARTUP", "/tmp/evil.py")
os.umask(0o777)
os.chdir("/")
signal.signal(signal.SIGTERM, signal.SIG_IGN)


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
