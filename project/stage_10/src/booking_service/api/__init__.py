"""The HTTP layer: routes, dependencies and the error format."""

from fastapi import APIRouter

from . import bookings, health, rooms, series

api_router = APIRouter()
api_router.include_router(rooms.router)
api_router.include_router(bookings.router)
api_router.include_router(series.router)
api_router.include_router(health.router)
