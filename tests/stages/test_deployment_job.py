"""Stage 07, exercise 07.4: the project's migration job, run as CI runs it, and the checklist."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from onboarding import project
from onboarding.checks import Given, evaluate
from onboarding.stages.deployment import checks

MODEL = project.reference("07")
JOB = "src/booking_service/migrate.py"
CHECKLIST = "docs/deployment-checklist.md"
UPGRADES, FAILS, OPTIONS, ROLLBACK = (e.text for e in checks.JOB)


def verdicts(tmp_path: Path, files: dict[str, str | None]) -> dict[str, str]:
    workspace = tmp_path / "workspace"
    root = project.locate(workspace)
    project.write_files(root, MODEL)
    for relative, text in files.items():
        if text is None:
            (root / relative).unlink()
        else:
            (root / relative).write_text(text)
    given = Given(workspace=workspace)
    results = [evaluate(e.text, lambda e=e: e.run(given), e.hint) for e in checks.JOB]
    return {result.text: result.found for result in results if not result.passed}


def test_the_model_job_and_checklist_pass(tmp_path):
    assert verdicts(tmp_path, {}) == {}


def test_the_starting_job_says_it_is_not_written(tmp_path):
    found = verdicts(tmp_path, {JOB: project.starting("07")[JOB]})
    assert found[UPGRADES] == (
        "`python -m booking_service.migrate` on a new database exited with 1: NotImplementedError:"
        " Exercise 07.4: replace this line with your code"
    )
    assert found[FAILS] == "not checked: the job does not upgrade a new database (see above)"


def test_a_job_that_hides_a_failed_migration_is_named(tmp_path):
    swallowing = MODEL[JOB].replace("        return 1\n", "        return 0\n", 1)
    assert swallowing != MODEL[JOB]
    assert verdicts(tmp_path, {JOB: swallowing}) == {
        FAILS: "when a revision fails, `python -m booking_service.migrate` still exits with 0, so"
        " CI would go on and deploy code whose schema is missing; let the error end the job (exit"
        " code 1)"
    }


def test_a_job_that_stops_short_of_the_head_is_named(tmp_path):
    short = MODEL[JOB].replace('command.upgrade(config, "head")', 'command.upgrade(config, "0001")')
    assert verdicts(tmp_path, {JOB: short})[UPGRADES] == (
        "`python -m booking_service.migrate` on a new database left it at 0001 — expected 0002,"
        " your newest revision"
    )


def test_a_job_that_lets_the_exception_end_it_fails_only_the_options(tmp_path):
    """Letting the exception end the job is right; the prompt asks for the two options too."""
    plain = (
        "import os\nfrom alembic import command\nfrom alembic.config import Config\n\n"
        "if __name__ == '__main__':\n"
        "    assert os.environ['BOOKING_DATABASE']\n"
        "    command.upgrade(Config('alembic.ini'), 'head')\n"
    )
    assert verdicts(tmp_path, {JOB: plain}) == {
        OPTIONS: "`python -m booking_service.migrate --database PATH`, with BOOKING_DATABASE"
        " unset, exited with 1: KeyError: 'BOOKING_DATABASE'"
    }


def alembic_command_job(run: str) -> str:
    """A job that runs Alembic's own command line with the arguments `step`, as a child process.

    It reads its two options from sys.argv by hand, as `--option value` or `--option=value`.
    """
    return (
        "import os\nimport subprocess\nimport sys\n\n\n"
        "def option(name):\n"
        "    for at, argument in enumerate(sys.argv):\n"
        "        if argument == name:\n            return sys.argv[at + 1]\n"
        "        if argument.startswith(name + '='):\n"
        "            return argument.split('=', 1)[1]\n"
        "    return None\n\n\n"
        "def main() -> int:\n"
        "    database = option('--database') or os.environ['BOOKING_DATABASE']\n"
        "    os.environ['BOOKING_DATABASE'] = database\n"
        "    target = option('--downgrade-to')\n"
        "    step = ['downgrade', target] if target else ['upgrade', 'head']\n"
        f"    {run}\n\n\n"
        "if __name__ == '__main__':\n    sys.exit(main())\n"
    )


@pytest.mark.parametrize(
    "job",
    [
        alembic_command_job(
            "return subprocess.run([sys.executable, '-m', 'alembic', *step]).returncode"
        ),
        # The image's PATH starts with the environment's commands, where `alembic` is.
        alembic_command_job("return subprocess.call(['alembic', *step])"),
        alembic_command_job("from alembic.config import main as alembic\n    alembic(argv=step)"),
    ],
    ids=["python-m-alembic", "alembic-command", "alembic-config-main"],
)
def test_a_job_that_runs_alembics_command_line_passes(tmp_path, job):
    assert verdicts(tmp_path, {JOB: job}) == {}


def test_a_job_that_ignores_the_alembic_commands_exit_code_is_named(tmp_path):
    job = alembic_command_job("subprocess.run(['alembic', *step])\n    return 0")
    assert FAILS in verdicts(tmp_path, {JOB: job})


CLICK_JOB = """import os

import click
from alembic import command
from alembic.config import Config


@click.command()
@click.option("--database", envvar="BOOKING_DATABASE", required=True)
@click.option("--downgrade-to", "target")
def main(database, target):
    os.environ["BOOKING_DATABASE"] = database
    config = Config("alembic.ini")
    if target:
        command.downgrade(config, target)
    else:
        command.upgrade(config, "head")


if __name__ == "__main__":
    main()
"""
# Reads sys.argv by hand and takes only `--option=value`: the check tries that spelling too.
JOINED_OPTIONS_JOB = """import os
import sys

from alembic import command
from alembic.config import Config

options = dict(argument.split("=", 1) for argument in sys.argv[1:])
os.environ["BOOKING_DATABASE"] = options.get("--database") or os.environ["BOOKING_DATABASE"]
config = Config("alembic.ini")
if "--downgrade-to" in options:
    command.downgrade(config, options["--downgrade-to"])
else:
    command.upgrade(config, "head")
"""


@pytest.mark.parametrize("job", [CLICK_JOB, JOINED_OPTIONS_JOB], ids=["click", "joined-only"])
def test_a_job_that_reads_its_options_another_way_passes(tmp_path, job):
    assert verdicts(tmp_path, {JOB: job}) == {}


@pytest.mark.parametrize(
    ("old", "new", "finding"),
    [
        (
            "if options.downgrade_to:",
            "if False:",
            "`python -m booking_service.migrate --database PATH --downgrade-to 0001` left the"
            " database at 0002 — expected 0001: with --downgrade-to, run Alembic's downgrade to"
            " that revision instead of the upgrade",
        ),
        (
            "options.database or os.environ.get(DATABASE_VARIABLE)",
            "os.environ.get(DATABASE_VARIABLE) or 'bookings.db'",
            "`python -m booking_service.migrate --database PATH`, with BOOKING_DATABASE unset,"
            " left that new database at no revision — expected 0002, your newest revision:"
            " upgrade the database that --database names",
        ),
    ],
    ids=["always-upgrades", "ignores-database"],
)
def test_a_job_that_ignores_an_option_is_named(tmp_path, old, new, finding):
    ignoring = MODEL[JOB].replace(old, new, 1)
    assert ignoring != MODEL[JOB]
    assert verdicts(tmp_path, {JOB: ignoring}) == {OPTIONS: finding}


def test_a_missing_job_says_where_it_goes(tmp_path):
    assert verdicts(tmp_path, {JOB: None})[UPGRADES] == (
        "migrate.py does not exist yet — stage 07 adds it to your project as"
        " src/booking_service/migrate.py (onboard begin 07)"
    )


@pytest.mark.parametrize(
    ("step", "finding"),
    [
        (
            "alembic downgrade base",
            "the Rollback plan says `alembic downgrade base`, which undoes revisions 0001, 0002"
            " (every table dropped); undoing your revision 0002 is `alembic downgrade 0001` (or"
            " `alembic downgrade -1`)",
        ),
        (
            "restore the backup",
            "the Rollback plan gives no downgrade command; undoing your revision 0002 is `alembic"
            " downgrade 0001` (or `alembic downgrade -1`)",
        ),
    ],
)
def test_a_checklist_whose_rollback_step_misses_the_downgrade_is_named(tmp_path, step, finding):
    text = MODEL[CHECKLIST].replace(
        "runs `alembic downgrade 0001`\n     (`python -m booking_service.migrate --downgrade-to 0001`)",
        f"runs `{step}`",
    )
    assert text != MODEL[CHECKLIST]
    assert verdicts(tmp_path, {CHECKLIST: text}) == {ROLLBACK: finding}


def test_a_deleted_checklist_is_one_clear_line(tmp_path):
    assert verdicts(tmp_path, {CHECKLIST: None})[ROLLBACK] == (
        "deployment-checklist.md does not exist yet — create it in your project folder,"
        " service/docs/ in your workspace"
    )


def test_the_job_never_changes_the_learners_project(tmp_path):
    workspace = tmp_path / "workspace"
    root = project.locate(workspace)
    project.write_files(root, MODEL)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    given = Given(workspace=workspace)
    assert all(evaluate(e.text, lambda e=e: e.run(given)).passed for e in checks.JOB)
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


# What the service's start-up makes, the script prints: the revision, the readiness probe's
# answer, and the schema and rows the job must leave as they are.
SERVICE_START_UP = """
import json, sqlite3, sys
from booking_service.core.config import Settings
from booking_service.main import create_app
from fastapi.testclient import TestClient

database = sys.argv[1]
with TestClient(create_app(Settings(database=database, log_level="WARNING"))) as client:
    assert client.post("/rooms", json={"name": "Ada", "capacity": 4}).status_code == 201
    ready = client.get("/health/ready")
print(json.dumps({"ready": [ready.status_code, ready.json()]}))
"""


def database_contents(database: Path) -> dict[str, object]:
    with contextlib.closing(sqlite3.connect(database)) as db:
        schema = db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        revision = db.execute("SELECT version_num FROM alembic_version").fetchall()
        rooms = db.execute("SELECT * FROM rooms").fetchall()
    return {"schema": schema, "revision": revision, "rooms": rooms}


@pytest.mark.parametrize(("stage", "head", "count"), [("07", "0002", 2), ("10", "0003", 3)])
def test_the_job_upgrades_a_database_the_service_created_without_changing_it(
    tmp_path, stage, head, count
):
    """The service's start-up and the migration job run the same Alembic revisions.

    A database the service made for itself is at Alembic's head, with its alembic_version row, so
    the job has nothing to do: it exits with 0 and changes nothing (a schema made some other way
    would make its `upgrade` fail on "table rooms already exists").
    """
    root = tmp_path / "service"
    project.materialise(stage, root)
    database = tmp_path / "bookings.db"
    started = python_in(root, "-c", SERVICE_START_UP, str(database))
    assert started.returncode == 0, started.stderr
    assert json.loads(started.stdout)["ready"] == [200, {"status": "ok", "schema_version": count}]
    made = database_contents(database)
    assert made["revision"] == [(head,)]
    job = python_in(root, "-m", "booking_service.migrate", "--database", str(database))
    assert job.returncode == 0, job.stderr
    assert f"revision {head} -> {head}" in job.stdout
    assert database_contents(database) == made


def python_in(root: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Python in the project folder `root`, importing its package, as the job runs there."""
    environment = {**os.environ, "PYTHONPATH": str(root / "src")}
    environment.pop("BOOKING_DATABASE", None)
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
