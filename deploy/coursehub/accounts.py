"""What the hub's members have on this machine: an account, a home, the exchange, their config.

The hub's state folder (`./course hub --state`, root's) holds:

    home/<name>/                 each member's home: their own account's, mode 0700
    home/<instructor>/<course>/  the instructor's nbgrader course folder (source/, gradebook.db ...)
    exchange/                    nbgrader's exchange root, mode 1777 as nbgrader wants it
    exchange/<course>/           made here, owned by the instructor, so no student can take it first
    config/<role>/               the Jupyter configuration of a role's servers (read-only to them)
    hub/                         root's only: JupyterHub's database, cookie secret, passwords, log

A system account belongs to the hub when its comment is ACCOUNT_COMMENT; an account of the same
name that does not is someone else's, and the hub refuses to take it over.
"""

import json
import os
import pwd
import shutil
import subprocess
from pathlib import Path

from traitlets.config.loader import PyFileConfigLoader

ACCOUNT_COMMENT = "initialization-course hub member"
ASSIGNMENTS_OF_THE_COURSE = ("initialization",)
# Every member's JupyterLab has its news and update checks off: they would call the internet.
LAB_USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}
# Students grade nothing: no formgrader and no "Create Assignment" toolbar in their JupyterLab.
STUDENT_DISABLED_LAB_PLUGINS = (
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
)
STUDENT_DISABLED_SERVER_EXTENSIONS = ("nbgrader.server_extensions.formgrader",)


class AccountError(RuntimeError):
    """An account or folder cannot be set up; the message says which and why."""


def course_settings(course_root):
    """The course's nbgrader configuration (its nbgrader_config.py) as a traitlets Config."""
    return PyFileConfigLoader("nbgrader_config.py", path=str(course_root)).load_config()


def course_id_of(course_root):
    """The nbgrader course id that the course's nbgrader_config.py sets."""
    return course_settings(course_root).CourseDirectory.course_id


class StateLayout:
    """The paths inside the hub's state folder (see the module docstring)."""

    def __init__(self, state):
        self.state = Path(state).resolve()
        self.homes = self.state / "home"
        self.exchange = self.state / "exchange"
        self.config = self.state / "config"
        self.hub = self.state / "hub"

    def home(self, name):
        return self.homes / name

    def role_config(self, role):
        return self.config / role

    def course_folder(self, instructor, course_id):
        return self.home(instructor) / course_id

    @property
    def password_file(self):
        return self.hub / "passwords.json"


def make_state_folders(layout):
    """The state folder and its root-owned parts, with their modes."""
    for folder, mode in (
        (layout.state, 0o755),
        (layout.homes, 0o755),
        (layout.config, 0o755),
        (layout.hub, 0o700),
    ):
        folder.mkdir(parents=True, exist_ok=True)
        os.chown(folder, 0, 0)
        os.chmod(folder, mode)


def ensure_account(name, home):
    """A system account `name` with home `home`: created, or the hub's own one re-pointed.

    Returns its pwd entry. Raises AccountError for an account of that name that the hub did
    not create (another person's or service's).
    """
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        run_account_tool(
            "useradd",
            "--no-create-home",
            "--home-dir",
            str(home),
            "--shell",
            "/usr/sbin/nologin",
            "--comment",
            ACCOUNT_COMMENT,
            "--user-group",
            name,
        )
        return pwd.getpwnam(name)
    if entry.pw_gecos != ACCOUNT_COMMENT:
        raise AccountError(
            f"the account {name!r} exists and is not the hub's (its comment is not "
            f"{ACCOUNT_COMMENT!r}); rename the member in the roster"
        )
    if entry.pw_dir != str(home):
        run_account_tool("usermod", "--home", str(home), name)
    return pwd.getpwnam(name)


def run_account_tool(*command):
    """Run useradd/usermod; AccountError with its message if it fails."""
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        reason = (result.stderr or result.stdout).strip().splitlines()
        raise AccountError(f"{command[0]} failed: {reason[-1] if reason else result.returncode}")


def make_home(entry):
    """The member's home: theirs, mode 0700, with JupyterLab's internet checks turned off.

    A new home is filled here; an existing one is the member's, and root writes nothing into
    it (a link they left there would make root write or chown wherever it points): only the
    folder itself, which lies in the root-owned home/, gets its owner and mode back.
    """
    home = Path(entry.pw_dir)
    if not home.exists() and not home.is_symlink():
        home.mkdir(mode=0o700)
        settings_dir = home / ".jupyter" / "lab" / "user-settings"
        for relative, settings in LAB_USER_SETTINGS.items():
            path = settings_dir / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(settings, indent=2))
        give_tree(home, entry)
    require_real_folder(home)
    os.chown(home, entry.pw_uid, entry.pw_gid, follow_symlinks=False)
    os.chmod(home, 0o700)


def require_real_folder(path):
    """AccountError unless path is a folder itself, not a link to one."""
    if path.is_symlink() or not path.is_dir():
        raise AccountError(f"{path} should be a folder (it is a link or a file); remove it")


def give_tree(root, entry):
    """chown root and everything under it to the account (symlinks themselves, not targets)."""
    os.chown(root, entry.pw_uid, entry.pw_gid, follow_symlinks=False)
    for folder, subfolders, files in os.walk(root):
        for name in subfolders + files:
            os.chown(Path(folder) / name, entry.pw_uid, entry.pw_gid, follow_symlinks=False)


def make_exchange(layout, course_id, instructor):
    """nbgrader's exchange: a 1777 root, and the course's folders owned by the instructor.

    nbgrader itself would create exchange/<course> at the first release, as whoever releases;
    made here first, a student cannot create it before the instructor and own the course.
    The modes are those nbgrader sets (release_assignment.py, release_feedback.py).
    """
    layout.exchange.mkdir(parents=True, exist_ok=True)
    os.chown(layout.exchange, 0, 0)
    os.chmod(layout.exchange, 0o1777)
    course = layout.exchange / course_id
    for folder, mode in (
        (course, 0o755),
        (course / "outbound", 0o755),
        (course / "inbound", 0o2733),
        (course / "feedback", 0o711),
    ):
        if not folder.is_symlink():
            folder.mkdir(exist_ok=True)
        # Every member can write to the exchange root: a link there must not send root's chown
        # elsewhere.
        require_real_folder(folder)
        os.chown(folder, instructor.pw_uid, instructor.pw_gid, follow_symlinks=False)
        os.chmod(folder, mode)


def make_course_folder(course_root, folder, instructor):
    """The instructor's nbgrader course folder, copied from the checkout once (then it is theirs).

    It holds the course's nbgrader_config.py and source/<assignment>/ with the helpers copied
    (the checkout has symlinks there, which would point out of the instructor's home).
    """
    if folder.exists():
        return
    folder.mkdir()
    shutil.copy(course_root / "nbgrader_config.py", folder / "nbgrader_config.py")
    for assignment in ASSIGNMENTS_OF_THE_COURSE:
        shutil.copytree(
            course_root / "source" / assignment,
            folder / "source" / assignment,
            symlinks=False,
        )
    give_tree(folder, instructor)


def write_role_configs(layout, course_id, exchange, course_folder):
    """config/student and config/instructor: what a role's servers read (JUPYTER_CONFIG_PATH).

    Both name the course and the exchange; the instructor's also loads the course folder's own
    nbgrader_config.py (from anywhere in their home: formgrader, a terminal). Students' servers
    run without formgrader and the "Create Assignment" toolbar.
    """
    student = layout.role_config("student")
    instructor = layout.role_config("instructor")
    for folder in (student, instructor, student / "labconfig"):
        folder.mkdir(parents=True, exist_ok=True)
    common = (
        "c = get_config()  # noqa: F821 -- written by ./course hub\n"
        f"c.CourseDirectory.course_id = {course_id!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
    )
    (student / "nbgrader_config.py").write_text(common)
    (instructor / "nbgrader_config.py").write_text(
        common
        + f"load_subconfig('nbgrader_config.py', path={str(course_folder)!r})  # noqa: F821\n"
        + f"c.CourseDirectory.root = {str(course_folder)!r}\n"
    )
    (student / "jupyter_server_config.json").write_text(
        json.dumps(
            {
                "ServerApp": {
                    "jpserver_extensions": dict.fromkeys(STUDENT_DISABLED_SERVER_EXTENSIONS, False)
                }
            },
            indent=2,
        )
    )
    (student / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": dict.fromkeys(STUDENT_DISABLED_LAB_PLUGINS, True)})
    )
    for path in layout.config.rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
