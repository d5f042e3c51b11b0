"""Making untrusted text safe to show: what a student's code or file name wrote, as data.

Exception messages, type names, dict keys and file names reach a terminal, a CSV opened in a
spreadsheet, JSON and Gradescope. Any of them may hold terminal escapes (clear the screen,
write the clipboard, draw a fake score), bidi overrides that reorder what is read, line
separators that forge rows, or code points that are not valid UTF-8 at all (a lone
surrogate, a file name's undecodable byte). `shown` writes every such character as a
backslash escape -- visible, never dropped -- and the result is valid UTF-8 with no control
character but, where asked, the newline.

The escaping is one-to-one (a backslash is doubled), so two different texts never show
alike: an escaped file name is a unique key. Apply it once, at the output edge.
"""

import math
import unicodedata

# Categories shown escaped: controls (C0, DEL, C1), surrogates, format characters (bidi
# controls U+202A-202E, U+2066-2069, U+200E/F, U+061C, zero-width and invisible ones),
# line and paragraph separators.
ESCAPED_CATEGORIES = frozenset({"Cc", "Cs", "Cf", "Zl", "Zp"})
# Format characters that scripts (Persian, Indic) and emoji need to join letters; they
# neither reorder nor hide text.
JOINERS = frozenset("\u200c\u200d")
SHORT_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
# os.fsdecode turns an undecodable byte 0xNN of a file name into U+DCNN.
RAW_BYTES = range(0xDC80, 0xDD00)
# Report fields whose text is several lines of our own feedback.
MULTILINE_FIELDS = frozenset({"feedback", "output"})


def escape_character(character):
    """One character as shown: itself, or a backslash escape that says which it was."""
    if character in SHORT_ESCAPES:
        return SHORT_ESCAPES[character]
    code = ord(character)
    if character in JOINERS or unicodedata.category(character) not in ESCAPED_CATEGORIES:
        return character
    if code in RAW_BYTES:
        return f"\\x{code - 0xDC00:02x}"  # a byte of a file name: as Python shows bytes
    if code < 0x80:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def shown(text, keep_newlines=False):
    """text with every unsafe character escaped (see the module docstring).

    keep_newlines -- keep '\\n' as a line break (multi-line feedback); each line is
                     escaped on its own, so a CR or U+2028 inside a line still shows.
    """
    if not isinstance(text, str):
        text = safe_str(text)
    if keep_newlines:
        return "\n".join(shown(line) for line in text.split("\n"))
    if text.isascii() and text.isprintable() and "\\" not in text:
        return text  # the common case, without a per-character walk
    return "".join(escape_character(character) for character in text)


def safe_data(value, field=None):
    """A copy of a report (dicts, lists, str, numbers) with every string and key shown().

    field -- the key this value sits under; MULTILINE_FIELDS keep their line breaks.
    Anything else (an object where plain data was expected) becomes its escaped str().
    """
    if isinstance(value, str):
        return shown(value, keep_newlines=field in MULTILINE_FIELDS)
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        # JSON has no NaN or infinity; a number that is not one is shown as text.
        return value if math.isfinite(value) else shown(repr(value))
    if isinstance(value, dict):
        return {safe_key(key): safe_data(item, key) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [safe_data(item, field) for item in value]
    return shown(safe_str(value))


def safe_key(key):
    return shown(key if isinstance(key, str) else safe_str(key))


def safe_str(value):
    """str(value), or its type's name when its __str__ fails."""
    try:
        return str(value)
    except Exception:  # noqa: BLE001 -- any object that cannot say what it is
        return f"<{type(value).__name__}>"
