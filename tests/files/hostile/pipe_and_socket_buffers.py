# Attack: hold memory in kernel buffers no address-space limit sees: fill as many pipes
# (grown to 1 MiB each) and socket pairs as the file limit allows, then answer correctly.
# Expected: the file-descriptor limit (256), the per-user pipe quota and the socket buffer
# sizes bound it to a few tens of MiB, all freed when the job ends -> ok and a pass.
# expect[bubblewrap,unshare]: ok, judged pass
# fallback[bubblewrap,unshare]: ok, judged pass
import fcntl
import os
import socket

import numpy as np

held = 0
kept = []
try:
    while True:
        reader, writer = os.pipe()
        kept += [reader, writer]
        try:
            fcntl.fcntl(writer, fcntl.F_SETPIPE_SZ, 1 << 20)
        except OSError:
            pass
        os.set_blocking(writer, False)
        try:
            while True:
                held += os.write(writer, b"x" * 65536)
        except BlockingIOError:
            pass
        left, right = socket.socketpair()
        kept += [left, right]
        left.setblocking(False)
        try:
            while True:
                held += left.send(b"x" * 65536)
        except BlockingIOError:
            pass
except OSError:
    pass
if held > 256 << 20:
    raise RuntimeError(f"HELD {held >> 20} MiB in kernel buffers")


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
