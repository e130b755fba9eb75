"""Send a check's result to the workshop dashboard, under a hub, and lose nothing on the way.

Only a learner's server started by the workshop hub has both `JUPYTERHUB_API_TOKEN` (the
learner's own hub token, which the dashboard uses to know who is reporting) and
`ONBOARD_DASHBOARD_URL`. Without them `report` does nothing at all: a learner working alone
sends nothing anywhere.

Every report is first written to a queue in the learner's ledger (`.onboard/progress.db`, table
`report_queue`), then sent. A report that arrives is deleted from the queue; one the service
could not take (not reachable, restarting, overloaded) stays and goes out with the next report,
or with `flush`. A report the service refuses for good (a 4xx: an exercise it does not know, say)
is kept in the queue marked `rejected`, with the reason, and is not sent again.

What is sent is the result as data (`CheckResult.to_json()`), minus what could quote the
learner's own code or values: each outcome keeps its expectation text and verdict, and drops
`found` and `hint`. The envelope adds a `report_id` (so a retried delivery is stored once), the
time of the check and where it ran.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from onboarding.protocol import CheckResult
from onboarding.workspace import ledger_path

TOKEN_ENV = "JUPYTERHUB_API_TOKEN"
DASHBOARD_ENV = "ONBOARD_DASHBOARD_URL"
REPORT_BUDGET_S = 2.0
"""The longest `report` may hold up a check's verdict."""
FLUSH_BUDGET_S = 10.0
REPORTS_PATH = "api/reports"
PENDING, REJECTED = "pending", "rejected"
# A 4xx the service may well accept later: auth hiccups, rate limits, a timeout on its side.
RETRYABLE_CLIENT_ERRORS = {401, 408, 409, 425, 429}

log = logging.getLogger(__name__)


def dashboard_target(env: dict[str, str] | None = None) -> tuple[str, str] | None:
    """(reports URL, token) when running under the workshop hub, else None."""
    env = os.environ if env is None else env
    base, token = env.get(DASHBOARD_ENV, "").strip(), env.get(TOKEN_ENV, "").strip()
    if not base or not token:
        return None
    return base.rstrip("/") + "/" + REPORTS_PATH, token


def envelope(result: CheckResult, source: str, checked_at: datetime | None = None) -> dict:
    """The JSON body of one report."""
    data = result.to_json()
    data["outcomes"] = [
        {"text": outcome.text, "passed": outcome.passed} for outcome in result.outcomes
    ]
    return {
        "report_id": uuid.uuid4().hex,
        "checked_at": (checked_at or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        "source": source[:40],
        "result": data,
    }


def report(workspace: Path, result: CheckResult, source: str) -> None:
    """Queue the result and try to deliver the queue; never raises, holds up at most ~2 s."""
    try:
        target = dashboard_target()
        if target is None:
            return
        queue(workspace, envelope(result, source))
        _deliver(workspace, target, deadline=time.monotonic() + REPORT_BUDGET_S)
    except Exception as error:  # noqa: BLE001 - reporting must never hide or break a verdict
        log.debug("report not sent: %s", error)


def subscriber(workspace: Path, source: str = "notebook") -> Callable[[CheckResult], None]:
    """A function for `protocol.subscribe`: every result published in this kernel is reported.

    The workspace hook loaded in learners' kernels subscribes it, so in-notebook checks reach the
    dashboard exactly as `onboard check` does.
    """

    def send(result: CheckResult) -> None:
        report(workspace, result, source)

    return send


def flush(workspace: Path, budget_s: float = FLUSH_BUDGET_S) -> int:
    """Send every queued report that can be sent now; returns how many the service took."""
    target = dashboard_target()
    if target is None or not ledger_path(workspace).exists():
        return 0
    return _deliver(workspace, target, deadline=time.monotonic() + budget_s)


# ---------------------------------------------------------------------------------- the queue
def _connect(workspace: Path) -> sqlite3.Connection:
    path = ledger_path(workspace)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A kernel and `onboard check` may both write: wait for the other's lock instead of failing.
    connection = sqlite3.connect(path, timeout=5)
    connection.execute(
        """CREATE TABLE IF NOT EXISTS report_queue (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            report_id TEXT NOT NULL UNIQUE,
            body TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            queued_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT NOT NULL DEFAULT ''
        )"""
    )
    return connection


def queue(workspace: Path, body: dict[str, Any]) -> None:
    connection = _connect(workspace)
    try:
        with connection:
            connection.execute(
                "INSERT OR IGNORE INTO report_queue (report_id, body, queued_at) VALUES (?, ?, ?)",
                (
                    body["report_id"],
                    json.dumps(body, ensure_ascii=False),
                    datetime.now(timezone.utc).isoformat(timespec="seconds"),
                ),
            )
    finally:
        connection.close()


def queued(workspace: Path, status: str = PENDING) -> list[dict[str, Any]]:
    """The reports in the queue with this status, oldest first (with `last_error`)."""
    if not ledger_path(workspace).exists():
        return []
    connection = _connect(workspace)
    try:
        rows = connection.execute(
            "SELECT body, last_error FROM report_queue WHERE status = ? ORDER BY id", (status,)
        ).fetchall()
    finally:
        connection.close()
    return [{**json.loads(body), "last_error": error} for body, error in rows]


def _deliver(workspace: Path, target: tuple[str, str], deadline: float) -> int:
    url, token = target
    connection = _connect(workspace)
    delivered = 0
    try:
        pending = connection.execute(
            "SELECT id, body FROM report_queue WHERE status = ? ORDER BY id", (PENDING,)
        ).fetchall()
        for row_id, body in pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0.05:
                break
            outcome, detail = _post(url, token, body, timeout=min(remaining, REPORT_BUDGET_S))
            with connection:
                if outcome == "stored":
                    connection.execute("DELETE FROM report_queue WHERE id = ?", (row_id,))
                    delivered += 1
                elif outcome == "rejected":
                    connection.execute(
                        "UPDATE report_queue SET status = ?, attempts = attempts + 1, "
                        "last_error = ? WHERE id = ?",
                        (REJECTED, detail, row_id),
                    )
                    print(f"(not recorded on the workshop dashboard: {detail})", file=sys.stderr)
                else:
                    connection.execute(
                        "UPDATE report_queue SET attempts = attempts + 1, last_error = ? "
                        "WHERE id = ?",
                        (detail, row_id),
                    )
                    break  # the service is away: keep the order, try again later
    finally:
        connection.close()
    return delivered


def _post(url: str, token: str, body: str, timeout: float) -> tuple[str, str]:
    """("stored" | "rejected" | "retry", detail) for one delivery attempt."""
    request = urllib.request.Request(
        url,
        data=body.encode("utf-8"),
        method="POST",
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            reply.read()
            return "stored", ""
    except urllib.error.HTTPError as error:
        detail = _detail(error)
        if 400 <= error.code < 500 and error.code not in RETRYABLE_CLIENT_ERRORS:
            return "rejected", detail
        return "retry", detail
    except (urllib.error.URLError, OSError, TimeoutError) as error:
        reason = getattr(error, "reason", error)
        return "retry", f"the dashboard could not be reached: {reason}"


def _detail(error: urllib.error.HTTPError) -> str:
    try:
        detail = json.loads(error.read().decode("utf-8", "replace")).get("detail")
    except (ValueError, AttributeError, OSError):
        detail = None
    if isinstance(detail, list):  # FastAPI's validation errors
        detail = "; ".join(str(item.get("msg", item)) for item in detail)
    return f"HTTP {error.code}: {detail or error.reason}"
