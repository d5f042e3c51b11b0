"""Command line of the autograder: grade, grade-batch, check, gradescope-package.

Exit status of grade and grade-batch: 0 whenever a result was produced, whatever the
score (a notebook that cannot be read is a result: score 0, status error) -- a grade is
not a check; 2 for a usage error, such as a path that does not exist or (grade-batch) a
folder with no submission in any layout it understands, with a one-line message on
stderr; 1 when no sandbox can start on this machine.

Exit status of check: 0 when every exercise passed its public cases and static checks;
1 when any did not (the table says which); 2 for a usage error; 3 when no sandbox can
start -- not 1, which would tell the student that the notebook failed.

Exit status of gradescope-package: 0 when the zip was written; 2 when it could not be.

Every command: 141 (as for SIGPIPE) when the reader of stdout went away, quietly.
"""

import argparse
import atexit
import contextlib
import dataclasses
import math
import os
import sys
from pathlib import Path

# Only the sandbox's job types (no numpy, no pool, no worker): the workers are launched
# before anything heavier is imported.
from .sandbox import LEVELS

USAGE_ERROR = 2
# The sandbox could not start at all (no result can be produced on this machine).
SANDBOX_ERROR = 1
# check: some exercise did not pass (so a shell or CI step running check fails).
CHECK_FAILED = 1
# check: the sandbox could not start; its own code, so that it is never read as CHECK_FAILED.
CHECK_SANDBOX_ERROR = 3
# stdout was closed by its reader: what a shell reports for a process ended by SIGPIPE.
BROKEN_PIPE = 128 + 13
ISOLATIONS = ("auto", *LEVELS)


KIB, MIB = 1 << 10, 1 << 20


class UsageError(Exception):
    """A wrong command line; str(error) is the one-line message."""


def quoted(path):
    """A path for a message: a file name may hold escapes or bytes that are not UTF-8."""
    from .safe_text import shown

    return shown(os.fsdecode(path))


def positive_number(option, text, upper=None):
    """The float value of a limit option, or UsageError naming the option and the value."""
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{option} must be a number, not {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise UsageError(f"{option} must be a positive number, not {text!r}")
    if upper is not None and value > upper:
        raise UsageError(f"{option} must be at most {upper}, not {text!r}")
    return value


def max_memory_mib():
    """The most memory a job may be given (the sandbox's ceiling), in MiB."""
    from .sandbox import MAX_MEMORY_BYTES

    return MAX_MEMORY_BYTES // MIB


def limits_from(args):
    """autograder.sandbox.Limits from --time-limit, --memory-limit and --output-limit.

    Called once per command, before anything is read: a bad value is a UsageError.
    """
    from .sandbox import Limits

    changes = {}
    if args.time_limit is not None:
        seconds = positive_number("--time-limit", args.time_limit)
        changes["wall_seconds"] = seconds
        # RLIMIT_CPU counts whole seconds.
        changes["cpu_seconds"] = max(1, math.ceil(seconds))
    if args.memory_limit is not None:
        mebibytes = positive_number("--memory-limit", args.memory_limit, max_memory_mib())
        changes["memory_bytes"] = int(mebibytes * MIB)
    if args.output_limit is not None:
        kibibytes = positive_number("--output-limit", args.output_limit)
        changes["output_bytes"] = max(1, int(kibibytes * KIB))
    return dataclasses.replace(Limits(), **changes)


def add_sandbox_options(parser, workers=True):
    from .sandbox import Limits

    defaults = Limits()
    parser.add_argument(
        "--isolation",
        choices=ISOLATIONS,
        default="auto",
        help="how student code is isolated (default: the strongest available)",
    )
    # Read as text and checked by limits_from, so that a bad value is a one-line error.
    parser.add_argument(
        "--time-limit",
        metavar="SECONDS",
        help=f"wall and CPU time per exercise (default {defaults.wall_seconds:g})",
    )
    parser.add_argument(
        "--memory-limit",
        metavar="MIB",
        help=f"memory per exercise, at most {max_memory_mib()} "
        f"(default {defaults.memory_bytes // MIB})",
    )
    parser.add_argument(
        "--output-limit",
        metavar="KIB",
        help=f"printed output per exercise (default {defaults.output_bytes // KIB})",
    )
    if workers:
        parser.add_argument(
            "--workers", type=int, default=os.cpu_count() or 1, help="parallel sandbox workers"
        )


def build_parser():
    parser = argparse.ArgumentParser(
        prog="autograder",
        description="Grade Initialization notebooks in a sandbox, with feedback that teaches.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    grade = commands.add_parser(
        "grade",
        help="grade one notebook (public and hidden cases)",
        description="Grade one notebook on the public and hidden cases; exit 0 whenever a "
        "report is printed, whatever the score (a grade is not a check: use check for a "
        f"pass/fail status), {USAGE_ERROR} for a usage error, {SANDBOX_ERROR} when no "
        "sandbox can start.",
    )
    grade.add_argument("notebook", type=Path)
    grade.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    add_sandbox_options(grade, workers=False)

    batch = commands.add_parser("grade-batch", help="grade every submission of a folder")
    batch.add_argument("folder", type=Path, help="nbgrader course dir, its submitted/, or *.ipynb")
    batch.add_argument("--out", type=Path, required=True, help="the CSV to write")
    batch.add_argument("--json-dir", type=Path, help="also write <student>.json reports here")
    batch.add_argument(
        "--gradescope-dir", type=Path, help="also write <student>/results.json for Gradescope"
    )
    batch.add_argument(
        "--force",
        action="store_true",
        help="regrade every submission (default: resume, grading only those without a row)",
    )
    batch.add_argument(
        "--report", type=Path, help="also write a class report here (index.html and figures)"
    )
    add_sandbox_options(batch)

    check = commands.add_parser(
        "check",
        help="a student's check before submitting (public cases)",
        description="Run the static checks and public cases; exit 0 when every exercise "
        f"passes, {CHECK_FAILED} when any does not, {USAGE_ERROR} for a usage error, "
        f"{CHECK_SANDBOX_ERROR} when no sandbox can start.",
    )
    check.add_argument("notebook", type=Path)
    add_sandbox_options(check, workers=False)

    package = commands.add_parser(
        "gradescope-package",
        help="build the autograder zip to upload to Gradescope",
        description="Write a Gradescope autograder (setup.sh, run_autograder, the grader "
        f"and its pinned requirements) as a zip; exit 0 when written, {USAGE_ERROR} if not.",
    )
    package.add_argument(
        "--out", type=Path, default=Path("autograder.zip"), help="the zip to write"
    )
    return parser


def launch_sandbox(args, limits, workers=1):
    """The course's sandbox, its workers launched but not waited for.

    Called before anything imports numpy (grading, report, batch_output do): the workers
    start -- a namespace, Python, numpy inside -- while this process imports and reads.
    The first job waits for them (and falls back to the next isolation level there).
    """
    from .probe import COURSE_PROBE
    from .sandbox import Sandbox

    return Sandbox(
        COURSE_PROBE, workers=workers, limits=limits, isolation=args.isolation, wait=False
    )


@contextlib.contextmanager
def stdout_to_stderr():
    """Send anything written to stdout (by us, a library or a child) to stderr meanwhile.

    `grade --json` promises one JSON object on stdout and nothing else.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def require_file(path):
    if not path.exists():
        raise UsageError(f"no such file: {quoted(path)}")
    if not path.is_file():
        raise UsageError(f"not a file: {quoted(path)}")


def require_output_paths(args):
    """Refuse, before grading a whole class, outputs that could not be written or resumed."""
    from .batch_output import OutputError, read_rows

    if args.out.is_dir():
        raise UsageError(f"--out names a folder, not a CSV file: {quoted(args.out)}")
    if not args.force:
        try:
            read_rows(args.out)
        except OutputError as error:
            raise UsageError(str(error)) from None
        except OSError as error:
            raise UsageError(f"cannot read {quoted(args.out)}: {error.strerror}") from None
    for option, folder in (
        ("--json-dir", args.json_dir),
        ("--gradescope-dir", args.gradescope_dir),
        ("--report", args.report),
    ):
        if folder is not None and folder.exists() and not folder.is_dir():
            raise UsageError(f"{option} names a file, not a folder: {quoted(folder)}")


def run_grade(args):
    limits = limits_from(args)  # a bad limit is refused before anything is read
    require_file(args.notebook)
    with stdout_to_stderr():
        sandbox = launch_sandbox(args, limits)
    with sandbox:
        from . import grading, report

        with stdout_to_stderr():
            result = grading.grade_notebook(args.notebook, sandbox, hidden=True)
        # Out before the sandbox is taken down (killing the workers, checking that nothing
        # of theirs is left, removing the staged files): the reader need not wait for it.
        print(report.to_json(result) if args.json else report.table(result), flush=True)
    return 0


def run_check(args):
    """Check one notebook on the public cases; CHECK_FAILED unless every exercise passed."""
    limits = limits_from(args)  # a bad limit is refused before anything is read
    require_file(args.notebook)
    with launch_sandbox(args, limits) as sandbox:
        from . import grading, report
        from .data import Status

        result = grading.grade_notebook(args.notebook, sandbox, hidden=False)
        print(report.table(result, title="Check (public cases only)"))
        print(
            "This check runs the public cases only; the grade also uses hidden cases with "
            "other layer sizes, so make your functions work for any layers_dims.",
            flush=True,
        )
    passed = all(entry.status == Status.PASSED for entry in result.exercises)
    return 0 if passed else CHECK_FAILED


def run_batch(args):
    limits = limits_from(args)  # a bad limit is refused before anything is read
    if not args.folder.is_dir():
        raise UsageError(f"no such folder: {quoted(args.folder)}")
    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    with launch_sandbox(args, limits, args.workers) as sandbox:
        # While the workers start: the output paths are checked (a refused one takes the
        # workers down with the usage error) and the grading modules imported.
        require_output_paths(args)
        from . import batch
        from .batch_output import OutputError

        # Nothing is written before a sandbox is known to run.
        sandbox.wait_ready()
        try:
            done = batch.grade_batch(
                args.folder,
                sandbox,
                args.out,
                args.json_dir,
                args.gradescope_dir,
                force=args.force,
            )
        except OutputError as error:
            raise UsageError(str(error)) from None
        except batch.NoSubmissionsError as error:
            # A folder in a layout it does not understand, or empty: not a batch of none.
            raise UsageError(f"{quoted(args.folder)}: {error}") from None
        except OSError as error:
            raise UsageError(
                f"cannot read or write {quoted(error.filename or '?')}: {error.strerror}"
            ) from None
        kept = f", {done.kept} kept from an earlier run" if done.kept else ""
        print(
            f"graded {len(done.graded)} submission(s){kept}; {len(done.rows)} row(s), "
            f"{done.problems} with problems; wrote {quoted(args.out)}",
            flush=True,
        )
    if args.report is not None:
        run_class_report(args, done)
    return 0


def run_class_report(args, done):
    """Write --report's class report (matplotlib is imported here only)."""
    from .class_report import write_class_report

    try:
        index = write_class_report(args.report, done, args.folder, args.json_dir)
    except OSError as error:
        raise UsageError(
            f"cannot write {quoted(error.filename or args.report)}: {error.strerror}"
        ) from None
    print(f"wrote the class report {quoted(index)}")


def run_gradescope_package(args):
    from .gradescope_package import PackageError, write_package

    if args.out.is_dir():
        raise UsageError(f"--out names a folder, not a zip file: {quoted(args.out)}")
    try:
        size = write_package(args.out)
    except PackageError as error:
        raise UsageError(str(error)) from None
    except OSError as error:
        raise UsageError(
            f"cannot write {quoted(error.filename or args.out)}: {error.strerror}"
        ) from None
    print(f"wrote {quoted(args.out)} ({size / KIB:.0f} KiB): upload it as the autograder")
    return 0


COMMANDS = {
    "grade": run_grade,
    "grade-batch": run_batch,
    "check": run_check,
    "gradescope-package": run_gradescope_package,
}


def main(argv=None):
    """Run one command; returns the exit status (see the module docstring)."""
    # Whatever the terminal's encoding, a character it lacks is escaped, not a crash.
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="backslashreplace")
    try:
        return run_command(argv)
    except BrokenPipeError:
        # The reader went away (`grade --json | head -1`): no traceback, and no second
        # error when Python flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return BROKEN_PIPE


def run():
    """The console script and `python -m autograder`: main(), then the process ends at once.

    What an exit must do is done by then: the report is out, the workers are killed and
    checked gone (Sandbox.close), and the exit handlers (the notebook reader's) run here.
    Only the interpreter's teardown of every module, numpy's included, is skipped: tens of
    milliseconds of a one-notebook `grade` or `check` that nothing needs.
    """
    status = main()
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        status = BROKEN_PIPE
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    os._exit(status)


def run_command(argv):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    from .sandbox import MemoryLimitError, SandboxError

    try:
        return COMMANDS[args.command](args)
    except UsageError as error:
        print(f"autograder: error: {error}", file=sys.stderr)
        return USAGE_ERROR
    except MemoryLimitError as error:
        # A --memory-limit too low for numpy itself: a setting to fix, i.e. a usage error.
        print(f"autograder: error: --memory-limit: {error}", file=sys.stderr)
        return USAGE_ERROR
    except SandboxError as error:
        print(f"autograder: the sandbox did not start: {error}", file=sys.stderr)
        return CHECK_SANDBOX_ERROR if args.command == "check" else SANDBOX_ERROR
