# Attack: leave ordinary traces in /tmp for the next job: a hidden file, a named pipe, a
# Unix socket file, a hard link, and a directory made unwritable.
# Expected: ok and a pass; /tmp is empty before the next job.
# expect[bubblewrap,unshare,none]: ok, judged pass
import os
import socket
import tempfile

import numpy as np

tmp = tempfile.gettempdir()
with open(os.path.join(tmp, ".answers"), "w") as handle:
    handle.write("answers of the previous student")
os.link(os.path.join(tmp, ".answers"), os.path.join(tmp, "hard"))
os.mkfifo(os.path.join(tmp, "pipe"))
server = socket.socket(socket.AF_UNIX)
server.bind(os.path.join(tmp, "socket"))
os.mkdir(os.path.join(tmp, "ro"))
open(os.path.join(tmp, "ro", "inside"), "w").close()
os.chmod(os.path.join(tmp, "ro"), 0o500)


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
