"""The tests' helpers, one package on one path entry (pytest's `pythonpath` holds tests/).

    from support import SOLUTIONS, write_solved_release   # this module: notebooks from the release
    from support.corpus import SUBMISSIONS                # any other helper: support.<module>

Benchmarks that use a helper run from the repository root as `python -m benchmarks.<name>` and
import it as `tests.support.<module>`; the helpers import each other relatively for that reason.

  corpus          -- the corpus of submissions, its expected verdicts and golden reports
  hidden_values   -- the hidden cases' values, read from the source notebook
  returned_values -- Hypothesis strategies for what a student's function may return
  notebook_fuzz   -- Hypothesis strategies and properties for reading submissions
  output_fuzzing  -- Hypothesis strategies and properties for the grader's output files
  hostile_files   -- submission files that cannot be committed (links, FIFOs, huge notebooks)
  hostile_names   -- submissions whose names and messages attack the grader's outputs
  nbgrader_course -- a copy of the course and the real nbgrader run on it

This module: submissions built from the committed release, for tests that need a student's
notebook.

    from support import SOLUTIONS, write_solved_release

    notebook = write_solved_release(tmp_path)  # every exercise answered correctly
    notebook = replace_solution_cells(copy_release(tmp_path), {  # any content in a solution cell
        "initialize_parameters_zeros": "def initialize_parameters_zeros(layers_dims):\n    ...",
    })
    notebook = write_answers(tmp_path, {"initialize_parameters_he": "pass"})  # fill one stub
    fill_answers(fetched_notebook, SOLUTIONS)  # answer a notebook where it is, in place

Each write_* copies release/initialization/* (the notebook, init_utils.py, public_tests.py) into
`dest` and edits only the solution cells, found by their nbgrader grade_id; it returns the
path of the notebook in `dest`.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from autograder import assignment

ROOT = Path(__file__).resolve().parents[2]
RELEASE = ROOT / "release" / assignment.NAME
NOTEBOOK_NAME = assignment.NOTEBOOK_FILE
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"

# What a student types in place of each stub, written the way the course teaches it.
SOLUTIONS = {
    "initialize_parameters_zeros": (
        "parameters['W' + str(l)] = np.zeros((layers_dims[l], layers_dims[l-1]))\n"
        "parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))"
    ),
    "initialize_parameters_random": (
        "parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l-1]) * 10\n"
        "parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))"
    ),
    "initialize_parameters_he": (
        "parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l-1]) "
        "* np.sqrt(2. / layers_dims[l-1])\n"
        "parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))"
    ),
}

# The seed text's zeros answer: layers_dims[1] where layers_dims[l] is meant.
SEED_ZEROS_BUG = (
    "parameters['W' + str(l)] = np.zeros((layers_dims[1], layers_dims[l-1]))\n"
    "parameters['b' + str(l)] = np.zeros((layers_dims[1], 1))"
)


def grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def is_solution_cell(cell):
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution"))


def fill_stub(cell_source, answer):
    """The cell source with its stub replaced by `answer`, indented like the stub."""
    lines = cell_source.split("\n")
    for index, line in enumerate(lines[:-1]):
        indent = line[: len(line) - len(line.lstrip())]
        stub_lines = [indent + stub_line for stub_line in STUB.split("\n")]
        if lines[index : index + len(stub_lines)] == stub_lines:
            answer_lines = [indent + answer_line for answer_line in answer.split("\n")]
            return "\n".join(lines[:index] + answer_lines + lines[index + len(stub_lines) :])
    raise ValueError("the cell has no '# YOUR CODE HERE / raise NotImplementedError()' stub")


def copy_release(dest):
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for path in RELEASE.iterdir():
        if path.is_file():
            shutil.copy(path, dest / path.name)
    return dest / NOTEBOOK_NAME


def replace_solution_cells(notebook_path, replacements):
    """Replace whole solution cells of the notebook at notebook_path, in place.

    replacements -- {grade_id: new cell source}; every grade_id must name a solution cell.
    """
    notebook = nbformat.read(notebook_path, as_version=nbformat.NO_CONVERT)
    solution_cells = {grade_id(cell): cell for cell in notebook.cells if is_solution_cell(cell)}
    unknown = sorted(set(replacements) - set(solution_cells))
    if unknown:
        raise KeyError(f"not solution cells of the notebook: {', '.join(unknown)}")
    for key, source in replacements.items():
        solution_cells[key].source = source
    nbformat.write(notebook, notebook_path)
    return Path(notebook_path)


def fill_answers(notebook_path, answers):
    """Fill the stubs of the named solution cells of a released notebook, in place.

    answers -- {grade_id: the lines that replace the stub}, e.g. SOLUTIONS.
    """
    notebook = nbformat.read(notebook_path, as_version=nbformat.NO_CONVERT)
    sources = {grade_id(cell): cell.source for cell in notebook.cells if is_solution_cell(cell)}
    unknown = sorted(set(answers) - set(sources))
    if unknown:
        raise KeyError(f"not solution cells of the notebook: {', '.join(unknown)}")
    replacements = {key: fill_stub(sources[key], answer) for key, answer in answers.items()}
    return replace_solution_cells(notebook_path, replacements)


def write_answers(dest, answers):
    """Copy the release into dest, filling the stubs of the named solution cells with answers."""
    return fill_answers(copy_release(dest), answers)


def write_solved_release(dest):
    """Copy the release into dest with every exercise answered by SOLUTIONS."""
    return write_answers(dest, SOLUTIONS)


def run_autograder(*arguments, cwd):
    """`python -m autograder ARGUMENTS` in cwd, as a user runs it; the CompletedProcess (text)."""
    return subprocess.run(
        [sys.executable, "-m", "autograder", *map(str, arguments)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
