# Attack: take every permission off /tmp from a class body (code that runs when the cell
# is defined), so that the next job in this warm worker cannot even enter its /tmp.
# Expected: ok and a pass; the worker gives the next job a /tmp of mode 0o700 again.
# expect[bubblewrap,unshare,none]: ok, judged pass
import os
import tempfile

import numpy as np


class Sabotage:
    os.chmod(tempfile.gettempdir(), 0)


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
