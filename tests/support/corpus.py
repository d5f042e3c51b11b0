"""The corpus of submissions under tests/files/submissions, its expected verdicts and goldens."""

import json
from pathlib import Path

FILES = Path(__file__).resolve().parents[1] / "files"
SUBMISSIONS = FILES / "submissions"
GOLDEN = FILES / "golden"
# Report fields that differ from run to run (timing, the limits of the machine): golden reports
# are compared without them.
VOLATILE_FIELDS = ("seconds", "limits")


def corpus_expectations():
    """{file name: expected verdicts} from tests/files/submissions/expected.json."""
    return json.loads((SUBMISSIONS / "expected.json").read_text(encoding="utf-8"))


def unreadable_names():
    return sorted(name for name, entry in corpus_expectations().items() if entry.get("unreadable"))


def without_volatile(data):
    """A report's data without the fields that differ from run to run."""
    return {key: value for key, value in data.items() if key not in VOLATILE_FIELDS}
