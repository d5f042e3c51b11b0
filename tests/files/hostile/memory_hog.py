# Attack: allocate and touch 4 GiB inside the graded function.
# Expected: the address-space limit stops it -> error naming the memory limit.
# expect[bubblewrap,unshare,none]: error ~ exceeded the 1 GiB memory limit
import numpy as np


def initialize_parameters_he(layers_dims):
    hog = np.ones((4, 1 << 27))
    return {"W1": hog}
