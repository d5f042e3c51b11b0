"""The result channel between a sandboxed job and the grader: plain JSON, strictly checked.

The sandbox side (`encode_*`) turns what `public_tests.observe` recorded into JSON;
the grader side (`decode_*`) turns untrusted bytes back into observations, or raises
`ChannelError`. Nothing is unpickled or evaluated: arrays travel as
{"dtype": "float64", "shape": [2, 3], "data": <base64 of the little-endian bytes>}
and are rebuilt only for a whitelist of dtypes, after checking that the shape and
the data length agree.

An observation (see public_tests.observe_call) is a dict:
    raised            -- one-line error or None
    returned          -- type name of the result or None
    entries           -- {key: ndarray (any shape) or type name}
    bad_keys          -- reprs of non-string keys
    layers_dims_after -- list of ints or reprs

This module runs inside the sandbox too, so it imports only numpy and the
standard library (never the `autograder` package).
"""

import base64
import binascii
import json

import numpy as np

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
MAX_MESSAGE_BYTES = 8 << 20  # a correct answer is a few hundred bytes
MAX_ARRAY_ELEMENTS = 1 << 20
MAX_NDIM = 8
MAX_TEXT = 300  # one-line errors and type names are cut to this length by public_tests
MAX_ENTRIES = 1000
MAX_CALLS = 64
OBSERVATION_KEYS = {"raised", "returned", "entries", "bad_keys", "layers_dims_after"}


def describe_bytes(size):
    """1073741824 -> '1 GiB', 1048576 -> '1 MiB': sizes in the reasons of job verdicts."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} bytes"


class ChannelError(ValueError):
    """The bytes from the sandbox are not a well-formed message."""


# --------------------------------------------------------------------------
# Sandbox side.
# --------------------------------------------------------------------------


def encode_array(array):
    """An ndarray as {dtype, shape, data}; a dtype off the whitelist becomes its type name."""
    name = array.dtype.name
    if name not in ALLOWED_DTYPES:
        # e.g. float128: public_tests reports it as a wrong type, which it is.
        return f"ndarray of {array.dtype}"
    data = np.ascontiguousarray(array, dtype=ALLOWED_DTYPES[name]).tobytes()
    return {"dtype": name, "shape": list(array.shape), "data": base64.b64encode(data).decode()}


def encode_value(value):
    if type(value) is np.ndarray:
        return encode_array(value)
    return value


def encode_observation(observation):
    """One observation dict as JSON-ready data (arrays encoded)."""
    encoded = dict(observation)
    encoded["entries"] = {key: encode_value(value) for key, value in observation["entries"].items()}
    return encoded


def encode_result(observations_per_call):
    """The message of a job that ran: one list of observations per call, as bytes."""
    payload = {
        "observations": [[encode_observation(o) for o in call] for call in observations_per_call]
    }
    return json.dumps(payload, allow_nan=True).encode()


def encode_error(reason):
    """The message of a job whose student code failed before or outside a call."""
    return json.dumps({"error": str(reason)[:MAX_TEXT]}).encode()


# --------------------------------------------------------------------------
# Grader side: everything below treats its input as hostile.
# --------------------------------------------------------------------------


def require(condition, problem):
    if not condition:
        raise ChannelError(problem)


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
    elements = int(np.prod(shape, dtype=np.int64)) if shape else 1
    require(elements <= MAX_ARRAY_ELEMENTS, "array is too large")
    return tuple(shape), elements


def decode_array(encoded):
    """{dtype, shape, data} -> a fresh, writable ndarray; ChannelError if anything is off."""
    require(type(encoded) is dict and set(encoded) == {"dtype", "shape", "data"}, "bad array")
    name = encoded["dtype"]
    require(type(name) is str and name in ALLOWED_DTYPES, f"dtype {str(name)[:20]!r} not allowed")
    shape, elements = decode_shape(encoded["shape"])
    require(type(encoded["data"]) is str, "array data is not base64 text")
    try:
        data = base64.b64decode(encoded["data"].encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as error:
        raise ChannelError("array data is not valid base64") from error
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


def parse_message(data):
    """Bytes -> a JSON object, refusing oversize input, NaN-free constants aside."""
    require(type(data) is bytes, "message is not bytes")
    require(0 < len(data) <= MAX_MESSAGE_BYTES, "message is empty or too large")
    try:
        message = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ChannelError("message is not valid JSON") from error
    require(type(message) is dict, "message is not a JSON object")
    return message


def decode_result(data, calls_kinds):
    """Bytes from a job -> ("ok", observations) or ("error", reason).

    calls_kinds -- the kind of each call of the job, e.g. ["values", "seeding"]: a
                   "values" call has one observation, a "seeding" call two.
    Raises ChannelError for anything malformed.
    """
    message = parse_message(data)
    if set(message) == {"error"}:
        return "error", decode_text(message["error"], "error reason")
    require(set(message) == {"observations"}, "message has unexpected keys")
    per_call = message["observations"]
    require(type(per_call) is list and len(per_call) == len(calls_kinds), "wrong number of calls")
    require(len(per_call) <= MAX_CALLS, "too many calls")
    decoded = []
    for kind, call in zip(calls_kinds, per_call, strict=True):
        wanted = 2 if kind == "seeding" else 1
        require(type(call) is list and len(call) == wanted, "wrong number of observations")
        decoded.append([decode_observation(observation) for observation in call])
    return "ok", decoded
