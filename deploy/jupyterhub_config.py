"""JupyterHub configuration of the course's demo hub (run by `./course hub`, see coursehub.launch).

The launcher prepares the state folder and passes its choices in COURSE_HUB_* variables; this file
turns them into the hub's settings: loopback only, the roster as the list of who may sign in,
demo passwords, one sandboxed server per member (coursehub.spawner), configurable-http-proxy from
deploy/node_modules.
"""

import os
from pathlib import Path

from coursehub.accounts import StateLayout
from coursehub.auth import RosterAuthenticator
from coursehub.roster import read_roster
from coursehub.spawner import CourseSpawner

c = get_config()  # noqa: F821 -- provided by JupyterHub when it loads this file

DEPLOY = Path(__file__).resolve().parent
layout = StateLayout(os.environ["COURSE_HUB_STATE"])
members = read_roster(os.environ["COURSE_HUB_ROSTER"])

# Loopback only: the proxy (public side), the hub and the proxy's API.
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(os.environ["COURSE_HUB_PORT"])
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ["COURSE_HUB_HUB_PORT"])
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ['COURSE_HUB_PROXY_API_PORT']}"
c.ConfigurableHTTPProxy.command = [
    str(DEPLOY / "node_modules" / ".bin" / "configurable-http-proxy")
]
# The hub starts the proxy and stops it, with every member's server, when it stops.
c.ConfigurableHTTPProxy.should_start = True
c.JupyterHub.cleanup_proxy = True
c.JupyterHub.cleanup_servers = True

c.JupyterHub.db_url = f"sqlite:///{layout.hub / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(layout.hub / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(layout.hub / "jupyterhub.pid")

# Who signs in: the roster's members, with the passwords the launcher printed.
c.JupyterHub.authenticator_class = RosterAuthenticator
c.RosterAuthenticator.password_file = str(layout.password_file)
c.Authenticator.allowed_users = {member.name for member in members}
# Members are in the roster, not made from the admin page; nobody is a hub admin (an admin
# could open every student's server).
c.Authenticator.admin_users = set()

c.JupyterHub.spawner_class = CourseSpawner
c.CourseSpawner.roles = {member.name: member.role for member in members}
c.CourseSpawner.exchange = str(layout.exchange)
c.CourseSpawner.config_root = str(layout.config)
c.Spawner.default_url = "/lab"
# Publishes JupyterLab as window.jupyterapp: the browser test drives it through its commands.
c.Spawner.args = ["--LabApp.expose_app_in_browser=True"]
# Two cores shared with everything else: a server may take a while to answer the first time.
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
