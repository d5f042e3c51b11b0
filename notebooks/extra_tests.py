"""Public tests of the two optional initialisers of 03_more_initialisers.ipynb.

The checks are public_tests' own (observe, judge, report); only the cases are new.
Expected values are literals, computed once with numpy's legacy generator seeded
with 3 and kept at full precision, so that a changed implementation cannot move them.

Glossary: layers_dims -- [n_0, n_1, ..., n_L]; parameters -- {"W1": (n_1, n_0),
"b1": (n_1, 1), ..., "WL", "bL"}.
"""

from public_tests import make_case, run_test, with_zero_biases

HINTS = {
    "xavier": (
        "weights should be np.random.randn(layers_dims[l], layers_dims[l-1]) "
        "* np.sqrt(2 / (layers_dims[l-1] + layers_dims[l])), drawn layer by layer after a "
        "single np.random.seed(3) at the top of the function"
    ),
    "lecun": (
        "weights should be np.random.randn(layers_dims[l], layers_dims[l-1]) "
        "* np.sqrt(1 / layers_dims[l-1]), drawn layer by layer after a single "
        "np.random.seed(3) at the top of the function"
    ),
}

XAVIER_3_2_1 = {
    "W1": [
        [1.1312279727739536, 0.2760730697435006, 0.06103035750938487],
        [-1.1785762691472619, -0.1754357032011093, -0.2243692789772908],
    ],
    "W2": [[-0.06755813673132316, -0.5119439088660415]],
}
XAVIER_4_3_2 = {
    "W1": [
        [0.9560621342578215, 0.23332432950968204, 0.051580066316659096, -0.9960787483918698],
        [-0.14827023099170675, -0.18962665075802684, -0.04422718219735213, -0.3351459591357442],
        [-0.023421796517670092, -0.25508376691376344, -0.7022902513773432, 0.47285055207168847],
    ],
    "W2": [
        [0.5573944712752409, 1.0812289415230667, 0.03164405378254869],
        [-0.25594046955341887, -0.3449159158215677, -0.9780781334050371],
    ],
}
LECUN_3_2_1 = {
    "W1": [
        [1.0326651306152237, 0.25201907969702037, 0.05571283916749149],
        [-1.0758880139203921, -0.1601501533917147, -0.20482019217838635],
    ],
    "W2": [[-0.05850706264166846, -0.44335643039069744]],
}
LECUN_4_3_2 = {
    "W1": [
        [0.8943142367151593, 0.21825492525599471, 0.04824873403600431, -0.9317463516822454],
        [-0.13869410125719953, -0.17737948963449338, -0.041370740741229886, -0.31350033841192365],
        [-0.02190908448796412, -0.23860901517975133, -0.6569323766813411, 0.4423111902497923],
    ],
    "W2": [
        [0.5088292089101913, 0.9870224684993629, 0.028886936779347654],
        [-0.2336406142547861, -0.3148637125633761, -0.8928590944474766],
    ],
}
EXPECTED_WEIGHTS = {
    "xavier": {(3, 2, 1): XAVIER_3_2_1, (4, 3, 2): XAVIER_4_3_2},
    "lecun": {(3, 2, 1): LECUN_3_2_1, (4, 3, 2): LECUN_4_3_2},
}


def extra_cases(scheme):
    """The value cases of scheme 'xavier' or 'lecun', then a seeding case on the first."""
    cases = [
        make_case(scheme, dims, with_zero_biases(dims, weights), hint=HINTS[scheme])
        for dims, weights in EXPECTED_WEIGHTS[scheme].items()
    ]
    first = cases[0]
    cases.append(
        make_case(scheme, first.layers_dims, first.expected, kind="seeding", hint=HINTS[scheme])
    )
    return cases


def initialize_parameters_xavier_test(target):
    """Public tests of initialize_parameters_xavier; prints what is wrong, in plain words."""
    run_test(target, extra_cases("xavier"))


def initialize_parameters_lecun_test(target):
    """Public tests of initialize_parameters_lecun; prints what is wrong, in plain words."""
    run_test(target, extra_cases("lecun"))
