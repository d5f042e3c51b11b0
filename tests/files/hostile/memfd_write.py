# Attack: pin 1.2 GiB in anonymous memory files (memfd_create), filled with write(): nothing
# is mapped, so the address-space limit never sees it. Each file stays under the 1 MiB file
# limit and each process under the 256 open files: five processes hold 240 files each.
# Expected: memfd pages are shared memory, charged to the worker's memory cgroup -> error
# naming the memory limit. Without a cgroup (and at level none) the syscall filter refuses
# memfd_create.
# expect[bubblewrap,unshare]: error ~ exceeded the 1 GiB memory limit
# expect[none]: error ~ Operation not permitted
# fallback[bubblewrap,unshare]: error ~ Operation not permitted
import os

import numpy as np

MEBIBYTE = b"x" * (1 << 20)


def hoard():
    kept = []
    for index in range(240):
        memory_file = os.memfd_create(f"hoard{index}")
        os.write(memory_file, MEBIBYTE)
        kept.append(memory_file)
    return kept


ready_r, ready_w = os.pipe()
hold_r, hold_w = os.pipe()  # never written: the forks wait on it until killed
for _ in range(4):
    if os.fork() == 0:
        try:
            hoard()
            os.write(ready_w, b"!")
            os.close(ready_w)  # the job sees the end of the pipe once every fork is ready or dead
            os.read(hold_r, 1)  # hold it until the job is killed
        finally:
            os._exit(0)
os.close(ready_w)
kept = hoard()
holding = 0
while holding < 4 and (more := os.read(ready_r, 4 - holding)):
    holding += len(more)


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
