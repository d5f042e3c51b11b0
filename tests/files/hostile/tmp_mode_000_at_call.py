# Attack: answer correctly, then take every permission off /tmp (and the working
# directory) from inside the graded function, after its result is computed.
# Expected: ok and a pass; the next job in this worker starts in a usable /tmp.
# expect[bubblewrap,unshare,none]: ok, judged pass
import os
import tempfile

import numpy as np

TMP = tempfile.gettempdir()


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    os.chmod(os.getcwd(), 0)
    os.chmod(TMP, 0)
    return parameters
