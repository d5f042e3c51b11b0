# Attack: fill the private /tmp to the last block and inode (many small files, then one
# file until the disk is full), so that the next job cannot write anything.
# Expected: ok and a pass; /tmp is empty with all its room before the next job.
# expect[bubblewrap,unshare]: ok, judged pass
import os
import tempfile

import numpy as np

tmp = tempfile.gettempdir()
try:
    for index in range(5000):
        os.mkdir(os.path.join(tmp, f"d{index}"))
    for index in range(80):
        with open(os.path.join(tmp, f"f{index}"), "wb") as handle:
            handle.write(b"x" * ((1 << 20) - 1))  # a file may be as large as the output limit
except OSError:
    pass  # ENOSPC: /tmp is as full as it gets


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
