"""The course's uv.lock resolved for a project: every package it needs, with hashes and markers."""

from __future__ import annotations

import pytest

from onboarding.artefacts import uv_lock

BASE = '[project]\nname = "booking-service"\ndependencies = []\n'


def test_a_project_with_no_dependencies_still_locks_its_test_runner():
    lock = uv_lock.project_lock(BASE)
    assert {"pytest", "pluggy", "iniconfig", "packaging"} <= set(lock)
    assert all(entry["hashes"] for entry in lock.values())
    assert all(h.startswith("sha256:") for entry in lock.values() for h in entry["hashes"])


def test_transitive_dependencies_come_with_the_direct_ones():
    lock = uv_lock.project_lock(BASE.replace("[]", '["httpx>=0.27"]'))
    assert {"httpx", "httpcore", "h11", "anyio", "idna", "certifi"} <= set(lock)


def test_a_package_needed_only_somewhere_keeps_its_marker():
    lock = uv_lock.project_lock(BASE)
    assert lock["colorama"]["marker"] == "sys_platform == 'win32'"
    assert "marker" not in lock["pytest"]
    # Reached only through a marked dependency: the marker carries down the graph.
    assert "3.11" in lock["tomli"]["marker"]


def test_groups_and_optional_dependencies_are_locked_too():
    text = (
        BASE
        + '\n[project.optional-dependencies]\nyaml = ["pyyaml"]\n\n[dependency-groups]\nlint = ["ruff"]\n'
    )
    lock = uv_lock.project_lock(text)
    assert {"pyyaml", "ruff"} <= set(lock)


@pytest.mark.parametrize(
    "table",
    [
        '[project.optional-dependencies]\nlint = ["ruff"]\n',
        '[dependency-groups]\nlint = ["Ruff >= 0.6"]\n',
        '[dependency-groups]\ndev = [{include-group = "lint"}]\nlint = ["ruff"]\n',
        # uv's own table for development packages, from before PEP 735; uv locks and exports it.
        '[tool.uv]\ndev-dependencies = ["ruff"]\n',
    ],
    ids=["optional-dependencies", "dependency-groups", "included-group", "tool-uv-dev"],
)
def test_every_table_that_names_a_package_locks_it(table):
    text = BASE + "\n" + table
    assert "ruff" in uv_lock.project_lock(text)
    assert "ruff" in uv_lock.project_packages(text)


def test_where_the_lock_has_several_versions_this_pythons_is_chosen():
    lock = uv_lock.project_lock(BASE.replace("[]", '["fastapi"]'))
    versions = [package["version"] for package in uv_lock._course_lock()["fastapi"]]
    assert len(versions) > 1
    assert lock["fastapi"]["version"] in versions


@pytest.mark.parametrize(
    "dependencies",
    ["[]", '["fastapi", "httpx>=0.27"]', '["uvicorn[standard]", "sqlite-utils", "alembic"]'],
)
def test_the_names_alone_are_the_locks_names(dependencies):
    """project_packages() reads the lock without its files; it finds what project_lock() does."""
    text = BASE.replace("[]", dependencies)
    assert uv_lock.project_packages(text) == set(uv_lock.project_lock(text))


def test_emptying_the_files_keeps_every_package_and_whether_it_has_files():
    full, graph = uv_lock._course_lock(), uv_lock.course_graph()
    assert full.keys() == graph.keys()
    for name, versions in full.items():
        for package, emptied in zip(versions, graph[name], strict=True):
            assert bool(uv_lock._hashes(package)) == ("sdist" in emptied or "wheels" in emptied)
            assert not uv_lock._hashes(emptied)
            left = {key: value for key, value in package.items() if key not in ("sdist", "wheels")}
            assert left == {k: v for k, v in emptied.items() if k not in ("sdist", "wheels")}
