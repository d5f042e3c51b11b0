# Attack: eight threads, each allocating and touching 160 MiB (1.25 GiB in all) inside the
# graded function.
# Expected: threads share one address space and one memory cgroup: the memory limit stops
# them -> error naming the memory limit.
# expect[bubblewrap,unshare,none]: error ~ exceeded the 1 GiB memory limit
# fallback[bubblewrap,unshare]: error ~ exceeded the 1 GiB memory limit
import threading

import numpy as np

hoard = []


def allocate():
    try:
        hoard.append(b"x" * (160 << 20))
    except MemoryError:
        hoard.append(None)


def initialize_parameters_he(layers_dims):
    threads = [threading.Thread(target=allocate) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if None in hoard:
        raise MemoryError("a thread could not allocate")
    return {"W1": np.zeros((layers_dims[1], layers_dims[0])), "b1": np.zeros((layers_dims[1], 1))}
