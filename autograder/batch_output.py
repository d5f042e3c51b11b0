"""Writing a grade-batch's outputs as it goes, so that a finished row is never lost.

Each submission, as soon as it is graded: its JSON and Gradescope reports are written
(temp file + rename), then its CSV row is appended, flushed and synced to disk -- so a row
in the CSV means its reports are there too. (Only the CSV is synced, about 3 ms a row on
the course's machine; a report file lost to a power cut is missing, and so regraded.)
A grader killed mid-batch leaves every finished row; the next run of the same command
reads them back and grades only the rest:

  * rows are keyed by the `submission` column (the notebook's path relative to the
    graded folder, escaped: unique per file);
  * a last line cut off mid-write is dropped, and that submission graded again;
  * a submission with a row but without a report file now asked for is graded again;
  * `force` ignores the old rows and regrades everything.

At the end the CSV is rewritten in discovery order (temp file + rename); rows of
students no longer found are kept, after the others (a student found again under another
notebook keeps only the new row: one row per student). Every cell is one line of valid
UTF-8 (report.csv_row), so one physical line is one row.
"""

import csv
import io
import json
import os
from pathlib import Path

from . import report
from .grading import GRADER_FAILURES
from .safe_text import shown


class OutputError(Exception):
    """The CSV given as --out was not written by grade-batch; str(error) says what to do."""


def read_rows(path):
    """{submission cell: row} of the complete rows of a CSV an earlier run wrote at path.

    OutputError when the file holds anything else: it is never overwritten unasked.
    """
    try:
        text = Path(path).read_bytes().decode("utf-8", "replace")
    except FileNotFoundError:
        return {}
    # No cell holds a line break (report.csv_row), so a line is a row; "\n" alone too,
    # should an editor have saved the file. The piece after the last line break is ''
    # -- or a row cut off mid-write: dropped.
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    complete = lines[:-1]
    if not complete and csv_text([]).startswith(text):
        return {}  # empty, or stopped while writing the header
    if not complete or parse_line(complete[0]) != report.CSV_COLUMNS:
        raise OutputError(
            f"{shown(os.fsdecode(path))} is not a CSV of grade-batch (its columns differ): "
            "use --force to regrade everything and replace it, or another --out"
        )
    rows = {}
    for line in complete[1:]:
        cells = parse_line(line)
        if len(cells) == len(report.CSV_COLUMNS):
            row = dict(zip(report.CSV_COLUMNS, cells, strict=True))
            rows[row["submission"]] = row
    return rows


def parse_line(line):
    try:
        return next(csv.reader([line]), [])
    except csv.Error:
        return []


def csv_text(rows):
    """The CSV file's text: the header, then the rows ({column: text})."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=report.CSV_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def temporary_name(path):
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def leftovers(folder, pattern):
    """Temporary files of write_atomically that a killed run left in folder."""
    return [path for path in Path(folder).glob(pattern) if path.name.endswith(".tmp")]


def write_atomically(path, text, sync=False):
    """Write text to path through a temporary file and a rename: never half a file.

    sync -- also wait until it is on the disk (survives a power cut, not only a kill).
    """
    path = Path(path)
    temporary = temporary_name(path)
    with open(temporary, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
        if sync:
            handle.flush()
            os.fsync(handle.fileno())
    os.replace(temporary, path)


class BatchOutputs:
    """The CSV and the report files of one grade-batch (see the module docstring)."""

    def __init__(self, out, json_dir=None, gradescope_dir=None):
        self.out = Path(out)
        self.json_dir = Path(json_dir) if json_dir else None
        self.gradescope_dir = Path(gradescope_dir) if gradescope_dir else None
        self.rows = {}  # submission cell -> row, in the order written
        self.handle = None
        self.writer = None

    def start(self, submissions, force=False, timestamps=None):
        """Open the outputs; returns the set of submissions still to grade.

        submissions -- [(relative path, report file name)] of every submission found
        timestamps  -- {relative path: its timestamp cell}, for the submissions that have one
        """
        self.out.parent.mkdir(parents=True, exist_ok=True)
        for folder in (self.json_dir, self.gradescope_dir):
            if folder is not None:
                folder.mkdir(parents=True, exist_ok=True)
        self.remove_leftovers()
        self.rows = {} if force else read_rows(self.out)
        # Rewritten first: a line cut off by a kill must not glue onto the next row.
        write_atomically(self.out, csv_text(self.rows.values()), sync=True)
        self.handle = open(self.out, "a", newline="", encoding="utf-8")  # noqa: SIM115
        self.writer = csv.DictWriter(self.handle, fieldnames=report.CSV_COLUMNS)
        return {
            key
            for key, name in submissions
            if not self.is_done(key, name, (timestamps or {}).get(key, ""))
        }

    def remove_leftovers(self):
        """Delete the temporary files a killed run left behind (only ours: .<name>.<pid>.tmp)."""
        found = leftovers(self.out.parent, f".{self.out.name}.*.tmp")
        if self.json_dir is not None:
            found += leftovers(self.json_dir, ".*.json.*.tmp")
        if self.gradescope_dir is not None:
            found += leftovers(self.gradescope_dir, "*/.results.json.*.tmp")
        for path in found:
            path.unlink(missing_ok=True)

    def is_done(self, key, name, timestamp=""):
        """Has the submission its row and every report file asked for, graded without a
        failure of the grader's own (which a rerun should try again), and is it the same
        submission (its nbgrader timestamp unchanged: not collected anew since)?"""
        row = self.rows.get(report.submission_key(key))
        if row is None or any(failure in row.get("reason", "") for failure in GRADER_FAILURES):
            return False
        if row.get("timestamp", "") != timestamp:
            return False
        return all(path.exists() for path in self.report_paths(name))

    def report_paths(self, name):
        paths = []
        if self.json_dir is not None:
            paths.append(self.json_dir / f"{name}.json")
        if self.gradescope_dir is not None:
            paths.append(self.gradescope_dir / name / "results.json")
        return paths

    def record(self, student, key, name, result, **details):
        """Write one graded submission's reports, then its row, to disk.

        details -- the row's assignment, timestamp and notes (report.csv_row)
        """
        if self.json_dir is not None:
            write_atomically(self.json_dir / f"{name}.json", report.to_json(result) + "\n")
        if self.gradescope_dir is not None:
            folder = self.gradescope_dir / name
            folder.mkdir(exist_ok=True)
            results = report.gradescope_results(result)
            text = json.dumps(results, indent=2, ensure_ascii=False) + "\n"
            write_atomically(folder / "results.json", text)
        row = report.csv_row(student, key, result, **details)
        self.writer.writerow(row)
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.rows[row["submission"]] = row

    def finish(self, keys):
        """Rewrite the CSV: rows in the order of keys, then the rows of students no longer
        found. A student is one row: an old row of a student who has a row of keys (their
        folder changed since, and another notebook or none is now graded) is dropped.

        Returns the rows of keys, in that order.
        """
        self.close()
        order = [report.submission_key(key) for key in keys]
        found = [self.rows[cell] for cell in order if cell in self.rows]
        listed = set(order)
        present = {row["student_id"] for row in found}
        gone = [
            row
            for cell, row in self.rows.items()
            if cell not in listed and row["student_id"] not in present
        ]
        write_atomically(self.out, csv_text(found + gone), sync=True)
        return found

    def close(self):
        if self.handle is not None:
            self.handle.close()
            self.handle = None
