"""What does the demo class hub cost? Prints the figures docs/deploy.md quotes.

    .venv/bin/python -m benchmarks.bench_hub      # from the repository root

Run as root (the hub makes system accounts), with bubblewrap, Chromium and the proxy installed
(`./course setup`). It starts the hub with the course's roster (deploy/roster.csv) in a temporary
state folder, as `./course hub` does, and measures:
  * hub start: from starting the launcher to its announcement (GET /hub/api answered), fastest
    of --starts starts; accounts and folders are made by the first one, so later starts are
    the steady case;
  * memory per student server, idle: each student signs in (JupyterLab loaded in Chromium); the
    memory of the processes running as that student (the server; no kernel yet);
  * memory per student server, working: one student opens the assignment, answers it and runs
    every cell (the three trainings and seven plots); the server and its kernel;
  * how many such servers fit in 24 GiB, after the hub, the proxy and --reserve-gib for the
    system, counting each server by its unique memory (USS: what one more server adds; the
    shared libraries are mapped once) and, conservatively, by its resident memory (RSS);
  * the grading time of a class of 10,000, from bench_grading.py's per-submission figures
    (docs/benchmark.md), for `nbgrader autograde` and for this course's grader.
"""

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import psutil

from tests import support  # the hub tests' harness and the assignment's answers
from tests.support import classhub, lab

GIB = 1024**3
MIB = 1024**2
MACHINE_GIB = 24
ASSIGNMENT_NOTEBOOK = "initialization/Initialization.ipynb"
CLASS_SIZE = 10_000


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=3, help="hub starts to time")
    parser.add_argument("--reserve-gib", type=float, default=2.0, help="kept for the system")
    # docs/benchmark.md: nbgrader autograde 6.43-10.5 s per submission; this grader 30.8 ms
    # per submission on 2 bubblewrap workers (the 2-core machine of the figures).
    parser.add_argument("--nbgrader-seconds", type=float, default=6.43)
    parser.add_argument("--grader-milliseconds", type=float, default=30.8)
    return parser.parse_args()


def memory_of(name):
    """(USS, PSS, RSS) in bytes, summed over the processes running as the account name."""
    uss = pss = rss = 0
    for process in psutil.process_iter(["username"]):
        if process.info["username"] != name:
            continue
        try:
            info = process.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        uss, pss, rss = uss + info.uss, pss + info.pss, rss + info.rss
    return uss, pss, rss


def hub_memory(hub):
    """RSS of the launcher, JupyterHub and the proxy (the processes that run as root)."""
    processes = [psutil.Process(hub.process.pid), *classhub.descendants(hub)]
    total = 0
    for process in processes:
        try:
            if process.username() == "root" and process.name() != "bwrap":
                total += process.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def time_starts(state, count):
    """Seconds from launching to the announcement, for each of count starts."""
    times = []
    for _ in range(count):
        began = time.monotonic()
        hub = classhub.start_hub(state)
        times.append(time.monotonic() - began)
        classhub.stop_hub(hub)
    return times


def solve_and_run(page, hub, name):
    """Open the assignment as name, answer every exercise, run every cell."""
    classhub.open_notebook(page, hub, name, ASSIGNMENT_NOTEBOOK)
    sources = classhub.cell_sources(page)
    answers = {
        grade_id: support.fill_stub(sources[grade_id], answer)
        for grade_id, answer in support.SOLUTIONS.items()
    }
    classhub.set_cell_sources(page, answers)
    assert lab.run_all_cells(page, timeout=600) == "true"


def fetch_assignment(browser, hub):
    """The instructor generates and releases the assignment (formgrader)."""
    page = classhub.sign_in(browser, hub, "instructor")
    classhub.open_formgrader(page, hub, "instructor")
    for glyph in ("education", "cloud-upload"):
        done, log = classhub.formgrader_action(page, "initialization", glyph, lambda *_: None, "")
        assert done, log
    page.context.close()


def mib(value):
    return f"{value / MIB:,.0f} MiB"


def main():
    arguments = parse_arguments()
    state = Path(tempfile.mkdtemp(prefix="course-hub-bench-"))
    try:
        starts = time_starts(state, arguments.starts)
        print(
            f"hub start (launcher to /hub/api answering): fastest {min(starts):.1f} s of "
            + ", ".join(f"{seconds:.1f}" for seconds in starts)
        )
        with classhub.running_hub(state) as hub, classhub.chromium() as browser:
            fetch_assignment(browser, hub)
            students = [name for name, _ in sorted(hub.passwords.items()) if name != "instructor"]
            pages = {name: classhub.sign_in(browser, hub, name) for name in students}
            time.sleep(5)  # let the servers settle after JupyterLab's first requests
            idle = {name: memory_of(name) for name in students}
            worker = students[0]
            classhub.open_assignment_list(pages[worker])
            classhub.click_list_button(pages[worker], "Fetch")
            solve_and_run(pages[worker], hub, worker)
            working = memory_of(worker)
            root_side = hub_memory(hub)
    finally:
        shutil.rmtree(state, ignore_errors=True)

    idle_uss = max(uss for uss, _, _ in idle.values())
    idle_rss = max(rss for _, _, rss in idle.values())
    print(
        f"idle student server ({len(idle)} signed in, largest): USS {mib(idle_uss)}, "
        f"PSS {mib(max(pss for _, pss, _ in idle.values()))}, RSS {mib(idle_rss)}"
    )
    print(
        f"working student server (assignment run, kernel included): USS {mib(working[0])}, "
        f"PSS {mib(working[1])}, RSS {mib(working[2])}"
    )
    print(f"hub, proxy and launcher: RSS {mib(root_side)}")
    room = MACHINE_GIB * GIB - arguments.reserve_gib * GIB - root_side
    print(f"servers in {MACHINE_GIB} GiB (minus {arguments.reserve_gib:g} GiB for the system):")
    for label, uss, rss in (
        ("idle", idle_uss, idle_rss),
        ("working", working[0], working[2]),
    ):
        print(f"  {label}: {int(room // uss):,} by USS, {int(room // rss):,} by RSS")
    nbgrader_hours = CLASS_SIZE * arguments.nbgrader_seconds / 3600
    grader_minutes = CLASS_SIZE * arguments.grader_milliseconds / 1000 / 60
    print(
        f"grading {CLASS_SIZE:,} submissions on 2 cores: nbgrader autograde "
        f"{nbgrader_hours:,.1f} h ({arguments.nbgrader_seconds} s each); this course's grader "
        f"{grader_minutes:,.1f} min ({arguments.grader_milliseconds} ms each)"
    )


if __name__ == "__main__":
    main()
