"""The printed forms of the hidden cases' expected values, to search feedback for.

A message could print a value with 5 significant digits (public_tests.show_array), 8
decimals (numpy's default) or in full (repr). Forms that a public case's expected values
share are published anyway (the random streams of public and hidden cases start alike), so
they are left out.
"""

import numpy as np

import public_tests
from autograder import cases


def printed_forms(value):
    return {f"{value:.5g}", f"{value:.8f}".rstrip("0"), repr(float(value))}


def forms_of(case_list, skip_zero=False):
    forms = set()
    for case in case_list:
        for value in np.concatenate([np.ravel(v) for v in case.expected.values()]):
            if not (skip_zero and value == 0):
                forms |= printed_forms(value)
    return forms


def hidden_only_forms(scheme):
    """Printed forms of the scheme's hidden expected values that no public case shares."""
    public = forms_of(public_tests.public_cases(scheme))
    return forms_of(cases.hidden_cases(scheme), skip_zero=True) - public


def leaked_forms(text):
    """The hidden-only forms of any scheme that appear in text."""
    return sorted(
        form for s in public_tests.SCHEMES for form in hidden_only_forms(s) if form in text
    )
