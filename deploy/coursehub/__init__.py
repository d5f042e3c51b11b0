"""The course on a JupyterHub for one machine: roster, accounts, sign-in, sandboxed servers.

- roster: who is in the class (deploy/roster.csv), checked;
- accounts: a system account and a private home per member, the nbgrader exchange, the
  instructor's course folder and the role's Jupyter configuration;
- passwords: demo passwords, made at each start and stored hashed;
- auth: the hub's authenticator, which checks those passwords;
- spawner: each member's Jupyter server as their own account, in a bubblewrap mount namespace
  that holds only the course's environment, their home and the exchange;
- launch: `./course hub`, which prepares all of this, runs JupyterHub and stops it.
"""
