# Attack: pin 1.5 GiB in System V shared memory (3 x 512 MiB, each attached, touched and
# detached again) under a 1 GiB limit, then answer correctly. RLIMIT_AS sees only what is
# attached, so a limit on the address space alone lets it through.
# Expected: the worker's memory cgroup charges shared memory to the job; the kernel stops it
# at the limit -> error naming the memory limit. Without a cgroup, and at level none (the
# host's IPC namespace), the syscall filter refuses shmget -> error "Operation not permitted".
# expect[bubblewrap,unshare]: error ~ exceeded the 1 GiB memory limit
# expect[none]: error ~ Operation not permitted
# fallback[bubblewrap,unshare]: error ~ Operation not permitted
import ctypes
import os

import numpy as np

libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
IPC_PRIVATE, IPC_CREAT = 0, 0o1000
SEGMENT = 512 << 20

for _ in range(3):
    segment = libc.shmget(IPC_PRIVATE, SEGMENT, IPC_CREAT | 0o600)
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
