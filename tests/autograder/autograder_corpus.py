"""The corpus of submissions under tests/files/submissions and its expected verdicts."""

import json
from pathlib import Path

SUBMISSIONS = Path(__file__).resolve().parent.parent / "files" / "submissions"
GOLDEN = Path(__file__).resolve().parent.parent / "files" / "golden"


def corpus_expectations():
    """{file name: expected verdicts} from tests/files/submissions/expected.json."""
    return json.loads((SUBMISSIONS / "expected.json").read_text(encoding="utf-8"))


def readable_names():
    return sorted(
        name for name, entry in corpus_expectations().items() if not entry.get("unreadable")
    )


def unreadable_names():
    return sorted(name for name, entry in corpus_expectations().items() if entry.get("unreadable"))
