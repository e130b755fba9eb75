"""Alembic's environment: how `alembic upgrade`, `downgrade` and `--sql` reach the database.

It depends on nothing but Alembic and SQLAlchemy, so the migration job can run it before the
service's own code is even importable. Which database, first found first:

1. a connection handed over in `config.attributes["connection"]` (tests pass one);
2. `alembic -x database=PATH …`;
3. the environment variable named by `database_variable` in alembic.ini (`BOOKING_DATABASE`),
   the one the service reads its database from;
4. `sqlalchemy.url` in alembic.ini.

SQLite needs two settings here:

- `render_as_batch=True`: SQLite's ALTER TABLE cannot change or drop a constraint, so Alembic's
  batch mode rebuilds the table instead (copy, drop, rename), and autogenerate writes batch
  operations;
- real transactions for schema changes: Python's sqlite3 module, in its default (legacy)
  transaction handling, opens a transaction only before INSERT, UPDATE or DELETE, so an ALTER
  TABLE would commit on its own.
  The engine below turns that off and lets SQLAlchemy send BEGIN, so that each revision and
  its `alembic_version` update commit together, or not at all.
"""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine

config = context.config
if config.config_file_name and config.attributes.get("configure_logger", True):
    # `alembic …` in a terminal logs each revision it runs ("Running upgrade 0001 -> 0002").
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    chosen = context.get_x_argument(as_dictionary=True).get("database")
    variable = config.get_main_option("database_variable")
    if not chosen and variable:
        chosen = os.environ.get(variable)
    if chosen:
        return chosen if "://" in chosen else f"sqlite:///{chosen}"
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit(
            f"No database given: set {variable or 'sqlalchemy.url'}, or pass -x database=PATH"
        )
    return url


def transactional_engine(url: str) -> Engine:
    """An engine whose transactions include schema changes (see the module's docstring)."""
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def leave_transactions_to_sqlalchemy(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")

    return engine


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        render_as_batch=True,
        # Each revision commits with its alembic_version row: a failed one leaves the database
        # at the revision before it.
        transactional_ddl=True,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    # `alembic upgrade --sql`: print the SQL for review instead of running it.
    context.configure(
        url=database_url(),
        literal_binds=True,
        render_as_batch=True,
        transactional_ddl=True,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()
elif config.attributes.get("connection") is not None:
    run_on(config.attributes["connection"])
else:
    engine = transactional_engine(database_url())
    try:
        with engine.connect() as connection:
            run_on(connection)
    finally:
        # Close the file now, not when the garbage collector gets to it: the service runs this
        # at each start-up, and its tests once per database.
        engine.dispose()
