"""What students receive keeps the hidden tests hidden, with the real nbgrader.

A corpus of submissions -- right, unanswered, common mistakes, and a test cell made to raise
inside its hidden block -- is autograded and given feedback in a temporary course. Every file a
student receives (the feedback folder release_feedback sends, and the released assignment) is
searched for the hidden blocks' source, the hidden cases' expected values and the reference
solution's code; the feedback must still hold each case's PASS/FAIL line and the named mistake.
"""

import html
import re
import shutil

import nbformat
import pytest
from support import SOLUTIONS, copy_release, fill_answers, hidden_values
from support.nbgrader_course import ASSIGNMENT, NOTEBOOK, ROOT, copy_course, run_nbgrader

from autograder import cases

pytestmark = pytest.mark.slow

SUBMISSIONS = ROOT / "tests" / "files" / "submissions"
# Corpus notebooks, and a phrase of the likely mistake their feedback must name.
CORPUS = {
    "correct_loop": "",
    "unanswered_release": "replace `raise NotImplementedError()` with your code",
    "transposed_weights": "it looks transposed",
    "missing_last_layer": "the last layer is missing",
    "no_seed": "call np.random.seed(3) at the top of your function",
    "hardcoded_published_answer": "it is a hard-coded answer",
    "deleted_function": "is not defined anywhere in the notebook",
}
# A random initialiser that is right on the public cases (three layers) and raises
# KeyboardInterrupt -- which the checks pass on, so that Ctrl-C stops a test -- on the hidden
# two-layer case: the test cell then fails inside its hidden block, and IPython's traceback
# quotes the lines around `grade(...)`.
INTERRUPTED_IN_HIDDEN_CASE = {
    **SOLUTIONS,
    "initialize_parameters_random": (
        "if len(layers_dims) == 2:\n"
        "    raise KeyboardInterrupt\n" + SOLUTIONS["initialize_parameters_random"]
    ),
}
GENERATED = {"interrupted_in_hidden_case": (INTERRUPTED_IN_HIDDEN_CASE, "KeyboardInterrupt")}
# An He initialiser that finds the hidden cases in its callers' frames and prints their expected
# values. Under nbgrader's stock execution the student's code runs in the kernel that holds the
# hidden cases, so this reached the feedback; the course's autograde runs it in a sandbox that
# never receives them.
READS_THE_HIDDEN_CASES = {
    **SOLUTIONS,
    "initialize_parameters_he": (
        "import inspect\n"
        "for frame in inspect.stack():\n"
        "    found = frame.frame.f_locals.get('hidden_cases')\n"
        "    if found:\n"
        "        print([case['expected']['W1'].tolist() for case in found])\n"
        + SOLUTIONS["initialize_parameters_he"]
    ),
}
IN_KERNEL = {"reads_the_hidden_cases": READS_THE_HIDDEN_CASES}
# The in-notebook test printing its code lines: shorter lines ('])', 'parameters = {}') say
# nothing about the tests.
SHORTEST_QUOTED_LINE = 12


def marked_lines(notebook_path, begin, end):
    """The stripped lines between `begin` and `end` delimiter lines in any cell of a notebook."""
    notebook = nbformat.read(notebook_path, as_version=4)
    lines, inside = [], False
    for cell in notebook.cells:
        for line in cell.source.splitlines():
            if begin in line:
                inside = True
            elif end in line:
                inside = False
            elif inside and len(line.strip()) >= SHORTEST_QUOTED_LINE:
                lines.append(line.strip())
    return lines


def code_lines(path):
    """The stripped code lines of a Python file, comments and docstrings left out."""
    lines = (line.strip() for line in path.read_text().splitlines())
    return [
        line
        for line in lines
        if len(line) >= SHORTEST_QUOTED_LINE and not line.startswith(("#", '"', "'"))
    ]


def readable_forms(text):
    """The text as stored and as a reader sees it (HTML tags dropped, entities decoded)."""
    return text, html.unescape(re.sub(r"<[^>]+>", "", text))


@pytest.fixture(scope="module")
def feedback_course(tmp_path_factory):
    """A course after autograde and generate_feedback of the corpus: (course folder, {student:
    the cell sources of the notebook they submitted})."""
    base = tmp_path_factory.mktemp("feedback")
    course, home = copy_course(base / "course"), base / "home"
    home.mkdir()
    submitted = {}
    for student_id in CORPUS:
        folder = course / "submitted" / student_id / ASSIGNMENT
        copy_release(folder)
        shutil.copy(SUBMISSIONS / f"{student_id}.ipynb", folder / f"{NOTEBOOK}.ipynb")
    generated = {student_id: answers for student_id, (answers, _) in GENERATED.items()}
    for student_id, answers in {**generated, **IN_KERNEL}.items():
        fill_answers(copy_release(course / "submitted" / student_id / ASSIGNMENT), answers)
    for notebook in course.glob(f"submitted/*/{ASSIGNMENT}/{NOTEBOOK}.ipynb"):
        cells = nbformat.read(notebook, as_version=4).cells
        submitted[notebook.parts[-3]] = "\n".join(cell.source for cell in cells)
    for command in (
        ["generate_assignment", ASSIGNMENT, "--force"],
        ["autograde", ASSIGNMENT],
        ["generate_feedback", ASSIGNMENT],
    ):
        done = run_nbgrader(command, cwd=course, home=home)
        assert done.returncode == 0, f"nbgrader {command[0]} failed:\n{done.stderr[-3000:]}"
    return course, submitted


def received_files(course, student_id):
    """Every file a student receives: the feedback folder and the released assignment."""
    feedback = sorted((course / "feedback" / student_id / ASSIGNMENT).rglob("*"))
    released = sorted((ROOT / "release" / ASSIGNMENT).rglob("*"))
    return [path for path in feedback + released if path.is_file()]


def hidden_test_lines():
    return marked_lines(
        ROOT / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
    )


def released_text():
    """Everything the release gives students: what is in it is public by design."""
    return "\n".join(path.read_text() for path in sorted((ROOT / "release" / ASSIGNMENT).iterdir()))


def reference_lines():
    """The source notebook's solutions and the grader's reference initialisers, line by line
    (leaving out the lines the release has too, such as `for l in range(1, len(layers_dims)):`)."""
    solutions = marked_lines(
        ROOT / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", "BEGIN SOLUTION", "END SOLUTION"
    )
    public = released_text()
    lines = solutions + code_lines(ROOT / "autograder" / "reference.py")
    return [line for line in lines if line not in public]


def hidden_values_shown(text):
    """The hidden-only expected values printed in text as whole numbers: '-1.53' in '-1.5304'
    is part of another number, not a leak."""
    forms = set().union(*(hidden_values.hidden_only_forms(s) for s in cases.HIDDEN_LAYERS))
    return sorted(form for form in forms if re.search(rf"(?<![\d.]){re.escape(form)}(?!\d)", text))


def leaks(text, own_source):
    """What of the hidden tests or the reference solution text shows, as short descriptions.

    own_source -- the student's submitted notebook: a line the student wrote is theirs to see.
    """
    found = []
    for form in readable_forms(text):
        found += [f"hidden test line {line!r}" for line in hidden_test_lines() if line in form]
        found += [f"hidden value {value}" for value in hidden_values_shown(form)]
        found += [
            f"reference line {line!r}"
            for line in reference_lines()
            if line in form and line not in own_source
        ]
        found += [f"marker {m!r}" for m in ("HIDDEN TESTS", "grade('") if m in form]
    return sorted(set(found))


def test_nothing_a_student_receives_shows_hidden_tests_or_the_reference(feedback_course):
    """Does no file a student receives -- feedback page, files beside it, the release -- show a
    hidden test line, a hidden case's expected value or the reference solution's code?"""
    course, submitted = feedback_course
    found = {}
    for student_id, own_source in submitted.items():
        if student_id in IN_KERNEL:
            continue
        for path in received_files(course, student_id):
            problems = leaks(path.read_text(errors="replace"), own_source)
            if problems:
                found[f"{student_id}: {path.name}"] = problems[:5]
    assert not found, found


def feedback_text(course, student_id):
    page = course / "feedback" / student_id / ASSIGNMENT / f"{NOTEBOOK}.html"
    return readable_forms(page.read_text())[1]


def test_feedback_holds_every_case_line_and_the_named_mistake(feedback_course):
    """Does each feedback page hold one PASS or FAIL line per graded case -- also for a function
    that is missing or raised -- and name the likely mistake of a wrong answer?"""
    course, _ = feedback_course
    named = {**CORPUS, **{student_id: phrase for student_id, (_, phrase) in GENERATED.items()}}
    for student_id, phrase in named.items():
        text = feedback_text(course, student_id)
        assert phrase in text, f"{student_id}: {phrase!r} not in the feedback"
        for scheme in cases.HIDDEN_LAYERS:
            for case in cases.all_cases(scheme):
                assert re.search(rf"^(PASS|FAIL) {re.escape(case.name)}", text, re.M), (
                    f"{student_id}: no line for {case.name} ({scheme})"
                )
        lines = re.findall(r"^(?:PASS|FAIL) (?:public|hidden) ", text, re.M)
        assert len(lines) == sum(len(cases.all_cases(s)) for s in cases.HIDDEN_LAYERS)


def test_a_test_cell_that_raised_shows_its_reason_without_a_traceback(feedback_course):
    """Does a test cell that raised inside its hidden block show the error's one-line reason,
    and no traceback quoting the cell?"""
    course, _ = feedback_course
    text = feedback_text(course, "interrupted_in_hidden_case")
    test_cell = text.split("Grade cell: initialize_parameters_random_tests")[1]
    test_cell = test_cell.split("Grade cell:")[0]
    assert "KeyboardInterrupt" in test_cell
    assert "Traceback" not in test_cell and "grade(" not in test_cell


def test_student_code_cannot_print_the_hidden_cases_into_feedback(feedback_course):
    """Does a function that looks for the hidden cases in its callers' frames find nothing to
    print into its feedback?"""
    course, submitted = feedback_course
    page = course / "feedback" / "reads_the_hidden_cases" / ASSIGNMENT / f"{NOTEBOOK}.html"
    assert not leaks(page.read_text(), submitted["reads_the_hidden_cases"])
