"""The course's probe for the sandbox: what its workers stage and preload, and how the
grader checks the calls it sends and reads what comes back (autograder/observations.py)."""

from . import observations
from .sandbox import Probe

COURSE_PROBE = Probe(
    module="observations",
    # init_utils: the notebooks' helpers, which a student's cells may import.
    files={
        "observations": "autograder.observations",
        "public_tests": "public_tests",
        "init_utils": "init_utils",
    },
    check_call=observations.check_call,
    decode_call=observations.decode_call,
)
