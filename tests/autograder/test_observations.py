"""The course's observations through the sandbox's channel: they survive the trip; anything
malformed is refused."""

import contextlib
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import public_tests
from autograder import cases, observations, reference
from autograder.probe import COURSE_PROBE
from autograder.sandbox import channel
from autograder.sandbox.worker_process import read_payload

# What the sandbox turns into "malformed result from the sandbox".
MALFORMED = (channel.ChannelError, observations.ObservationError)


def encode_result(observations_per_call):
    """A job child's message: what the worker writes for these calls' observations."""
    encoded = [[observations.encode_observation(o) for o in call] for call in observations_per_call]
    return channel.encode_observations(encoded)


def decode_result(data, kinds):
    """The grader's reading of a job child's message, as the sandbox reads it."""
    calls = [{"kind": kind, "layers_dims": [3, 2, 1]} for kind in kinds]
    return read_payload(data, calls, COURSE_PROBE)


def he_reference(layers_dims):
    return reference.initialize("he", layers_dims)


def observations_of(function, kinds=("values", "seeding")):
    return [public_tests.observe_kind(function, kind, [3, 2, 1]) for kind in kinds]


def round_trip(observations, kinds=("values", "seeding")):
    return decode_result(encode_result(observations), list(kinds))


def valid_message(entries=None):
    """A well-formed message of one "values" call, as a JSON-ready dict."""
    observation = {
        "raised": None,
        "returned": "dict",
        "entries": entries if entries is not None else {},
        "bad_keys": [],
        "layers_dims_after": [3, 2, 1],
    }
    return {"observations": [[observation]]}


def encoded_array(dtype="float64", shape=(2, 3), data=None):
    if data is None:
        data = np.zeros(shape, dtype=np.dtype(dtype).newbyteorder("<")).tobytes()
    return {"dtype": dtype, "shape": list(shape), "data": data}


def decode(message):
    return decode_result(channel.encode_message(message), ["values"])


def envelope(text, attachments=()):
    """A message's bytes around a JSON text, however malformed, and raw attachments."""
    parts = [channel.MESSAGE_HEADER.pack(len(text), len(attachments)), text]
    for data in attachments:
        parts += [channel.HEADER.pack(len(data)), data]
    return b"".join(parts)


def test_observations_survive_the_round_trip():
    """Do decoded observations equal what public_tests.observe recorded, array for array?"""
    original = observations_of(he_reference)
    status, decoded = round_trip(original)
    assert status == "ok"
    for sent_call, got_call in zip(original, decoded, strict=True):
        for sent, got in zip(sent_call, got_call, strict=True):
            assert set(got) == set(sent)
            assert got["layers_dims_after"] == sent["layers_dims_after"]
            for key, value in sent["entries"].items():
                assert got["entries"][key].dtype == value.dtype
                np.testing.assert_array_equal(got["entries"][key], value)


def test_judging_decoded_observations_gives_the_same_verdicts():
    """Does every case of every scheme get the same verdict after the channel as before?"""
    wrong = lambda layers_dims: {"W1": np.ones((2, 2), dtype=int)}  # noqa: E731
    for scheme in public_tests.SCHEMES:
        for function in (lambda dims, s=scheme: reference.initialize(s, dims), wrong):
            for case in cases.all_cases(scheme):
                observed = public_tests.observe(function, case)
                _, decoded = decode_result(encode_result([observed]), [case.kind])
                assert public_tests.judge(case, decoded[0]) == public_tests.judge(case, observed)


@pytest.mark.parametrize("dtype", sorted(observations.ALLOWED_DTYPES))
def test_every_whitelisted_dtype_round_trips(dtype):
    """Does an array of each allowed dtype come back with that dtype, shape and values?"""
    array = (np.arange(6).reshape(2, 3) % 2).astype(dtype)
    status, decoded = round_trip(
        [[{**valid_message()["observations"][0][0], "entries": {"W1": array}}]], ["values"]
    )
    got = decoded[0][0]["entries"]["W1"]
    assert status == "ok" and got.dtype == np.dtype(dtype) and got.shape == (2, 3)
    np.testing.assert_array_equal(got, array)


def test_decoded_arrays_are_private_writable_copies():
    """Can the grader write to a decoded array (it does not alias the message buffer)?"""
    message = valid_message({"W1": encoded_array()})
    _, decoded = decode(message)
    array = decoded[0][0]["entries"]["W1"]
    array[0, 0] = 5.0
    assert array.flags.writeable and array.flags.owndata


@pytest.mark.parametrize("dtype", ["longdouble", "complex128", "object", "datetime64[s]"])
def test_arrays_off_the_whitelist_travel_as_type_names(dtype):
    """Does the sandbox side send a type name, not bytes, for a dtype the grader refuses?"""
    array = np.zeros((2, 2), dtype=dtype)
    assert observations.encode_array(array) == f"ndarray of {array.dtype}"


@pytest.mark.parametrize(
    "array, problem",
    [
        (encoded_array(dtype="object"), "not allowed"),
        (encoded_array(dtype="complex128", data=b"\0" * 96), "not allowed"),
        (encoded_array(dtype=">f8"), "not allowed"),
        ({**encoded_array(), "shape": [2, 4]}, "does not match"),
        ({**encoded_array(), "shape": [2, -3]}, "shape is invalid"),
        ({**encoded_array(), "shape": [2, 3.0]}, "shape is invalid"),
        ({**encoded_array(), "shape": [True, 6]}, "shape is invalid"),
        ({**encoded_array(), "shape": [1 << 20, 1 << 20]}, "too large"),
        ({**encoded_array(), "shape": [1] * 9}, "short list"),
        ({**encoded_array(), "data": "not raw bytes"}, "raw bytes"),
        ({**encoded_array(), "data": 0}, "raw bytes"),
        ({**encoded_array(), "data": {"$bytes": "0"}}, "raw bytes"),
        ({**encoded_array(), "extra": 1}, "bad array"),
        (["float64", [2, 3], ""], "bad array"),
        (42, "bad array"),
    ],
)
def test_malformed_arrays_are_refused(array, problem):
    """Is each malformed array refused, saying what is wrong?"""
    with pytest.raises(MALFORMED, match=problem):
        decode(valid_message({"W1": array}))


def corrupt(path, value):
    """valid_message() with the value at path (keys into the first observation) replaced."""
    message = valid_message({"W1": encoded_array()})
    target = message["observations"][0][0]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return message


@pytest.mark.parametrize(
    "message",
    [
        corrupt(["raised"], 3),
        corrupt(["raised"], "two\nlines"),
        corrupt(["raised"], "x" * 301),
        corrupt(["returned"], ["dict"]),
        corrupt(["entries"], []),
        corrupt(["entries", "W1"], None),
        corrupt(["bad_keys"], "1"),
        corrupt(["bad_keys"], [1]),
        corrupt(["layers_dims_after"], [3, 2.5, 1]),
        corrupt(["layers_dims_after"], [3, True, 1]),
        corrupt(["layers_dims_after"], {"0": 3}),
        {"observations": [[{"raised": None}]]},
        {"observations": [[]]},
        {"observations": []},
        {"observations": [[valid_message()["observations"][0][0]]] * 2},
        {"observations": "all passed"},
        {"observations": [], "error": "x"},
        {"error": ["not", "text"]},
        {"status": "ok", "passed": True},
    ],
)
def test_malformed_messages_are_refused(message):
    """Is a message with a wrong shape anywhere refused (never a pass)?"""
    with pytest.raises(MALFORMED):
        decode(message)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        envelope(b"\xff\xfe not utf-8"),
        envelope(b"not json"),
        envelope(b"[1, 2, 3]"),
        envelope(b'"a string"'),
        envelope(b"[" * 100000 + b"]" * 100000),
        envelope(b'{"observations": ' + b"1" * 5000 + b"}"),
        b"x" * (channel.MAX_PAYLOAD_BYTES + 1),
        envelope(b"x" * (channel.MAX_PAYLOAD_BYTES - 8)),
    ],
)
def test_undecodable_bytes_are_refused(data):
    """Are empty, non-UTF-8, non-JSON, deeply nested and oversize inputs refused?"""
    with pytest.raises(MALFORMED):
        decode_result(data, ["values"])


VALID = json.dumps(valid_message({"W1": {**encoded_array(shape=(1,)), "data": {"$bytes": 0}}}))


@pytest.mark.parametrize(
    "data, problem",
    [
        (b"\0\0\0", "cut short"),
        (envelope(VALID.encode())[:-3], "cut short"),
        (envelope(VALID.encode(), [b"\0" * 8])[:-1], "cut short"),
        (envelope(VALID.encode(), [b"\0" * 8]) + b"\0", "bytes after"),
        (envelope(VALID.encode(), [b"\0" * 8, b""])[:-4], "cut short"),
        (envelope(VALID.replace('"$bytes": 0', '"$bytes": 1').encode(), [b"\0" * 8]), "range"),
        (envelope(VALID.replace('"$bytes": 0', '"$bytes": -1').encode(), [b"\0" * 8]), "range"),
        (envelope(VALID.encode()), "range"),
        (channel.MESSAGE_HEADER.pack(2, 1 << 30) + b"{}", "too many attachments"),
        (channel.MESSAGE_HEADER.pack(2, 1000) + b"{}", "cut short"),
        (channel.MESSAGE_HEADER.pack(1 << 31, 0) + b"{}", "cut short"),
        (envelope(VALID.encode(), [b"\0" * 7]), "does not match"),
    ],
)
def test_malformed_attachments_are_refused(data, problem):
    """Is a message whose sizes, attachments or references do not add up exactly refused,
    saying what is wrong?"""
    assert decode_result(envelope(VALID.encode(), [b"\0" * 8]), ["values"])[0] == "ok"
    with pytest.raises(MALFORMED, match=problem):
        decode_result(data, ["values"])


# A valid message, and one with a second (empty, unreferenced) attachment.
GOOD = envelope(VALID.encode(), [b"\0" * 8])
GOOD_TWO = envelope(VALID.encode(), [b"\0" * 8, b""])


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=300),
        st.integers(0, len(GOOD_TWO)).map(lambda size: GOOD_TWO[:size]),
        st.tuples(st.integers(0, len(GOOD)), st.integers(0, 255), st.integers(0, len(GOOD))).map(
            lambda edit: GOOD[: edit[0]] + bytes([edit[1]]) + GOOD[edit[2] :]
        ),
    )
)
def test_any_bytes_are_a_message_or_refused(data):
    """Do any bytes -- random, or a valid message cut, spliced or with a byte changed --
    decode, or get refused as malformed, never raise anything else?"""
    with contextlib.suppress(*MALFORMED):
        decode_result(data, ["values"])


def test_arrays_travel_as_raw_bytes_not_inside_the_json():
    """Does an array's data travel as raw bytes after the JSON (no base64 text), and a
    student's own "$bytes" key stay a key?"""
    array = np.arange(6, dtype=np.float64).reshape(2, 3)
    data = encode_result([[{**valid_message()["observations"][0][0], "entries": {"W1": array}}]])
    text, attachments = channel.split_attachments(data)
    assert [bytes(attachment) for attachment in attachments] == [array.tobytes()]
    assert array.tobytes() not in text and b'"data": {"$bytes": 0}' in text

    def odd(layers_dims):
        return {"$bytes": 0}

    _, decoded = round_trip([public_tests.observe_kind(odd, "values", [2, 1])], ["values"])
    assert decoded[0][0]["entries"] == {"$bytes": "int"}


def test_a_seeding_call_needs_exactly_two_observations():
    """Is a seeding call with one observation refused, and one with two accepted?"""
    one = valid_message()["observations"][0]
    with pytest.raises(MALFORMED, match="number of observations"):
        decode_result(channel.encode_message({"observations": [one]}), ["seeding"])
    message = {"observations": [one * 2]}
    assert decode_result(channel.encode_message(message), ["seeding"])[0] == "ok"


def test_an_error_message_is_an_error_with_its_reason():
    """Does {"error": reason} decode as ("error", reason)?"""
    data = channel.encode_error("name 'initialize_parameters_he' is not defined")
    assert decode_result(data, ["values"]) == (
        "error",
        "name 'initialize_parameters_he' is not defined",
    )


def test_type_names_and_errors_survive_as_text():
    """Do a raised error, a type name entry and a non-string key come back unchanged?"""

    def odd(layers_dims):
        return {"W1": [1, 2], 3: "x"}

    def broken(layers_dims):
        raise ZeroDivisionError("division by zero")

    original = [public_tests.observe_kind(odd, "values", [2, 1])]
    original.append(public_tests.observe_kind(broken, "values", [2, 1]))
    _, decoded = round_trip(original, ["values", "values"])
    assert decoded[0][0]["entries"] == {"W1": "list"} and decoded[0][0]["bad_keys"] == ["3"]
    assert decoded[1][0]["raised"] == "ZeroDivisionError: division by zero"
