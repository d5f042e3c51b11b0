# Attack: sys.exit(3) inside the graded function (SystemExit is not an Exception),
# hoping to end the job before the checks.
# Expected: public_tests.observe_call catches it: a failed case, reported in one line
# ("raised SystemExit: it called sys.exit(3) ..."); os._exit stays an error
# (os_exit_in_function.py).
# expect[bubblewrap,unshare,none]: ok, judged fail
import sys


def initialize_parameters_he(layers_dims):
    sys.exit(3)
