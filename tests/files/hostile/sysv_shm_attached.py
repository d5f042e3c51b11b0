# Attack: pin 2 GiB of System V shared memory kept attached: four processes (the job and
# three forks) each attach and touch their own 512 MiB segment and stay alive; each stays
# under its own 1 GiB address space, together they hold twice the limit.
# Expected: the memory cgroup counts all of them together -> error naming the memory limit.
# Without a cgroup, and at level none, the syscall filter refuses shmget.
# expect[bubblewrap,unshare]: error ~ exceeded the 1 GiB memory limit
# expect[none]: error ~ Operation not permitted
# fallback[bubblewrap,unshare]: error ~ Operation not permitted
import ctypes
import os
import time

import numpy as np

libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
SEGMENT = 512 << 20


def hold_segment():
    segment = libc.shmget(0, SEGMENT, 0o1000 | 0o600)
    if segment < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    ctypes.memset(libc.shmat(segment, None, 0), 1, SEGMENT)


for _ in range(3):
    if os.fork() == 0:
        try:
            hold_segment()
        finally:
            time.sleep(60)
            os._exit(0)
hold_segment()
time.sleep(0.5)


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
