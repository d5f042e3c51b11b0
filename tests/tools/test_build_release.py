"""Does tools/build_release.py refuse to build from out-of-date generated files?"""

import shutil

import public_tests
from tools import build_release, sync_source


def test_a_stale_mistakes_file_stops_the_build(tmp_path, monkeypatch):
    """Is a public_mistakes.json that differs from the catalogue refused before nbgrader runs,
    as a stale hidden block is?"""
    # The check runs tools/sync_source.py as a script, on the installed project.
    monkeypatch.delenv("PYTHONPATH", raising=False)
    notebook = tmp_path / "Initialization.ipynb"
    shutil.copy(sync_source.SOURCE_NOTEBOOK, notebook)
    mistakes = tmp_path / public_tests.MISTAKES_FILE
    shutil.copy(sync_source.MISTAKES, mistakes)
    assert build_release.source_in_sync(notebook, mistakes)
    mistakes.write_text(mistakes.read_text().replace("Xavier's", "Glorot's", 1))
    assert not build_release.source_in_sync(notebook, mistakes)
