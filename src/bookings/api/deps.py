"""FastAPI dependencies, with typed aliases so routes say `db: DatabaseDep`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlite_utils import Database

from ..core.config import Settings
from ..core.db import open_database
from ..rules import Rules


def get_settings(request: Request) -> Settings:
    # create_app() stores its settings on the app, so each app (and each test) has its own.
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_db(settings: SettingsDep) -> Iterator[Database]:
    db = open_database(settings.database)
    try:
        yield db
    finally:
        db.close()


DatabaseDep = Annotated[Database, Depends(get_db)]


def get_rules(request: Request) -> Rules:
    # The rules create_app() was given: the same seam as the settings.
    return request.app.state.rules


RulesDep = Annotated[Rules, Depends(get_rules)]


# SQLite's integers are signed 64-bit: 2**63 - 1 is the largest it can store or bind in a query.
# A larger number in a request would overflow the query, so every integer that reaches SQLite
# (an id, a page's offset) stops there: past it, the request is malformed (422), as the spec
# says, not a server error.
SQLITE_MAX_INTEGER = 2**63 - 1

# Ids are SQLite rowids: positive 64-bit integers. A larger number can name no row.
MAX_ROW_ID = SQLITE_MAX_INTEGER
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
