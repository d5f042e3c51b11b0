"""The assignment the grader grades, defined once: its exercises, their cells and their cases.

Everything that names the assignment, a graded function, its nbgrader cells or its points
is read from here, and so are the slow modules the notebook star-imports: extraction takes
ExerciseSpecs and SLOW_STAR_IMPORTS and knows nothing else of the course. The static checks
take an ExerciseSpec and know one more thing: the names public_tests exports, which a star
import of it may bind. The names themselves come from
public_tests (SCHEMES, FUNCTION_NAMES), which ships to students alone and so cannot import
the grader.
"""

from dataclasses import dataclass
from functools import cache

import public_tests

from . import cases


@dataclass(frozen=True)
class ExerciseSpec:
    """One graded function of the assignment and where the notebook holds it.

    scheme    -- the key of its cases in public_tests ('zeros', 'random', 'he')
    function  -- the function students write, e.g. 'initialize_parameters_he'
    arguments -- its exact parameters, as the notebook gives them
    """

    scheme: str
    function: str
    arguments: tuple = ("layers_dims",)

    @property
    def solution_cell(self):
        """The nbgrader grade_id of the cell students write the function in."""
        return self.function

    @property
    def test_cell(self):
        """The nbgrader grade_id of the cell that tests it (and holds the hidden tests)."""
        return f"{self.function}_tests"

    @property
    def public_test(self):
        """The public test students call on it in that cell: `<function>_test(<function>)`."""
        return f"{self.function}_test"

    def cases(self, hidden):
        """The cases a grade runs: public and hidden (`grade`), or public only (`check`)."""
        return graded_cases(self.scheme, hidden)

    @property
    def max_points(self):
        """The exercise's points: those of all its cases, public and hidden (nbgrader's too)."""
        return public_tests.max_score(self.cases(True))

    def hardcoded_flag(self):
        """The integrity flag of an answer that does not depend on its argument."""
        return f"hardcoded:{self.function}"


@cache
def graded_cases(scheme, hidden):
    """(Case, ...) of a scheme: public then hidden when hidden, else public only."""
    chosen = cases.all_cases(scheme) if hidden else public_tests.public_cases(scheme)
    return tuple(chosen)


# The nbgrader assignment and its notebook: release/<NAME>/<NOTEBOOK_FILE>, and NOTEBOOK is the
# notebook's name in nbgrader's gradebook.
NAME = "initialization"
NOTEBOOK = "Initialization"
NOTEBOOK_FILE = f"{NOTEBOOK}.ipynb"

# Modules that the graded functions never need and that are slow to import (the notebook's
# init_utils pulls in matplotlib and scikit-learn): extraction drops a star import of them.
SLOW_STAR_IMPORTS = frozenset({"init_utils", "matplotlib.pyplot", "sklearn", "sklearn.datasets"})

EXERCISES = tuple(
    ExerciseSpec(scheme, public_tests.FUNCTION_NAMES[scheme]) for scheme in public_tests.SCHEMES
)
# The graded functions, in the order every report lists them.
FUNCTIONS = tuple(exercise.function for exercise in EXERCISES)


def exercise(scheme):
    """The ExerciseSpec of a scheme."""
    return next(spec for spec in EXERCISES if spec.scheme == scheme)
