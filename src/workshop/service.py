"""The cohort dashboard: a JupyterHub service, written with FastAPI.

    python -m workshop.service      # as the hub starts it (see hubconfig.dashboard_service)

Routes, all under the service's prefix (`/services/cohort-dashboard/`):

| route | who | what |
| --- | --- | --- |
| `POST api/reports` | a learner's token | store one check result |
| `GET /` | instructors | the live dashboard (HTML) |
| `GET api/cohort` | instructors | what the dashboard shows, as JSON (polled every few seconds) |
| `GET export.csv` | instructors | one row per learner and exercise |
| `GET learners/NAME`, `GET api/learners/NAME` | that learner, or an instructor | one learner's page |
| `GET me` | anyone in the cohort | a redirect to their own page |
| `GET health` | anyone | liveness, and how many reports are stored |

Anything else a caller is not entitled to gets 403 with a sentence saying why. The app factory
reads nothing at import time: `create_app(settings, identity)` is what tests call, with their
own database and a stand-in for the hub.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import os
import signal
import time
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from onboarding.protocol import CheckResult
from workshop import cohort as cohort_module
from workshop import insight, plan
from workshop.hubauth import (
    STATE_COOKIE,
    TOKEN_COOKIE,
    Caller,
    HubUnavailable,
    Identity,
    token_from_header,
)
from workshop.store import Store, StoredReport

log = logging.getLogger("workshop.service")

SERVICE_NAME = "cohort-dashboard"
DEFAULT_PREFIX = f"/services/{SERVICE_NAME}/"
MAX_OUTCOMES = 200
MAX_TEXT = 500
CLOCK_SKEW = timedelta(minutes=5)
KEEP_ALIVE_S = 75
"""How long the dashboard keeps an idle connection open for its next request.

Longer than its clients keep one for reuse: when the server closes an idle connection just as a
client sends on it, that request is reset. uvicorn's default is 5 s; in the load test, whose
learners pause 2 to 8 s between reports, one report in 236 was reset. A service behind a proxy
or a load balancer is set the same way: its keep-alive longer than theirs.
"""


@dataclass
class Settings:
    database_url: str
    cohort_path: Path
    course_root: Path
    prefix: str = DEFAULT_PREFIX
    poll_seconds: float = 3.0
    secure_cookies: bool = False

    @classmethod
    def from_env(cls) -> Settings:
        from onboarding import paths

        state = Path(os.environ.get("WORKSHOP_STATE_DIR", ".workshop"))
        return cls(
            database_url=os.environ.get(
                "WORKSHOP_DASHBOARD_DB", f"sqlite:///{(state / 'dashboard.db').resolve()}"
            ),
            cohort_path=Path(os.environ["WORKSHOP_COHORT"]),
            course_root=paths.course_root(),
            prefix=os.environ.get("JUPYTERHUB_SERVICE_PREFIX", DEFAULT_PREFIX),
            poll_seconds=float(os.environ.get("WORKSHOP_POLL_SECONDS", "3")),
            secure_cookies=os.environ.get("WORKSHOP_SECURE_COOKIES", "") == "1",
        )


ActivitySource = Callable[[], Awaitable[dict[str, datetime]]]


@dataclass
class Dashboard:
    """What the routes share: settings, the store, the cohort and the course's exercises."""

    settings: Settings
    identity: Identity
    store: Store
    cohort: cohort_module.Cohort
    exercises: tuple[insight.ExerciseInfo, ...]
    plan: list[plan.StagePlan]
    activity: ActivitySource | None = None
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(timezone.utc))
    view_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def exercise_ids(self) -> set[str]:
        return {exercise.exercise_id for exercise in self.exercises}

    seen: list[StoredReport] = field(default_factory=list)
    """Every report read so far; only newer rows are read on the next view."""
    last_id: int = 0

    def _refresh(self) -> list[StoredReport]:
        self.last_id, new = self.store.reports_after(self.last_id)
        self.seen.extend(new)
        return list(self.seen)

    async def view(self) -> insight.CohortView:
        hub_activity = await self.activity() if self.activity else {}
        now = self.clock()

        def build() -> insight.CohortView:
            return insight.build_view(
                self.cohort.learners,
                self.exercises,
                self._refresh(),
                now,
                plan=self.plan,
                starts_at=self.cohort.starts_at,
                hub_activity=hub_activity,
            )

        # In a worker thread: the event loop keeps taking reports while the view is computed.
        async with self.view_lock:
            return await run_in_threadpool(build)


def course_exercises(course_root: Path) -> tuple[insight.ExerciseInfo, ...]:
    from onboarding import catalogue

    return tuple(
        insight.ExerciseInfo(entry.exercise_id, entry.stage[:2], entry.title, entry.total_checks)
        for entry in catalogue.exercises(course_root / "solutions")
    )


# ------------------------------------------------------------------------------------ requests
class ReportIn(BaseModel):
    """A check result as a learner's machine sends it (see onboarding.reporting)."""

    report_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    checked_at: datetime | None = None
    source: str = Field(default="", max_length=40)
    learner: str | None = Field(
        default=None,
        description="Optional; the learner is whoever owns the token, and a different name here "
        "is refused.",
    )
    result: dict[str, Any]


def parse_result(data: dict[str, Any]) -> CheckResult:
    outcomes = data.get("outcomes")
    if isinstance(outcomes, list) and len(outcomes) > MAX_OUTCOMES:
        raise ValueError(f"a result has at most {MAX_OUTCOMES} outcomes, this one {len(outcomes)}")
    result = CheckResult.from_json(data)
    if not result.outcomes:
        raise ValueError("a result needs at least one outcome")
    for outcome in result.outcomes:
        if len(outcome.text) > MAX_TEXT:
            raise ValueError(f"an expectation's text is at most {MAX_TEXT} characters")
    return result


# --------------------------------------------------------------------------------- who asks
def _dashboard(request: Request) -> Dashboard:
    return request.app.state.dashboard


async def optional_caller(request: Request) -> Caller | None:
    """Whoever owns the request's token (header first, then the login cookie), if anyone."""
    token = token_from_header(request.headers.get("authorization"))
    if token is None:
        token = request.cookies.get(TOKEN_COOKIE)
    if not token:
        return None
    return await _dashboard(request).identity.caller_for_token(token)


async def api_caller(
    request: Request, caller: Annotated[Caller | None, Depends(optional_caller)]
) -> Caller:
    """A caller the hub vouches for and who is in the cohort, or 401/403."""
    if caller is None:
        raise HTTPException(
            401,
            "No valid hub token: send `Authorization: token <your JupyterHub token>` "
            "(a learner's server has it in $JUPYTERHUB_API_TOKEN).",
        )
    if _dashboard(request).cohort.role_of(caller.name) is None:
        raise HTTPException(403, f"{caller.name} is not in this workshop's cohort.")
    return caller


CallerDep = Annotated[Caller, Depends(api_caller)]
OptionalCallerDep = Annotated[Caller | None, Depends(optional_caller)]


# ------------------------------------------------------------------------------------- the app
def create_app(
    settings: Settings,
    identity: Identity,
    *,
    activity: ActivitySource | None = None,
    clock: Callable[[], datetime] | None = None,
) -> FastAPI:
    """The dashboard app; opens the database and reads the cohort and the course."""
    cohort = cohort_module.load(settings.cohort_path)
    dashboard = Dashboard(
        settings=settings,
        identity=identity,
        store=Store(settings.database_url),
        cohort=cohort,
        exercises=course_exercises(settings.course_root),
        plan=plan.session_plan(settings.course_root / "notebooks", cohort.stages),
        activity=activity,
    )
    if clock is not None:
        dashboard.clock = clock
    prefix = "/" + settings.prefix.strip("/") + "/"

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        dashboard.store.close()

    app = FastAPI(
        title="Cohort dashboard",
        docs_url=None,
        redoc_url=None,
        openapi_url=f"{prefix}openapi.json",
        lifespan=lifespan,
    )
    app.state.dashboard = dashboard

    @app.exception_handler(HubUnavailable)
    async def hub_unavailable(request: Request, error: HubUnavailable) -> JSONResponse:
        log.error("cannot check a token with the hub: %s", error)
        return JSONResponse(
            {"detail": "The hub did not answer, so the dashboard cannot tell who you are; retry."},
            status_code=503,
            headers={"Retry-After": "5"},
        )

    router = APIRouter(prefix=prefix.rstrip("/"))
    _add_routes(router, dashboard, prefix)
    app.include_router(router)
    return app


def _add_routes(router: APIRouter, dashboard: Dashboard, prefix: str) -> None:
    settings = dashboard.settings
    identity = dashboard.identity
    cohort = dashboard.cohort

    def instructor_only(caller: Caller) -> None:
        if not caller.is_instructor:
            raise HTTPException(
                403,
                "Only the instructors group sees the cohort. Your own page is at "
                f"{prefix}learners/{caller.name}.",
            )

    def self_or_instructor(caller: Caller, name: str) -> None:
        if caller.name != name and not caller.is_instructor:
            raise HTTPException(
                403,
                f"You are signed in as {caller.name}: you may see your own page "
                f"({prefix}learners/{caller.name}), not {name}'s.",
            )

    # ------------------------------------------------------------------------------ reports
    @router.post("/api/reports", status_code=201)
    async def add_report(body: ReportIn, caller: CallerDep, response: Response) -> dict:
        """Store one check result for the token's owner."""
        if body.learner is not None and body.learner != caller.name:
            raise HTTPException(
                403,
                f"This token belongs to {caller.name}; it cannot report for {body.learner}. "
                "A report is always filed under the token's owner.",
            )
        try:
            result = parse_result(body.result)
        except ValueError as error:
            raise HTTPException(422, f"Not a check result: {error}") from None
        if result.exercise_id not in dashboard.exercise_ids:
            known = ", ".join(sorted(dashboard.exercise_ids))
            raise HTTPException(
                422,
                f"Exercise {result.exercise_id!r} does not exist in this course "
                f"(the exercises are {known}).",
            )
        now = dashboard.clock()
        checked_at = body.checked_at or now
        if checked_at.tzinfo is None:
            checked_at = checked_at.replace(tzinfo=timezone.utc)
        checked_at = min(checked_at.astimezone(timezone.utc), now + CLOCK_SKEW)
        stored = StoredReport(
            learner=caller.name,
            report_id=body.report_id,
            exercise_id=result.exercise_id,
            passed=result.passed,
            total=result.total,
            failed_expectations=tuple(outcome.text for outcome in result.failed),
            duration_s=result.duration_s,
            source=body.source,
            checked_at=checked_at,
            received_at=now,
        )
        added = await run_in_threadpool(dashboard.store.add, stored)
        if not added:
            response.status_code = 200
        return {"stored": added, "learner": caller.name, "exercise": result.exercise_id}

    # ------------------------------------------------------------------------------- cohort
    @router.get("/api/cohort")
    async def cohort_json(caller: CallerDep) -> Response:
        """Everything the instructor's dashboard shows."""
        instructor_only(caller)
        view = await dashboard.view()

        def encode() -> bytes:
            return _json_bytes({**view.to_json(), "workshop": cohort.title})

        return Response(await run_in_threadpool(encode), media_type="application/json")

    @router.get("/api/learners/{name}")
    async def learner_json(name: str, caller: CallerDep) -> Response:
        """One learner's row of the grid."""
        self_or_instructor(caller, name)
        if name not in cohort.learners:
            raise HTTPException(404, f"{name} is not a learner of this workshop.")
        view = await dashboard.view()
        data = view.to_json()
        return Response(
            _json_bytes(
                {
                    "learner": name,
                    "workshop": cohort.title,
                    "generated_at": data["generated_at"],
                    "exercises": data["exercises"],
                    "row": data["grid"][name],
                }
            ),
            media_type="application/json",
        )

    @router.get("/export.csv")
    async def export_csv(caller: CallerDep) -> Response:
        """The grid as CSV."""
        instructor_only(caller)
        view = await dashboard.view()
        stamp = view.generated_at.strftime("%Y%m%d-%H%M")
        return PlainTextResponse(
            insight.to_csv(view),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="cohort-{stamp}.csv"'},
        )

    @router.get("/health")
    async def health() -> dict:
        """Liveness, and how many reports are stored."""
        count = await run_in_threadpool(dashboard.store.count)
        return {"status": "ok", "reports": count}

    # --------------------------------------------------------------------------- web pages
    @router.get("/", response_class=HTMLResponse)
    async def cohort_page(request: Request, caller: OptionalCallerDep) -> Response:
        """The instructor's live dashboard."""
        if caller is None:
            return _login_redirect(request)
        if not caller.is_instructor:
            return _forbidden_page(
                caller,
                "Only the instructors group sees the whole cohort.",
                f'<a href="{prefix}learners/{html.escape(caller.name)}">Your own page</a> '
                "shows your progress.",
            )
        return _page("cohort", caller, "")

    @router.get("/me")
    async def my_page(request: Request, caller: OptionalCallerDep) -> Response:
        """A redirect to the caller's own page."""
        if caller is None:
            return _login_redirect(request)
        return RedirectResponse(f"{prefix}learners/{caller.name}", status_code=303)

    @router.get("/learners/{name}", response_class=HTMLResponse)
    async def learner_page(name: str, request: Request, caller: OptionalCallerDep) -> Response:
        """One learner's page: theirs, or any for an instructor."""
        if caller is None:
            return _login_redirect(request)
        if caller.name != name and not caller.is_instructor:
            return _forbidden_page(
                caller,
                f"You may see your own page, not {name}'s.",
                f'<a href="{prefix}learners/{html.escape(caller.name)}">Your own page</a>.',
            )
        if name not in cohort.learners:
            raise HTTPException(404, f"{name} is not a learner of this workshop.")
        return _page("learner", caller, name)

    @router.get("/static/{name}")
    async def static(name: str) -> Response:
        """The page's script and style sheet."""
        types = {"dashboard.js": "text/javascript", "dashboard.css": "text/css"}
        if name not in types:
            raise HTTPException(404, "No such file.")
        return Response(_asset(name), media_type=f"{types[name]}; charset=utf-8")

    @router.get("/oauth_callback")
    async def oauth_callback(request: Request) -> Response:
        """The end of the hub's OAuth login: trade the code for a token, keep it in a cookie."""
        code = request.query_params.get("code")
        state = request.query_params.get("state", "")
        if not code:
            raise HTTPException(
                400, "The hub's login did not send a code; open the dashboard again."
            )
        if not state or state != request.cookies.get(STATE_COOKIE):
            raise HTTPException(
                400, "This login link is stale or was not started here; open the dashboard again."
            )
        token = await identity.token_for_code(code)
        target = identity.next_url(state)
        if not target.startswith(prefix):
            target = prefix
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            TOKEN_COOKIE,
            token,
            path=prefix,
            httponly=True,
            samesite="lax",
            secure=settings.secure_cookies,
        )
        response.delete_cookie(STATE_COOKIE, path=prefix)
        return response

    def _login_redirect(request: Request) -> Response:
        next_url = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        url, state = identity.authorize_url(next_url)
        response = RedirectResponse(url, status_code=302)
        response.set_cookie(
            STATE_COOKIE,
            state,
            path=prefix,
            max_age=600,
            httponly=True,
            samesite="lax",
            secure=settings.secure_cookies,
        )
        return response

    def _page(mode: str, caller: Caller, learner: str) -> HTMLResponse:
        title = f"{learner}'s progress" if mode == "learner" else "Cohort dashboard"
        text = (
            _asset("dashboard.html")
            .replace("{{title}}", html.escape(f"{title} — {cohort.title}"))
            .replace("{{heading}}", html.escape(title))
            .replace("{{workshop}}", html.escape(cohort.title))
            .replace("{{prefix}}", html.escape(prefix))
            .replace("{{mode}}", mode)
            .replace("{{learner}}", html.escape(learner))
            .replace("{{user}}", html.escape(caller.name))
            .replace("{{poll_ms}}", str(int(settings.poll_seconds * 1000)))
            .replace("{{version}}", str(_ASSET_VERSION))
        )
        return HTMLResponse(text, headers={"Cache-Control": "no-store"})

    def _forbidden_page(caller: Caller, reason: str, where: str) -> HTMLResponse:
        body = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Not allowed — {html.escape(cohort.title)}</title>"
            f'<link rel="stylesheet" href="{prefix}static/dashboard.css"></head>'
            '<body><main id="main"><h1>403: not allowed</h1>'
            f"<p>You are signed in as <strong>{html.escape(caller.name)}</strong>. "
            f"{html.escape(reason)}</p><p>{where}</p></main></body></html>"
        )
        return HTMLResponse(body, status_code=403)


_ASSET_VERSION = int(time.time())


def _json_bytes(data: dict[str, Any]) -> bytes:
    """The view is plain JSON types already; FastAPI's generic encoder would take ten times as
    long on a class's grid, holding up the reports waiting behind it."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _asset(name: str) -> str:
    return resources.files("workshop").joinpath("static", name).read_text(encoding="utf-8")


# ------------------------------------------------------------------------------ hub activity
def hub_activity_source(api_url: str, api_token: str, max_age: float = 30) -> ActivitySource:
    """Learners' last activity as the hub knows it (typing in JupyterLab counts), cached.

    The service's role grants `list:users` and `read:users:activity` for the learners group
    only. A hub that does not answer leaves the dashboard on report times alone.
    """
    import httpx

    cache: dict[str, Any] = {"at": 0.0, "value": {}, "client": None}
    lock = asyncio.Lock()

    async def fetch() -> dict[str, datetime]:
        async with lock:
            if time.monotonic() - cache["at"] < max_age:
                return cache["value"]
            value: dict[str, datetime] = {}
            # One client for the service's life: making one builds a TLS context, tens of
            # milliseconds that would stall every request waiting on the event loop.
            if cache["client"] is None:
                cache["client"] = httpx.AsyncClient(timeout=3)
            try:
                reply = await cache["client"].get(
                    f"{api_url.rstrip('/')}/users",
                    headers={"Authorization": f"token {api_token}"},
                )
                reply.raise_for_status()
                for user in reply.json():
                    stamp = user.get("last_activity")
                    if stamp:
                        value[user["name"]] = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
            except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
                log.warning("could not read learners' activity from the hub: %s", error)
                value = cache["value"]
            cache.update(at=time.monotonic(), value=value)
            return value

    return fetch


def main() -> None:
    """Run as a hub-managed service: listen where the hub says, identify callers through it."""
    from urllib.parse import urlsplit

    import uvicorn

    from workshop.hubauth import HubIdentity

    logging.basicConfig(level=logging.INFO, format="[dashboard %(levelname)s] %(message)s")
    settings = Settings.from_env()
    identity = HubIdentity()
    activity = hub_activity_source(identity.api_url, identity.api_token)
    app = create_app(settings, identity, activity=activity)
    where = urlsplit(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101"))
    # The hub stops its services with SIGTERM, or the terminal's Ctrl+C reaches them: either
    # way uvicorn finishes the requests in flight and closes the database.
    signal.signal(signal.SIGINT, lambda *_: os.kill(os.getpid(), signal.SIGTERM))
    uvicorn.run(
        app,
        host=where.hostname or "127.0.0.1",
        port=where.port or 10101,
        log_level="warning",
        proxy_headers=True,
        timeout_keep_alive=KEEP_ALIVE_S,
    )


if __name__ == "__main__":
    main()
