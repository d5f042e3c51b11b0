"""The bytes between the grader, a sandbox worker and its job child: the only framing and
the only size limits.

Every stream carries frames: a 4-byte big-endian length, then that many bytes. The
grader writes job frames and the worker status frames, each of UTF-8 JSON (at most
MAX_JOB_BYTES, MAX_STATUS_BYTES); the job child writes one payload frame (at most
MAX_PAYLOAD_BYTES), straight to the grader, holding a message:

    {"observations": [<what the probe observed of call 1>, ...]}   -- the calls ran
    {"error": "<one line>"}                                         -- they did not

A message is a JSON object plus raw byte strings attached to it (the probe's arrays, say,
which would cost a base64 round trip inside JSON): wherever the probe put `bytes` in its
data, the JSON holds {"$bytes": <index>}, and the bytes follow the JSON, each
length-prefixed:

    <JSON size> <count of attachments>                 two 4-byte big-endian integers
    <JSON>                                             UTF-8
    <size> <bytes>, ... (count times)                  4-byte big-endian size, raw bytes

The payload comes from student code: `decode_payload` treats it as hostile (exact sizes,
no byte left over, strict JSON, each reference an index in range, exact keys, one
observation per call, one-line reasons); attachments come back as read-only memoryviews
where the references were, and what each observation holds is for the probe's decoder
to check.

This module runs inside the sandbox too (a copy next to worker.py), so it imports only
the standard library.
"""

import json
import os
import struct

HEADER = struct.Struct(">I")
MAX_JOB_BYTES = 4 << 20  # the student's code and the calls
MAX_STATUS_BYTES = 1 << 16  # no status of the worker is that long
MAX_PAYLOAD_BYTES = 8 << 20  # a correct answer is a few hundred bytes
MAX_CALLS = 64
# Raw byte strings a message may carry (the course's probe attaches one per array).
MAX_ATTACHMENTS = 1 << 16
MESSAGE_HEADER = struct.Struct(">II")  # JSON size, count of attachments
ATTACHMENT_KEY = "$bytes"
MAX_REASON = 300  # characters of a one-line reason


class ChannelError(ValueError):
    """The bytes from the sandbox are not a well-formed message."""


class JobTooLargeError(ValueError):
    """A submission's code is beyond what a job may carry (the student's doing)."""


def describe_bytes(size):
    """1073741824 -> '1 GiB', 1048576 -> '1 MiB': sizes in the reasons of job verdicts.

    Here, with the size limits, because the worker needs it inside the sandbox, where
    this module is the only one of the grader's that it can import.
    """
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} bytes"


# --------------------------------------------------------------------------
# Frames.
# --------------------------------------------------------------------------


def frame(data):
    return HEADER.pack(len(data)) + data


def split_frame(buffer):
    """(message bytes, rest) when buffer holds a whole frame, else (None, buffer)."""
    if len(buffer) < HEADER.size:
        return None, buffer
    (size,) = HEADER.unpack(buffer[: HEADER.size])
    if len(buffer) < HEADER.size + size:
        return None, buffer
    return bytes(buffer[HEADER.size : HEADER.size + size]), buffer[HEADER.size + size :]


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def write_frame(fd, data):
    write_all(fd, frame(data))


def read_exactly(fd, size):
    chunks = []
    while size:
        chunk = os.read(fd, min(size, 1 << 16))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_frame(fd, max_bytes=MAX_JOB_BYTES):
    """One frame's bytes, or None at end of stream or for a frame over max_bytes."""
    header = read_exactly(fd, HEADER.size)
    if header is None:
        return None
    (size,) = HEADER.unpack(header)
    if size > max_bytes:
        return None
    return read_exactly(fd, size)


# --------------------------------------------------------------------------
# Jobs (grader -> job child) and payloads (job child -> grader).
# --------------------------------------------------------------------------


def encode_job(source, function, calls, last=True):
    """The frame of one job; JobTooLargeError when the code is beyond MAX_JOB_BYTES.

    last -- whether it is the last job of its group: the worker resets and verifies its
            clean state after the last job of a group only (the jobs of one group -- one
            submission -- share /tmp, as the cells of one notebook share a kernel)
    """
    message = {"source": source, "function": function, "calls": calls, "last": bool(last)}
    data = json.dumps(message).encode()
    if len(data) > MAX_JOB_BYTES:
        raise JobTooLargeError(f"the code is larger than {describe_bytes(MAX_JOB_BYTES)}")
    return frame(data)


def encode_message(message):
    """A JSON-able object, any `bytes` in it attached raw (see the module's docstring).

    The one-key object {"$bytes": <int>} is the encoder's: message must not hold one.
    """
    attachments = []

    def attach(value):
        if type(value) is not bytes:
            raise TypeError(f"{type(value).__name__} is not JSON-able")
        attachments.append(value)
        return {ATTACHMENT_KEY: len(attachments) - 1}

    text = json.dumps(message, allow_nan=True, default=attach).encode()
    parts = [MESSAGE_HEADER.pack(len(text), len(attachments)), text]
    for data in attachments:
        parts += [HEADER.pack(len(data)), data]
    return b"".join(parts)


def encode_observations(observations):
    """The payload of a job whose calls ran: one JSON-able observation per call (bytes
    in it are attached raw)."""
    return encode_message({"observations": observations})


def encode_error(reason):
    """The payload of a job whose code failed before or outside a call."""
    return encode_message({"error": str(reason)[:MAX_REASON]})


def require(condition, problem):
    if not condition:
        raise ChannelError(problem)


def decode_reason(value, what="error reason"):
    """A one-line text of at most MAX_REASON characters; ChannelError otherwise."""
    require(type(value) is str, f"{what} is not a string")
    require(len(value) <= MAX_REASON, f"{what} is longer than {MAX_REASON} characters")
    require("\n" not in value and "\r" not in value, f"{what} spans several lines")
    return value


def parse_payload(buffer):
    """The job child's one framed message, or ChannelError (missing, extra, cut bytes)."""
    message, rest = split_frame(buffer)
    if message is None or rest:
        raise ChannelError("the result is not exactly one frame")
    return message


def split_attachments(data):
    """A message's bytes -> (its JSON text as bytes, [attachment as a read-only memoryview]).

    ChannelError unless the sizes account for every byte exactly.
    """
    require(type(data) is bytes, "message is not bytes")
    require(0 < len(data) <= MAX_PAYLOAD_BYTES, "message is empty or too large")
    require(len(data) >= MESSAGE_HEADER.size, "message is cut short")
    text_size, count = MESSAGE_HEADER.unpack_from(data)
    require(count <= MAX_ATTACHMENTS, "message has too many attachments")
    offset = MESSAGE_HEADER.size + text_size
    require(offset + count * HEADER.size <= len(data), "message is cut short")
    view = memoryview(data).toreadonly()
    attachments = []
    for _ in range(count):
        require(offset + HEADER.size <= len(data), "an attachment is cut short")
        (size,) = HEADER.unpack_from(data, offset)
        offset += HEADER.size
        require(offset + size <= len(data), "an attachment is cut short")
        attachments.append(view[offset : offset + size])
        offset += size
    require(offset == len(data), "message has bytes after its attachments")
    return data[MESSAGE_HEADER.size : MESSAGE_HEADER.size + text_size], attachments


def parse_message(data):
    """Bytes -> a JSON object with its attachments in place, refusing anything malformed."""
    text, attachments = split_attachments(data)

    def attached(value):
        """A JSON object: an attachment where it is a reference to one."""
        index = value.get(ATTACHMENT_KEY)
        if type(index) is not int or len(value) != 1:
            return value  # (only the encoder writes an int there: see encode_message)
        require(0 <= index < len(attachments), "attachment reference out of range")
        return attachments[index]

    try:
        message = json.loads(text.decode("utf-8"), object_hook=attached)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        if isinstance(error, ChannelError):
            raise
        raise ChannelError("message is not valid JSON") from error
    require(type(message) is dict, "message is not a JSON object")
    return message


def decode_payload(data, call_count):
    """A job child's message -> ("ok", [JSON observation per call]) or ("error", reason).

    Raises ChannelError for anything malformed.
    """
    message = parse_message(data)
    if set(message) == {"error"}:
        return "error", decode_reason(message["error"])
    require(set(message) == {"observations"}, "message has unexpected keys")
    observations = message["observations"]
    require(type(observations) is list and len(observations) == call_count, "wrong number of calls")
    require(len(observations) <= MAX_CALLS, "too many calls")
    return "ok", observations
