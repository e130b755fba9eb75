"""Stage 05: planted variants of the booking service, for the exercises' checks and the lesson.

Each variant is the reference service with one thing changed, so a test that catches it has
caught exactly that change:

- `overlap_check_ignores_earlier_bookings()`: the overlap rule sees no earlier booking, a bug
  that only shows across two requests;
- `create_slow_app()`: a factory for uvicorn whose list of a room's bookings is slow;
- `app_with_bookings_router()`: the reference app with its bookings routes replaced, which is
  how exercise 05.2's drifted app is built.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator

from fastapi import APIRouter, FastAPI, Request, Response

from bookings import api as reference_api
from bookings import crud
from bookings.api.problems import install_problem_handlers
from bookings.core.config import Settings
from bookings.main import create_app, log_request
from onboarding import numbers

# The environment variable the exercise 05.1 conftest reads to plant the bug.
PLANTED_BUG_ENV = "ONBOARD_PLANTED_BUG"
OVERLAP_BUG = "overlap-ignores-earlier-bookings"
# How much longer the slow variant takes to list a room's bookings, in seconds: half again the
# latency objective, so its p95 misses the load test's limit by a clear margin.
SLOW_DELAY_SECONDS = 1.5 * numbers.LOAD_TEST_P95_MS / 1000
SLOW_PATH_SUFFIX = "/bookings"


@contextlib.contextmanager
def overlap_check_ignores_earlier_bookings() -> Iterator[None]:
    """While active, `bookings.crud.check_no_overlap` lets every booking through.

    Within one request nothing looks wrong: each booking is valid on its own. Only a second
    request for an overlapping slot shows the bug, because it should be refused and is not.
    """
    original = crud.check_no_overlap

    def ignores_earlier_bookings(db, room_id, start, end) -> None:
        return None

    crud.check_no_overlap = ignores_earlier_bookings
    try:
        yield
    finally:
        crud.check_no_overlap = original


def create_slow_app(settings: Settings | None = None) -> FastAPI:
    """The reference app, but listing a room's bookings takes 450 ms longer (for uvicorn)."""
    app = create_app(settings)

    @app.middleware("http")
    async def slow_listing(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if request.method == "GET" and request.url.path.endswith(SLOW_PATH_SUFFIX):
            # A stand-in for a slow query: the kind of change a load test exists to catch.
            await asyncio.sleep(SLOW_DELAY_SECONDS)
        return await call_next(request)

    return app


def assemble_app(
    settings: Settings | None = None,
    *,
    rooms: APIRouter | None = None,
    bookings: APIRouter | None = None,
    health: APIRouter | None = None,
) -> FastAPI:
    """The reference app, with any of its three routers swapped for another one.

    Built as `bookings.main.create_app` builds it (same lifespan, error format and request log),
    because FastAPI offers no public way to take routes out of an app once they are in.
    """
    reference = create_app(settings)
    app = FastAPI(
        title=reference.title,
        version=reference.version,
        # The reference lifespan migrates the reference app's database: the same settings.
        lifespan=reference.router.lifespan_context,
        generate_unique_id_function=lambda route: route.name,
    )
    app.state.settings = reference.state.settings
    app.include_router(rooms or reference_api.rooms.router)
    app.include_router(bookings or reference_api.bookings.router)
    app.include_router(health or reference_api.health.router)
    install_problem_handlers(app)
    app.middleware("http")(log_request)
    return app


def app_with_bookings_router(router: APIRouter, settings: Settings | None = None) -> FastAPI:
    """The reference app with `router` serving the bookings routes instead of its own."""
    return assemble_app(settings, bookings=router)
