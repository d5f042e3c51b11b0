"""A probe that knows nothing of the course: it calls the function with a call's arguments.

Used by tests/autograder/sandbox/test_job.py to run the sandbox without the course. It
imports the standard library only, so a job can tell what the worker preloaded.
"""


def observe_call(function, call):
    """What came of one call: its result (JSON-able) or the error's type name."""
    try:
        return {"returned": function(*call["args"])}
    except Exception as error:  # noqa: BLE001 -- an error is an observation
        return {"raised": type(error).__name__}


def describe_error(error):
    return type(error).__name__


def check_call(call):
    """{"args": [int, ...]}; ValueError otherwise."""
    if not all(type(argument) is int for argument in call["args"]):
        raise ValueError(f"bad call {call!r}")
    return {"args": list(call["args"])}


def decode_call(observed, call):
    """{"returned": int} or {"raised": str}; ValueError otherwise."""
    if type(observed) is not dict or len(observed) != 1:
        raise ValueError("bad observation")
    (key, value), = observed.items()
    if (key, type(value)) not in (("returned", int), ("raised", str)):
        raise ValueError("bad observation")
    return observed
