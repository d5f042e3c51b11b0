# Attack: leave a secret for the next job in the kernel's key store: a key in the user,
# user-session and session keyrings, and a keyring named after the secret.
# Expected: ok and a pass; no key survives the job (the user keyrings are emptied).
# expect[bubblewrap,unshare]: ok, judged pass
import ctypes
import platform

import numpy as np

ADD_KEY = {"x86_64": 248, "aarch64": 217}.get(platform.machine())
libc = ctypes.CDLL(None, use_errno=True)
if ADD_KEY is not None:
    for keyring in (-4, -5, -3):  # @u, @us, @s
        secret = b"answers of the previous student"
        libc.syscall(ADD_KEY, b"user", b"secret", secret, len(secret), keyring)
        libc.syscall(ADD_KEY, b"keyring", b"secret-keyring", None, 0, keyring)


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
