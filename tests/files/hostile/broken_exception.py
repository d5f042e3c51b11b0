# Attack: raise an exception whose __str__ itself raises, so that formatting the error
# (public_tests.one_line_error) fails inside the observation.
# Expected: the job is an error naming the function; the worker is untouched.
# expect[bubblewrap,unshare,none]: error ~ while calling initialize_parameters_he
class Sabotage(Exception):
    def __str__(self):
        raise RuntimeError("no message for you")


def initialize_parameters_he(layers_dims):
    raise Sabotage()
