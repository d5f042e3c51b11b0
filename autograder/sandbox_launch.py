"""How a sandbox worker is launched at each isolation level: commands, binds, environment.

The worker sees, read-only, the Python install (interpreter, standard library,
site-packages) and /grader, which holds copies of exactly public_tests.py,
init_utils.py, autograder/channel.py and autograder/sandbox_worker.py -- never
autograder/cases.py, autograder/reference.py, source/, tests/ or any grades.
"""

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
GRADER_FILES = {
    "public_tests.py": ROOT / "public_tests.py",
    "init_utils.py": ROOT / "init_utils.py",
    "channel.py": HERE / "channel.py",
    "sandbox_worker.py": HERE / "sandbox_worker.py",
}
SANDBOX_UID = SANDBOX_GID = 65534  # "nobody"
TMP_BYTES = 64 << 20  # the job's private /tmp
THREAD_VARIABLES = (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)
# Host settings the BLAS needs to run correctly on some processors.
PASSED_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def stage_grader_files():
    """A fresh directory with grader/ (the files a worker may see) and tmp/ ("none" level)."""
    staging = Path(tempfile.mkdtemp(prefix="autograder-sandbox-"))
    os.chmod(staging, 0o755)
    (staging / "grader").mkdir(mode=0o755)
    for name, source in GRADER_FILES.items():
        target = staging / "grader" / name
        shutil.copyfile(source, target)
        os.chmod(target, 0o644)
    (staging / "tmp").mkdir(mode=0o700)
    return staging


def sandbox_environment(tag):
    """The variables inside the sandbox: no inherited secrets, one BLAS thread."""
    environment = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp",
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp/.matplotlib",
        "PYTHONDONTWRITEBYTECODE": "1",
        "AUTOGRADER_SANDBOX_TAG": tag,
    }
    environment.update({name: "1" for name in THREAD_VARIABLES})
    environment.update({name: os.environ[name] for name in PASSED_VARIABLES if name in os.environ})
    return environment


def environment(tag, level, staging):
    """The environment of the launched process (bwrap, unshare or the worker itself)."""
    variables = sandbox_environment(tag)
    if level == "none":
        tmp = str(Path(staging) / "tmp")
        variables.update(HOME=tmp, TMPDIR=tmp, MPLCONFIGDIR=f"{tmp}/.matplotlib")
    return variables


def python_paths():
    """Directories of the Python install the worker needs: prefixes and site-packages."""
    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    candidates.update(
        entry for entry in sys.path if "site-packages" in entry or "dist-packages" in entry
    )
    paths = sorted(str(Path(path).resolve()) for path in candidates if path and os.path.isdir(path))
    # Keep only the outermost directories; nested binds add nothing.
    kept = []
    for path in paths:
        if not any(path == k or path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return kept


def python_executable():
    """The interpreter path as the worker will see it (the venv's, if any)."""
    return sys.executable


def system_binds():
    """bwrap arguments for /usr and the merged-/usr symlinks (or directories) of the host."""
    arguments = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            arguments += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            arguments += ["--ro-bind", str(path), str(path)]
    arguments += ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    return arguments


def bubblewrap_command(staging, tag):
    arguments = ["bwrap", "--unshare-all", "--unshare-user", "--disable-userns"]
    arguments += ["--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_GID)]
    arguments += ["--die-with-parent", "--new-session", "--as-pid-1", "--cap-drop", "ALL"]
    arguments += ["--hostname", "sandbox"]
    arguments += system_binds()
    for path in python_paths():
        arguments += ["--ro-bind", path, path]
    arguments += ["--ro-bind", str(Path(staging) / "grader"), "/grader"]
    arguments += ["--proc", "/proc", "--dev", "/dev"]
    arguments += ["--size", str(TMP_BYTES), "--tmpfs", "/tmp"]
    arguments += ["--chdir", "/tmp", "--clearenv"]
    for name, value in sandbox_environment(tag).items():
        arguments += ["--setenv", name, value]
    arguments += ["--", python_executable(), "-I", "-B", "/grader/sandbox_worker.py"]
    return arguments


def none_command(staging):
    return [python_executable(), "-I", "-B", str(Path(staging) / "grader" / "sandbox_worker.py")]


def command(level, staging, config, tag):
    """(argv without the config argument, extra worker config) for a level."""
    if level == "bubblewrap":
        return bubblewrap_command(staging, tag), {"tmp": "/tmp", "own_pid_namespace": True}
    if level == "none":
        extra = {"tmp": str(Path(staging) / "tmp"), "own_pid_namespace": False}
        return none_command(staging), extra
    raise ValueError(f"unknown isolation level {level!r}")


def popen_options(level):
    return {}


def unavailable(level):
    """Why a level cannot run here, or None."""
    if level == "none":
        return None if hasattr(os, "fork") else "this system cannot fork (use Linux)"
    if not sys.platform.startswith("linux"):
        return "needs Linux namespaces"
    if level == "bubblewrap":
        return None if shutil.which("bwrap") else "bwrap is not installed"
    if level == "unshare":
        return "not implemented yet"
    return f"unknown level {level}"


def is_world_readable(path):
    return bool(os.stat(path).st_mode & stat.S_IROTH)


def run_quietly(arguments):
    return subprocess.run(arguments, capture_output=True, text=True, check=False)
