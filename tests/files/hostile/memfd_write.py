# Attack: pin 1.5 GiB in an anonymous memory file (memfd_create), filled with write():
# nothing is mapped, so the address-space limit never sees it.
# Expected: memfd pages are shared memory, charged to the worker's memory cgroup -> error
# naming the memory limit. Without a cgroup the syscall filter refuses memfd_create.
# expect[bubblewrap,unshare,none]: error ~ exceeded the 1 GiB memory limit
# fallback[bubblewrap,unshare]: error ~ Operation not permitted
import os

import numpy as np

memory_file = os.memfd_create("hoard")
chunk = b"x" * (16 << 20)
for _ in range(96):  # 96 x 16 MiB = 1.5 GiB
    os.write(memory_file, chunk)


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
