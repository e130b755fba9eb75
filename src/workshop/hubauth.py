"""Who is asking: JupyterHub's OAuth and RBAC, for a FastAPI service.

JupyterHub ships `jupyterhub.services.auth.HubOAuth` for Tornado handlers. The dashboard uses its
parts that do not depend on Tornado: asking the hub who owns a token (with its cache, so a class
of sixty reporting every minute costs the hub one lookup per token every few minutes), the OAuth
authorize URL, the code-for-token exchange and the scope check. Cookies and redirects are done
here, the FastAPI way.

What decides access is the token's *scopes*, as JupyterHub's RBAC grants them:

- `access:services!service=<this service>`: may talk to the dashboard at all (every cohort
  member, and every learner's server token, has it: see `hubconfig.roles`);
- `custom:cohort:read`: may see the whole cohort. Only the role given to the `instructors` group
  has it, and the dashboard's OAuth client is allowed to ask for it, so an instructor's login
  carries it and a learner's cannot.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Protocol

INSTRUCTOR_SCOPE = "custom:cohort:read"
TOKEN_COOKIE = "cohort-dashboard-token"
STATE_COOKIE = "cohort-dashboard-oauth-state"


@dataclass(frozen=True)
class Caller:
    """A request's owner, as the hub says."""

    name: str
    scopes: frozenset[str]

    @property
    def is_instructor(self) -> bool:
        return INSTRUCTOR_SCOPE in self.scopes


class HubUnavailable(RuntimeError):
    """The hub did not answer, so nobody can be identified right now."""


class Identity(Protocol):
    """What the service needs from the hub; tests give a stand-in with the same methods."""

    async def caller_for_token(self, token: str) -> Caller | None:
        """The token's owner if the token is valid *and* may use this service, else None."""

    def authorize_url(self, next_url: str) -> tuple[str, str]:
        """(URL to send the browser to, state to keep in a cookie)."""

    def next_url(self, state: str) -> str: ...

    async def token_for_code(self, code: str) -> str: ...


class HubIdentity:
    """The real thing: `HubOAuth`, configured from the environment the hub gives a service."""

    def __init__(self, cache_max_age: int = 300):
        from jupyterhub.services.auth import HubOAuth

        self.hub_auth = HubOAuth(
            api_token=os.environ["JUPYTERHUB_API_TOKEN"], cache_max_age=cache_max_age
        )

    async def caller_for_token(self, token: str) -> Caller | None:
        from tornado.web import HTTPError

        try:
            model: dict[str, Any] | None = await self.hub_auth.user_for_token(token, sync=False)
        except HTTPError as error:
            raise HubUnavailable(error.log_message or str(error)) from None
        if not model or model.get("kind", "user") != "user":
            return None
        if not self.hub_auth.check_scopes(self.hub_auth.access_scopes, model):
            return None
        return Caller(model["name"], frozenset(model.get("scopes", ())))

    def authorize_url(self, next_url: str) -> tuple[str, str]:
        state = self.hub_auth.generate_state(next_url)
        separator = "&" if "?" in self.hub_auth.login_url else "?"
        return f"{self.hub_auth.login_url}{separator}state={state}", state

    def next_url(self, state: str) -> str:
        url = self.hub_auth.get_next_url(state)
        self.hub_auth.clear_oauth_state(state)
        return url

    async def token_for_code(self, code: str) -> str:
        from tornado.web import HTTPError

        try:
            return await self.hub_auth.token_for_code(code, sync=False)
        except HTTPError as error:
            raise HubUnavailable(error.log_message or str(error)) from None

    @property
    def api_url(self) -> str:
        return self.hub_auth.api_url

    @property
    def api_token(self) -> str:
        return self.hub_auth.api_token


def token_from_header(value: str | None) -> str | None:
    """`Authorization: token X` or `Authorization: Bearer X`, as JupyterHub accepts."""
    if not value:
        return None
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() in ("token", "bearer") and token.strip():
        return token.strip()
    return None
