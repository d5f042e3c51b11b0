"""Puts the repository root on sys.path, so that the companion modules import the course's
own init_utils.py and public_tests.py rather than copies of them.

Import it before any course module: `import course_root  # noqa: F401`.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
