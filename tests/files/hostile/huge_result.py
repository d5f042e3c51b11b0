# Attack: return arrays far larger than any answer (4 MiB a call, ~70 MiB in all), to
# exhaust the grader.
# Expected: the result channel refuses oversize messages -> error.
# expect[bubblewrap,unshare,none]: error ~ the result is too large
import numpy as np


def initialize_parameters_he(layers_dims):
    return {"W1": np.zeros((1 << 9, 1 << 10))}
