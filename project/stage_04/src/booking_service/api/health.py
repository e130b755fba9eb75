"""Health checks for the platform: liveness (is the process alive?) and readiness (can it serve?).

A failed liveness probe gets the container restarted, so liveness checks nothing outside the
process: a restart cannot fix a database. A failed readiness probe only takes the container out
of the load balancer until it passes again, so readiness checks what a request needs: the
database, with at least the schema this code needs (a newer one, which a newer release's
migration job left, will do).
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing

from fastapi import APIRouter

from ..core.db import (
    current_revision,
    is_ahead_of_this_release,
    open_database,
    revisions,
)
from ..errors import NotReady
from ..models import Health, Problem, Readiness
from .deps import SettingsDep

router = APIRouter(tags=["health"])
logger = logging.getLogger(__name__)


@router.get("/health/live")
def get_liveness() -> Health:
    """Report that the process is up; it checks nothing outside the process."""
    return Health(status="ok")


@router.get("/health/ready", responses={503: {"model": Problem}})
def get_readiness(settings: SettingsDep) -> Readiness:
    """Report whether the service can serve requests: its database answers with its schema."""
    if not settings.database.is_file():
        # Opening a missing file would create an empty database: an unmounted volume would
        # look ready.
        raise NotReady("The database file does not exist; is its volume mounted?")
    try:
        with closing(open_database(settings.database)) as db:
            # Alembic's record of the revision: one row, cheap enough for a probe every few
            # seconds, and it proves the file opens, is a database and has been migrated.
            revision = current_revision(db)
            db.execute("SELECT 1 FROM bookings LIMIT 1").fetchall()
    except sqlite3.Error as error:
        logger.warning("readiness check failed", exc_info=error)
        raise NotReady(f"The database cannot be read: {error}.") from None
    known = revisions()
    if revision is None:
        raise NotReady("The database has no Alembic revision; run the migrations.")
    if is_ahead_of_this_release(revision):
        # A newer release's migration job moved it on: this release is still serving while the
        # new one rolls out, or it was rolled back. Expand/contract keeps the newer schema usable
        # by this code, so it stays ready (503 would take every old replica out of the load
        # balancer during each deploy); the warning says that the code is behind its database.
        logger.warning(
            "database at revision %s, newer than this release's %s: serving it as it is",
            revision,
            known[-1],
        )
        # The newest schema this release knows, which the database has, and more.
        return Readiness(status="ok", schema_version=len(known))
    if revision != known[-1]:
        raise NotReady(f"The database is at revision {revision}; this release needs {known[-1]}.")
    # The revision's place in the history: 1 for the first, and so on.
    return Readiness(status="ok", schema_version=known.index(revision) + 1)
