"""What nbgrader's feedback may show of a test cell's error: its one-line reason, no traceback.

Loaded by nbgrader through `GenerateFeedback.preprocessors` in the course's nbgrader_config.py.

An autograded test cell runs the public call and, after it, the hidden block: `grade(...)` on
the hidden layer sizes with their expected values. When such a cell raises -- the graded function
is missing (NameError), it raises KeyboardInterrupt (which the checks pass on so that Ctrl-C still
stops a test), or nbgrader interrupts a cell that ran too long -- IPython's traceback quotes the
lines of the cell around the failing one, and those are the hidden block's lines. nbgrader's
ClearHiddenTests removes the hidden block from the cell's source only, not from its outputs, so
the feedback page would show them. This preprocessor keeps of each error in a grade cell only
`<error name>: <message>`: the reason a student needs, and no quoted code.
"""

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor


def one_line_reason(output):
    """'NameError: name 'initialize_parameters_he' is not defined' -- an error output in one line.

    output -- a notebook error output (output_type 'error', with ename and evalue).
    """
    name = output.get("ename") or "Error"
    lines = str(output.get("evalue") or "").strip().splitlines()
    return f"{name}: {lines[0]}"[:300] if lines else name


class ClearTestTracebacks(NbGraderPreprocessor):
    """Replace the traceback of every error in a grade cell by its one-line reason."""

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and utils.is_grade(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [one_line_reason(output)]
        return cell, resources
