"""The Kubernetes configuration, checked offline: the Helm values load as JupyterHub config with
KubeSpawner, say what the one-machine hub says, and the user image passes the course's own
Dockerfile checks."""

from __future__ import annotations

import pytest
import yaml
from traitlets.config import Config

from onboarding.artefacts.dockerfile import read_dockerfile
from onboarding.stages.deployment import rules
from tests.conftest import COURSE_ROOT
from tests.workshop import aio
from workshop import hubconfig

KUBERNETES = COURSE_ROOT / "workshop" / "kubernetes"
PASSWORDS = {
    "WORKSHOP_LEARNER_PASSWORD": "learners-pass",
    "WORKSHOP_ADMIN_PASSWORD": "i" * 40,
}


def values() -> dict:
    return yaml.safe_load((KUBERNETES / "values.yaml").read_text())


def hub_config(values: dict) -> Config:
    """What Zero to JupyterHub's own jupyterhub_config.py makes of these values (the parts used).

    `hub.config` is copied section by section, `loadRoles` and `services` become lists with their
    names, `singleuser` becomes KubeSpawner's traits, and each `extraConfig` snippet is executed.
    """
    c = Config()
    for section, settings in values["hub"]["config"].items():
        for key, value in settings.items():
            c[section][key] = value
    c.JupyterHub.spawner_class = "kubespawner.KubeSpawner"
    c.JupyterHub.load_roles = [
        {"name": name, **role} for name, role in values["hub"]["loadRoles"].items()
    ]
    c.JupyterHub.services = [
        {"name": name, **service} for name, service in values["hub"]["services"].items()
    ]
    single = values["singleuser"]
    c.KubeSpawner.image = f"{single['image']['name']}:{single['image']['tag']}"
    c.KubeSpawner.cmd = single["cmd"]
    c.KubeSpawner.default_url = single["defaultUrl"]
    c.KubeSpawner.mem_limit = single["memory"]["limit"]
    c.KubeSpawner.mem_guarantee = single["memory"]["guarantee"]
    c.KubeSpawner.cpu_limit = float(single["cpu"]["limit"])
    c.KubeSpawner.cpu_guarantee = float(single["cpu"]["guarantee"])
    c.KubeSpawner.environment = single["extraEnv"]
    c.KubeSpawner.storage_capacity = single["storage"]["capacity"]
    for snippet in values["hub"]["extraConfig"].values():
        exec(compile(snippet, "extraConfig", "exec"), {"c": c})
    return c


@pytest.fixture
def config(monkeypatch) -> Config:
    for name, value in PASSWORDS.items():
        monkeypatch.setenv(name, value)
    return hub_config(values())


def test_every_setting_is_a_trait_of_its_class_with_kubespawner_installed(config):
    from jupyterhub.app import JupyterHub
    from jupyterhub.auth import Authenticator
    from jupyterhub.authenticators.shared import SharedPasswordAuthenticator
    from kubespawner import KubeSpawner

    classes = {
        "JupyterHub": JupyterHub,
        "Authenticator": Authenticator,
        "SharedPasswordAuthenticator": SharedPasswordAuthenticator,
        "KubeSpawner": KubeSpawner,
    }
    assert set(config) == set(classes)
    for section, cls in classes.items():
        known = set(cls.class_traits(config=True))
        unknown = set(config[section]) - known
        assert not unknown, f"{section} has no settings {unknown}"


OFFLINE_KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters: [{name: offline, cluster: {server: "https://127.0.0.1:6443"}}]
users: [{name: offline, user: {token: offline}}]
contexts: [{name: offline, context: {cluster: offline, user: offline}}]
current-context: offline
"""


def test_the_spawner_and_authenticator_take_the_config(config, tmp_path, monkeypatch):
    from jupyterhub.authenticators.shared import SharedPasswordAuthenticator

    # KubeSpawner reads a cluster's address when it is made (and never calls it in mock mode).
    # The client library reads $KUBECONFIG once, when imported: point its default there.
    from kubernetes_asyncio.config import kube_config
    from kubespawner import KubeSpawner

    (tmp_path / "kubeconfig").write_text(OFFLINE_KUBECONFIG)
    monkeypatch.setattr(kube_config, "KUBE_CONFIG_DEFAULT_LOCATION", str(tmp_path / "kubeconfig"))

    async def make() -> KubeSpawner:  # its API client wants a running event loop
        return KubeSpawner(_mock=True, config=config)

    spawner = aio.run(make)
    assert spawner.cmd == ["python", "-m", "workshop.singleuser"]
    assert spawner.mem_limit == 2 * 1024**3 and spawner.cpu_limit == 1.0
    assert spawner.environment["ONBOARD_DASHBOARD_URL"].endswith("/services/cohort-dashboard/")
    authenticator = SharedPasswordAuthenticator(config=config)
    assert authenticator.user_password == PASSWORDS["WORKSHOP_LEARNER_PASSWORD"]
    assert authenticator.admin_users == {"grace"}


def test_a_short_instructor_password_is_refused_at_start(monkeypatch):
    from jupyterhub.authenticators.shared import SharedPasswordAuthenticator
    from traitlets import TraitError

    monkeypatch.setenv("WORKSHOP_LEARNER_PASSWORD", "learners-pass")
    monkeypatch.setenv("WORKSHOP_ADMIN_PASSWORD", "too-short")
    with pytest.raises((TraitError, ValueError), match="at least 32"):
        SharedPasswordAuthenticator(config=hub_config(values()))


def test_the_same_authenticator_roles_and_dashboard_service_as_on_one_machine(config):
    assert config.JupyterHub.authenticator_class == "shared-password"
    one_machine = {role["name"]: role for role in hubconfig.roles(admin_service=False)}
    one_machine.pop(hubconfig.CULLER)  # Zero to JupyterHub runs its own culler (`cull:`)
    kubernetes = {role["name"]: role for role in config.JupyterHub.load_roles}
    assert kubernetes == one_machine
    service = next(s for s in config.JupyterHub.services if s["name"] == hubconfig.DASHBOARD)
    assert service["oauth_client_allowed_scopes"] == [hubconfig.INSTRUCTOR_SCOPE]
    assert service["oauth_no_confirm"] is True
    groups = config.JupyterHub.load_groups
    assert set(groups) == {hubconfig.INSTRUCTORS_GROUP, hubconfig.LEARNERS_GROUP}
    assert set(groups["instructors"]["users"]) == set(config.Authenticator.admin_users)
    assert set(groups["learners"]["users"]) == set(config.Authenticator.allowed_users)


def test_every_scope_in_the_roles_exists(config):
    from jupyterhub import scopes

    for scope, definition in config.JupyterHub.custom_scopes.items():
        if scope not in scopes.scope_definitions:
            scopes.define_custom_scopes({scope: definition})
    for role in config.JupyterHub.load_roles:
        scopes._check_scopes_exist(role["scopes"], who_for=role["name"])


def test_the_culler_keeps_users_and_their_files():
    cull = values()["cull"]
    assert cull["enabled"] is True and cull["users"] is False


SERVICE_RULES = {
    # The course's Dockerfile exercise is about the booking service: these checks are about *that*
    # service (its /health/live route, an ASGI server serving its app factory, the Alembic files its
    # migration job runs). A learner's image runs a Jupyter server whose command KubeSpawner sets
    # and whose health the hub itself watches.
    rules.healthcheck_problems,
    rules.run_problems,
    rules.migration_files_problems,
}


def test_the_user_image_passes_the_courses_dockerfile_checks():
    instructions = read_dockerfile(KUBERNETES / "Dockerfile")
    judged = {rule.problems for rule in rules.DOCKERFILE_CHECKS}
    assert SERVICE_RULES <= judged, "the course's checks changed: review which ones apply"
    assert len(judged - SERVICE_RULES) >= 5
    for rule in rules.DOCKERFILE_CHECKS:
        if rule.problems not in SERVICE_RULES:
            assert rule.problems(instructions) == [], rule.text


def test_the_user_image_holds_every_course_folder_a_learners_home_is_laid_out_from():
    """`workshop.singleuser` copies these from /opt/course; one missing from the image is missing
    from every learner's course (src/bookings once was: `onboard begin 02` failed)."""
    from onboarding.artefacts.dockerfile import copies, stages
    from workshop.singleuser import COURSE_FOLDERS_REPLACED

    final = stages(read_dockerfile(KUBERNETES / "Dockerfile"))[-1]
    copied = {
        (source, copy.destination)
        for copy in copies(final)
        if copy.from_stage is None
        for source in copy.sources
    }
    for folder in (*COURSE_FOLDERS_REPLACED, "notebooks", "templates"):
        assert (folder, f"/opt/course/{folder}") in copied, folder


def test_the_dashboard_deployment_matches_the_hub_and_the_service():
    documents = list(yaml.safe_load_all((KUBERNETES / "dashboard.yaml").read_text()))
    deployment_doc = next(d for d in documents if d["kind"] == "Deployment")
    container = deployment_doc["spec"]["template"]["spec"]["containers"][0]
    image = values()["singleuser"]["image"]
    assert container["image"] == f"{image['name']}:{image['tag']}"
    env = {item["name"]: item.get("value") for item in container["env"]}
    prefix = env["JUPYTERHUB_SERVICE_PREFIX"]
    assert container["readinessProbe"]["httpGet"]["path"] == f"{prefix}health"
    assert env["JUPYTERHUB_CLIENT_ID"] == f"service-{hubconfig.DASHBOARD}"
    assert "WORKSHOP_DASHBOARD_DB" in env and "JUPYTERHUB_API_TOKEN" in env
    service_url = values()["hub"]["services"][hubconfig.DASHBOARD]["url"]
    assert service_url.endswith(f":{container['ports'][0]['containerPort']}")


def test_the_benchmarks_sizing_table_uses_the_memory_guarantee_of_the_values():
    from jupyterhub.traitlets import ByteSpecification

    from workshop import bench

    guarantee = values()["singleuser"]["memory"]["guarantee"]
    in_bytes = ByteSpecification().validate(None, guarantee)
    assert in_bytes == bench.K8S_MEMORY_GUARANTEE_GIB * 2**30
