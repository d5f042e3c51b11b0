"""Every graded case of the assignment: the public ones and the hidden ones.

The hidden layer sizes are never shown to students before grading. A hard-coded
copy of a published answer fails them, and so does the seed text's zeros bug
(every hidden zeros case has layers of different sizes after the first).

The nbgrader source notebook holds the same hidden cases as literal data in its
hidden test cells; `render_hidden_tests` writes that text, and the authoring tool
`tools/sync_source.py` puts it into the notebook.
"""

import public_tests

from . import reference

# The lines that open and close the hidden block of a grade cell (nbgrader's markers).
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"

HIDDEN_LAYERS = {
    "zeros": [[5, 3, 4], [1, 6, 2, 3], [4, 2, 3, 5, 1]],
    "random": [[4, 1], [2, 5, 3, 1], [6, 3, 2, 4]],
    "he": [[5, 1], [3, 6, 4, 1], [7, 2, 5, 3]],
}


def weights_only(parameters):
    return {key: value for key, value in parameters.items() if key.startswith("W")}


def hidden_cases(scheme):
    """The hidden cases of a scheme, expected values from the reference."""
    return [
        public_tests.hidden_case(
            scheme, layers_dims, weights_only(reference.initialize(scheme, layers_dims))
        )
        for layers_dims in HIDDEN_LAYERS[scheme]
    ]


def all_cases(scheme):
    """Public then hidden cases, in the order both graders score them."""
    return public_tests.public_cases(scheme) + hidden_cases(scheme)


def literal(array):
    """A nested list of floats written with repr, so that it reads back exactly."""
    return repr(array.tolist())


def render_hidden_tests(scheme):
    """The hidden-test block of the scheme's grade cell in the source notebook."""
    function = public_tests.FUNCTION_NAMES[scheme]
    lines = [
        HIDDEN_BEGIN,
        "# Written by `python tools/sync_source.py` from autograder/cases.py.",
        "from public_tests import grade, hidden_case",
        "",
        f"grade({scheme!r}, {function}, [",
    ]
    for layers_dims in HIDDEN_LAYERS[scheme]:
        weights = weights_only(reference.initialize(scheme, layers_dims))
        body = ", ".join(f"{key!r}: {literal(value)}" for key, value in weights.items())
        lines.append(f"    hidden_case({scheme!r}, {layers_dims}, {{{body}}}),")
    lines += ["])", HIDDEN_END]
    return "\n".join(lines)
