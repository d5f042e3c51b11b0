"""Writing grading reports: a readable table, JSON, the batch CSV, Gradescope results.

A report is the dict of `grading.finish` (the schema of `grade --json`):
{notebook, score, max_score, isolation, exercises: [{name, score, max_score,
status, feedback}], seconds, reason}.
"""

import csv
import json

import public_tests

EXERCISE_NAMES = [public_tests.FUNCTION_NAMES[scheme] for scheme in public_tests.SCHEMES]
STATUSES = ("passed", "failed", "error", "timeout", "missing")
# Statuses for which the student's code ran and was judged.
JUDGED = ("passed", "failed")
CSV_COLUMNS = ["student", "score", "max_score", *EXERCISE_NAMES, "status", "reason"]
# Fields that change from run to run; golden comparisons leave them out.
VOLATILE_FIELDS = ("seconds",)


def points(value):
    """5.0 -> '5', 2.5 -> '2.5'."""
    return f"{value:g}"


def to_json(report):
    return json.dumps(report, indent=2, ensure_ascii=False)


def table(report, title="Autograder"):
    """The readable report: a table of the exercises, then each exercise's feedback."""
    width = max(len(name) for name in EXERCISE_NAMES)
    lines = [
        f"{title}: {report['notebook']}  (isolation: {report['isolation']})",
        "",
        f"{'exercise':<{width}}  {'score':>7}  status",
        f"{'-' * width}  {'-' * 7}  {'-' * 7}",
    ]
    for entry in report["exercises"]:
        score = f"{points(entry['score'])}/{points(entry['max_score'])}"
        lines.append(f"{entry['name']:<{width}}  {score:>7}  {entry['status']}")
    total = f"{points(report['score'])}/{points(report['max_score'])}"
    lines += [f"{'total':<{width}}  {total:>7}", ""]
    for entry in report["exercises"]:
        lines.append(f"== {entry['name']} ({entry['status']})")
        lines += [f"   {line}" for line in entry["feedback"].splitlines()]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def submission_status(report):
    """('graded', '') when every exercise ran; else the first problem and why, in one line."""
    if report.get("reason"):
        return "error", report["reason"]
    problems = [entry for entry in report["exercises"] if entry["status"] not in JUDGED]
    if not problems:
        return "graded", ""
    reason = "; ".join(
        f"{entry['name']}: {entry['status']} -- {first_line(entry['feedback'])}"
        for entry in problems
    )
    return problems[0]["status"], reason


def first_line(text, limit=160):
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


def csv_row(student, report):
    status, reason = submission_status(report)
    row = {
        "student": student,
        "score": points(report["score"]),
        "max_score": points(report["max_score"]),
        "status": status,
        "reason": reason,
    }
    for entry in report["exercises"]:
        row[entry["name"]] = points(entry["score"])
    return row


def write_csv(path, graded):
    """graded -- [(student, report)]; one row each, in that order."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for student, report in graded:
            writer.writerow(csv_row(student, report))


def gradescope_results(report):
    """The report in Gradescope's results.json schema: one test per exercise."""
    tests = [
        {
            "name": entry["name"],
            "score": entry["score"],
            "max_score": entry["max_score"],
            "status": "passed" if entry["status"] == "passed" else "failed",
            "output": entry["feedback"],
            "visibility": "visible",
        }
        for entry in report["exercises"]
    ]
    status, reason = submission_status(report)
    summary = f"Score {points(report['score'])}/{points(report['max_score'])}."
    if status != "graded":
        summary += f" Not everything could be graded: {reason}"
    return {
        "score": report["score"],
        "execution_time": report.get("seconds", 0.0),
        "output": summary,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def without_volatile(report):
    """A copy of a report without the fields that change between runs (timings)."""
    return {key: value for key, value in report.items() if key not in VOLATILE_FIELDS}
