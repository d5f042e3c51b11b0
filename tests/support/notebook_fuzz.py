"""Hypothesis strategies and properties for fuzzing the reading of submissions.

Used by tests/autograder/test_notebook.py, test_extraction.py and by
benchmarks/bench_parsing.py (which reports how many inputs were tried):

  * check_decoding(data)       -- any bytes: cells or a one-line NotebookError, nothing else;
  * check_document(document)   -- any JSON value shaped like a notebook: the same;
  * check_analysis(sources)    -- any cell sources: extraction and analysis never raise,
                                  every exercise has findings, and a kept program compiles;
  * check_cut_off(text)        -- the linear is_cut_off agrees with a character-by-character
                                  reference;
  * check_prepared(submission) -- grading.prepare's result: a one-line reason, or findings
                                  for every exercise and a job for each runnable one.
"""

import json

from hypothesis import strategies as st

from autograder import analysis, assignment, extraction, notebook
from autograder.data import Status

SCHEMES = ("zeros", "random", "he")
FUNCTIONS = [f"initialize_parameters_{scheme}" for scheme in SCHEMES]

# Pieces of this course's code and of Python's syntax, recombined by Hypothesis.
TOKENS = [
    "def ",
    "initialize_parameters_he",
    "initialize_parameters_zeros",
    "initialize_parameters_random",
    "(layers_dims)",
    "(layers_dims, seed=3)",
    ":",
    "\n",
    "    ",
    "\t",
    "return ",
    "parameters",
    " = ",
    "{}",
    "np.random.seed(3)",
    "np.zeros(",
    "np.random.randn(",
    "layers_dims[l]",
    "layers_dims[l-1]",
    ")",
    "(",
    "[",
    "]",
    "{",
    "}",
    "*",
    "+",
    "**",
    "/",
    "//",
    "np.sqrt(2 / layers_dims[l-1])",
    "for l in range(1, L):",
    "L = len(layers_dims)",
    "import numpy as np",
    "from public_tests import *",
    "from init_utils import *",
    "global x",
    "x",
    "lambda layers_dims: ",
    "if True:",
    "try:",
    "except Exception:",
    "class C:",
    "%%time",
    "%matplotlib inline",
    "!ls",
    "np.zeros?",
    "# GRADED FUNCTION",
    '"""',
    "'",
    "\\",
    ",",
    ";",
    "@",
    "async ",
    "await ",
    "yield ",
    "nonlocal y",
    "del ",
    "match x:",
    "case _:",
    "\udc80",
    "\u202e",
    "\x00",
    "é",
    "initialize_parameters_he_test(initialize_parameters_he)",
]

# Statements a function body may hold, valid or not where they stand.
STATEMENTS = [
    "return parameters",
    "parameters = {}",
    "np.random.seed(3)",
    "x = 1",
    "global x",
    "nonlocal y",
    "await y",
    "yield",
    "return [(yield) for x in y]",
    "return [i := 1 for i in y]",
    "for l in range(1, len(layers_dims)):",
    "    parameters['W' + str(l)] = np.zeros((1, 1))",
    "if True:",
    "    pass",
    "def inner():",
    "    nonlocal layers_dims",
    "del parameters",
    "return helper(layers_dims)",
    "return lambda: (yield)",
    "import numpy as np",
    "print(x)",
    "class Local:",
    "    x = layers_dims",
    "return undefined_name",
    "raise NotImplementedError()",
]
SIGNATURES = ["(layers_dims)", "(layers_dims, seed=3)", "()", "(*args)", "(layers_dims=[1])"]

python_like = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)


@st.composite
def function_cells(draw):
    """A cell defining a graded function or a helper, its body drawn from STATEMENTS."""
    name = draw(st.sampled_from([*FUNCTIONS, "helper", "initialise_parameters_he"]))
    body = draw(st.lists(st.one_of(st.sampled_from(STATEMENTS), python_like), max_size=6))
    lines = [f"def {name}{draw(st.sampled_from(SIGNATURES))}:"]
    lines += ["    " + line for line in body or ["pass"]]
    prefix = draw(st.sampled_from(["", "import numpy as np\n", "x = 3\n", "async "]))
    return prefix + "\n".join(lines) + "\n"


cell_sources = st.one_of(function_cells(), python_like, st.text(max_size=200))
grade_ids = st.sampled_from(["", *FUNCTIONS, *(f"{f}_tests" for f in FUNCTIONS)])

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def raw_cells(draw):
    """A cell as a notebook file may hold it: mostly right, sometimes any JSON at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(json_values)
    source = draw(cell_sources)
    if draw(st.booleans()):
        source = source.splitlines(keepends=True)
    cell = {
        "cell_type": draw(st.sampled_from(["code", "code", "markdown", "raw", "heading", 3])),
        "metadata": {"nbgrader": {"grade_id": draw(grade_ids)}},
        "source": draw(st.one_of(st.just(source), json_values))
        if draw(st.integers(0, 9)) == 0
        else source,
    }
    return cell


@st.composite
def notebook_documents(draw):
    document = {
        "nbformat": draw(st.sampled_from([4, 4, 4, 3, "4", None])),
        "nbformat_minor": 5,
        "metadata": draw(json_values),
        "cells": draw(st.lists(raw_cells(), max_size=8)),
    }
    if draw(st.integers(0, 9)) == 0:
        return draw(json_values)
    return document


@st.composite
def notebook_bytes(draw):
    """Bytes of a file: a serialised document, cut or corrupted, or any bytes at all."""
    text = json.dumps(draw(notebook_documents()))
    data = text.encode("utf-8", "surrogatepass")
    how = draw(st.sampled_from(["whole", "cut", "flip", "random", "bom"]))
    if how == "cut":
        data = data[: draw(st.integers(0, len(data)))]
    elif how == "flip" and data:
        position = draw(st.integers(0, len(data) - 1))
        data = data[:position] + bytes([draw(st.integers(0, 255))]) + data[position + 1 :]
    elif how == "random":
        data = draw(st.binary(max_size=300))
    elif how == "bom":
        data = b"\xef\xbb\xbf" + data
    return data


def check_cells(cells):
    assert all(isinstance(cell, notebook.Cell) for cell in cells)
    assert all(isinstance(cell.source, str) for cell in cells)


def check_reason(error):
    reason = str(error)
    assert reason and "\n" not in reason, repr(reason)


def check_decoding(data):
    try:
        check_cells(notebook.parse_cells(notebook.decode(data)))
    except notebook.NotebookError as error:
        check_reason(error)


def check_document(document):
    try:
        check_cells(notebook.parse_cells(document))
    except notebook.NotebookError as error:
        check_reason(error)


def check_analysis(sources, ids=None):
    ids = ids or [""] * len(sources)
    cells = [
        notebook.Cell(index, "code", source, grade_id)
        for index, (source, grade_id) in enumerate(zip(sources, ids, strict=True))
    ]
    programs = extraction.exercise_programs(
        cells, assignment.EXERCISES, assignment.SLOW_STAR_IMPORTS
    )
    for spec, program in programs.items():
        findings = analysis.analyse(spec, program, assignment.FUNCTIONS)
        assert findings.verdict in (None, Status.MISSING, Status.ERROR)
        assert all(isinstance(note, str) for note in findings.notes)
        if findings.runs:
            compile(program.source, "<program>", "exec")


def reference_is_cut_off(text):
    """The character-by-character scan that is_cut_off replaced (quadratic-free, but slow)."""
    depth, in_string, escaped = 0, False, False
    for character in text:
        if in_string:
            if escaped:
                escaped = False
            elif character == "\\":
                escaped = True
            elif character == '"':
                in_string = False
        elif character == '"':
            in_string = True
        elif character in "[{":
            depth += 1
        elif character in "]}":
            depth -= 1
    return in_string or depth > 0


json_like_text = st.lists(st.sampled_from(['"', "\\", "[", "]", "{", "}", "a", ",", "\n"])).map(
    "".join
)


def check_cut_off(text):
    assert notebook.is_cut_off(text) == reference_is_cut_off(text), repr(text)


def check_prepared(submission):
    if submission.reason:
        check_reason(submission.reason)
        assert not submission.jobs
        return
    assert [exercise.spec.scheme for exercise in submission.exercises] == list(SCHEMES)
    for exercise in submission.exercises:
        assert (exercise.spec in submission.jobs) == exercise.findings.runs
    for job in submission.jobs.values():
        assert isinstance(job.source, str)
