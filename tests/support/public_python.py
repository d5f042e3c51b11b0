"""A Python every user can read: a venv of the system's Python with the grader's packages.

At level none a grader running as root drops its workers to uid 65534, which can do so only
when it can read the Python install; the tests' own Python may live under /root (pyenv), and
a checkout with its venv anywhere (a CI clone in a folder only root may enter). This venv
uses the system interpreter of the same version (the same ABI) and holds its own copy of
what grading imports from site-packages, so that the drop can be exercised wherever the
checkout lies.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import support

# What grading imports from site-packages (numpy for the jobs, pyseccomp for the filter):
# copied into the venv, where uid 65534 can read them.
GRADING_PACKAGES = ("numpy", "numpy.libs", "pyseccomp.py")


def system_python():
    """/usr/bin/python3.X of this version, or None."""
    path = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    return path if path.is_file() and os.access(path, os.X_OK) else None


def public_python(folder):
    """The python of a fresh venv in folder (which every user must be able to enter).

    It imports the grader of this checkout and this environment's dependencies.
    """
    venv = Path(folder) / "venv"
    subprocess.run([system_python(), "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    here = Path(sysconfig.get_paths()["purelib"])
    for name in GRADING_PACKAGES:
        if (here / name).is_dir():
            shutil.copytree(here / name, Path(purelib) / name, copy_function=link_or_copy)
        else:
            link_or_copy(here / name, Path(purelib) / name)
    # The grader itself from this checkout: only root's grader process reads it (the worker
    # runs on the files the grader stages).
    (Path(purelib) / "checkout.pth").write_text(f"{support.ROOT}\n")
    return python


def link_or_copy(source, target):
    """A hard link (fast, no space) where the file system allows one, else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def public_folder():
    """A new folder under /tmp that every user can enter (pytest's own are root's only)."""
    folder = Path(tempfile.mkdtemp(prefix="public-", dir="/tmp"))
    folder.chmod(0o755)
    return folder


def remove(folder):
    shutil.rmtree(folder, ignore_errors=True)
