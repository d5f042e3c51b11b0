"""Each member's Jupyter server: their own account, inside a mount namespace of the course.

JupyterHub's LocalProcessSpawner would switch to the member's account and run the server on the
whole machine, where it could read whatever the account can: the course checkout with its source
notebook and hidden cases, for one. Here the hub (root) starts bubblewrap, which builds a new
root file system holding only

    /usr, /etc and the merged-/usr links    read-only (the system's programs and libraries)
    the course's Python environment         read-only (the venv and the Python it was made from)
    the member's home                       read-write (mode 0700: no other member's)
    the exchange                            read-write, as nbgrader's permissions allow
    the role's Jupyter configuration        read-only
    /tmp, /dev, /proc                       private

and then, inside it, setpriv drops to the member's account (uid, gid, groups; no capabilities,
no new privileges) before the server starts. bubblewrap runs as root because the Python the
environment was made from may live under a home that other accounts cannot enter (/root/.pyenv);
it never runs member code as root. Its new PID namespace ends every kernel with the server.
This is what a container image is to a Kubernetes deployment (docs/deploy.md).

The instructor's server also grades: `nbgrader autograde` (formgrader's button) runs the course's
SandboxedAutograde, which imports the grader and starts its own sandbox inside this one. For the
instructor only, then:

    the grader's files (autograder/, public_tests.py, init_utils.py)
                                            read-only at GRADER_FOLDER, on PYTHONPATH
    /tmp                                    mode 1777 (the grader stages its sandbox there)
    /proc                                   a second procfs mounted over bubblewrap's, as root
                                            before setpriv

bubblewrap makes parts of its /proc read-only (/proc/sys, ...), and the kernel refuses a new
procfs -- which the grader's own bubblewrap mounts, unprivileged, in a user namespace -- while
every procfs of the mount namespace is partly covered ("mount too revealing"). The plain procfs
on top is the member's PID namespace's, as before; what its covering protected needs root, which
the member never has. The grader's bubblewrap then starts with its user, PID, network and mount
namespaces and its syscall filter; the memory cgroup needs root, so memory is bounded per process
(RLIMIT_AS) only (docs/deploy.md).
"""

import os
import pwd
import sys
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Dict, Unicode

BWRAP = "/usr/bin/bwrap"
SETPRIV = "/usr/bin/setpriv"
# Where the instructor's server sees the grader's files, and the checkout they come from.
GRADER_FOLDER = "/opt/course-grader"
CHECKOUT = Path(__file__).resolve().parent.parent.parent
GRADER_FILES = ("autograder", "public_tests.py", "init_utils.py")
# Run as root inside the instructor's sandbox, before setpriv: an uncovered procfs (see above).
FULL_PROC = ["/bin/sh", "-c", 'mount -t proc -o nosuid,nodev,noexec proc /proc && exec "$@"', "sh"]
# The system's top-level folders: links on merged-/usr systems (Debian 12+), folders elsewhere.
SYSTEM_FOLDERS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")


def environment_folders():
    """The folders of the Python environment the hub runs in: the venv and its base Python."""
    folders = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}
    return sorted(str(folder) for folder in folders if not str(folder).startswith("/usr/"))


def system_arguments():
    """bubblewrap arguments for /usr, /etc and the top-level links or folders, read-only."""
    arguments = []
    for folder in SYSTEM_FOLDERS:
        if os.path.islink(folder):
            arguments += ["--symlink", os.readlink(folder), folder]
        elif os.path.isdir(folder):
            arguments += ["--ro-bind", folder, folder]
    return arguments


def parent_folders(paths):
    """Every ancestor of paths (not / itself), shortest first: bubblewrap makes them 0755."""
    parents = set()
    for path in paths:
        parents.update(str(parent) for parent in Path(path).parents if str(parent) != "/")
    return sorted(parents, key=lambda parent: (parent.count("/"), parent))


def grader_arguments(checkout):
    """bubblewrap arguments that show the checkout's grader files read-only at GRADER_FOLDER."""
    arguments = ["--perms", "0755", "--dir", GRADER_FOLDER]
    for name in GRADER_FILES:
        arguments += ["--ro-bind", str(Path(checkout) / name), f"{GRADER_FOLDER}/{name}"]
    return arguments


def sandbox_command(entry, home, read_only, read_write, grader=False):
    """The bubblewrap + setpriv command line that starts a program as the account `entry`.

    read_only and read_write are host folders mounted at the same path; home is the working
    folder; grader -- the instructor's server, which runs the course's grader (see above). The
    program's command line follows this prefix.
    """
    mounts = [*read_only, *read_write]
    arguments = [BWRAP, "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent"]
    arguments += system_arguments()
    arguments += ["--proc", "/proc", "--dev", "/dev"]
    arguments += ["--perms", "1777", "--tmpfs", "/tmp"] if grader else ["--tmpfs", "/tmp"]
    # bubblewrap, as root, would make the mount points' parents mode 0700: unreachable for
    # the member. Made first, 0755.
    for parent in parent_folders(mounts):
        arguments += ["--perms", "0755", "--dir", parent]
    for folder in read_only:
        arguments += ["--ro-bind", folder, folder]
    for folder in read_write:
        arguments += ["--bind", folder, folder]
    if grader:
        arguments += grader_arguments(CHECKOUT)
    arguments += ["--chdir", str(home), "--", *(FULL_PROC if grader else []), SETPRIV]
    arguments += [f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--init-groups"]
    arguments += ["--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]
    return arguments


class CourseSpawner(LocalProcessSpawner):
    """LocalProcessSpawner whose server runs as the member, in the course's mount namespace."""

    roles = Dict(help="{name: 'instructor' | 'student'}, from the roster").tag(config=True)
    exchange = Unicode(help="nbgrader's exchange root").tag(config=True)
    config_root = Unicode(help="folder with one Jupyter configuration folder per role").tag(
        config=True
    )

    def make_preexec_fn(self, name):
        # bubblewrap needs root to mount; setpriv, inside it, switches to the member.
        return None

    def get_env(self):
        env = super().get_env()
        role = self.roles[self.user.name]
        env["JUPYTER_CONFIG_PATH"] = str(Path(self.config_root) / role)
        env["PATH"] = f"{Path(sys.prefix) / 'bin'}:/usr/bin:/bin"
        if role == "instructor":
            env["PYTHONPATH"] = GRADER_FOLDER
        # bubblewrap and setpriv pass this environment on unchanged (never on a command line,
        # which would show the server's API token to anyone listing processes).
        return env

    async def start(self):
        entry = pwd.getpwnam(self.user.name)
        read_only = [*environment_folders(), self.config_root]
        grader = self.roles[self.user.name] == "instructor"
        read_write = [entry.pw_dir, self.exchange]
        sandbox = sandbox_command(entry, entry.pw_dir, read_only, read_write, grader)
        self.cmd = [*sandbox, str(Path(sys.prefix) / "bin" / "jupyterhub-singleuser")]
        return await super().start()
