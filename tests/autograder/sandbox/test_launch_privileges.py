"""Does level none, when the grader runs as root, keep student code from the grader's files
and from writing where only root may?

Without namespaces nothing can be hidden by a mount: the worker is dropped to uid/gid 65534
before any student code runs, so what root alone may read or write is out of its reach.
"""

import json
import os
import stat
import subprocess

import pytest
import support
from support.public_python import public_folder, public_python, remove, system_python

from autograder.sandbox import launch, worker_process

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="the grader must run as root"),
    pytest.mark.skipif(system_python() is None, reason="no system Python of this version"),
]

# A He initialiser that first tries to read a root-only file and to create a file in a
# root-owned folder, and says so in an error if it can; otherwise it is correct.
ATTACK = """import os
try:
    leaked = open({secret!r}).read()
except OSError:
    leaked = ""
if leaked:
    raise RuntimeError("LEAKED " + leaked)
try:
    open({forged!r}, "w").close()
except OSError:
    pass
else:
    raise RuntimeError("FORGED as uid " + str(os.getuid()))
"""


@pytest.fixture(scope="module")
def python():
    """A Python install uid 65534 can read, running this checkout's grader."""
    folder = public_folder()
    yield public_python(folder)
    remove(folder)


@pytest.fixture
def root_only():
    """(a root-only secret file, a path in a root-owned folder): a folder others can enter."""
    folder = public_folder()  # what it holds is guarded by its own modes
    secret = folder / "cases.py"
    secret.write_text("HIDDEN_LAYERS = {'he': [[5, 1]]}\n")
    secret.chmod(stat.S_IRUSR | stat.S_IWUSR)
    yield secret, folder / "forged.json"
    remove(folder)


def test_student_code_at_level_none_cannot_reach_what_only_root_may(python, root_only, tmp_path):
    """Run as root at level none, can a student's function read a root-only file or create
    one in a root-owned folder (the hidden cases, Gradescope's results folder)?"""
    secret, forged = root_only
    answers = dict(support.SOLUTIONS)
    answers["initialize_parameters_he"] = (
        ATTACK.format(secret=str(secret), forged=str(forged)) + answers["initialize_parameters_he"]
    )
    notebook = support.write_answers(tmp_path / "submission", answers)
    done = subprocess.run(
        [python, "-m", "autograder", "grade", notebook, "--json", "--isolation", "none"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["isolation"] == "none"
    assert "LEAKED" not in done.stdout and "FORGED" not in done.stdout, done.stdout
    assert not forged.exists()
    assert report["score"] == report["max_score"] > 0, report


def test_a_level_none_tmp_folder_is_emptied_with_the_sandbox_uids_rights_only():
    """Does the grader, run as root, empty a level-none worker's /tmp with uid 65534's rights
    only, so that a link a leftover process swaps in mid-way leads nowhere root alone may
    change? (A root-owned file inside stands for such a target: it must stay.)"""
    folder = public_folder()
    try:
        tmp = folder / "tmp"
        tmp.mkdir()
        left = tmp / "left-by-the-job"
        left.write_text("x")
        for path in (tmp, left):
            os.chown(path, launch.SANDBOX_UID, launch.SANDBOX_GID)
        guarded = tmp / "root-owned"
        guarded.mkdir(mode=0o755)
        (guarded / "kept").write_text("only root may remove this")
        worker_process.remove_folder(tmp)
        assert not left.exists()
        assert (guarded / "kept").read_text() == "only root may remove this"
    finally:
        remove(folder)
