"""Liveness route."""

from __future__ import annotations

from fastapi import APIRouter

from ..models import Health

router = APIRouter(tags=["health"])


@router.get("/health")
def get_health() -> Health:
    """Report that the service is up."""
    return Health(status="ok")
