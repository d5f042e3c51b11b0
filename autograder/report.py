"""Writing grading reports: a readable table, JSON, the batch CSV, Gradescope results.

The output edge: a data.Report becomes plain data here and nowhere else. Its JSON form
(report_data, the schema of `grade --json`) is {notebook, score, max_score, isolation,
exercises: [{name, score, max_score, status, feedback, flags}], flags, limits, seconds,
reason}; `seconds` is the report's job_seconds, the sandbox time of its jobs.

Every writer here takes the report as graded -- student text and file names in it
unescaped -- and writes it through `safe_text`: terminal escapes, bidi controls and
invalid UTF-8 in it are shown escaped, so every output is valid UTF-8 and one
submission's text cannot reach past its own cell.
"""

import json

from .assignment import FUNCTIONS, NAME
from .data import Status
from .safe_text import safe_data, shown

# One row per student, keyed for a gradebook's import as nbgrader's own export is
# (student_id, assignment, timestamp, score, max_score). `submission` is the graded
# notebook's path relative to the graded folder, escaped: the unique key of a row, by which
# an interrupted grade-batch resumes.
CSV_COLUMNS = [
    "student_id",
    "assignment",
    "timestamp",
    "score",
    "max_score",
    *FUNCTIONS,
    "status",
    "reason",
    "flags",
    "submission",
]
# A row's status when every exercise ran; otherwise it is the first problem's Status (or
# Status.ERROR when the notebook itself could not be graded).
GRADED = "graded"
# A spreadsheet reads a cell starting with one of these as a formula; "'" is in the list
# so that the quoting stays one-to-one (the submission column is a key).
FORMULA_STARTS = ("=", "+", "-", "@", "'")


def points(value):
    """5.0 -> '5', 2.5 -> '2.5'."""
    return f"{value:g}"


def exercise_data(entry):
    """An ExerciseResult as plain data, in the order of its JSON fields."""
    return {
        "name": entry.name,
        "score": entry.score,
        "max_score": entry.max_score,
        "status": entry.status.value,
        "feedback": entry.feedback,
        "flags": list(entry.flags),
    }


def report_data(report):
    """A Report as plain data (unescaped), in the order of its JSON fields."""
    return {
        "notebook": report.notebook,
        "score": report.score,
        "max_score": report.max_score,
        "isolation": report.isolation,
        "exercises": [exercise_data(entry) for entry in report.exercises],
        "flags": list(report.flags),
        "limits": dict(report.limits),
        "seconds": seconds(report),
        "reason": report.reason,
    }


def seconds(report):
    """The `seconds` of a report: its jobs' sandbox time, to the millisecond."""
    return round(report.job_seconds, 3)


def shown_data(report):
    """A Report as plain data with every student text escaped (safe_text.safe_data)."""
    return safe_data(report_data(report))


def to_json(report):
    return json.dumps(shown_data(report), indent=2, ensure_ascii=False)


def shown_feedback(entry):
    """An exercise's feedback, escaped line by line (its line breaks kept)."""
    return shown(entry.feedback, keep_newlines=True)


def table(report, title="Autograder"):
    """The readable report: a table of the exercises, then each exercise's feedback."""
    width = max(len(name) for name in FUNCTIONS)
    lines = [
        f"{title}: {shown(report.notebook)}  (isolation: {shown(report.isolation)})",
        "",
        f"{'exercise':<{width}}  {'score':>7}  status",
        f"{'-' * width}  {'-' * 7}  {'-' * 7}",
    ]
    for entry in report.exercises:
        score = f"{points(entry.score)}/{points(entry.max_score)}"
        lines.append(f"{shown(entry.name):<{width}}  {score:>7}  {entry.status}")
    total = f"{points(report.score)}/{points(report.max_score)}"
    lines += [f"{'total':<{width}}  {total:>7}", ""]
    if report.limits:
        lines.append("Limits enforced on the student's code:")
        lines += [f"   {shown(name)}: {shown(text)}" for name, text in report.limits.items()]
        lines.append("")
    for entry in report.exercises:
        lines.append(f"== {shown(entry.name)} ({entry.status})")
        lines += [f"   {line}" for line in shown_feedback(entry).splitlines()]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def submission_status(report):
    """(GRADED, '') when every exercise ran; else the first problem's Status and why, in one
    line, its text escaped."""
    if report.reason:
        return Status.ERROR.value, shown(report.reason)
    problems = [entry for entry in report.exercises if not entry.status.judged]
    if not problems:
        return GRADED, ""
    reason = "; ".join(
        f"{shown(entry.name)}: {entry.status} -- {first_line(shown_feedback(entry))}"
        for entry in problems
    )
    return problems[0].status.value, reason


def first_line(text, limit=160):
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


def spreadsheet_cell(text):
    """text as a CSV cell that a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_row(student, submission, report, assignment=NAME, timestamp="", notes=()):
    """{column: text} of CSV_COLUMNS; every cell one line of valid UTF-8 (see safe_text).

    student    -- the row's student_id (from a file or folder name: any text)
    submission -- the notebook's path relative to the graded folder: the row's key
    assignment -- the assignment's name (nbgrader's assignment folder, when there is one)
    timestamp  -- when it was submitted (ISO 8601), '' when unknown
    notes      -- lines about the student's folder (notebooks not graded, ...), added to
                  the reason after the grading's own
    """
    status, reason = submission_status(report)
    row = {
        "student_id": shown(student),
        "assignment": shown(assignment),
        "timestamp": shown(timestamp),
        "submission": shown(str(submission)),
        "score": points(report.score),
        "max_score": points(report.max_score),
        "status": status,
        "reason": "; ".join(part for part in (reason, *map(shown, notes)) if part),
        "flags": ";".join(shown(flag) for flag in report.flags),
    }
    for entry in report.exercises:
        row[shown(entry.name)] = points(entry.score)
    return {column: spreadsheet_cell(row.get(column, "")) for column in CSV_COLUMNS}


def submission_key(submission):
    """The `submission` cell of a notebook's relative path, as written in the CSV."""
    return spreadsheet_cell(shown(str(submission)))


def gradescope_results(report):
    """The report in Gradescope's results.json schema: one test per exercise."""
    tests = [
        {
            "name": shown(entry.name),
            "score": entry.score,
            "max_score": entry.max_score,
            "status": "passed" if entry.status == Status.PASSED else "failed",
            "output": shown_feedback(entry),
            "visibility": "visible",
        }
        for entry in report.exercises
    ]
    status, reason = submission_status(report)
    summary = f"Score {points(report.score)}/{points(report.max_score)}."
    if status != GRADED:
        summary += f" Not everything could be graded: {reason}"
    return {
        "score": report.score,
        "execution_time": seconds(report),
        "output": summary,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
