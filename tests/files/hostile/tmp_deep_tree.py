# Attack: nest directories under /tmp deeper than a recursive cleanup can go (3,000 levels,
# each left mode 0o000 by the level above), with a note at the bottom.
# Expected: ok and a pass; the tree is removed, or the worker is replaced, before the next job.
# expect[bubblewrap,unshare,none]: ok, judged pass
import os
import tempfile

import numpy as np

start = os.getcwd()
os.chdir(tempfile.gettempdir())
for _ in range(3000):
    os.mkdir("d")
    os.chdir("d")
with open("note.txt", "w") as note:
    note.write("answers of the previous student")
for _ in range(3000):
    os.chdir("..")
    os.chmod("d", 0)
os.chdir(start)


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
