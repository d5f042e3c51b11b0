# Attack: create an eBPF map (the bpf() system call: a kernel interface with a history of
# privilege escalations; root at level none may even load programs), then answer correctly.
# Expected: the syscall filter refuses bpf -> error "Operation not permitted".
# expect[bubblewrap,unshare,none]: error ~ Operation not permitted
import ctypes
import os

import numpy as np

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def system_call(number, *arguments):
    """syscall(2) through libc; OSError when it fails, like os.* functions."""
    result = libc.syscall(ctypes.c_long(number), *(ctypes.c_long(a) for a in arguments))
    if result < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    return result

SYS_BPF, BPF_MAP_CREATE, BPF_MAP_TYPE_ARRAY = 321, 0, 2
attributes = (ctypes.c_uint32 * 16)(BPF_MAP_TYPE_ARRAY, 4, 4, 1)  # type, key, value, entries
os.close(system_call(SYS_BPF, BPF_MAP_CREATE, ctypes.addressof(attributes), 64))


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
