"""`python -m booking_service.migrate`: the migration job that runs before each deploy.

CI (or a Kubernetes Job) starts it once, from the release's image, against the service's
database (`BOOKING_DATABASE`, which the service reads too), and the deploy waits for it. It runs
Alembic with the project's alembic.ini, from the folder the job starts in (/app in the image) or
from the project. It exits with 1 when a revision fails, so that the pipeline stops before the
deploy; each revision commits on its own, so the database is left at the revision before.

    python -m booking_service.migrate                      # upgrade to the newest revision
    python -m booking_service.migrate --downgrade-to 0001  # undo the revisions after 0001
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from pathlib import Path

DATABASE_VARIABLE = "BOOKING_DATABASE"


def find_config() -> Path:
    """alembic.ini in the job's folder, or in the project this module belongs to."""
    for folder in (Path.cwd(), Path(__file__).resolve().parents[2]):
        if (folder / "alembic.ini").is_file():
            return folder / "alembic.ini"
    raise SystemExit("alembic.ini not found: start the job in the folder that holds it")


def current_revision(database: str) -> str | None:
    if not Path(database).is_file():
        return None
    with sqlite3.connect(database) as connection:
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError:
            return None
    return row[0] if row else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m booking_service.migrate",
        description="Upgrade (or downgrade) the booking service's database with Alembic.",
    )
    parser.add_argument("--database", help=f"SQLite file (default: ${DATABASE_VARIABLE})")
    parser.add_argument(
        "--downgrade-to", metavar="REVISION", help="downgrade to REVISION instead of upgrading"
    )
    options = parser.parse_args(argv)
    ### BEGIN SOLUTION 07.4
    from alembic import command
    from alembic.config import Config

    database = options.database or os.environ.get(DATABASE_VARIABLE)
    if not database:
        parser.error(f"no database: set {DATABASE_VARIABLE} or pass --database")
    # migrations/env.py reads the database from the same variable.
    os.environ[DATABASE_VARIABLE] = database
    config = Config(str(find_config()))
    before = current_revision(database)
    try:
        if options.downgrade_to:
            command.downgrade(config, options.downgrade_to)
        else:
            command.upgrade(config, "head")
    except Exception as error:  # noqa: BLE001 - the job reports any failure, then exits 1
        print(
            f"migration failed, database left at revision {current_revision(database)}: "
            f"{type(error).__name__}: {error}",
            file=sys.stderr,
        )
        return 1
    print(f"{database}: revision {before} -> {current_revision(database)}")
    return 0
    ### END SOLUTION


if __name__ == "__main__":
    sys.exit(main())
