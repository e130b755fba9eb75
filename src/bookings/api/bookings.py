"""Routes for bookings: a room's bookings, one booking, and cancelling it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from .. import crud
from ..models import Booking, BookingCreate, Problem, ValidationProblem
from .deps import SQLITE_MAX_INTEGER, DatabaseDep, RowId, RulesDep

router = APIRouter(tags=["bookings"])

NOT_FOUND = {404: {"model": Problem}}
INVALID = {422: {"model": ValidationProblem}}
# Creating a booking is refused in two ways (RFC 9110). 409: the slot clashes with a live
# booking, the room's current state. 422: the request cannot succeed as sent, because the body is
# malformed (a ValidationProblem, with `errors`) or the booking breaks a rule on its own (an end
# before the start, too many attendees). Every one is a Problem; its `type` says which.
REFUSED = {409: {"model": Problem}, 422: {"model": Problem}}


@router.get("/rooms/{room_id}/bookings", responses={**NOT_FOUND, **INVALID})
def list_room_bookings(
    room_id: RowId,
    db: DatabaseDep,
    include_cancelled: bool = False,
    limit: Annotated[int, Query(ge=1, le=100)] = crud.DEFAULT_PAGE_SIZE,
    # SQLite cannot bind an offset above its largest integer: past it, a 422, not a 500.
    offset: Annotated[int, Query(ge=0, le=SQLITE_MAX_INTEGER)] = 0,
) -> list[Booking]:
    """List a room's bookings in start order, live ones only unless asked."""
    return crud.list_room_bookings(
        db, room_id, include_cancelled=include_cancelled, limit=limit, offset=offset
    )


@router.post(
    "/rooms/{room_id}/bookings",
    status_code=201,
    responses={**NOT_FOUND, **REFUSED},
)
def create_booking(
    room_id: RowId,
    booking: BookingCreate,
    db: DatabaseDep,
    rules: RulesDep,
    request: Request,
    response: Response,
) -> Booking:
    """Book a room, if the booking breaks no rule."""
    created = crud.create_booking(db, room_id, booking, rules)
    response.headers["Location"] = str(request.url_for("get_booking", booking_id=created.id))
    return created


@router.get("/bookings/{booking_id}", responses={**NOT_FOUND, **INVALID})
def get_booking(booking_id: RowId, db: DatabaseDep) -> Booking:
    """Get one booking, cancelled or not."""
    return crud.get_booking(db, booking_id)


@router.post("/bookings/{booking_id}/cancel", responses={**NOT_FOUND, **INVALID})
def cancel_booking(booking_id: RowId, db: DatabaseDep) -> Booking:
    """Cancel a booking and free its slot; cancelling again is harmless."""
    return crud.cancel_booking(db, booking_id)
