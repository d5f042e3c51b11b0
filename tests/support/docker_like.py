"""Run a command as Docker's default profile runs a container's: namespaces refused.

    python -m support.docker_like COMMAND [ARGUMENT ...]

Docker's default seccomp profile refuses unshare, setns, mount and clone with a namespace
flag to a container without CAP_SYS_ADMIN (Gradescope's, for one); this loads the same
refusals (EPERM), drops CAP_SYS_ADMIN from the bounding set, and runs COMMAND under them --
so a test sees which isolation the grader falls back to in such a container.
"""

import errno
import os
import sys

import pyseccomp as seccomp

# CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET, NEWTIME
NAMESPACE_FLAGS = (
    0x00020000,
    0x02000000,
    0x04000000,
    0x08000000,
    0x10000000,
    0x20000000,
    0x40000000,
    0x00000080,
)


def load_filter():
    refused = seccomp.ERRNO(errno.EPERM)
    rules = seccomp.SyscallFilter(seccomp.ALLOW)
    for call in ("unshare", "setns", "mount", "pivot_root"):
        rules.add_rule(refused, call)
    for flag in NAMESPACE_FLAGS:
        rules.add_rule(refused, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")  # glibc falls back to clone
    rules.load()


if __name__ == "__main__":
    load_filter()
    command = ["setpriv", "--bounding-set=-sys_admin", "--inh-caps=-all", *sys.argv[1:]]
    os.execvp(command[0], command)
