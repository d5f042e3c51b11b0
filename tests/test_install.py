"""Does `pip install .` into a fresh virtual environment give a grader that works anywhere?"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import support

from autograder.sandbox import launch as sandbox_launch

# Building a virtual environment and installing into it takes seconds.
pytestmark = pytest.mark.slow

# Not copied into the tree that is installed: state of this checkout, not the project.
NOT_THE_PROJECT = (".git", ".venv", "build", "*.egg-info", "__pycache__", "artifacts", "student")

# Lines of a He initialiser that first try to read the grader's hidden cases from the installed
# package (in site-packages, which every worker sees), and say so in an error if they can.
READS_THE_INSTALLED_CASES = """import os, sysconfig
cases = os.path.join(sysconfig.get_paths()["purelib"], "autograder", "cases.py")
try:
    leaked = open(cases).read(60)
except OSError:
    leaked = ""
if leaked:
    raise RuntimeError("LEAKED " + leaked)
"""


def run(command, cwd, **kwargs):
    """Run command with no PYTHONPATH and no inherited virtual environment; check it."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, check=True, **kwargs
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh virtual environment with the project `pip install`ed (not editable).

    Nothing is downloaded: the dependencies are this environment's, made visible to the
    new one by a .pth file, and the build backend is taken from there (no build isolation).
    """
    base = tmp_path_factory.mktemp("install")
    source = base / "project"
    shutil.copytree(support.ROOT, source, ignore=shutil.ignore_patterns(*NOT_THE_PROJECT))
    venv = base / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=base)
    python = venv / "bin" / "python"
    purelib = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], base)
    pth = Path(purelib.stdout.strip()) / "dependencies.pth"
    dependencies = sysconfig.get_paths()["purelib"]
    # Inside a sandbox a path under the host's /tmp (a CI checkout's venv) is bound under
    # /host-tmp (sandbox_launch.inside): name both; Python adds only the one that exists.
    pth.write_text(f"{dependencies}\n{sandbox_launch.inside(dependencies)}\n")
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
    run([*pip, "--no-deps", "--no-build-isolation", "--no-index", str(source)], cwd=base)
    shutil.rmtree(source)  # the installed copy must stand on its own
    return venv


def test_the_install_gives_the_command_and_the_modules(installed, tmp_path):
    """Are `autograder`, `public_tests` and `init_utils` imported from the new environment,
    and is there an `autograder` command?"""
    assert (installed / "bin" / "autograder").is_file()
    script = "import autograder, public_tests, init_utils; print(autograder.__file__); " + (
        "print(public_tests.__file__); print(init_utils.__file__)"
    )
    where = run([installed / "bin" / "python", "-c", script], cwd=tmp_path).stdout.split()
    assert len(where) == 3 and all(path.startswith(str(installed)) for path in where), where


@pytest.mark.parametrize("how", ["command", "module"])
def test_the_installed_grader_grades_a_notebook_from_another_folder(installed, tmp_path, how):
    """Does `autograder grade NOTEBOOK --json` (and `python -m autograder`) of a plain install
    grade a correct notebook, run from a folder that has nothing of the course?"""
    notebook = support.write_solved_release(tmp_path / "submission")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    command = {
        "command": [installed / "bin" / "autograder"],
        "module": [installed / "bin" / "python", "-m", "autograder"],
    }[how]
    result = run([*command, "grade", str(notebook), "--json"], cwd=elsewhere, timeout=300)
    report = json.loads(result.stdout)
    assert report["score"] == report["max_score"] > 0, report


@pytest.mark.parametrize("level", ["bubblewrap", "unshare"])
def test_an_installed_grader_hides_its_package_from_student_code(installed, tmp_path, level):
    """Installed, the grader's package (hidden cases, reference answers) lies in site-packages,
    which the workers see: can a student's function read autograder/cases.py from there?"""
    answer = READS_THE_INSTALLED_CASES + support.SOLUTIONS["initialize_parameters_he"]
    notebook = support.write_answers(tmp_path / "submission", {"initialize_parameters_he": answer})
    result = run(
        [installed / "bin" / "autograder", "grade", str(notebook), "--json", "--isolation", level],
        cwd=tmp_path,
        timeout=300,
    )
    report = json.loads(result.stdout)
    assert report["isolation"] == level, report
    assert "LEAKED" not in result.stdout
    he = next(e for e in report["exercises"] if e["name"] == "initialize_parameters_he")
    assert he["score"] == he["max_score"], he


def test_the_install_carries_every_subpackage_of_the_grader(installed, tmp_path):
    """Does the install hold every package of the checkout's autograder (the sandbox's and
    nbgrader's preprocessors, which nbgrader_config.py names), each module of it too?"""
    source = support.ROOT / "autograder"
    wanted = sorted(
        str(path.relative_to(source.parent))
        for path in source.rglob("*.py")
        if "__pycache__" not in path.parts
    )
    script = (
        "import autograder, pathlib; top = pathlib.Path(autograder.__file__).parent; "
        "print('\\n'.join(sorted(str(p.relative_to(top.parent)) for p in top.rglob('*.py'))))"
    )
    found = run([installed / "bin" / "python", "-c", script], cwd=tmp_path).stdout.split()
    assert found == wanted
    run([installed / "bin" / "python", "-c", "import autograder.nbgrader.autograde"], tmp_path)
