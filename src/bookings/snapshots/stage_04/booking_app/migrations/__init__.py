# Written by bookings.snapshots.build from bookings/migrations/__init__.py.
# In the course repository edit the source and rebuild; in your project it is yours.
"""Schema migrations for the booking service.

The migration files sit beside this module, named ``NNN_name.py``; each defines ``up`` and
``down`` as SQL text or as a function taking the database. ``runner.py`` applies them.
"""

from .runner import (
    MIGRATIONS_DIR,
    Migration,
    MigrationError,
    applied_versions,
    apply_migrations,
    current_version,
    load_migration,
    load_migrations,
    rollback,
    service_migrations,
)

__all__ = [
    "MIGRATIONS_DIR",
    "Migration",
    "MigrationError",
    "applied_versions",
    "apply_migrations",
    "current_version",
    "load_migration",
    "load_migrations",
    "rollback",
    "service_migrations",
]
