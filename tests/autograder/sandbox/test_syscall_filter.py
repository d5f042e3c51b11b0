"""The syscall filter: built by the grader, loaded in a job child, refusing what is never needed.

Each test loads the real filter (libseccomp's BPF) into a fresh Python process, as the
worker does in a job child, and makes real system calls there.
"""

import base64
import json
import os
import subprocess
import sys

import pytest
from test_pool import CORRECT_HE

from autograder import cases
from autograder.probe import COURSE_PROBE
from autograder.sandbox import Job, Sandbox, syscall_filter
from autograder.sandbox import launch as sandbox_launch

pytestmark = pytest.mark.skipif(
    syscall_filter.unavailable() is not None, reason=str(syscall_filter.unavailable())
)

PROBE = r"""
import ctypes, json, mmap, os, sys, threading
from autograder.sandbox.worker import install_syscall_filter
install_syscall_filter(sys.argv[1])
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long

def errno_of(number, *arguments):
    result = libc.syscall(ctypes.c_long(number), *(ctypes.c_long(a) for a in arguments))
    return 0 if result >= 0 else ctypes.get_errno()

page = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
page.write(bytes.fromhex("5389f889f3cd805bc3"))  # push rbx; mov eax,edi; mov ebx,esi; int 0x80
call32 = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_int)(
    ctypes.addressof(ctypes.c_char.from_buffer(page)))
found = {name: errno_of(*call) for name, call in json.loads(sys.argv[2]).items()}
found["i386 getpid (int 0x80)"] = -call32(20, 0)
found["x32 getpid"] = errno_of(0x40000000 | 39)
thread = threading.Thread(target=lambda: None); thread.start(); thread.join()
pid = os.fork()
if pid == 0:
    os._exit(7)
found["fork and a thread"] = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) - 7
import numpy, matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
plt.plot(numpy.linalg.svd(numpy.random.randn(50, 50))[1]); plt.savefig(os.devnull, format="png")
found["numpy and matplotlib"] = 0
print(json.dumps(found))
"""
EPERM, ENOSYS = 1, 38
CALLS = {
    "add_key": [248, 0, 0, 0, 0, -3],
    "keyctl": [250, 0, 0],
    "io_uring_setup": [425, 8, 0],
    "ptrace(PTRACE_TRACEME)": [101, 0, 0, 0, 0],
    "bpf": [321, 0, 0, 0],
    "perf_event_open": [298, 0, 0, -1, -1, 0],
    "unshare(CLONE_NEWUSER)": [272, 0x10000000],
    "setns": [308, -1, 0],
    "mount": [165, 0, 0, 0, 0, 0],
    "clone(CLONE_NEWNET)": [56, 0x40000000 | 17, 0, 0, 0, 0],
    "personality(READ_IMPLIES_EXEC)": [135, 0x0400000],
    "process_vm_readv": [310, 1, 0, 0, 0, 0, 0],
    "userfaultfd": [323, 0],
    "mq_open": [240, 0, 0, 0, 0],
    "shmget": [29, 0, 0, 0o1600],  # size 0: EINVAL when allowed, nothing is created
    "memfd_create": [319, 0, 0],  # no name: EFAULT when allowed
}


def probe(deny_ipc):
    program = base64.b64encode(syscall_filter.build(deny_ipc)).decode()
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, program, json.dumps(CALLS)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return json.loads(completed.stdout)


def test_the_filter_refuses_what_grading_never_needs_and_allows_the_rest():
    """Are keys, io_uring, ptrace, bpf, perf, namespaces, mounts, personality and the other
    ABIs refused with a clean errno, while threads, fork, numpy and matplotlib still work?"""
    found = probe(deny_ipc=True)
    refused = {name: EPERM for name in CALLS}
    other_abis = {"i386 getpid (int 0x80)": ENOSYS, "x32 getpid": ENOSYS}
    works = {"fork and a thread": 0, "numpy and matplotlib": 0}
    assert found == refused | other_abis | works


def test_shared_memory_is_allowed_only_when_a_cgroup_counts_it():
    """With a memory cgroup (deny_ipc False), do shmget and memfd_create work again while
    everything else stays refused?"""
    found = probe(deny_ipc=False)
    assert (found["shmget"], found["memfd_create"]) == (22, 14)  # EINVAL, EFAULT: let through
    assert found["keyctl"] == found["clone(CLONE_NEWNET)"] == EPERM
    assert found["i386 getpid (int 0x80)"] == ENOSYS


def test_a_filter_libseccomp_cannot_build_is_reported_off_and_leaks_nothing(monkeypatch):
    """When libseccomp refuses the filter (a call it does not know), do the workers still
    start and grade, with the filter reported off and why, and no descriptor left open?"""
    if sandbox_launch.unavailable("bubblewrap"):
        pytest.skip(sandbox_launch.unavailable("bubblewrap"))
    monkeypatch.setitem(
        syscall_filter.DENIED, "unknown", (("no_such_system_call",), "a call of a newer kernel")
    )
    syscall_filter.build.cache_clear()
    descriptors = len(os.listdir("/proc/self/fd"))
    try:
        with Sandbox(COURSE_PROBE, workers=1, isolation="bubblewrap") as box:
            result = box.run(Job(CORRECT_HE, "initialize_parameters_he", HE_CALLS))
        assert result.observations and all(o[0]["raised"] is None for o in result.observations)
        assert result.status == "ok", result.reason
        assert result.limits["syscall filter"].startswith("off (libseccomp could not build it")
    finally:
        syscall_filter.build.cache_clear()
    assert len(os.listdir("/proc/self/fd")) == descriptors


HE_CALLS = [{"kind": c.kind, "layers_dims": c.layers_dims} for c in cases.all_cases("he")]
