"""A Python every user can read: a venv of the system's Python with this environment's packages.

At level none a grader running as root drops its workers to uid 65534, which can do so only
when it can read the Python install; the tests' own Python may live under /root (pyenv). This
venv uses the system interpreter of the same version and this environment's site-packages
(the same ABI), so that the drop can be exercised here.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import support


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
    (Path(purelib) / "checkout.pth").write_text(
        f"{support.ROOT}\n{sysconfig.get_paths()['purelib']}\n"
    )
    return python


def public_folder():
    """A new folder under /tmp that every user can enter (pytest's own are root's only)."""
    folder = Path(tempfile.mkdtemp(prefix="public-", dir="/tmp"))
    folder.chmod(0o755)
    return folder


def remove(folder):
    shutil.rmtree(folder, ignore_errors=True)
