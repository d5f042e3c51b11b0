"""Is student text shown as data: escaped, one-to-one, valid UTF-8, whatever it holds?"""

import re

import pytest
from hypothesis import given
from support.hostile_names import HOSTILE_TEXTS
from support.output_fuzzing import ANY_TEXT, unsafe_characters

from autograder.safe_text import safe_data, shown

ESCAPE = re.compile(r"\\(\\|t|n|r|x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8})")


def unshown(text):
    """The inverse of shown(): proves that no two texts are shown alike."""

    def original(match):
        escape = match.group(1)
        if escape in ("\\", "t", "n", "r"):
            return {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}[escape]
        code = int(escape[1:], 16)
        if escape[0] == "x" and code >= 0x80:
            return chr(0xDC00 + code)  # a file name's byte, as os.fsdecode keeps it
        return chr(code)

    return ESCAPE.sub(original, text)


def is_valid_utf8(text):
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@pytest.mark.parametrize("attack", sorted(HOSTILE_TEXTS))
def test_hostile_text_is_shown_escaped_not_removed(attack):
    """Does each attack become valid UTF-8 without one unsafe character, every one visible?"""
    text = HOSTILE_TEXTS[attack]
    safe = shown(text)
    assert is_valid_utf8(safe)
    assert unsafe_characters(safe, allowed="") == []
    assert unshown(safe) == text  # nothing dropped: every character is still there


def test_escapes_say_what_each_character_was():
    """Are the escapes the familiar ones: \\x1b, \\u202e, a file name's byte as \\xe9?"""
    assert shown("\x1b[2J") == "\\x1b[2J"
    assert shown("a\u202eb") == "a\\u202eb"
    assert shown("caf\udce9") == "caf\\xe9"  # os.fsdecode(b"caf\xe9")
    assert shown("\x9b") == "\\u009b"  # a C1 control, not a byte
    assert shown("\ud800") == "\\ud800"
    assert shown("tag\U000e0041") == "tag\\U000e0041"
    assert shown("a\\xe9") == "a\\\\xe9"  # a real backslash is doubled: no confusion


def test_plain_text_is_unchanged():
    """Is ordinary text, accents, CJK and emoji with joiners, left as it is?"""
    for text in ("All 7 cases passed.", "café", "初期化", "👩\u200d💻", "a\u200cb"):
        assert shown(text) == text


def test_feedback_keeps_its_own_line_breaks_only():
    """In multi-line feedback, do our newlines stay while a CR or U+2028 is escaped?"""
    assert shown("one\ntwo\rthree\u2028", keep_newlines=True) == "one\ntwo\\rthree\\u2028"
    assert shown("one\ntwo") == "one\\ntwo"


def test_safe_data_escapes_keys_values_and_odd_objects():
    """Are keys, nested values and non-plain objects of a report made safe, numbers kept?"""

    class Loud:
        def __str__(self):
            return "\x1b[31mred"

    data = {
        "notebook": "x\x1b.ipynb",
        "score": 3.0,
        "ok": True,
        "limits": {"mem\u202eory": "1 GiB\x07"},
        "exercises": [{"feedback": "a\nb\x1b", "name": Loud()}],
        "nan": float("nan"),
    }
    safe = safe_data(data)
    assert safe["notebook"] == "x\\x1b.ipynb"
    assert safe["score"] == 3.0 and safe["ok"] is True
    assert safe["limits"] == {"mem\\u202eory": "1 GiB\\x07"}
    assert safe["exercises"] == [{"feedback": "a\nb\\x1b", "name": "\\x1b[31mred"}]
    assert safe["nan"] == "nan"


@given(ANY_TEXT)
def test_any_text_is_shown_one_to_one_as_valid_utf8(text):
    """Fuzzed: is every text shown as valid UTF-8, no unsafe character, and recoverable?"""
    safe = shown(text)
    assert is_valid_utf8(safe)
    assert unsafe_characters(safe, allowed="") == []
    assert unshown(safe) == text


@given(ANY_TEXT)
def test_feedback_text_keeps_exactly_its_newlines(text):
    """Fuzzed: with keep_newlines, are the newlines (and only they) left as they were?"""
    safe = shown(text, keep_newlines=True)
    assert is_valid_utf8(safe)
    assert unsafe_characters(safe, allowed="\n") == []
    assert safe.count("\n") == text.count("\n")
