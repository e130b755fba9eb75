"""Health checks for the platform: liveness (is the process alive?) and readiness (can it serve?).

The two answer different questions, and the platform acts on them differently. A failed
liveness probe gets the container restarted, so liveness checks nothing outside the process: if
it checked the database, a database outage would restart every replica in a loop, and a restart
cannot fix a database. A failed readiness probe only takes the container out of the load
balancer until it passes again, so readiness checks what a request needs: the database.
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from functools import cache

from fastapi import APIRouter

from ..core.db import open_database
from ..errors import NotReady
from ..migrations import (
    current_revision,
    head,
    is_ahead_of_this_release,
    schema_version,
)
from ..models import Health, Problem, Readiness
from .deps import SettingsDep

router = APIRouter(tags=["health"])
logger = logging.getLogger(__name__)


@cache
def required_schema_version() -> int:
    """The newest revision this release ships: the schema its code needs, at least."""
    return schema_version(head())


@router.get("/health/live")
def get_liveness() -> Health:
    """Report that the process is up; it checks nothing outside the process."""
    return Health(status="ok")


@router.get("/health/ready", responses={503: {"model": Problem}})
def get_readiness(settings: SettingsDep) -> Readiness:
    """Report whether the service can serve requests: its database answers with its schema."""
    if not settings.database.is_file():
        # Opening a missing file would create an empty database: an unmounted volume would look
        # ready. The file must already be there, made by the migration job or a start-up.
        raise NotReady("The database file does not exist; is its volume mounted?")
    try:
        with closing(open_database(settings.database)) as db:
            # One indexed read of a small table: cheap enough for a probe every few seconds,
            # and it proves the file opens, is a database and has been migrated.
            revision = current_revision(db)
    except sqlite3.Error as error:
        logger.warning("readiness check failed", exc_info=error)
        raise NotReady(f"The database cannot be read: {error}.") from None
    needed = required_schema_version()
    if is_ahead_of_this_release(revision):
        # Migrated by a newer release's job (expand/contract keeps it usable by this one): the
        # old release keeps serving while the new one rolls out, and after a rollback. It
        # reports the newest schema it knows, which the database has, and more.
        return Readiness(status="ok", schema_version=needed)
    version = schema_version(revision)
    if version < needed:
        raise NotReady(f"The database schema is at version {version}; this release needs {needed}.")
    return Readiness(status="ok", schema_version=version)
