# Attack: leave /tmp world-writable with the sticky, setgid and setuid bits (0o7777), a
# mode the next job would inherit (and files it creates there, the setgid group).
# Expected: ok and a pass; the next job's /tmp is exactly 0o700 again.
# expect[bubblewrap,unshare,none]: ok, judged pass
import os
import tempfile

import numpy as np

os.chmod(tempfile.gettempdir(), 0o7777)


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
