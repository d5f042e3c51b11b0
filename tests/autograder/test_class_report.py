"""Does `grade-batch --report DIR` write a class report that is right, opens from disk and is safe?

The page is parsed as a browser would (html.parser): its tags, its tables and its images.
Student labels, file names, feedback and reasons are hostile text; they must come out as
text, never as markup.
"""

import csv
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from support import run_autograder as autograder
from support.corpus import SUBMISSIONS
from support.hostile_names import message_notebook

from autograder import assignment, class_report, misconceptions, report
from autograder.batch import BatchResult
from autograder.data import ExerciseResult, Report, Status

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The only elements the page is made of: no script, no link, no iframe, no form.
PAGE_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "img", "table",
             "tr", "th", "td"}  # fmt: skip
HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_FEEDBACK = '</table><script>alert("feedback")</script>'
HOSTILE_REASON = "\"'><script>alert('reason')</script>"
ZEROS, RANDOM, HE = (
    "initialize_parameters_zeros",
    "initialize_parameters_random",
    "initialize_parameters_he",
)


CASES = {spec.function: spec.cases(True) for spec in assignment.EXERCISES}


class Page(HTMLParser):
    """What a browser would build of the page: tags with attributes, tables, the text."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags, self.tables, self.text = [], [], []
        self.cell = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self.cell is not None:
            self.cell.append(data)

    def table(self, header):
        """The rows, as {header: cell}, of the first table with a column named header."""
        for rows in self.tables:
            if rows and header in rows[0]:
                return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
        raise KeyError(header)


def exercise(name, passed_cases, total, status=None, feedback="", found=()):
    """An ExerciseResult whose first passed_cases of its total cases passed."""
    names = [case.name for case in CASES[name]]
    assert len(names) == total
    cases = tuple((case, number < passed_cases) for number, case in enumerate(names))
    status = status or (Status.PASSED if passed_cases == total else Status.FAILED)
    feedback = feedback or ("All cases passed." if status == Status.PASSED else "Some failed.")
    return ExerciseResult(name, float(passed_cases), float(total), status, feedback, (),
                          cases, tuple(found))  # fmt: skip


def unreadable(name):
    """The ExerciseResult of a notebook that could not be read: no case ran."""
    total = float(len(CASES[name]))
    return ExerciseResult(name, 0.0, total, Status.ERROR, "The notebook could not be read")


def notebook_report(name, *exercises, reason="", seconds=0.1):
    return Report(
        notebook=f"{name}.ipynb",
        score=sum(entry.score for entry in exercises),
        max_score=sum(entry.max_score for entry in exercises),
        isolation="none",
        exercises=exercises,
        job_seconds=seconds,
        reason=reason,
    )


def batch_of(reports):
    """The BatchResult of grading {label: Report} in this run."""
    graded = list(reports.items())
    rows = [report.csv_row(label, f"{label}.ipynb", done) for label, done in graded]
    return BatchResult(graded=graded, kept=0, rows=rows)


def small_class():
    """Three students: one right, two with the same named mistake (one of them hostile)."""
    mistaken_he = exercise(HE, 0, 7, feedback="Likely mistake [xavier_instead_of_he]: ...",
                           found=("xavier_instead_of_he",))  # fmt: skip
    return {
        "ana": notebook_report(
            "ana", exercise(ZEROS, 5, 5), exercise(RANDOM, 6, 6), exercise(HE, 7, 7), seconds=0.2
        ),  # fmt: skip
        "bo": notebook_report(
            "bo", exercise(ZEROS, 5, 5), exercise(RANDOM, 3, 6), mistaken_he, seconds=1.5
        ),  # fmt: skip
        HOSTILE_NAME: notebook_report(
            HOSTILE_NAME,
            exercise(ZEROS, 0, 5, feedback=HOSTILE_FEEDBACK),
            exercise(RANDOM, 6, 6),
            mistaken_he,
        ),
    }


def written_page(folder, result):
    index = class_report.write_class_report(folder, result)
    return Page(index.read_text(encoding="utf-8"))


def test_hostile_names_feedback_and_reasons_are_text_not_markup(tmp_path):
    """Does a label, feedback or reason holding markup show as that text, adding no element?"""
    reports = small_class()
    reports["cleo" + HOSTILE_REASON] = notebook_report(
        "cleo", *(unreadable(name) for name in (ZEROS, RANDOM, HE)),
        reason=HOSTILE_REASON,
    )  # fmt: skip
    page = written_page(tmp_path, batch_of(reports))
    tags = {tag for tag, _ in page.tags}
    assert tags <= PAGE_TAGS, tags - PAGE_TAGS
    text = "".join(page.text)
    for hostile in (HOSTILE_NAME, HOSTILE_FEEDBACK, HOSTILE_REASON):
        assert hostile in text
    everyone = {row["student"]: row for row in page.table("first problem")}
    assert HOSTILE_FEEDBACK in everyone[HOSTILE_NAME]["first problem"]
    assert HOSTILE_REASON in everyone["cleo" + HOSTILE_REASON]["first problem"]
    troubled = {row["student"]: row for row in page.table("reason")}
    assert troubled["cleo" + HOSTILE_REASON]["reason"] == HOSTILE_REASON


def test_the_page_opens_from_disk_with_its_figures_beside_it(tmp_path):
    """Is every image a PNG file in the report's folder, named by a relative path, and
    does the page load nothing else?"""
    page = written_page(tmp_path, batch_of(small_class()))
    images = [attrs["src"] for tag, attrs in page.tags if tag == "img"]
    assert sorted(images) == sorted(class_report.FIGURES.values())
    for name in images:
        assert "/" not in name and ":" not in name
        assert (tmp_path / name).read_bytes().startswith(PNG_SIGNATURE)
    policy = next(attrs["content"] for tag, attrs in page.tags if attrs.get("http-equiv"))
    assert "default-src 'none'" in policy


def test_the_counts_of_a_small_class(tmp_path):
    """Are the pass rates per exercise and per case and the misconceptions counted right?"""
    result = batch_of(small_class())
    page = written_page(tmp_path, result)
    rates = {row["exercise"]: (row["passed"], row["submissions"]) for row in page.table("exercise")}
    assert rates == {ZEROS: ("2", "3"), RANDOM: ("2", "3"), HE: ("1", "3")}
    held = {row["misconception"]: row for row in page.table("misconception")}
    assert list(held) == ["xavier_instead_of_he"]
    assert held["xavier_instead_of_he"]["students"] == "2"
    assert "bo (initialize_parameters_he)" in held["xavier_instead_of_he"]["who"]
    cases = class_report.case_pass_rates(class_report.class_entries(result))
    random_cases = [case.name for case in CASES[RANDOM]]
    # bo passed the first three cases of random only; the others all of them.
    assert [cases[RANDOM, case] for case in random_cases] == [(3, 3)] * 3 + [(2, 3)] * 3
    assert cases[ZEROS, CASES[ZEROS][0].name] == (2, 3)
    assert cases[HE, CASES[HE][-1].name] == (1, 3)
    slowest = [row["student"] for row in page.table("seconds in the sandbox")]
    assert slowest[0] == "bo"


def test_a_mistake_named_in_feedback_is_read_back_from_its_line_start_only():
    """Does the JSON reader find every catalogue name in explain()'s line, and not a name a
    student's own message forges inside a case line?"""
    for misconception in misconceptions.CATALOGUE:
        line = f'{misconceptions.explain(misconception)} (seen in case "x")'
        assert class_report.NAMED_MISTAKE.findall(line) == [misconception.name]
    forged = "- In f([1]), raised ValueError: \nLikely mistake [no_seed] inside\n"
    assert class_report.NAMED_MISTAKE.findall(forged) == []


def test_the_grading_path_does_not_import_matplotlib(root):
    """Do the modules of grade, grade-batch and check leave matplotlib unimported (0.5 s)?"""
    code = (
        "import sys\n"
        "from autograder import cli, batch, batch_output, grading, report\n"
        "print(sorted(name for name in sys.modules if name.startswith('matplotlib')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_graded_exercises_carry_their_case_verdicts_and_named_mistakes(corpus_reports):
    """Does every judged exercise of the corpus carry one verdict per case, as many passed
    as it scored (unless hard-coded), and the misconceptions its feedback names?"""
    for name, graded in corpus_reports.items():
        for entry in graded.exercises:
            named = class_report.NAMED_MISTAKE.findall(entry.feedback)
            assert list(entry.misconceptions) == named, name
            if not entry.status.judged:
                assert entry.cases == (), name
                continue
            assert [case for case, _ in entry.cases] == [case.name for case in CASES[entry.name]]
            if not entry.flags:
                assert sum(passed for _, passed in entry.cases) == entry.score, name


@pytest.mark.slow
def test_grade_batch_report_of_a_resumed_hostile_class(root, tmp_path):
    """Does grade-batch --report cover the whole class of a resumed batch -- from the JSON
    reports of the kept rows -- with hostile names and messages escaped, a timeout, an error,
    a flag and a misconception counted across both runs?"""
    folder, json_dir, out = tmp_path / "class", tmp_path / "json", tmp_path / "grades.csv"
    folder.mkdir()
    for name in ("correct_loop", "xavier_instead_of_he"):
        (folder / f"{name}.ipynb").write_bytes((SUBMISSIONS / f"{name}.ipynb").read_bytes())
    first = autograder("grade-batch", folder, "--out", out, "--json-dir", json_dir, cwd=root)
    assert first.returncode == 0, first.stderr
    later = {
        HOSTILE_NAME: SUBMISSIONS / "xavier_instead_of_he.ipynb",
        "infinite_loop": SUBMISSIONS / "infinite_loop.ipynb",
        "hardcoded_published_answer": SUBMISSIONS / "hardcoded_published_answer.ipynb",
        "feedback": message_notebook(tmp_path / "f", HOSTILE_FEEDBACK, "call"),
        "reason": message_notebook(tmp_path / "r", HOSTILE_REASON, "definition"),
    }
    for name, path in later.items():
        (folder / f"{name}.ipynb").write_bytes(Path(path).read_bytes())
    done = autograder("grade-batch", folder, "--out", out, "--json-dir", json_dir,
                      "--report", tmp_path / "report", "--time-limit", "2", cwd=root)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "2 kept from an earlier run" in done.stdout
    page = Page((tmp_path / "report" / "index.html").read_text(encoding="utf-8"))
    assert {tag for tag, _ in page.tags} <= PAGE_TAGS
    text = "".join(page.text)
    assert "7 submission(s): 5 graded now, 2 JSON report." in text
    for hostile in (HOSTILE_NAME, HOSTILE_FEEDBACK, HOSTILE_REASON):
        assert hostile in text
    for name in class_report.FIGURES.values():
        assert (tmp_path / "report" / name).read_bytes().startswith(PNG_SIGNATURE)

    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rates = {row["exercise"]: (row["passed"], row["submissions"]) for row in page.table("exercise")}
    for name in (ZEROS, RANDOM, HE):
        passed = sum(row[name] == f"{len(CASES[name])}" for row in rows)
        assert rates[name] == (str(passed), "7")
    judged = {}
    for row in page.table("judged"):
        judged.setdefault(row["function"], set()).add(row["judged"])
    # Per-case verdicts come from the five graded now; He did not run for the timeout
    # and for the definition that raises.
    assert judged == {ZEROS: {"5"}, RANDOM: {"5"}, HE: {"3"}}
    held = {row["misconception"]: row for row in page.table("misconception")}
    assert held["xavier_instead_of_he"]["students"] == "2"  # one kept, one graded now
    assert HOSTILE_NAME in held["xavier_instead_of_he"]["who"]
    troubled = {row["student"]: row for row in page.table("flags")}
    assert troubled["infinite_loop"]["status"] == "timeout"
    assert troubled["reason"]["status"] == "error"
    assert HOSTILE_REASON in troubled["reason"]["reason"]
    assert "hardcoded:" in troubled["hardcoded_published_answer"]["flags"]
    slowest = [row["student"] for row in page.table("seconds in the sandbox")]
    assert slowest[0] == "infinite_loop"

    # Without the JSON reports, a rerun reports the class from its CSV rows, and says so.
    again = autograder("grade-batch", folder, "--out", out, "--report", tmp_path / "csv-only",
                       cwd=root)  # fmt: skip
    assert again.returncode == 0, again.stderr
    text = (tmp_path / "csv-only" / "index.html").read_text(encoding="utf-8")
    assert "7 submission(s): 7 CSV row only." in text


def test_a_report_path_that_is_a_file_is_refused_before_grading(root, tmp_path):
    """Is --report naming a file a one-line usage error, with no CSV written?"""
    taken = tmp_path / "report"
    taken.write_text("not a folder")
    out = tmp_path / "grades.csv"
    done = autograder("grade-batch", SUBMISSIONS, "--out", out, "--report", taken, cwd=root)
    assert done.returncode == 2
    assert "--report names a file" in done.stderr
    assert not out.exists()
