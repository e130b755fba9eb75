"""Routes for rooms: written for you, as an example of a route that calls crud."""

from __future__ import annotations

from fastapi import APIRouter

from .. import crud
from ..models import Problem, Room, RoomCreate, ValidationProblem
from .deps import DatabaseDep

router = APIRouter(tags=["rooms"])


@router.get("/rooms")
def list_rooms(db: DatabaseDep) -> list[Room]:
    """List all rooms."""
    return crud.list_rooms(db)


@router.post(
    "/rooms",
    status_code=201,
    responses={409: {"model": Problem}, 422: {"model": ValidationProblem}},
)
def create_room(room: RoomCreate, db: DatabaseDep) -> Room:
    """Create a room; names are unique."""
    return crud.create_room(db, room)
