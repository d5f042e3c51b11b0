"""The demo class hub driven by headless Chromium: the hub tests' harness.

Two halves:
- the hub: `running_hub(state)` runs `deploy/hub.py` (what `./course hub` runs) on a free port
  with its state in `state`, reads the demo accounts it prints, and on exit stops it as Ctrl-C
  does, then lists what is left of the processes it started;
- the browser: `chromium()` starts Debian's Chromium through Playwright; `sign_in` opens a
  private window (its own cookies) per member and signs in; the other functions click through
  formgrader and nbgrader's Assignment List as the instructor and the students do, and
  `snapshot` saves each step as a numbered PNG under artifacts/hub/.
"""

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty, Queue

import psutil

from . import lab

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = ROOT / "deploy" / "hub.py"
ARTIFACTS = ROOT / "artifacts" / "hub"
HUB_READY_TIMEOUT = 180  # seconds; the launcher answers in 5-10 s on an idle machine
HUB_STOP_TIMEOUT = 60
SERVER_READY_TIMEOUT = 180  # a member's JupyterLab, from sign-in: 8-15 s on an idle machine
ACTION_TIMEOUT = 600  # a formgrader action: autograding runs the three trainings
ACCOUNT_LINE = re.compile(r"\s+(\S+)\s+(instructor|student)\s+password: (\S+)$")


@dataclass
class ClassHub:
    """A running demo hub: its launcher process, address, state folder and accounts."""

    process: subprocess.Popen
    port: int
    state: Path
    passwords: dict = field(default_factory=dict)
    started: list = field(default_factory=list)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def home(self, name):
        return self.state / "home" / name


def hub_is_runnable():
    """'' if the hub can run here (root, bubblewrap, Chromium, the proxy), else why not."""
    if os.geteuid() != 0:
        return "the hub makes system accounts: run as root"
    for path, how in (
        (Path("/usr/bin/bwrap"), "apt-get install bubblewrap"),
        (lab.CHROMIUM, "apt-get install chromium"),
        (ROOT / "deploy" / "node_modules" / ".bin" / "configurable-http-proxy", "./course setup"),
    ):
        if not path.exists():
            return f"{path} is missing ({how})"
    return ""


def launcher_command(port, state):
    return [sys.executable, str(LAUNCHER), "--port", str(port), "--state", str(state)]


def read_announcement(process, timeout=HUB_READY_TIMEOUT):
    """The launcher's lines up to its 'Ctrl-C stops the hub.' line: {name: password}, text."""
    passwords, lines = {}, []
    # A thread reads, so that the wait is bounded even while the launcher prints nothing.
    queue = Queue()
    threading.Thread(target=lambda: queue.put(process.stdout.readline()), daemon=True).start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = queue.get(timeout=1)
        except Empty:
            continue
        if not line:
            raise RuntimeError("the launcher exited:\n" + "".join(lines))
        lines.append(line)
        if match := ACCOUNT_LINE.match(line.rstrip("\n")):
            passwords[match[1]] = match[3]
        if "Ctrl-C stops the hub." in line:
            return passwords, "".join(lines)
        threading.Thread(target=lambda: queue.put(process.stdout.readline()), daemon=True).start()
    raise TimeoutError("the launcher did not announce the hub:\n" + "".join(lines))


def start_hub(state, port=None):
    """Run the launcher and wait for its announcement; returns a ClassHub."""
    port = port or lab.free_port()
    process = subprocess.Popen(
        launcher_command(port, state),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    hub = ClassHub(process, port, Path(state))
    try:
        hub.passwords, _ = read_announcement(process)
    except BaseException:
        stop_hub(hub)
        raise
    return hub


def descendants(hub):
    """The launcher's live descendants: JupyterHub, the proxy, sandboxes, servers, kernels."""
    try:
        return psutil.Process(hub.process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def stop_hub(hub):
    """Stop the launcher as Ctrl-C does (SIGINT); returns its remaining output."""
    hub.started += [process for process in descendants(hub) if process not in hub.started]
    if hub.process.poll() is None:
        hub.process.send_signal(signal.SIGINT)
        try:
            hub.process.wait(HUB_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(hub.process.pid, signal.SIGKILL)
            hub.process.wait()
    with hub.process.stdout:  # closed here: an open pipe would be left to the garbage collector
        return hub.process.stdout.read()


@contextlib.contextmanager
def running_hub(state, port=None):
    """A demo hub for the with block; stopped (SIGINT) when the block ends."""
    hub = start_hub(state, port)
    try:
        yield hub
    finally:
        stop_hub(hub)


def processes_left(hub):
    """What is still running, one line each, of everything the hub started; '' if nothing."""
    return lab.still_running(hub.started, grace=10)


def member_processes(names):
    """Live processes running as any of the accounts `names` (their servers and kernels)."""
    left = []
    for process in psutil.process_iter(["username"]):
        if process.info["username"] in names:
            left.append(process)
    return left


# --------------------------------------------------------------------------
# The browser.
# --------------------------------------------------------------------------


@contextlib.contextmanager
def chromium():
    """Debian's Chromium (headless) through Playwright; one private window per sign_in."""
    from playwright.sync_api import sync_playwright  # only the hub tests need it

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(lab.CHROMIUM), headless=True, args=list(lab.CHROMIUM_FLAGS)
        )
        try:
            yield browser
        finally:
            browser.close()


def sign_in(browser, hub, name, password=None):
    """A page signed in as name, in a window of its own, once their JupyterLab has loaded."""
    page = browser.new_context(viewport=lab.VIEWPORT).new_page()
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", password if password is not None else hub.passwords[name])
    page.click("#login_submit")
    page.wait_for_function(
        "() => window.jupyterapp !== undefined && window.jupyterapp.shell !== undefined",
        timeout=SERVER_READY_TIMEOUT * 1000,
        polling=250,
    )
    page.wait_for_selector(".jp-LabShell", timeout=SERVER_READY_TIMEOUT * 1000)
    lab.dismiss_dialogs(page)
    return page


class Snapshots:
    """Numbered screenshots of a walk-through: artifacts/hub/01-<step>.png, 02-..."""

    def __init__(self, folder=ARTIFACTS):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("[0-9][0-9]-*.png"):
            old.unlink()
        self.count = 0

    @staticmethod
    def single(page, step, folder=ARTIFACTS):
        """One screenshot outside a walk-through: artifacts/hub/<step>.png."""
        path = Path(folder) / f"{step}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path))
        return path

    def __call__(self, page, step):
        self.count += 1
        path = self.folder / f"{self.count:02d}-{step}.png"
        page.wait_for_timeout(300)  # let the page finish painting
        page.screenshot(path=str(path))
        return path


# --------------------------------------------------------------------------
# formgrader (the instructor).
# --------------------------------------------------------------------------


def open_formgrader(page, hub, name, view="manage_assignments"):
    """formgrader's page `view` in the instructor's server, once its table has loaded."""
    page.goto(f"{hub.url}/user/{name}/formgrader/{view}")
    page.wait_for_function(
        "() => !document.body.innerText.includes('Loading, please wait...')",
        timeout=60_000,
        polling=250,
    )


def formgrader_action(page, row_text, glyph, snapshot, step):
    """Click the glyph icon in the table row containing row_text; wait for the result window.

    Returns (succeeded, text of the result window). The window is photographed, then closed.
    """
    row = page.locator("tr", has_text=row_text).first
    row.locator(f".glyphicon-{glyph}").click()
    page.wait_for_selector(
        "#success-modal.in, #error-modal.in", timeout=ACTION_TIMEOUT * 1000, state="visible"
    )
    page.wait_for_timeout(500)  # the window fades in
    modal = page.locator("#success-modal.in, #error-modal.in").first
    succeeded = modal.get_attribute("id") == "success-modal"
    text = modal.inner_text()
    snapshot(page, step)
    modal.locator("button.btn-primary").click()
    page.wait_for_selector(".modal.in", state="detached", timeout=10_000)
    page.wait_for_function(
        "() => !document.body.innerText.includes('Please wait...')", timeout=60_000
    )
    return succeeded, text


# --------------------------------------------------------------------------
# nbgrader's Assignment List and Validate (the students).
# --------------------------------------------------------------------------


def open_assignment_list(page):
    """Nbgrader > Assignment List, in the main area."""
    page.evaluate("() => window.jupyterapp.commands.execute('nbgrader:open-assignment-list')")
    page.wait_for_selector("#nbgrader-assignment-list, .nbgrader-assignment-list", timeout=30_000)
    page.wait_for_timeout(1000)


def click_list_button(page, label, timeout=120):
    """Click the Assignment List's button labelled label; wait until the list has refreshed."""
    button = page.locator("button", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")).first
    button.wait_for(state="visible", timeout=timeout * 1000)
    button.click()
    page.wait_for_timeout(2000)


def open_notebook(page, hub, name, path):
    """Open path (relative to the member's home) in JupyterLab; wait until its kernel is idle."""
    page.goto(f"{hub.url}/user/{name}/lab/tree/{path}")
    page.wait_for_function(
        "() => window.jupyterapp !== undefined", timeout=SERVER_READY_TIMEOUT * 1000
    )
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=90_000)
    deadline = time.monotonic() + 90
    while page.evaluate(lab._KERNEL_STATE_JS) != "idle":
        lab.dismiss_dialogs(page)
        if time.monotonic() > deadline:
            raise TimeoutError(f"the kernel of {path} was not idle within 90 s")
        page.wait_for_timeout(250)
    lab.dismiss_dialogs(page)


_SET_SOURCES_JS = """(sources) => {
    const notebook = window.jupyterapp.shell.currentWidget.content;
    let changed = 0;
    for (const cell of notebook.widgets) {
        const gradeId = (cell.model.getMetadata('nbgrader') || {}).grade_id;
        if (gradeId in sources) { cell.model.sharedModel.setSource(sources[gradeId]); changed++; }
    }
    return changed;
}"""

_SOURCES_JS = """() => Object.fromEntries(
    window.jupyterapp.shell.currentWidget.content.widgets.map((cell) => [
        (cell.model.getMetadata('nbgrader') || {}).grade_id || '',
        cell.model.sharedModel.getSource(),
    ]))"""


def cell_sources(page):
    """{grade_id: source} of the open notebook's cells."""
    return page.evaluate(_SOURCES_JS)


def set_cell_sources(page, sources):
    """Replace the sources of the cells named in {grade_id: source}; returns how many."""
    return page.evaluate(_SET_SOURCES_JS, sources)


def save_notebook(page):
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_function(
        "() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=30_000
    )


def validate_notebook(page, timeout=300):
    """Click the notebook toolbar's Validate button; returns the result dialog's text.

    The button reads "Validating..." while the server runs the notebook; the result is a
    JupyterLab dialog.
    """
    page.locator(".jp-NotebookPanel-toolbar").get_by_text("Validate", exact=True).first.click()
    dialog = page.locator(".jp-Dialog").first
    dialog.wait_for(state="visible", timeout=timeout * 1000)
    page.wait_for_timeout(500)
    return dialog.inner_text()


def close_dialog(page):
    page.locator(".jp-Dialog .jp-Dialog-button").last.click()
    page.wait_for_selector(".jp-Dialog", state="detached", timeout=10_000)


# --------------------------------------------------------------------------
# Code in a member's own server.
# --------------------------------------------------------------------------


def run_in_new_notebook(page, code, timeout=120):
    """Run code in a new notebook of the member's server; returns the text it printed."""
    # Other notebooks may be open (JupyterLab restores the last layout): wait for the new one
    # to be the current widget, with its first cell.
    path = page.evaluate(
        "async () => (await window.jupyterapp.commands.execute("
        "'notebook:create-new', {kernelName: 'python3'})).context.path"
    )
    page.wait_for_function(
        "(path) => { const widget = window.jupyterapp.shell.currentWidget;"
        " return widget && widget.context && widget.context.path === path"
        " && widget.content && widget.content.widgets.length > 0; }",
        arg=path,
        timeout=60_000,
    )
    deadline = time.monotonic() + timeout
    while page.evaluate(lab._KERNEL_STATE_JS) != "idle":
        lab.dismiss_dialogs(page)
        if time.monotonic() > deadline:
            raise TimeoutError(f"the new notebook's kernel was not idle within {timeout} s")
        page.wait_for_timeout(250)
    page.evaluate(
        "(code) => window.jupyterapp.shell.currentWidget.content.widgets[0]"
        ".model.sharedModel.setSource(code)",
        code,
    )
    assert lab.run_all_cells(page, timeout) == "true", lab.read_cells(page)
    return "".join(output["text"] for output in lab.read_cells(page)[0]["outputs"])


def sign_in_is_refused(browser, hub, name, password):
    """Whether the hub's login page turns name/password away."""
    page = browser.new_context(viewport=lab.VIEWPORT).new_page()
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", password)
    page.click("#login_submit")
    page.wait_for_load_state("networkidle")
    refused = "/hub/login" in page.url and page.locator("text=Invalid username or password").count()
    page.context.close()
    return bool(refused)
