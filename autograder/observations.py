"""The course's probe: what a sandboxed job observes of each call, and how the grader reads it.

In the job child (a copy of this module, preloaded by the sandbox worker):
`observe_call(function, call)` runs one call through `public_tests.observe_kind` and encodes
its observations as plain JSON. In the grader: `decode_call(observed, call)` turns that
untrusted JSON back into observations, or raises `ObservationError`. Nothing is
unpickled or evaluated: arrays travel as
{"dtype": "float64", "shape": [2, 3], "data": <the little-endian bytes>}
-- the bytes raw, attached to the message by the sandbox's channel, not inside its JSON --
and are rebuilt only for a whitelist of dtypes, after checking that the shape and
the data length agree. (The frame around them, its size, the attachments and the count of
calls are the sandbox's: autograder/sandbox/channel.py.)

A call is {"kind": "values" | "seeding", "layers_dims": [int, ...]}: a "values" call
has one observation, a "seeding" call two. An observation (see public_tests.observe_call)
is a dict:
    raised            -- one-line error or None
    returned          -- type name of the result or None
    entries           -- {key: ndarray (any shape) or type name}
    bad_keys          -- reprs of non-string keys
    layers_dims_after -- list of ints or reprs

This module runs inside the sandbox too, so it imports only numpy, public_tests and the
standard library (never the `autograder` package).
"""

import math

import numpy as np
import numpy.random  # noqa: F401 -- preloaded in the worker: every initialiser draws

import public_tests

# dtype name -> little-endian dtype. bool, ints, uints, floats: what a numeric
# ndarray entry can hold (public_tests.plain_entry keeps kinds b, i, u, f).
ALLOWED_DTYPES = {
    name: np.dtype(name).newbyteorder("<")
    for name in (
        "bool",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "float16",
        "float32",
        "float64",
    )
}
MAX_ARRAY_ELEMENTS = 1 << 20
MAX_NDIM = 8
MAX_ENTRIES = 1000
# What public_tests writes: its case kinds, its observation keys, its one-line cap.
KINDS = public_tests.KINDS
OBSERVATION_KEYS = set(public_tests.OBSERVATION_KEYS)
MAX_TEXT = public_tests.MAX_LINE


class ObservationError(ValueError):
    """What came back from the sandbox is not a well-formed observation."""


# --------------------------------------------------------------------------
# Sandbox side.
# --------------------------------------------------------------------------


def encode_array(array):
    """An ndarray as {dtype, shape, data: raw bytes}; a dtype off the whitelist becomes its
    type name."""
    name = array.dtype.name
    if name not in ALLOWED_DTYPES:
        # e.g. float128: public_tests reports it as a wrong type, which it is.
        return f"ndarray of {array.dtype}"
    data = np.ascontiguousarray(array, dtype=ALLOWED_DTYPES[name]).tobytes()
    return {"dtype": name, "shape": list(array.shape), "data": data}


def encode_value(value):
    if type(value) is np.ndarray:
        return encode_array(value)
    return value


def encode_observation(observation):
    """One observation dict as JSON-ready data (arrays encoded)."""
    encoded = dict(observation)
    encoded["entries"] = {key: encode_value(value) for key, value in observation["entries"].items()}
    return encoded


def observe_call(function, call):
    """The probe's entry point in the job child: public_tests.observe of one call, encoded."""
    observed = public_tests.observe_kind(function, call["kind"], list(call["layers_dims"]))
    return [encode_observation(observation) for observation in observed]


def describe_error(error):
    """An error of the student's code in one line, as the course words it."""
    return public_tests.one_line_error(error)


def check_call(call):
    """A grader's call as plain data; ValueError for a malformed one (a grader bug)."""
    dims = list(call["layers_dims"])
    if call["kind"] not in KINDS or not all(type(n) is int and n > 0 for n in dims):
        raise ValueError(f"bad call {call!r}: kind {'|'.join(KINDS)}, positive int layers_dims")
    return {"kind": call["kind"], "layers_dims": dims}


# --------------------------------------------------------------------------
# Grader side: everything below treats its input as hostile.
# --------------------------------------------------------------------------


def require(condition, problem):
    if not condition:
        raise ObservationError(problem)


def decode_text(value, what):
    require(type(value) is str, f"{what} is not a string")
    require(len(value) <= MAX_TEXT, f"{what} is longer than {MAX_TEXT} characters")
    require("\n" not in value and "\r" not in value, f"{what} spans several lines")
    return value


def decode_optional_text(value, what):
    return None if value is None else decode_text(value, what)


def decode_shape(shape):
    require(type(shape) is list and len(shape) <= MAX_NDIM, "array shape is not a short list")
    for size in shape:
        require(type(size) is int and 0 <= size <= MAX_ARRAY_ELEMENTS, "array shape is invalid")
    elements = math.prod(shape)  # exact: Python integers do not overflow
    require(elements <= MAX_ARRAY_ELEMENTS, "array is too large")
    return tuple(shape), elements


def decode_array(encoded):
    """{dtype, shape, data} -> a fresh, writable ndarray; ObservationError if anything is off."""
    require(type(encoded) is dict and set(encoded) == {"dtype", "shape", "data"}, "bad array")
    name = encoded["dtype"]
    require(type(name) is str and name in ALLOWED_DTYPES, f"dtype {str(name)[:20]!r} not allowed")
    shape, elements = decode_shape(encoded["shape"])
    data = encoded["data"]
    # Attachments of the channel arrive as memoryviews; nothing in JSON can be one.
    require(type(data) is memoryview, "array data is not raw bytes")
    dtype = ALLOWED_DTYPES[name]
    require(len(data) == elements * dtype.itemsize, "array data does not match its shape")
    array = np.frombuffer(data, dtype=dtype).reshape(shape)
    # Native byte order and a private, writable copy: nothing aliases the message.
    return array.astype(dtype.newbyteorder("="), copy=True)


def decode_entry(value):
    if type(value) is str:
        return decode_text(value, "entry type name")
    return decode_array(value)


def decode_observation(encoded):
    """One observation, with exactly the keys public_tests.observe_call writes."""
    require(type(encoded) is dict and set(encoded) == OBSERVATION_KEYS, "bad observation keys")
    entries = encoded["entries"]
    require(type(entries) is dict and len(entries) <= MAX_ENTRIES, "bad entries")
    bad_keys = encoded["bad_keys"]
    require(type(bad_keys) is list and len(bad_keys) <= MAX_ENTRIES, "bad bad_keys")
    after = encoded["layers_dims_after"]
    require(type(after) is list and len(after) <= MAX_ENTRIES, "bad layers_dims_after")
    for item in after:
        require(type(item) is int or type(item) is str, "bad layers_dims_after item")
        if type(item) is str:
            decode_text(item, "layers_dims_after item")
    return {
        "raised": decode_optional_text(encoded["raised"], "raised"),
        "returned": decode_optional_text(encoded["returned"], "returned"),
        "entries": {decode_text(k, "entry key"): decode_entry(v) for k, v in entries.items()},
        "bad_keys": [decode_text(key, "bad key") for key in bad_keys],
        "layers_dims_after": list(after),
    }


def decode_call(observed, call):
    """The JSON observed of one call -> its observations (as many as
    public_tests.OBSERVATIONS_PER_KIND says for the call's kind).

    Raises ObservationError for anything malformed.
    """
    wanted = public_tests.OBSERVATIONS_PER_KIND[call["kind"]]
    require(type(observed) is list and len(observed) == wanted, "wrong number of observations")
    return [decode_observation(observation) for observation in observed]
