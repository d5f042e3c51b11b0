"""Grading a folder of submissions: find them, grade them in one sandbox, write each out.

Layouts understood:
  * nbgrader: DIR/submitted/<student>/<assignment>/*.ipynb, or DIR being `submitted`;
  * flat: DIR/*.ipynb, the student being the file name without '.ipynb'.
Every submission found becomes one row of the CSV, a broken or hostile one too; its row
and reports are written as soon as it is graded (batch_output.py), and a rerun resumes.
"""

import hashlib
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import grading, report
from .batch_output import BatchOutputs

NBGRADER_FOLDER = "submitted"
NOTEBOOK_SUFFIX = ".ipynb"
CHECKPOINTS = ".ipynb_checkpoints"
# A report file name is the label itself only when it is made of these (lower case, so that
# a case-insensitive file system cannot merge two names).
PLAIN_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,79}")
UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._-]+")
# Hex digits of the label's hash in a report file name: 48 bits, no collision in practice.
NAME_HASH_DIGITS = 12


def entries(folder):
    """The entries of a folder, sorted by name (file names may be any bytes but '/')."""
    with os.scandir(folder) as listing:
        return sorted(listing, key=lambda entry: entry.name)


def listed(folder):
    """entries(folder), or None when the folder cannot be listed (no permission, gone)."""
    try:
        return entries(folder)
    except OSError:
        return None


def notebooks_in(folder):
    """Everything named *.ipynb in folder: files, and also links, pipes, devices, folders.

    Nothing is opened or followed here; notebook.py refuses what is not a regular file,
    with its reason, so that each is a row. A folder that cannot be listed is itself the
    submission, refused with its reason: a row, not a stopped batch.
    """
    listing = listed(folder)
    if listing is None:
        return [Path(folder)]
    return [Path(entry.path) for entry in listing if entry.name.endswith(NOTEBOOK_SUFFIX)]


def is_real_folder(entry):
    """A folder, and not a symbolic link to one (never followed: it may lead anywhere)."""
    return entry.is_dir(follow_symlinks=False)


def student_notebooks(student_dir):
    """The notebooks of one student: submitted/<student>/<assignment>/*.ipynb.

    A symbolic link where an assignment folder is expected is listed itself, as a
    submission that is refused with its reason, never followed.
    """
    listing = listed(student_dir)
    if listing is None:
        return [Path(student_dir)]  # refused with its reason, as in notebooks_in
    notebooks = []
    for assignment in listing:
        if assignment.name == CHECKPOINTS:
            continue
        if assignment.is_symlink():
            notebooks.append(Path(assignment.path))
        elif is_real_folder(assignment):
            notebooks += notebooks_in(assignment.path)
    return notebooks


def nbgrader_submissions(submitted):
    """[(student, path)] from submitted/<student>/<assignment>/*.ipynb."""
    found = []
    for student in entries(submitted):
        if student.is_symlink():
            # A linked student folder could be a classmate's or the instructor's: a row
            # that says so, never followed.
            found.append((student.name, Path(student.path)))
            continue
        if not is_real_folder(student):
            continue
        notebooks = student_notebooks(student.path)
        for path in notebooks:
            # One notebook: the row is the student; more: student/assignment/notebook.
            label = student.name
            if len(notebooks) > 1:
                inside = path.relative_to(student.path).as_posix().removesuffix(NOTEBOOK_SUFFIX)
                label = f"{student.name}/{inside}"
            found.append((label, path))
    return found


def looks_like_nbgrader(folder):
    """Does folder hold <student>/<assignment>/*.ipynb (real folders, not links)?"""
    return any(
        notebooks_in(assignment.path)
        for student in entries(folder)
        if is_real_folder(student)
        for assignment in listed(student.path) or []
        if is_real_folder(assignment)
    )


def discover(folder):
    """[(student, notebook path)] of every submission under folder, in a stable order."""
    folder = Path(folder)
    if (folder / NBGRADER_FOLDER).is_dir():
        return nbgrader_submissions(folder / NBGRADER_FOLDER)
    entries(folder)  # the batch's own folder must be readable: an OSError is the grader's
    flat = notebooks_in(folder)
    # Notebooks at the top make it a flat folder, whatever subfolders sit beside them.
    if folder.name == NBGRADER_FOLDER or (not flat and looks_like_nbgrader(folder)):
        return nbgrader_submissions(folder)
    return [(path.name.removesuffix(NOTEBOOK_SUFFIX), path) for path in flat]


def label_hash(label):
    raw = label.encode("utf-8", "surrogatepass")  # a file name's raw bytes are surrogates
    return hashlib.sha256(raw).hexdigest()[:NAME_HASH_DIGITS]


def report_file_name(label):
    """One file or folder name for a student label, the same in every run.

    'ana' -> 'ana'; anything else keeps its safe characters and gains a hash of the
    whole label: 'ana+b' -> 'ana_b~<hash>', 'Bob' -> 'Bob~<hash>', 'bob.' -> 'bob~<hash>'.
    A plain name has no '~', so it never equals a hashed one; two hashed names differ
    by their hash; so names differ whenever labels do, even ignoring case.
    """
    if PLAIN_NAME.fullmatch(label) and not label.endswith("."):
        return label
    readable = UNSAFE_RUN.sub("_", label.replace("/", "__")).strip("._-")[:80] or "student"
    return f"{readable}~{label_hash(label)}"


def report_file_names(labels):
    """{label: report file name}, unique ignoring case (see report_file_name)."""
    names, taken = {}, set()
    for label in labels:
        name = report_file_name(label)
        # Only a 48-bit hash collision lands here; a counter keeps both reports.
        number = 1
        while name.lower() in taken:
            number += 1
            name = f"{report_file_name(label)}~{number}"
        taken.add(name.lower())
        names[label] = name
    return names


class ProgressBar:
    """A tqdm bar of graded notebooks on a terminal's stderr; nothing in logs and pipes."""

    def __init__(self, enabled):
        self.enabled = enabled and sys.stderr.isatty()
        self.bar = None

    def __call__(self, total):
        """Called with the number of notebooks; returns grade_many's progress callback."""
        if not self.enabled or total == 0:
            return None
        from tqdm import tqdm

        self.bar = tqdm(total=total, unit="notebook", file=sys.stderr, desc="grading")
        return self.update

    def update(self, done):
        self.bar.update(done - self.bar.n)

    def close(self):
        if self.bar is not None:
            self.bar.close()


@dataclass(frozen=True)
class BatchResult:
    """What a grade-batch did.

    graded -- [(student, data.Report)] graded by this run, in discovery order
    kept   -- how many submissions already had their row and reports (resumed)
    rows   -- the final CSV rows ({column: text}), in discovery order
    """

    graded: list = field(default_factory=list)
    kept: int = 0
    rows: list = field(default_factory=list)

    @property
    def problems(self):
        """How many rows say something could not be graded (status other than GRADED)."""
        return sum(row["status"] != report.GRADED for row in self.rows)


def grade_batch(
    folder, sandbox, out, json_dir=None, gradescope_dir=None, show_progress=True, force=False
):
    """Grade every submission under folder, writing each row and report as it is graded.

    A submission whose row (and requested report files) an earlier run of this command
    left in `out` is not graded again unless force. Returns a BatchResult.
    """
    folder = Path(folder)
    found = discover(folder)
    names = report_file_names([student for student, _ in found])
    submissions = [
        (student, path, path.relative_to(folder), names[student]) for student, path in found
    ]
    outputs = BatchOutputs(out, json_dir, gradescope_dir)
    to_grade = outputs.start([(key, name) for _, _, key, name in submissions], force=force)
    pending = [submission for submission in submissions if submission[2] in to_grade]
    graded = [None] * len(pending)

    def record(index, result):
        student, path, key, name = pending[index]
        try:
            outputs.record(student, key, name, result)
        except OSError:
            raise  # the outputs cannot be written (a full disk): the batch stops, rows kept
        except Exception as error:  # noqa: BLE001 -- a report no writer can write: its row says so
            result = grading.internal_error_report(path, error, sandbox.isolation)
            outputs.record(student, key, name, result)
        graded[index] = (student, result)

    bar = ProgressBar(show_progress)
    try:
        grading.grade_many(
            [path for _, path, _, _ in pending],
            sandbox,
            hidden=True,
            progress=bar,
            on_report=record,
            root=folder,
        )
    except BaseException:
        outputs.close()  # every row recorded so far is already on disk
        raise
    finally:
        bar.close()
    rows = outputs.finish([key for _, _, key, _ in submissions])
    return BatchResult(graded, len(submissions) - len(pending), rows)
