# Attack: overwrite the graders' files (public_tests in /grader, the repository's cases,
# the Python install) and write into / and /dev/shm, then answer correctly.
# Expected: everything but the private /tmp is read-only or absent -> ok and a pass.
# expect[bubblewrap,unshare]: ok, judged pass
import os
import sys

import numpy as np

REPO = "__REPO_ROOT__"
written = []
for target in [
    "/grader/public_tests.py",
    f"{REPO}/autograder/cases.py",
    f"{REPO}/public_tests.py",
    os.path.join(os.path.dirname(np.__file__), "__init__.py"),
    os.path.join(sys.prefix, "pwned.txt"),
    "/pwned.txt",
    "/dev/shm/pwned.txt",
    "/etc/pwned.txt",
]:
    try:
        with open(target, "a") as handle:
            handle.write("\n# pwned\n")
        written.append(target)
    except OSError:
        pass
with open("/tmp/scratch.txt", "w") as handle:  # the job's own /tmp is fine
    handle.write("scratch")
if written:
    raise RuntimeError(f"WROTE {written}")


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
