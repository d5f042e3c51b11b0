"""Privileged set-up of a sandbox, run as root just before dropping to an unprivileged uid.

    python -I -S jail.py join   '<spec json>' -- bwrap|unshare|python ...
    python -I -S jail.py stage  '<spec json>' -- bwrap ...
    python -I -S jail.py chroot '<spec json>' -- python ... worker.py
    python -I -S jail.py drop   '<spec json>' -- python ... worker.py

join   -- at every level when the grader has a memory cgroup for the worker
          (autograder/sandbox/cgroup.py): moves itself into that cgroup, then execs
          the level's command, so that the sandbox and all it starts are charged
          there from their first allocation. Changes nothing else.

stage  -- for the "bubblewrap" level when the grader runs as root (joining the
          worker's memory cgroup first when its spec names one). bwrap run by
          root maps the sandbox user to uid 0 outside, and the kernel exempts uid 0
          from RLIMIT_NPROC: a fork bomb would not be stopped. So we drop to the
          sandbox uid *before* bwrap. That uid cannot reach a Python installed under
          a private home (e.g. /root/.pyenv), so in a private mount namespace the
          needed directories are first bind-mounted onto staging directories it
          can reach; bwrap then binds those back to their usual paths.
chroot -- for the "unshare" level, inside `unshare --pid --fork --mount --net --ipc
          --uts`: builds a new root on a tmpfs (read-only binds of /usr, the Python
          install and /grader; /proc of the new PID namespace; a few devices; a
          private /tmp), chroots into it, drops to the sandbox uid and execs the
          worker, which becomes PID 1 of the namespace.
drop   -- for the "none" level when the grader runs as root: no namespace, no
          mount; only the drop to the sandbox uid, so that student code cannot
          read or write what root alone may (the grader's files, its results).

All three end with setgroups([]), setgid, setuid (which clears every capability),
no_new_privs and a parent-death signal, then exec. Standard library only: this
file runs before any sandbox exists, with `-S` (no site-packages).
"""

import ctypes
import json
import os
import signal
import sys

CLONE_NEWNS = 0x00020000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 24, 38
LAST_CAPABILITY = 63
DEVICES = ("null", "zero", "random", "urandom")

libc = ctypes.CDLL(None, use_errno=True)


def check(result, what):
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def mount(source, target, fstype, flags, data=None):
    check(
        libc.mount(
            None if source is None else source.encode(),
            target.encode(),
            None if fstype is None else fstype.encode(),
            ctypes.c_ulong(flags),
            None if data is None else data.encode(),
        ),
        f"mount {target}",
    )


def bind_read_only(source, target):
    """Bind source on target, then make that mount read-only, nosuid, nodev."""
    mount(source, target, None, MS_BIND | MS_REC)
    mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def make_mount_point(source, target):
    """An empty directory, or an empty file for a file source, to bind source on.

    An existing target is used as it is (a file hidden inside a read-only bind).
    """
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    elif not os.path.lexists(target):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "a"):
            pass


def private_mount_namespace():
    check(libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    mount(None, "/", None, MS_REC | MS_PRIVATE)


def drop_privileges(uid, gid):
    """Become uid/gid for good: no groups, no capabilities, no way back up."""
    for capability in range(LAST_CAPABILITY + 1):
        # Empty the bounding set too; numbers past the kernel's last one fail (EINVAL).
        libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")
    # Changing credentials clears the parent-death signal: set it again so the
    # sandbox dies with the process that launched it.
    check(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PDEATHSIG)")


def stage(spec):
    """Make the Python install reachable for the sandbox uid, in a private mount namespace."""
    private_mount_namespace()
    for source, target in spec["binds"]:
        bind_read_only(source, target)


def build_root(spec):
    """A new root on a tmpfs with only what the worker needs; then chroot into it."""
    root = spec["root"]
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m")
    # The private /tmp comes before the binds: a venv that lives under /tmp (a CI checkout)
    # is bound on top of it instead of being hidden by it.
    os.makedirs(root + "/tmp")
    uid, gid = spec["uid"], spec["gid"]
    options = f"mode=0700,uid={uid},gid={gid},size={spec['tmp_bytes']}"
    mount("tmpfs", root + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, options)
    for source, target in spec["binds"]:
        path = root + target
        make_mount_point(source, path)
        bind_read_only(source, path)
    for target, link in spec["symlinks"]:
        os.symlink(target, root + link)
    os.makedirs(root + "/dev", exist_ok=True)
    for name in DEVICES:
        path = f"{root}/dev/{name}"
        with open(path, "w"):
            pass
        mount(f"/dev/{name}", path, None, MS_BIND)
    os.makedirs(root + "/proc")
    mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    # The new root itself becomes read-only: nothing but /tmp is writable.
    mount(None, root, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chroot(root)
    os.chdir("/tmp")


def join_cgroup(procs_file):
    """Move this process into the worker's memory cgroup: all it starts is charged there."""
    with open(procs_file, "w") as procs:
        procs.write("0\n")  # 0: the writer itself, whatever PID namespace it is in


def main(argv):
    mode, spec_text, separator, *command = argv
    if separator != "--" or mode not in ("join", "stage", "chroot", "drop") or not command:
        raise SystemExit("usage: jail.py join|stage|chroot|drop SPEC -- COMMAND ...")
    spec = json.loads(spec_text)
    if "cgroup" in spec:  # join's whole work; a step for stage (bubblewrap as root)
        join_cgroup(spec["cgroup"])
    if mode != "join":
        if mode == "stage":
            stage(spec)
        elif mode == "chroot":
            build_root(spec)
        drop_privileges(spec["uid"], spec["gid"])
    os.execvp(command[0], command)  # PATH: "unshare" is named, not located


if __name__ == "__main__":
    main(sys.argv[1:])
