# Attack: open a hardware/software performance counter on itself (perf_event_open: a large
# kernel interface and a side channel on the machine), then answer correctly.
# Expected: the syscall filter refuses perf_event_open -> error "Operation not permitted".
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

SYS_PERF_EVENT_OPEN = 298
PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK = 1, 1
attributes = (ctypes.c_uint32 * 32)()  # struct perf_event_attr: type, size, config ...
attributes[0], attributes[1], attributes[2] = PERF_TYPE_SOFTWARE, 128, PERF_COUNT_SW_TASK_CLOCK
attributes[10] = 1 << 5 | 1 << 6  # exclude_kernel, exclude_hv: allowed to unprivileged users
os.close(system_call(SYS_PERF_EVENT_OPEN, ctypes.addressof(attributes), 0, -1, -1, 0))


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
