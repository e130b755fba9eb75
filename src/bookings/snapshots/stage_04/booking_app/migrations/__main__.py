# Written by bookings.snapshots.build from bookings/migrations/__main__.py.
# In the course repository edit the source and rebuild; in your project it is yours.
"""`python -m bookings.migrations`: the migration job that runs before a deploy.

CI (or a Kubernetes Job) runs this once, against the service's database, before the new release
starts; the service never has to race another instance to migrate.
"""

from __future__ import annotations

import argparse
import sys

from ..core.config import Settings
from ..core.db import open_database
from .runner import MigrationError, apply_migrations, current_version, rollback


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bookings.migrations",
        description="Apply (or roll back) the booking service's schema migrations.",
    )
    parser.add_argument("--database", help="SQLite file (default: $BOOKINGS_DATABASE)")
    parser.add_argument("--target", type=int, help="migrate up to this version (default: latest)")
    parser.add_argument(
        "--rollback-to",
        type=int,
        metavar="VERSION",
        help="roll back down to VERSION instead of migrating up",
    )
    options = parser.parse_args(argv)
    path = options.database or Settings.from_env().database
    database = open_database(path)
    try:
        before = current_version(database)
        if options.rollback_to is not None:
            done = rollback(database, options.rollback_to)
            verb = "rolled back"
        else:
            done = apply_migrations(database, target=options.target)
            verb = "applied"
        after = current_version(database)
    except (MigrationError, Exception) as error:  # noqa: BLE001 - the job reports any failure
        # Each step runs in its own transaction, so the version read here is the truth.
        print(
            f"migration failed, database left at version {current_version(database)}: "
            f"{type(error).__name__}: {error}",
            file=sys.stderr,
        )
        return 1
    finally:
        database.close()
    print(f"{path}: version {before} -> {after}; {verb}: {', '.join(map(str, done)) or 'nothing'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
