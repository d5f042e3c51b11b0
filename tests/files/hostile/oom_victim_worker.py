# Attack: undo the job's OOM preference (oom_score_adj back from 1000 to 0) and map 1.5 GiB
# of shared memory into the job, so that at the memory limit the kernel's OOM killer may
# pick the worker instead of the job -- a crash charged to the sandbox, or to the next job.
# Expected: whichever process the kernel kills, the grader reads the cgroup's own OOM
# counter: this job gets the memory verdict, the worker is replaced, the next jobs pass.
# expect[bubblewrap,unshare]: error ~ exceeded the 1 GiB memory limit
import ctypes
import os

import numpy as np

with open("/proc/self/oom_score_adj", "w") as adjustment:
    adjustment.write("0")
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
SEGMENT = 512 << 20
for _ in range(3):
    segment = libc.shmget(0, SEGMENT, 0o1000 | 0o600)
    if segment < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    address = libc.shmat(segment, None, 0)
    ctypes.memset(address, 1, SEGMENT)
    libc.shmdt(ctypes.c_void_p(address))
def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
