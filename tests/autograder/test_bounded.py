"""Does a bounded call keep the grader safe from whatever its child does?"""

import ctypes
import os
import re
import signal
import time

import pytest

from autograder import bounded

QUICK = bounded.Bounds(memory_bytes=256 << 20, cpu_seconds=1, wall_seconds=3.0)


def children_of_this_process():
    """Pids of this process's children still present (zombies included)."""
    tasks = f"/proc/{os.getpid()}/task"
    pids = set()
    for task in os.listdir(tasks):
        with open(f"{tasks}/{task}/children") as children:
            pids.update(children.read().split())
    return pids


@pytest.fixture
def no_child_left():
    """Fails the test if it leaves a child process (other tests' workers may be running)."""
    before = children_of_this_process()
    yield
    assert children_of_this_process() <= before


def peak_resident_bytes():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def reset_peak_resident():
    """Start a new VmHWM measurement (Linux: clear_refs 5)."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


def add(a, b):
    return {"sum": a + b, "text": "caf\u00e9 \udc80"}


def allocate(megabytes):
    """Allocate and touch (write) the memory, so that it is resident."""
    hog = b"x" * (megabytes << 20)
    return len(hog)


def spin():
    while True:
        pass


def sleep_forever():
    time.sleep(3600)


def recurse(depth=0):
    return recurse(depth + 1) + 1


def crash():
    return ctypes.string_at(0)


def exit_early():
    os._exit(3)


def not_json():
    return {1, 2}


def huge_result():
    return "x" * (2 << 20)


def test_a_value_comes_back_as_plain_data():
    """Is the child's JSON value returned, non-ASCII text and lone surrogates intact?"""
    assert bounded.call(add, 2, 3, bounds=QUICK) == {"sum": 5, "text": "caf\u00e9 \udc80"}


@pytest.mark.parametrize(
    ("function", "reason"),
    [
        (lambda: allocate(1024), "more than 256 MiB of memory"),
        (spin, "more than 1 s of CPU time"),
        (sleep_forever, "more than 3 s"),
        (recurse, "nested too deeply"),
        (crash, "crashed the reader (SIGSEGV)"),
    ],
    ids=["memory", "cpu", "wall", "recursion", "segfault"],
)
def test_a_child_over_its_limits_is_a_one_line_reason(function, reason, no_child_left):
    """Does each way of exceeding the limits end as LimitError with its reason, in seconds?"""
    # The CPU limit counts whole seconds (1 to 2 s here): on a busy machine that takes
    # longer than 3 s of wall time, so the CPU case gets a later deadline.
    bounds = QUICK if function is not spin else bounded.Bounds(cpu_seconds=1, wall_seconds=30)
    started = time.monotonic()
    with pytest.raises(bounded.LimitError, match=re.escape(reason)):
        bounded.call(function, bounds=bounds)
    assert time.monotonic() - started < bounds.wall_seconds + 2


@pytest.mark.parametrize(
    ("function", "reason"),
    [
        (exit_early, "exited with status 3"),
        (not_json, "TypeError"),
        (huge_result, "a result of more than 1 MiB"),
    ],
    ids=["exit", "not-json", "too-large"],
)
def test_a_child_that_misbehaves_is_an_internal_error(function, reason, no_child_left):
    """Is an exit, an unserialisable value or an oversized result an InternalError?"""
    bounds = bounded.Bounds(cpu_seconds=2, wall_seconds=5.0, result_bytes=1 << 20)
    with pytest.raises(bounded.InternalError, match=reason):
        bounded.call(function, bounds=bounds)


def test_the_graders_memory_does_not_grow_with_the_childs():
    """Does 200 MiB touched in the child leave the grader's peak resident memory alone?"""
    reset_peak_resident()
    before = peak_resident_bytes()
    assert bounded.call(allocate, 200, bounds=bounded.Bounds()) == 200 << 20
    assert peak_resident_bytes() - before < 20 << 20


def test_the_child_holds_none_of_the_graders_descriptors():
    """Does the child close the grader's open files (the sandbox's pipes, say)?"""
    read_end, write_end = os.pipe()
    try:
        open_in_child = set(bounded.call(os.listdir, "/proc/self/fd", bounds=QUICK))
    finally:
        os.close(read_end)
        os.close(write_end)
    # Only the standard streams, the child's two pipes and listdir's own descriptor.
    assert len(open_in_child - {"0", "1", "2"}) <= 3, open_in_child


def child_pid():
    return os.getpid()


def grow(megabytes):
    """Keep memory allocated in the child after the call (as a fragmented heap would)."""
    KEPT.append(b"x" * (megabytes << 20))
    return os.getpid()


KEPT = []


def test_one_child_serves_many_calls_and_a_failure_replaces_it(no_child_left):
    """Is the child forked once for many calls, and replaced after a call that failed?"""
    with bounded.Reader(child_pid, QUICK) as reader:
        first = {reader.call() for _ in range(20)}
        assert len(first) == 1 and os.getpid() not in first
    with bounded.Reader(lambda megabytes=0: allocate(megabytes) or os.getpid(), QUICK) as reader:
        before = reader.call()
        with pytest.raises(bounded.LimitError, match="memory"):
            reader.call(1024)
        after = reader.call()
        assert after != before


def test_a_child_that_grew_is_replaced_after_its_answer():
    """Does a child whose memory grew past the recycling threshold leave after answering?"""
    with bounded.Reader(grow, QUICK) as reader:
        first = reader.call(bounded.RECYCLE_GROWTH_BYTES >> 20)
        second = reader.call(0)
        assert first != second
        assert reader.call(0) == second


def echo_slowly(value):
    time.sleep(0.5)
    return value


class GraderInterruptedError(Exception):
    pass


def test_an_interrupted_call_never_answers_the_next_one(no_child_left):
    """After the grader is interrupted mid-call, does the next call get its own answer?"""

    def interrupt(signum, frame):
        raise GraderInterruptedError

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        with bounded.Reader(echo_slowly, QUICK) as reader:
            signal.setitimer(signal.ITIMER_REAL, 0.1)
            with pytest.raises(GraderInterruptedError):
                reader.call("first")
            assert reader.call("second") == "second"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def handler_ran(path):
    """Send SIGTERM to itself: the grader's handler must not run in the child."""
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(1)
    return os.path.exists(path)


def test_the_graders_signal_handlers_do_not_run_in_the_child(tmp_path, no_child_left):
    """Does a SIGTERM to the child end it, instead of running the grader's own handler?"""
    marker = tmp_path / "handler-ran"
    previous = signal.signal(signal.SIGTERM, lambda *_: marker.touch())
    try:
        with pytest.raises(bounded.LimitError, match="stopped by SIGTERM"):
            bounded.call(handler_ran, str(marker), bounds=QUICK)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert not marker.exists()
