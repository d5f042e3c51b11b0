"""Fuzzing the grader's outputs: hostile file names and report text against every writer.

Used by tests/autograder/test_batch_output.py (a few hundred inputs per run) and by
benchmarks/fuzz_outputs.py (as many as asked, with a count of what was tried).

One input is a batch: a set of file names (any bytes a file name may hold) and, for each,
a report whose every string is any text (controls, escapes, bidi, lone surrogates). The
check writes the files, discovers them, records every report through the batch's writer,
and asserts that every file has exactly one row and its own report files, all valid UTF-8
without an unsafe character; that the table of each report is too; and that a CSV cut at
any byte keeps every row written before the cut.
"""

import csv
import json
import os
import unicodedata

from hypothesis import strategies as st

from autograder import assignment, batch, report
from autograder.batch_output import BatchOutputs, read_rows
from autograder.data import ExerciseResult, Report, Status

from .hostile_names import HOSTILE_FILE_NAMES, HOSTILE_TEXTS

UNSAFE_CATEGORIES = {"Cc", "Cs", "Cf", "Zl", "Zp"}
JOINERS = "\u200c\u200d"

# Any code point: hypothesis leaves surrogates out of text, so they are added by hand.
ANY_CHARACTER = st.one_of(
    st.characters(codec=None, exclude_categories=()),
    st.integers(0xD800, 0xDFFF).map(chr),
    st.sampled_from("\x1b\x07\x9b\r\n\u202e\u2066\u2028\\'=+-@\"," + JOINERS),
)
ANY_TEXT = st.one_of(
    st.text(alphabet=ANY_CHARACTER, max_size=40),
    st.sampled_from(sorted(HOSTILE_TEXTS.values())),
)
# A file name: any bytes but '/' and NUL, not '.' or '..'; ".ipynb" is added.
FILE_STEM = st.one_of(
    st.binary(min_size=1, max_size=24).filter(lambda name: b"/" not in name and b"\0" not in name),
    st.sampled_from([name.removesuffix(b".ipynb") for name in HOSTILE_FILE_NAMES]),
)
FILE_NAMES = st.lists(FILE_STEM, min_size=1, max_size=8, unique=True).map(
    lambda stems: [stem + b".ipynb" for stem in stems]
)
STATUS = st.sampled_from(list(Status))


@st.composite
def reports(draw):
    """A Report with fuzzed text everywhere text may come."""
    exercises = tuple(
        ExerciseResult(
            name=name,
            score=draw(st.integers(0, 7)) * 1.0,
            max_score=7.0,
            status=draw(STATUS),
            feedback=draw(ANY_TEXT),
            flags=tuple(draw(st.lists(ANY_TEXT, max_size=2))),
        )
        for name in assignment.FUNCTIONS
    )
    return Report(
        notebook=draw(ANY_TEXT),
        score=sum(entry.score for entry in exercises),
        max_score=21.0,
        isolation=draw(st.sampled_from(["bubblewrap", "unshare", "none"])),
        exercises=exercises,
        job_seconds=0.5,
        reason=draw(st.one_of(st.just(""), ANY_TEXT)),
        limits=draw(st.dictionaries(ANY_TEXT, ANY_TEXT, max_size=2)),
    )


BATCHES = FILE_NAMES.flatmap(
    lambda names: st.tuples(
        st.just(names), st.lists(reports(), min_size=len(names), max_size=len(names))
    )
)


def unsafe_characters(text, allowed=""):
    return [
        character
        for character in text
        if character not in allowed
        and character not in JOINERS
        and unicodedata.category(character) in UNSAFE_CATEGORIES
    ]


def safe_file_text(path, allowed="\r\n"):
    """The text of a written file: valid UTF-8 (or UnicodeDecodeError), nothing unsafe."""
    text = path.read_bytes().decode("utf-8")
    assert unsafe_characters(text, allowed) == [], path
    return text


def check_batch(folder, names, graded):
    """Write, discover and record a fuzzed batch in folder; assert that nothing is lost.

    names  -- file names (bytes) of the notebooks
    graded -- one report per name
    Returns the number of rows checked.
    """
    submitted = folder / "flat"
    submitted.mkdir()
    for name in names:
        with open(os.path.join(os.fsencode(submitted), name), "wb"):
            pass
    found = batch.discover(submitted)
    assert sorted(os.fsencode(path.name) for _, path in found) == sorted(names)
    file_names = batch.report_file_names([student for student, _ in found])
    assert len({name.lower() for name in file_names.values()}) == len(found)

    out, json_dir, gradescope_dir = folder / "grades.csv", folder / "json", folder / "gs"
    outputs = BatchOutputs(out, json_dir, gradescope_dir)
    keys = [path.relative_to(submitted) for _, path in found]
    to_grade = outputs.start(
        [(key, file_names[student]) for key, (student, _) in zip(keys, found, strict=True)]
    )
    assert to_grade == set(keys)
    for key, (student, _), result in zip(keys, found, graded, strict=True):
        outputs.record(student, key, file_names[student], result)
        assert unsafe_characters(report.table(result), allowed="\n") == []
    rows = outputs.finish(keys)

    text = safe_file_text(out)
    read_back = list(csv.DictReader(text.splitlines()))
    assert [row["submission"] for row in read_back] == [report.submission_key(key) for key in keys]
    assert len(text.split("\r\n")) == len(keys) + 2  # one line per row, header, final ''
    assert read_back == rows
    for name in file_names.values():
        json.loads(safe_file_text(json_dir / f"{name}.json"))
        json.loads(safe_file_text(gradescope_dir / name / "results.json"))
    assert len(os.listdir(json_dir)) == len(os.listdir(gradescope_dir)) == len(keys)
    check_cut_anywhere(out, rows)
    return len(rows)


def check_cut_anywhere(out, rows):
    """A CSV cut at each row's end, and inside each row, keeps exactly the rows before it."""
    data = out.read_bytes()
    line_ends = [index + 2 for index in range(len(data)) if data[index : index + 2] == b"\r\n"]
    cut_copy = out.with_name("cut.csv")
    for count, end in enumerate(line_ends[1:], start=1):
        for cut in (end, end - 1, end - 2):
            cut_copy.write_bytes(data[:cut])
            kept = read_rows(cut_copy)
            whole = count if cut == end else count - 1
            assert list(kept.values()) == rows[:whole]
