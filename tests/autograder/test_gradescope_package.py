"""Does `autograder gradescope-package` build the zip Gradescope expects: setup.sh and
run_autograder at its top, the course's pins of the grader's dependencies, and the grader
itself -- the same bytes from the same checkout? (Running it: test_gradescope_run.py.)"""

import stat
import subprocess
import zipfile
from pathlib import Path

import pytest
from support import run_autograder as autograder

from autograder import gradescope_package

CHECKOUT = Path(__file__).resolve().parents[2]
SCRIPTS = ("setup.sh", "run_autograder")


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    """The zip the command builds from this checkout."""
    out = tmp_path_factory.mktemp("package") / "autograder.zip"
    done = autograder("gradescope-package", "--out", out, cwd=CHECKOUT)
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout
    return out


def test_the_zip_holds_the_scripts_the_grader_and_its_pins(package, root):
    """Are setup.sh and run_autograder executable at the zip's top, the requirements the
    course's pins of the grader's dependencies and build backend, and the grader exactly what
    it installs?"""
    with zipfile.ZipFile(package) as archive:
        names = archive.namelist()
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        requirements = archive.read("requirements.txt").decode().split()
        setup = archive.read("setup.sh").decode()
    for name in SCRIPTS:
        assert stat.S_IMODE(modes[name]) == 0o755
    assert requirements == gradescope_package.pinned_requirements()
    assert "numpy==" + requirements[0].split("==")[1] == requirements[0]
    # The build backend pinned too, and used as pinned: setup.sh fetches nothing unpinned.
    assert any(pin.startswith("setuptools==") for pin in requirements)
    assert "--no-build-isolation" in setup
    grader = {name.removeprefix("grader/") for name in names if name.startswith("grader/")}
    assert {"pyproject.toml", "public_tests.py", "init_utils.py"} <= grader
    assert {"autograder/gradescope_run.py", "autograder/sandbox/worker.py"} <= grader
    assert not any(name.startswith(("tests/", "source/", "release/")) for name in grader)
    assert all(name.endswith(".py") or name == "pyproject.toml" for name in grader)


def test_the_zip_is_the_same_for_the_same_checkout(package):
    """Does building twice give the same bytes (no dates, a fixed order)?"""
    assert package.read_bytes() == gradescope_package.package_bytes()


def test_the_scripts_are_valid_bash(package, tmp_path):
    """Do setup.sh and run_autograder parse as bash scripts?"""
    with zipfile.ZipFile(package) as archive:
        archive.extractall(tmp_path)
    for name in SCRIPTS:
        done = subprocess.run(["bash", "-n", tmp_path / name], capture_output=True)
        assert done.returncode == 0, done.stderr


def test_an_unwritable_out_is_a_usage_error(root, tmp_path):
    """Is --out naming a folder refused with exit 2 and one line?"""
    done = autograder("gradescope-package", "--out", tmp_path, cwd=root)
    assert done.returncode == 2 and done.stderr.count("\n") == 1
