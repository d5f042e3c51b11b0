# Attack: return objects that claim to equal anything: a class with __eq__ always True
# and an ndarray subclass whose comparisons are all True.
# Expected: only plain ndarrays cross the channel; these arrive as type names -> ok, a fail.
# expect[bubblewrap,unshare,none]: ok, judged fail
import numpy as np


class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __array__(self, dtype=None, copy=None):
        return np.zeros((1, 1))


class AgreeableArray(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)


def initialize_parameters_he(layers_dims):
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = AlwaysEqual()
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1)).view(AgreeableArray)
    return parameters
