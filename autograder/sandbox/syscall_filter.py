"""The system call filter of a job: what student code may not ask the kernel for.

Built here, in the grader, with libseccomp (the `pyseccomp` binding) as a raw BPF
program; the worker installs it in every job child right after the resource limits
(worker.install_syscall_filter), at every isolation level, so that it
confines the student's code only -- the worker's own clean-up is not filtered.

    program = syscall_filter.build(deny_ipc=True)   # bytes: struct sock_filter[]

Default allow; each call below fails with EPERM, a plain Python OSError ("Operation
not permitted"), never a kill. A call through another ABI (i386 `int 0x80`, x32) would
be looked up in another table of numbers, so every non-native call fails with ENOSYS.
"""

import errno
import functools
import tempfile

# Calls grading never needs, with why they are refused (docs/security.md lists them).
DENIED = {
    "keys": (
        ("add_key", "request_key", "keyctl"),
        "kernel keyrings outlive the job and are shared by the sandbox's uid",
    ),
    "io_uring": (
        ("io_uring_setup", "io_uring_enter", "io_uring_register"),
        "a large kernel interface with a history of exploits; does I/O on kernel threads",
    ),
    "tracing": (
        ("ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd"),
        "reading or steering another process of the sandbox (the worker, the next job)",
    ),
    "bpf and perf": (
        ("bpf", "perf_event_open", "userfaultfd"),
        "kernel programs, performance counters (side channels), page-fault handling "
        "used to win kernel races",
    ),
    "namespaces and mounts": (
        (
            "unshare",
            "setns",
            "mount",
            "umount2",
            "pivot_root",
            "chroot",
            "open_tree",
            "move_mount",
            "fsopen",
            "fsconfig",
            "fsmount",
            "fspick",
            "mount_setattr",
        ),
        "a new user namespace makes the job root over new namespaces, the door to most "
        "kernel exploits an unprivileged user can reach",
    ),
    "system administration": (
        (
            "kexec_load",
            "kexec_file_load",
            "init_module",
            "finit_module",
            "delete_module",
            "swapon",
            "swapoff",
            "reboot",
            "acct",
            "quotactl",
            "quotactl_fd",
            "syslog",
            "settimeofday",
            "clock_settime",
            "clock_adjtime",
            "adjtimex",
            "iopl",
            "ioperm",
            "vhangup",
            "open_by_handle_at",
            "name_to_handle_at",
            "fanotify_init",
            "lookup_dcookie",
            "uselib",
            "modify_ldt",
            "memfd_secret",
        ),
        "root's business; at level none the job *is* root",
    ),
    "POSIX message queues": (
        ("mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify", "mq_getsetattr"),
        "they outlive the job in its IPC namespace",
    ),
}
# Memory a job can pin outside its address space, refused unless a memory cgroup counts
# it (and at level none, where the IPC namespace is the host's, always).
PINNING = (
    ("shmget", "shmat", "msgget", "msgsnd", "semget", "semop", "semtimedop", "memfd_create"),
    "System V shared memory, queues, semaphores and memory files hold memory that the "
    "address-space limit does not see",
)
# Calls that change a process's settings, allowed on the job itself only (pid 0): on its
# parent, the warm worker, they would be inherited by every later job of that worker.
# {call: (index of its pid argument, index of a "which" argument that must be its
# per-process value, that value)}
OWN_PROCESS_ONLY = {
    "prlimit64": (0, None, None),
    "sched_setscheduler": (0, None, None),
    "sched_setparam": (0, None, None),
    "sched_setaffinity": (0, None, None),
    "sched_setattr": (0, None, None),
    "migrate_pages": (0, None, None),
    "move_pages": (0, None, None),
    "setpriority": (1, 0, 0),  # which = PRIO_PROCESS
    "ioprio_set": (1, 0, 1),  # which = IOPRIO_WHO_PROCESS
}
# Namespace flags of clone(): refused, so that a fork cannot do what unshare may not.
CLONE_NAMESPACES = {
    "CLONE_NEWNS": 0x00020000,
    "CLONE_NEWCGROUP": 0x02000000,
    "CLONE_NEWUTS": 0x04000000,
    "CLONE_NEWIPC": 0x08000000,
    "CLONE_NEWUSER": 0x10000000,
    "CLONE_NEWPID": 0x20000000,
    "CLONE_NEWNET": 0x40000000,
}


def unavailable():
    """Why no filter can be built or loaded here, or None."""
    try:
        import pyseccomp  # noqa: F401 -- loads libseccomp.so.2
    except (ImportError, RuntimeError, OSError) as error:
        return f"libseccomp is not available ({error})"
    try:
        with open("/proc/self/status") as status:
            if not any(line.startswith("Seccomp:") for line in status):
                return "the kernel has no seccomp"
    except OSError:
        return "the kernel has no seccomp (no /proc/self/status)"
    return None


def denied_calls(deny_ipc):
    """Every system call name refused outright (clone and personality: by argument)."""
    names = [name for group in DENIED.values() for name in group[0]]
    return names + list(PINNING[0]) if deny_ipc else names


@functools.cache
def build(deny_ipc):
    """The filter as raw BPF bytes (8 bytes an instruction) for PR_SET_SECCOMP.

    deny_ipc -- also refuse SysV IPC and memfd_create (no memory cgroup counts them)
    """
    import pyseccomp as seccomp

    refuse = seccomp.ERRNO(errno.EPERM)
    rules = seccomp.SyscallFilter(seccomp.ALLOW)
    # Only the native ABI: on x86-64, int 0x80 (i386) and x32 calls use other numbers.
    rules.set_attr(seccomp.Attr.ACT_BADARCH, seccomp.ERRNO(errno.ENOSYS))
    for name in denied_calls(deny_ipc):
        rules.add_rule(refuse, name)
    for flag in CLONE_NAMESPACES.values():
        rules.add_rule(refuse, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    # clone3 passes its flags in memory, which a filter cannot read: ENOSYS makes glibc
    # fall back to clone, whose flags are checked above.
    rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    for name, (pid, which, per_process) in OWN_PROCESS_ONLY.items():
        rules.add_rule(refuse, name, seccomp.Arg(pid, seccomp.NE, 0))
        if which is not None:
            rules.add_rule(refuse, name, seccomp.Arg(which, seccomp.NE, per_process))
    # Only the default personality: READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE... are refused.
    rules.add_rule(refuse, "personality", seccomp.Arg(0, seccomp.GT, 0))
    with tempfile.TemporaryFile() as output:
        rules.export_bpf(output)
        output.seek(0)
        return output.read()


def describe(deny_ipc):
    """One line for a job's limits: what the filter refuses."""
    groups = list(DENIED) + (["SysV IPC and memfd_create"] if deny_ipc else [])
    return (
        f"on (libseccomp): {len(denied_calls(deny_ipc))} calls refused, "
        f"{len(OWN_PROCESS_ONLY) + 3} by their arguments -- "
        + ", ".join(groups)
        + ", namespace flags of clone, personality changes, settings of other processes; "
        "non-native ABIs (int 0x80, x32)"
    )
