"""`python -m bookings.migrations`: the migration job that runs before a deploy.

CI (or a Kubernetes Job) runs this once, against the service's database, before the new release
starts; the service never has to race another instance to migrate. It exits non-zero when a
revision fails, so the pipeline stops before the deploy, and says at which revision the
database was left (each revision commits on its own).
"""

from __future__ import annotations

import argparse
import sys

from ..core.config import Settings
from . import current_revision, downgrade, upgrade


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bookings.migrations",
        description="Upgrade (or downgrade) the booking service's database with Alembic.",
    )
    parser.add_argument("--database", help="SQLite file (default: $BOOKINGS_DATABASE)")
    parser.add_argument(
        "--revision", default="head", help="upgrade to this revision (default: head, the newest)"
    )
    parser.add_argument(
        "--downgrade-to",
        metavar="REVISION",
        help="downgrade to REVISION instead of upgrading (base: undo every revision)",
    )
    options = parser.parse_args(argv)
    path = options.database or Settings.from_env().database
    try:
        if options.downgrade_to is not None:
            moved, verb = downgrade(path, options.downgrade_to), "downgraded"
        else:
            moved, verb = upgrade(path, options.revision), "upgraded"
    except Exception as error:  # noqa: BLE001 - the job reports any failure, then exits 1
        print(
            f"migration failed, database left at revision {current_revision(path) or 'none'}: "
            f"{type(error).__name__}: {error}",
            file=sys.stderr,
        )
        return 1
    done = verb if moved.before != moved.after else "nothing to do"
    print(f"{path}: revision {moved.before or 'none'} -> {moved.after or 'none'}; {done}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
