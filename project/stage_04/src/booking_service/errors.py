"""The service's domain errors, one class per rule.

Each class names the problem type the API reports for it (RFC 9457 problem details), so a
client can tell the rules apart by `type` without parsing the human-readable `detail`.
"""

from __future__ import annotations

from typing import Any, ClassVar


class BookingServiceError(Exception):
    """Base class: a request the service understood but cannot carry out."""

    status: ClassVar[int] = 400
    type: ClassVar[str] = "about:blank"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        # Extra members for the problem body, e.g. the id of the booking in the way.
        self.extensions = extensions


class NotFound(BookingServiceError):
    status = 404


class RoomNotFound(NotFound):
    type = "/problems/room-not-found"
    title = "Room not found"

    def __init__(self, room_id: int) -> None:
        super().__init__(f"There is no room with id {room_id}.")


class BookingNotFound(NotFound):
    type = "/problems/booking-not-found"
    title = "Booking not found"

    def __init__(self, booking_id: int) -> None:
        super().__init__(f"There is no booking with id {booking_id}.")


class NotReady(BookingServiceError):
    """The service is running but cannot serve requests yet: its database does not answer."""

    status = 503
    type = "/problems/not-ready"
    title = "Service not ready"


class RuleViolation(BookingServiceError):
    """The request is well formed, but what it asks for breaks a booking rule on its own.

    RFC 9110 (section 15.5.21) gives 422 Unprocessable Content to content that is syntactically
    right but cannot be processed as it stands. Sending the same request again will not help:
    the client has to change the request (the times, or the number of attendees).
    """

    status = 422


class StateConflict(BookingServiceError):
    """The request would be fine on its own, but it clashes with what the service already holds.

    RFC 9110 (section 15.5.10) gives 409 Conflict to a request that conflicts with the current
    state of the target resource. The client can resolve it (pick another slot or another name),
    and the same request may succeed later, once the state has changed.
    """

    status = 409


class InvalidTimeRange(RuleViolation):
    type = "/problems/invalid-range"
    title = "Booking ends before it starts"

    def __init__(self) -> None:
        super().__init__("The end of a booking must come after its start.")


class CapacityExceeded(RuleViolation):
    type = "/problems/capacity"
    title = "Too many attendees for the room"

    def __init__(self, attendees: int, capacity: int) -> None:
        super().__init__(
            f"{attendees} attendees do not fit in a room for {capacity}.",
            capacity=capacity,
        )


class OverlapConflict(StateConflict):
    type = "/problems/overlap"
    title = "Room already booked"

    def __init__(self, conflicting_booking_id: int) -> None:
        super().__init__(
            f"The room is already booked at that time (booking {conflicting_booking_id}).",
            conflicting_booking_id=conflicting_booking_id,
        )


class DuplicateRoomName(StateConflict):
    type = "/problems/duplicate-room-name"
    title = "Room name already taken"

    def __init__(self, name: str) -> None:
        super().__init__(f"A room called {name!r} already exists.")
