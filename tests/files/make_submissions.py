"""Write the corpus of student submissions under tests/files/submissions/, with expected verdicts.

    .venv/bin/python -m tests.files.make_submissions     # from the repository root

Every notebook is built from the committed release (tests/support/) by changing
solution cells, adding or moving cells, or (for the broken files) writing bytes.
`expected.json` holds, per file, per exercise: the status, the score, the
misconception the feedback must name, and words it must mention; `agreement` says
whether real nbgrader must give the same score per exercise (false where the two
graders differ on purpose, or where nbgrader would only hit its own time-out).
"""

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import nbformat

import public_tests
from tests import support

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

OUT = HERE / "submissions"
ZEROS, RANDOM, HE = (
    "initialize_parameters_zeros",
    "initialize_parameters_random",
    "initialize_parameters_he",
)
MAX = {ZEROS: 5, RANDOM: 6, HE: 7}

# --------------------------------------------------------------------------
# Answers: what students type in place of the stub (two lines in the loop).
# --------------------------------------------------------------------------

B_ZEROS = "parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))"


def weights(expression):
    return f"parameters['W' + str(l)] = {expression}\n{B_ZEROS}"


RIGHT = support.SOLUTIONS
RANDN = "np.random.randn(layers_dims[l], layers_dims[l-1])"


def full_function(name, loop_body, seed=True, loop="range(1, len(layers_dims))", head=""):
    """A whole solution cell: the graded function written out by the student."""
    lines = ["# GRADED FUNCTION: " + name, head, f"def {name}(layers_dims):"]
    if seed:
        lines.append("    np.random.seed(3)")
    lines += ["    parameters = {}", f"    for l in {loop}:"]
    lines += ["        " + line for line in loop_body.split("\n")]
    lines.append("    return parameters")
    return "\n".join(line for line in lines if line != "") + "\n"


# --------------------------------------------------------------------------
# Expected verdicts.
# --------------------------------------------------------------------------


def verdict(status="passed", score=None, misconception=None, mentions=()):
    return {
        "status": status,
        "score": score,
        "misconception": misconception,
        "mentions": list(mentions),
    }


def expect(agreement=True, flags=(), **by_scheme):
    """Expected verdicts; exercises not given passed with full marks.

    flags -- the report's integrity flags, e.g. ['hardcoded:initialize_parameters_he'].
    """
    exercises = {}
    for name, key in ((ZEROS, "zeros"), (RANDOM, "random"), (HE, "he")):
        given = dict(by_scheme.get(key) or verdict())
        if given["score"] is None:
            given["score"] = MAX[name] if given["status"] == "passed" else 0
        exercises[name] = given
    return {"agreement": agreement, "exercises": exercises, "flags": list(flags)}


def all_failed(misconception, score=0, mentions=()):
    return verdict("failed", score, misconception, mentions)


# --------------------------------------------------------------------------
# Notebook surgery beyond solution cells.
# --------------------------------------------------------------------------


def code_cell(source):
    cell = nbformat.v4.new_code_cell(source)
    # An id made from the text, not a random one: regenerating the corpus changes nothing.
    cell.id = hashlib.sha1(source.encode("utf-8")).hexdigest()[:8]
    return cell


def edit_notebook(path, change):
    notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    change(notebook.cells)
    nbformat.write(notebook, path)


def index_of(cells, grade_id):
    return next(i for i, cell in enumerate(cells) if support.grade_id(cell) == grade_id)


def insert_after(grade_id, *sources):
    def change(cells):
        position = index_of(cells, grade_id) + 1
        cells[position:position] = [code_cell(source) for source in sources]

    return change


def move_before(grade_id, anchor):
    """Move the cell with grade_id so that it comes right before the cell `anchor`."""

    def change(cells):
        cell = cells.pop(index_of(cells, grade_id))
        cells.insert(index_of(cells, anchor), cell)

    return change


def move_to_end(grade_id):
    def change(cells):
        cells.append(cells.pop(index_of(cells, grade_id)))

    return change


# --------------------------------------------------------------------------
# The corpus: name -> (how to build it, expected verdicts).
# --------------------------------------------------------------------------

HELPER_CELL = (
    "def layer_shape(layers_dims, l):\n"
    '    """(rows, columns) of W[l]: one row per unit of layer l."""\n'
    "    return (layers_dims[l], layers_dims[l - 1])\n"
)

DICT_COMPREHENSIONS = {
    ZEROS: (
        "def initialize_parameters_zeros(layers_dims):\n"
        "    L = len(layers_dims)\n"
        "    return {key: value for l in range(1, L) for key, value in (\n"
        "        (f'W{l}', np.zeros((layers_dims[l], layers_dims[l - 1]))),\n"
        "        (f'b{l}', np.zeros((layers_dims[l], 1))),\n"
        "    )}\n"
    ),
    RANDOM: (
        "def initialize_parameters_random(layers_dims):\n"
        "    np.random.seed(3)\n"
        "    return {key: value for l in range(1, len(layers_dims)) for key, value in (\n"
        "        (f'W{l}', np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10),\n"
        "        (f'b{l}', np.zeros((layers_dims[l], 1))),\n"
        "    )}\n"
    ),
    HE: (
        "def initialize_parameters_he(layers_dims):\n"
        "    np.random.seed(3)\n"
        "    return {key: value for l in range(1, len(layers_dims)) for key, value in (\n"
        "        (f'W{l}', np.random.randn(*layers_dims[l - 1 : l + 1][::-1])\n"
        "            * np.sqrt(2 / layers_dims[l - 1])),\n"
        "        (f'b{l}', np.zeros((layers_dims[l], 1))),\n"
        "    )}\n"
    ),
}

HELPER_STYLE = {
    ZEROS: full_function(
        ZEROS,
        "W = np.zeros(layer_shape(layers_dims, l))\nparameters['W' + str(l)] = W\n" + B_ZEROS,
        seed=False,
    ),
    RANDOM: full_function(
        RANDOM,
        "parameters['W' + str(l)] = np.random.randn(*layer_shape(layers_dims, l)) * 10\n" + B_ZEROS,
    ),
    HE: full_function(
        HE,
        "parameters['W' + str(l)] = np.random.randn(*layer_shape(layers_dims, l)) * np.sqrt(2 / layers_dims[l - 1])\n"
        + B_ZEROS,
    ),
}

TRANSPOSED_HELPER_CELL = HELPER_CELL.replace(
    "(layers_dims[l], layers_dims[l - 1])", "(layers_dims[l - 1], layers_dims[l])"
)

ALIAS_HE = (
    "import numpy as numpy_alias\n\n"
    "def initialize_parameters_he(layers_dims):\n"
    "    numpy_alias.random.seed(3)\n"
    "    parameters = {}\n"
    "    for l in range(1, len(layers_dims)):\n"
    "        scale = numpy_alias.sqrt(2.0 / layers_dims[l - 1])\n"
    "        parameters['W' + str(l)] = numpy_alias.random.randn(layers_dims[l], layers_dims[l - 1]) * scale\n"
    "        parameters['b' + str(l)] = numpy_alias.zeros((layers_dims[l], 1))\n"
    "    return parameters\n"
)

# A scratch cell below the He test cell: the student tries x10 on He "to see".
WRONG_HE_SCRATCH = full_function(HE, weights(f"{RANDN} * 10"))

PRINTING_RANDOM = full_function(
    RANDOM,
    "print('layer', l, 'of', len(layers_dims) - 1)\n" + RIGHT[RANDOM],
)

EXTRA_CELLS = (
    "print('my own check:', initialize_parameters_zeros([2, 3, 1])['W2'].shape)",
    "%timeit initialize_parameters_zeros([2, 3, 1])\n!echo shell lines are ignored",
    "%%time\nscratch = [initialize_parameters_zeros([4, 4]) for _ in range(3)]\nprint(len(scratch))",
)

GLOBAL_RANDOM = full_function(
    RANDOM,
    "parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l-1]) * SCALE\n"
    + B_ZEROS,
    seed=False,
    head="",
).replace("    parameters = {}", "    np.random.seed(SEED)\n    parameters = {}")

SIGNATURE_RANDOM = full_function(RANDOM, RIGHT[RANDOM]).replace(
    "(layers_dims):", "(layers_dims, scale):"
)
SIGNATURE_HE = full_function(HE, RIGHT[HE]).replace("(layers_dims):", "(layers_dims, seed=3):")

SYNTAX_ERROR_HE = full_function(HE, RIGHT[HE]).replace(
    "np.sqrt(2. / layers_dims[l-1])", "np.sqrt(2. / layers_dims[l-1]"
)

IF_BLOCK_HE = "if True:\n" + "".join(
    f"    {line}\n" for line in full_function(HE, RIGHT[HE]).splitlines()
)

RENAMED_RANDOM = full_function(RANDOM, RIGHT[RANDOM]).replace(f"def {RANDOM}(", "def init_random(")

DELETED_ZEROS = "# I moved this function somewhere else\n"

LAMBDA_ZEROS = (
    "initialize_parameters_zeros = lambda layers_dims: {\n"
    "    key: value\n"
    "    for l in range(1, len(layers_dims))\n"
    "    for key, value in (\n"
    "        ('W' + str(l), np.zeros((layers_dims[l], layers_dims[l - 1]))),\n"
    "        ('b' + str(l), np.zeros((layers_dims[l], 1))),\n"
    "    )\n"
    "}\n"
)

PRINT_FLOOD_ZEROS = full_function(ZEROS, "print('x' * 10_000_000)\n" + RIGHT[ZEROS], seed=False)

INFINITE_LOOP_HE = full_function(HE, "while True:\n    pass")
EXIT_ZEROS = full_function(ZEROS, "import os\nos._exit(3)", seed=False)
MEMORY_HOG_RANDOM = full_function(RANDOM, "hog = np.ones((1 << 20, 1 << 20))\n" + RIGHT[RANDOM])


# ---- answers that do not depend on layers_dims -----------------------------

# The published "Expected output" of the notebook, copied as printed (8 digits).
PUBLISHED_ZEROS_3_2_1 = (
    "{'W1': np.array([[0., 0., 0.], [0., 0., 0.]]), 'b1': np.array([[0.], [0.]]),\n"
    " 'W2': np.array([[0., 0.]]), 'b2': np.array([[0.]])}"
)
PUBLISHED_RANDOM_3_2_1 = (
    "{'W1': np.array([[17.88628473, 4.36509851, 0.96497468],\n"
    "                 [-18.63492703, -2.77388203, -3.54758979]]),\n"
    " 'b1': np.array([[0.], [0.]]),\n"
    " 'W2': np.array([[-0.82741481, -6.27000677]]), 'b2': np.array([[0.]])}"
)
PUBLISHED_HE_2_4_1 = (
    "{'W1': np.array([[1.78862847, 0.43650985], [0.09649747, -1.8634927],\n"
    "                 [-0.2773882, -0.35475898], [-0.08274148, -0.62700068]]),\n"
    " 'b1': np.array([[0.], [0.], [0.], [0.]]),\n"
    " 'W2': np.array([[-0.03098412, -0.33744411, -0.92904268, 0.62552248]]),\n"
    " 'b2': np.array([[0.]])}"
)


def returns_literal(name, literal):
    """A graded function that returns the same literal dict whatever it is asked."""
    return f"def {name}(layers_dims):\n    return {literal.replace(chr(10), chr(10) + '    ')}\n"


def full_precision_literal(weights, layers_dims):
    """The parameters dict of weights (public_tests' full-precision values), as source text."""
    parts = []
    for l in range(1, len(layers_dims)):
        parts.append(f"'W{l}': np.array({weights[f'W{l}']!r})")
        parts.append(f"'b{l}': np.zeros(({layers_dims[l]}, 1))")
    return "{" + ", ".join(parts) + "}"


def lookup_table(name, answers_by_dims):
    """A graded function that looks the public cases up, falling back to the first answer."""
    rows = "".join(
        f"        {tuple(dims)!r}: {full_precision_literal(weights, dims)},\n"
        for dims, weights in answers_by_dims
    )
    return (
        f"def {name}(layers_dims):\n"
        f"    known_answers = {{\n{rows}    }}\n"
        "    fallback = next(iter(known_answers.values()))\n"
        "    return known_answers.get(tuple(layers_dims), fallback)\n"
    )


def length_keyed(name, literal_by_length):
    """A graded function that picks a stored answer by len(layers_dims) alone."""
    rows = "".join(
        f"        {length}: {literal},\n" for length, literal in literal_by_length.items()
    )
    return (
        f"def {name}(layers_dims):\n"
        f"    answers = {{\n{rows}    }}\n"
        "    return answers[len(layers_dims)]\n"
    )


RANDOM_LOOKUP = lookup_table(
    RANDOM, [([3, 2, 1], public_tests.RANDOM_3_2_1), ([2, 3, 2], public_tests.RANDOM_2_3_2)]
)
HE_LOOKUP = lookup_table(
    HE,
    [
        ([2, 4, 1], public_tests.HE_2_4_1),
        ([3, 1, 2], public_tests.HE_3_1_2),
        ([4, 2, 3], public_tests.HE_4_2_3),
    ],
)
ONE_LAYER_ZEROS = "{'W1': np.zeros((1, 1)), 'b1': np.zeros((1, 1))}"
RANDOM_BY_LENGTH = length_keyed(RANDOM, {2: ONE_LAYER_ZEROS, 3: PUBLISHED_RANDOM_3_2_1})
HE_BY_LENGTH = length_keyed(HE, {2: ONE_LAYER_ZEROS, 3: PUBLISHED_HE_2_4_1})


def hardcoded(*schemes):
    return [f"hardcoded:{public_tests.FUNCTION_NAMES[scheme]}" for scheme in schemes]


def hardcoded_verdict():
    return verdict("failed", 0, None, ["hard-coded answer", "does not depend on layers_dims"])


# A cell that rewrites the checks in the kernel nbgrader grades in: its hidden tests then
# award every point to the untouched stubs. This grader runs only the definitions, in a
# sandbox, and judges in its own process -- a deliberate difference.
PATCH_THE_CHECKS = (
    "import numpy\n"
    "import public_tests\n"
    "numpy.allclose = lambda *args, **kwargs: True\n"
    "public_tests.grade = lambda scheme, function, hidden: {'zeros': 5, 'random': 6, 'he': 7}[scheme]\n"
)


def unanswered_then(*changes):
    """The untouched release (every stub in place), then cells added or moved."""

    def build(dest):
        path = support.write_answers(dest, {})
        for change in changes:
            edit_notebook(path, change)
        return path

    return build


def answers(**by_function):
    """write_answers for the given exercises; the others keep their stub."""
    return lambda dest: support.write_answers(dest, by_function)


def solved_with(**by_function):
    """Right answers everywhere except the given ones (stub answers)."""
    merged = {**RIGHT, **by_function}
    return lambda dest: support.write_answers(dest, merged)


def cells_replaced(**full_cells):
    """Right answers, then whole solution cells replaced."""

    def build(dest):
        path = support.write_solved_release(dest)
        edit_notebook(path, lambda cells: replace_cells(cells, full_cells))
        return path

    return build


def replace_cells(cells, full_cells):
    for grade_id, source in full_cells.items():
        cells[index_of(cells, grade_id)].source = source


def solved_then(*changes, **full_cells):
    def build(dest):
        path = support.write_solved_release(dest)
        if full_cells:
            edit_notebook(path, lambda cells: replace_cells(cells, full_cells))
        for change in changes:
            edit_notebook(path, change)
        return path

    return build


def all_three(template):
    """The same mistake in all three exercises: template(scheme_right_answer, name) -> answer."""
    return {name: template(name) for name in (ZEROS, RANDOM, HE)}


def scaled(scale_expression):
    return weights(f"{RANDN} * {scale_expression}")


CORPUS = {
    # ---- correct, in several styles ------------------------------------
    "correct_loop": (solved_with(), expect()),
    "correct_dict_comprehension": (cells_replaced(**DICT_COMPREHENSIONS), expect()),
    "correct_helper_function": (
        solved_then(insert_after("packages", HELPER_CELL), **HELPER_STYLE),
        expect(),
    ),
    "correct_extra_cells_and_prints": (
        solved_then(insert_after(ZEROS, *EXTRA_CELLS), **{RANDOM: PRINTING_RANDOM}),
        expect(),
    ),
    "correct_moved_cells": (
        solved_then(
            move_before(HE, ZEROS), move_before(RANDOM, "initialize_parameters_zeros_show")
        ),
        expect(),
    ),
    "correct_numpy_alias": (cells_replaced(**{HE: ALIAS_HE}), expect()),
    "correct_lambda": (cells_replaced(**{ZEROS: LAMBDA_ZEROS}), expect()),
    # Our grader finds a function wherever it is; nbgrader runs the test cell before
    # the definition and gives 0 -- a deliberate difference.
    "correct_defined_after_its_test": (
        solved_then(move_to_end(HE)),
        expect(agreement=False),
    ),
    # nbgrader grades the definition current when the test cell runs: a wrong
    # redefinition in a scratch cell below the test cell changes nothing ...
    "correct_redefined_wrongly_after_its_test": (
        solved_then(insert_after("initialize_parameters_he_tests", WRONG_HE_SCRATCH)),
        expect(),
    ),
    # ... and a fix written in a cell above the test cell is what gets graded.
    "wrong_fixed_before_its_test": (
        solved_then(
            insert_after("initialize_parameters_he_show", full_function(HE, RIGHT[HE])),
            **{HE: full_function(HE, scaled("10"))},
        ),
        expect(),
    ),
    # A helper redefined between two test cells: the zeros test ran with the right one,
    # the random and He tests run with the transposed one.
    "helper_redefined_between_test_cells": (
        solved_then(
            insert_after("packages", HELPER_CELL),
            insert_after("initialize_parameters_zeros_tests", TRANSPOSED_HELPER_CELL),
            **HELPER_STYLE,
        ),
        expect(
            random=all_failed("transposed_weights"),
            he=all_failed("transposed_weights"),
        ),
    ),
    # ---- misconceptions --------------------------------------------------
    "unanswered_release": (
        answers(),
        expect(
            zeros=all_failed("unanswered_stub"),
            random=all_failed("unanswered_stub"),
            he=all_failed("unanswered_stub"),
        ),
    ),
    "layers_dims_1_for_l": (
        solved_with(
            **{
                ZEROS: support.SEED_ZEROS_BUG,
                RANDOM: weights("np.random.randn(layers_dims[1], layers_dims[l-1]) * 10").replace(
                    "layers_dims[l], 1", "layers_dims[1], 1"
                ),
            }
        ),
        # random: the hidden case [4, 1] has one layer, where layers_dims[1] is right.
        expect(
            zeros=all_failed("layers_dims_1_for_l"), random=all_failed("layers_dims_1_for_l", 1)
        ),
    ),
    "transposed_weights": (
        solved_with(
            **{
                ZEROS: weights("np.zeros((layers_dims[l-1], layers_dims[l]))"),
                RANDOM: weights("np.random.randn(layers_dims[l-1], layers_dims[l]) * 10"),
                HE: weights(
                    "np.random.randn(layers_dims[l-1], layers_dims[l]) * np.sqrt(2 / layers_dims[l-1])"
                ),
            }
        ),
        expect(
            zeros=all_failed("transposed_weights"),
            random=all_failed("transposed_weights"),
            he=all_failed("transposed_weights"),
        ),
    ),
    "flat_biases": (
        solved_with(
            **{
                name: RIGHT[name].replace(
                    "np.zeros((layers_dims[l], 1))", "np.zeros(layers_dims[l])"
                )
                for name in (ZEROS, RANDOM, HE)
            }
        ),
        expect(
            zeros=all_failed("flat_biases"),
            random=all_failed("flat_biases"),
            he=all_failed("flat_biases"),
        ),
    ),
    "missing_last_layer": (
        cells_replaced(
            **{
                ZEROS: full_function(
                    ZEROS, RIGHT[ZEROS], seed=False, loop="range(1, len(layers_dims) - 1)"
                ),
                HE: full_function(HE, RIGHT[HE], loop="range(1, len(layers_dims) - 1)"),
            }
        ),
        expect(zeros=all_failed("missing_last_layer"), he=all_failed("missing_last_layer")),
    ),
    "layer_off_by_one": (
        cells_replaced(
            **{
                ZEROS: full_function(
                    ZEROS, RIGHT[ZEROS], seed=False, loop="range(1, len(layers_dims) + 1)"
                ),
                HE: full_function(HE, RIGHT[HE], loop="range(0, len(layers_dims))"),
            }
        ),
        expect(zeros=all_failed("layer_off_by_one"), he=all_failed("layer_off_by_one")),
    ),
    "missing_times_ten": (
        solved_with(**{RANDOM: weights(RANDN)}),
        expect(random=all_failed("missing_times_ten")),
    ),
    "times_ten_on_he": (
        solved_with(**{HE: scaled("10")}),
        expect(he=all_failed("wrong_scale_on_he")),
    ),
    "small_scale_0_01": (
        solved_with(**{RANDOM: scaled("0.01")}),
        expect(random=all_failed("small_scale_0_01")),
    ),
    "uniform_rand": (
        solved_with(
            **{
                RANDOM: weights("np.random.rand(layers_dims[l], layers_dims[l-1]) * 10"),
                HE: weights(
                    "np.random.rand(layers_dims[l], layers_dims[l-1]) * np.sqrt(2 / layers_dims[l-1])"
                ),
            }
        ),
        expect(random=all_failed("uniform_rand"), he=all_failed("uniform_rand")),
    ),
    "randn_given_a_tuple": (
        solved_with(
            **{RANDOM: weights("np.random.randn((layers_dims[l], layers_dims[l-1])) * 10")}
        ),
        expect(random=all_failed("randn_given_a_tuple")),
    ),
    "zeros_given_two_arguments": (
        solved_with(**{ZEROS: weights("np.zeros(layers_dims[l], layers_dims[l-1])")}),
        expect(zeros=all_failed("zeros_given_two_arguments")),
    ),
    "no_seed": (
        cells_replaced(
            **{
                RANDOM: full_function(RANDOM, RIGHT[RANDOM], seed=False),
                HE: full_function(HE, RIGHT[HE], seed=False),
            }
        ),
        expect(random=all_failed("no_seed"), he=all_failed("no_seed")),
    ),
    "seed_inside_loop": (
        solved_with(
            **{
                RANDOM: "np.random.seed(3)\n" + RIGHT[RANDOM],
                HE: "np.random.seed(3)\n" + RIGHT[HE],
            }
        ),
        # The one-layer hidden cases ([4, 1], [5, 1]) still pass; the seeding case, whose
        # values are wrong, does not.
        expect(random=all_failed("seed_inside_loop", 1), he=all_failed("seed_inside_loop", 1)),
    ),
    "wrong_seed": (
        cells_replaced(
            **{RANDOM: full_function(RANDOM, RIGHT[RANDOM]).replace("seed(3)", "seed(1)")}
        ),
        expect(random=all_failed("wrong_seed", mentions=["np.random.seed(3)"])),
    ),
    "random_biases": (
        solved_with(
            **{
                HE: RIGHT[HE].replace(
                    "np.zeros((layers_dims[l], 1))",
                    "np.random.randn(layers_dims[l], 1) * np.sqrt(2. / layers_dims[l-1])",
                )
            }
        ),
        expect(he=all_failed("random_biases")),
    ),
    "xavier_instead_of_he": (
        solved_with(**{HE: scaled("np.sqrt(1 / layers_dims[l-1])")}),
        expect(he=all_failed("xavier_instead_of_he")),
    ),
    "fan_out_instead_of_fan_in": (
        solved_with(**{HE: scaled("np.sqrt(2 / layers_dims[l])")}),
        expect(he=all_failed("fan_out_instead_of_fan_in")),
    ),
    "no_square_root": (
        solved_with(**{HE: scaled("(2 / layers_dims[l-1])")}),
        expect(he=all_failed("no_square_root")),
    ),
    "square_root_of_numerator_only": (
        solved_with(**{HE: scaled("np.sqrt(2) / layers_dims[l-1]")}),
        expect(he=all_failed("square_root_of_numerator_only")),
    ),
    "integer_division": (
        solved_with(**{HE: scaled("np.sqrt(2 // layers_dims[l-1])")}),
        expect(he=all_failed("integer_division")),
    ),
    "integer_weights": (
        solved_with(**{ZEROS: weights("np.zeros((layers_dims[l], layers_dims[l-1]), dtype=int)")}),
        expect(zeros=all_failed("integer_weights", mentions=["dtype"])),
    ),
    "random_weights_in_zeros": (
        solved_with(**{ZEROS: weights("np.random.randn(layers_dims[l], layers_dims[l-1]) * 0.01")}),
        expect(zeros=all_failed("random_weights_in_zeros")),
    ),
    "ones_instead_of_zeros": (
        solved_with(**{ZEROS: weights("np.ones((layers_dims[l], layers_dims[l-1]))")}),
        expect(zeros=all_failed("ones_instead_of_zeros")),
    ),
    # ---- weights of the right shape, but not random -----------------------
    # Each used to earn the seeding case's point: constant weights are "the same on
    # every call" too. They earn nothing now.
    "all_zeros_weights": (
        solved_with(
            **{
                name: weights("np.zeros((layers_dims[l], layers_dims[l-1]))")
                for name in (RANDOM, HE)
            }
        ),
        expect(random=all_failed("constant_weights"), he=all_failed("constant_weights")),
    ),
    "all_ones_weights": (
        solved_with(
            **{
                RANDOM: weights("np.ones((layers_dims[l], layers_dims[l-1]))"),
                HE: weights(
                    "np.ones((layers_dims[l], layers_dims[l-1])) * np.sqrt(2 / layers_dims[l-1])"
                ),
            }
        ),
        expect(random=all_failed("constant_weights"), he=all_failed("constant_weights")),
    ),
    "all_nan_weights": (
        solved_with(
            **{
                name: weights("np.full((layers_dims[l], layers_dims[l-1]), np.nan)")
                for name in (RANDOM, HE)
            }
        ),
        expect(random=all_failed(None, mentions=["NaN"]), he=all_failed(None, mentions=["NaN"])),
    ),
    # ---- answers that do not depend on layers_dims: 0 and an integrity flag ---
    "hardcoded_published_answer": (
        cells_replaced(
            **{
                ZEROS: returns_literal(ZEROS, PUBLISHED_ZEROS_3_2_1),
                RANDOM: returns_literal(RANDOM, PUBLISHED_RANDOM_3_2_1),
                HE: returns_literal(HE, PUBLISHED_HE_2_4_1),
            }
        ),
        expect(
            flags=hardcoded("zeros", "random", "he"),
            zeros=hardcoded_verdict(),
            random=hardcoded_verdict(),
            he=hardcoded_verdict(),
        ),
    ),
    "lookup_table_of_public_cases": (
        cells_replaced(**{RANDOM: RANDOM_LOOKUP, HE: HE_LOOKUP}),
        expect(flags=hardcoded("random", "he"), random=hardcoded_verdict(), he=hardcoded_verdict()),
    ),
    "length_keyed_answers": (
        cells_replaced(**{RANDOM: RANDOM_BY_LENGTH, HE: HE_BY_LENGTH}),
        expect(flags=hardcoded("random", "he"), random=hardcoded_verdict(), he=hardcoded_verdict()),
    ),
    "patches_the_checks": (
        unanswered_then(insert_after("packages", PATCH_THE_CHECKS)),
        expect(
            agreement=False,
            zeros=all_failed("unanswered_stub"),
            random=all_failed("unanswered_stub"),
            he=all_failed("unanswered_stub"),
        ),
    ),
    # ---- broken cells ----------------------------------------------------
    "syntax_error_in_he_cell": (
        cells_replaced(**{HE: SYNTAX_ERROR_HE}),
        expect(he=verdict("error", 0, None, ["syntax error"])),
    ),
    "deleted_function": (
        cells_replaced(**{ZEROS: DELETED_ZEROS}),
        expect(zeros=verdict("missing", 0, None, ["not defined"])),
    ),
    "renamed_function": (
        cells_replaced(**{RANDOM: RENAMED_RANDOM}),
        expect(random=verdict("missing", 0, None, ["renamed", "init_random"])),
    ),
    # nbgrader runs the `if` and grades the function; this grader replays top-level
    # definitions only and says where the function is -- a deliberate difference.
    "defined_inside_an_if_block": (
        cells_replaced(**{HE: IF_BLOCK_HE}),
        expect(
            agreement=False,
            he=verdict("error", 0, None, ["inside an `if` block in cell", "top level"]),
        ),
    ),
    # Any other signature scores 0 with a message; nbgrader gives 0 for the random one
    # (a TypeError) but full marks for the He one, which it can still call -- a
    # deliberate difference.
    "changed_signature": (
        cells_replaced(**{RANDOM: SIGNATURE_RANDOM, HE: SIGNATURE_HE}),
        expect(
            agreement=False,
            random=verdict(
                "error",
                0,
                None,
                ["signature was changed", f"found {RANDOM}(layers_dims, scale)"],
            ),
            he=verdict("error", 0, None, [f"found {HE}(layers_dims, seed=3)"]),
        ),
    ),
    # The incompatible change alone: nbgrader agrees (its call raises a TypeError).
    "incompatible_signature": (
        cells_replaced(**{RANDOM: SIGNATURE_RANDOM}),
        expect(random=verdict("error", 0, None, ["signature was changed"])),
    ),
    "global_variable": (
        solved_then(insert_after("packages", "SEED = 3\nSCALE = 10"), **{RANDOM: GLOBAL_RANDOM}),
        expect(random=verdict("passed", 6, None, ["global variable", "SEED", "SCALE"])),
    ),
    # A global computed by a call is not replayed (only definitions and simple constants
    # are): nbgrader, running the whole notebook, passes it; the feedback names the global.
    "global_computed_by_a_call": (
        solved_then(
            insert_after("packages", "SEED = int('3')\nSCALE = 10"), **{RANDOM: GLOBAL_RANDOM}
        ),
        expect(
            agreement=False,
            random=verdict(
                "failed", 0, None, ["global variable", "`SEED` is computed", "NameError"]
            ),
        ),
    ),
    # ---- hostile code ----------------------------------------------------
    "infinite_loop": (
        cells_replaced(**{HE: INFINITE_LOOP_HE}),
        expect(agreement=False, he=verdict("timeout", 0, None, ["time"])),
    ),
    "exits_the_process": (
        cells_replaced(**{ZEROS: EXIT_ZEROS}),
        expect(agreement=False, zeros=verdict("error", 0)),
    ),
    "print_flood": (
        cells_replaced(**{ZEROS: PRINT_FLOOD_ZEROS}),
        expect(agreement=False, zeros=verdict("error", 0, None, ["output"])),
    ),
    "memory_hog": (
        cells_replaced(**{RANDOM: MEMORY_HOG_RANDOM}),
        expect(random=verdict("error", 0, None, ["memory"])),
    ),
}


# --------------------------------------------------------------------------
# Files that are not notebooks at all.
# --------------------------------------------------------------------------

# The 8-byte PNG signature, an IHDR chunk of a 1x1 image, IEND: a real (tiny) PNG.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
NBFORMAT_3 = {
    "metadata": {"name": "Initialization"},
    "nbformat": 3,
    "nbformat_minor": 0,
    "worksheets": [{"cells": [{"cell_type": "code", "input": "x = 1", "language": "python"}]}],
}


def broken_files(release_text):
    return {
        "truncated_json": release_text[: len(release_text) // 2],
        "empty_file": "",
        "not_a_notebook": json.dumps({"hello": "this is JSON, but not a notebook"}),
        "png_named_ipynb": TINY_PNG,
        "nbformat_3": json.dumps(NBFORMAT_3, indent=1),
    }


BROKEN_MENTIONS = {
    "truncated_json": "truncated",
    "empty_file": "empty",
    "not_a_notebook": "not a notebook",
    "png_named_ipynb": "PNG",
    "nbformat_3": "nbformat 3",
}


def broken_expectation(mention):
    unreadable = verdict("error", 0, None, [mention])
    entry = expect(agreement=False, zeros=unreadable, random=unreadable, he=unreadable)
    entry["unreadable"] = True
    return entry


def main():
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    expected = {}
    with tempfile.TemporaryDirectory() as scratch:
        for name, (build, verdicts) in CORPUS.items():
            path = build(Path(scratch) / name)
            shutil.copy(path, OUT / f"{name}.ipynb")
            expected[f"{name}.ipynb"] = verdicts
    release_text = (support.RELEASE / support.NOTEBOOK_NAME).read_text(encoding="utf-8")
    for name, content in broken_files(release_text).items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (OUT / f"{name}.ipynb").write_bytes(data)
        expected[f"{name}.ipynb"] = broken_expectation(BROKEN_MENTIONS[name])
    text = json.dumps(expected, indent=1, sort_keys=True) + "\n"
    (OUT / "expected.json").write_text(text, encoding="utf-8")
    print(f"wrote {len(expected)} submissions and expected.json to {OUT}")


if __name__ == "__main__":
    main()
