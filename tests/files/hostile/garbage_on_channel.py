# Attack: write garbage onto the result channel itself (its fd is in the worker's argv),
# then return normally so that the real message follows the garbage.
# Expected: the grader decodes strictly -> error "malformed result", never a pass.
# expect[bubblewrap,unshare,none]: error ~ malformed result
import json
import os
import sys

import numpy as np

config = json.loads(sys.argv[1])
os.write(config["payload_fd"], b"\x00\x00\x00\x05hello")


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
