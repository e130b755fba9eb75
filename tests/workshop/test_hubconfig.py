"""The one-machine hub's configuration, its authenticator, and the per-learner limits."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from tests.conftest import COURSE_ROOT
from tests.workshop import aio
from workshop import hubconfig
from workshop.limits import Limiter, Limits
from workshop.spawner import WorkshopAuthenticator

LEARNERS_PASSWORD = "learners-password"
INSTRUCTORS_PASSWORD = "i" * 40


@pytest.fixture
def settings(tmp_path, cohort_file) -> hubconfig.HubSettings:
    return hubconfig.HubSettings(
        cohort=cohort_file,
        state_dir=tmp_path / "state",
        course_root=COURSE_ROOT,
        learner_python=Path("/opt/learners/bin/python"),
        proxy_command=Path("/opt/chp"),
        learner_password=LEARNERS_PASSWORD,
        admin_password=INSTRUCTORS_PASSWORD,
        port=8123,
        homes=tmp_path / "homes",
        extra_path=["/opt/node/bin"],
    )


def test_settings_travel_to_the_config_file_through_the_environment(settings):
    assert hubconfig.HubSettings.from_env(settings.to_env()) == settings


def test_the_config_file_loads_and_configures_the_hub(settings, monkeypatch):
    for name, value in settings.to_env().items():
        monkeypatch.setenv(name, value)
    loader = PyFileConfigLoader("jupyterhub_config.py", path=str(COURSE_ROOT / "workshop"))
    c = loader.load_config()
    assert c.JupyterHub.authenticator_class == "workshop.spawner.WorkshopAuthenticator"
    assert c.JupyterHub.spawner_class == "workshop.spawner.WorkshopSpawner"
    assert c.Authenticator.allowed_users == {"ada", "alan", "barbara", "grace"}
    assert c.Authenticator.admin_users == {"grace"}
    assert c.LocalAuthenticator.create_system_users is True
    assert f"{settings.homes}/USERNAME" in c.LocalAuthenticator.add_user_cmd
    assert hubconfig.UNIX_GROUP in c.LocalAuthenticator.add_user_cmd
    assert c.Spawner.cmd == ["/opt/learners/bin/python", "-m", "workshop.singleuser"]
    assert c.Spawner.environment["ONBOARD_DASHBOARD_URL"] == (
        "http://127.0.0.1:8123/services/cohort-dashboard/"
    )
    assert c.Spawner.environment["PATH"].startswith("/opt/learners/bin:/opt/node/bin:")
    assert c.Spawner.mem_limit == "2G" and c.Spawner.cpu_limit == 1.0
    assert c.JupyterHub.cleanup_servers is True
    # Nothing secret reaches a learner's server: only what Spawner.environment lists.
    assert not any("PASSWORD" in name for name in c.Spawner.environment)


def test_the_dashboard_is_a_hub_service_with_oauth_and_the_instructor_scope(settings):
    c = Config()
    hubconfig.configure(c, settings, service_python="/venv/bin/python")
    dashboard = next(s for s in c.JupyterHub.services if s["name"] == hubconfig.DASHBOARD)
    assert dashboard["command"] == ["/venv/bin/python", "-m", "workshop.service"]
    assert dashboard["oauth_client_allowed_scopes"] == [hubconfig.INSTRUCTOR_SCOPE]
    assert dashboard["environment"]["WORKSHOP_COHORT"] == str(settings.cohort)
    culler = next(s for s in c.JupyterHub.services if s["name"] == hubconfig.CULLER)
    assert "--timeout=3600" in culler["command"]
    assert not any(s["name"] == hubconfig.ADMIN_SERVICE for s in c.JupyterHub.services)
    roles = {role["name"]: role for role in c.JupyterHub.load_roles}
    assert roles["cohort-instructor"]["groups"] == ["instructors"]
    assert "delete:servers" in roles[hubconfig.CULLER]["scopes"]
    assert "admin:users" not in roles[hubconfig.CULLER]["scopes"]  # culling never deletes users
    assert c.JupyterHub.load_groups["learners"]["users"] == ["ada", "alan", "barbara"]


def test_a_scripting_token_adds_an_admin_service_only_when_asked(settings):
    settings.admin_api_token = "t" * 32
    c = Config()
    hubconfig.configure(c, settings)
    assert any(s["name"] == hubconfig.ADMIN_SERVICE for s in c.JupyterHub.services)


# ------------------------------------------------------------------------------- the door
def authenticator(cohort_file) -> WorkshopAuthenticator:
    c = Config()
    c.SharedPasswordAuthenticator.user_password = LEARNERS_PASSWORD
    c.SharedPasswordAuthenticator.admin_password = INSTRUCTORS_PASSWORD
    c.Authenticator.admin_users = {"grace"}
    c.Authenticator.allowed_users = {"ada", "alan", "barbara", "grace"}  # as hubconfig sets it
    return WorkshopAuthenticator(config=c)


def login(auth, name, password):
    return aio.run(
        lambda: auth.get_authenticated_user(None, {"username": name, "password": password})
    )


def test_learners_and_instructors_each_have_their_own_password(cohort_file):
    auth = authenticator(cohort_file)
    assert login(auth, "ada", LEARNERS_PASSWORD)["name"] == "ada"
    assert login(auth, "grace", INSTRUCTORS_PASSWORD)["admin"] is True
    assert login(auth, "ada", "wrong-password") is None
    assert login(auth, "ada", INSTRUCTORS_PASSWORD) is None
    assert login(auth, "grace", LEARNERS_PASSWORD) is None


def test_someone_not_in_the_cohort_cannot_log_in_with_the_password(cohort_file):
    assert login(authenticator(cohort_file), "mallory", LEARNERS_PASSWORD) is None


def test_the_authenticator_creates_unix_users(cohort_file):
    auth = authenticator(cohort_file)
    assert auth.create_system_users is False  # configured by hubconfig, not by default
    assert hasattr(auth, "add_system_user")


# ------------------------------------------------------------------------------------ limits
def fake_v1(root: Path) -> Path:
    for name in ("memory", "cpu"):
        (root / name).mkdir(parents=True)
    return root


def test_cgroup_v1_limits_are_written_and_removed(tmp_path):
    limiter = Limiter(fake_v1(tmp_path))
    assert limiter.mode == "cgroup1"
    limiter.prepare("ada", Limits(2 * 2**30, 1.5))
    memory, cpu = limiter.groups("ada")
    assert (memory / "memory.limit_in_bytes").read_text() == str(2 * 2**30)
    assert (cpu / "cpu.cfs_quota_us").read_text() == "150000"
    assert (cpu / "cpu.cfs_period_us").read_text() == "100000"
    limiter.enter("ada", Limits(2 * 2**30, 1.5))
    assert (memory / "cgroup.procs").read_text() == str(os.getpid())
    assert limiter.members("ada") == {os.getpid()}
    for group in limiter.groups("ada"):
        (group / "cgroup.procs").unlink()
        for leftover in group.iterdir():
            leftover.unlink()
    limiter.remove("ada")
    assert not any(group.exists() for group in limiter.groups("ada"))
    assert "enforced by cgroup1: 2 GiB, 1.5 CPU" in limiter.describe(Limits(2 * 2**30, 1.5))


def test_cgroup_v2_limits_are_written(tmp_path):
    (tmp_path / "cgroup.controllers").write_text("cpuset cpu io memory pids")
    limiter = Limiter(tmp_path)
    assert limiter.mode == "cgroup2"
    limiter.prepare("ada", Limits(2**30, 0.5))
    (group,) = limiter.groups("ada")
    assert (group / "memory.max").read_text() == str(2**30)
    assert (group / "cpu.max").read_text() == "50000 100000"
    assert "+memory +cpu" in (group.parent / "cgroup.subtree_control").read_text()


def test_without_writable_cgroups_only_a_per_process_limit_is_promised(tmp_path):
    limiter = Limiter(tmp_path / "nothing-here")
    assert limiter.mode == "rlimit"
    text = limiter.describe(Limits(2**31, 1.0))
    assert "per process (RLIMIT_AS) only" in text and "not enforced" in text


def test_a_cgroup_that_cannot_be_used_falls_back_and_says_why(tmp_path):
    limiter = Limiter(fake_v1(tmp_path))
    (tmp_path / "memory").chmod(0o500)
    limiter.bases["memory"] = tmp_path / "memory" / "ro" / "x"
    try:
        reason = limiter.probe() if os.geteuid() != 0 else _root_probe(limiter)
    finally:
        (tmp_path / "memory").chmod(0o700)
    assert reason and "not usable" in reason and limiter.mode == "rlimit"


def _root_probe(limiter: Limiter) -> str | None:
    """Root ignores file modes: make the group's place a file instead, which nobody can mkdir in."""
    blocker = limiter.bases["memory"].parent
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("not a folder")
    return limiter.probe()
