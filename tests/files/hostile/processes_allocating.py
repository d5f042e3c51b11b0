# Attack: five forked processes each allocate and touch 320 MiB and stay alive (1.6 GiB in
# all, each well under its own 1 GiB address space), then the job answers correctly.
# Expected: the memory cgroup counts every process of the worker together: the kernel stops
# the job at the limit -> error naming the memory limit.
# (Without a cgroup RLIMIT_AS is per process: 8 tasks x 1 GiB is the bound -> ok, a pass.)
# expect[bubblewrap,unshare]: error ~ exceeded the 1 GiB memory limit
import os

import numpy as np

ready_r, ready_w = os.pipe()
hold_r, hold_w = os.pipe()  # never written: the forks wait on it until killed
for _ in range(5):
    if os.fork() == 0:
        hoard = b"x" * (320 << 20)
        os.write(ready_w, b"!")
        os.close(ready_w)  # the job sees the end of the pipe once every fork is ready or dead
        os.read(hold_r, 1)  # hold it until the job is killed
        os._exit(0)
os.close(ready_w)
holding = len(os.read(ready_r, 5))
while holding < 5 and (more := os.read(ready_r, 5 - holding)):
    holding += len(more)


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
