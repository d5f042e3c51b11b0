# Attack: ptrace -- ask to be traced by the worker (PTRACE_TRACEME), the first step of
# tampering with, or reading, another process of the sandbox; then answer correctly.
# Expected: the syscall filter refuses ptrace -> error "Operation not permitted".
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

SYS_PTRACE, PTRACE_TRACEME = 101, 0
system_call(SYS_PTRACE, PTRACE_TRACEME, 0, 0, 0)


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
