"""Exercise 07.4: the migration job of the learner's project, run as CI would run it.

`python -m booking_service.migrate` runs in a throwaway copy of the project, in a child process
under a time limit, against a database file in that copy: on a new database (it must end at the
newest revision), a second time (it must do nothing and succeed), and with a revision added that
fails (it must exit with an error, so that the pipeline stops before the deploy, and leave the
database at the revision before). The database comes from `BOOKING_DATABASE`, the variable the
service reads (project/README.md).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from onboarding.artefacts.alembic_history import History
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


def run_job(root: Path, database: Path) -> Run:
    """`python -m booking_service.migrate` in the project folder, as the job runs it."""
    environment = {
        **os.environ,
        DATABASE_VARIABLE: str(database),
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(root / "src"), os.environ.get("PYTHONPATH")])
        ),
    }
    # Compiled modules are kept, as any Python run keeps them: a job that imports Alembic then
    # starts in half a second, not three.
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    try:
        done = subprocess.run(
            [sys.executable, "-m", MODULE],
            cwd=root,
            env=environment,
            capture_output=True,
            text=True,
            timeout=TIME_LIMIT,
        )
    except subprocess.TimeoutExpired:
        return Run(-1, f"still running after {TIME_LIMIT} s", _revision(database))
    return Run(done.returncode, (done.stderr or done.stdout).strip(), _revision(database))


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


def _last_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    return shorten(lines[-1], 140) if lines else "no output"


def upgrade_problems(root: Path, history: History) -> list[str]:
    """A new database ends at the newest revision; a second run succeeds and changes nothing."""
    if not (root / "src" / "booking_service" / "migrate.py").is_file():
        return [
            "src/booking_service/migrate.py does not exist yet — stage 07 adds it to your"
            " project (onboard begin 07)"
        ]
    database = root / ".check" / "bookings.db"
    database.parent.mkdir(exist_ok=True)
    first = run_job(root, database)
    if first.code != 0:
        return [
            f"`{COMMAND}` on a new database exited with {first.code}: {_last_line(first.output)}"
        ]
    if first.revision != history.head.id:
        return [
            f"`{COMMAND}` on a new database left it at {first.revision or 'no revision'} —"
            f" expected {history.head.id}, your newest revision"
        ]
    second = run_job(root, database)
    if second.code != 0 or second.revision != history.head.id:
        return [
            f"`{COMMAND}` run a second time exited with {second.code} and left revision"
            f" {second.revision}: {_last_line(second.output)} — a job that CI retries must be"
            " harmless"
        ]
    return []


def failure_problems(root: Path, history: History) -> list[str]:
    """With a revision that fails, the job exits non-zero and the database stays where it was.

    It runs on the database that `upgrade_problems` left at the newest revision.
    """
    database = root / ".check" / "bookings.db"
    if _revision(database) != history.head.id:
        return ["not checked: the job does not upgrade a new database (see above)"]
    failing = history.script_location / "versions" / "zz_check_fails.py"
    failing.write_text(FAILING_REVISION.format(down=history.head.id), encoding="utf-8")
    try:
        run = run_job(root, database)
    finally:
        failing.unlink()
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
