"""The class list that drives the demo hub (deploy/coursehub/roster.py)."""

import pytest
from coursehub.roster import Member, RosterError, instructor_of, read_roster
from support.classhub import ROOT


def write(tmp_path, text):
    path = tmp_path / "roster.csv"
    path.write_text(text)
    return path


def test_the_course_roster_has_one_instructor_and_three_students():
    """Does deploy/roster.csv list the demo class: one instructor and three students?"""
    members = read_roster(ROOT / "deploy" / "roster.csv")
    assert instructor_of(members) == Member("instructor", "instructor")
    assert [member.role for member in members].count("student") == 3


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "header"),
        ("name;role\nada;student\n", "header"),
        ("name,role\nteacher,instructor\nAda,student\n", "not a valid account name"),
        ("name,role\nteacher,instructor\n../etc,student\n", "not a valid account name"),
        ("name,role\nteacher,instructor\nada,student,extra\n", "expected 'name,role'"),
        ("name,role\nteacher,instructor\nada,admin\n", "role"),
        ("name,role\nteacher,instructor\nada,student\nada,student\n", "listed twice"),
        ("name,role\nada,student\n", "exactly one instructor"),
        ("name,role\nt1,instructor\nt2,instructor\nada,student\n", "exactly one instructor"),
        ("name,role\nteacher,instructor\n", "no student"),
        ("name,role\nteacher,instructor\n" + "x" * 40 + ",student\n", "not a valid account"),
    ],
)
def test_a_bad_roster_is_refused_with_its_line_and_reason(tmp_path, text, reason):
    """Is a roster the hub cannot use refused in one line that says why?"""
    with pytest.raises(RosterError) as refused:
        read_roster(write(tmp_path, text))
    assert reason in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_roster_that_is_not_text_is_refused(tmp_path):
    """Is a binary or missing roster refused rather than crashing the launcher?"""
    path = tmp_path / "roster.csv"
    path.write_bytes(b"\xff\xfe\x00name")
    with pytest.raises(RosterError, match="cannot be read"):
        read_roster(path)
    with pytest.raises(RosterError, match="cannot be read"):
        read_roster(tmp_path / "missing.csv")


def test_blank_lines_and_spaces_around_fields_are_fine(tmp_path):
    """Are blank lines skipped and spaces around a name or role ignored?"""
    members = read_roster(write(tmp_path, "name,role\n\nteacher , instructor\n ada,student\n"))
    assert members == [Member("teacher", "instructor"), Member("ada", "student")]
