"""Grading a folder of submissions: find them, grade them all in one sandbox run, write outputs.

Layouts understood:
  * nbgrader: DIR/submitted/<student>/<assignment>/*.ipynb, or DIR being `submitted`;
  * flat: DIR/*.ipynb, the student being the file's stem.
Every submission found becomes one row of the CSV, a broken or hostile one too.
"""

import json
import re
import sys
from pathlib import Path

from . import grading, report

NBGRADER_FOLDER = "submitted"


def notebooks_in(folder):
    return sorted(path for path in folder.glob("*.ipynb") if path.is_file() or path.is_symlink())


def nbgrader_submissions(submitted):
    """[(student, path)] from submitted/<student>/<assignment>/*.ipynb."""
    found = []
    for student_dir in sorted(path for path in submitted.iterdir() if path.is_dir()):
        notebooks = [
            path
            for assignment_dir in sorted(p for p in student_dir.iterdir() if p.is_dir())
            if assignment_dir.name != ".ipynb_checkpoints"
            for path in notebooks_in(assignment_dir)
        ]
        for path in notebooks:
            # One notebook: the row is the student; more: student/assignment/notebook.
            label = student_dir.name
            if len(notebooks) > 1:
                label = f"{student_dir.name}/{path.parent.name}/{path.stem}"
            found.append((label, path))
    return found


def looks_like_nbgrader(folder):
    """Does folder hold <student>/<assignment>/*.ipynb?"""
    return any(
        notebooks_in(assignment_dir)
        for student_dir in folder.iterdir()
        if student_dir.is_dir()
        for assignment_dir in student_dir.iterdir()
        if assignment_dir.is_dir()
    )


def discover(folder):
    """[(student, notebook path)] of every submission under folder."""
    folder = Path(folder)
    if (folder / NBGRADER_FOLDER).is_dir():
        return nbgrader_submissions(folder / NBGRADER_FOLDER)
    if folder.name == NBGRADER_FOLDER or looks_like_nbgrader(folder):
        return nbgrader_submissions(folder)
    return [(path.stem, path) for path in notebooks_in(folder)]


def safe_file_name(student):
    """A student label as one file or folder name: 'ana/init/x' -> 'ana__init__x'."""
    name = re.sub(r"[^\w.-]+", "_", student.replace("/", "__")).strip(".")
    return name or "student"


class ProgressBar:
    """A tqdm bar of sandbox jobs on a terminal's stderr; nothing in logs and pipes."""

    def __init__(self, enabled):
        self.enabled = enabled and sys.stderr.isatty()
        self.bar = None

    def __call__(self, total):
        """Called with the number of jobs; returns the sandbox's progress callback."""
        if not self.enabled or total == 0:
            return None
        from tqdm import tqdm

        self.bar = tqdm(total=total, unit="job", file=sys.stderr, desc="grading")
        return self.update

    def update(self, done):
        self.bar.update(done - self.bar.n)

    def close(self):
        if self.bar is not None:
            self.bar.close()


def write_outputs(graded, out, json_dir=None, gradescope_dir=None):
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    report.write_csv(out, graded)
    if json_dir:
        Path(json_dir).mkdir(parents=True, exist_ok=True)
        for student, result in graded:
            path = Path(json_dir) / f"{safe_file_name(student)}.json"
            path.write_text(report.to_json(result) + "\n", encoding="utf-8")
    if gradescope_dir:
        for student, result in graded:
            folder = Path(gradescope_dir) / safe_file_name(student)
            folder.mkdir(parents=True, exist_ok=True)
            results = report.gradescope_results(result)
            (folder / "results.json").write_text(json.dumps(results, indent=2) + "\n", "utf-8")


def grade_batch(folder, sandbox, out, json_dir=None, gradescope_dir=None, show_progress=True):
    """Grade every submission under folder; returns [(student, report)] in discovery order."""
    submissions = discover(folder)
    bar = ProgressBar(show_progress)
    try:
        reports = grading.grade_many(
            [path for _, path in submissions], sandbox, hidden=True, progress=bar
        )
    finally:
        bar.close()
    graded = list(zip([student for student, _ in submissions], reports, strict=True))
    write_outputs(graded, out, json_dir, gradescope_dir)
    return graded
