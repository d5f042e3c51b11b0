# Attack: open a network connection (to a server the test runs on the grader's loopback)
# and an outside address, then answer correctly.
# Expected: the sandbox has its own, empty network namespace: every connection fails
# -> ok and a pass, and the grader's server sees no connection.
# expect[bubblewrap,unshare]: ok, judged pass
import socket

import numpy as np

connected = []
for address in [("127.0.0.1", __PORT__), ("localhost", __PORT__)]:
    try:
        with socket.create_connection(address, timeout=1):
            connected.append(address)
    except OSError:
        pass
if connected:
    raise RuntimeError(f"CONNECTED {connected}")


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
