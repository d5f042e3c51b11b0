"""How a sandbox worker is launched at each isolation level: commands, binds, environment.

The worker sees, read-only, the Python install (interpreter, standard library,
site-packages) and /grader, which holds copies of exactly worker.py and channel.py of
this package and the probe's files (Probe.files) -- nothing else of the package the
sandbox belongs to, which is hidden wherever it is installed (hidden_paths). At level
none nothing can be hidden: a grader run as root drops the worker to the sandbox uid
(none_command), and the modes of the grader's files keep them from it.
"""

import functools
import importlib.util
import json
import os
import shutil
import stat
import sys
import sysconfig
import tempfile
from pathlib import Path

from .jail import make_mount_point

HERE = Path(__file__).resolve().parent
# The package this sandbox is part of (its user's cases and answers): never shown to a job.
OWNER_PACKAGE = HERE.parent
# The sandbox's own modules a worker runs, as /grader/<name>.py.
SANDBOX_FILES = {"worker": HERE / "worker.py", "channel": HERE / "channel.py"}
TAG_VARIABLE = "AUTOGRADER_SANDBOX_TAG"
# -I without its -P: no environment variables, no user site-packages, and the worker
# script's own directory, /grader, first on sys.path -- so that its imports find the
# staged copies and nothing else of the course.
WORKER_FLAGS = ("-E", "-s", "-B")
SANDBOX_UID = SANDBOX_GID = 65534  # "nobody"
TMP_BYTES = 64 << 20  # the job's private /tmp
# RLIMIT_NPROC of a job. Under bubblewrap it counts the tasks of the sandbox's own
# user namespace: the worker, the job and what it starts -- 8 tasks of at most 1 GiB
# each bound a job's memory in all. Under unshare it counts every process of uid
# 65534 on the machine (other sandboxes too), so it must leave room for them.
BUBBLEWRAP_PROCESSES = 8
UNSHARE_PROCESSES = 64
SYSTEM_DIRECTORIES = [
    Path("/") / name for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
]
ETC_FILES = ("/etc/ld.so.cache", "/etc/fonts")
THREAD_VARIABLES = (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)
# Host settings the BLAS needs to run correctly on some processors.
PASSED_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def grader_files(probe_files):
    """{file name in /grader: its source path}: the sandbox's own and the probe's modules.

    probe_files -- {name the worker imports: importable module}, found where Python finds
                   them (a checkout, an editable or a plain install alike), never imported
    """
    clashes = set(probe_files) & set(SANDBOX_FILES)
    if clashes:
        raise ValueError(f"a probe file may not be named {', '.join(sorted(clashes))}")
    files = {f"{name}.py": path for name, path in SANDBOX_FILES.items()}
    for name, module in probe_files.items():
        spec = importlib.util.find_spec(module)
        if spec is None or not spec.origin:
            raise RuntimeError(f"cannot find the module {module}: is the grader installed?")
        files[f"{name}.py"] = Path(spec.origin)
    return files


def hidden_paths():
    """Paths, as bound inside a namespace sandbox's view of the host, that the worker must
    not read: every copy of the package the sandbox belongs to (its cases and reference
    answers) inside the bound Python paths -- the one running, and every file the project's
    distribution installed there (`pip install .`; Gradescope's venv, while the grader that
    runs is the zip's own) -- at each bound path they can be reached by (a link to a venv
    and where it leads are bound apart).
    """
    hidden = set()
    bound = [(path, Path(path).resolve()) for path in python_paths()]
    for path in [OWNER_PACKAGE, *installed_copies()]:
        for as_bound, resolved in bound:
            if path.is_relative_to(resolved):
                hidden.add(str(Path(as_bound) / path.relative_to(resolved)))
    return sorted(hidden)


@functools.cache
def installed_copies():
    """Resolved paths of what the project's distribution installed in the Python paths.

    Its top-level packages and its .dist-info are whole directories; its modules and their
    compiled copies are single files (__pycache__ is shared with other distributions). Only
    folders that hold a directory named like this package are searched (cheap), and only
    their distributions that name it in top_level.txt.
    """
    copies = set()
    for folder in site_folders():
        if not (Path(folder) / OWNER_PACKAGE.name).is_dir() or not has_distributions(folder):
            continue
        # Imported only here: importlib.metadata (with email, zipfile, csv) took ~15 ms of
        # every command before its workers were launched, for folders with nothing to find
        # (a checkout on the path, the link tree of an editable install).
        import importlib.metadata

        for distribution in importlib.metadata.distributions(path=[folder]):
            top_level = (distribution.read_text("top_level.txt") or "").split()
            if OWNER_PACKAGE.name not in top_level:
                continue
            for file in distribution.files or []:
                if ".." in file.parts:
                    continue  # its scripts, outside the folder (bin/)
                whole = file.parts[0] in top_level or file.parts[0].endswith(".dist-info")
                copies.add(Path(distribution.locate_file(file.parts[0] if whole else file)))
    return {path.resolve() for path in copies if os.path.lexists(path)}


def has_distributions(folder):
    """Does folder hold the metadata of an installed distribution (what
    importlib.metadata.distributions(path=[folder]) would read)?"""
    try:
        names = os.listdir(folder)
    except OSError:
        return False
    return any(name.endswith((".dist-info", ".egg-info")) for name in names)


def site_folders():
    """Where packages may be installed inside the bound Python paths: sys.path entries, and
    the site-packages of every prefix (a venv's base Python is bound, though not on its
    path). A folder the sandbox does not see (the checkout, an editable install's links)
    needs no hiding."""
    folders = {os.path.abspath(entry) for entry in sys.path if entry}
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}:
        paths = sysconfig.get_paths(vars={"base": prefix, "platbase": prefix})
        folders.update(paths[kind] for kind in ("purelib", "platlib"))
    bound = [Path(path).resolve() for path in python_paths()]
    return sorted(
        folder
        for folder in folders
        if any(Path(folder).resolve().is_relative_to(root) for root in bound)
    )


def hiding_binds(staging):
    """[(empty source, path inside)]: what hides each of hidden_paths()."""
    empty = {True: Path(staging) / "empty", False: Path(staging) / "empty-file"}
    return [(str(empty[os.path.isdir(path)]), inside(path)) for path in hidden_paths()]


# Where staging folders are made, first choice first: both reachable by the unprivileged
# sandbox uid. A memory file system first: a staging folder's score of entries is made and
# removed by every command, which costs 15-30 ms on a disk's /tmp and next to nothing there.
STAGING_PARENTS = ("/dev/shm", "/tmp")


def staging_parent():
    """The first of STAGING_PARENTS this process can create a folder in (None: Python's)."""
    for parent in STAGING_PARENTS:
        if os.path.isdir(parent) and os.access(parent, os.W_OK | os.X_OK):
            return parent
    return None


def stage_grader_files(probe_files):
    """A fresh directory: grader/ (all a worker may see), empty/ and empty-file (to hide a
    directory or a file with), tmp/ ("none"), mnt/ and root/, in staging_parent() (a
    folder every user can enter, so that the unprivileged sandbox uid can reach it).
    """
    staging = Path(tempfile.mkdtemp(prefix="autograder-sandbox-", dir=staging_parent()))
    os.chmod(staging, 0o755)
    (staging / "grader").mkdir(mode=0o755)
    for name, source in grader_files(probe_files).items():
        target = staging / "grader" / name
        shutil.copyfile(source, target)
        os.chmod(target, 0o644)
    (staging / "empty").mkdir(mode=0o755)
    (staging / "empty-file").touch(mode=0o644)
    (staging / "tmp").mkdir(mode=0o700)
    if running_as_root():
        # At level none the workers' own folders inside are the sandbox uid's (hand_over).
        os.chmod(staging / "tmp", 0o711)
    (staging / "mnt").mkdir(mode=0o755)
    (staging / "root").mkdir(mode=0o755)
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
        "JOBLIB_MULTIPROCESSING": "0",  # no /dev/shm semaphores in the sandbox
        TAG_VARIABLE: tag,
    }
    environment.update({name: "1" for name in THREAD_VARIABLES})
    environment.update({name: os.environ[name] for name in PASSED_VARIABLES if name in os.environ})
    return environment


def environment(tag, level, staging):
    """The environment of the launched process (bwrap, unshare or the worker itself)."""
    variables = sandbox_environment(tag)
    if level == "none":
        variables.update(tmp_variables(str(Path(staging) / "tmp")))
    return variables


def tmp_variables(tmp):
    """The variables that point the worker's jobs at their /tmp (a folder at level none)."""
    return {"HOME": tmp, "TMPDIR": tmp, "MPLCONFIGDIR": f"{tmp}/.matplotlib"}


def python_paths():
    """Directories of the Python install the worker needs: prefixes and site-packages."""
    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    candidates.update(
        entry for entry in sys.path if "site-packages" in entry or "dist-packages" in entry
    )
    existing = [path for path in candidates if path and os.path.isdir(path)]
    # Both the path as used (sys.executable lives there) and where symlinks lead.
    paths = sorted(
        {os.path.abspath(path) for path in existing}
        | {str(Path(path).resolve()) for path in existing}
    )
    # Keep only the outermost directories; nested binds add nothing.
    kept = []
    for path in paths:
        if not any(path == k or path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return kept


HOST_TMP_INSIDE = "/host-tmp"  # where host paths under /tmp appear inside a sandbox


def inside(path):
    """Where a host path is bound inside a namespace sandbox.

    The sandbox's /tmp is its own private tmpfs, so a Python install under the host's /tmp
    (a CI checkout's .venv) is bound under /host-tmp instead: the job's /tmp stays empty.
    """
    if path == "/tmp" or path.startswith("/tmp/"):
        return HOST_TMP_INSIDE + path[len("/tmp") :]
    return path


def python_executable():
    """The interpreter path as the worker will see it (the venv's, if any)."""
    return sys.executable


def system_links():
    """[(target, path)] for the merged-/usr symlinks of the host (/bin -> usr/bin, ...)."""
    return [(os.readlink(path), str(path)) for path in SYSTEM_DIRECTORIES if path.is_symlink()]


def system_directories():
    """/usr, host directories like /lib that are not symlinks, and a few files of /etc."""
    paths = ["/usr"]
    paths += [str(path) for path in SYSTEM_DIRECTORIES if path.is_dir() and not path.is_symlink()]
    paths += [path for path in ETC_FILES if os.path.exists(path)]
    return paths


def running_as_root():
    return hasattr(os, "geteuid") and os.geteuid() == 0


def jail_program():
    return [python_executable(), "-I", "-S", str(HERE / "jail.py")]


def jail_command(mode, spec):
    return [*jail_program(), mode, json.dumps(spec)]


def bubblewrap_command(staging, tag):
    """bwrap, preceded (when we are root) by the jail's staging step and a drop to nobody."""
    staged = []
    arguments = [
        shutil.which("bwrap") or "bwrap",
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
    ]
    arguments += ["--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_GID)]
    arguments += ["--die-with-parent", "--new-session", "--as-pid-1", "--cap-drop", "ALL"]
    arguments += ["--hostname", "sandbox"]
    for target, link in system_links():
        arguments += ["--symlink", target, link]
    # The private /tmp comes before the binds: a venv that lives under /tmp (a CI checkout)
    # is bound on top of it instead of being hidden by it.
    arguments += ["--size", str(TMP_BYTES), "--tmpfs", "/tmp"]
    for index, path in enumerate(system_directories() + python_paths()):
        source = path
        if running_as_root():
            source = str(Path(staging) / "mnt" / str(index))
            make_mount_point(path, source)
            staged.append([path, source])
        arguments += ["--ro-bind", source, inside(path)]
    for source, path in hiding_binds(staging):
        arguments += ["--ro-bind", source, path]
    arguments += ["--ro-bind", str(Path(staging) / "grader"), "/grader"]
    # bwrap creates /, /dev and /dev/shm as tmpfs owned by the sandbox user: make them
    # read-only so that the private, size-limited /tmp is the only writable place.
    arguments += ["--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev"]
    arguments += ["--remount-ro", "/"]
    arguments += ["--chdir", "/tmp", "--clearenv"]
    for name, value in sandbox_environment(tag).items():
        arguments += ["--setenv", name, value]
    arguments += ["--", inside(python_executable()), *WORKER_FLAGS, "/grader/worker.py"]
    if not running_as_root():
        return arguments
    spec = {"binds": staged, "uid": SANDBOX_UID, "gid": SANDBOX_GID}
    return [*jail_command("stage", spec), "--", *arguments]


def unshare_command(staging):
    """util-linux unshare + the jail's chroot: the worker ends up PID 1 of its namespace."""
    binds = [[path, inside(path)] for path in system_directories() + python_paths()]
    binds += [list(bind) for bind in hiding_binds(staging)]
    binds.append([str(Path(staging) / "grader"), "/grader"])
    spec = {
        "root": str(Path(staging) / "root"),
        "binds": binds,
        "symlinks": [[target, link] for target, link in system_links()],
        "tmp_bytes": TMP_BYTES,
        "uid": SANDBOX_UID,
        "gid": SANDBOX_GID,
    }
    arguments = ["unshare", "--pid", "--fork", "--kill-child", "--mount", "--net", "--ipc"]
    arguments += ["--uts", "--propagation", "private"]
    arguments += [*jail_command("chroot", spec), "--"]
    arguments += [inside(python_executable()), *WORKER_FLAGS, "/grader/worker.py"]
    return arguments


def none_command(staging):
    """The worker itself; as root, started by the jail's drop to the sandbox uid first."""
    worker = [python_executable(), *WORKER_FLAGS, str(Path(staging) / "grader" / "worker.py")]
    if not drops_at_none():
        return worker
    return [*jail_command("drop", {"uid": SANDBOX_UID, "gid": SANDBOX_GID}), "--", *worker]


def drops_at_none():
    """Does level none run its worker as the sandbox uid?

    Only a grader running as root can, and it must: student code run as root could read
    and write whatever the grader can. Not when root_at_none() says why it cannot.
    """
    return running_as_root() and root_at_none() is None


@functools.cache
def root_at_none():
    """Why level none, run as root, keeps its workers root; None when it need not.

    Decided once per grader: a job must not be able to make a later worker start as root
    (by changing the modes of what it can reach) -- that worker fails to start instead.

    Without namespaces nothing can be bound where the sandbox uid could reach it: a Python
    install it cannot enter (one under /root, pyenv's) cannot run as that uid.
    """
    if not running_as_root():
        return None
    blocked = python_unreachable_by_sandbox_user()
    if blocked is None:
        return None
    return f"uid {SANDBOX_UID} cannot enter {blocked}, where the Python install is"


def hand_over(folder):
    """Give a worker's /tmp folder (level none) to the uid the worker runs as."""
    if drops_at_none():
        os.chown(folder, SANDBOX_UID, SANDBOX_GID)


def python_unreachable_by_sandbox_user():
    """The first directory of the Python install's paths that uid 65534 cannot enter, or None.

    Only the "other" permission bits count: the sandbox uid owns nothing and is in no group.
    """
    for path in [python_executable(), *python_paths()]:
        resolved = Path(path).resolve()
        for folder in [*reversed(resolved.parents), resolved]:
            if folder.is_dir() and not os.stat(folder).st_mode & stat.S_IXOTH:
                return str(folder)
    return None


def command(level, staging, tag):
    """(argv without the config argument, the level's part of the worker's config)."""
    in_namespace = {"tmp": "/tmp", "own_pid_namespace": True}
    if level == "bubblewrap":
        return bubblewrap_command(staging, tag), {**in_namespace, "processes": BUBBLEWRAP_PROCESSES}
    if level == "unshare":
        return unshare_command(staging), {**in_namespace, "processes": UNSHARE_PROCESSES}
    if level == "none":
        extra = {"tmp": str(Path(staging) / "tmp"), "own_pid_namespace": False, "processes": None}
        return none_command(staging), extra
    raise ValueError(f"unknown isolation level {level!r}")


def in_cgroup(command, procs_file):
    """command, started inside a memory cgroup (procs_file None: as it is).

    A command that starts with the jail's stage step (bubblewrap as root) has that step
    join the cgroup first; any other is started by the jail's join step. One Python start
    less on the way to a root's bubblewrap worker.
    """
    if procs_file is None:
        return command
    jail = jail_program()
    if command[: len(jail) + 1] == [*jail, "stage"]:
        spec = {"cgroup": procs_file, **json.loads(command[len(jail) + 1])}
        return [*jail_command("stage", spec), *command[len(jail) + 2 :]]
    return [*jail_command("join", {"cgroup": procs_file}), "--", *command]


def unavailable(level):
    """Why a level cannot run here, or None."""
    if level == "none":
        return None if hasattr(os, "fork") else "this system cannot fork (use Linux)"
    if not sys.platform.startswith("linux"):
        return "needs Linux namespaces"
    if level == "bubblewrap":
        return None if shutil.which("bwrap") else "bwrap is not installed"
    if level == "unshare":
        if not shutil.which("unshare"):
            return "util-linux unshare is not installed"
        return (
            None if running_as_root() else "needs root (it mounts a new root and drops to nobody)"
        )
    return f"unknown level {level}"
