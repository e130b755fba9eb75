"""What lesson 02 runs: the reference service in-process, and the contract's features counted.

The lesson compares the designed spec with the one FastAPI generates (`contract_features`),
proposes changes to it (`with_change`, judged by `onboarding.artefacts.openapi_compatibility`),
and lets the learner try status codes and compatibility in small practice cells.
"""

from __future__ import annotations

import copy
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onboarding.artefacts.openapi import (
    PROBLEM_JSON,
    error_response_sites,
    example_sites,
    operations,
    resolve,
)

if TYPE_CHECKING:
    from fastapi.testclient import TestClient


def contract_features(spec: dict) -> dict[str, int]:
    """What a reader of the contract gets, counted: the lesson's designed-versus-generated table."""
    error_media = [
        media
        for response, _, _ in error_response_sites(spec)
        for media in ((response or {}).get("content") or {})
    ]
    responses = [
        (str(code), resolve(spec, response, ())[0] or {})
        for _, _, operation in operations(spec)
        for code, response in (operation.get("responses") or {}).items()
    ]
    return {
        "operations": sum(1 for _ in operations(spec)),
        "examples": sum(1 for site in example_sites(spec) if not site.missing_value),
        "error bodies typed application/problem+json": error_media.count(PROBLEM_JSON),
        "error bodies typed application/json": error_media.count("application/json"),
        "response headers (such as Location)": sum(
            len(response.get("headers") or {}) for _, response in responses
        ),
        "responses described in their own words": sum(
            1 for code, response in responses if not _generic_description(code, response)
        ),
    }


def _generic_description(code: str, response: dict) -> bool:
    """Whether a response's description is only its status's name, as FastAPI writes it."""
    generic = {"Successful Response", "Validation Error"}
    if code.isdigit():
        try:
            generic.add(HTTPStatus(int(code)).phrase)
        except ValueError:
            pass
    return response.get("description") in generic


def with_change(spec: dict, change: Callable[[dict], Any]) -> dict:
    """A copy of `spec` with `change` applied to it: the lesson's next versions of the API."""
    changed = copy.deepcopy(spec)
    change(changed)
    return changed


@contextmanager
def reference_service() -> Iterator[TestClient]:
    """A client for the reference booking service on a new, empty database (in-process, no port).

    The lesson's demonstrations each use their own, so every cell can run again.
    """
    from bookings.core.config import Settings
    from bookings.main import create_app

    with warnings.catch_warnings():
        # Starlette warns on import that its test client will move to httpx2; the warning names
        # an absolute path, which must not appear in a lesson's output.
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database=Path(folder) / "bookings.db", log_level="WARNING")
        with TestClient(create_app(settings)) as client:
            yield client
