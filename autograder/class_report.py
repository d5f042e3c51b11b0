"""A class report: one HTML page and its figures for a graded batch (`grade-batch --report DIR`).

DIR/index.html opens from disk -- no server, no script, nothing fetched: its figures are
PNG files beside it, named by relative paths. It shows the score distribution, the pass
rate per exercise and per case, the misconceptions found across the class (with counts and
the students who hold them), the submissions with a timeout, an error or an integrity flag,
and the slowest submissions.

Every text of a submission -- a student's label, the file name, feedback, a reason -- is
hostile: it is shown escaped (safe_text) and then HTML-escaped, and none of it is drawn in
a figure (matplotlib would parse `$...$` in it as mathematics). The page also forbids
scripts and remote content in its Content-Security-Policy, should anything slip through.

A resumed batch grades only the submissions without a row: the others come from the
per-student JSON reports of --json-dir when they are there (then only their per-case
verdicts are missing), or from their CSV row alone. The page says how many of each.

matplotlib is imported here, and only when a report is written: the grading path never
imports this module.
"""

import html
import json
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from . import assignment, batch, misconceptions, report
from .batch_output import write_atomically
from .data import Status
from .safe_text import shown

INDEX = "index.html"
FIGURES = {
    "scores": "score_distribution.png",
    "exercises": "pass_rate_by_exercise.png",
    "cases": "pass_rate_by_case.png",
    "misconceptions": "misconceptions.png",
}
SLOWEST = 10  # submissions listed as the slowest
# A JSON report of grade-batch is a few kB; anything far larger was not written by it.
MAX_JSON_BYTES = 1 << 20
# How misconceptions.explain starts a feedback line: the name is read back from a JSON
# report. At the start of a line only: a student's own text sits after "- " or inside one.
NAMED_MISTAKE = re.compile(r"^Likely mistake \[([a-z0-9_]+)\]: ", re.MULTILINE)
# Where a submission's details came from.
GRADED, FROM_JSON, FROM_CSV = "graded now", "JSON report", "CSV row only"


@dataclass(frozen=True)
class ExerciseLine:
    """One exercise of one submission, as the report needs it.

    cases          -- ((case name, passed), ...), or None when not known (resumed rows)
    misconceptions -- names of the recognised misconceptions
    """

    name: str
    score: float
    max_score: float
    passed: bool
    status: str
    first_line: str
    cases: tuple | None
    misconceptions: tuple


@dataclass(frozen=True)
class Entry:
    """One submission of the class. Texts are shown (safe_text), not yet HTML-escaped.

    seconds -- the sandbox time of its jobs, None when only its CSV row is known
    source  -- GRADED, FROM_JSON or FROM_CSV
    """

    student: str
    submission: str
    score: float
    max_score: float
    status: str
    reason: str
    flags: tuple
    exercises: tuple
    seconds: float | None
    source: str


# ---- reading the batch -------------------------------------------------------


def number(text, default=0.0):
    try:
        return float(text)
    except (TypeError, ValueError):
        return default


def exercise_maxima():
    """{function: points} of the assignment, hidden cases included."""
    return {spec.function: float(len(spec.cases(True))) for spec in assignment.EXERCISES}


def lines_of_report(data):
    """ExerciseLines of a report's shown data (report.shown_data, or a JSON report)."""
    lines = []
    for entry in data["exercises"]:
        feedback = str(entry.get("feedback", ""))
        named = [name for name in NAMED_MISTAKE.findall(feedback) if name in misconceptions.BY_NAME]
        lines.append(
            ExerciseLine(
                name=str(entry["name"]),
                score=number(entry.get("score")),
                max_score=number(entry.get("max_score")),
                passed=entry.get("status") == Status.PASSED,
                status=str(entry.get("status", "")),
                first_line=report.first_line(feedback)
                if entry.get("status") != Status.PASSED
                else "",
                cases=None,
                misconceptions=tuple(dict.fromkeys(named)),
            )
        )
    return tuple(lines)


def lines_of_graded(result):
    """ExerciseLines of a data.Report graded in this run, per-case verdicts included."""
    data = report.shown_data(result)
    lines = lines_of_report(data)
    return tuple(
        replace(
            line,
            cases=tuple((shown(name), bool(passed)) for name, passed in exercise.cases),
            misconceptions=tuple(exercise.misconceptions),
        )
        for line, exercise in zip(lines, result.exercises, strict=True)
    )


def lines_of_row(row):
    """ExerciseLines from a CSV row alone: each exercise's score, passed at full marks."""
    return tuple(
        ExerciseLine(
            name=name,
            score=number(row.get(name)),
            max_score=maximum,
            passed=number(row.get(name)) == maximum,
            status="",
            first_line="",
            cases=None,
            misconceptions=(),
        )
        for name, maximum in exercise_maxima().items()
    )


def json_report(path):
    """The plain data of a JSON report grade-batch wrote, or None (absent, or not one)."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_JSON_BYTES + 1)
        data = json.loads(raw.decode("utf-8")) if len(raw) <= MAX_JSON_BYTES else None
        entries = data["exercises"]
        if all(isinstance(entry, dict) and "name" in entry for entry in entries):
            return data
    except (OSError, ValueError, TypeError, KeyError):
        pass
    return None


def json_names(folder):
    """{CSV student cell: JSON report file name} of every submission under folder."""
    labels = [label for label, _ in batch.discover(folder)]
    names = batch.report_file_names(labels)
    return {report.spreadsheet_cell(shown(label)): names[label] for label in labels}


def class_entries(result, folder=None, json_dir=None):
    """[Entry] of every row of a batch.BatchResult, in its order (see the module docstring)."""
    graded = {report.spreadsheet_cell(shown(student)): done for student, done in result.graded}
    names = json_names(folder) if json_dir is not None and result.kept else {}
    entries = []
    for row in result.rows:
        done = graded.get(row["student_id"])
        data = None
        if done is None and row["student_id"] in names:
            data = json_report(Path(json_dir) / f"{names[row['student_id']]}.json")
        if done is not None:
            lines, seconds, source = lines_of_graded(done), done.job_seconds, GRADED
        elif data is not None:
            lines, seconds, source = lines_of_report(data), number(data.get("seconds")), FROM_JSON
        else:
            lines, seconds, source = lines_of_row(row), None, FROM_CSV
        entries.append(
            Entry(
                student=row["student_id"],
                submission=row["submission"],
                score=number(row["score"]),
                max_score=number(row["max_score"]),
                status=row["status"],
                reason=row["reason"],
                flags=tuple(flag for flag in row["flags"].split(";") if flag),
                exercises=lines,
                seconds=seconds,
                source=source,
            )
        )
    return entries


# ---- what the class did --------------------------------------------------------


def exercise_pass_rates(entries):
    """{function: (passed, submissions)} in the assignment's order."""
    rates = {name: [0, 0] for name in exercise_maxima()}
    for entry in entries:
        for line in entry.exercises:
            if line.name in rates:
                rates[line.name][0] += line.passed
                rates[line.name][1] += 1
    return {name: tuple(counts) for name, counts in rates.items()}


def case_pass_rates(entries):
    """{(function, case name): (passed, judged)} over the submissions whose cases are known
    and whose function ran, in the assignment's order of cases."""
    rates = {
        (spec.function, case.name): [0, 0]
        for spec in assignment.EXERCISES
        for case in spec.cases(True)
    }
    for entry in entries:
        for line in entry.exercises:
            for case, passed in line.cases or ():
                if (line.name, case) in rates:
                    rates[line.name, case][0] += passed
                    rates[line.name, case][1] += 1
    return {key: tuple(counts) for key, counts in rates.items()}


def class_misconceptions(entries):
    """{misconception name: {student: [functions]}}, the most widely held first."""
    held = {}
    for entry in entries:
        for line in entry.exercises:
            for name in line.misconceptions:
                held.setdefault(name, {}).setdefault(entry.student, []).append(line.name)
    return dict(sorted(held.items(), key=lambda item: (-len(item[1]), item[0])))


def problems(entries):
    """The entries with a timeout, an error, a missing function or an integrity flag."""
    return [entry for entry in entries if entry.status != "graded" or entry.flags]


def slowest(entries, count=SLOWEST):
    timed = [entry for entry in entries if entry.seconds is not None]
    return sorted(timed, key=lambda entry: -entry.seconds)[:count]


# ---- figures ------------------------------------------------------------------


def pyplot():
    """matplotlib's pyplot on the Agg backend (files only: no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def draw_scores(plt, entries):
    fig, ax = plt.subplots(figsize=(7, 3.6))
    top = max((entry.max_score for entry in entries), default=1.0) or 1.0
    counts = Counter(round(entry.score) for entry in entries)
    scores = range(int(top) + 1)
    ax.bar(scores, [counts.get(score, 0) for score in scores], color="#4c72b0")
    ax.set_xlabel(f"score (out of {top:g})")
    ax.set_ylabel("submissions")
    ax.set_title(f"Score distribution ({len(entries)} submissions)")
    ax.yaxis.get_major_locator().set_params(integer=True)
    return fig


def draw_rates(plt, labels, rates, title, height):
    """A horizontal bar per label: the fraction passed, with 'passed/of' beside it."""
    fig, ax = plt.subplots(figsize=(8, height))
    fractions = [passed / judged if judged else 0.0 for passed, judged in rates]
    positions = range(len(labels))
    ax.barh(positions, fractions, color="#55a868")
    for position, (passed, judged) in zip(positions, rates, strict=True):
        ax.text(1.01, position, f"{passed}/{judged}", va="center", fontsize=8)
    ax.set_yticks(list(positions), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("pass rate")
    ax.set_title(title)
    return fig


def draw_misconceptions(plt, held):
    fig, ax = plt.subplots(figsize=(8, 0.9 + 0.35 * len(held)))
    positions = range(len(held))
    ax.barh(positions, [len(students) for students in held.values()], color="#c44e52")
    ax.set_yticks(list(positions), list(held), fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("students")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_title("Misconceptions recognised across the class")
    return fig


def write_figures(folder, entries):
    """Draw the figures into folder; returns {key of FIGURES: file name} of those drawn."""
    plt = pyplot()
    exercise_rates = exercise_pass_rates(entries)
    case_rates = case_pass_rates(entries)
    held = class_misconceptions(entries)
    figures = {
        "scores": draw_scores(plt, entries),
        "exercises": draw_rates(
            plt,
            list(exercise_rates),
            list(exercise_rates.values()),
            "Pass rate per exercise (all cases passed)",
            2.2,
        ),
        "cases": draw_rates(
            plt,
            [
                f"{function.removeprefix('initialize_parameters_')}: {case}"
                for function, case in case_rates
            ],
            list(case_rates.values()),
            "Pass rate per case (submissions whose function ran)",
            1.0 + 0.28 * len(case_rates),
        ),
    }
    if held:
        figures["misconceptions"] = draw_misconceptions(plt, held)
    for key, fig in figures.items():
        fig.tight_layout()
        fig.savefig(Path(folder) / FIGURES[key], dpi=100)
        plt.close(fig)
    return {key: FIGURES[key] for key in figures}


# ---- the page -------------------------------------------------------------------

STYLE = """
body { font-family: sans-serif; margin: 2em; max-width: 70em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.number { text-align: right; }
img { max-width: 100%; display: block; margin: 0.5em 0 1.5em; }
"""
# No script, no remote anything: the page is data, even if a text escaped our escaping.
POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


def escaped(text):
    """Text of a submission (already shown) for HTML: markup characters and quotes escaped."""
    return html.escape(str(text), quote=True)


def table(headers, rows, numeric=()):
    """An HTML table; every cell escaped. numeric -- indexes of right-aligned columns."""
    head = "".join(f"<th>{escaped(header)}</th>" for header in headers)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="number">{escaped(cell)}</td>'
            if index in numeric
            else f"<td>{escaped(cell)}</td>"
            for index, cell in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table>\n<tr>{head}</tr>\n" + "\n".join(body) + "\n</table>"


def figure(figures, key, alt):
    if key not in figures:
        return ""
    return f'<img src="{escaped(figures[key])}" alt="{escaped(alt)}">'


def coverage(entries):
    """One sentence: where the details of the submissions came from."""
    sources = Counter(entry.source for entry in entries)
    parts = [
        f"{sources[source]} {source}" for source in (GRADED, FROM_JSON, FROM_CSV) if sources[source]
    ]
    text = f"{len(entries)} submission(s): " + ", ".join(parts or ["none"]) + "."
    if sources[FROM_JSON] or sources[FROM_CSV]:
        text += (
            " Submissions kept from an earlier run have no per-case verdicts (the pass rate per"
            " case counts the others); those with their CSV row only have no misconceptions"
            " or times either (grade with --json-dir, or --force, for the whole class)."
        )
    return text


def page(entries, figures, title):
    """The HTML of index.html."""
    held = class_misconceptions(entries)
    scores = [entry.score for entry in entries]
    mean = sum(scores) / len(scores) if scores else 0.0
    top = max((entry.max_score for entry in entries), default=0.0)
    statuses = Counter(entry.status for entry in entries)
    rates = exercise_pass_rates(entries)
    sections = [
        f"<h1>{escaped(title)}</h1>",
        f"<p>{escaped(coverage(entries))}</p>",
        f"<p>Mean score {mean:.2f} of {top:g}; "
        + escaped(", ".join(f"{count} {status}" for status, count in sorted(statuses.items())))
        + ".</p>",
        "<h2>Score distribution</h2>",
        figure(figures, "scores", "score distribution"),
        "<h2>Pass rate per exercise</h2>",
        figure(figures, "exercises", "pass rate per exercise"),
        table(
            ["exercise", "passed", "submissions"],
            [(name, passed, judged) for name, (passed, judged) in rates.items()],
            numeric=(1, 2),
        ),
        "<h2>Pass rate per case</h2>",
        figure(figures, "cases", "pass rate per case"),
        table(
            ["function", "case", "passed", "judged"],
            [
                (function, case, passed, judged)
                for (function, case), (passed, judged) in case_pass_rates(entries).items()
            ],
            numeric=(2, 3),
        ),
        "<h2>Misconceptions</h2>",
    ]
    if held:
        sections += [
            figure(figures, "misconceptions", "misconceptions across the class"),
            table(
                ["misconception", "students", "what it is", "who"],
                [
                    (
                        name,
                        len(students),
                        misconceptions.BY_NAME[name].cause,
                        "; ".join(
                            f"{student} ({', '.join(functions)})"
                            for student, functions in students.items()
                        ),
                    )
                    for name, students in held.items()
                ],
                numeric=(1,),
            ),
        ]
    else:
        sections.append("<p>No misconception was recognised.</p>")
    troubled = problems(entries)
    sections.append("<h2>Timeouts, errors and integrity flags</h2>")
    sections.append(
        table(
            ["student", "submission", "status", "flags", "reason"],
            [
                (
                    entry.student,
                    entry.submission,
                    entry.status,
                    "; ".join(entry.flags),
                    entry.reason,
                )
                for entry in troubled
            ],
        )
        if troubled
        else "<p>None.</p>"
    )
    sections += [
        "<h2>Slowest submissions</h2>",
        table(
            ["student", "seconds in the sandbox", "score"],
            [
                (entry.student, f"{entry.seconds:.2f}", f"{entry.score:g}")
                for entry in slowest(entries)
            ],
            numeric=(1, 2),
        ),
        "<h2>Every submission</h2>",
        table(
            ["student", "score", *rates, "status", "first problem"],
            [
                (
                    entry.student,
                    f"{entry.score:g}/{entry.max_score:g}",
                    *(exercise_score(entry, name) for name in rates),
                    entry.status,
                    entry.reason or first_problem(entry),
                )
                for entry in entries
            ],
            numeric=(1, 2, 3, 4),
        ),
    ]
    body = "\n".join(section for section in sections if section)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">\n'
        f"<title>{escaped(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"{body}\n</body>\n</html>\n"
    )


def exercise_score(entry, name):
    """'score/max' of the entry's exercise called name ('' if its report has none)."""
    line = next((line for line in entry.exercises if line.name == name), None)
    return "" if line is None else f"{line.score:g}/{line.max_score:g}"


def first_problem(entry):
    """The first line of feedback of its first exercise that did not pass ('' if none)."""
    return next(
        (f"{line.name}: {line.first_line}" for line in entry.exercises if line.first_line), ""
    )


def write_class_report(folder, result, graded_folder=None, json_dir=None, title="Class report"):
    """Write folder/index.html and its figures for a batch.BatchResult; returns index.html's path.

    graded_folder -- the folder grade-batch graded; with json_dir, the JSON reports of
                     submissions kept from an earlier run are found by their label
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    entries = class_entries(result, graded_folder, json_dir)
    figures = write_figures(folder, entries)
    index = folder / INDEX
    write_atomically(index, page(entries, figures, title))
    return index
