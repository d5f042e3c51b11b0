"""`python -m autograder ...`: see autograder/cli.py."""

from autograder.cli import run

run()
