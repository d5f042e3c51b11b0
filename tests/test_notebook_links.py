"""The course notebooks' links to their own headings, checked without a browser.

JupyterLab 4 gives each rendered heading the anchor `#` + its text with every space made `-`
(`## 6 - He Initialization` -> `#6---He-Initialization`) and strips `<a name=...>`; a link to
anything else does nothing when clicked. The browser test clicks the release's links for real;
this one catches a stale link in every notebook on the default run.
"""

import html
import re
from pathlib import Path

import mistune
import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(
    [
        *ROOT.glob("source/*/*.ipynb"),
        *ROOT.glob("release/*/*.ipynb"),
        *ROOT.glob("notebooks/*.ipynb"),
    ]
)
HEADING = re.compile(r"<h[1-6][^>]*>(.*?)</h[1-6]>", re.S)
TAG = re.compile(r"<[^>]+>")
INTERNAL_LINK = re.compile(r"\]\((#[^)\s]*)\)|href=[\"'](#[^\"']*)[\"']")
render_markdown = mistune.create_markdown()


def heading_anchor(heading_html):
    """JupyterLab 4's anchor of a heading (createHeaderId): its text, spaces made '-'."""
    text = html.unescape(TAG.sub("", heading_html)).strip()
    return "#" + text.replace(" ", "-")


def markdown_sources(path):
    return [cell.source for cell in nbformat.read(path, 4).cells if cell.cell_type == "markdown"]


def heading_anchors(path):
    return {
        heading_anchor(heading)
        for source in markdown_sources(path)
        for heading in HEADING.findall(render_markdown(source))
    }


def internal_links(path):
    return [
        first or second
        for source in markdown_sources(path)
        for first, second in INTERNAL_LINK.findall(source)
    ]


def test_anchor_rule_matches_jupyterlab():
    """Does a heading get the anchor JupyterLab 4 gives it, spaces made '-', case and '_' kept?"""
    assert heading_anchor("6 - He Initialization") == "#6---He-Initialization"
    assert heading_anchors(ROOT / "source/initialization/Initialization.ipynb") >= {
        "#Exercise-3---initialize_parameters_he"
    }


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_internal_link_names_a_heading(path):
    """Does every `#...` link of the notebook name the anchor of one of its headings?"""
    anchors = heading_anchors(path)
    dangling = [link for link in internal_links(path) if link not in anchors]
    assert dangling == [], f"links to no heading (JupyterLab anchors: {sorted(anchors)})"


def test_the_assignment_has_a_table_of_contents():
    """Does the release's table of contents link every section, so the check above bites?"""
    links = internal_links(ROOT / "release/initialization/Initialization.ipynb")
    assert len(links) >= 10, links
