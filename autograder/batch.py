"""Grading a folder of submissions: find them, grade them in one sandbox, write each out.

Layouts understood (LAYOUTS, named in the error when a folder holds none of them):
  * nbgrader: DIR/submitted/<student>/<assignment>/*.ipynb, or DIR being `submitted`,
    or DIR/<student>/<assignment>/*.ipynb;
  * student folders: DIR/<student>/*.ipynb;
  * flat: DIR/*.ipynb, the student being the file name without '.ipynb'.
In the folder layouts every student is ONE row (one_notebook): a student with several
notebooks has the assignment's notebook graded and the others named in the row's reason.
Every row is written as soon as it is graded (batch_output.py), and a rerun resumes.
"""

import hashlib
import os
import re
import sys
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from . import assignment, grading, notebook, report
from .batch_output import BatchOutputs
from .safe_text import shown

NBGRADER_FOLDER = "submitted"
NOTEBOOK_SUFFIX = ".ipynb"
CHECKPOINTS = ".ipynb_checkpoints"
# What grade-batch understands, for the message of a folder where it finds nothing.
LAYOUTS = (
    "DIR/submitted/<student>/<assignment>/*.ipynb (nbgrader), "
    "DIR/<student>/<assignment>/*.ipynb, DIR/<student>/*.ipynb or DIR/*.ipynb"
)
# nbgrader's record of when a student submitted, beside the notebooks of an assignment.
TIMESTAMP_FILE = "timestamp.txt"
# nbgrader writes about 33 bytes ("2026-11-30 12:00:00.123456 UTC"); more is not a timestamp.
MAX_TIMESTAMP_BYTES = 64
TIMESTAMP = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[ T](?P<time>\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)"
    r" ?(?P<zone>Z|[+-]\d{2}(?::?\d{2})?|[A-Za-z]{1,6})?",
    re.ASCII,  # \d is 0-9 only: a time is no place for other scripts' digits
)
# A report file name is the label itself only when it is made of these (lower case, so that
# a case-insensitive file system cannot merge two names).
PLAIN_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,79}")
UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._-]+")
# Hex digits of the label's hash in a report file name: 48 bits, no collision in practice.
NAME_HASH_DIGITS = 12
# At most this many file names in one reason (the rest counted): a cell stays readable.
MAX_NAMED = 5
# Folders beside the students' that are no student's: version control, checkpoints, and
# what archivers add (.git, .ipynb_checkpoints, __MACOSX); skipped, never a row.
NOT_A_STUDENT = re.compile(r"\.|__MACOSX$")


class NoSubmissionsError(Exception):
    """The folder holds no submission in any layout grade-batch understands."""


@dataclass(frozen=True)
class Found:
    """One row of a batch: a student and the notebook graded for them.

    student    -- the row's student_id (a folder or file name: any text)
    path       -- the notebook to grade; when there is none to grade (refusal), the
                  student's folder
    timestamp  -- nbgrader's timestamp.txt beside the notebook, or None (flat folders)
    others     -- the student's other notebooks, not graded (paths inside their folder)
    refusal    -- why nothing of the student's is graded ('' when path is graded)
    """

    student: str
    path: Path
    timestamp: Path | None = None
    others: tuple = ()
    refusal: str = ""


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
    """The notebooks of one student: <student>/*.ipynb and <student>/<assignment>/*.ipynb.

    A symbolic link where an assignment folder is expected is listed itself, as a
    submission that is refused with its reason, never followed.
    """
    listing = listed(student_dir)
    if listing is None:
        return [Path(student_dir)]  # refused with its reason, as in notebooks_in
    notebooks = [Path(entry.path) for entry in listing if entry.name.endswith(NOTEBOOK_SUFFIX)]
    for inner in listing:
        if inner.name == CHECKPOINTS or inner.name.endswith(NOTEBOOK_SUFFIX):
            continue
        if inner.is_symlink():
            notebooks.append(Path(inner.path))
        elif is_real_folder(inner):
            notebooks += notebooks_in(inner.path)
    return notebooks


def is_assignment_notebook(path, student_dir):
    """Is path <student>/<assignment.NAME>/<assignment.NOTEBOOK_FILE>?"""
    return path.relative_to(student_dir).parts == (assignment.NAME, assignment.NOTEBOOK_FILE)


def one_notebook(notebooks, student_dir):
    """(the notebook to grade, or None, and the others) of one student's notebooks.

    The rule: the only notebook, whatever its name; of several, the assignment's
    (initialization/Initialization.ipynb, else the only one named Initialization.ipynb);
    of several with no such one, none -- which of them is the submission is the
    instructor's call, not a guess of the grader's.
    """
    if len(notebooks) == 1:
        return notebooks[0], ()
    named = [path for path in notebooks if path.name == assignment.NOTEBOOK_FILE]
    exact = [path for path in named if is_assignment_notebook(path, student_dir)]
    for choice in (exact, named):
        if len(choice) == 1:
            return choice[0], tuple(path for path in notebooks if path != choice[0])
    return None, tuple(notebooks)


def relative_names(paths, folder):
    return tuple(path.relative_to(folder).as_posix() for path in paths)


def named(names):
    """names joined for a reason, at most MAX_NAMED of them (a folder may hold thousands)."""
    shown_names = ", ".join(names[:MAX_NAMED])
    more = len(names) - MAX_NAMED
    return f"{shown_names} and {more} more" if more > 0 else shown_names


def is_this_assignments(path, student_dir):
    """Is path a notebook of this assignment's: <student>/*.ipynb or
    <student>/<assignment.NAME>/*.ipynb (or the student folder itself, or a link where one
    of those is expected -- refused when graded, never followed)? A notebook of another
    assignment's folder is never graded as this one."""
    parts = path.relative_to(student_dir).parts
    if len(parts) == 2:
        return parts[0] == assignment.NAME
    return not parts or parts[0] == assignment.NAME or parts[0].endswith(NOTEBOOK_SUFFIX)


def student_row(name, student_dir, other_assignments=True):
    """The Found of one student folder (a real folder, listed or not).

    other_assignments -- whether the folder may hold other assignments' folders (a course's
                         submissions), whose notebooks are never graded; False for a folder
                         that holds this assignment only (a Gradescope upload), where a
                         notebook in any subfolder is a candidate
    """
    notebooks = student_notebooks(student_dir)
    mine = [
        path
        for path in notebooks
        if not other_assignments or is_this_assignments(path, student_dir)
    ]
    elsewhere = tuple(path for path in notebooks if path not in mine)
    chosen, others = one_notebook(mine, student_dir)
    if chosen is None:
        if not notebooks:
            refusal = "no notebook in the student's folder"
        elif not mine:
            refusal = (
                f"no notebook of {assignment.NAME} in the student's folder, only of other "
                f"folders: {named(relative_names(notebooks, student_dir))}"
            )
        else:
            refusal = (
                f"{len(mine)} notebooks and none is {assignment.NAME}/"
                f"{assignment.NOTEBOOK_FILE}: "
                f"{named(relative_names(notebooks, student_dir))}"
            )
        return Found(name, Path(student_dir), refusal=refusal)
    others = relative_names(others + elsewhere, student_dir)
    if chosen.relative_to(student_dir).parts[:1] == (assignment.NAME,):  # nbgrader's layout
        return Found(name, chosen, timestamp=chosen.parent / TIMESTAMP_FILE, others=others)
    return Found(name, chosen, others=others)


def student_folders(folder):
    """[Found] of every student folder in folder: one row each, links refused unfollowed."""
    found = []
    for student in entries(folder):
        if NOT_A_STUDENT.match(student.name):
            continue
        if student.is_symlink():
            # A linked student folder could be a classmate's or the instructor's: a row
            # that says so, never followed.
            found.append(Found(student.name, Path(student.path)))
        elif is_real_folder(student):
            found.append(student_row(student.name, student.path))
    return found


def holds_student_folders(folder):
    """Does folder hold <student>/*.ipynb or <student>/<assignment>/*.ipynb (real folders)?"""
    return any(
        is_real_folder(student)
        and not NOT_A_STUDENT.match(student.name)
        and has_notebooks(student.path)
        for student in entries(folder)
    )


def has_notebooks(student_dir):
    listing = listed(student_dir) or []
    return any(entry.name.endswith(NOTEBOOK_SUFFIX) for entry in listing) or any(
        notebooks_in(inner.path) for inner in listing if is_real_folder(inner)
    )


def find_submissions(folder):
    """[Found] of every row under folder, in a stable order; NoSubmissionsError when none."""
    folder = Path(folder)
    if (folder / NBGRADER_FOLDER).is_dir():
        found = student_folders(folder / NBGRADER_FOLDER)
    else:
        entries(folder)  # the batch's own folder must be readable: an OSError is the grader's
        flat = notebooks_in(folder)
        # Notebooks at the top make it a flat folder, whatever subfolders sit beside them.
        if folder.name == NBGRADER_FOLDER or (not flat and holds_student_folders(folder)):
            found = student_folders(folder)
        else:
            found = [Found(path.name.removesuffix(NOTEBOOK_SUFFIX), path) for path in flat]
    if not found:
        raise NoSubmissionsError(f"no submissions found; grade-batch understands {LAYOUTS}")
    return found


def discover(folder):
    """[(student, notebook path)] of every row under folder (see find_submissions)."""
    return [(entry.student, entry.path) for entry in find_submissions(folder)]


def read_timestamp(path):
    """(the submission time as ISO 8601 in UTC, or '', and a problem, or '') of a
    timestamp.txt: a missing file is ('', ''); anything unexpected in it is a problem
    named in one line, never an exception. Read with notebook.py's refusals: never
    through a link, never a pipe or device, at most MAX_TIMESTAMP_BYTES."""
    try:
        descriptor = notebook.open_notebook(path)
    except notebook.NotebookError as error:
        if not os.path.lexists(path):
            return "", ""
        return "", f"{TIMESTAMP_FILE}: {error}"
    try:
        data = os.read(descriptor, MAX_TIMESTAMP_BYTES + 1)
    except OSError as error:
        return "", f"{TIMESTAMP_FILE}: cannot read it ({error.strerror})"
    finally:
        os.close(descriptor)
    if len(data) > MAX_TIMESTAMP_BYTES:
        return "", f"{TIMESTAMP_FILE}: longer than {MAX_TIMESTAMP_BYTES} bytes, not a time"
    text = data.decode("utf-8", "replace").strip()
    try:
        return parsed_timestamp(text)
    except ValueError:
        return "", f"{TIMESTAMP_FILE}: not a time nbgrader writes: {shown(text)[:80]!r}"


def parsed_timestamp(text):
    """(the time as ISO 8601 in UTC, and a problem or '') of nbgrader's timestamp text.

    nbgrader writes '%Y-%m-%d %H:%M:%S.%f %Z' in the course's time zone: '2026-11-30
    12:00:00.123456 UTC', '... CET', '... +03'; ISO 8601 with an offset and no zone (UTC, as
    nbgrader reads it) are accepted too. A zone abbreviation that is not a zone of the
    system's database (CEST: nbgrader itself cannot read it back) keeps the time as
    written, without a zone, and says so. ValueError when the text is not a time.
    """
    match = TIMESTAMP.fullmatch(text)
    if match is None:
        raise ValueError(text)
    moment = datetime.fromisoformat(f"{match['date']}T{match['time']}")
    zone = match["zone"] or "UTC"
    if zone[0] in "+-":
        hours, minutes = int(zone[1:3]), int(zone[-2:]) if len(zone) > 3 else 0
        if hours > 23 or minutes > 59:
            raise ValueError(text)
        sign = 1 if zone[0] == "+" else -1
        zone_info = timezone(sign * timedelta(hours=hours, minutes=minutes))
    elif zone in ("Z", "UTC", "GMT"):
        zone_info = UTC
    else:
        zone_info = named_zone(zone)
        if zone_info is None:
            note = f"{TIMESTAMP_FILE}: time zone {zone!r} unknown, the time is as written"
            return moment.isoformat(), note
    try:
        moment = moment.replace(tzinfo=zone_info).astimezone(UTC)
    except OverflowError:  # year 1 or 9999 moved across midnight by its offset
        raise ValueError(text) from None
    return moment.isoformat(), ""


def named_zone(abbreviation):
    """The zone of the system's database named so (CET, EST, MST ...), or None."""
    try:
        return zoneinfo.ZoneInfo(abbreviation)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


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


def row_details(entry):
    """{assignment, timestamp, notes} of an entry's CSV row (see report.csv_row)."""
    timestamp, problem = read_timestamp(entry.timestamp) if entry.timestamp else ("", "")
    notes = []
    if entry.others:
        notes.append(f"not graded, also in the student's folder: {named(entry.others)}")
    if problem:
        notes.append(problem)
    return {"assignment": assignment.NAME, "timestamp": timestamp, "notes": tuple(notes)}


def refused_report(entry, isolation):
    """The report of a student with nothing to grade: 0, with the refusal as its reason."""
    submission = grading.Submission(entry.path, grading.exercises_to_grade(), entry.refusal)
    return grading.finish(submission, {}, isolation)


def grade_batch(
    folder, sandbox, out, json_dir=None, gradescope_dir=None, show_progress=True, force=False
):
    """Grade every submission under folder, writing each row and report as it is graded.

    A submission whose row (and requested report files) an earlier run of this command
    left in `out` is not graded again unless force. Returns a BatchResult;
    NoSubmissionsError (before anything is written) when the folder holds none.
    """
    folder = Path(folder)
    found = find_submissions(folder)
    names = report_file_names([entry.student for entry in found])
    submissions = [(entry, entry.path.relative_to(folder), names[entry.student]) for entry in found]
    # Read before anything is graded: a rerun grades again a submission collected anew
    # (same path, a new nbgrader timestamp) as well as one never graded.
    details = {key: row_details(entry) for entry, key, _ in submissions}
    outputs = BatchOutputs(out, json_dir, gradescope_dir)
    to_grade = outputs.start(
        [(key, name) for _, key, name in submissions],
        force=force,
        timestamps={key: row["timestamp"] for key, row in details.items()},
    )
    pending = [submission for submission in submissions if submission[1] in to_grade]
    graded = [None] * len(pending)

    def record(index, result):
        entry, key, name = pending[index]
        details_of_row = details[key]
        try:
            outputs.record(entry.student, key, name, result, **details_of_row)
        except OSError:
            raise  # the outputs cannot be written (a full disk): the batch stops, rows kept
        except Exception as error:  # noqa: BLE001 -- a report no writer can write: its row says so
            result = grading.internal_error_report(entry.path, error, sandbox.isolation)
            outputs.record(entry.student, key, name, result, **details_of_row)
        graded[index] = (entry.student, result)

    refused = [index for index, (entry, _, _) in enumerate(pending) if entry.refusal]
    to_run = [index for index, (entry, _, _) in enumerate(pending) if not entry.refusal]
    bar = ProgressBar(show_progress)
    try:
        for index in refused:
            record(index, refused_report(pending[index][0], sandbox.isolation))
        grading.grade_many(
            [pending[index][0].path for index in to_run],
            sandbox,
            hidden=True,
            progress=bar,
            on_report=lambda position, result: record(to_run[position], result),
            root=folder,
        )
    except BaseException:
        outputs.close()  # every row recorded so far is already on disk
        raise
    finally:
        bar.close()
    rows = outputs.finish([key for _, key, _ in submissions])
    return BatchResult(graded, len(submissions) - len(pending), rows)
