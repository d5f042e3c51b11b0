"""Grading one Gradescope submission: what the package's `run_autograder` runs.

Gradescope puts the student's files in $AUTOGRADER_ROOT/submission (AUTOGRADER_ROOT is
/autograder unless set, so that a test can run it in a temporary folder) and reads the
grade from $AUTOGRADER_ROOT/results/results.json. The submission folder is one student's
folder of grade-batch (batch.student_row): its only notebook is graded, or of several the
assignment's `Initialization.ipynb`; none, several without it, a link, a pipe or a file
that is not a notebook is a results.json at 0 with its reason -- never a crash, and never
a link followed. The grade is report.gradescope_results, as `grade-batch --gradescope-dir`
writes it, plus the notebooks left aside.

    python -m autograder.gradescope_run [AUTOGRADER_ROOT]

Exit status: 0 when results.json was written; 1 when no sandbox could start (Gradescope
then reports the autograder itself as failed, and the submission can be rerun).
"""

import json
import os
import sys
from pathlib import Path

# Everything the grader runs after the student's code is imported before it: at level
# none (the usual one inside Gradescope's container) that code could rewrite a module
# file still to be imported.
from . import batch, grading, report
from .batch_output import write_atomically
from .probe import COURSE_PROBE
from .safe_text import shown
from .sandbox import Sandbox, SandboxError, launch

DEFAULT_ROOT = "/autograder"
SUBMISSION_FOLDER = "submission"
SOURCE_FOLDER = "source"  # where Gradescope unpacks the zip
RESULTS_FILE = Path("results") / "results.json"
# The row's name of the one student of a Gradescope run (nothing shows it to students).
STUDENT = "submission"


def autograder_root(argv=None, environ=os.environ):
    """The root Gradescope grades in: the argument, else $AUTOGRADER_ROOT, else /autograder."""
    argv = sys.argv[1:] if argv is None else argv
    return Path(argv[0] if argv else environ.get("AUTOGRADER_ROOT") or DEFAULT_ROOT)


def submission_entry(root):
    """The batch.Found of the submission folder: the notebook to grade, or why there is none."""
    folder = root / SUBMISSION_FOLDER
    if folder.is_symlink() or not folder.is_dir():
        reason = "no submission folder" if not os.path.lexists(folder) else "not a folder"
        return batch.Found(STUDENT, folder, refusal=f"{reason}: {SUBMISSION_FOLDER}")
    # One assignment's upload: a notebook in a subfolder (an uploaded folder) is its own.
    return batch.student_row(STUDENT, folder, other_assignments=False)


def graded_report(entry, root, sandbox):
    """The data.Report of the submission (a refused one scores 0 with its reason)."""
    if entry.refusal:
        return batch.refused_report(entry, sandbox.isolation)
    submitted = root / SUBMISSION_FOLDER
    return grading.grade_many([entry.path], sandbox, hidden=True, root=submitted)[0]


def results_of(entry, result):
    """Gradescope's results.json data of one graded submission."""
    results = report.gradescope_results(result)
    if entry.others:
        # Told to the student: the file graded is not the only one they uploaded.
        others = batch.named([shown(name) for name in entry.others])
        results["output"] += f" Graded {shown(entry.path.name)}; not graded: {others}."
    return results


def write_results(root, results):
    """results.json, written whole or not at all (a temporary file, then a rename)."""
    path = root / RESULTS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return path


def keep_from_student_code(root):
    """As root, before any student code runs: the zip's folder (the grader, its hidden cases
    and reference) enterable by root only, and the results folder writable by root only.

    At level none the workers run as uid 65534 (sandbox.launch.none_command): these modes
    are then all that stands between student code and those files. setup.sh does the same
    for the copy of the grader installed in the venv. Not root: nothing to do (the workers
    run as the grader's own user; docs/security.md says what that leaves open).
    """
    if os.geteuid() != 0:
        return
    source = root / SOURCE_FOLDER
    if source.is_dir() and not source.is_symlink():
        os.chmod(source, 0o700)
    results = root / RESULTS_FILE.parent
    results.mkdir(parents=True, exist_ok=True)
    os.chown(results, 0, 0, follow_symlinks=False)
    if not results.is_symlink():
        os.chmod(results, 0o755)


def main(argv=None):
    root = autograder_root(argv)
    keep_from_student_code(root)
    try:
        with Sandbox(COURSE_PROBE, workers=1) as sandbox:
            entry = submission_entry(root)
            result = graded_report(entry, root, sandbox)
    except SandboxError as error:
        print(f"autograder: the sandbox did not start: {error}", file=sys.stderr)
        return 1
    path = write_results(root, results_of(entry, result))
    stayed_root = result.isolation == "none" and launch.root_at_none()
    if stayed_root:
        # In the autograder output (hidden from students): this score is only provisional.
        print(f"warning: student code ran as root ({stayed_root})", file=sys.stderr)
    print(f"{result.score:g}/{result.max_score:g} (isolation: {result.isolation}); wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
