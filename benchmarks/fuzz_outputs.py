"""Fuzz the grader's outputs with hostile file names and report text; count what was tried.

    .venv/bin/python -m benchmarks.fuzz_outputs [--batches 500]     # from the repository root

Each input is a batch of notebooks whose file names are any bytes a file name may hold (and
the names of tests/support/hostile_names.py, several of which collide once made safe), each
with a report whose every string is any text: controls, terminal escapes, bidi overrides,
lone surrogates. Every batch is discovered, written through grade-batch's writer (CSV, JSON,
Gradescope) and shown as a table; then checked: valid UTF-8 without an unsafe character,
one row and one report file per notebook, and a CSV cut at any byte keeps every row before
the cut (tests/support/output_fuzzing.py). Prints one line:

    fuzzed outputs: 500 batches, 2,145 file names and reports, 0 crashed, 0 rows lost (12 s)

and exits 1 with the first failing input if any check fails.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from tests.support.output_fuzzing import BATCHES, check_batch

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=500, help="batches to try")
    args = parser.parse_args(argv)
    tried = {"batches": 0, "names": 0, "rows": 0}

    @settings(
        max_examples=args.batches,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(BATCHES)
    def fuzz(batch):
        names, graded = batch
        with tempfile.TemporaryDirectory() as scratch:
            rows = check_batch(Path(scratch), names, graded)
        tried["batches"] += 1
        tried["names"] += len(names)
        tried["rows"] += rows

    started = time.perf_counter()
    try:
        fuzz()
    except Exception as error:  # noqa: BLE001 -- hypothesis has printed the failing input
        print(f"fuzzed outputs: FAILED after {tried['batches']} batches: {error!r}")
        return 1
    lost = tried["names"] - tried["rows"]
    print(
        f"fuzzed outputs: {tried['batches']:,} batches, {tried['names']:,} file names and "
        f"reports, 0 crashed, {lost} rows lost ({time.perf_counter() - started:.0f} s)"
    )
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
