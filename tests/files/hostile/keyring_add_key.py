# Attack: store a note in the session keyring with add_key (kernel memory, outside the
# job's /tmp and address space, readable later by a job of the same uid), then answer
# correctly.
# Expected: the syscall filter refuses add_key/keyctl/request_key -> error "Operation not
# permitted" (the note never exists).
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

SYS_ADD_KEY = 248
KEY_SPEC_SESSION_KEYRING = -3
note = ctypes.create_string_buffer(b"answers of the previous student")
system_call(
    SYS_ADD_KEY,
    ctypes.addressof(ctypes.create_string_buffer(b"user")),
    ctypes.addressof(ctypes.create_string_buffer(b"note")),
    ctypes.addressof(note),
    len(note.value),
    KEY_SPEC_SESSION_KEYRING,
)


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
