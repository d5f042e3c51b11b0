# Attack: never return from the graded function.
# Expected: the wall-clock limit ends the job -> timeout.
# expect[bubblewrap,unshare,none]: timeout ~ time limit
def initialize_parameters_he(layers_dims):
    while True:
        pass
