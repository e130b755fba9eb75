"""A stand-in for the hub in the dashboard's tests, and small factories for results and reports.

The load test, which runs the dashboard as its own process, has an HTTP stand-in for the hub's
token lookup: `workshop.loadtest.stand_in_hub`."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timezone

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
    outcomes += [Outcome(f"unnamed failure {i}", False) for i in range(total - len(outcomes))]
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
