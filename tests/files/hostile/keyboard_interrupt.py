# Attack: raise KeyboardInterrupt (a BaseException that public_tests.observe_call does
# not catch) from the graded function.
# Expected: the job reports it as an error instead of crashing the worker.
# expect[bubblewrap,unshare,none]: error ~ KeyboardInterrupt
def initialize_parameters_he(layers_dims):
    raise KeyboardInterrupt
