"""Does `python -m autograder` keep its promises: one JSON object, exit codes, readable text?"""

import contextlib
import csv
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest
from support import RELEASE
from support import run_autograder as autograder
from support.corpus import SUBMISSIONS

from autograder import cli, report
from autograder.batch_output import read_rows
from autograder.sandbox import tagged_processes


@pytest.mark.slow
def test_grade_json_is_one_object_even_when_the_student_prints(root):
    """Is stdout exactly one JSON object of the documented schema, despite student prints?"""
    notebook = SUBMISSIONS / "correct_extra_cells_and_prints.ipynb"
    done = autograder("grade", notebook, "--json", cwd=root)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)  # raises if anything else is on stdout
    assert set(result) >= {"notebook", "score", "max_score", "isolation", "exercises"}
    assert [entry["status"] for entry in result["exercises"]] == ["passed"] * 3
    assert result["score"] == result["max_score"] == 18


@pytest.mark.slow
def test_broken_notebook_is_a_result_with_exit_0(root):
    """Does a PNG named .ipynb give exit 0, score 0 and status error for every exercise?"""
    done = autograder("grade", SUBMISSIONS / "png_named_ipynb.ipynb", "--json", cwd=root)
    assert done.returncode == 0
    result = json.loads(done.stdout)
    assert result["score"] == 0
    assert {entry["status"] for entry in result["exercises"]} == {"error"}
    assert "PNG" in result["exercises"][0]["feedback"]


def test_missing_path_is_a_usage_error(root, tmp_path):
    """Does a path that does not exist exit 2 with one line on stderr and nothing on stdout?"""
    done = autograder("grade", tmp_path / "nope.ipynb", "--json", cwd=root)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert "nope.ipynb" in done.stderr


def test_batch_of_a_missing_folder_is_a_usage_error(root, tmp_path):
    """Does grade-batch on a folder that does not exist exit 2?"""
    done = autograder("grade-batch", tmp_path / "none", "--out", tmp_path / "g.csv", cwd=root)
    assert done.returncode == 2
    assert "no such folder" in done.stderr


def test_batch_output_that_cannot_be_written_is_a_usage_error(root, tmp_path):
    """Does an --out that is a folder, or a --json-dir that is a file, exit 2 in one line?"""
    folder = tmp_path / "flat"
    folder.mkdir()
    (folder / "empty.ipynb").write_bytes(b"")
    a_file = tmp_path / "a_file"
    a_file.write_text("")
    for options in (["--out", tmp_path], ["--out", tmp_path / "g.csv", "--json-dir", a_file]):
        done = autograder("grade-batch", folder, *options, "--isolation", "none", cwd=root)
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1


def test_a_fallback_warning_is_printed_once(root, tmp_path):
    """Without bwrap and unshare on PATH, is the fall-back to 'none' said once on stderr?"""
    notebook = tmp_path / "empty.ipynb"
    notebook.write_bytes(b"")
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", notebook, "--json"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PATH": os.path.dirname(sys.executable)},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["isolation"] == "none"
    assert done.stderr.count("fell back to 'none'") == 1


@pytest.mark.slow
def test_readable_grade_and_check(root):
    """Does `grade` print a table and exit 0, and `check` the public cases only, exiting 1
    on this notebook that fails its He cases?"""
    notebook = SUBMISSIONS / "xavier_instead_of_he.ipynb"
    graded = autograder("grade", notebook, cwd=root)
    assert graded.returncode == 0
    assert "11/18" in graded.stdout and "[xavier_instead_of_he]" in graded.stdout
    checked = autograder("check", notebook, cwd=root)
    assert checked.returncode == 1
    assert "public cases only" in checked.stdout
    assert "hidden case layers_dims" not in checked.stdout
    assert "5/9" in checked.stdout  # 2 + 3 public points; the He seeding case needs right values


# What `check` exits with on each notebook: 0 only when every exercise passes.
CHECK_STATUSES = {
    "correct_loop": 0,
    "correct_helper_function": 0,
    "unanswered_release": 1,  # every case fails
    "xavier_instead_of_he": 1,  # zeros and random pass, He fails on its values
    "syntax_error_in_he_cell": 1,  # a static check keeps He from running
    "png_named_ipynb": 1,  # a notebook that cannot be read passes nothing
}


def test_check_exits_1_unless_every_exercise_passes(root):
    """Does `check` exit 0 on a notebook whose every exercise passes and 1 (a failed check,
    not a usage or sandbox error) on one with any case or static check failing, printing
    its table either way?"""
    statuses = {}
    for name in CHECK_STATUSES:
        done = autograder("check", SUBMISSIONS / f"{name}.ipynb", cwd=root)
        assert "public cases only" in done.stdout, done.stderr
        statuses[name] = done.returncode
    assert statuses == CHECK_STATUSES
    assert cli.CHECK_FAILED == 1


def test_check_names_the_stub_as_the_notebook_shows_it(root):
    """Does check's fix for an untouched exercise quote the stub the released notebook
    shows (`# YOUR CODE HERE` over `raise NotImplementedError()`), and no lines it lacks?"""
    notebook = (RELEASE / "Initialization.ipynb").read_text()
    done = autograder("check", SUBMISSIONS / "unanswered_release.ipynb", cwd=root)
    fixes = [line for line in done.stdout.splitlines() if "[unanswered_stub]" in line]
    assert len(fixes) == 3, done.stdout
    for fix in fixes:
        quoted = re.findall(r"`([^`]+)`", fix)
        assert "# YOUR CODE HERE" in quoted and "raise NotImplementedError()" in quoted, fix
        assert all(text in notebook for text in quoted), fix
        assert "YOUR CODE lines" not in fix and "release" not in fix


def test_a_sandbox_that_cannot_start_is_not_a_failed_check(root, tmp_path):
    """Is a check whose sandbox cannot start (bwrap not found) exit 3 -- told apart from a
    notebook that fails (1) -- while grade keeps exit 1 for it, one line on stderr each?"""
    environment = {**os.environ, "PATH": str(tmp_path)}  # no bwrap on it
    notebook = SUBMISSIONS / "correct_loop.ipynb"
    statuses = {}
    for command in ("check", "grade"):
        done = subprocess.run(
            [sys.executable, "-m", "autograder", command, notebook, "--isolation", "bubblewrap"],
            cwd=root,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.stdout == ""
        assert done.stderr.count("\n") == 1 and "the sandbox did not start" in done.stderr
        statuses[command] = done.returncode
    assert statuses == {"check": 3, "grade": 1}
    assert statuses == {"check": cli.CHECK_SANDBOX_ERROR, "grade": cli.SANDBOX_ERROR}


@pytest.mark.slow
def test_grade_batch_command(root, tmp_path):
    """Does grade-batch write the CSV and exit 0 on a flat folder with a broken file?"""
    folder = tmp_path / "flat"
    folder.mkdir()
    for name in ("correct_loop.ipynb", "truncated_json.ipynb"):
        (folder / name).write_bytes((SUBMISSIONS / name).read_bytes())
    out = tmp_path / "grades.csv"
    done = autograder("grade-batch", folder, "--out", out, "--workers", "1", cwd=root)
    assert done.returncode == 0, done.stderr
    with out.open(newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert rows["correct_loop"]["score"] == "18"
    assert rows["truncated_json"]["status"] == "error"


def test_parser_knows_every_command():
    """Are grade, grade-batch, check and gradescope-package the commands, and only they?"""
    assert set(cli.COMMANDS) == {"grade", "grade-batch", "check", "gradescope-package"}
    args = cli.build_parser().parse_args(["grade-batch", "d", "--out", "o.csv", "--workers", "3"])
    assert (args.workers, args.json_dir, args.gradescope_dir) == (3, None, None)


def test_the_usage_names_the_console_script():
    """Does the usage show `autograder`, the command a plain install puts on the PATH?"""
    assert cli.build_parser().format_usage().startswith("usage: autograder ")


def test_limit_options_reach_the_sandbox_limits():
    """Do --time-limit, --memory-limit and --output-limit set the sandbox's Limits?"""
    for command in (["grade", "n.ipynb"], ["check", "n.ipynb"], ["grade-batch", "d", "--out", "o"]):
        options = ["--time-limit", "2.5", "--memory-limit", "512", "--output-limit", "64"]
        limits = cli.limits_from(cli.build_parser().parse_args(command + options))
        assert (limits.wall_seconds, limits.cpu_seconds) == (2.5, 3)
        assert limits.memory_bytes == 512 << 20
        assert limits.output_bytes == 64 << 10
    assert cli.limits_from(cli.build_parser().parse_args(["grade", "n.ipynb"])) == cli_defaults()


def cli_defaults():
    from autograder.sandbox import Limits

    return Limits()


@pytest.mark.parametrize(
    "option, value",
    [
        ("--time-limit", "soon"),
        ("--time-limit", "0"),
        ("--time-limit", "-3"),
        ("--time-limit", "nan"),
        ("--memory-limit", "2048"),
        ("--memory-limit", "inf"),
        ("--output-limit", "0"),
    ],
)
def test_a_bad_limit_is_a_one_line_usage_error(root, option, value):
    """Does a bad limit value exit 2 with one line naming the option, before any grading?"""
    notebook = SUBMISSIONS / "correct_loop.ipynb"
    done = autograder("grade", notebook, "--json", option, value, cwd=root)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert option in done.stderr


@pytest.mark.slow
def test_a_shorter_time_limit_stops_an_endless_loop_sooner(root):
    """Does --time-limit 1 stop the endless loop at 1 s and say so in the feedback?"""
    done = autograder(
        "grade", SUBMISSIONS / "infinite_loop.ipynb", "--json", "--time-limit", "1", cwd=root
    )
    assert done.returncode == 0, done.stderr
    he = json.loads(done.stdout)["exercises"][2]
    assert he["status"] == "timeout"
    # The wall-clock or the CPU limit, whichever the loop reaches first: both are 1 s.
    assert "exceeded the 1 s" in he["feedback"] and "time limit" in he["feedback"]


@pytest.mark.slow
def test_a_memory_limit_below_what_numpy_needs_is_a_usage_error(root):
    """Is --memory-limit 8 refused in one line (exit 2) as a setting to fix?"""
    done = autograder("grade", SUBMISSIONS / "correct_loop.ipynb", "--memory-limit", "8", cwd=root)
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "--memory-limit" in done.stderr and "too low" in done.stderr


def test_a_closed_stdout_gives_no_broken_pipe_traceback(root, tmp_path):
    """Does `grade --json | head -0` (stdout closed by its reader) end quietly, status 141?"""
    notebook = tmp_path / "empty.ipynb"
    notebook.write_bytes(b"")
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written
    try:
        done = subprocess.run(
            [sys.executable, "-m", "autograder", "grade", notebook, "--json"],
            cwd=root,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,
        )
    finally:
        os.close(write_end)
    assert "Traceback" not in done.stderr
    assert "BrokenPipeError" not in done.stderr
    assert done.returncode == cli.BROKEN_PIPE


def slow_batch(folder, count):
    """count notebooks that each take the --time-limit of 1 s on He (an endless loop)."""
    folder.mkdir()
    for number in range(count):
        (folder / f"student_{number:02d}.ipynb").write_bytes(
            (SUBMISSIONS / "infinite_loop.ipynb").read_bytes()
        )
    return folder


def rows_in_order(out):
    with out.open(newline="", encoding="utf-8") as handle:
        return [row["submission"] for row in csv.DictReader(handle)]


def test_a_batch_killed_midway_keeps_its_rows_and_resumes(root, tmp_path):
    """After SIGKILL mid-batch, are the finished rows there, and does a rerun grade the rest?"""
    folder = slow_batch(tmp_path / "flat", 8)
    out = tmp_path / "grades.csv"
    command = [sys.executable, "-m", "autograder", "grade-batch", folder, "--out", out]
    command += ["--workers", "1", "--time-limit", "1", "--json-dir", tmp_path / "json"]
    grader = subprocess.Popen(
        command,
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        while len(read_rows(out)) < 3 and grader.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(grader.pid, signal.SIGKILL)
        grader.wait()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(grader.pid, signal.SIGKILL)  # its sandbox workers
    kept = read_rows(out)
    assert 3 <= len(kept) < 8
    assert all(row["status"] == "timeout" for row in kept.values())

    done = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"graded {8 - len(kept)} submission(s), {len(kept)} kept" in done.stdout
    expected = [report.submission_key(f"student_{number:02d}.ipynb") for number in range(8)]
    assert rows_in_order(out) == expected  # each exactly once, in discovery order
    assert len(os.listdir(tmp_path / "json")) == 8


def test_a_csv_that_grade_batch_did_not_write_is_refused_before_grading(root, tmp_path):
    """Does an --out holding another CSV exit 2 in one line, the file untouched?"""
    folder = tmp_path / "flat"
    folder.mkdir()
    (folder / "empty.ipynb").write_bytes(b"")
    out = tmp_path / "marks.csv"
    out.write_bytes(b"name,mark\nana,17\n")
    done = autograder("grade-batch", folder, "--out", out, "--isolation", "none", cwd=root)
    assert done.returncode == 2, done.stderr
    assert "--force" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert out.read_bytes() == b"name,mark\nana,17\n"


def test_grade_shows_a_hostile_file_name_and_message_escaped(root, tmp_path):
    """Does `grade` print escapes and a non-UTF-8 name as text, never as terminal codes?"""
    from support.hostile_names import HOSTILE_TEXTS, message_notebook

    notebook = message_notebook(tmp_path / "made", HOSTILE_TEXTS["csi_clear_screen"], "call")
    hostile = os.path.join(os.fsencode(tmp_path), b"\x1b]52;c;eA==\x07caf\xe9.ipynb")
    os.rename(notebook, hostile)
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", hostile],
        cwd=root,
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode("utf-8")  # valid UTF-8, or this raises
    assert "\x1b" not in text and "\x07" not in text
    assert "\\x1b]52;c;eA==\\x07caf\\xe9.ipynb" in text
    assert "ValueError: \\x1b[2J\\x1b[H total 18/18 graded" in text


def test_the_memory_limit_ceiling_is_the_sandboxs(monkeypatch):
    """Is --memory-limit refused above the sandbox's own ceiling, whatever it is (one fact)?"""
    from autograder import sandbox

    monkeypatch.setattr(sandbox, "MAX_MEMORY_BYTES", 512 << 20)
    args = cli.build_parser().parse_args(["grade", "n.ipynb", "--memory-limit", "768"])
    with pytest.raises(cli.UsageError, match="at most 512"):
        cli.limits_from(args)


# Runs a command of the CLI, noting for every worker launched whether numpy was already
# imported in the grader (the launch is wrapped only to look, then done as usual).
NUMPY_AT_LAUNCH = """
import json, sys
from autograder import cli
from autograder.sandbox import tagged_processes, worker_process

seen, tags = [], []
launch = worker_process.WorkerProcess.start

def start(slot):
    seen.append("numpy" in sys.modules)
    tags.append(slot.tag)
    return launch(slot)

worker_process.WorkerProcess.start = start
status = cli.main(sys.argv[1:])
left = [pid for tag in tags for pid in tagged_processes(tag)]
print(json.dumps({"status": status, "numpy_at_launch": seen, "left": left}), file=sys.stderr)
"""


def launched(root, *arguments):
    """(exit status, [numpy imported at each worker's launch], processes left) of a command."""
    done = subprocess.run(
        [sys.executable, "-c", NUMPY_AT_LAUNCH, *map(str, arguments)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    facts = json.loads(done.stderr.strip().splitlines()[-1])
    return facts["status"], facts["numpy_at_launch"], facts["left"]


def test_every_command_launches_its_workers_before_numpy_is_imported(root, tmp_path):
    """Do grade, check and grade-batch launch their workers before the grader imports numpy
    (so that the workers' start overlaps it), grade all the same, and leave no process?"""
    notebook = SUBMISSIONS / "correct_loop.ipynb"
    folder = tmp_path / "flat"
    folder.mkdir()
    (folder / "correct_loop.ipynb").write_bytes(notebook.read_bytes())
    for command in (
        ["grade", notebook, "--json"],
        ["check", notebook],
        ["grade-batch", folder, "--out", tmp_path / "g.csv", "--workers", "2"],
    ):
        status, numpy_at_launch, left = launched(root, *command, "--isolation", "none")
        assert (status, numpy_at_launch, left) == (
            0,
            [False] * (2 if "--workers" in command else 1),
            [],
        ), command


def test_an_output_path_refused_while_the_workers_start_takes_them_down(root, tmp_path):
    """Is an --out grade-batch cannot use, found while its workers start, a usage error
    (exit 2) with no process of the sandbox left?"""
    folder = tmp_path / "flat"
    folder.mkdir()
    (folder / "empty.ipynb").write_bytes(b"")
    status, numpy_at_launch, left = launched(
        root, "grade-batch", folder, "--out", tmp_path, "--isolation", "none"
    )
    assert (status, left) == (2, [])
    assert numpy_at_launch == [False] * len(numpy_at_launch) and numpy_at_launch


# What a command may have imported when it launches its workers: the sandbox's job types,
# launch and pool, nothing of the grading (numpy) and nothing the worker itself runs.
NOT_BEFORE_THE_LAUNCH = ("numpy", "autograder.grading", "autograder.sandbox.worker")
LAUNCH_ONLY = """
import json, sys
from autograder import cli
imported = {"cli": sorted(name for name in sys.modules if name.startswith("autograder."))}
args = cli.build_parser().parse_args(["grade", "n.ipynb", "--isolation", "none"])
with cli.launch_sandbox(args, cli.limits_from(args)):
    imported["launch"] = sorted(sys.modules)
print(json.dumps(imported))
"""


def imported_at_launch(root):
    """{"cli": autograder modules once the command line is imported, "launch": every
    module once a command has launched its sandbox}, in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", LAUNCH_ONLY], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_command_line_imports_only_the_sandboxs_job_types(root):
    """Does importing autograder.cli import, of the package, only the sandbox's job types
    (its levels and limits) -- not the pool, the worker machinery or the grading?"""
    imported = imported_at_launch(root)["cli"]
    assert imported == ["autograder.cli", "autograder.sandbox", *JOB_TYPES], imported


JOB_TYPES = ["autograder.sandbox.channel", "autograder.sandbox.job"]


def test_launching_the_workers_imports_neither_numpy_nor_the_workers_script(root):
    """Does a command launch its sandbox with no numpy, no grading and none of the worker's
    own script imported in the grader (all of it would delay the launch)?"""
    imported = imported_at_launch(root)["launch"]
    assert "autograder.sandbox.pool" in imported
    assert [name for name in NOT_BEFORE_THE_LAUNCH if name in imported] == []


# The command as the console script and `python -m autograder` run it, with an exit handler
# of its own, registered as grading registers its notebook reader's; the tag of each worker
# launched is printed first, so that the test can look for what is left once it has ended.
ENTRY_POINT = """
import atexit, sys
from autograder.sandbox import worker_process
launch = worker_process.WorkerProcess.start

def start(slot):
    print("tag", slot.tag, file=sys.stderr, flush=True)
    return launch(slot)

worker_process.WorkerProcess.start = start
atexit.register(lambda: print("the exit handler ran", file=sys.stderr, flush=True))
from autograder.cli import run
run()
"""


@pytest.mark.parametrize("command", ["grade", "check"])
def test_the_entry_point_ends_after_the_exit_handlers_with_the_report_out(root, command):
    """Does the entry point that ends the process without the interpreter's teardown still
    run every exit handler, give main's exit status, write the whole report and leave no
    process of its workers?"""
    notebook = SUBMISSIONS / "correct_loop.ipynb"
    arguments = [command, str(notebook), "--isolation", "none"]
    if command == "grade":
        arguments.append("--json")
    done = subprocess.run(
        [sys.executable, "-c", ENTRY_POINT, *arguments],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[-1] == "the exit handler ran"
    tags = [line.split()[1] for line in lines if line.startswith("tag ")]
    assert tags and [pid for tag in tags for pid in tagged_processes(tag)] == []
    if command == "grade":
        report = json.loads(done.stdout)
        assert report["score"] == report["max_score"] > 0
    else:
        assert done.stdout.rstrip().endswith("so make your functions work for any layers_dims.")
