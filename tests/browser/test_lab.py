"""The browser harness itself: a private JupyterLab server, and Chromium reading what it renders."""

import socket
import urllib.error
import urllib.request

import nbformat
import pytest
from support import lab

needs_chromium = lab.NEEDS_CHROMIUM


def port_is_open(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_server_answers_only_with_its_token_and_stops_with_its_kernels(tmp_path):
    """Does the server answer only with its token, and leave no server or kernel behind?"""
    root_dir = tmp_path / "root"
    root_dir.mkdir()
    before = lab.live_pids()
    with lab.running_lab(root_dir, tmp_path / "scratch") as server:
        assert server.api("status")["kernels"] == 0
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{server.base_url}/api/status", timeout=10)
        assert refused.value.code == 403
        kernel = server.api("kernels", method="POST")
        assert [running["id"] for running in server.api("kernels")] == [kernel["id"]]
        assert lab.server_descendants(server), "the kernel should run as the server's child"
        started = lab.started_since(before)
    assert server.process.returncode is not None
    assert not port_is_open(server.port)
    assert lab.processes_left(started, before) == ""


def tiny_notebook(path):
    """A notebook that prints, plots, writes to stderr, raises, then prints again."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Tiny"),
        nbformat.v4.new_code_cell("print('hello')"),
        nbformat.v4.new_code_cell(
            "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.show()"
        ),
        nbformat.v4.new_code_cell("import sys\nprint('careful', file=sys.stderr)"),
        nbformat.v4.new_code_cell("1 / 0"),
        nbformat.v4.new_code_cell("print('after the error')"),
    ]
    nbformat.write(notebook, path)


def outputs_of(cells, source_start):
    (cell,) = [cell for cell in cells if cell["source"].startswith(source_start)]
    return cell["prompt"], [(output["type"], output["text"]) for output in cell["outputs"]]


@pytest.mark.browser
@needs_chromium
def test_harness_runs_cells_and_reads_text_errors_and_images(tmp_path):
    """Does the harness run a notebook in Chromium and read prints, tracebacks and plots apart?"""
    root_dir = tmp_path / "root"
    root_dir.mkdir()
    tiny_notebook(root_dir / "tiny.ipynb")
    before = lab.live_pids()
    with (
        lab.running_lab(root_dir, tmp_path / "scratch") as server,
        lab.chromium_page(tmp_path / "scratch") as page,
    ):
        lab.open_notebook(page, server, "tiny.ipynb")
        # Run All stops at the error: the kernel aborts the cells queued after it.
        assert lab.run_all_cells(page, timeout=60) == "false"
        assert outputs_of(lab.read_cells(page), "print('after")[0] == "[ ]:"

        assert lab.run_cells_in_turn(page, timeout=60) == "false"
        cells = lab.read_cells(page)
        screenshot = tmp_path / "tiny.png"
        lab.save_screenshot(page, screenshot)
        started = lab.started_since(before)

    assert [cell["kind"] for cell in cells] == ["markdown"] + ["code"] * 5
    # Run All used counts 1-4 (aborted cells take none); the second run 5-9.
    assert outputs_of(cells, "print('hello')") == ("[5]:", [("stream", "hello\n")])
    plot = [cell for cell in cells if "plt.plot" in cell["source"]][0]["outputs"]
    assert [(output["type"], output["mime"], output["images"]) for output in plot] == [
        ("display_data", "image/png", 1)
    ]
    assert outputs_of(cells, "import sys") == ("[7]:", [("stream", "careful\n")])
    prompt, ((kind, text),) = outputs_of(cells, "1 / 0")
    assert (prompt, kind) == ("[8]:", "error")
    assert "ZeroDivisionError: division by zero" in text
    assert outputs_of(cells, "print('after") == ("[9]:", [("stream", "after the error\n")])
    assert screenshot.read_bytes().startswith(b"\x89PNG")
    assert lab.processes_left(started, before) == ""
