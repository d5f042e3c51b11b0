"""A real JupyterLab server driven by headless Chromium: the browser tests' harness.

Two halves:
- the server: `running_lab(root_dir, scratch)` starts `python -m jupyterlab` on
  127.0.0.1 with a random port and token, in a private HOME and private Jupyter
  config/data/runtime directories, waits for /api/status, and on exit shuts it
  and its kernels down through /api/shutdown (killing whatever is left);
- the browser: `chromium_page(scratch)` opens Debian's /usr/bin/chromium through
  Playwright with a fresh profile; `open_notebook`, `run_all_cells`,
  `read_cells` and `save_screenshot` then act on JupyterLab as a student would
  and read what it rendered.

Nothing here knows about the Initialization assignment; the tests do.
"""

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

CHROMIUM = Path("/usr/bin/chromium")
# The mark of a test that drives Chromium: skipped, with how to install it, where it is absent.
NEEDS_CHROMIUM = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (apt-get install chromium)"
)

# --no-sandbox: we run as root, where Chromium's sandbox refuses to start.
# The background-networking, component-update and sync switches stop Chromium
# from calling Google services: this machine's closed network refuses those
# connections and Chromium would keep retrying them.
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

SERVER_READY_TIMEOUT = 90  # seconds; JupyterLab starts in ~3 s on an idle machine
SERVER_STOP_TIMEOUT = 30
KERNEL_READY_TIMEOUT = 90
VIEWPORT = {"width": 1280, "height": 900}
MAX_SCREENSHOT_HEIGHT = 16000  # pixels; Chromium's limit for one capture is 16384

# User settings of the private JupyterLab. The notebook renders every cell
# (windowing off), so the DOM holds all outputs; news and update checks would
# pop up toasts and try to reach the internet.
LAB_USER_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


# --------------------------------------------------------------------------
# The server.
# --------------------------------------------------------------------------


@dataclass
class LabServer:
    """A running JupyterLab: its process, address, token and log."""

    process: subprocess.Popen
    port: int
    token: str
    root_dir: Path
    log_path: Path

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def page_url(self, path):
        """The browser address of a JupyterLab page, token included: 'lab/tree/x.ipynb'."""
        return f"{self.base_url}/{path}?token={self.token}"

    def api(self, path, method="GET", timeout=10):
        """Call the REST API with the token; returns the decoded JSON body (or None)."""
        request = urllib.request.Request(
            f"{self.base_url}/api/{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
            data=b"" if method == "POST" else None,
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def log_text(self):
        """The server's stdout and stderr so far, for failure messages."""
        return self.log_path.read_text(errors="replace")


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def private_environment(scratch):
    """os.environ with HOME and every Jupyter/IPython/matplotlib directory under scratch.

    The user's own settings, kernels' history and caches then neither leak in
    nor get written to.
    """
    directories = {
        "HOME": scratch / "home",
        "JUPYTER_CONFIG_DIR": scratch / "jupyter-config",
        "JUPYTER_DATA_DIR": scratch / "jupyter-data",
        "JUPYTER_RUNTIME_DIR": scratch / "jupyter-runtime",
        "IPYTHONDIR": scratch / "ipython",
        "MPLCONFIGDIR": scratch / "matplotlib",
    }
    for directory in directories.values():
        directory.mkdir(parents=True, exist_ok=True)
    environment = {key: value for key, value in os.environ.items() if not key.startswith("JUPYTER")}
    environment.update({key: str(value) for key, value in directories.items()})
    # Nothing the server starts may wait on a terminal or open a browser of its own.
    environment["BROWSER"] = "true"
    return environment


def write_lab_user_settings(config_dir):
    """Write LAB_USER_SETTINGS where JupyterLab looks for user settings."""
    settings_dir = Path(config_dir) / "lab" / "user-settings"
    for relative, settings in LAB_USER_SETTINGS.items():
        path = settings_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings, indent=2))


def server_command(port, token, root_dir):
    """The command line of a private JupyterLab server (jupyter_server 2.x options)."""
    return [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        # jupyter_server 2 moved the token from ServerApp.token to the identity provider.
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root_dir}",
        "--allow-root",
        # Puts the application at window.jupyterapp, so that tests run commands
        # through JupyterLab's own command registry.
        "--LabApp.expose_app_in_browser=True",
    ]


def start_lab(root_dir, scratch):
    """Start JupyterLab serving root_dir; returns a LabServer once /api/status answers."""
    port, token = free_port(), secrets.token_hex(24)
    return start_server(server_command(port, token, root_dir), root_dir, scratch, port, token)


def start_server(command, root_dir, scratch, port, token, cwd=None, extra_environment=None):
    """Run `command`, a JupyterLab server on 127.0.0.1:port with `token` serving root_dir, in
    the private environment under scratch (plus extra_environment); returns a LabServer once
    /api/status answers. Its output goes to scratch/jupyterlab.log."""
    scratch = Path(scratch)
    environment = private_environment(scratch) | dict(extra_environment or {})
    write_lab_user_settings(environment["JUPYTER_CONFIG_DIR"])
    log_path = scratch / "jupyterlab.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=cwd or root_dir,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own process group, so that stopping it can never signal pytest.
            start_new_session=True,
        )
    server = LabServer(process, port, token, Path(root_dir), log_path)
    try:
        wait_until_ready(server)
    except BaseException:
        stop_lab(server)
        raise
    return server


def wait_until_ready(server, timeout=SERVER_READY_TIMEOUT):
    """Poll /api/status until it answers with the token; fail on exit or timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"JupyterLab exited with code {server.process.returncode}:\n{server.log_text()}"
            )
        try:
            server.api("status", timeout=2)
            return
        except (OSError, urllib.error.URLError):
            time.sleep(0.25)
    raise TimeoutError(f"JupyterLab did not answer within {timeout} s:\n{server.log_text()}")


def server_descendants(server):
    """The live processes the server started (kernels), found before it stops."""
    try:
        return psutil.Process(server.process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def stop_lab(server, timeout=SERVER_STOP_TIMEOUT):
    """Shut the server and its kernels down; kill whatever does not go in time.

    Asks politely first (POST /api/shutdown shuts every kernel down, then the
    server), then SIGTERM, then SIGKILL. Kernels run in their own sessions, so
    they are collected before the server goes and killed one by one if left.
    """
    children = server_descendants(server)
    if server.process.poll() is None:
        with contextlib.suppress(OSError, urllib.error.URLError):
            server.api("shutdown", method="POST", timeout=timeout)
    for signal_number in (None, signal.SIGTERM, signal.SIGKILL):
        if signal_number is not None and server.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.process.pid, signal_number)
        try:
            server.process.wait(timeout=timeout)
            break
        except subprocess.TimeoutExpired:
            continue
    for process in wait_until_gone(children, timeout):
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()


@contextlib.contextmanager
def running_lab(root_dir, scratch):
    """A LabServer for the duration of a with-block; always stopped afterwards."""
    server = start_lab(root_dir, scratch)
    try:
        yield server
    finally:
        stop_lab(server)


# --------------------------------------------------------------------------
# Processes left behind.
# --------------------------------------------------------------------------


def live_descendants():
    """Processes this Python process started (directly or not) that still run.

    Zombies are left out: they hold no resources and their parent reaps them.
    """
    return [process for process in psutil.Process().children(recursive=True) if is_live(process)]


def is_live(process):
    """Whether a psutil.Process still runs (not exited, not a zombie, pid not reused)."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def live_pids():
    """The pids of live_descendants(): take it before a test to compare afterwards."""
    return {process.pid for process in live_descendants()}


def started_since(before):
    """The live descendants whose pid is not in `before` (a set from live_pids()).

    Take it while the server, its kernels and the browser run: a kernel whose
    server died is no longer a descendant, but still_running() still sees it.
    """
    return [process for process in live_descendants() if process.pid not in before]


def wait_until_gone(processes, grace):
    """Wait up to `grace` seconds for the psutil processes to end; returns those still live."""
    deadline = time.monotonic() + grace
    alive = [process for process in processes if is_live(process)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [process for process in alive if is_live(process)]
    return alive


def still_running(processes, grace=SERVER_STOP_TIMEOUT):
    """Describe, one a line, those of `processes` still live after up to `grace` seconds.

    Returns '' when every one has gone.
    """
    return describe_processes(wait_until_gone(processes, grace))


def processes_left(started, before):
    """still_running() of `started` and of any descendant started since `before`."""
    known = {process.pid for process in started}
    return still_running(started + [p for p in started_since(before) if p.pid not in known])


def describe_processes(processes):
    """'1234 chromium --type=renderer ...' lines, for assertion messages."""
    lines = []
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            lines.append(f"{process.pid} {' '.join(process.cmdline())[:160]}")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# The browser.
# --------------------------------------------------------------------------


@contextlib.contextmanager
def chromium_page(scratch, viewport=VIEWPORT):
    """A Playwright page in headless Debian Chromium with a fresh profile under scratch.

    Playwright's own browsers are never used (none can be downloaded here): the
    executable is /usr/bin/chromium. The profile directory is passed the way
    Playwright requires (launch_persistent_context), not as --user-data-dir.
    """
    from playwright.sync_api import sync_playwright  # only the browser tests need it

    profile = Path(scratch) / "chromium-profile"
    profile.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=list(CHROMIUM_FLAGS),
            viewport=viewport,
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            yield page
        finally:
            context.close()


# JavaScript run in the page. `notebookPanel` is JupyterLab's current widget
# when it is a notebook.
_KERNEL_STATE_JS = """() => {
    const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const kernel = panel && panel.sessionContext && panel.sessionContext.session
        && panel.sessionContext.session.kernel;
    return kernel ? kernel.status : null;
}"""

# Both runs start in the background and leave their outcome in
# window.__runAllResult, which the waiting side polls with a bounded timeout.
_START_RUN_ALL_JS = """() => {
    window.__runAllResult = undefined;
    window.jupyterapp.commands.execute('notebook:run-all-cells').then(
        (result) => { window.__runAllResult = String(result); },
        (error) => { window.__runAllResult = 'error: ' + error; },
    );
}"""

# Select each code cell and run it, waiting for it to finish before the next,
# as a student pressing Shift+Enter cell by cell: a cell that raises does not
# stop the ones after it (with Run All the kernel would abort them).
_START_RUN_IN_TURN_JS = """() => {
    window.__runAllResult = undefined;
    const app = window.jupyterapp;
    const notebook = app.shell.currentWidget.content;
    (async () => {
        let allSucceeded = true;
        for (let index = 0; index < notebook.widgets.length; index++) {
            if (notebook.widgets[index].model.type !== 'code') continue;
            notebook.activeCellIndex = index;
            allSucceeded = (await app.commands.execute('notebook:run-cell')) && allSucceeded;
        }
        return allSucceeded;
    })().then(
        (result) => { window.__runAllResult = String(result); },
        (error) => { window.__runAllResult = 'error: ' + error; },
    );
}"""

# The run-all command has settled, the kernel is idle and no cell is queued or
# running ("[*]:"). Cells after one that raised keep an empty prompt: the
# kernel aborts them, as it would for the student.
_RUN_FINISHED_JS = """() => {
    if (window.__runAllResult === undefined) return false;
    const panel = window.jupyterapp.shell.currentWidget;
    const session = panel.sessionContext.session;
    const status = session && session.kernel ? session.kernel.status : 'gone';
    if (status === 'dead' || status === 'gone') throw new Error('the kernel is ' + status);
    if (status !== 'idle') return false;
    return panel.content.widgets.every(
        (cell) => cell.model.type !== 'code' || !cell.promptNode.textContent.includes('*'));
}"""

# What each cell rendered, as plain data: text and images from the DOM; the
# output type (stream, error, display_data...) from the cell's model, because
# a traceback and a stderr print look alike on screen.
_READ_CELLS_JS = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    return panel.content.widgets.map((cell) => {
        const outputs = cell.model.type === 'code' ? cell.model.outputs : null;
        const nodes = Array.from(cell.node.querySelectorAll('.jp-OutputArea-output'));
        const nbgrader = cell.model.getMetadata('nbgrader') || {};
        return {
            kind: cell.model.type,
            grade_id: nbgrader.grade_id || '',
            source: cell.model.sharedModel.getSource(),
            prompt: cell.model.type === 'code' ? cell.promptNode.textContent.trim() : '',
            outputs: nodes.map((node, index) => ({
                type: outputs && index < outputs.length ? outputs.get(index).type : '',
                mime: node.getAttribute('data-mime-type') || '',
                text: node.textContent,
                images: Array.from(node.querySelectorAll('img')).filter(
                    (img) => img.complete && img.naturalWidth > 0
                        && img.src.startsWith('data:image/png')).length,
            })),
        };
    });
}"""


def open_notebook(page, server, path, timeout=KERNEL_READY_TIMEOUT):
    """Open lab/tree/<path> and wait until its kernel is idle; dismisses stray dialogs."""
    page.goto(server.page_url(f"lab/tree/{path}"), timeout=timeout * 1000)
    page.wait_for_function(
        "() => window.jupyterapp !== undefined", timeout=timeout * 1000, polling=250
    )
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    while page.evaluate(_KERNEL_STATE_JS) != "idle":
        dismiss_dialogs(page)
        if time.monotonic() > deadline:
            raise TimeoutError(f"the kernel of {path} was not idle within {timeout} s")
        page.wait_for_timeout(250)
    dismiss_dialogs(page)
    # The notebook gets the whole window, as in the screenshots students see.
    page.evaluate("() => { jupyterapp.shell.collapseLeft(); jupyterapp.shell.collapseRight(); }")


def dismiss_dialogs(page):
    """Accept any modal dialog (kernel choice, ...) and close notification toasts."""
    for dialog in page.query_selector_all(".jp-Dialog"):
        accept = dialog.query_selector(".jp-Dialog-button.jp-mod-accept")
        if accept:
            accept.click()
    for close in page.query_selector_all(".jp-toast-button, .Toastify__close-button"):
        with contextlib.suppress(Exception):  # a toast may vanish between query and click
            close.click(timeout=1000)


def run_all_cells(page, timeout):
    """Run > Run All Cells through JupyterLab's command; wait until the kernel is done.

    Returns the command's result: 'true' when no cell raised.
    """
    return _run_and_wait(page, _START_RUN_ALL_JS, timeout)


def run_cells_in_turn(page, timeout):
    """Run every code cell on its own, in order, each after the previous finished.

    Returns 'true' when no cell raised. Unlike run_all_cells, cells after a
    failing one still run.
    """
    return _run_and_wait(page, _START_RUN_IN_TURN_JS, timeout)


def _run_and_wait(page, start_js, timeout):
    """Start a background run, then wait (bounded) until it settled and the kernel is idle."""
    page.evaluate(start_js)
    page.wait_for_function(_RUN_FINISHED_JS, timeout=timeout * 1000, polling=500)
    return page.evaluate("() => window.__runAllResult")


def read_cells(page):
    """Every cell as it is rendered now.

    Returns a list of dicts: kind ('code'|'markdown'|'raw'), grade_id (nbgrader's,
    or ''), source, prompt
    ('[3]:', '[ ]:' if it did not run), outputs (list of dicts: type --
    'stream'|'error'|'display_data'|'execute_result', mime -- the rendered MIME
    type, text, images -- count of loaded PNG images).
    """
    return page.evaluate(_READ_CELLS_JS)


def save_screenshot(page, path, grade_id=None):
    """Save the window as PNG at path, with the cell grade_id (None: the first cell) at the top.

    JupyterLab scrolls inside its notebook panel, not the page, so a "full page"
    shot is the window as the student sees it.
    """
    if not page.evaluate(_SCROLL_TO_CELL_JS, grade_id):
        raise LookupError(f"no cell with grade_id {grade_id!r}")
    page.wait_for_timeout(300)  # let the panel finish scrolling and painting
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)


def save_notebook_screenshot(page, path, max_height=MAX_SCREENSHOT_HEIGHT):
    """Save the whole notebook, top to bottom, as one PNG at path.

    The window is made as tall as the notebook (at most max_height pixels),
    photographed, and given its size back.
    """
    height = page.evaluate(_NOTEBOOK_HEIGHT_JS)
    page.set_viewport_size({"width": VIEWPORT["width"], "height": min(height, max_height)})
    try:
        page.evaluate(_SCROLL_TO_CELL_JS, None)
        page.wait_for_timeout(500)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(VIEWPORT)


_SCROLL_TO_CELL_JS = """(gradeId) => {
    const notebook = window.jupyterapp.shell.currentWidget.content;
    const cell = gradeId === null ? notebook.widgets[0] : notebook.widgets.find(
        (widget) => (widget.model.getMetadata('nbgrader') || {}).grade_id === gradeId);
    if (!cell) return false;
    cell.node.scrollIntoView({block: 'start'});
    return true;
}"""

# The notebook's content height plus the menus, toolbars and status bar around it.
_NOTEBOOK_HEIGHT_JS = """() => {
    const notebook = window.jupyterapp.shell.currentWidget.content;
    const scroller = notebook.node.querySelector('.jp-WindowedPanel-outer') || notebook.node;
    return scroller.scrollHeight + (window.innerHeight - scroller.clientHeight) + 50;
}"""


# --------------------------------------------------------------------------
# Links inside the notebook.
# --------------------------------------------------------------------------

# The in-notebook links of the rendered markdown cells (href "#..."), leaving out
# the pilcrow anchor JupyterLab appends to every heading.
_INTERNAL_LINKS_JS = """() => Array.from(
    document.querySelectorAll('.jp-NotebookPanel .jp-MarkdownCell .jp-RenderedMarkdown a'))
    .filter((a) => (a.getAttribute('href') || '').startsWith('#')
        && !a.classList.contains('jp-InternalAnchorLink'))
    .map((a) => ({text: a.textContent.trim(), href: a.getAttribute('href')}))"""

# Where the heading whose text (pilcrow left out) is `text` sits in the notebook's
# scrolling panel: its top relative to the panel's visible top, and the panel's
# visible height. null when no heading has that text.
_HEADING_POSITION_JS = """(text) => {
    const notebook = window.jupyterapp.shell.currentWidget.content;
    const scroller = notebook.node.querySelector('.jp-WindowedPanel-outer') || notebook.node;
    const headings = Array.from(notebook.node.querySelectorAll(
        '.jp-RenderedMarkdown h1, .jp-RenderedMarkdown h2, .jp-RenderedMarkdown h3,'
        + ' .jp-RenderedMarkdown h4, .jp-RenderedMarkdown h5, .jp-RenderedMarkdown h6'));
    const label = (h) => Array.from(h.childNodes)
        .filter((node) => !(node.classList && node.classList.contains('jp-InternalAnchorLink')))
        .map((node) => node.textContent).join('').trim();
    const heading = headings.find((h) => label(h) === text);
    if (!heading) return null;
    const panel = scroller.getBoundingClientRect();
    return {top: heading.getBoundingClientRect().top - panel.top, height: scroller.clientHeight};
}"""

_SCROLL_NOTEBOOK_TO_TOP_JS = """() => {
    const notebook = window.jupyterapp.shell.currentWidget.content;
    const scroller = notebook.node.querySelector('.jp-WindowedPanel-outer') || notebook.node;
    scroller.scrollTop = 0;
}"""


def internal_links(page):
    """The rendered notebook's links to its own headings: [{'text': ..., 'href': '#...'}]."""
    return page.evaluate(_INTERNAL_LINKS_JS)


def heading_position(page, text):
    """{'top': px below the notebook panel's visible top, 'height': the panel's visible height}
    of the heading reading `text`, or None when there is none."""
    return page.evaluate(_HEADING_POSITION_JS, text)


def is_in_view(position):
    """Whether a heading_position() lies within the notebook panel's visible part."""
    return position is not None and 0 <= position["top"] < position["height"]


def scroll_notebook_to_top(page):
    """Scroll the notebook panel back to its first cell."""
    page.evaluate(_SCROLL_NOTEBOOK_TO_TOP_JS)
    page.wait_for_timeout(200)


def click_internal_link(page, href, settle_ms=500):
    """Scroll the notebook to its top and click the first rendered link to `href`, as readers do."""
    scroll_notebook_to_top(page)
    selector = f'.jp-MarkdownCell .jp-RenderedMarkdown a[href="{href}"]'
    page.locator(selector).first.click()
    page.wait_for_timeout(settle_ms)  # the panel scrolls; nothing to wait on but the time
