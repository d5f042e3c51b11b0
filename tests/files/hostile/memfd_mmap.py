# Attack: pin 1.5 GiB through three memory files (memfd_create + ftruncate), each mapped,
# touched and unmapped again while its file descriptor stays open.
# Expected: the memory cgroup charges the files' pages -> error naming the memory limit.
# Without a cgroup the syscall filter refuses memfd_create.
# expect[bubblewrap,unshare,none]: error ~ exceeded the 1 GiB memory limit
# fallback[bubblewrap,unshare]: error ~ Operation not permitted
import mmap
import os

import numpy as np

SIZE = 512 << 20
kept = []
for index in range(3):
    memory_file = os.memfd_create(f"hoard{index}")
    os.ftruncate(memory_file, SIZE)
    with mmap.mmap(memory_file, SIZE) as mapping:
        for offset in range(0, SIZE, 4096):
            mapping[offset] = 1
    kept.append(memory_file)


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
