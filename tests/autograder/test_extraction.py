"""Does the extraction keep only safe definitions, wherever the student put them?"""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import notebook_fuzz

from autograder import assignment, extraction
from autograder.notebook import Cell

ROOT = Path(__file__).resolve().parents[2]


def cells(*sources, grade_ids=None):
    grade_ids = grade_ids or [""] * len(sources)
    return [
        Cell(i, "code", source, grade_id)
        for i, (source, grade_id) in enumerate(zip(sources, grade_ids, strict=True))
    ]


def program_of(cells):
    """The Program of the whole notebook, as grading assembles it from the parsed cells."""
    return extraction.assemble(cells, extraction.parse_cells(cells), assignment.SLOW_STAR_IMPORTS)


def run(program):
    """Execute the extracted source as the sandbox does: a fresh namespace."""
    namespace = {}
    exec(compile(program.source, "<program>", "exec"), namespace)  # test data only
    return namespace


def test_calls_and_prints_are_dropped_definitions_kept():
    """Are training calls and prints left out, and imports, defs and constants kept?"""
    program = program_of(
        cells(
            "import numpy as np\nSCALE = 10\nprint('hello')",
            "def f(layers_dims):\n    return np.zeros((SCALE, 1))",
            "parameters = model(train_X, train_Y)\nprint(parameters)",
        )
    )
    assert "print" not in program.source
    assert "model(" not in program.source
    namespace = run(program)
    assert namespace["f"]([1]).shape == (10, 1)
    assert "parameters" in program.assigned_names


def test_magics_and_shell_lines_are_stripped():
    """Do %line magics, !shell lines and help? lines no longer hide a cell's definitions?"""
    program = program_of(
        cells(
            "%load_ext autoreload\n!pip install x\nnp.zeros?\nfiles = !ls\ndef g():\n    return 4"
        )
    )
    assert not program.broken_cells
    assert run(program)["g"]() == 4


def test_python_cell_magic_keeps_its_body_other_cell_magics_are_dropped():
    """Is a %%time cell read as Python and a %%bash cell ignored?"""
    program = program_of(
        cells("%%time\ndef timed():\n    return 1", "%%bash\necho def not_python():")
    )
    assert "timed" in program.functions
    assert not program.broken_cells
    assert "not_python" not in program.source


def test_syntax_error_costs_only_its_cell():
    """Does a syntax error lose only the functions of its own cell?"""
    program = program_of(
        cells(
            "def fine():\n    return 1",
            "def broken(:\n    return 2",
            grade_ids=["fine", "broken"],
        )
    )
    assert "fine" in program.functions
    [broken] = program.broken_cells
    assert broken.defines == ["broken"]
    assert broken.grade_id == "broken"
    assert "line 1" in broken.reason


def test_a_huge_broken_cell_is_read_in_linear_time():
    """Is a broken cell of long blank runs extracted in seconds, not hours (a hostile file)?"""
    script = (
        "from autograder import extraction\n"
        "from autograder.notebook import Cell\n"
        "sources = ['\\n' * 200_000 + 'x)', ' ' * 200_000 + 'x', 'a ' * 100_000 + 'x)']\n"
        "cells = [Cell(i, 'code', s) for i, s in enumerate(sources)]\n"
        "program = extraction.assemble(cells, extraction.parse_cells(cells), frozenset())\n"
        "assert len(program.broken_cells) == 3\n"
    )
    # A quadratic pattern takes hours on these cells; the subprocess is stopped long before.
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


def test_last_definition_wins():
    """When a function is defined twice, is the later one (notebook order) the one kept?"""
    program = program_of(cells("def f():\n    return 1", "def f():\n    return 2"))
    assert run(program)["f"]() == 2
    assert program.functions["f"].cell == 1


def test_unused_and_slow_imports_are_left_out():
    """Are imports no definition needs, and the init_utils star import, left out?"""
    program = program_of(
        cells(
            "import matplotlib.pyplot as plt\nimport numpy as np\nfrom init_utils import *",
            "def f(layers_dims):\n    return np.ones(1)",
        )
    )
    assert "matplotlib" not in program.source
    assert "init_utils" not in program.source
    assert "import numpy as np" in program.source
    assert program.star_modules == {"init_utils"}


def test_only_the_star_imports_it_is_given_are_dropped():
    """Does extraction drop the star imports of the modules it is given, and only those?"""
    notebook = cells("from toy_helpers import *\nfrom init_utils import *\ndef f():\n    return 1")
    program = extraction.assemble(notebook, extraction.parse_cells(notebook), {"toy_helpers"})
    assert "toy_helpers" not in program.source
    assert "from init_utils import *" in program.source


def test_a_failing_import_does_not_lose_the_definitions():
    """Does an import of a missing module leave the rest of the program usable?"""
    program = program_of(cells("import not_a_module_here\ndef f():\n    return not_a_module_here"))
    namespace = run(program)
    assert "f" in namespace


def test_assignment_from_a_call_is_dropped_but_known_as_a_global():
    """Is `n = len(x)` left out of the program yet listed among module-level names?"""
    program = program_of(cells("n = len([1, 2])\nfor k in range(3):\n    pass"))
    assert "len(" not in program.source
    assert {"n", "k"} <= program.assigned_names


def test_grade_cells_are_indexed_by_grade_id():
    """Is every cell with a grade_id found, also a markdown one?"""
    markdown = Cell(0, "markdown", "# Title", "intro")
    program = program_of([markdown, *cells("x = 1", grade_ids=["code"])])
    assert program.grade_cells == {"intro": 0, "code": 0}


def test_future_import_does_not_break_the_program():
    """Does `from __future__ import annotations` in a cell leave the program runnable?"""
    program = program_of(
        cells("from __future__ import annotations\ndef f(x: Later) -> int:\n    return 1")
    )
    assert run(program)["f"](0) == 1


def test_a_lambda_assigned_to_a_name_is_a_function():
    """Is `f = lambda layers_dims: ...` found as the function f, as the notebook would see it?"""
    program = program_of(cells("import numpy as np\nf = lambda layers_dims: np.ones(2)"))
    assert "f" in program.functions
    assert run(program)["f"]([1]).shape == (2,)


HE_RIGHT = "def initialize_parameters_he(layers_dims):\n    return 'right'"
HE_WRONG = "def initialize_parameters_he(layers_dims):\n    return 'wrong'"
HE_TEST_CALL = "initialize_parameters_he_test(initialize_parameters_he)"


def graded_he(*sources, grade_ids=None):
    """What the He exercise's program returns when its function is called."""
    he = assignment.exercise("he")
    program = extraction.exercise_programs(
        cells(*sources, grade_ids=grade_ids), [he], assignment.SLOW_STAR_IMPORTS
    )[he]
    return run(program)["initialize_parameters_he"]([2, 1])


def test_a_redefinition_below_the_test_cell_is_not_graded():
    """Is the definition current at the test cell graded, as nbgrader's run grades it?"""
    assert graded_he(HE_RIGHT, HE_TEST_CALL, HE_WRONG) == "right"


def test_a_fix_above_the_test_cell_is_graded():
    """Does a later fix above the test cell replace the first attempt?"""
    assert graded_he(HE_WRONG, HE_RIGHT, HE_TEST_CALL) == "right"


def test_the_grade_id_marks_the_test_cell():
    """Is the test cell found by its grade_id when it does not call the public test?"""
    sources = (HE_RIGHT, "pass", HE_WRONG)
    grade_ids = ["", "initialize_parameters_he_tests", ""]
    assert graded_he(*sources, grade_ids=grade_ids) == "right"


def test_a_function_defined_only_below_its_test_cell_is_still_graded():
    """With no definition above the test cell, is the last one anywhere graded?"""
    assert graded_he(HE_TEST_CALL, HE_WRONG, HE_RIGHT) == "right"


def test_helpers_are_the_versions_above_the_test_cell():
    """Does the graded function call the helper as it was when its test cell ran?"""
    uses_helper = "def initialize_parameters_he(layers_dims):\n    return helper()"
    assert (
        graded_he(
            "def helper():\n    return 'right'",
            uses_helper,
            HE_TEST_CALL,
            "def helper():\n    return 'wrong'",
        )
        == "right"
    )


def test_a_cell_over_the_size_limit_is_left_out_unparsed():
    """Is a cell larger than the per-cell limit a broken cell, its neighbours kept?"""
    huge = "def big(layers_dims):\n    return [" + "0, " * 40_000 + "0]\n"
    program = program_of(cells("def fine():\n    return 1", huge))
    assert "fine" in program.functions
    [broken] = program.broken_cells
    assert broken.too_large and broken.defines == ["big"]
    assert "(the limit per cell is 100,000)" in broken.reason


@pytest.mark.parametrize(
    "expression",
    ["1+" * 400 + "1", "layers_dims" + ".x" * 400, "-" * 400 + "1", "f" + "()" * 400],
    ids=["sum", "attributes", "negations", "calls"],
)
def test_code_nested_too_deeply_is_left_out_not_a_crash(expression):
    """Is code nested past the depth limit a broken cell (unparse and symtable recurse)?"""
    program = program_of(
        cells(f"x = {expression}", f"def g(layers_dims):\n    return {expression}", "y = 2")
    )
    assert [broken.cell for broken in program.broken_cells] == [0, 1]
    assert all("nested more than 100 levels" in b.reason for b in program.broken_cells)
    assert run(program)["y"] == 2


@pytest.mark.parametrize(
    "body",
    ["nonlocal y", "await y", "x = 1\n    global x", "return [(yield) for x in y]"],
    ids=["nonlocal", "await", "global-after-use", "yield-in-comprehension"],
)
def test_a_cell_that_parses_but_does_not_compile_is_a_syntax_error(body):
    """Is a cell Python's compiler refuses (though it parses) a broken cell, as when run?"""
    program = program_of(cells(f"def f(layers_dims):\n    {body}\n    return 1"))
    [broken] = program.broken_cells
    assert broken.defines == ["f"] and not broken.too_large


def test_top_level_await_is_allowed_as_in_ipython():
    """Is a cell with a top-level await (IPython runs it) kept, not called broken?"""
    program = program_of(cells("await something()\ndef f(layers_dims):\n    return 1"))
    assert not program.broken_cells
    assert "f" in program.functions


@settings(max_examples=400, deadline=None)
@given(
    st.lists(notebook_fuzz.cell_sources, max_size=6),
    st.lists(notebook_fuzz.grade_ids, min_size=6, max_size=6),
)
def test_fuzzed_cells_are_extracted_and_analysed_without_an_exception(sources, ids):
    """Do any cell sources give programs and findings, and a runnable exercise compile?"""
    notebook_fuzz.check_analysis(sources, ids[: len(sources)])


# --------------------------------------------------------------------------
# One walk per cell: the same names and the same depth bound as the three separate walks
# it replaced, which are kept here as the specification.
# --------------------------------------------------------------------------


def assignments_by_three_walks(tree):
    """The module-level names of a cell as first defined: every assignment and := anywhere,
    less the names assigned only inside functions (unless the top level assigns them too)."""
    names = set()
    for node in ast.walk(tree):
        for target in extraction.assignment_targets(node):
            names.update(extraction.target_names(target) or [])
        if isinstance(node, ast.NamedExpr):
            names.add(node.target.id)
    inside = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            for child in ast.walk(node):
                if child is not node:
                    for target in extraction.assignment_targets(child):
                        inside.update(extraction.target_names(target) or [])
    top_level = set()
    for node in tree.body:
        for target in extraction.assignment_targets(node):
            top_level.update(extraction.target_names(target) or [])
    return names - (inside - top_level)


def deeper_than(tree, limit):
    pending = [(tree, 1)]
    while pending:
        node, depth = pending.pop()
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return False


HAND_MADE_CELLS = [
    "x = 1\ndef f():\n    x = 2\n    y = 3\n    return (z := 4)",
    "def f():\n    a = 1\na = 2",
    "class C:\n    n = 1\n    def m(self):\n        k = 2",
    "g = lambda: (w := 1)\nfor i, (j, *k) in []:\n    pass",
    "with open('f') as (p, q), open('g') as r:\n    s: int = 1\n    t += 1",
    "def outer():\n    def inner():\n        deep = 1\n    async def co():\n"
    "        async for u in v:\n            pass\n        async with a as b:\n            pass\n"
    "    return [m := 2 for _ in ()]",
    "if True:\n    try:\n        e = 1\n    except E as caught:\n        pass\n"
    "    while (n := 0):\n        o = 1",
    "x[0] = 1\na.b = 2\n(c, d[0]) = (1, 2)\n[e, f] = g = 3",
]


def code_cells_of_the_repository():
    """The Python text of every code cell of the course's notebooks and test files."""
    texts = list(HAND_MADE_CELLS)
    for path in sorted(ROOT.glob("**/*.ipynb")):
        if ".venv" in path.parts or ".ipynb_checkpoints" in path.parts:
            continue
        try:
            document = json.loads(path.read_bytes())
            texts += [
                "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                for cell in document["cells"]
                if cell.get("cell_type") == "code"
            ]
        except (ValueError, KeyError, TypeError, AttributeError):
            continue  # the corpus's broken notebooks
    texts += [path.read_text() for path in sorted((ROOT / "tests/files/hostile").glob("*.py"))]
    return [text for text in map(extraction.python_text, texts) if text is not None]


def test_one_walk_finds_the_names_the_three_walks_found_on_every_cell():
    """On every code cell of the course's notebooks, the corpus, the hostile files and
    hand-made scope puzzles, does the one walk find exactly the module-level names the
    three separate walks found?"""
    compared = 0
    for text in code_cells_of_the_repository():
        try:
            tree = extraction.parse_cell(text)
        except SyntaxError:
            continue
        if deeper_than(tree, extraction.MAX_TREE_DEPTH):
            continue
        assert extraction.module_level_assignments(tree) == assignments_by_three_walks(tree), text
        compared += 1
    assert compared > 500


@pytest.mark.parametrize("nesting", ["-{}", "({},)", "[{}]", "f({})", "(lambda: {})", "a[{}]"])
def test_the_one_walk_holds_the_depth_bound_exactly(nesting):
    """Is a tree nested just within the bound read, and one level deeper refused (None),
    as the separate depth walk decides?"""
    expression, outcomes = "1", []
    for _ in range(extraction.MAX_TREE_DEPTH):
        expression = nesting.format(expression)
        tree = ast.parse(f"x = {expression}")
        assigned = extraction.module_level_assignments(tree)
        assert (assigned is None) == deeper_than(tree, extraction.MAX_TREE_DEPTH)
        assert assigned is None or assigned == {"x"}
        outcomes.append(assigned is None)
    assert outcomes[0] is False and outcomes[-1] is True  # both sides of the bound were seen
