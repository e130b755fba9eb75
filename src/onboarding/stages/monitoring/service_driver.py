"""Drive the learner's service in this process, and write down what it answered.

Run as a script, in a child process, on a throwaway copy of the learner's project:

    python service_driver.py PLAN.json RESULT.json

Of the course it imports only the protocol's leaf module; the rest is the learner's package and
what that imports, so the child starts fast and its imports are the learner's own. It builds the app as the project's
README says (`booking_service.main.create_app(Settings(database=…))`, after
`booking_service.core.db.migrate(database)` when the project has that), adds a route that
raises, sends the plan's requests through the app's ASGI interface (as a test client does, but
without loading one), then GETs the metrics path. Whatever the learner's code raises becomes one
sentence naming their file and line.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import linecache
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

# The check protocol is a leaf module of the course (standard library only): cheap to import.
from onboarding.protocol import shorten

PACKAGE = "booking_service"
REDIRECTS = (301, 302, 303, 307, 308)


class Stop(Exception):
    """The driver cannot go on; the message is the sentence for the learner."""


def describe(error: BaseException, project: Path, doing: str) -> str:
    """What failed while `doing`, and the learner's file and line that raised it."""
    where = ""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        path = Path(frame.filename)
        if path.is_relative_to(project):
            code = (linecache.getline(frame.filename, frame.lineno or 0) or "").strip()
            where = f" ({path.relative_to(project).as_posix()}, line {frame.lineno}"
            where += f": `{shorten(code, 60)}`)" if code else ")"
            break
    if isinstance(error, NotImplementedError):
        return f"{doing}: not written yet (NotImplementedError{where})"
    if isinstance(error, SyntaxError) and error.filename:
        path = Path(error.filename)
        shown = path.relative_to(project).as_posix() if path.is_relative_to(project) else path.name
        return f"{doing}: a syntax error in {shown}, line {error.lineno}: {error.msg}"
    return f"{doing}: {type(error).__name__}: {shorten(str(error), 120)}{where}"


def step(project: Path, doing: str, action: Any) -> Any:
    try:
        return action()
    except Exception as error:  # noqa: BLE001 - the learner's code may raise anything
        raise Stop(describe(error, project, doing)) from None


# --------------------------------------------------------------------------------- ASGI client


class Service:
    """An ASGI app with its lifespan started, answering requests in this event loop."""

    def __init__(self, app: Any, project: Path) -> None:
        self.app = app
        self.project = project
        self.state: dict[str, Any] = {}
        self.lifespan: asyncio.Task | None = None
        self.messages: asyncio.Queue = asyncio.Queue()

    async def start(self) -> None:
        started = asyncio.get_running_loop().create_future()

        async def send(message: dict[str, Any]) -> None:
            if message["type"].startswith("lifespan.startup") and not started.done():
                started.set_result(message)

        scope = {
            "type": "lifespan",
            "asgi": {"version": "3.0", "spec_version": "2.0"},
            "state": self.state,
        }
        await self.messages.put({"type": "lifespan.startup"})
        self.lifespan = asyncio.ensure_future(self.app(scope, self.messages.get, send))
        done, _ = await asyncio.wait({self.lifespan, started}, return_when=asyncio.FIRST_COMPLETED)
        if started in done and started.result()["type"] == "lifespan.startup.complete":
            return
        if self.lifespan.done() and self.lifespan.exception() is not None:
            raise Stop(describe(self.lifespan.exception(), self.project, "starting your service"))
        if started.done():
            reason = started.result().get("message", "")
            raise Stop(f"starting your service failed: {shorten(reason, 200)}")
        # The app finished its lifespan without a word: it does not use one; carry on.

    async def stop(self) -> None:
        if self.lifespan is not None and not self.lifespan.done():
            await self.messages.put({"type": "lifespan.shutdown"})
            try:
                await asyncio.wait_for(self.lifespan, timeout=5)
            except Exception:  # noqa: BLE001 - a failing shutdown changes no answer
                pass

    async def request(
        self, method: str, path: str, body: Any = None
    ) -> tuple[int, dict[str, str], bytes]:
        payload = json.dumps(body).encode() if body is not None else b""
        headers = [(b"host", b"testserver"), (b"user-agent", b"onboard-check")]
        if body is not None:
            headers += [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": unquote(path),
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
            "state": dict(self.state),
        }
        answered = asyncio.Event()
        sent_body = False
        status, response_headers, chunks = 0, {}, []

        async def receive() -> dict[str, Any]:
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": payload, "more_body": False}
            await answered.wait()  # the client stays connected until the response is complete
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers.update(
                    (k.decode("latin-1").lower(), v.decode("latin-1"))
                    for k, v in message.get("headers", [])
                )
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    answered.set()

        try:
            await self.app(scope, receive, send)
        except Exception:  # noqa: BLE001 - what a server does: answer 500 if nothing was sent
            if not status:
                status = 500
        finally:
            answered.set()
        return status or 500, response_headers, b"".join(chunks)

    async def get_following_redirects(self, path: str) -> tuple[int, str, int]:
        """GET `path` as Prometheus does, following redirects: status, text, redirects taken."""
        for hop in range(4):
            status, headers, body = await self.request("GET", path)
            location = headers.get("location", "")
            if status not in REDIRECTS or not location or hop == 3:
                return status, body.decode("utf-8", errors="replace"), hop
            path = urlsplit(location).path or "/"
        raise AssertionError("unreachable")


# --------------------------------------------------------------------------------- the drive


def build(project: Path, scratch: Path) -> tuple[Any, str]:
    """The learner's app on a fresh database, and why a second app failed ("" if it did not)."""
    if not (project / "src" / PACKAGE / "main.py").exists():
        raise Stop(
            f"src/{PACKAGE}/main.py does not exist yet: your service is written in stage 04 "
            "(`onboard checkpoint 7 --adopt` catches up with the course's project)"
        )
    main = step(
        project, f"importing {PACKAGE}.main", lambda: importlib.import_module(f"{PACKAGE}.main")
    )
    config = step(
        project,
        f"importing {PACKAGE}.core.config",
        lambda: importlib.import_module(f"{PACKAGE}.core.config"),
    )
    if not hasattr(main, "create_app"):
        raise Stop(f"{PACKAGE}/main.py has no create_app(); the project's README names it")
    first, second = scratch / "bookings.db", scratch / "second.db"
    settings = step(project, "Settings(database=…)", lambda: config.Settings(database=first))
    migrate(project, first)
    app = step(project, "create_app()", lambda: main.create_app(settings))
    second_app = ""
    try:
        migrate(project, second)
        main.create_app(config.Settings(database=second))
    except Stop as stop:
        second_app = str(stop)
    except Exception as error:  # noqa: BLE001
        second_app = f"{type(error).__name__}: {shorten(str(error), 80)}"
    return app, second_app


def migrate(project: Path, database: Path) -> None:
    """Bring a fresh database to the newest revision, as the project's tests do."""
    try:
        db = importlib.import_module(f"{PACKAGE}.core.db")
    except ModuleNotFoundError as missing:
        if missing.name in (f"{PACKAGE}.core.db", f"{PACKAGE}.core"):
            return  # the project has no migrate(): its app migrates, or needs nothing
        raise Stop(describe(missing, project, f"importing {PACKAGE}.core.db")) from None
    except Exception as error:  # noqa: BLE001
        raise Stop(describe(error, project, f"importing {PACKAGE}.core.db")) from None
    if hasattr(db, "migrate"):
        step(project, "migrating a fresh database", lambda: db.migrate(database))


async def drive(app: Any, project: Path, plan: dict[str, Any]) -> dict[str, Any]:
    service = Service(app, project)
    await service.start()
    try:
        answered = []
        for call in plan["calls"]:
            status, _, _ = await service.request(call["method"], call["path"], call["body"])
            answered.append(status)
        status, text, redirects = await service.get_following_redirects(plan["metrics_path"])
    finally:
        await service.stop()
    return {
        "answered": answered,
        "metrics_status": status,
        "metrics_text": text,
        "redirects": redirects,
    }


def run(project: Path, plan: dict[str, Any]) -> dict[str, Any]:
    sys.path.insert(0, str(project / "src"))
    with tempfile.TemporaryDirectory(prefix="onboard-service-") as scratch:
        try:
            app, second_app = build(project, Path(scratch))

            def boom() -> None:
                raise RuntimeError("a bug in a route")

            step(
                project,
                "adding a route to your app",
                lambda: app.add_api_route(plan["boom_path"], boom),
            )
            result = asyncio.run(drive(app, project, plan))
        except Stop as stop:
            return {"error": str(stop)}
        except Exception as error:  # noqa: BLE001
            return {"error": describe(error, project, "sending requests to your service")}
    return {**result, "second_app": second_app}


def main(argv: list[str]) -> int:
    plan = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    project = Path(plan["project"]).resolve()
    result = run(project, plan)
    Path(argv[2]).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
