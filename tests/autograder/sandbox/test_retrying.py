"""Does attempts() retry promptly at first, less often later, and stop at its deadline?"""

import time

from autograder.sandbox import retrying


def test_the_first_retries_come_sooner_than_the_longest_pause():
    """Do the first three attempts come within two of the longest pauses (a killed
    sandbox's last process is usually gone in a millisecond or two; the scheduler's slack
    aside, they take 1.5 ms)?"""
    times = []
    for _ in retrying.attempts(1.0):
        times.append(time.monotonic())
        if len(times) == 3:
            break
    assert times[2] - times[0] < 2 * retrying.LAST_PAUSE


def test_attempts_stop_after_the_deadline_with_pauses_of_at_most_the_longest():
    """Does the loop end soon after its seconds, its pauses never longer than LAST_PAUSE
    (plus the scheduler's slack)?"""
    started = time.monotonic()
    times = [time.monotonic() for _ in retrying.attempts(0.1)]
    assert 0.1 <= times[-1] - started < 1.0
    assert len(times) >= 10  # 0.1 s in pauses of at most 10 ms
    assert times[0] - started < retrying.LAST_PAUSE  # the first attempt at once
