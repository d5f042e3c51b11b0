# Attack: reach the worker's file descriptors and memory through /proc (the job stream
# would carry the next submission; the status fd could forge verdicts), and ptrace it.
# Expected: the worker is not dumpable, so /proc/<worker>/fd, /mem and ptrace are refused
# -> ok and a pass. (Without namespaces the job runs as the grader's uid -- root here --
# and could: not run at that level.)
# expect[bubblewrap,unshare]: ok, judged pass
import ctypes
import os

import numpy as np

worker = os.getppid()
reached = []
for path in [f"/proc/{worker}/fd/0", f"/proc/{worker}/mem", f"/proc/{worker}/environ"]:
    try:
        with open(path, "rb") as handle:
            handle.read(1)
        reached.append(path)
    except OSError:
        pass
try:
    os.listdir(f"/proc/{worker}/fd")
    reached.append("fd listing")
except OSError:
    pass
PTRACE_ATTACH = 16
if ctypes.CDLL(None).ptrace(PTRACE_ATTACH, worker, None, None) == 0:
    reached.append("ptrace")
if reached:
    raise RuntimeError(f"REACHED {reached}")


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
