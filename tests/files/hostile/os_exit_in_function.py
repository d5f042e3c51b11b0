# Attack: os._exit(0) inside the graded function: no exception, no cleanup, status 0.
# Expected: error, the job exited before reporting.
# expect[bubblewrap,unshare,none]: error ~ the student code exited (status 0) before reporting
import os


def initialize_parameters_he(layers_dims):
    os._exit(0)
