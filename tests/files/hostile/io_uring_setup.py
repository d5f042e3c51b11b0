# Attack: set up an io_uring (a large, often-exploited kernel interface that also does I/O
# on the kernel's own threads), then answer correctly.
# Expected: the syscall filter refuses io_uring_setup -> error "Operation not permitted".
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

SYS_IO_URING_SETUP = 425
parameters = ctypes.create_string_buffer(120)  # struct io_uring_params, zeroed
os.close(system_call(SYS_IO_URING_SETUP, 8, ctypes.addressof(parameters)))


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
