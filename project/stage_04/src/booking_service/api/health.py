"""Health checks for the platform: liveness (is the process alive?) and readiness (can it serve?).

A failed liveness probe gets the container restarted, so liveness checks nothing outside the
process: a restart cannot fix a database. A failed readiness probe only takes the container out
of the load balancer until it passes again, so readiness checks what a request needs: the
database, with the schema this code needs.
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing

from fastapi import APIRouter

from ..core.db import current_revision, open_database, revisions
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
    if revision not in known:
        # A newer release migrated it: the code was rolled back, the database was not.
        raise NotReady(f"The database is at revision {revision}, which this release does not know.")
    if revision != known[-1]:
        raise NotReady(f"The database is at revision {revision}; this release needs {known[-1]}.")
    # The revision's place in the history: 1 for the first, and so on.
    return Readiness(status="ok", schema_version=known.index(revision) + 1)
