"""`./course hub`: the demo class on a JupyterHub on 127.0.0.1, until Ctrl-C.

Prepares the state folder (accounts, homes, exchange, the instructor's course folder, role
configurations, fresh demo passwords), starts JupyterHub (which starts configurable-http-proxy
and, on sign-in, each member's sandboxed server), waits until GET /hub/api answers, prints the
address and the accounts, and on Ctrl-C or SIGTERM stops the hub and every process it started.
"""

import argparse
import contextlib
import fcntl
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

from coursehub import accounts
from coursehub.passwords import new_passwords, write_password_file
from coursehub.roster import RosterError, instructor_of, read_roster
from coursehub.spawner import BWRAP, SETPRIV

DEPLOY = Path(__file__).resolve().parents[1]
COURSE_ROOT = DEPLOY.parent
PROXY = DEPLOY / "node_modules" / ".bin" / "configurable-http-proxy"
DEFAULT_PORT = 8000
DEFAULT_STATE = Path("/srv/initialization-course-hub")
# One hub at a time: the members' system accounts, and so their homes, are the machine's.
LOCK_FILE = Path("/run/lock/initialization-course-hub.lock")
READY_TIMEOUT = 120  # seconds; the hub answers in 2-5 s on an idle machine
STOP_TIMEOUT = 30


class LaunchError(RuntimeError):
    """The hub cannot be started; the message says why, in one line."""


def parse_arguments(argv):
    parser = argparse.ArgumentParser(prog="./course hub", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="the hub's port")
    parser.add_argument(
        "--state", type=Path, default=DEFAULT_STATE, help="folder for homes, exchange, database"
    )
    parser.add_argument("--roster", type=Path, default=DEPLOY / "roster.csv")
    arguments = parser.parse_args(argv)
    if not 1 <= arguments.port <= 65535:
        parser.error(f"--port {arguments.port} is not a TCP port")
    return arguments


def check_machine(port):
    """LaunchError unless this runs as root with bubblewrap, setpriv, the proxy and a free port."""
    if os.geteuid() != 0:
        raise LaunchError("run as root (sudo ./course hub): the hub makes an account per member")
    for program, package in ((BWRAP, "bubblewrap"), (SETPRIV, "util-linux")):
        if not os.access(program, os.X_OK):
            raise LaunchError(f"{program} is missing (apt-get install {package})")
    if not os.access(PROXY, os.X_OK):
        raise LaunchError(f"{PROXY} is missing (./course setup installs it with npm)")
    if not port_is_free(port):
        raise LaunchError(f"port {port} on 127.0.0.1 is in use (choose another with --port)")


def port_is_free(port):
    """Whether a server can listen on 127.0.0.1:port (the proxy does, with SO_REUSEADDR)."""
    with socket.socket() as probe:
        # Without it, the connections of a hub that just stopped (TIME_WAIT) would count as use.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def take_lock():
    """An open file holding the machine's one hub lock; LaunchError if another hub has it."""
    LOCK_FILE.parent.mkdir(parents=True, exist_ok=True)
    lock = open(LOCK_FILE, "a")  # noqa: SIM115 -- held until the process ends
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        raise LaunchError(
            f"another course hub runs on this machine (it holds {LOCK_FILE})"
        ) from None
    return lock


def prepare_class(state, roster):
    """Accounts, homes, exchange, course folder, configs and passwords; returns {name: password}."""
    members = read_roster(roster)
    layout = accounts.StateLayout(state)
    accounts.make_state_folders(layout)
    course_id = accounts.course_id_of(COURSE_ROOT)
    entries = {}
    for member in members:
        entries[member.name] = accounts.ensure_account(member.name, layout.home(member.name))
        accounts.make_home(entries[member.name])
    instructor = entries[instructor_of(members).name]
    course_folder = layout.course_folder(instructor.pw_name, course_id)
    accounts.make_course_folder(COURSE_ROOT, course_folder, instructor)
    accounts.make_exchange(layout, course_id, instructor)
    accounts.write_role_configs(layout, course_id, layout.exchange, course_folder)
    passwords = new_passwords(member.name for member in members)
    write_password_file(layout.password_file, passwords)
    return members, passwords


def hub_environment(state, roster, port):
    """The hub's environment: the choices for jupyterhub_config.py; deploy/ importable."""
    environment = dict(os.environ)
    environment.update(
        {
            "COURSE_HUB_STATE": str(Path(state).resolve()),
            "COURSE_HUB_ROSTER": str(Path(roster).resolve()),
            "COURSE_HUB_PORT": str(port),
            "COURSE_HUB_HUB_PORT": str(free_port()),
            "COURSE_HUB_PROXY_API_PORT": str(free_port()),
            "PYTHONPATH": str(DEPLOY),
            "PATH": f"{Path(sys.executable).parent}:{environment.get('PATH', '/usr/bin:/bin')}",
        }
    )
    return environment


def start_hub(state, roster, port):
    """Start JupyterHub in its own session, logging to hub/jupyterhub.log; returns the Popen."""
    layout = accounts.StateLayout(state)
    log = open(layout.hub / "jupyterhub.log", "ab")  # noqa: SIM115 -- the child keeps it
    with log:
        return subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(DEPLOY / "jupyterhub_config.py")],
            cwd=layout.hub,
            env=hub_environment(state, roster, port),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def hub_api_url(port):
    return f"http://127.0.0.1:{port}/hub/api"


def wait_until_answering(hub, port, log_path, stop_requested, timeout=READY_TIMEOUT):
    """Poll GET /hub/api until it answers 200 (True) or a stop is requested (False).

    LaunchError if the hub exits or takes longer than timeout.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stop_requested:
            return False
        if hub.poll() is not None:
            raise LaunchError(
                f"JupyterHub exited with code {hub.returncode}: {last_line(log_path)}"
            )
        try:
            with urllib.request.urlopen(hub_api_url(port), timeout=2) as response:
                if response.status == 200:
                    return True
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.25)
    raise LaunchError(f"JupyterHub did not answer within {timeout} s (see {log_path})")


def last_line(path):
    lines = Path(path).read_text(errors="replace").strip().splitlines()
    return lines[-1] if lines else "(empty log)"


def descendants(process):
    """Every live process below process (proxy, servers, sandboxes, kernels)."""
    try:
        return psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def stop_hub(hub, timeout=STOP_TIMEOUT):
    """Stop the hub (it stops the servers and the proxy), then kill anything of it still alive.

    The processes are listed before the hub is asked to stop: once it is gone, its children
    are orphans that no longer name it as their parent.
    """
    started = descendants(hub)
    if hub.poll() is None:
        hub.send_signal(signal.SIGTERM)
        try:
            hub.wait(timeout)
        except subprocess.TimeoutExpired:
            hub.kill()
            hub.wait()
    started += [process for process in descendants(hub) if process not in started]
    _, alive = psutil.wait_procs(started, timeout=5)
    for process in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    psutil.wait_procs(alive, timeout=5)


def announce(port, members, passwords, state):
    """The address and the demo accounts, for the person who started the hub."""
    print(f"The course hub is up: http://127.0.0.1:{port}/", flush=True)
    print("Demo accounts (passwords are new at each start):")
    for member in members:
        print(f"  {member.name:<12} {member.role:<10} password: {passwords[member.name]}")
    print(
        f"Homes, exchange and log under {Path(state).resolve()}. Ctrl-C stops the hub.", flush=True
    )


def run(arguments):
    """Prepare, start, announce, and serve until SIGINT or SIGTERM; returns the exit code."""
    check_machine(arguments.port)
    lock = take_lock()
    members, passwords = prepare_class(arguments.state, arguments.roster)
    stop_requested = []

    def request_stop(signum, frame):
        stop_requested.append(signum)

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    hub = start_hub(arguments.state, arguments.roster, arguments.port)
    log_path = accounts.StateLayout(arguments.state).hub / "jupyterhub.log"
    try:
        if wait_until_answering(hub, arguments.port, log_path, stop_requested):
            announce(arguments.port, members, passwords, arguments.state)
        while not stop_requested and hub.poll() is None:
            time.sleep(0.2)
        if hub.poll() is not None and not stop_requested:
            raise LaunchError(
                f"JupyterHub exited with code {hub.returncode}: {last_line(log_path)}"
            )
    finally:
        stop_hub(hub)
        lock.close()
    print("The course hub stopped.", flush=True)
    return 0


def main(argv=None):
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    try:
        return run(arguments)
    except (LaunchError, RosterError, accounts.AccountError) as error:
        print(f"[course] error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
