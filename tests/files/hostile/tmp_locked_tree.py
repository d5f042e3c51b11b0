# Attack: hide a note for the next job in a nested tree of mode-000 directories under /tmp
# (a cleanup that lists before it fixes the modes cannot remove it), and lock /tmp's own
# subdirectory with the sticky bit.
# Expected: ok and a pass; the whole tree is removed before the next job.
# expect[bubblewrap,unshare,none]: ok, judged pass
import os
import tempfile

import numpy as np

top = os.path.join(tempfile.gettempdir(), "locked")
deep = os.path.join(top, "a", "b", "c")
os.makedirs(deep)
with open(os.path.join(deep, "note.txt"), "w") as note:
    note.write("answers of the previous student")
os.symlink("note.txt", os.path.join(deep, "link"))
for directory in (deep, os.path.dirname(deep), os.path.dirname(os.path.dirname(deep))):
    os.chmod(directory, 0)
os.chmod(top, 0o1000)


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
