"""Demo passwords: made afresh at each start of the hub, printed once, stored only hashed.

The file maps each account name to `scrypt$<salt hex>$<hash hex>` (JSON), is owned by root and
readable by nobody else; the hub reads it at every sign-in.
"""

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

# scrypt's cost as the Python documentation's example: about 50 ms and 16 MiB a check.
SCRYPT = {"n": 2**14, "r": 8, "p": 1}
MAX_PASSWORD_BYTES = 1024


def new_passwords(names):
    """A random password for each name: {name: password}, 12 URL-safe characters each."""
    return {name: secrets.token_urlsafe(9) for name in names}


def hashed(password, salt=None):
    """The stored form of password: 'scrypt$<salt hex>$<hash hex>'."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def matches(password, stored):
    """Whether password is the one stored; False for anything malformed."""
    if not isinstance(password, str) or len(password.encode()) > MAX_PASSWORD_BYTES:
        return False
    try:
        scheme, salt, _ = stored.split("$")
        if scheme != "scrypt":
            return False
        return hmac.compare_digest(hashed(password, bytes.fromhex(salt)), stored)
    except (AttributeError, ValueError):
        return False


def write_password_file(path, passwords):
    """Store the hashes of passwords ({name: password}) at path, readable by its owner only."""
    path = Path(path)
    temporary = path.with_name(path.name + ".new")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(descriptor, "w") as stream:
        json.dump({name: hashed(password) for name, password in passwords.items()}, stream)
    os.replace(temporary, path)


def read_password_file(path):
    """{name: stored hash} from path; {} if it is missing or unreadable (nobody signs in)."""
    try:
        stored = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return {}
    return stored if isinstance(stored, dict) else {}
