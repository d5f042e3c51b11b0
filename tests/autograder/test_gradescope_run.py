"""Does the Gradescope package's run_autograder grade a correct submission to full marks,
and turn a wrong, an unreadable or a hostile submission folder into a valid results.json
with its reason -- never a crash, never a link followed?

The zip (gradescope_package) is unpacked into a temporary AUTOGRADER_ROOT and its
run_autograder is run with the project's Python; setup.sh, which installs from PyPI, is not
run here.
"""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import support
from support.corpus import SUBMISSIONS
from support.output_fuzzing import unsafe_characters
from support.public_python import public_folder, public_python, remove, system_python

from autograder import gradescope_package
from autograder.sandbox import launch as sandbox_launch

TESTS = Path(__file__).resolve().parents[1]
FULL_MARKS = 18.0
SCRIPTS = ("setup.sh", "run_autograder")


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    """The Gradescope zip of this checkout."""
    out = tmp_path_factory.mktemp("package") / "autograder.zip"
    gradescope_package.write_package(out)
    return out


def unpacked(package, root):
    """An AUTOGRADER_ROOT as Gradescope lays it out, with an empty submission folder."""
    with zipfile.ZipFile(package) as archive:
        archive.extractall(root / "source")
    for name in SCRIPTS:  # zipfile does not restore modes; Gradescope's unzip does
        (root / "source" / name).chmod(0o755)
    (root / "submission").mkdir()
    return root


def run_autograder(root):
    """Run the package's run_autograder in root; (the CompletedProcess, results.json text)."""
    done = subprocess.run(
        [root / "source" / "run_autograder"],
        env={**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=300,
    )
    results = root / "results" / "results.json"
    return done, results.read_bytes().decode("utf-8") if results.exists() else None


def graded(package, tmp_path, files):
    """results.json data of a submission folder holding files ({name: corpus file})."""
    root = unpacked(package, tmp_path / "autograder")
    for name, corpus_name in files.items():
        (root / "submission" / name).write_bytes((SUBMISSIONS / corpus_name).read_bytes())
    done, text = run_autograder(root)
    assert done.returncode == 0, done.stderr
    return valid_results(text)


def valid_results(text):
    """The data of a results.json Gradescope accepts: a score and three tests, nothing unsafe."""
    assert text is not None, "no results.json"
    assert unsafe_characters(text, allowed="\n") == []
    results = json.loads(text)
    assert isinstance(results["score"], float) and 0 <= results["score"] <= FULL_MARKS
    assert [test["max_score"] for test in results["tests"]] == [5.0, 6.0, 7.0]
    return results


def test_a_correct_submission_gets_full_marks_from_the_zips_own_grader(package, tmp_path):
    """Does run_autograder grade a correct notebook to 18/18 with the grader of the zip?"""
    results = graded(package, tmp_path, {"Initialization.ipynb": "correct_loop.ipynb"})
    assert results["score"] == FULL_MARKS
    assert [test["status"] for test in results["tests"]] == ["passed"] * 3
    grader = tmp_path / "autograder" / "source" / "grader"
    where = subprocess.run(
        [sys.executable, "-c", "import autograder; print(autograder.__file__)"],
        cwd=grader,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert where == str(grader / "autograder" / "__init__.py")


def test_a_wrong_and_an_unreadable_submission_get_their_reasons(package, tmp_path):
    """Does a notebook without the seed lose the seeding points with feedback, and a cut-off
    file score 0 with the reason it cannot be read?"""
    wrong = graded(package, tmp_path / "wrong", {"Initialization.ipynb": "no_seed.ipynb"})
    assert wrong["score"] < FULL_MARKS
    assert any(test["status"] == "failed" and test["output"] for test in wrong["tests"])
    broken = graded(package, tmp_path / "broken", {"Initialization.ipynb": "truncated_json.ipynb"})
    assert broken["score"] == 0
    assert "truncated" in broken["output"] or "truncated" in broken["tests"][0]["output"]


def hostile_root(package, tmp_path, kind):
    """An AUTOGRADER_ROOT whose submission folder is one attack of the kind named."""
    root = unpacked(package, tmp_path / "autograder")
    submission = root / "submission"
    correct = (SUBMISSIONS / "correct_loop.ipynb").read_bytes()
    if kind == "two_notebooks_neither_the_assignments":
        (submission / "a.ipynb").write_bytes(correct)
        (submission / "b.ipynb").write_bytes(correct)
    elif kind == "a_link_to_another_notebook":
        secret = tmp_path / "instructor.ipynb"
        secret.write_bytes(correct)
        (submission / "Initialization.ipynb").symlink_to(secret)
    elif kind == "a_named_pipe":
        os.mkfifo(submission / "Initialization.ipynb")
    elif kind == "a_folder_named_like_a_notebook":
        (submission / "Initialization.ipynb").mkdir()
    elif kind == "a_linked_submission_folder":
        submission.rmdir()
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        (elsewhere / "Initialization.ipynb").write_bytes(correct)
        submission.symlink_to(elsewhere)
    elif kind == "no_submission_folder":
        submission.rmdir()
    return root


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("no_notebook", "no notebook in the student's folder"),
        ("two_notebooks_neither_the_assignments", "2 notebooks and none is"),
        ("a_link_to_another_notebook", "symbolic link"),
        ("a_named_pipe", "named pipe"),
        ("a_folder_named_like_a_notebook", "is a folder"),
        ("a_linked_submission_folder", "not a folder: submission"),
        ("no_submission_folder", "no submission folder"),
    ],
)
def test_a_hostile_submission_folder_is_a_valid_results_json_with_its_reason(
    package, tmp_path, kind, reason
):
    """Does each hostile submission folder get 0 in a valid results.json saying why --
    never a crash, never a link followed?"""
    done, text = run_autograder(hostile_root(package, tmp_path, kind))
    assert done.returncode == 0, done.stderr
    results = valid_results(text)
    assert results["score"] == 0
    assert reason in results["output"], results["output"]


def test_a_notebook_uploaded_inside_a_folder_is_graded(package, tmp_path):
    """Is a notebook a student uploaded inside a folder of any name (a zip of their work
    folder) graded, since a Gradescope upload holds this assignment only?"""
    root = unpacked(package, tmp_path / "autograder")
    (root / "submission" / "my work").mkdir()
    notebook = root / "submission" / "my work" / "Initialization.ipynb"
    notebook.write_bytes((SUBMISSIONS / "correct_loop.ipynb").read_bytes())
    done, text = run_autograder(root)
    assert done.returncode == 0, done.stderr
    assert valid_results(text)["score"] == FULL_MARKS


def test_an_odd_name_and_a_scratch_notebook_are_graded_and_said(package, tmp_path):
    """Is a notebook under a name of escapes and bidi controls graded, shown escaped, and
    is a scratch notebook beside the assignment's named as not graded?"""
    odd = graded(package, tmp_path / "odd", {"\x1b[2J\u202emine.ipynb": "correct_loop.ipynb"})
    assert odd["score"] == FULL_MARKS
    scratch = graded(
        package,
        tmp_path / "scratch",
        {"Initialization.ipynb": "correct_loop.ipynb", "\x1b]0;x\x07.ipynb": "no_seed.ipynb"},
    )
    assert scratch["score"] == FULL_MARKS
    assert "Graded Initialization.ipynb; not graded: \\x1b]0;x\\x07.ipynb." in scratch["output"]


def run_in_a_container(root, python):
    """run_autograder of the unpacked zip at root, with python, under Docker's default
    refusals (support.docker_like): as Gradescope runs it in its container."""
    return subprocess.run(
        [sys.executable, "-m", "support.docker_like", root / "source" / "run_autograder"],
        env={**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": str(python)},
        cwd=TESTS,
        capture_output=True,
        text=True,
        timeout=300,
    )


def a_correct_submission_in_a_container(package, tmp_path):
    """(root, run_autograder's CompletedProcess) of a correct notebook graded in a container."""
    root = unpacked(package, tmp_path / "autograder")
    correct = (SUBMISSIONS / "correct_loop.ipynb").read_bytes()
    (root / "submission" / "Initialization.ipynb").write_bytes(correct)
    return root, run_in_a_container(root, sys.executable)


def test_in_a_container_without_namespaces_it_falls_back_to_none_and_still_grades(
    package, tmp_path
):
    """Under Docker's default refusals (no namespaces, as in Gradescope's container), does
    run_autograder say it fell back to isolation none -- and still grade 18/18?"""
    root, done = a_correct_submission_in_a_container(package, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "(isolation: none)" in done.stdout
    assert "fell back to 'none'" in done.stderr
    assert valid_results((root / "results" / "results.json").read_text())["score"] == FULL_MARKS


# A He initialiser that tries to read the zip's hidden cases and to forge results.json
# (Gradescope's root, as the container lays it out), and says so in an error if it can.
READS_THE_CASES_AND_FORGES_THE_RESULTS = """import os
root = {root!r}
try:
    leaked = open(os.path.join(root, "source", "grader", "autograder", "cases.py")).read(60)
except OSError:
    leaked = ""
if leaked:
    raise RuntimeError("LEAKED " + leaked)
try:
    os.makedirs(os.path.join(root, "results"), exist_ok=True)
    with open(os.path.join(root, "results", "results.json"), "w") as forged:
        forged.write('{{"score": 100}}')
except OSError:
    pass
else:
    raise RuntimeError("FORGED as uid " + str(os.getuid()))
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="Gradescope grades as root")
@pytest.mark.skipif(system_python() is None, reason="no system Python of this version")
def test_in_a_container_without_namespaces_student_code_cannot_read_the_cases_or_forge(
    package, tmp_path
):
    """Run as root under Docker's default refusals (level none), can a student's function
    read the zip's hidden cases or write results.json?"""
    folder = public_folder()  # Gradescope's /autograder: root's, enterable by every user
    try:
        root = unpacked(package, folder / "autograder")
        (root).chmod(0o755)
        answers = dict(support.SOLUTIONS)
        attack = READS_THE_CASES_AND_FORGES_THE_RESULTS.format(root=str(root))
        answers["initialize_parameters_he"] = attack + answers["initialize_parameters_he"]
        notebook = support.write_answers(tmp_path / "student", answers)
        (root / "submission" / "Initialization.ipynb").write_bytes(notebook.read_bytes())
        python = public_python(folder)
        done = run_in_a_container(root, python)
        assert done.returncode == 0, done.stderr
        assert "(isolation: none)" in done.stdout
        assert "ran as root" not in done.stderr
        results = valid_results((root / "results" / "results.json").read_text())
        assert "LEAKED" not in json.dumps(results) and "FORGED" not in json.dumps(results)
        assert results["score"] == FULL_MARKS, results
    finally:
        remove(folder)


@pytest.mark.skipif(
    sandbox_launch.root_at_none() is None, reason="uid 65534 can read this Python install"
)
def test_a_python_the_sandbox_uid_cannot_read_is_warned_of(package, tmp_path):
    """Run as root at level none with a Python uid 65534 cannot enter (this environment's,
    under /root), does run_autograder say in its output that student code ran as root?"""
    root, done = a_correct_submission_in_a_container(package, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "(isolation: none)" in done.stdout
    assert "warning: student code ran as root (uid 65534 cannot enter /" in done.stderr
