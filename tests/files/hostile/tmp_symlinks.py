# Attack: leave symlinks in /tmp (/tmp/.matplotlib and others) pointing at the grader's own
# files, so that a cleanup that follows them deletes those files, and the next job's
# matplotlib writes through them.
# Expected: ok and a pass; the links are removed, never followed; the grader's files stay.
# expect[bubblewrap,unshare,none]: ok, judged pass
import os
import tempfile

import numpy as np

import public_tests

grader = os.path.dirname(os.path.abspath(public_tests.__file__))
tmp = tempfile.gettempdir()
for name in (".matplotlib", "grader", "dir-link"):
    os.symlink(grader, os.path.join(tmp, name))
os.symlink("/", os.path.join(tmp, "root"))
os.mkdir(os.path.join(tmp, "inner"))
os.symlink(grader, os.path.join(tmp, "inner", "grader"))
os.chmod(os.path.join(tmp, "inner"), 0)


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
