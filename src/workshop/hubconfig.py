"""JupyterHub's configuration for a workshop on one machine, as code that tests can read.

`workshop/jupyterhub_config.py` is two lines: it reads `HubSettings` from the environment the
launcher (`make workshop`) sets, and calls `configure(c, settings)`. Everything is here so the
same settings can be checked without starting a hub.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workshop import cohort as cohort_module

DASHBOARD = "cohort-dashboard"
CULLER = "idle-culler"
ADMIN_SERVICE = "workshop-admin"
UNIX_GROUP = "onboard-workshop"
INSTRUCTORS_GROUP = "instructors"
LEARNERS_GROUP = "learners"
WELCOME = "/lab/tree/course/notebooks/00_welcome.ipynb"
DASHBOARD_ACCESS = f"access:services!service={DASHBOARD}"
INSTRUCTOR_SCOPE = "custom:cohort:read"
ENV_PREFIX = "WORKSHOP_"


@dataclass
class HubSettings:
    """What the launcher decided; passed to the hub's config file as WORKSHOP_* variables."""

    cohort: Path
    state_dir: Path
    course_root: Path
    learner_python: Path
    proxy_command: Path
    learner_password: str
    admin_password: str
    ip: str = "127.0.0.1"
    port: int = 8000
    hub_port: int = 8081
    proxy_api_port: int = 8001
    dashboard_port: int = 10101
    homes: Path = Path("/home")
    memory_limit: str = "2G"
    cpu_limit: float = 1.0
    idle_timeout_s: int = 3600
    dashboard_db: str = ""
    admin_api_token: str = ""
    """Optional: a token for scripts (benchmarks, tests) to drive the hub's REST API as admin."""
    extra_path: list[str] = field(default_factory=list)

    @property
    def private_dir(self) -> Path:
        return self.state_dir / "private"

    def to_env(self) -> dict[str, str]:
        values = {
            name: (json.dumps(value) if isinstance(value, list) else str(value))
            for name, value in self.__dict__.items()
        }
        return {ENV_PREFIX + name.upper(): value for name, value in values.items()}

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> HubSettings:
        env = os.environ if env is None else env
        kinds = cls.__annotations__
        values: dict[str, Any] = {}
        for name, kind in kinds.items():
            key = ENV_PREFIX + name.upper()
            if key not in env:
                continue
            text = env[key]
            if kind == "Path":
                values[name] = Path(text)
            elif kind == "int":
                values[name] = int(text)
            elif kind == "float":
                values[name] = float(text)
            elif kind.startswith("list"):
                values[name] = json.loads(text)
            else:
                values[name] = text
        return cls(**values)

    @property
    def public_url(self) -> str:
        host = "127.0.0.1" if self.ip in ("", "0.0.0.0", "::") else self.ip
        return f"http://{host}:{self.port}/"


def roles(admin_service: bool) -> list[dict[str, Any]]:
    """RBAC: who may reach the dashboard, who sees the cohort, what the services may do."""
    loaded = [
        # Every user, and every learner's server token, may talk to the dashboard (to report
        # and to see their own page); `self` is JupyterHub's default for users.
        {"name": "user", "scopes": ["self", DASHBOARD_ACCESS]},
        {
            "name": "server",
            "scopes": ["users:activity!user", "access:servers!server", DASHBOARD_ACCESS],
        },
        {
            "name": "cohort-instructor",
            "description": "See every learner's progress on the cohort dashboard",
            "scopes": [INSTRUCTOR_SCOPE, DASHBOARD_ACCESS],
            "groups": [INSTRUCTORS_GROUP],
        },
        {
            "name": "cohort-dashboard",
            "description": "Read the learners' last activity for 'who needs help'",
            "scopes": [
                f"list:users!group={LEARNERS_GROUP}",
                f"read:users:activity!group={LEARNERS_GROUP}",
            ],
            "services": [DASHBOARD],
        },
        {
            "name": CULLER,
            "description": "Stop idle servers (never delete users or files)",
            "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
            "services": [CULLER],
        },
    ]
    if admin_service:
        loaded.append(
            {
                "name": ADMIN_SERVICE,
                "description": "Scripts that start servers before a session, and benchmarks",
                "scopes": ["admin:users", "admin:servers", "access:servers", "list:users"],
                "services": [ADMIN_SERVICE],
            }
        )
    return loaded


def services(settings: HubSettings, service_python: str) -> list[dict[str, Any]]:
    dashboard_env = {
        "PATH": os.pathsep.join(
            [str(Path(service_python).parent), "/usr/local/bin", "/usr/bin", "/bin"]
        ),
        "LANG": "C.UTF-8",
        "WORKSHOP_COHORT": str(settings.cohort),
        "WORKSHOP_STATE_DIR": str(settings.private_dir),
        "ONBOARD_COURSE_ROOT": str(settings.course_root),
    }
    if settings.dashboard_db:
        dashboard_env["WORKSHOP_DASHBOARD_DB"] = settings.dashboard_db
    if os.environ.get("WORKSHOP_POLL_SECONDS"):  # how often the dashboard page refreshes
        dashboard_env["WORKSHOP_POLL_SECONDS"] = os.environ["WORKSHOP_POLL_SECONDS"]
    listed: list[dict[str, Any]] = [
        {
            "name": DASHBOARD,
            "url": f"http://127.0.0.1:{settings.dashboard_port}",
            "command": [service_python, "-m", "workshop.service"],
            "environment": dashboard_env,
            "oauth_no_confirm": True,
            # An instructor's login token may carry the cohort scope; a learner has none to give.
            "oauth_client_allowed_scopes": [INSTRUCTOR_SCOPE],
            "display": True,
            "info": {"about": "Live progress of the cohort: instructors only"},
        },
        {
            "name": CULLER,
            "command": [
                service_python,
                "-m",
                "jupyterhub_idle_culler",
                f"--timeout={settings.idle_timeout_s}",
                "--cull-every=60",
            ],
        },
    ]
    if settings.admin_api_token:
        listed.append({"name": ADMIN_SERVICE, "api_token": settings.admin_api_token})
    return listed


def configure(c: Any, settings: HubSettings, service_python: str | None = None) -> None:
    """Fill a JupyterHub `Config` for the cohort; see the module docstring."""
    cohort = cohort_module.load(settings.cohort)
    service_python = service_python or sys.executable
    private = settings.private_dir

    c.JupyterHub.bind_url = f"http://{settings.ip}:{settings.port}"
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = settings.hub_port
    c.JupyterHub.db_url = f"sqlite:///{private / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(private / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(private / "jupyterhub.pid")
    c.JupyterHub.cleanup_servers = True  # stopping the hub stops every learner's server
    c.ConfigurableHTTPProxy.command = [str(settings.proxy_command)]
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.proxy_api_port}"
    c.ConfigurableHTTPProxy.pid_file = str(private / "proxy.pid")

    c.JupyterHub.authenticator_class = "workshop.spawner.WorkshopAuthenticator"
    c.SharedPasswordAuthenticator.user_password = settings.learner_password
    c.SharedPasswordAuthenticator.admin_password = settings.admin_password
    c.Authenticator.admin_users = set(cohort.instructors)
    # Everyone in the cohort, and nobody else, whatever password they type (JupyterHub would
    # add the admin users itself; saying so here keeps the rule in one line).
    c.Authenticator.allowed_users = set(cohort.members)
    c.LocalAuthenticator.create_system_users = True
    # JupyterHub appends the user name. The home is private and under the chosen root; the
    # Unix group marks users this workshop made (the launcher refuses to reuse any other).
    c.LocalAuthenticator.add_user_cmd = [
        "useradd",
        "--create-home",
        "--home-dir",
        f"{settings.homes}/USERNAME",
        "--shell",
        "/bin/bash",
        "--groups",
        UNIX_GROUP,
        "--key",
        "HOME_MODE=0700",
    ]

    c.JupyterHub.load_groups = {
        INSTRUCTORS_GROUP: {"users": list(cohort.instructors)},
        LEARNERS_GROUP: {"users": list(cohort.learners)},
    }
    c.JupyterHub.custom_scopes = {
        INSTRUCTOR_SCOPE: {"description": "See every learner's progress on the cohort dashboard."}
    }
    c.JupyterHub.load_roles = roles(bool(settings.admin_api_token))
    c.JupyterHub.services = services(settings, service_python)

    c.JupyterHub.spawner_class = "workshop.spawner.WorkshopSpawner"
    c.Spawner.cmd = [str(settings.learner_python), "-m", "workshop.singleuser"]
    c.Spawner.default_url = WELCOME
    c.Spawner.notebook_dir = "~"
    c.Spawner.mem_limit = settings.memory_limit
    c.Spawner.cpu_limit = settings.cpu_limit
    # A first start copies the course and imports JupyterLab on a busy machine: give it time.
    c.Spawner.start_timeout = 180
    c.Spawner.http_timeout = 180
    learner_bin = str(Path(settings.learner_python).parent)
    c.Spawner.environment = {
        "PATH": os.pathsep.join(
            [learner_bin, *settings.extra_path, "/usr/local/bin", "/usr/bin", "/bin"]
        ),
        "LANG": "C.UTF-8",
        "WORKSHOP_COURSE_SOURCE": str(settings.course_root),
        # Where check results go; the learner's own hub token ($JUPYTERHUB_API_TOKEN) signs them.
        "ONBOARD_DASHBOARD_URL": f"http://127.0.0.1:{settings.port}/services/{DASHBOARD}/",
    }
    c.JupyterHub.shutdown_on_logout = False
