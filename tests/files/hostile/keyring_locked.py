# Attack: put a secret in the user keyring, then take every permission off that keyring
# (keyctl setperm 0), so that the worker can no longer empty it for the next job.
# Expected: ok and a pass; the worker finds the key still there, is replaced by a new
# sandbox (a new user namespace, a new user keyring), and the next job sees nothing.
# Not run at unshare: there the user keyring is the host's uid 65534's, for good.
# expect[bubblewrap]: ok, judged pass
import ctypes
import platform

import numpy as np

ADD_KEY, KEYCTL = {"x86_64": (248, 250), "aarch64": (217, 219)}.get(platform.machine(), (0, 0))
KEYCTL_SETPERM, USER_KEYRING = 5, -4
libc = ctypes.CDLL(None, use_errno=True)
if ADD_KEY:
    secret = b"answers of the previous student"
    libc.syscall(ADD_KEY, b"user", b"secret", secret, len(secret), USER_KEYRING)
    libc.syscall(KEYCTL, KEYCTL_SETPERM, USER_KEYRING, 0)


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
