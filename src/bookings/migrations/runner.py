"""A small versioned migration runner with up *and* down steps.

sqlite-utils' own ``Migrations`` (which sqlite-migrate re-exports) only moves forward: it has
no down step, and it keys migrations by name rather than by an ordered version. The course
teaches rolling a change back, and its stage 03 check runs a learner's own migration against a
copy of a seeded database, so this runner is written out here, small enough to read in one go:

- a migration is a ``Migration(version, name, up, down)``; ``up`` and ``down`` are either SQL
  text or a function taking the database, so a learner's migration can be passed in directly;
- ``_migrations`` records which versions are applied, and versions are applied in order;
- each step runs in its own transaction together with its ``_migrations`` row, so a step that
  fails halfway leaves the database exactly as it was;
- applying an already-applied version does nothing.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlite_utils import Database

MIGRATIONS_TABLE = "_migrations"
# The service's own migration files sit beside this module.
MIGRATIONS_DIR = Path(__file__).parent
FILE_NAME = re.compile(r"^(?P<version>\d+)_(?P<name>\w+)\.py$")

Step = Callable[[Database], None] | str


class MigrationError(Exception):
    """The migrations cannot be applied or rolled back as asked."""


@dataclass(frozen=True)
class Migration:
    """One schema change: `up` applies it, `down` undoes it (None means irreversible)."""

    version: int
    name: str
    up: Step
    down: Step | None = None

    def __post_init__(self) -> None:
        if self.version < 1:
            raise MigrationError(f"migration versions start at 1, got {self.version}")


def load_migration(path: Path) -> Migration:
    """Load a migration file named like ``002_cancelled_state.py`` that defines `up`/`down`."""
    match = FILE_NAME.match(path.name)
    if match is None:
        raise MigrationError(f"{path.name}: migration files are named NNN_name.py")
    # The file name starts with a digit, so it cannot be imported by name; load it by path.
    spec = importlib.util.spec_from_file_location(f"_migration_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise MigrationError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not hasattr(module, "up"):
        raise MigrationError(f"{path.name} defines no `up`")
    return Migration(
        version=int(match["version"]),
        name=match["name"],
        up=module.up,
        down=getattr(module, "down", None),
    )


def load_migrations(directory: Path) -> list[Migration]:
    """Load every NNN_name.py migration file in `directory`, ordered by version."""
    paths = [path for path in directory.iterdir() if FILE_NAME.match(path.name)]
    return _ordered(load_migration(path) for path in paths)


def service_migrations() -> list[Migration]:
    """The service's own migrations, in order."""
    return load_migrations(MIGRATIONS_DIR)


def applied_versions(db: Database) -> list[int]:
    """Versions recorded as applied, lowest first ([] for a database never migrated)."""
    if not db[MIGRATIONS_TABLE].exists():
        return []
    rows = db.execute(f"SELECT version FROM {MIGRATIONS_TABLE} ORDER BY version")
    return [version for (version,) in rows.fetchall()]


def current_version(db: Database) -> int:
    """The highest applied version, or 0 for a database never migrated."""
    versions = applied_versions(db)
    return versions[-1] if versions else 0


def apply_migrations(
    db: Database, migrations: Iterable[Migration] | None = None, *, target: int | None = None
) -> list[int]:
    """Apply pending migrations up to `target` (default: all); return the versions applied.

    `migrations` defaults to the service's own; pass a list to run others, e.g. a learner's.
    """
    migrations = _ordered(service_migrations() if migrations is None else migrations)
    _ensure_migrations_table(db)
    applied = _check_history(db, migrations)
    if target is not None and target < max(applied, default=0):
        raise MigrationError(
            f"database is at version {max(applied)}; use rollback() to go down to {target}"
        )
    done = []
    for migration in migrations:
        if migration.version in applied:
            continue
        if target is not None and migration.version > target:
            break
        with db.atomic():
            _run(db, migration.up)
            db.execute(
                f"INSERT INTO {MIGRATIONS_TABLE} (version, name, applied_at) VALUES (?, ?, ?)",
                [migration.version, migration.name, _now()],
            )
        done.append(migration.version)
    return done


def rollback(
    db: Database, to_version: int, migrations: Iterable[Migration] | None = None
) -> list[int]:
    """Undo applied migrations above `to_version`, newest first; return the versions undone.

    `migrations` defaults to the service's own and must include every applied version.
    """
    if to_version < 0:
        raise MigrationError(f"cannot roll back to version {to_version}")
    migrations = _ordered(service_migrations() if migrations is None else migrations)
    applied = _check_history(db, migrations)
    by_version = {migration.version: migration for migration in migrations}
    to_undo = [by_version[version] for version in sorted(applied, reverse=True)]
    to_undo = [migration for migration in to_undo if migration.version > to_version]
    # Refuse before touching anything, rather than stopping halfway down.
    irreversible = [migration.version for migration in to_undo if migration.down is None]
    if irreversible:
        raise MigrationError(f"migrations {irreversible} have no down step")
    done = []
    for migration in to_undo:
        assert migration.down is not None
        with db.atomic():
            _run(db, migration.down)
            db.execute(f"DELETE FROM {MIGRATIONS_TABLE} WHERE version = ?", [migration.version])
        done.append(migration.version)
    return done


def _ordered(migrations: Iterable[Migration]) -> list[Migration]:
    ordered = sorted(migrations, key=lambda migration: migration.version)
    versions = [migration.version for migration in ordered]
    duplicates = sorted({version for version in versions if versions.count(version) > 1})
    if duplicates:
        raise MigrationError(f"more than one migration has version {duplicates}")
    return ordered


def _check_history(db: Database, migrations: Sequence[Migration]) -> set[int]:
    """Return the applied versions, after checking they agree with `migrations`."""
    known = {migration.version: migration.name for migration in migrations}
    if not db[MIGRATIONS_TABLE].exists():
        return set()
    applied = dict(db.execute(f"SELECT version, name FROM {MIGRATIONS_TABLE}").fetchall())
    unknown = sorted(set(applied) - set(known))
    if unknown:
        # Old code on a newer database would misread tables it does not know about.
        raise MigrationError(f"database has versions {unknown} that these migrations lack")
    renamed = [v for v, name in applied.items() if known[v] != name]
    if renamed:
        raise MigrationError(f"versions {renamed} were applied under another name")
    gaps = [v for v in known if v not in applied and v < max(applied, default=0)]
    if gaps:
        raise MigrationError(f"versions {gaps} are older than applied ones but were never run")
    return set(applied)


def _ensure_migrations_table(db: Database) -> None:
    db.execute(
        f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} ("
        "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )


def _run(db: Database, step: Step) -> None:
    if isinstance(step, str):
        # Inside a transaction sqlite-utils runs the statements one by one without the
        # implicit COMMIT that sqlite3's own executescript() would issue first.
        db.executescript(step)
    else:
        step(db)
    if not db.conn.in_transaction:
        # A step that commits by itself cannot be undone if a later statement fails.
        raise MigrationError("a migration step ended the runner's transaction (COMMIT?)")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
