# Attack: sys.exit(3) inside the graded function (SystemExit is not an Exception).
# Expected: error naming the exit status.
# expect[bubblewrap,unshare,none]: error ~ the student code exited (status 3) before reporting
import sys


def initialize_parameters_he(layers_dims):
    sys.exit(3)
