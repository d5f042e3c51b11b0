"""Building the Gradescope autograder: `autograder gradescope-package --out autograder.zip`.

The zip, as Gradescope expects it (unpacked into /autograder/source):

  setup.sh          run once, as root, when Gradescope builds the image: a Python of at
                    least 3.11 (Ubuntu's package when the image has none), a venv at
                    $AUTOGRADER_ROOT/venv, the pinned requirements from PyPI, and the
                    grader itself from grader/ -- nothing else is downloaded
  run_autograder    run for every submission: `python -m autograder.gradescope_run`,
                    from grader/, so that the code graded with is the zip's own
  requirements.txt  the grader's dependencies (pyproject.toml), pinned as the course's
                    requirements.txt pins them
  grader/           pyproject.toml and exactly the modules and packages it installs

Everything is read from the checkout the running grader lives in; entries are written in a
fixed order with a fixed date, so that the same checkout builds the same zip.
"""

import fnmatch
import io
import os
import re
import stat
import tomllib
import zipfile
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]
GRADER_FOLDER = "grader"
# A fixed date for every entry (zip's earliest): the same checkout, the same bytes.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
EXECUTABLE = 0o755
READABLE = 0o644
PIN = re.compile(r"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+)")

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
# It installs a Python of at least 3.11, a venv at $AUTOGRADER_ROOT/venv with the pinned
# requirements (PyPI), and the grader from this zip's grader/ folder.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"

python=""
for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
        "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        python="$candidate"
        break
    fi
done
if [ -z "$python" ]; then
    # Ubuntu 22.04, Gradescope's usual base image, has Python 3.10 only: its 3.11 package.
    apt-get update
    apt-get install -y python3.11 python3.11-venv
    python=python3.11
fi
if ! "$python" -m venv "$ROOT/venv"; then
    # Debian and Ubuntu ship venv's pip apart from Python.
    apt-get update
    apt-get install -y "$("$python" -c 'import sys; print(f"python3.{sys.version_info[1]}")')-venv"
    "$python" -m venv "$ROOT/venv"
fi
"$ROOT/venv/bin/pip" install --no-cache-dir -r "$SOURCE/requirements.txt"
"$ROOT/venv/bin/pip" install --no-cache-dir --no-deps --no-build-isolation "$SOURCE/grader"
# A grader that cannot start fails the image's build here, not every submission later.
"$ROOT/venv/bin/python" -m autograder --help >/dev/null
# Inside Gradescope's container student code runs at level none, as uid 65534: the grader's
# copies (the venv's and this folder, with the hidden cases and the reference) are root's
# only. The venv's Python and its other packages stay readable: the workers run on them.
installed="$("$ROOT/venv/bin/python" -I -c 'import autograder; print(autograder.__path__[0])')"
chmod 700 "$installed"
chmod 700 "$SOURCE"
# ... while uid 65534 must reach the venv (the workers drop to it only if it can).
chmod o+x "$ROOT"
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission: it grades $AUTOGRADER_ROOT/submission/*.ipynb
# into $AUTOGRADER_ROOT/results/results.json (AUTOGRADER_ROOT: /autograder unless set).
# AUTOGRADER_PYTHON: the Python to grade with (default: the venv setup.sh made).
set -u
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
# From the zip's grader/ folder, `-m` imports the zip's own copy of the grader.
cd "$ROOT/source/grader" || exit 1
exec "$PYTHON" -m autograder.gradescope_run "$ROOT"
"""


class PackageError(Exception):
    """The package cannot be built from this checkout; str(error) says why, in one line."""


def project(checkout=CHECKOUT):
    """The pyproject.toml of the checkout, as data."""
    path = checkout / "pyproject.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PackageError(
            f"no pyproject.toml beside the grader ({checkout}): build the package from "
            "a checkout of the course"
        ) from None


def pinned_requirements(checkout=CHECKOUT):
    """requirements.txt's pins of the grader's dependencies and of its build backend, in
    pyproject.toml's order."""
    # The build backend too: the grader is installed without build isolation, so that
    # setup.sh downloads nothing the course has not pinned.
    metadata = project(checkout)
    names = [
        re.split(r"[^A-Za-z0-9._-]", line, maxsplit=1)[0]
        for line in metadata["project"]["dependencies"] + metadata["build-system"]["requires"]
    ]
    try:
        text = (checkout / "requirements.txt").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PackageError(f"no requirements.txt in {checkout}") from None
    pins = {}
    for line in text.splitlines():
        match = PIN.fullmatch(line.split("#")[0].strip())
        if match:
            pins[normalized(match["name"])] = match[0]
    missing = [name for name in names if normalized(name) not in pins]
    if missing:
        raise PackageError(f"requirements.txt pins no version of {', '.join(missing)}")
    return [pins[normalized(name)] for name in names]


def normalized(name):
    """A distribution name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_packages(checkout=CHECKOUT):
    """The package names pyproject.toml's `packages.find` includes, found as setuptools finds
    them: folders holding an __init__.py, descending only into such folders."""
    include = project(checkout)["tool"]["setuptools"]["packages"]["find"]["include"]
    found = []
    pending = [checkout]
    while pending:
        folder = pending.pop()
        for child in sorted(folder.iterdir()):
            if child.is_dir() and not child.is_symlink() and (child / "__init__.py").is_file():
                name = ".".join(child.relative_to(checkout).parts)
                if any(fnmatch.fnmatchcase(name, pattern) for pattern in include):
                    found.append(name)
                pending.append(child)
    return sorted(found)


def grader_files(checkout=CHECKOUT):
    """[(path in grader/, file)] of what pyproject.toml installs: its packages' .py files,
    its modules, and pyproject.toml itself."""
    setuptools = project(checkout)["tool"]["setuptools"]
    files = [("pyproject.toml", checkout / "pyproject.toml")]
    for package in installed_packages(checkout):
        folder = checkout.joinpath(*package.split("."))
        for path in sorted(folder.glob("*.py")):
            files.append((path.relative_to(checkout).as_posix(), path))
    for module in setuptools.get("py-modules", []):
        files.append((f"{module}.py", checkout / f"{module}.py"))
    return files


def add_file(archive, name, data, mode):
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.external_attr = (stat.S_IFREG | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def package_bytes(checkout=CHECKOUT):
    """The zip's bytes (see the module docstring)."""
    requirements = "\n".join(pinned_requirements(checkout)) + "\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        add_file(archive, "setup.sh", SETUP_SH, EXECUTABLE)
        add_file(archive, "run_autograder", RUN_AUTOGRADER, EXECUTABLE)
        add_file(archive, "requirements.txt", requirements, READABLE)
        for name, path in grader_files(checkout):
            add_file(archive, f"{GRADER_FOLDER}/{name}", path.read_bytes(), READABLE)
    return buffer.getvalue()


def write_package(out, checkout=CHECKOUT):
    """Write the zip to out (a temporary file, then a rename); returns its size in bytes."""
    out = Path(out)
    data = package_bytes(checkout)
    temporary = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, out)
    finally:
        temporary.unlink(missing_ok=True)
    return len(data)
