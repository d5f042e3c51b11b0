"""The course's probe for the sandbox: what its workers stage and preload, and how the
grader checks the calls it sends and reads what comes back (autograder/observations.py).

autograder/observations.py (numpy, public_tests) is imported only when the first call is
checked: a command launches its workers before that, so that their start overlaps the
grader's own import of numpy.
"""

from .sandbox import Probe


def check_call(call):
    """observations.check_call, imported when first needed."""
    from . import observations

    return observations.check_call(call)


def decode_call(observed, call):
    """observations.decode_call, imported when first needed."""
    from . import observations

    return observations.decode_call(observed, call)


COURSE_PROBE = Probe(
    module="observations",
    # init_utils: the notebooks' helpers, which a student's cells may import.
    files={
        "observations": "autograder.observations",
        "public_tests": "public_tests",
        "init_utils": "init_utils",
    },
    check_call=check_call,
    decode_call=decode_call,
)
