"""Request and response bodies.

Request models reject unknown fields, so a typo such as "atendees" is a 422 rather than a
silently ignored field. Bounds on numbers keep values inside what SQLite can store.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, field_validator

MAX_CAPACITY = 10_000

RoomName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Organiser = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=254)]


class RoomCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: RoomName
    capacity: Annotated[int, Field(ge=1, le=MAX_CAPACITY)]


class Room(BaseModel):
    id: int
    name: str
    capacity: int


class BookingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organiser: Organiser
    start: AwareDatetime
    end: AwareDatetime
    attendees: Annotated[int, Field(ge=1, le=MAX_CAPACITY)]

    @field_validator("start", "end")
    @classmethod
    def utc_whole_seconds(cls, value: datetime) -> datetime:
        # Stored times are compared as text, which only works if they all share one format.
        if value.microsecond:
            raise ValueError("times must be whole seconds")
        try:
            return value.astimezone(timezone.utc)
        except OverflowError:
            raise ValueError("time is out of range") from None


class Booking(BaseModel):
    id: int
    room_id: int
    organiser: str
    start: datetime
    end: datetime
    attendees: int
    cancelled: bool
    cancelled_at: datetime | None = None


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ok"]
    schema_version: int


class Problem(BaseModel):
    """An RFC 9457 problem details body; every error response uses it."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str


class FieldError(BaseModel):
    location: str
    message: str


class ValidationProblem(Problem):
    errors: list[FieldError]
