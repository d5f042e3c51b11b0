"""Do the static checks find deleted, renamed, re-signed and global-reading functions?"""

import pytest

from autograder import analysis, assignment, extraction
from autograder.notebook import Cell

HE = "initialize_parameters_he"
HE_EXERCISE = assignment.exercise("he")
RIGHT = "def initialize_parameters_he(layers_dims):\n    np.random.seed(3)\n    return {}\n"


def findings(*sources, grade_ids=None):
    grade_ids = grade_ids or [""] * len(sources)
    cells = [
        Cell(i, "code", text, gid)
        for i, (text, gid) in enumerate(zip(sources, grade_ids, strict=True))
    ]
    program = extraction.assemble(
        cells, extraction.parse_cells(cells), assignment.SLOW_STAR_IMPORTS
    )
    return analysis.analyse(HE_EXERCISE, program, assignment.FUNCTIONS)


def test_right_function_has_no_findings():
    """Is a function with the given signature and no globals left without notes?"""
    result = findings("import numpy as np", RIGHT)
    assert result.runs
    assert result.notes == ()


@pytest.mark.parametrize(
    "arguments",
    [
        "layers_dims, seed=3",
        "layers_dims, scale",
        "layers_dims=[2, 4, 1]",
        "dims",
        "*layers_dims",
        "layers_dims, **options",
        "layers_dims, *, seed=3",
        "",
    ],
)
def test_any_changed_signature_is_an_error(arguments):
    """Does every signature but `(layers_dims)` block the exercise, quoting both?"""
    result = findings("import numpy as np", RIGHT.replace("(layers_dims)", f"({arguments})"))
    assert result.verdict == "error"
    assert result.reason.startswith(
        f"The signature was changed: expected {HE}(layers_dims), found {HE}({arguments}) --"
    )
    assert "keep the signature given in the notebook" in result.reason


@pytest.mark.parametrize(
    "source",
    [
        RIGHT.replace("(layers_dims)", "(layers_dims: list)"),
        RIGHT.replace("(layers_dims)", "(layers_dims, /)"),
        f"{HE} = lambda layers_dims: {{}}",
    ],
)
def test_the_given_signature_in_other_spellings_is_accepted(source):
    """Are an annotation, a positional-only marker and a one-argument lambda accepted?"""
    assert findings("import numpy as np", source).runs


def test_a_lambda_with_another_argument_is_an_error():
    """Is `name = lambda dims: ...` held to the same signature as a def?"""
    result = findings(f"{HE} = lambda dims: {{}}")
    assert result.verdict == "error"
    assert f"found {HE}(dims)" in result.reason


def test_global_variable_is_flagged_and_a_local_is_not():
    """Is a module-level variable read by the function flagged, and a local of it not?"""
    source = (
        "def initialize_parameters_he(layers_dims):\n"
        "    np.random.seed(SEED)\n"
        "    L = len(layers_dims)\n"
        "    return {'L': L, 'n': n_hidden}\n"
    )
    result = findings("import numpy as np\nSEED = 3\nL = 4\nn_hidden = len([1])", source)
    [note] = [note for note in result.notes if "global" in note]
    assert "`SEED`" in note and "`n_hidden`" in note
    assert "`L`" not in note


def test_global_computed_by_a_call_is_explained():
    """Is a global computed by a call (never replayed) named as the cause of a NameError?"""
    source = "def initialize_parameters_he(layers_dims):\n    return {'n': SIZE + LIMIT}\n"
    result = findings("SIZE = len([1, 2])\nLIMIT = 3", source)
    [computed] = [note for note in result.notes if "computed by running code" in note]
    assert "`SIZE`" in computed and "`LIMIT`" not in computed


def test_global_read_by_a_nested_function_is_flagged():
    """Does a helper nested in the graded function that reads a global count too?"""
    source = (
        "def initialize_parameters_he(layers_dims):\n"
        "    def scale(n):\n"
        "        return FACTOR / n\n"
        "    return {'s': scale(2)}\n"
    )
    result = findings("FACTOR = 2.0", source)
    assert any("`FACTOR`" in note for note in result.notes)


def test_global_read_by_a_helper_function_is_flagged():
    """Does a top-level helper called by the graded function that reads a global count too?"""
    helper = "def scale_of(n):\n    return FACTOR / n\n"
    source = "def initialize_parameters_he(layers_dims):\n    return {'s': scale_of(2)}\n"
    result = findings("FACTOR = 2.0", helper, source)
    [note] = result.notes
    assert "`FACTOR`" in note and "scale_of" in note


def test_a_helper_without_globals_gives_no_note():
    """Is a helper that uses only its arguments and numpy left without notes?"""
    helper = "def shape_of(dims, l):\n    return (dims[l], dims[l - 1])\n"
    source = "def initialize_parameters_he(layers_dims):\n    return {'s': shape_of([1, 2], 1)}\n"
    assert findings(helper, source).notes == ()


def test_global_statement_is_flagged():
    """Is `global x` in a graded function reported?"""
    source = (
        "def initialize_parameters_he(layers_dims):\n"
        "    global counter\n"
        "    counter = 1\n"
        "    return {}\n"
    )
    result = findings(source)
    assert any("declares `global`" in note for note in result.notes)


def test_undefined_name_is_noted():
    """Is a name the notebook never defines reported before it becomes a NameError?"""
    source = "def initialize_parameters_he(layers_dims):\n    return make_them(layers_dims)\n"
    result = findings(source)
    assert any("`make_them`" in note and "never defines" in note for note in result.notes)


def test_deleted_function_is_missing():
    """Is a function defined nowhere 'missing', with a reason for the student?"""
    result = findings("x = 1")
    assert result.verdict == "missing"
    assert "not defined anywhere" in result.reason


def test_renamed_function_is_missing_and_named():
    """Is a function renamed in its own cell reported with the new name?"""
    source = RIGHT.replace(HE, "he_init")
    result = findings("import numpy as np", source, grade_ids=["", HE])
    assert result.verdict == "missing"
    assert "`he_init`" in result.reason


def test_another_exercise_is_not_taken_for_the_renamed_function():
    """Is a deleted He function never said to be renamed to the zeros or random function?"""
    zeros = RIGHT.replace(HE, "initialize_parameters_zeros")
    random = RIGHT.replace(HE, "initialize_parameters_random")
    result = findings("import numpy as np", zeros, random, "# deleted", grade_ids=["", "", "", HE])
    assert result.verdict == "missing"
    assert "renamed" not in result.reason
    assert "not defined anywhere" in result.reason


def test_syntax_error_in_its_cell_is_an_error():
    """Is a graded function lost to a syntax error in its cell an 'error' naming the line?"""
    result = findings("import numpy as np", RIGHT + "    return (\n", grade_ids=["", HE])
    assert result.verdict == "error"
    assert "syntax error" in result.reason and "cell 2" in result.reason


def test_a_function_inside_an_if_block_is_named_not_called_missing():
    """Is a graded function indented under `if True:` reported with its block and cell?"""
    indented = "if True:\n" + "".join(f"    {line}\n" for line in RIGHT.splitlines())
    result = findings("import numpy as np", indented)
    assert result.verdict == "error"
    assert "inside an `if` block in cell 2" in result.reason
    assert "top level" in result.reason
    assert "deleted" not in result.reason


def test_a_function_inside_try_or_with_names_that_block():
    """Are `try` and `with` blocks named too, and a def nested in a def ignored?"""
    body = "".join(f"    {line}\n" for line in RIGHT.splitlines())
    in_try = findings("try:\n" + body + "except ImportError:\n    pass\n")
    in_with = findings("with open('x') as f:\n" + body)
    assert "inside a `try` block in cell 1" in in_try.reason
    assert "`with` block in cell 1" in in_with.reason
    nested_in_def = findings("def outer():\n" + body)
    assert nested_in_def.verdict == "missing"


def test_a_helper_defined_only_below_the_test_cell_is_named_as_such():
    """Is a helper that exists only below the test cell reported as misplaced, not missing?"""
    uses_helper = "def initialize_parameters_he(layers_dims):\n    return helper(layers_dims)\n"
    cells = [
        Cell(0, "code", uses_helper),
        Cell(1, "code", "initialize_parameters_he_test(initialize_parameters_he)"),
        Cell(2, "code", "def helper(layers_dims):\n    return {}\n"),
    ]
    program = extraction.exercise_programs(cells, [HE_EXERCISE], assignment.SLOW_STAR_IMPORTS)[
        HE_EXERCISE
    ]
    result = analysis.analyse(HE_EXERCISE, program, assignment.FUNCTIONS)
    [note] = [note for note in result.notes if "`helper`" in note]
    assert "defined only below the exercise's test cell" in note
    assert "never defines" not in note


def test_a_function_in_a_cell_too_large_to_analyse_is_named_as_such():
    """Is a graded function lost to an oversized cell reported as that, not as a typo?"""
    padding = "\n".join(f"x{i} = {i}" for i in range(15_000))
    result = findings(RIGHT + padding)
    assert result.verdict == "error"
    assert "(cell 1) is too large or too deep to analyse" in result.reason
    assert "syntax error" not in result.reason


def test_a_note_lists_ten_helpers_and_counts_the_rest():
    """Does a chain of many helpers give a note of ten names and a count, not thousands?"""
    chain = [f"def helper_{i}(d):\n    return helper_{i + 1}(d)\n" for i in range(300)]
    chain.append("def helper_300(d):\n    return SCALE\n")
    graded = "def initialize_parameters_he(layers_dims):\n    return helper_0(layers_dims)\n"
    result = findings("".join(chain), graded)
    [note] = result.notes
    assert "(with its helpers helper_0, helper_1, helper_10," in note
    assert "and 291 more) uses `SCALE`" in note
    assert len(note) < 400
