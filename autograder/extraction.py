"""From a notebook's cells to the program the sandbox runs: definitions only.

The graded functions are looked up by name anywhere in the notebook (and their
nbgrader cells by grade_id), so moved cells, extra cells, extra prints and the
student's own helper functions all work. The program keeps only top-level
definitions that are safe and cheap to replay -- imports, `def`, `class` and
simple constant assignments -- and drops everything else (training runs,
prints, plots, tests), in notebook order, so that the last definition of a name
wins as it does when the notebook runs top to bottom. Each exercise's program
stops at that exercise's test cell, where nbgrader grades it (exercise_programs).

A cell with a syntax error is left out on its own: only the exercises defined
in that cell are lost.
"""

import ast
import re
from dataclasses import dataclass, field

# Cell magics whose body is still Python; any other (%%bash, %%html, ...) is not.
PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun", "debug"}

# A code cell of this course holds at most about 2,400 characters and its code is
# nested about 12 syntax-tree levels deep. Larger or deeper cells are left out like
# a broken cell: their parse grows with their size (a 20 MB list literal took
# minutes and gigabytes), and the recursive steps (ast.unparse, symtable) overflow.
MAX_CELL_CODE_CHARACTERS = 100_000
MAX_TREE_DEPTH = 100

# Linear-time patterns (a student's cell may be megabytes): no two adjacent parts may
# match the same characters, and nothing but [ \t] is skipped within a line.
MAGIC_LINE = re.compile(r"^(\s*)(%|!|[\w.]+\?{1,2}\s*$|[\w.,][\w.,\s]*=\s*[%!])")
DEF_LINE = re.compile(r"^[ \t]*(?:async[ \t]+)?def[ \t]+(\w+)[ \t]*\(", re.MULTILINE)


@dataclass
class Definition:
    """A top-level function of the notebook.

    node     -- its ast.FunctionDef
    cell     -- index of the cell that defines it
    grade_id -- that cell's nbgrader grade_id, or ''
    """

    name: str
    node: ast.AST
    cell: int
    grade_id: str


@dataclass
class BrokenCell:
    """A code cell that does not parse.

    defines -- names of the functions it appears to define (found by a pattern)
    """

    cell: int
    grade_id: str
    reason: str
    defines: list = field(default_factory=list)
    too_large: bool = False  # left out for its size or depth, not for a syntax error


@dataclass
class Program:
    """What the extraction found.

    source         -- the definitions to exec in the sandbox
    functions      -- name -> last top-level Definition of that name
    broken_cells   -- cells left out because they do not parse
    assigned_names -- names assigned at module level anywhere (kept or not): globals
    bound_names    -- every name the kept source binds at module level
    grade_cells    -- grade_id -> cell index
    star_modules   -- modules star-imported anywhere (they bind names we cannot list)
    nested_definitions -- name -> (block keyword, cell index) of functions defined inside
                      a top-level `if`/`try`/`with`/... block, which are not replayed
    defined_below  -- for a program cut at a test cell: names bound only below that cell
    """

    source: str
    functions: dict
    broken_cells: list
    assigned_names: set
    bound_names: set
    grade_cells: dict
    star_modules: set = field(default_factory=set)
    nested_definitions: dict = field(default_factory=dict)
    defined_below: set = field(default_factory=set)


def strip_magic_lines(source):
    """IPython magics and shell lines become `pass` (keeping indentation and line numbers)."""
    lines = []
    for line in source.splitlines():
        match = MAGIC_LINE.match(line)
        lines.append(f"{match.group(1)}pass" if match else line)
    return "\n".join(lines)


def python_text(source):
    """The Python text of a code cell, or None for a cell magic that is not Python."""
    stripped = source.lstrip()
    if stripped.startswith("%%"):
        first_line, _, body = stripped.partition("\n")
        magic = first_line[2:].split(maxsplit=1)[0] if first_line[2:].strip() else ""
        if magic not in PYTHON_CELL_MAGICS:
            return None
        source = body
    return source


def parse_cell(source):
    """An ast.Module for the cell; tries it as written first, then without magics."""
    try:
        return ast.parse(source)
    except SyntaxError:
        pass
    except (ValueError, RecursionError, MemoryError) as error:
        raise SyntaxError(f"cannot be parsed ({type(error).__name__})") from None
    try:
        return ast.parse(strip_magic_lines(source))
    except (ValueError, RecursionError, MemoryError) as error:
        raise SyntaxError(f"cannot be parsed ({type(error).__name__})") from None


def check_compiles(tree):
    """SyntaxError when Python's compiler refuses a tree that parses (as the cell's run would).

    The parser accepts `nonlocal y` with no enclosing binding, `await` in a plain def,
    `global x` after x is assigned, `yield` in a comprehension; the compiler does not,
    and neither does symtable in the analysis. IPython allows top-level await.
    """
    try:
        compile(tree, "<cell>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    except (ValueError, RecursionError, MemoryError) as error:
        raise SyntaxError(f"cannot be compiled ({type(error).__name__})") from None


def syntax_reason(error):
    where = f" (line {error.lineno})" if getattr(error, "lineno", None) else ""
    return f"{error.msg if hasattr(error, 'msg') and error.msg else error}{where}"


SIMPLE_VALUE_NODES = (
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.Attribute,
    ast.UnaryOp,
    ast.BinOp,
    ast.BoolOp,
    ast.Compare,
    ast.Tuple,
    ast.List,
    ast.Set,
    ast.Dict,
    ast.Subscript,
    ast.Slice,
    ast.Lambda,
    ast.arguments,
    ast.arg,
    ast.operator,
    ast.unaryop,
    ast.boolop,
    ast.cmpop,
    ast.expr_context,
)


def child_nodes(node):
    """The nodes directly below node, as ast.iter_child_nodes yields them, in one list.

    Walking a cell's tree is most of the cost of reading a notebook; this is ast's own
    rule (every field that is a node, every node in a field that is a list) without its
    two generators per node.
    """
    children = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, ast.AST):
            children.append(value)
        elif isinstance(value, list):
            children += [item for item in value if isinstance(item, ast.AST)]
    return children


def all_nodes(tree):
    """tree and every node below it: ast.walk's nodes (in another order), as a list."""
    nodes = [tree]
    for node in nodes:  # grows as it is read: each node's children are read in turn
        nodes += child_nodes(node)
    return nodes


def is_simple_value(node):
    """A value computed without calling anything: literals, names, arithmetic, lambdas."""
    pending = [node]
    while pending:  # stops at the first node that is not simple (a call, most often)
        current = pending.pop()
        if not isinstance(current, SIMPLE_VALUE_NODES):
            return False
        pending += child_nodes(current)
    return True


def target_names(target):
    """Names bound by an assignment target; None when it also writes elsewhere (x[0], a.b)."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple | ast.List):
        names = []
        for element in target.elts:
            inner = target_names(element.value if isinstance(element, ast.Starred) else element)
            if inner is None:
                return None
            names += inner
        return names
    return None


def assignment_targets(node):
    if isinstance(node, ast.Assign):
        return node.targets
    if isinstance(node, ast.AnnAssign | ast.AugAssign):
        return [node.target]
    if isinstance(node, ast.For | ast.AsyncFor):
        return [node.target]
    if isinstance(node, ast.With):
        return [item.optional_vars for item in node.items if item.optional_vars]
    return []


FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
# Nodes that may bind a name: assignment_targets' kinds, and :=.
BINDING_NODES = (
    ast.Assign,
    ast.AnnAssign,
    ast.AugAssign,
    ast.For,
    ast.AsyncFor,
    ast.With,
    ast.NamedExpr,
)


def module_level_assignments(tree, limit=MAX_TREE_DEPTH):
    """Every name a cell assigns at module level, also inside if/for/with/try blocks; None
    when the tree is nested more than `limit` levels deep (the compiler would recurse).

    One iterative walk finds both (the cost of reading a notebook is mostly walks of its
    trees). A name assigned only inside functions is not module level, unless the cell's
    top level assigns it too; := binds where it stands (in a comprehension, the enclosing
    scope), so it counts wherever it is.
    """
    # Level by level: the nodes of one depth outside any function, and those inside one.
    outside, inside, depth = [tree], [], 1
    bindings = []  # (node that may bind names, inside a function)
    while outside or inside:
        if depth > limit:
            return None
        below_outside, below_inside = [], []
        for node in outside:
            if isinstance(node, BINDING_NODES):
                bindings.append((node, False))
            below = below_inside if isinstance(node, FUNCTION_NODES) else below_outside
            below += child_nodes(node)
        for node in inside:
            if isinstance(node, BINDING_NODES):
                bindings.append((node, True))
            below_inside += child_nodes(node)
        outside, inside, depth = below_outside, below_inside, depth + 1
    # Only now, the depth known to be bounded: target_names recurses.
    names, in_functions = set(), set()
    for node, inside in bindings:
        if isinstance(node, ast.NamedExpr):
            names.add(node.target.id)
            continue
        for target in assignment_targets(node):
            bound = target_names(target) or []
            names.update(bound)
            if inside:
                in_functions.update(bound)
    top_level = set()
    for node in tree.body:
        for target in assignment_targets(node):
            top_level.update(target_names(target) or [])
    return names - (in_functions - top_level)


def is_kept_assignment(node):
    if isinstance(node, ast.Assign):
        targets_ok = all(target_names(target) is not None for target in node.targets)
        return targets_ok and is_simple_value(node.value)
    if isinstance(node, ast.AnnAssign):
        return (
            node.value is not None
            and target_names(node.target) is not None
            and is_simple_value(node.value)
        )
    return False


def bound_by(node):
    """Names a kept top-level statement binds."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Import | ast.ImportFrom):
        return {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    names = set()
    for target in assignment_targets(node):
        names.update(target_names(target) or [])
    return names


def used_names(nodes):
    """Every bare name loaded anywhere in the given statements."""
    return {
        child.id
        for node in nodes
        for child in all_nodes(node)
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load)
    }


def is_star_import(node):
    return isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names)


def guarded_import(node):
    """An import that may fail without losing the other definitions (nbgrader runs on too)."""
    body = ast.unparse(node)
    return f"try:\n    {body}\nexcept ImportError:\n    pass"


@dataclass(frozen=True)
class Statement:
    """A kept top-level statement, rendered once for every program that includes it.

    text -- its source in a program (an import guarded against ImportError)
    uses -- the bare names it loads
    """

    node: ast.AST
    text: str
    uses: frozenset


def kept_statement(node):
    if isinstance(node, ast.Import | ast.ImportFrom) and not is_future_import(node):
        text = guarded_import(node)
    else:
        text = ast.unparse(node)
    return Statement(node, text, frozenset(used_names([node])))


def program_text(statements, slow_star_imports):
    """Source of the kept Statements; imports only when a kept definition needs them.

    slow_star_imports -- modules whose star import is dropped (the assignment's
                         SLOW_STAR_IMPORTS); a named import is kept only when used
    """
    imports = ast.Import | ast.ImportFrom
    needed = set().union(*(s.uses for s in statements if not isinstance(s.node, imports)))
    # A __future__ import is valid only first in a file (IPython applies it to later cells).
    futures = sorted({s.text for s in statements if is_future_import(s.node)})
    blocks = list(futures)
    for statement in statements:
        node = statement.node
        if is_future_import(node):
            continue
        if is_star_import(node):
            if node.module not in slow_star_imports:
                blocks.append(statement.text)
        elif isinstance(node, imports):
            if bound_by(node) & needed:
                blocks.append(statement.text)
        else:
            blocks.append(statement.text)
    return "\n\n".join(blocks) + "\n"


def is_future_import(node):
    return isinstance(node, ast.ImportFrom) and node.module == "__future__"


def lambda_as_def(node):
    """`f = lambda layers_dims: ...` as the equivalent `def f(layers_dims): return ...`."""
    if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Lambda)):
        return node
    if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
        return node
    lambda_node = node.value
    text = f"def {node.targets[0].id}({ast.unparse(lambda_node.args)}):\n"
    text += f"    return {ast.unparse(lambda_node.body)}\n"
    return ast.parse(text).body[0]


BLOCK_KEYWORDS = {
    ast.If: "if",
    ast.For: "for",
    ast.AsyncFor: "async for",
    ast.While: "while",
    ast.With: "with",
    ast.AsyncWith: "async with",
    ast.Try: "try",
    ast.TryStar: "try",
    ast.Match: "match",
}


def functions_defined_in(node):
    """Names of the functions a block defines at its own level (not inside a def or class)."""
    names = []
    pending = [node]
    while pending:
        current = pending.pop()
        for child in child_nodes(current):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                names.append(child.name)
            elif lambda_as_def(child) is not child:
                names.append(child.targets[0].id)
            elif not isinstance(child, ast.ClassDef | ast.Lambda | ast.expr):
                pending.append(child)
    return names


def block_definitions(tree, cell_index):
    """{name: (block keyword, cell index)} of functions defined inside top-level blocks.

    Only top-level definitions are replayed (running an `if` or `try` would run the
    student's code), so such a function is reported by name rather than as missing.
    """
    found = {}
    for node in tree.body:
        keyword = BLOCK_KEYWORDS.get(type(node))
        if keyword is None:
            continue
        for name in functions_defined_in(node):
            found.setdefault(name, (keyword, cell_index))
    return found


def is_kept_statement(node):
    if isinstance(node, ast.Import | ast.ImportFrom):
        return True
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return True
    return is_kept_assignment(node)


def test_cell_index(cells, exercise):
    """Index of the cell that tests an exercise (where nbgrader grades it), or None.

    exercise -- an assignment.ExerciseSpec
    The nbgrader grade cell `exercise.test_cell` first; without its metadata, the first
    code cell that calls the public test `exercise.public_test(`.
    """
    for cell in cells:
        if cell.grade_id == exercise.test_cell:
            return cell.index
    call = re.compile(rf"^[ \t]*{re.escape(exercise.public_test)}\(", re.MULTILINE)
    for cell in cells:
        if cell.kind == "code" and call.search(cell.source):
            return cell.index
    return None


@dataclass
class ParsedCell:
    """A code cell read once: its ast.Module, or the BrokenCell when it does not parse.

    What every program cut needs of the cell is computed once (see read_cell):
    assigned -- module_level_assignments of the cell
    nested   -- block_definitions of the cell
    kept     -- its kept top-level Statements, in order
    """

    cell: object
    tree: ast.Module | None = None
    broken: BrokenCell | None = None
    assigned: set = field(default_factory=set)
    nested: dict = field(default_factory=dict)
    kept: list = field(default_factory=list)


def read_cell(cell, tree, assigned):
    """The ParsedCell of a cell whose tree parsed and compiled."""
    kept = [
        kept_statement(node) for node in map(lambda_as_def, tree.body) if is_kept_statement(node)
    ]
    return ParsedCell(
        cell,
        tree=tree,
        assigned=assigned,
        nested=block_definitions(tree, cell.index),
        kept=kept,
    )


def too_large_reason(source):
    """Why a cell is too large to parse, or '' when it is not."""
    if len(source) > MAX_CELL_CODE_CHARACTERS:
        return (
            f"it holds {len(source):,} characters of code "
            f"(the limit per cell is {MAX_CELL_CODE_CHARACTERS:,})"
        )
    return ""


TOO_DEEP_REASON = f"its code is nested more than {MAX_TREE_DEPTH} levels deep"


def broken_cell(cell, reason, too_large=False):
    names = DEF_LINE.findall(cell.source)
    broken = BrokenCell(cell.index, cell.grade_id, reason, names, too_large)
    return ParsedCell(cell, broken=broken)


def parse_cells(cells):
    """ParsedCell of every Python code cell, in notebook order (each cell parsed once)."""
    parsed = []
    for cell in cells:
        if cell.kind != "code":
            continue
        text = python_text(cell.source)
        if text is None:
            continue
        reason = too_large_reason(text)
        if reason:
            parsed.append(broken_cell(cell, reason, too_large=True))
            continue
        try:
            tree = parse_cell(text)
        except SyntaxError as error:
            parsed.append(broken_cell(cell, syntax_reason(error)))
            continue
        # Depth first: the compiler recurses over the tree.
        assigned = module_level_assignments(tree)
        if assigned is None:
            parsed.append(broken_cell(cell, TOO_DEEP_REASON, too_large=True))
            continue
        try:
            check_compiles(tree)
        except SyntaxError as error:
            parsed.append(broken_cell(cell, syntax_reason(error)))
            continue
        parsed.append(read_cell(cell, tree, assigned))
    return parsed


def assemble(cells, parsed_cells, slow_star_imports, before=None):
    """The Program of a notebook's cells (notebook.Cell list), already parsed (parse_cells).

    slow_star_imports -- modules whose star import the program leaves out
    before -- None for the whole notebook, or a cell index: only the cells above it,
              i.e. what a top-to-bottom run has defined when it reaches that cell.
    """
    statements, functions, broken = [], {}, []
    assigned, star_modules = set(), set()
    grade_cells, nested = {}, {}
    for cell in cells:
        if cell.grade_id:
            grade_cells.setdefault(cell.grade_id, cell.index)
    for parsed in parsed_cells:
        cell = parsed.cell
        if before is not None and cell.index >= before:
            break
        if parsed.broken is not None:
            broken.append(parsed.broken)
            continue
        assigned |= parsed.assigned
        nested.update(parsed.nested)
        for statement in parsed.kept:
            node = statement.node
            statements.append(statement)
            if is_star_import(node):
                star_modules.add(node.module or "")
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                functions[node.name] = Definition(node.name, node, cell.index, cell.grade_id)
            elif node.__class__ is not ast.ClassDef:
                # A later assignment or import of the same name hides an earlier def.
                for name in bound_by(node):
                    functions.pop(name, None)
            else:
                functions.pop(node.name, None)
    bound = set().union(*(bound_by(statement.node) for statement in statements))
    source = program_text(statements, slow_star_imports)
    return Program(source, functions, broken, assigned, bound, grade_cells, star_modules, nested)


def exercise_programs(cells, exercises, slow_star_imports):
    """{exercise: Program} -- what nbgrader's top-to-bottom run has defined at its test cell.

    exercises         -- the assignment.ExerciseSpec of every graded function
    slow_star_imports -- modules whose star import is dropped (assignment.SLOW_STAR_IMPORTS)

    nbgrader grades an exercise when its test cell runs, so the graded function is its
    last definition ABOVE that cell, and so are its helpers, imports and constants: the
    program is cut at the test cell. A redefinition below it (a scratch cell) is not
    what nbgrader grades. When the function is not defined above its test cell at all
    (moved to the end of the notebook, or no test cell), the whole notebook is used and
    its last definition anywhere is graded -- a documented difference from nbgrader,
    which would give 0.
    """
    parsed = parse_cells(cells)
    whole = assemble(cells, parsed, slow_star_imports)
    programs = {}
    for exercise in exercises:
        test_cell = test_cell_index(cells, exercise)
        program = whole
        if test_cell is not None:
            above = assemble(cells, parsed, slow_star_imports, before=test_cell)
            if exercise.function in above.functions:
                program = above
                program.defined_below = whole.bound_names - above.bound_names
        programs[exercise] = program
    return programs
