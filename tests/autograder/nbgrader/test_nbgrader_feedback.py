"""The feedback preprocessor on notebook cells (tests/test_feedback.py runs it in real nbgrader)."""

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

from autograder.nbgrader.feedback import ClearTestTracebacks

HIDDEN_LINE = "    hidden_case('he', [5, 1], {'W1': [[1.1312279727739536, 0.27607306974350]]}),"


def error_cell(grade, evalue="", ename="KeyboardInterrupt"):
    """A code cell whose output is an IPython-style error quoting a hidden block line."""
    traceback = [
        "\x1b[0;31m------------------------------\x1b[0m",
        "Cell \x1b[0;32mIn[12], line 6\x1b[0m",
        "\x1b[0;32m----> 6\x1b[0m grade('he', initialize_parameters_he, [",
        f"\x1b[1;32m      7\x1b[0m {HIDDEN_LINE}",
        f"\x1b[0;31m{ename}\x1b[0m: {evalue}",
    ]
    cell = new_code_cell("initialize_parameters_he_test(initialize_parameters_he)")
    cell.metadata["nbgrader"] = {"grade": grade, "grade_id": "he_tests", "points": 7}
    cell.outputs = [
        new_output("stream", name="stdout", text="PASS public case layers_dims=[2, 4, 1]\n"),
        new_output("error", ename=ename, evalue=evalue, traceback=traceback),
    ]
    return cell


def preprocessed(*cells):
    notebook = new_notebook(cells=list(cells))
    notebook, _ = ClearTestTracebacks().preprocess(nbformat.from_dict(notebook), {})
    return notebook.cells


def test_a_grade_cell_error_keeps_only_its_one_line_reason():
    """Does an error in a grade cell lose its traceback, which quotes the hidden block, and keep
    its name and first message line and the cell's other outputs?"""
    (cell,) = preprocessed(
        error_cell(True, evalue="name 'x' is not defined\nmore", ename="NameError")
    )
    assert cell.outputs[1].traceback == ["NameError: name 'x' is not defined"]
    assert cell.outputs[0].text == "PASS public case layers_dims=[2, 4, 1]\n"
    assert HIDDEN_LINE not in str(cell)


def test_an_error_without_a_message_is_its_name():
    """Is a KeyboardInterrupt (no message) shown as its name alone?"""
    (cell,) = preprocessed(error_cell(True))
    assert cell.outputs[1].traceback == ["KeyboardInterrupt"]


def test_errors_outside_grade_cells_keep_their_traceback():
    """Does a student's own cell keep its whole traceback (it quotes the student's code)?"""
    original = error_cell(False)
    (cell,) = preprocessed(nbformat.from_dict(original))
    assert cell.outputs[1].traceback == original.outputs[1].traceback
