"""`onboarding.pytest_bytecode`: pytest's rewritten bytecode of its plugins, written once at set-up.

Each test installs a made-up pytest plugin distribution in a folder of its own (a package, and a
dist-info folder naming it in the `pytest11` group) and puts that folder on PYTHONPATH of the
child processes, so nothing in the course's environment is written.
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

import pytest

from onboarding import pytest_bytecode

REWRITTEN_TAIL = f".{sys.implementation.cache_tag}-pytest-{pytest.__version__}.pyc"
HELPERS = "def double(x):\n    assert x is not None\n    return 2 * x\n"


def install(site: Path, name: str, modules: dict[str, str]) -> Path:
    """A distribution called `name` with a pytest plugin, its modules given as path → source."""
    package = site / name
    for relative, source in modules.items():
        (package / relative).parent.mkdir(parents=True, exist_ok=True)
        (package / relative).write_text(source)
    info = site / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[pytest11]\n{name} = {name}.plugin\n")
    files = [f"{name}/{relative}" for relative in modules]
    files += [f"{info.name}/METADATA", f"{info.name}/entry_points.txt", f"../../bin/{name}"]
    (info / "RECORD").write_text("".join(f"{file},,\n" for file in files))
    return package


@pytest.fixture
def site(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.setenv("PYTHONPATH", str(folder))
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")  # as in CI, and in many containers
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    return folder


@pytest.fixture
def plugin(site) -> Path:
    return install(
        site,
        "fakeplug",
        {
            "__init__.py": "",
            "plugin.py": "",
            "helpers.py": HELPERS,
            "tools/__init__.py": "",
            "tools/more.py": "VALUE = 3\n",
            "needs_missing.py": "import a_module_nobody_installed\n",
            "data/not-a-module.py": "",
        },
    )


def rewritten(package: Path) -> set[str]:
    """The modules of `package` that have pytest's rewritten bytecode, as paths below it."""
    return {
        str(path.parent.parent.relative_to(package) / path.name.removesuffix(REWRITTEN_TAIL))
        for path in package.rglob(f"*{REWRITTEN_TAIL}")
    }


def write(*names: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "onboarding.pytest_bytecode", *names]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def debug_log_of_a_run_importing(module: str, folder: Path) -> str:
    """pytest's debug log of a run that imports `module`, with plugins autoloaded."""
    (folder / "test_uses_it.py").write_text(f"import {module}\n\ndef test_it():\n    pass\n")
    # Only the made-up plugin is loaded; the environment's own would only slow the run down.
    others = {point.name for point in importlib.metadata.entry_points(group="pytest11")}
    blocked = [argument for name in sorted(others) for argument in ("-p", f"no:{name}")]
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *blocked]
    command += ["--rootdir", str(folder), "-c", os.devnull, "--debug", str(folder / "debug.log")]
    run = subprocess.run(command + [str(folder)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    return (folder / "debug.log").read_text()


def test_module_names_are_the_distributions_python_files_packages_first(plugin):
    distribution = importlib.metadata.PathDistribution(plugin.parent / "fakeplug-1.0.dist-info")
    assert pytest_bytecode.module_names(distribution) == [
        "fakeplug",
        "fakeplug.helpers",
        "fakeplug.needs_missing",
        "fakeplug.plugin",
        "fakeplug.tools",
        "fakeplug.tools.more",
    ]


def test_every_importable_module_gets_pytests_rewritten_bytecode(plugin):
    run = write("fakeplug")
    assert run.returncode == 0, run.stderr
    assert "fakeplug: 5 modules imported under pytest's hook" in run.stdout
    # pytest compiles a module before running it, so one whose import fails has its bytecode too.
    assert rewritten(plugin) == {
        "__init__",
        "plugin",
        "helpers",
        "needs_missing",
        "tools/__init__",
        "tools/more",
    }


def test_pytest_reads_it_back_where_bytecode_is_never_written(plugin, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    helpers = plugin / "helpers.py"
    # Without it, every start rewrites the module again: nothing is left behind to read.
    assert f"rewriting {helpers!r}" in debug_log_of_a_run_importing("fakeplug.helpers", project)
    assert rewritten(plugin) == set()

    assert write("fakeplug").returncode == 0
    log = debug_log_of_a_run_importing("fakeplug.helpers", project)
    assert f"found cached rewritten pyc for {helpers}" in log
    assert f"rewriting {helpers!r}" not in log


def test_a_changed_module_is_rewritten_again_by_pytest(plugin, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    assert write("fakeplug").returncode == 0
    helpers = plugin / "helpers.py"
    helpers.write_text(HELPERS + "\nTRIPLE = 3\n")
    log = debug_log_of_a_run_importing("fakeplug.helpers", project)
    assert f"rewriting {helpers!r}" in log


def test_a_distribution_that_hangs_is_stopped_named_and_the_others_still_written(
    plugin, site, monkeypatch
):
    install(site, "sleepy", {"__init__.py": "import time\ntime.sleep(120)\n", "plugin.py": ""})
    monkeypatch.setattr(pytest_bytecode, "SECONDS_PER_DISTRIBUTION", 5)
    said = []
    assert pytest_bytecode.write_all(["sleepy", "fakeplug"], progress=said.append) is False
    assert said[0] == "  sleepy: stopped after 5 s; pytest will rewrite it"
    assert said[-1].startswith("pytest's bytecode for its plugins' packages written in")
    assert "helpers" in rewritten(plugin)


def test_a_distribution_that_fails_is_named_with_its_error(plugin):
    said = []
    assert pytest_bytecode.write_all(["ghost", "fakeplug"], progress=said.append) is False
    assert said[0] == (
        "  ghost: failed (python -m onboarding.pytest_bytecode: error: no distribution called "
        "'ghost' is installed); pytest will rewrite it at each start"
    )
    assert "helpers" in rewritten(plugin)


def test_every_distribution_written_is_reported_as_such(plugin):
    said = []
    assert pytest_bytecode.write_all(["fakeplug"], progress=said.append) is True
    assert len(said) == 1


def test_an_unknown_distribution_is_refused_by_name():
    run = write("no-such-distribution")
    assert run.returncode == 2
    assert "no distribution called 'no-such-distribution' is installed" in run.stderr


def test_help_says_what_it_is_for():
    run = write("--help")
    assert run.returncode == 0
    assert "PYTHONDONTWRITEBYTECODE" in run.stdout


def test_the_environments_set_up_writes_it():
    recipe = (Path(__file__).parents[2] / "Makefile").read_text()
    synced = recipe[recipe.index("$(SYNCED):") :].split("\n\n")[0]
    assert "-m onboarding.pytest_bytecode" in synced
