"""`python -m autograder ...`: see autograder/cli.py."""

import sys
from pathlib import Path

# public_tests.py lives at the repository root, beside this package: make it importable
# when the command is run from another folder too.
ROOT = str(Path(__file__).resolve().parent.parent)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from autograder.cli import main  # noqa: E402

sys.exit(main())
