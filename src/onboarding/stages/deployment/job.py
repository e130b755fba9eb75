"""Exercise 07.4: the migration job of the learner's project, run as CI would run it.

`python -m booking_service.migrate` runs in a throwaway copy of the project, in a child process
under a time limit, against a database file in that copy: on a new database (it must end at the
newest revision), a second time (it must do nothing and succeed), and with a revision added that
fails (it must exit with an error, so that the pipeline stops before the deploy, and leave the
database at the revision before). The database comes from `BOOKING_DATABASE`, the variable the
service reads (project/README.md).

The prompt asks for two options too, which the checklist's rollback step may name: `--database
PATH` instead of the variable, and `--downgrade-to REVISION` instead of the upgrade. They are
tried on a database of their own, with the variable unset: an upgrade with `--database`, then a
downgrade to the revision before the newest.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from onboarding.artefacts.alembic_history import History
from onboarding.checks import limit_paused, read_artefact
from onboarding.protocol import shorten

MODULE = "booking_service.migrate"
COMMAND = f"python -m {MODULE}"
DATABASE_VARIABLE = "BOOKING_DATABASE"
TIME_LIMIT = 60
FAILING_REVISION = '''"""A revision the check adds to make the job fail."""
revision = "zz_check_fails"
down_revision = {down!r}


def upgrade():
    raise RuntimeError("the check made this revision fail")


def downgrade():
    pass
'''


@dataclass(frozen=True)
class Run:
    code: int
    output: str
    revision: str | None


def start_job(root: Path, database: Path | None, arguments: Sequence[str] = ()) -> subprocess.Popen:
    """Start `python -m booking_service.migrate` in the project folder, as the job runs it.

    With `database` None, `BOOKING_DATABASE` is unset: the options must name the database.
    """
    environment = {
        **{name: value for name, value in os.environ.items() if name != DATABASE_VARIABLE},
        **({DATABASE_VARIABLE: str(database)} if database is not None else {}),
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(root / "src"), os.environ.get("PYTHONPATH")])
        ),
        # The environment's commands come first, as the image's `ENV PATH="/app/.venv/bin:…"`
        # puts them: a job may run `alembic upgrade head` as a command.
        "PATH": os.pathsep.join(
            filter(None, [str(Path(sys.executable).parent), os.environ.get("PATH")])
        ),
    }
    # Compiled modules are kept, as any Python run keeps them: a job that imports Alembic then
    # starts in half a second, not three.
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return subprocess.Popen(
        [sys.executable, "-m", MODULE, *arguments],
        cwd=root,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish_job(process: subprocess.Popen, database: Path) -> Run:
    try:
        with limit_paused():  # the job has its own limit, TIME_LIMIT
            out, err = process.communicate(timeout=TIME_LIMIT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return Run(-1, f"still running after {TIME_LIMIT} s", _revision(database))
    return Run(process.returncode, (err or out).strip(), _revision(database))


def run_job(root: Path, database: Path) -> Run:
    return finish_job(start_job(root, database), database)


@dataclass(frozen=True)
class Runs:
    """The three runs of the job the check makes."""

    first: Run
    """On a new database."""
    second: Run | None
    """Again, on the database the first run left."""
    failing: Run | None
    """On a copy of that database, with a revision added that fails."""


def run_all(root: Path, history: History) -> Runs:
    """Run the job on a new database; then, side by side, again and with a failing revision."""
    scratch = root.parent / "job-check"
    scratch.mkdir(exist_ok=True)
    database = scratch / "bookings.db"
    first = run_job(root, database)
    if first.code != 0 or first.revision != history.head.id:
        return Runs(first, None, None)
    # The failing run gets a project and a database of its own, so both can run at once.
    failing_root = scratch / "failing-project"
    shutil.copytree(root, failing_root, ignore=shutil.ignore_patterns("__pycache__"))
    failing_database = scratch / "failing.db"
    shutil.copyfile(database, failing_database)
    versions = failing_root / history.script_location.relative_to(root) / "versions"
    (versions / "zz_check_fails.py").write_text(
        FAILING_REVISION.format(down=history.head.id), encoding="utf-8"
    )
    second = start_job(root, database)
    failing = start_job(failing_root, failing_database)
    return Runs(first, finish_job(second, database), finish_job(failing, failing_database))


def _revision(database: Path) -> str | None:
    if not database.is_file():
        return None
    connection = sqlite3.connect(database)
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    return row[0] if row else None


def last_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    return shorten(lines[-1], 140) if lines else "no output"


def upgrade_problems(root: Path, history: History, runs: Runs) -> list[str]:
    """A new database ends at the newest revision; a second run succeeds and changes nothing."""
    first, second = runs.first, runs.second
    if first.code != 0:
        return [
            f"`{COMMAND}` on a new database exited with {first.code}: {last_line(first.output)}"
        ]
    if first.revision != history.head.id:
        return [
            f"`{COMMAND}` on a new database left it at {first.revision or 'no revision'} —"
            f" expected {history.head.id}, your newest revision"
        ]
    if second is not None and (second.code != 0 or second.revision != history.head.id):
        return [
            f"`{COMMAND}` run a second time exited with {second.code} and left revision"
            f" {second.revision}: {last_line(second.output)} — a job that CI retries must be"
            " harmless"
        ]
    return []


def failure_problems(history: History, runs: Runs) -> list[str]:
    """With a revision that fails, the job exits non-zero and the database stays where it was."""
    run = runs.failing
    if run is None:
        return ["not checked: the job does not upgrade a new database (see above)"]
    problems = []
    if run.code == 0:
        problems.append(
            f"when a revision fails, `{COMMAND}` still exits with 0, so CI would go on and deploy"
            " code whose schema is missing; let the error end the job (exit code 1)"
        )
    if run.revision != history.head.id:
        problems.append(
            f"the failed run left the database at {run.revision or 'no revision'} — expected"
            f" {history.head.id}, where it was"
        )
    return problems


def options_problems(root: Path, history: History, runs: Runs) -> list[str]:
    """`--database PATH` upgrades that file, with the variable unset; `--downgrade-to` goes back.

    Each option is given as `--option value`, as the prompt and the checklist write it, and,
    if that fails, as `--option=value`: a job that reads sys.argv by hand may take one spelling.
    """
    if runs.first.code != 0 or runs.first.revision != history.head.id:
        return ["not checked: the job does not upgrade a new database (see above)"]
    scratch = root.parent / "job-check"
    scratch.mkdir(exist_ok=True)
    problems = _options_problems(root, history, scratch / "options.db", joined=False)
    if problems and not _options_problems(
        root, history, scratch / "options-joined.db", joined=True
    ):
        return []
    return problems


def _options_problems(root: Path, history: History, database: Path, joined: bool) -> list[str]:
    def option(name: str, value: str) -> list[str]:
        return [f"{name}={value}"] if joined else [name, value]

    def shown(run: Run) -> str:
        return last_line(run.output.replace(str(database), database.name))

    to_database = option("--database", str(database))
    upgrade = finish_job(start_job(root, None, to_database), database)
    command = f"`{COMMAND} --database PATH`, with {DATABASE_VARIABLE} unset,"
    if upgrade.code != 0:
        return [f"{command} exited with {upgrade.code}: {shown(upgrade)}"]
    if upgrade.revision != history.head.id:
        return [
            f"{command} left that new database at {upgrade.revision or 'no revision'} —"
            f" expected {history.head.id}, your newest revision: upgrade the database that"
            " --database names"
        ]
    # Alembic's name for the revision before the first is "base"; the database then has none.
    before = history.head.down_revision
    target = before or "base"
    downgrade = finish_job(
        start_job(root, None, [*to_database, *option("--downgrade-to", target)]), database
    )
    command = f"`{COMMAND} --database PATH --downgrade-to {target}`"
    if downgrade.code != 0:
        return [f"{command} exited with {downgrade.code}: {shown(downgrade)}"]
    if downgrade.revision != before:
        return [
            f"{command} left the database at {downgrade.revision or 'no revision'} — expected"
            f" {before or 'no revision'}: with --downgrade-to, run Alembic's downgrade to that"
            " revision instead of the upgrade"
        ]
    return []


JOB_FILE = "src/booking_service/migrate.py"


def read_job(root: Path) -> str:
    """The job's source; a missing one says where it comes from (ArtefactError)."""
    return read_artefact(
        root / JOB_FILE,
        how_to_create=f"stage 07 adds it to your project as {JOB_FILE} (onboard begin 07)",
    )
