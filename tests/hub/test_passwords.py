"""Demo passwords: random, stored only hashed, checked in constant time (coursehub.passwords)."""

import os
import stat

from coursehub.passwords import (
    matches,
    new_passwords,
    read_password_file,
    write_password_file,
)


def test_passwords_are_stored_hashed_and_readable_by_their_owner_only(tmp_path):
    """Is the password file free of the passwords, mode 0600, and does each one match?"""
    passwords = new_passwords(["ada", "grace"])
    assert len(set(passwords.values())) == 2
    path = tmp_path / "passwords.json"
    write_password_file(path, passwords)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    text = path.read_text()
    assert all(password not in text for password in passwords.values())
    stored = read_password_file(path)
    assert matches(passwords["ada"], stored["ada"])
    assert not matches(passwords["grace"], stored["ada"])


def test_malformed_input_never_matches():
    """Do a wrong type, a huge password or a broken stored hash fail to match, not crash?"""
    stored = read_password_file("/nonexistent/passwords.json")
    assert stored == {}
    assert not matches(None, "scrypt$00$00")
    assert not matches("x" * 5000, "scrypt$00$00")
    assert not matches("x", "md5$00$00")
    assert not matches("x", "scrypt$zz$00")
    assert not matches("x", None)


def test_a_password_file_that_is_not_a_mapping_signs_nobody_in(tmp_path):
    """Does a corrupted password file mean no sign-in rather than an error?"""
    path = tmp_path / "passwords.json"
    path.write_text("[1, 2]")
    assert read_password_file(path) == {}
    path.write_text("{not json")
    assert read_password_file(path) == {}
