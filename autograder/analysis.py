"""Static checks of the graded functions, before anything runs.

For each exercise: is the function there at all (deleted, renamed, lost to a
syntax error in its cell, hidden in an `if` block)? Is its signature exactly the
one the notebook gave? Does it read a module-level variable (a global) instead of
its argument? A missing function or a changed signature is a verdict on its own
(the exercise scores 0); the other findings are notes for the feedback, because
the function may still pass.
"""

import ast
import builtins
import difflib
import symtable
from dataclasses import dataclass

import public_tests

from .data import Status

# A note names this many helpers or variables at most (a notebook may define thousands).
MAX_LISTED_NAMES = 10


@dataclass(frozen=True)
class StaticFindings:
    """What the static checks found for one exercise.

    verdict -- None when the function can run; else why not, Status.MISSING or Status.ERROR
    reason  -- why it cannot run (with a verdict)
    notes   -- (sentence, ...) for the student's feedback
    """

    function: str
    verdict: Status | None = None
    reason: str = ""
    notes: tuple = ()

    @property
    def runs(self):
        """Can the function run in the sandbox?"""
        return self.verdict is None


def signature_text(node):
    return f"{node.name}({ast.unparse(node.args)})"


def signature_problem(node, expected):
    """The reason when the arguments are not exactly `expected` (names), else None.

    Any other signature scores 0, even one the graders could call (`seed=3`): the
    exercise is to fill in the function the notebook gives, as written.
    """
    arguments = node.args
    names = tuple(arg.arg for arg in arguments.posonlyargs + arguments.args)
    extras = arguments.vararg or arguments.kwarg or arguments.kwonlyargs
    if names == tuple(expected) and not extras and not arguments.defaults:
        return None
    wanted = f"{node.name}({', '.join(expected)})"
    return (
        f"The signature was changed: expected {wanted}, found "
        f"{signature_text(node)} -- keep the signature given in the notebook, "
        f"`def {wanted}:`."
    )


def global_reads(node):
    """Names the function (or a function nested in it) reads from module level."""
    try:
        table = symtable.symtable(ast.unparse(node), "<exercise>", "exec")
    except SyntaxError:
        # The cell compiled (extraction checks it); its function alone may not, e.g. a
        # `global` declaration the cell allowed. No reads known: no notes, no crash.
        return set(), set()
    names, declared = set(), set()
    pending = list(table.get_children())
    while pending:
        scope = pending.pop()
        for symbol in scope.get_symbols():
            if symbol.is_declared_global():
                declared.add(symbol.get_name())
            if symbol.is_global() and symbol.is_referenced():
                names.add(symbol.get_name())
        pending.extend(scope.get_children())
    return names, declared


def star_imported_names(program):
    """Names a star import may have bound; only the course's public_tests can be listed."""
    if program.star_modules - {"public_tests"}:
        return AnyName()
    if program.star_modules:
        return {name for name in vars(public_tests) if not name.startswith("_")}
    return set()


class AnyName:
    """Stands for the unknown names of a star import: contains every name."""

    def __contains__(self, name):
        return True


def reachable_reads(definition, program):
    """Module-level names read by the function and by the notebook's functions it calls.

    Returns (reads, declared_global, helpers): a student's helper that reads a global
    makes the graded function depend on it just the same.
    """
    reads, declared = global_reads(definition.node)
    helpers, pending = set(), [name for name in reads if name in program.functions]
    while pending:
        name = pending.pop()
        if name in helpers or name == definition.name:
            continue
        helpers.add(name)
        more, more_declared = global_reads(program.functions[name].node)
        reads |= more
        declared |= more_declared
        pending += [other for other in more if other in program.functions]
    return reads, declared, helpers


def name_list(names, quote=""):
    """'a, b, c' -- or the first MAX_LISTED_NAMES and how many more (a note stays short)."""
    names = sorted(names)
    listed = ", ".join(f"{quote}{name}{quote}" for name in names[:MAX_LISTED_NAMES])
    if len(names) > MAX_LISTED_NAMES:
        listed += f" and {len(names) - MAX_LISTED_NAMES} more"
    return listed


def global_notes(definition, program):
    """Notes on module-level variables the graded function (or its helpers) depends on."""
    reads, declared, helpers = reachable_reads(definition, program)
    subject = definition.name
    if helpers:
        subject += f" (with its helper{'s' if len(helpers) > 1 else ''} {name_list(helpers)})"
    notes = []
    variables = sorted(reads & program.assigned_names)
    if variables:
        listed = name_list(variables, "`")
        notes.append(
            f"{subject} reads the global variable(s) {listed} defined outside it; "
            "a graded function must work from its argument alone -- use layers_dims and "
            "local variables (the graders run it without the rest of your notebook)."
        )
        computed = [name for name in variables if name not in program.bound_names]
        if computed:
            listed = name_list(computed, "`")
            notes.append(
                f"{listed} {'is' if len(computed) == 1 else 'are'} computed by running code, "
                "which the graders never do, so the function finds no such name (NameError)."
            )
    if declared:
        listed = name_list(declared, "`")
        notes.append(f"{subject} declares `global` {listed}: keep every variable local.")
    undefined = sorted(
        name
        for name in reads
        if name not in program.bound_names
        and name not in star_imported_names(program)
        and name not in program.assigned_names
        and not hasattr(builtins, name)
    )
    below = [name for name in undefined if name in program.defined_below]
    undefined = [name for name in undefined if name not in program.defined_below]
    if below:
        listed = name_list(below, "`")
        notes.append(
            f"{subject} uses {listed}, defined only below the exercise's test cell: the test "
            "runs before that cell does (a NameError), so move the definition above it."
        )
    if undefined:
        listed = name_list(undefined, "`")
        notes.append(
            f"{subject} uses {listed}, which the notebook never defines "
            "(a NameError when it runs): is an import or a helper function missing?"
        )
    return notes


def renamed_to(exercise, program, graded_functions):
    """The name the student seems to have given the function instead, or ''."""
    function = exercise.function
    cell = program.grade_cells.get(exercise.solution_cell)
    # Another exercise's function is never a renamed copy of this one: the three names
    # differ by a word only, close enough for difflib to pair them.
    candidates = {
        name: definition
        for name, definition in program.functions.items()
        if name not in graded_functions
    }
    in_its_cell = [name for name, definition in candidates.items() if definition.cell == cell]
    if cell is not None and len(in_its_cell) == 1:
        return in_its_cell[0]
    close = difflib.get_close_matches(function, list(candidates), n=1, cutoff=0.85)
    return close[0] if close else ""


def broken_cell_of(exercise, program):
    for broken in program.broken_cells:
        if exercise.function in broken.defines or broken.grade_id == exercise.solution_cell:
            return broken
    return None


def missing_findings(exercise, program, graded_functions):
    """StaticFindings of a function the program does not define: why not, as well as known."""
    function = exercise.function
    broken = broken_cell_of(exercise, program)
    if broken is not None and broken.too_large:
        reason = (
            f"The cell that defines {function} (cell {broken.cell + 1}) is too large or "
            f"too deep to analyse: {broken.reason}. The graders leave that cell out, so "
            f"{function} is not defined; keep the function's cell to the function itself."
        )
        return StaticFindings(function, Status.ERROR, reason)
    if broken is not None:
        reason = (
            f"The cell that defines {function} (cell {broken.cell + 1}) has a syntax error: "
            f"{broken.reason}. Python cannot run any of that cell, so {function} is not "
            "defined; fix the error and run the cell again."
        )
        return StaticFindings(function, Status.ERROR, reason)
    if function in program.nested_definitions:
        keyword, cell = program.nested_definitions[function]
        # `error`, not `missing`: the function is there, written where it is not replayed.
        article = public_tests.with_article(keyword).removesuffix(keyword)
        reason = (
            f"{function} is defined inside {article}`{keyword}` block in cell {cell + 1}; define "
            "it at the top level of its cell (`def` at the start of a line, not indented "
            "under another statement): the graders only take top-level definitions."
        )
        return StaticFindings(function, Status.ERROR, reason)
    other = renamed_to(exercise, program, graded_functions)
    if other:
        reason = (
            f"{function} is not defined: it seems to have been renamed to `{other}`. "
            f"The graders look for `def {function}({', '.join(exercise.arguments)})`; "
            "give it back its name."
        )
    else:
        reason = (
            f"{function} is not defined anywhere in the notebook (was its cell deleted?). "
            "Get a fresh copy of the cell and put your code back in."
        )
    return StaticFindings(function, Status.MISSING, reason)


def analyse(exercise, program, graded_functions=()):
    """StaticFindings for one exercise (an assignment.ExerciseSpec) of the extracted program.

    graded_functions -- the names of every graded function of the assignment: none of
                        them is taken for a renamed copy of another
    """
    function = exercise.function
    definition = program.functions.get(function)
    if definition is None:
        return missing_findings(exercise, program, graded_functions)
    notes = tuple(global_notes(definition, program))
    problem = signature_problem(definition.node, exercise.arguments)
    if problem:
        return StaticFindings(function, Status.ERROR, problem, notes)
    return StaticFindings(function, notes=notes)
