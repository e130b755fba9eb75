"""Alembic's environment for the service: how `upgrade`, `downgrade` and `--sql` reach the database.

`bookings.migrations` hands over an open connection (`config.attributes["connection"]`);
`alembic -x database=PATH …` and `$BOOKINGS_DATABASE` work too, for a run from the shell.
`render_as_batch=True` because SQLite's ALTER TABLE cannot change or drop a constraint: batch
mode rebuilds the table instead. Schema changes need real transactions, which the engine of
`bookings.migrations.transactional_engine` gives (its docstring says why).
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy.engine import Connection

from bookings.migrations import DATABASE_VARIABLE, transactional_engine

config = context.config
SETTINGS = {
    "render_as_batch": True,
    # Each revision commits with its alembic_version row: a failed one leaves the database at
    # the revision before it.
    "transactional_ddl": True,
    "transaction_per_migration": True,
}


def database_url() -> str:
    path = context.get_x_argument(as_dictionary=True).get("database")
    path = path or os.environ.get(DATABASE_VARIABLE) or config.get_main_option("sqlalchemy.url")
    if not path:
        raise SystemExit(f"No database given: set {DATABASE_VARIABLE}, or pass -x database=PATH")
    return path if "://" in path else f"sqlite:///{path}"


def run_on(connection: Connection) -> None:
    context.configure(connection=connection, **SETTINGS)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    # `alembic upgrade --sql`: print the SQL for review instead of running it.
    context.configure(url=database_url(), literal_binds=True, **SETTINGS)
    with context.begin_transaction():
        context.run_migrations()
elif config.attributes.get("connection") is not None:
    run_on(config.attributes["connection"])
else:
    with transactional_engine(database_url()).connect() as connection:
        run_on(connection)
