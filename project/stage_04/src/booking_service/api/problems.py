"""Every error leaves the API as RFC 9457 problem details (application/problem+json).

Domain errors carry their own type and title; FastAPI's validation errors and Starlette's
HTTP errors (unknown path, wrong method) are converted so clients parse one error shape.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from ..errors import BookingServiceError

PROBLEM_JSON = "application/problem+json"
VALIDATION_TYPE = "/problems/validation"

logger = logging.getLogger(__name__)


def problem_response(
    request: Request,
    status: int,
    *,
    type: str = "about:blank",
    title: str | None = None,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    phrase = HTTPStatus(status).phrase
    body = {
        "type": type,
        "title": title or phrase,
        "status": status,
        "detail": detail or phrase,
        "instance": request.url.path,
        **extensions,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


async def domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BookingServiceError)
    return problem_response(
        request, exc.status, type=exc.type, title=exc.title, detail=exc.detail, **exc.extensions
    )


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"location": ".".join(str(part) for part in error["loc"]), "message": error["msg"]}
        for error in exc.errors()
    ]
    return problem_response(
        request,
        422,
        type=VALIDATION_TYPE,
        title="Invalid request",
        detail=f"The request has {len(errors)} invalid field(s); see errors.",
        errors=errors,
    )


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else None
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # Starlette names only the first route's methods; a client needs all of them.
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return problem_response(request, exc.status_code, detail=detail, headers=headers)


def _allowed_methods(request: Request) -> list[str]:
    routes = request.app.router.routes
    return [
        method
        for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    ]


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error", exc_info=exc)
    # Say nothing about the cause: it may contain internals.
    return problem_response(request, 500)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(BookingServiceError, domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
