"""Do the course's tools and benchmarks run as `python -m tools.<name>` and
`python -m benchmarks.<name>` from the repository root, with no PYTHONPATH?"""

import os
import subprocess
import sys

import pytest
from support import ROOT

SCRIPTS = sorted(
    f"{folder}.{path.stem}"
    for folder in ("tools", "benchmarks")
    for path in (ROOT / folder).glob("*.py")
    if path.stem != "__init__"
)


def test_every_tool_and_benchmark_is_listed():
    """Are there tools and benchmarks to check (so that the test below cannot pass empty)?"""
    assert "tools.make_figures" in SCRIPTS and "benchmarks.bench_hub" in SCRIPTS


@pytest.mark.parametrize("module", SCRIPTS)
def test_a_tool_imports_from_the_root_with_no_pythonpath(module):
    """Does the module import as `python -m` imports it from the repository root (the root
    first on sys.path, the project installed), with no PYTHONPATH naming another folder?"""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-c", f"import importlib; importlib.import_module({module!r})"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.strip().splitlines()[-1:]
