"""Stand-ins for the hub: an in-process identity for app tests, and an HTTP hub API for tests
that run the dashboard as its own process (the load test, the restart test)."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from onboarding.protocol import CheckResult, Outcome
from workshop.hubauth import Caller

SERVICE_ACCESS = "access:services!service=cohort-dashboard"


def learner_caller(name: str) -> Caller:
    return Caller(name, frozenset({SERVICE_ACCESS}))


class FakeIdentity:
    """Answers as the hub would, from a table of tokens; counts the logins it completed."""

    def __init__(self, tokens: Mapping[str, Caller]):
        self.tokens = dict(tokens)
        self.codes: dict[str, str] = {}
        self.states: dict[str, str] = {}

    async def caller_for_token(self, token: str) -> Caller | None:
        return self.tokens.get(token)

    def authorize_url(self, next_url: str) -> tuple[str, str]:
        state = uuid.uuid4().hex
        self.states[state] = next_url
        return f"/hub/api/oauth2/authorize?client_id=service-cohort-dashboard&state={state}", state

    def next_url(self, state: str) -> str:
        return self.states.pop(state, "/")

    async def token_for_code(self, code: str) -> str:
        return self.codes[code]


def result(exercise_id: str, passed: int, total: int, failing: tuple[str, ...] = ()) -> CheckResult:
    """A result with `passed` passing outcomes and the named failing ones (padded to `total`)."""
    outcomes = [Outcome(f"check {i} passes", True) for i in range(passed)]
    outcomes += [Outcome(text, False, found="found x", hint="try y") for text in failing]
    outcomes += [
        Outcome(f"unnamed failure {i}", False) for i in range(total - len(outcomes))
    ]
    return CheckResult(exercise_id, tuple(outcomes), duration_s=0.25)


def report_body(exercise_id="00.1", passed=4, total=4, failing=(), **envelope) -> dict:
    body = {
        "report_id": uuid.uuid4().hex,
        "checked_at": datetime.now(timezone.utc).isoformat(),
        "source": "test",
        "result": result(exercise_id, passed, total, tuple(failing)).to_json(),
    }
    body.update(envelope)
    return body


class _HubAPI(BaseHTTPRequestHandler):
    tokens: dict[str, str] = {}
    lookups = 0

    def do_GET(self):  # noqa: N802 - the base class's naming
        type(self).lookups += 1
        if self.path.rstrip("/").endswith("/hub/api/user"):
            token = self.headers.get("Authorization", "").partition(" ")[2]
            name = self.tokens.get(token)
            if name is None:
                self._reply(403, {"status": 403, "message": "invalid token"})
            else:
                self._reply(200, {"kind": "user", "name": name, "scopes": [SERVICE_ACCESS]})
        elif self.path.rstrip("/").endswith("/hub/api/users"):
            self._reply(200, [])
        else:
            self._reply(404, {"status": 404})

    def _reply(self, status: int, body) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@contextmanager
def fake_hub_api(tokens: Mapping[str, str]) -> Iterator[str]:
    """A hub API on a free loopback port that knows `tokens` (token -> user name).

    Only what a service asks of the hub: who owns a token, and the users' activity.
    """
    handler = type("HubAPI", (_HubAPI,), {"tokens": dict(tokens), "lookups": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="fake-hub", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hub/api/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
