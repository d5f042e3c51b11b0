"""What does isolation cost per job? Prints the figures for each level available here.

    .venv/bin/python benchmarks/bench_isolation.py                  # 300 jobs, 2 workers
    .venv/bin/python benchmarks/bench_isolation.py --jobs 3000      # the batch goal's size
    .venv/bin/python benchmarks/bench_isolation.py --group 1        # every job alone

For each level (bubblewrap, unshare, none) it starts a Sandbox with --workers warm
workers, runs a few warm-up jobs, then --jobs exercise jobs: the three graded
functions in turn (zeros, random, he), each called on all of its public and
hidden cases (what the grader sends per exercise), half of them correct, half
with a typical mistake, sent in groups of --group jobs (3: one submission's, as the
grader sends them; 1: every job alone). It prints the start-up time, the batch's
wall-clock time, jobs per second, the mean and 95th percentile of JobResult.seconds,
and the time 1,000 submissions x 3 jobs would take at that rate (the goal: at most 60 s
on 2 cores with isolation on). "clean ms" is what the worker's checks after a job cost
(mean / 95th percentile; part of every job's time): leftovers and its own settings after
every job, and the reset and check of the clean state after the last job of a group.
"""

import argparse
import queue
import statistics
import threading
import time

import public_tests
from autograder import cases
from autograder.grading import job_calls
from autograder.probe import COURSE_PROBE
from autograder.sandbox import LEVELS, Job, Sandbox
from autograder.sandbox import launch as sandbox_launch

CORRECT = {
    "zeros": "parameters['W' + str(l)] = np.zeros((layers_dims[l], layers_dims[l - 1]))",
    "random": "parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10",
    "he": (
        "parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1])"
        " * np.sqrt(2 / layers_dims[l - 1])"
    ),
}
# A typical mistake: the seed text's layers_dims[1] where layers_dims[l] is meant.
WRONG = "parameters['W' + str(l)] = np.zeros((layers_dims[1], layers_dims[l - 1]))"
TEMPLATE = """
import numpy as np

def {function}(layers_dims):
    {seed}
    parameters = {{}}
    for l in range(1, len(layers_dims)):
        {weights}
        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
"""


def job(index):
    """The index-th job of the mix: schemes in turn, every other submission wrong."""
    scheme = public_tests.SCHEMES[index % len(public_tests.SCHEMES)]
    weights = CORRECT[scheme] if (index // len(public_tests.SCHEMES)) % 2 == 0 else WRONG
    seed = "np.random.seed(3)" if scheme != "zeros" else "pass"
    function = public_tests.FUNCTION_NAMES[scheme]
    source = TEMPLATE.format(function=function, seed=seed, weights=weights)
    calls = job_calls(cases.all_cases(scheme))
    return Job(source=source, function=function, calls=calls)


def run_groups(box, jobs, size):
    """The jobs' results, sent in groups of size over the sandbox's workers."""
    groups = queue.Queue()
    for start in range(0, len(jobs), size):
        groups.put(start)
    results = [None] * len(jobs)

    def work():
        while True:
            try:
                start = groups.get_nowait()
            except queue.Empty:
                return
            results[start : start + size] = box.run_group(jobs[start : start + size])

    threads = [threading.Thread(target=work) for _ in range(box.workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def measure(level, jobs, workers, group):
    started = time.perf_counter()
    with Sandbox(COURSE_PROBE, workers=workers, isolation=level) as box:
        start_up = time.perf_counter() - started
        run_groups(box, [job(index) for index in range(2 * workers)], group)  # warm-up
        batch = [job(index) for index in range(jobs)]
        began = time.perf_counter()
        before = [len(slot.cleanup_seconds) for slot in box.slots]
        results = run_groups(box, batch, group)
        wall = time.perf_counter() - began
        cleanups = sorted(
            seconds
            for slot, skip in zip(box.slots, before, strict=True)
            for seconds in slot.cleanup_seconds[skip:]
        )
    statuses = {result.status for result in results}
    seconds = sorted(result.seconds for result in results)
    return {
        "level": level,
        "start": start_up,
        "wall": wall,
        "rate": jobs / wall,
        "mean_ms": 1000 * statistics.fmean(seconds),
        "p95_ms": 1000 * seconds[int(0.95 * (len(seconds) - 1))],
        "goal_s": 3000 / (jobs / wall),
        "clean_ms": 1000 * statistics.fmean(cleanups) if cleanups else float("nan"),
        "clean_p95_ms": 1000 * cleanups[int(0.95 * (len(cleanups) - 1))] if cleanups else 0.0,
        "statuses": ",".join(sorted(statuses)),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--levels", nargs="*", default=list(LEVELS))
    parser.add_argument("--group", type=int, default=3, help="jobs per group (one submission)")
    options = parser.parse_args()
    print(
        f"{options.jobs} jobs, {options.workers} workers, each job = one exercise, all its cases;"
        f" groups of {options.group}"
    )
    header = f"{'level':<11} {'start s':>8} {'batch s':>8} {'jobs/s':>7} {'mean ms':>8}"
    print(header + f" {'p95 ms':>7} {'3,000 jobs s':>13} {'clean ms':>12}  statuses")
    for level in options.levels:
        problem = sandbox_launch.unavailable(level)
        if problem:
            print(f"{level:<11} unavailable: {problem}")
            continue
        row = measure(level, options.jobs, options.workers, max(1, options.group))
        print(
            f"{row['level']:<11} {row['start']:8.2f} {row['wall']:8.2f} {row['rate']:7.1f}"
            f" {row['mean_ms']:8.1f} {row['p95_ms']:7.1f} {row['goal_s']:13.1f}"
            f" {row['clean_ms']:5.2f} / {row['clean_p95_ms']:4.2f}  {row['statuses']}"
        )


if __name__ == "__main__":
    main()
