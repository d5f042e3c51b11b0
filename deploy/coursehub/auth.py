"""The hub's sign-in: roster members with the demo passwords `./course hub` printed."""

from jupyterhub.auth import Authenticator
from traitlets import Unicode

from coursehub.passwords import hashed, matches, read_password_file

# Checked against when the name has no password, so that a wrong name takes as long as a
# wrong password: the time of an answer does not tell who is in the class.
NOBODY = hashed("")


class RosterAuthenticator(Authenticator):
    """Signs in a roster member whose password matches the hash in password_file.

    Who may sign in at all is Authenticator.allowed_users (the roster), set in
    jupyterhub_config.py; JupyterHub checks it after authenticate.
    """

    password_file = Unicode(help="JSON file of {name: scrypt hash} (coursehub.passwords)").tag(
        config=True
    )

    async def authenticate(self, handler, data):
        name, password = data.get("username"), data.get("password")
        stored = read_password_file(self.password_file).get(name) if isinstance(name, str) else None
        if matches(password, stored or NOBODY) and stored:
            return name
        self.log.warning("Failed sign-in for %r", str(name)[:40])
        return None
