# Attack: read the hidden cases, the reference solution, the tests, the source notebook,
# other submissions and the grader's environment, then answer correctly.
# Expected: none of it exists inside a namespace sandbox -> ok and a pass. (Without
# namespaces the files are readable: the attack is not run at that level.)
# expect[bubblewrap,unshare]: ok, judged pass
import os

import numpy as np

REPO = "__REPO_ROOT__"
TARGETS = [
    f"{REPO}/autograder/cases.py",
    f"{REPO}/autograder/reference.py",
    f"{REPO}/tests/conftest.py",
    f"{REPO}/source",
    f"{REPO}/submitted",
    f"{REPO}/autograded",
    f"{REPO}/gradebook.db",
    "/grader/cases.py",
    "/grader/reference.py",
    "/proc/1/environ",
    "/home",
    "/etc/shadow",
]
found = []
for target in TARGETS:
    try:
        if os.path.isdir(target):
            found.append(f"{target}: {os.listdir(target)[:3]}")
        else:
            with open(target, "rb") as handle:
                found.append(f"{target}: {handle.read(40)!r}")
    except OSError:
        pass
if os.listdir("/grader") and set(os.listdir("/grader")) - {
    "public_tests.py",
    "init_utils.py",
    "observations.py",
    "channel.py",
    "worker.py",
}:
    found.append(f"/grader: {os.listdir('/grader')}")
# The Python install may be bound below the repository (a .venv), nothing else of it.
if os.path.isdir(REPO) and set(os.listdir(REPO)) - {".venv"}:
    found.append(f"{REPO}: {sorted(os.listdir(REPO))[:5]}")
if found:
    raise RuntimeError("LEAK " + "; ".join(found))


def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
