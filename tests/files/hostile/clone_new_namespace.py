# Attack: start a child in new user and PID namespaces with the raw clone() system call
# (as unshare does, but hidden in a fork), then answer correctly.
# Expected: the syscall filter refuses clone() with any namespace flag (and clone3 says
# ENOSYS, so that its flags cannot slip past) -> error "Operation not permitted".
# expect[bubblewrap,unshare]: error ~ Operation not permitted
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

SYS_CLONE, SIGCHLD = 56, 17
CLONE_NEWUSER, CLONE_NEWPID = 0x10000000, 0x20000000
child = system_call(SYS_CLONE, CLONE_NEWUSER | CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0)
if child == 0:
    os._exit(0)
os.waitpid(child, 0)


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
