"""Retrying what waits on the kernel (a killed process gone, a cgroup emptied), promptly.

A killed sandbox's last processes are usually gone within a millisecond or two (the PID
namespace's teardown, a cgroup's exiting tasks): a fixed 10 ms pause after each look cost
every command's close 10-20 ms. The pauses start short and grow, so that a look costs
next to nothing when the wait is short, and little CPU when it is long.
"""

import time

FIRST_PAUSE = 0.0005  # seconds before the second attempt
LAST_PAUSE = 0.01  # the longest pause between two attempts


def attempts(seconds):
    """Yield once per attempt: at once, then after pauses from FIRST_PAUSE doubling up to
    LAST_PAUSE, until `seconds` have passed (the loop then ends without a last attempt)."""
    deadline = time.monotonic() + seconds
    pause = FIRST_PAUSE
    yield
    while time.monotonic() <= deadline:
        time.sleep(pause)
        pause = min(2 * pause, LAST_PAUSE)
        yield
