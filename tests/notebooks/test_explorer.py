"""Does the explorer of 02_explore_it_yourself.ipynb train, draw and save what it is asked?"""

import matplotlib

matplotlib.use("Agg")

import explorer  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from extra_tests import EXPECTED_WEIGHTS  # noqa: E402

from public_tests import HE_2_4_1, RANDOM_3_2_1  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def short_result():
    return explorer.train_short("he", 1.0, iterations=300, every=100)


def test_scale_one_starts_where_the_assignment_starts():
    """At scale 1, are 'random' and 'he' the assignment's published starting weights?"""
    random = explorer.initialize("random", 1.0, [3, 2, 1])
    he = explorer.initialize("he", 1.0, [2, 4, 1])
    for got, published in ((random, RANDOM_3_2_1), (he, HE_2_4_1)):
        for key, value in published.items():
            np.testing.assert_allclose(got[key], value, rtol=1e-12)
    assert not np.any(he["b1"]) and he["b1"].shape == (4, 1)


@pytest.mark.parametrize("scheme", ["xavier", "lecun"])
def test_xavier_and_lecun_are_the_exercises_answers(scheme):
    """Do the explorer's 'xavier' and 'lecun' give the weights notebook 03's exercises expect?"""
    for layers_dims, weights in EXPECTED_WEIGHTS[scheme].items():
        got = explorer.initialize(scheme, 1.0, list(layers_dims))
        for key, value in weights.items():
            np.testing.assert_allclose(got[key], value, rtol=1e-12)


def test_scale_multiplies_the_scheme_std():
    """Is 'he' at scale 3 three times 'he' at scale 1, and 'custom' at s the std s itself?"""
    base = explorer.initialize("he", 1.0)
    tripled = explorer.initialize("he", 3.0)
    np.testing.assert_allclose(tripled["W2"], 3 * base["W2"])
    custom = explorer.initialize("custom", 0.5, [100, 2000])
    assert custom["W1"].std() == pytest.approx(0.5, rel=0.02)


@pytest.mark.parametrize(
    "scheme, scale, message",
    [("glorot", 1.0, "unknown scheme 'glorot'"), ("he", 0.0, "scale must be a positive")],
)
def test_bad_settings_are_refused_in_one_line(scheme, scale, message):
    """Are an unknown scheme and a non-positive scale refused with a one-line message?"""
    with pytest.raises(ValueError, match=message) as error:
        explorer.initialize(scheme, scale)
    assert "\n" not in str(error.value)


def test_train_short_reports_costs_and_accuracies(short_result):
    """Does a short run record every 100th cost and accuracies of the trained network?"""
    assert short_result["scheme"] == "he" and short_result["iterations"] == 300
    assert len(short_result["costs"]) == 3
    assert short_result["costs"][0] == pytest.approx(0.8830537463419761, rel=1e-12)
    assert short_result["parameters"]["W1"].shape == (10, 2)
    for key in ("train_accuracy", "test_accuracy"):
        assert 0.0 <= short_result[key] <= 1.0


def test_zeros_never_learns():
    """Does the explorer show the zeros start stuck at ln 2 with accuracy 0.5?"""
    result = explorer.train_short("zeros", 1.0, iterations=200)
    assert result["costs"] == pytest.approx([np.log(2)] * 2, rel=1e-12)
    assert result["train_accuracy"] == 0.5


def test_plot_result_draws_cost_and_boundary(short_result):
    """Is the cost curve drawn on the first axes and the shaded boundary on the second?"""
    fig, axes = plt.subplots(1, 2)
    explorer.plot_result(short_result, axes)
    np.testing.assert_allclose(axes[0].get_lines()[0].get_ydata(), short_result["costs"])
    assert axes[1].collections, "no decision regions or points drawn"
    assert "he x1" in fig.get_suptitle()
    plt.close(fig)


def test_headless_is_read_from_the_environment(monkeypatch):
    """Is COURSE_HEADLESS=1 a headless run, and unset or 0 one with a front end?"""
    monkeypatch.setenv("COURSE_HEADLESS", "1")
    assert explorer.is_headless()
    monkeypatch.setenv("COURSE_HEADLESS", "0")
    assert not explorer.is_headless()
    monkeypatch.delenv("COURSE_HEADLESS")
    assert not explorer.is_headless()


def test_headless_figures_go_where_the_environment_says(short_result, tmp_path, monkeypatch):
    """Does save_result_figure write a PNG into $COURSE_FIGURES_DIR, creating it?"""
    monkeypatch.setenv("COURSE_FIGURES_DIR", str(tmp_path / "figures"))
    path = explorer.save_result_figure(short_result)
    assert path == tmp_path / "figures" / "explorer_he_x1.png"
    assert path.read_bytes().startswith(PNG_SIGNATURE) and path.stat().st_size > 10_000


def test_default_figures_folder_is_notebooks_figures(monkeypatch):
    """Without $COURSE_FIGURES_DIR, do figures go to notebooks/figures (git-ignored)?"""
    monkeypatch.delenv("COURSE_FIGURES_DIR", raising=False)
    folder = explorer.figures_dir()
    assert folder == explorer.ROOT / "notebooks" / "figures"
    assert (folder / ".gitignore").read_text().splitlines()[-2:] == ["*", "!.gitignore"]
