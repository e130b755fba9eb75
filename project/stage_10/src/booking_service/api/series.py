"""Routes for recurring weekly bookings (the capstone), behind the feature flag.

While the flag is off every series route answers 404, as if it did not exist: the release can
go out with the code dark, and the canary turns it on for a share of the traffic.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from .. import series
from ..models import Booking, BookingCreate, Problem
from .deps import DatabaseDep, RowId, RulesDep


def flag_is_on() -> None:
    if not series.enabled():
        raise HTTPException(status_code=404)


router = APIRouter(tags=["series"], dependencies=[Depends(flag_is_on)])

NOT_FOUND = {404: {"model": Problem}}
REFUSED = {409: {"model": Problem}, 422: {"model": Problem}}


class SeriesCreate(BookingCreate):
    model_config = ConfigDict(extra="forbid")

    weeks: Annotated[int, Field(ge=1, le=1000)]
    """Checked against the series rule (2 to 12) by `series.check_weeks`, which says why."""


class Series(BaseModel):
    id: int
    room_id: int
    organiser: str
    weeks: int
    cancelled: bool
    bookings: list[Booking]


@router.post("/rooms/{room_id}/series", status_code=201, responses={**NOT_FOUND, **REFUSED})
def create_series(
    room_id: RowId,
    body: SeriesCreate,
    db: DatabaseDep,
    rules: RulesDep,
    request: Request,
    response: Response,
) -> Series:
    """Book one slot every week for `weeks` weeks, all of them or none."""
    booking = BookingCreate(**body.model_dump(exclude={"weeks"}))
    created = series.create_series(db, room_id, booking, body.weeks, rules)
    response.headers["Location"] = str(request.url_for("get_series", series_id=created["id"]))
    return Series(**created)


@router.get("/series/{series_id}", responses=NOT_FOUND)
def get_series(series_id: RowId, db: DatabaseDep) -> Series:
    """Get a series and its bookings."""
    return Series(**series.get_series(db, series_id))


@router.post("/series/{series_id}/cancel", responses=NOT_FOUND)
def cancel_series(series_id: RowId, db: DatabaseDep) -> Series:
    """Cancel every booking of a series; cancelling again is harmless."""
    return Series(**series.cancel_series(db, series_id))
