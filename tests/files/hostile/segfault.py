# Attack: crash the interpreter with a segmentation fault inside the graded function.
# Expected: error naming the signal.
# expect[bubblewrap,unshare,none]: error ~ killed by signal 11 (SIGSEGV)
import ctypes


def initialize_parameters_he(layers_dims):
    ctypes.string_at(0)
