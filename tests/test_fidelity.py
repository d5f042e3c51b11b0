"""Does the released notebook, once solved, reproduce the original's published outputs?

Runs the notebook top to bottom in a real kernel (nbclient), in a folder holding the release,
and reads what each cell printed and drew, by the cell's nbgrader grade_id.
"""

import math
import re

import nbformat
import pytest
from nbclient import NotebookClient
from support import copy_release, grade_id, write_solved_release

pytestmark = pytest.mark.slow

LN2 = 0.6931471805599453
# The seed text's printed costs (iterations 0, 1000, ..., 14000), layers_dims = [2, 10, 5, 1].
PUBLISHED_HE_COSTS = [
    0.8830537463419761,
    0.6879825919728063,
    0.6751286264523371,
    0.6526117768893805,
    0.6082958970572938,
    0.5304944491717495,
    0.4138645817071794,
    0.3117803464844441,
    0.23696215330322562,
    0.1859728720920684,
    0.15015556280371808,
    0.12325079292273551,
    0.09917746546525937,
    0.08457055954024283,
    0.07357895962677366,
]
PUBLISHED_RANDOM_COSTS = [
    math.inf,
    0.6247924745506072,
    0.5980258056061102,
    0.5637539062842213,
    0.5501256393526495,
    0.5443826306793814,
    0.5373895855049121,
    0.47157999220550006,
    0.39770475516243037,
    0.3934560146692851,
    0.3920227137490125,
    0.38913700035966736,
    0.3861358766546214,
    0.38497629552893475,
    0.38276694641706693,
]
# The random (x10) run is chaotic: its costs differ from machine to machine in the 3rd-4th digit.
RANDOM_COST_TOLERANCE = 5e-3
IMAGE_CELLS = [
    "load_dataset",
    "zeros_train",
    "zeros_boundary",
    "random_train",
    "random_boundary",
    "he_train",
    "he_boundary",
]


def execute(notebook_path, allow_errors=False):
    """Run the notebook in a fresh kernel, cwd = its folder; returns {grade_id: cell}."""
    notebook = nbformat.read(notebook_path, as_version=nbformat.NO_CONVERT)
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(notebook_path.parent)}},
    )
    client.execute()
    return {grade_id(cell): cell for cell in notebook.cells}


def stdout(cell):
    return "".join(
        output["text"]
        for output in cell.get("outputs", [])
        if output["output_type"] == "stream" and output["name"] == "stdout"
    )


def printed_costs(cell):
    """The costs printed by model(), in order: [(iteration, cost), ...]."""
    found = re.findall(r"^Cost after iteration (\d+): (\S+)$", stdout(cell), flags=re.MULTILINE)
    return [(int(iteration), float(cost)) for iteration, cost in found]


def accuracies(cell):
    return [float(value) for value in re.findall(r"^Accuracy: (\S+)$", stdout(cell), re.M)]


def images(cell):
    return [output for output in cell.get("outputs", []) if "image/png" in output.get("data", {})]


def expected_output_block(cell):
    """The text of the ``` block under **Expected output** in a markdown cell."""
    match = re.search(r"```\n(.*?)\n```", cell.source, flags=re.DOTALL)
    assert match, f"no expected output in {grade_id(cell)!r}"
    return match.group(1)


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    """The cells of the solved release after a run from top to bottom."""
    return execute(write_solved_release(tmp_path_factory.mktemp("solved")))


@pytest.fixture(scope="module")
def untouched(tmp_path_factory):
    """The cells of the release as students get it, after a run that goes on past errors."""
    return execute(copy_release(tmp_path_factory.mktemp("untouched")), allow_errors=True)


def test_solved_notebook_runs_without_error(solved):
    """Does every cell of the solved notebook run without an error?"""
    for key, cell in solved.items():
        errors = [out for out in cell.get("outputs", []) if out["output_type"] == "error"]
        assert not errors, f"{key}: {errors[0]['ename']}: {errors[0]['evalue']}"


def test_zeros_training_matches_the_published_run(solved):
    """Is the zeros cost ln 2 at every print, and the accuracy 0.5 on both sets?"""
    costs = printed_costs(solved["zeros_train"])
    assert [iteration for iteration, _ in costs] == list(range(0, 15000, 1000))
    for iteration, cost in costs:
        assert abs(cost - LN2) <= 1e-15, f"iteration {iteration}: {cost!r}"
    assert accuracies(solved["zeros_train"]) == [0.5, 0.5]


def test_zeros_model_predicts_red_everywhere(solved):
    """Do the zeros predictions print as all 0 on both sets?"""
    text = stdout(solved["zeros_predictions"])
    digits = re.findall(r"\d", text.split("predictions_test")[0].split("=", 1)[1])
    assert len(digits) == 300 and set(digits) == {"0"}


def test_random_training_matches_the_published_run(solved):
    """Does the random (x10) run start at inf, then follow the published curve loosely, and reach
    the published accuracies exactly?"""
    costs = [cost for _, cost in printed_costs(solved["random_train"])]
    assert len(costs) == 15
    assert costs[0] == math.inf
    assert all(math.isfinite(cost) for cost in costs[1:])
    assert costs[-1] < costs[1]
    for cost, published in zip(costs[1:], PUBLISHED_RANDOM_COSTS[1:], strict=True):
        assert abs(cost - published) < RANDOM_COST_TOLERANCE
    assert accuracies(solved["random_train"]) == [0.83, 0.86]


def test_he_training_reproduces_the_published_costs(solved):
    """Are the 15 He costs within 1e-12 of the published ones, with accuracies 0.9933 / 0.96?"""
    costs = [cost for _, cost in printed_costs(solved["he_train"])]
    assert len(costs) == len(PUBLISHED_HE_COSTS)
    for iteration, (cost, published) in enumerate(zip(costs, PUBLISHED_HE_COSTS, strict=True)):
        assert abs(cost - published) <= 1e-12, f"iteration {iteration * 1000}: {cost!r}"
    assert accuracies(solved["he_train"]) == [0.9933333333333333, 0.96]


@pytest.mark.parametrize("scheme", ["zeros", "random", "he"])
def test_printed_parameters_match_the_expected_output(solved, scheme):
    """Does the notebook's "Expected output" read exactly what the solved cells print?"""
    printed = stdout(solved[f"initialize_parameters_{scheme}_show"])
    printed += stdout(solved[f"initialize_parameters_{scheme}_tests"])
    assert printed.rstrip("\n") == expected_output_block(solved[f"{scheme}_expected"])


def test_he_parameters_print_as_published(solved):
    """Do W1 and W2 of He on [2, 4, 1] print exactly as in the original's expected output?"""
    printed = stdout(solved["initialize_parameters_he_show"])
    assert printed.startswith(
        "W1 = [[ 1.78862847  0.43650985]\n"
        " [ 0.09649747 -1.8634927 ]\n"
        " [-0.2773882  -0.35475898]\n"
        " [-0.08274148 -0.62700068]]\n"
    )
    assert "W2 = [[-0.03098412 -0.33744411 -0.92904268  0.62552248]]\n" in printed


def test_plots_render_in_the_right_cells(solved):
    """Are there exactly 7 images: the data, three cost curves and three decision boundaries?"""
    counts = {key: len(images(cell)) for key, cell in solved.items() if images(cell)}
    assert counts == {key: 1 for key in IMAGE_CELLS}


def test_untouched_release_public_tests_fail_without_traceback(untouched):
    """In the untouched release, do the public tests print failures, not a traceback?"""
    for scheme in ("zeros", "random", "he"):
        cell = untouched[f"initialize_parameters_{scheme}_tests"]
        outputs = cell.get("outputs", [])
        assert not [out for out in outputs if out["output_type"] == "error"], scheme
        assert not [out for out in outputs if out.get("name") == "stderr"], scheme
        text = stdout(cell)
        assert "NotImplementedError" in text and "Traceback" not in text, text
        assert text.rstrip("\n").endswith("tests failed."), text


def test_untouched_release_stops_only_where_code_is_missing(untouched):
    """Do only cells that call an unanswered function raise, and with NotImplementedError?"""
    raised = {
        key: out["ename"]
        for key, cell in untouched.items()
        for out in cell.get("outputs", [])
        if out["output_type"] == "error"
    }
    assert set(raised.values()) <= {"NotImplementedError", "NameError"}
    for scheme in ("zeros", "random", "he"):
        assert raised[f"initialize_parameters_{scheme}_show"] == "NotImplementedError"
        assert raised[f"{scheme}_train"] == "NotImplementedError"
    assert "load_dataset" not in raised and len(images(untouched["load_dataset"])) == 1
