"""The class list: who may sign in to the hub, and as what.

deploy/roster.csv has a header `name,role` and one row per member; a role is `instructor` or
`student`. A name is at once the hub user name, the system account and the nbgrader student id,
so it must be a valid name for all three.
"""

import csv
import re
from dataclasses import dataclass
from pathlib import Path

ROLES = ("instructor", "student")
# POSIX portable user names that JupyterHub keeps as they are (it lower-cases names) and that
# useradd accepts; nbgrader puts the student id in file names and exchange paths.
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_-]{0,30}")
MAX_MEMBERS = 1000


class RosterError(ValueError):
    """The roster cannot be used; the message says which line and why."""


@dataclass(frozen=True)
class Member:
    """One roster row: the account name and its role ('instructor' or 'student')."""

    name: str
    role: str


def read_roster(path):
    """The members of the class listed in the CSV file at path, in file order.

    Raises RosterError (one line) on a missing header, an invalid or repeated name, an unknown
    role, or a class without exactly one instructor (the exchange belongs to one account here).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RosterError(f"{path}: cannot be read ({error})") from None
    rows = csv.reader(text.splitlines())
    if next(rows, None) != ["name", "role"]:
        raise RosterError(f"{path}: the first line must be the header 'name,role'")
    members = []
    for number, row in enumerate(rows, start=2):
        if not row or not "".join(row).strip():
            continue
        members.append(member_of_row(path, number, row))
        if len(members) > MAX_MEMBERS:
            raise RosterError(f"{path}: more than {MAX_MEMBERS} members")
    check_class(path, members)
    return members


def member_of_row(path, number, row):
    """The Member on line number of the roster, or RosterError saying what is wrong with it."""
    if len(row) != 2:
        raise RosterError(f"{path}:{number}: expected 'name,role', got {len(row)} fields")
    name, role = (field.strip() for field in row)
    if not NAME_PATTERN.fullmatch(name):
        raise RosterError(
            f"{path}:{number}: {name[:40]!r} is not a valid account name "
            "(a lower-case letter, then up to 30 lower-case letters, digits, '_' or '-')"
        )
    if role not in ROLES:
        raise RosterError(f"{path}:{number}: role {role[:40]!r} is not one of {', '.join(ROLES)}")
    return Member(name, role)


def check_class(path, members):
    """RosterError unless names are unique and there is exactly one instructor and a student."""
    seen = set()
    for member in members:
        if member.name in seen:
            raise RosterError(f"{path}: {member.name!r} is listed twice")
        seen.add(member.name)
    instructors = [member.name for member in members if member.role == "instructor"]
    if len(instructors) != 1:
        raise RosterError(
            f"{path}: the hub needs exactly one instructor (found {len(instructors)}); "
            "more graders share a course through nbgrader's groupshared setting (docs/deploy.md)"
        )
    if len(members) == 1:
        raise RosterError(f"{path}: the class has no student")


def instructor_of(members):
    """The roster's one instructor."""
    return next(member for member in members if member.role == "instructor")
