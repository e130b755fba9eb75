"""Stage 07's checks: each kind of mistake gets its verdict and its message; the model passes."""

from __future__ import annotations

import itertools
import re
from decimal import Decimal
from enum import Enum, StrEnum
from fractions import Fraction
from pathlib import Path

import pytest

from onboarding import notebooks, project
from onboarding.artefacts import dockerfile
from onboarding.checks import ArtefactError, Given, evaluate, require
from onboarding.protocol import Outcome
from onboarding.stages.deployment import DOCKERFILE_CHECKS, canary, checks, rollout, rules
from onboarding.stages.deployment import lesson as deployment_lesson
from tests.conftest import COURSE_ROOT
from tests.stages.notebook_artefacts import edit

NOTEBOOK = "07_deployment.ipynb"
MODEL = project.reference("07")["Dockerfile"]
# The model's base image, pinned by tag and digest as the template pins it.
BASE = "python:3.14-slim@sha256:b877e50bd90de10af8d82c57a022fc2e0dc731c5320d762a27986facfc3355c1"
BUILDER, RUNTIME = f"FROM {BASE} AS builder", f"FROM {BASE} AS runtime"
APP = "booking_service.main:create_app"


def run_dockerfile_check(
    text: str, only: str | None = None, root: Path | None = None
) -> dict[str, Outcome]:
    """The 07.1 rules, each judged on its own (or one of them): expectation -> Outcome."""
    instructions = dockerfile.parse_dockerfile(text)
    results = {}
    for rule in DOCKERFILE_CHECKS:
        if only not in (None, rule.text):
            continue
        if rule.problems in checks.RULES_READING_THE_PROJECT:
            test = lambda rule=rule: require(rule.problems(instructions, root=root))  # noqa: E731
        else:
            test = lambda rule=rule: require(rule.problems(instructions))  # noqa: E731
        results[rule.text] = evaluate(rule.text, test, rule.hint)
    return results


# --- Exercise 07.1: the Dockerfile -----------------------------------------------------------


def test_the_uv_version_messages_suggest_is_the_one_the_model_pins():
    # The messages say "pin uv's version, such as …": the example is the model's own pin.
    assert f"ARG UV_VERSION={rules.PINNED_UV}\n" in MODEL


def test_model_dockerfile_passes_every_check():
    results = run_dockerfile_check(MODEL)
    assert {text: r.found for text, r in results.items() if not r.passed} == {}
    assert len(results) == len(DOCKERFILE_CHECKS)


def test_the_starting_dockerfile_fails_most_checks():
    results = run_dockerfile_check(project.starting("07")["Dockerfile"])
    assert sum(not result.passed for result in results.values()) >= 5


def test_the_template_dockerfile_passes_the_rules_that_do_not_name_the_project():
    """The template serves the reference service (bookings.main) and has no migrations yet."""
    instructions = dockerfile.read_dockerfile(COURSE_ROOT / "templates" / "Dockerfile")
    for rule in DOCKERFILE_CHECKS:
        if rule.problems is rules.run_problems:
            assert rules.run_problems(instructions, app="bookings.main:create_app") == []
        elif rule.problems is not rules.migration_files_problems:
            assert rule.problems(instructions) == [], rule.problems.__name__


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# only a comment\n\n", "has no instructions"),
        ("RUN echo hi\n", "has no FROM"),
        ("RUN echo hi\nFROM python:3.14-slim\n", "starts with RUN on line 1"),
    ],
)
def test_unreadable_dockerfiles_say_why(tmp_path, text, expected):
    path = tmp_path / "Dockerfile"
    path.write_text(text)
    with pytest.raises(ArtefactError, match=re.escape(expected)):
        dockerfile.read_dockerfile(path)


def test_missing_dockerfile_says_how_to_create_it(tmp_path):
    with pytest.raises(ArtefactError, match="does not exist yet"):
        dockerfile.read_dockerfile(tmp_path / "Dockerfile")


MULTI = "a multi-stage build: the final stage copies its result from a build stage"
PINNED = "every base image is pinned to a version"
LOCK = "the dependencies are installed from the lock file"
USER = "the final stage runs as a non-root USER"
HEALTH = "a HEALTHCHECK, if there is one, requests /health/live with a tool the image has"
RUN = f"EXPOSE and CMD: an ASGI server serves the factory {APP} on 0.0.0.0"
JOB = "the image holds what the migration job runs: alembic.ini and migrations/"
SECRETS = "no secret in ENV or ARG, and no secrets file copied in"
ADD = "no ADD from a URL"
HEALTHCHECK = (
    "HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \\\n"
    '    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen(\'http://127.0.0.1:8000/health/live\', timeout=3)"]\n'
)
WITH_HEALTHCHECK = MODEL.replace("EXPOSE 8000\n", "EXPOSE 8000\n" + HEALTHCHECK)
USER_LINES = (
    "RUN groupadd --system --gid 10001 app \\\n"
    "    && useradd --system --uid 10001 --gid app --no-create-home app \\\n"
    "    && mkdir -p /data && chown app:app /data\n"
)

CMD = f'CMD ["uvicorn", "--factory", "{APP}", "--host", "0.0.0.0", "--port", "8000"]'
VENV_COPY = "COPY --from=builder /app/.venv /app/.venv"
UV_IN_RUNTIME = (VENV_COPY, VENV_COPY + "\nCOPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /uvx /bin/")
"""The final stage gets uv from uv's image, as a CMD that serves through `uv run` needs."""

MISTAKES = [
    (
        "one-stage",
        [(MODEL[: MODEL.index(RUNTIME)], "")],
        MULTI,
        "only one stage (FROM on line 1)",
    ),
    (
        "final-copies-nothing",
        [("COPY --from=builder /app/.venv /app/.venv", "COPY src /app/src")],
        MULTI,
        "copies nothing from the build stage",
    ),
    (
        "no-tag",
        [(BUILDER, "FROM python AS builder")],
        PINNED,
        "`python` has no tag, which means `latest`",
    ),
    # Another image's example is its own version, not Python's.
    (
        "no-tag-of-another-image",
        [(BUILDER, "FROM debian AS builder")],
        PINNED,
        "line 7: `debian` has no tag, which means `latest`: pin the version you use, as a tag"
        " (`debian:<version>`) or a digest (`debian@sha256:…`)",
    ),
    (
        "latest",
        [(RUNTIME, "FROM python:latest AS runtime")],
        PINNED,
        "`python:latest` moves whenever a new release comes out",
    ),
    (
        "tag-without-version",
        [(BUILDER, "FROM python:slim AS builder")],
        PINNED,
        "the tag `slim` names no version",
    ),
    # Distroless publishes no version tags: the digest is the pin to suggest first.
    (
        "distroless-tag-without-a-digest",
        [(RUNTIME, "FROM gcr.io/distroless/python3-debian12:nonroot AS runtime")],
        PINNED,
        "the tag `nonroot` names no version; pin it with a digest"
        " (`gcr.io/distroless/python3-debian12:nonroot@sha256:…`), or a versioned tag where the"
        " image publishes them",
    ),
    (
        "arg-without-default",
        [(BUILDER, "FROM python:${PYTHON} AS builder")],
        PINNED,
        "uses an ARG without a default",
    ),
    (
        "arg-declared-without-default",
        [(BUILDER, "ARG PYTHON\nFROM python:${PYTHON} AS builder")],
        PINNED,
        "line 8: `python:${PYTHON}` uses an ARG without a default",
    ),
    # BuildKit replaces no ARG in a COPY's `--from` or a mount's `from`, whatever it names, and
    # stops the build; the way round is a stage FROM the image, which may use an ARG.
    (
        "copy-from-an-image-of-a-global-arg",
        [
            (BUILDER, "ARG BUSYBOX_TAG=1.37\n" + BUILDER),
            (VENV_COPY, VENV_COPY + "\nCOPY --from=busybox:${BUSYBOX_TAG} /bin/busybox /bin/"),
        ],
        PINNED,
        "line 29: `--from=busybox:${BUSYBOX_TAG}`: the build does not replace ARGs in a COPY's"
        " `--from`, and stops; name the image in full, such as `--from=busybox:1.37`, or copy"
        " from a stage: `FROM busybox:${BUSYBOX_TAG} AS busybox` (with `ARG BUSYBOX_TAG=1.37`"
        " before the first FROM), then `COPY --from=busybox …`",
    ),
    (
        "copy-from-a-stage-named-by-an-arg",
        [
            (BUILDER, "ARG BUILD_STAGE=builder\n" + BUILDER),
            (VENV_COPY, "COPY --from=$BUILD_STAGE /app/.venv /app/.venv"),
        ],
        PINNED,
        "`--from=$BUILD_STAGE`: the build does not replace ARGs in a COPY's `--from`, and stops;"
        " name the stage, such as `--from=builder`",
    ),
    (
        "mount-from-an-image-of-an-undeclared-arg",
        [
            (
                "COPY alembic.ini ./",
                "RUN --mount=from=busybox:${BUSYBOX_TAG},source=/bin/busybox,target=/bin/busybox"
                " busybox true\nCOPY alembic.ini ./",
            )
        ],
        PINNED,
        "`from=busybox:${BUSYBOX_TAG}`: the build does not replace ARGs in a mount's `from`, and"
        " stops; write the value in place of the ARG, or mount from a stage:"
        " `FROM busybox:${BUSYBOX_TAG} AS busybox` (with `ARG BUSYBOX_TAG=…` before the first"
        " FROM), then `--mount=from=busybox,…`",
    ),
    # An image a COPY or a mount takes files from is pulled as a base image is: pinned the same way.
    (
        "copy-from-an-image-at-latest",
        [(VENV_COPY, VENV_COPY + "\nCOPY --from=busybox:latest /bin/wget /usr/bin/")],
        PINNED,
        "line 28: `busybox:latest`, the image a COPY's `--from` takes files from, moves whenever"
        " a new release comes out; pin the version you use, as a tag (`busybox:<version>`) or a"
        " digest (`busybox@sha256:…`)",
    ),
    # A bare word close to a stage's name is that stage misspelt, not an image to pull.
    (
        "copy-from-a-misspelt-stage",
        [(VENV_COPY, VENV_COPY.replace("builder", "buidler"))],
        PINNED,
        "`--from=buidler` names no stage of this Dockerfile, so the build would pull an image"
        " called `buidler`; did you mean the stage `builder` (`--from=builder`)?",
    ),
    (
        "copy-from-an-image-without-a-tag",
        [(VENV_COPY, VENV_COPY + "\nCOPY --from=busybox /bin/wget /usr/bin/")],
        PINNED,
        "line 28: `busybox`, the image a COPY's `--from` takes files from, has no tag, which means"
        " `latest`",
    ),
    (
        "copy-from-an-image-of-a-registry-port-without-a-tag",
        [(VENV_COPY, VENV_COPY + "\nCOPY --from=registry.example.com:5000/tools /wget /usr/bin/")],
        PINNED,
        "`registry.example.com:5000/tools`, the image a COPY's `--from` takes files from, has no"
        " tag",
    ),
    (
        "copy-from-an-image-tag-without-a-version",
        [(VENV_COPY, VENV_COPY + '\nCOPY --from="busybox:stable" /bin/wget /usr/bin/')],
        PINNED,
        "line 28: the tag `stable` of `busybox:stable`, the image a COPY's `--from` takes files"
        " from, names no version",
    ),
    (
        "mount-from-an-image-at-latest",
        [
            (
                "COPY alembic.ini ./",
                "RUN --mount=from=alpine:latest,source=/bin/busybox,target=/bin/busybox"
                " busybox true\nCOPY alembic.ini ./",
            )
        ],
        PINNED,
        "line 29: `alpine:latest`, the image a mount's `from` takes files from, moves whenever a"
        " new release comes out",
    ),
    (
        "cache-mount-from-an-image-without-a-tag",
        [
            (
                "COPY alembic.ini ./",
                "RUN --mount=type=cache,from=alpine,target=/root/.cache true\nCOPY alembic.ini ./",
            )
        ],
        PINNED,
        "`alpine`, the image a mount's `from` takes files from, has no tag",
    ),
    (
        "sync-unlocked",
        [
            (
                "RUN uv sync --locked --no-dev --no-install-project",
                "RUN uv sync --no-dev --no-install-project",
            )
        ],
        LOCK,
        "`uv sync` without `--locked`",
    ),
    (
        "sync-unlocked-by-env",
        [
            ("ENV UV_COMPILE_BYTECODE=1", "ENV UV_LOCKED=0 UV_COMPILE_BYTECODE=1"),
            (
                "RUN uv sync --locked --no-dev --no-install-project",
                "RUN uv sync --no-dev --no-install-project",
            ),
        ],
        LOCK,
        "`uv sync` without `--locked`",
    ),
    (
        "lock-not-copied",
        [("COPY pyproject.toml uv.lock ./", "COPY pyproject.toml ./")],
        LOCK,
        "`uv sync` runs before uv.lock is in the image",
    ),
    (
        "pip-unpinned",
        [("RUN uv sync --locked --no-dev --no-install-project", "RUN pip install fastapi")],
        LOCK,
        "`pip install fastapi` installs whatever versions are newest",
    ),
    (
        "pip-requirements",
        [
            (
                "RUN uv sync --locked --no-dev --no-install-project",
                "RUN pip install -r requirements.txt",
            )
        ],
        LOCK,
        "`pip install -r` without `--require-hashes`",
    ),
    (
        "pip-project",
        [("RUN uv sync --locked --no-dev --no-editable", "RUN pip install .")],
        LOCK,
        "`pip install .` resolves the project's dependencies afresh",
    ),
    (
        "no-lock-install",
        [
            ("RUN uv sync --locked --no-dev --no-install-project\n", ""),
            ("RUN uv sync --locked --no-dev --no-editable\n", ""),
        ],
        LOCK,
        "nothing installs the dependencies from the lock file",
    ),
    (
        "no-user",
        [("USER 10001:10001\n", "")],
        USER,
        "the final stage (FROM on line 22) has no USER",
    ),
    (
        "root-user",
        [("USER 10001:10001", "USER root")],
        USER,
        "`USER root` runs the service as root",
    ),
    (
        "user-not-created",
        [(USER_LINES, ""), ("USER 10001:10001", "USER app")],
        USER,
        "never creates `app`",
    ),
    ("healthcheck-wrong-path", [("8000/health/live", "8000/")], HEALTH, "requests none of"),
    (
        "healthcheck-old-path",
        [("8000/health/live", "8000/health")],
        HEALTH,
        "requests none of the service's health endpoints; request the liveness endpoint,"
        " /health/live",
    ),
    # Readiness checks the database: as a HEALTHCHECK, a database outage gets the container
    # replaced, which the lesson's liveness/readiness section warns against.
    (
        "healthcheck-on-readiness",
        [("8000/health/live", "8000/health/ready")],
        HEALTH,
        "the HEALTHCHECK requests /health/ready, the readiness endpoint, which checks the database",
    ),
    (
        "healthcheck-on-liveness-and-readiness",
        [
            (
                'timeout=3)"]',
                "timeout=3); urllib.request.urlopen('http://127.0.0.1:8000/health/ready',"
                ' timeout=3)"]',
            )
        ],
        HEALTH,
        "the HEALTHCHECK requests /health/ready, the readiness endpoint",
    ),
    # The final stage's image from an ARG: still a slim Python image, still without curl.
    (
        "healthcheck-curl-on-a-slim-image-from-an-arg",
        [
            (BUILDER, f"ARG PYTHON_IMAGE={BASE}\n{BUILDER}"),
            (RUNTIME, "FROM ${PYTHON_IMAGE} AS runtime"),
            (
                'CMD ["python", "-c", "import urllib.request; urllib.request.urlopen(\'http://127.0.0.1:8000/health/live\', timeout=3)"]',
                "CMD curl -f http://127.0.0.1:8000/health/live",
            ),
        ],
        HEALTH,
        "runs curl, which the python slim images do not have",
    ),
    (
        "healthcheck-curl",
        [
            (
                'CMD ["python", "-c", "import urllib.request; urllib.request.urlopen(\'http://127.0.0.1:8000/health/live\', timeout=3)"]',
                "CMD curl -f http://127.0.0.1:8000/health/live",
            )
        ],
        HEALTH,
        "runs curl, which the python slim images do not have",
    ),
    (
        "healthcheck-wget-on-distroless",
        [
            (
                RUNTIME,
                f"FROM gcr.io/distroless/python3-debian12:nonroot@sha256:{'a' * 64} AS runtime",
            ),
            (USER_LINES, ""),
            ("USER 10001:10001", "USER nonroot"),
            (
                'CMD ["python", "-c", "import urllib.request; urllib.request.urlopen(\'http://127.0.0.1:8000/health/live\', timeout=3)"]',
                'CMD ["wget", "-qO-", "http://127.0.0.1:8000/health/live"]',
            ),
        ],
        HEALTH,
        "runs wget, which distroless images do not have (nor a shell)",
    ),
    ("no-cmd", [('CMD ["uvicorn"', '# CMD ["uvicorn"')], RUN, "has no CMD"),
    (
        "shell-form",
        [
            (
                'CMD ["uvicorn", "--factory", "booking_service.main:create_app", "--host", "0.0.0.0", "--port", "8000"]',
                "CMD uvicorn --factory booking_service.main:create_app --host 0.0.0.0 --port 8000",
            )
        ],
        RUN,
        "the command is in shell form",
    ),
    ("no-factory", [('"--factory", ', "")], RUN, "add `--factory`"),
    (
        "module-app",
        [("booking_service.main:create_app", "bookings.app:app")],
        RUN,
        "uvicorn should serve `booking_service.main:create_app`",
    ),
    (
        "not-uvicorn",
        [('CMD ["uvicorn"', 'CMD ["waitress-serve"')],
        RUN,
        "the command starts no ASGI server (uvicorn, gunicorn with uvicorn workers, hypercorn,"
        " granian or fastapi run)",
    ),
    (
        "default-host",
        [('"--host", "0.0.0.0", ', "")],
        RUN,
        "uvicorn listens on 127.0.0.1 (its default)",
    ),
    ("no-expose", [("EXPOSE 8000\n", "")], RUN, "has no EXPOSE: add `EXPOSE 8000`"),
    (
        "wrong-expose",
        [("EXPOSE 8000", "EXPOSE 80")],
        RUN,
        "EXPOSE 80, but uvicorn listens on port 8000",
    ),
    (
        "env-secret",
        [("PYTHONUNBUFFERED=1 \\", "PYTHONUNBUFFERED=1 DB_PASSWORD=hunter2 \\")],
        SECRETS,
        "ENV DB_PASSWORD puts a secret in the image's settings",
    ),
    (
        "arg-secret",
        [("ARG UV_VERSION=0.13.9", "ARG UV_VERSION=0.13.9\nARG API_TOKEN=abc")],
        SECRETS,
        "ARG API_TOKEN puts a secret in the build history",
    ),
    (
        "env-legacy-secret",
        [("USER 10001:10001", "ENV SECRET_KEY s3cr3t\nUSER 10001:10001")],
        SECRETS,
        "ENV SECRET_KEY puts a secret",
    ),
    (
        "copy-dotenv",
        [("COPY src ./src", "COPY src ./src\nCOPY .env ./")],
        SECRETS,
        "copies a secrets file into the image",
    ),
    (
        "copy-dotenv-in-json-form",
        [("COPY src ./src", 'COPY src ./src\nCOPY [".env", "./"]')],
        SECRETS,
        "copies a secrets file into the image",
    ),
    (
        "copy-migrations-contents-in-json-form",
        [("COPY migrations ./migrations", 'COPY ["migrations", "./"]')],
        JOB,
        "COPY puts what is inside migrations/ into /app, not a migrations/ folder",
    ),
    (
        "sh-c-without-exec",
        [(CMD, f'CMD ["sh", "-c", "uvicorn --factory {APP} --host 0.0.0.0"]')],
        RUN,
        "the command is in shell form",
    ),
    (
        "init-without-a-server",
        [(CMD, 'ENTRYPOINT ["tini", "--"]\nCMD ["python", "-m", "booking_service"]')],
        RUN,
        "the command starts no ASGI server",
    ),
    (
        "gunicorn-on-localhost",
        [
            (
                CMD,
                f'CMD ["gunicorn", "-k", "uvicorn_worker.UvicornWorker", "-b", "localhost", "{APP}()"]',
            )
        ],
        RUN,
        "gunicorn listens on localhost",
    ),
    (
        "uvicorn-host-from-arg",
        [
            ("USER 10001:10001", "ARG UVICORN_HOST=0.0.0.0\nUSER 10001:10001"),
            ('"--host", "0.0.0.0", ', ""),
        ],
        RUN,
        "uvicorn listens on 127.0.0.1 (its default)",
    ),
    (
        "uvicorn-factory-false-in-env",
        [
            ("PYTHONUNBUFFERED=1 \\", "PYTHONUNBUFFERED=1 UVICORN_FACTORY=false \\"),
            ('"--factory", ', ""),
        ],
        RUN,
        "add `--factory`",
    ),
    (
        "expose-arg-of-another-port",
        [("EXPOSE 8000", "ARG PORT=80\nEXPOSE ${PORT}")],
        RUN,
        "EXPOSE ${PORT}, but uvicorn listens on port 8000",
    ),
    (
        "root-from-an-arg",
        [(USER_LINES, "ARG APP_UID=0\n" + USER_LINES), ("USER 10001:10001", "USER ${APP_UID}")],
        USER,
        "`USER ${APP_UID}` runs the service as root",
    ),
    (
        "nonroot-on-a-python-image",
        [("USER 10001:10001", "USER nonroot")],
        USER,
        "never creates `nonroot`",
    ),
    (
        "heredoc-creates-another-user",
        [
            (USER_LINES, "RUN <<EOF\nuseradd --system other\nEOF\n"),
            ("USER 10001:10001", "USER app"),
        ],
        USER,
        "never creates `app`",
    ),
    (
        "uv-locked-arg-off",
        [
            ("ARG UV_VERSION=0.13.9", "ARG UV_VERSION=0.13.9\nARG UV_LOCKED=0"),
            (
                "RUN uv sync --locked --no-dev --no-install-project",
                "RUN uv sync --no-dev --no-install-project",
            ),
        ],
        LOCK,
        "`uv sync` without `--locked`",
    ),
    (
        "secret-in-a-file-variable",
        [("PYTHONUNBUFFERED=1 \\", "PYTHONUNBUFFERED=1 DB_PASSWORD_FILE=hunter2hunter2 \\")],
        SECRETS,
        "ENV DB_PASSWORD_FILE puts a secret",
    ),
    (
        "copy-env-production",
        [("COPY src ./src", "COPY src ./src\nCOPY .env.production ./")],
        SECRETS,
        "copies a secrets file into the image",
    ),
    (
        "uv-run-that-syncs-at-start-up",
        [UV_IN_RUNTIME, (CMD, CMD.replace('"uvicorn"', '"uv", "run", "--no-dev", "uvicorn"'))],
        RUN,
        "`uv run` without `--no-sync` syncs the environment each time the container starts",
    ),
    *(
        (
            f"uv-run-{option.strip('-')}-still-syncs",
            [UV_IN_RUNTIME, (CMD, CMD.replace('"uvicorn"', f'"uv", "run", "{option}", "uvicorn"'))],
            RUN,
            f"`uv run {option}` keeps the lock file but still syncs the environment",
        )
        for option in ("--frozen", "--locked")
    ),
    (
        "uv-run-locked-by-env-still-syncs",
        [
            ("PYTHONUNBUFFERED=1 \\", "PYTHONUNBUFFERED=1 UV_LOCKED=1 \\"),
            UV_IN_RUNTIME,
            (CMD, CMD.replace('"uvicorn"', '"uv", "run", "uvicorn"')),
        ],
        RUN,
        "`uv run` without `--no-sync`",
    ),
    (
        "uv-run-sync-variable-off",
        [
            ("PYTHONUNBUFFERED=1 \\", "PYTHONUNBUFFERED=1 UV_NO_SYNC=0 \\"),
            UV_IN_RUNTIME,
            (CMD, CMD.replace('"uvicorn"', '"uv", "run", "uvicorn"')),
        ],
        RUN,
        "`uv run` without `--no-sync`",
    ),
    (
        "uv-run-of-a-server-on-localhost",
        [
            UV_IN_RUNTIME,
            (
                CMD,
                CMD.replace('"uvicorn"', '"uv", "run", "--no-sync", "uvicorn"').replace(
                    "0.0.0.0", "127.0.0.1"
                ),
            ),
        ],
        RUN,
        "uvicorn listens on 127.0.0.1, which nothing outside the container can reach",
    ),
    (
        "gunicorn-cmd-args-on-localhost",
        [
            (
                "PYTHONUNBUFFERED=1 \\",
                'PYTHONUNBUFFERED=1 GUNICORN_CMD_ARGS="--bind=127.0.0.1:8000'
                ' -k uvicorn_worker.UvicornWorker" \\',
            ),
            (CMD, f'CMD ["gunicorn", "{APP}()"]'),
        ],
        RUN,
        "gunicorn listens on 127.0.0.1",
    ),
    (
        "gunicorn-command-line-overrides-cmd-args",
        [
            (
                "PYTHONUNBUFFERED=1 \\",
                'PYTHONUNBUFFERED=1 GUNICORN_CMD_ARGS="--bind=0.0.0.0:8000'
                ' -k uvicorn_worker.UvicornWorker" \\',
            ),
            (CMD, f'CMD ["gunicorn", "-b", "localhost:8000", "{APP}()"]'),
        ],
        RUN,
        "gunicorn listens on localhost",
    ),
    (
        "gunicorn-cmd-args-without-uvicorn-workers",
        [
            (
                "PYTHONUNBUFFERED=1 \\",
                'PYTHONUNBUFFERED=1 GUNICORN_CMD_ARGS="--bind=0.0.0.0:8000" \\',
            ),
            (CMD, f'CMD ["gunicorn", "{APP}()"]'),
        ],
        RUN,
        "gunicorn's own workers speak WSGI",
    ),
    (
        "entrypoint-script-nobody-copies",
        [(CMD, 'ENTRYPOINT ["./docker-entrypoint.sh"]\n' + CMD)],
        RUN,
        "the command runs `./docker-entrypoint.sh`, which no COPY brings from the project",
    ),
    (
        "add-url",
        [("COPY README.md ./", "ADD https://example.com/tool.tgz /opt/")],
        ADD,
        "ADD downloads `https://example.com/tool.tgz` at build time with no check of what"
        " arrives; pin it with `ADD --checksum=sha256:<digest>`",
    ),
]


@pytest.mark.parametrize(
    ("replacements", "expectation", "message"),
    [m[1:] for m in MISTAKES],
    ids=[m[0] for m in MISTAKES],
)
def test_each_mistake_fails_its_check_with_a_specific_message(replacements, expectation, message):
    base = WITH_HEALTHCHECK if expectation == HEALTH else MODEL
    result = run_dockerfile_check(edit(base, *replacements), only=expectation)[expectation]
    assert not result.passed, f"{expectation!r} passed"
    assert message in result.found, result.found
    assert result.line().startswith("❌") and "Hint:" in result.line()


TOOL_URL = "https://example.com/tool.tgz"
SHA256 = "sha256:" + "a1" * 32
COMMIT = "8e2d6c1f0b3a4e5d6c7b8a9f0e1d2c3b4a5f6e7d"
"""A full commit hash, as a git ref that pins one commit."""


def with_add(*lines: str) -> str:
    """The model with lines (an ADD, and what it needs) in place of its `COPY README.md ./`."""
    return edit(MODEL, ("COPY README.md ./", "\n".join(lines)))


# BuildKit's `ADD --checksum=<algorithm>:<digest>` checks what it downloads before the build goes
# on: a pinned download, as a RUN that checks a checksum is.
@pytest.mark.parametrize(
    "lines",
    [
        [f"ADD --checksum={SHA256} {TOOL_URL} /opt/"],
        [f"ADD --chmod=755 --link --checksum={SHA256} {TOOL_URL} /usr/local/bin/tool"],
        [f"ADD --checksum=sha384:{'b2' * 48} {TOOL_URL} /opt/"],
        [f"ADD --checksum=sha512:{'c3' * 64} {TOOL_URL} /opt/"],
        [f"ADD --checksum={SHA256} \\\n    {TOOL_URL} \\\n    /opt/tool.tgz"],
        [f'ADD --checksum={SHA256} ["{TOOL_URL}", "/opt/"]'],
        # The digest and the URL from ARGs with defaults, as Renovate bumps them.
        [
            f"ARG TOOL_SHA256={'a1' * 32}",
            f"ARG TOOL_URL={TOOL_URL}",
            "ADD --checksum=sha256:${TOOL_SHA256} ${TOOL_URL} /opt/",
        ],
        # ADD of a file of the build context downloads nothing.
        ["ADD README.md ./"],
        ["ADD vendor/tool.tgz /opt/"],
        # A git repository at a full commit hash: the ref pins it, as a checksum pins a file.
        [f"ADD https://github.com/moby/buildkit.git#{COMMIT} /buildkit"],
        [f"ADD --keep-git-dir=true https://github.com/moby/buildkit.git#{COMMIT}:docs /docs"],
        [f"ADD git@github.com:moby/buildkit.git#{COMMIT.upper()} /buildkit"],
        [f"ADD https://github.com/x/y.git#{'c4' * 32} /src"],  # a SHA-256 repository
        [
            f"ARG BUILDKIT_COMMIT={COMMIT}",
            "ADD https://github.com/moby/buildkit.git#${BUILDKIT_COMMIT} /b",
        ],
        # Dockerfile syntax 1.16 and later check a git source's --checksum against the commit
        # the tag or branch resolves to: the tag reads well, the hash pins it.
        [f"ADD --checksum={COMMIT} https://github.com/moby/buildkit.git#v0.10.1 /buildkit"],
        [f"ADD --checksum={COMMIT} https://github.com/moby/buildkit.git#{COMMIT} /buildkit"],
        [
            f"ARG BUILDKIT_COMMIT={COMMIT}",
            "ADD --checksum=${BUILDKIT_COMMIT} git@github.com:moby/buildkit.git#v0.10.1 /b",
        ],
    ],
    ids=[
        "checksum",
        "checksum-among-other-options",
        "sha384",
        "sha512",
        "continued-lines",
        "json-form",
        "digest-and-url-from-args",
        "local-file",
        "local-archive",
        "git-at-a-commit",
        "git-at-a-commit-with-a-folder",
        "git-over-ssh-at-a-commit",
        "git-at-a-sha256-commit",
        "git-commit-from-an-arg",
        "git-tag-with-a-commit-checksum",
        "git-commit-with-the-same-checksum",
        "git-commit-checksum-from-an-arg",
    ],
)
def test_an_add_that_downloads_nothing_unchecked_passes(lines):
    result = run_dockerfile_check(with_add(*lines), only=ADD)[ADD]
    assert result.passed, result.found


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            [f'ADD ["{TOOL_URL}", "/opt/"]'],
            f"ADD downloads `{TOOL_URL}` at build time with no check",
        ),
        (
            [f"ARG TOOL_URL={TOOL_URL}", "ADD ${TOOL_URL} /opt/"],
            f"ADD downloads `{TOOL_URL}` at build time with no check",
        ),
        (["ADD http://example.com/tool.tgz /opt/"], "ADD downloads `http://example.com/tool.tgz`"),
        (
            [f"ADD --checksum=sha256:a1b2 {TOOL_URL} /opt/"],
            "`--checksum=sha256:a1b2` is no sha256 digest",
        ),
        (
            [f"ADD --checksum=md5:{'a1' * 16} {TOOL_URL} /opt/"],
            "`--checksum=md5:a1a1a1a1a1a1a1a1a1a1a1a1a…` is no sha256, sha384 or sha512 digest",
        ),
        # The build reads the checksum as an OCI digest, which is all in lower case.
        (
            [f"ADD --checksum=SHA256:{'A1' * 32} {TOOL_URL} /opt/"],
            "is no sha256, sha384 or sha512 digest, the kinds the build checks: write `sha256:`"
            " and 64 lower-case hex digits",
        ),
        (
            ["ARG TOOL_SHA256", f"ADD --checksum=sha256:${{TOOL_SHA256}} {TOOL_URL} /opt/"],
            "`--checksum=sha256:${TOOL_SHA256}` is no sha256 digest",
        ),
        (
            [f"ADD --checksum={SHA256} {TOOL_URL} https://example.com/other.tgz /opt/"],
            "a checksum pins one download, and this ADD has 2",
        ),
        (
            [f"ADD --checksum={SHA256} https://github.com/moby/buildkit.git#v0.10.1 /buildkit"],
            "ADD downloads `https://github.com/moby/buildkit.git#v0.10.1`",
        ),
        (
            ["ADD git@github.com:moby/buildkit.git#v0.10.1 /buildkit"],
            "ADD downloads `git@github.com:moby/buildkit.git#v0.10.1`",
        ),
        (
            ["ADD https://github.com/moby/buildkit.git#master /buildkit"],
            "its ref `master` is a branch or tag, which can move",
        ),
        (
            ["ADD https://github.com/moby/buildkit.git /buildkit"],
            "it names no ref, only the repository's default branch",
        ),
        (
            [f"ADD https://github.com/moby/buildkit.git#{COMMIT[:7]} /buildkit"],
            f"its ref `{COMMIT[:7]}` is a short commit hash",
        ),
        (
            [
                "ARG BUILDKIT_COMMIT",
                "ADD https://github.com/moby/buildkit.git#${BUILDKIT_COMMIT} /b",
            ],
            "its ref `${BUILDKIT_COMMIT}` comes from an ARG without a value",
        ),
        (
            [f"ADD --checksum={SHA256} https://github.com/moby/buildkit.git#{COMMIT} /buildkit"],
            "for a git repository, `--checksum` is the full commit hash the build must check out",
        ),
        (
            [f"ADD --checksum={COMMIT[:7]} https://github.com/moby/buildkit.git#v0.10.1 /b"],
            f"`--checksum` is the full commit hash the build must check out, and `{COMMIT[:7]}`",
        ),
        (
            [f"ADD https://github.com/x/y.git#{COMMIT} https://github.com/x/z.git#main /src/"],
            "ADD downloads `https://github.com/x/z.git#main`",
        ),
        (["ADD ftp://example.com/tool.tgz /opt/"], "`--checksum` pins only an HTTP download"),
    ],
    ids=[
        "json-form-without-checksum",
        "url-from-an-arg",
        "plain-http",
        "short-digest",
        "md5",
        "upper-case-digest",
        "digest-arg-without-value",
        "one-checksum-two-downloads",
        "git-over-https",
        "git-over-ssh",
        "git-at-a-branch",
        "git-without-a-ref",
        "git-at-a-short-hash",
        "git-commit-arg-without-value",
        "git-at-a-commit-with-a-sha256-digest",
        "git-tag-with-a-short-commit-checksum",
        "git-one-pinned-one-not",
        "ftp",
    ],
)
def test_an_add_that_downloads_unchecked_is_refused(lines, message):
    result = run_dockerfile_check(with_add(*lines), only=ADD)[ADD]
    assert not result.passed
    assert message in result.found, result.found


@pytest.mark.parametrize(
    ("replacements", "name"),
    [
        (
            [
                (BUILDER, "FROM python:3.14-slim AS builder"),
                (RUNTIME, "FROM python:3.14-slim AS runtime"),
            ],
            "tag-without-digest",
        ),
        ([(BUILDER, "ARG PYTHON=3.14-slim\nFROM python:${PYTHON} AS builder")], "arg-with-default"),
        # An ARG without a default is empty, which leaves a pinned tag as it is.
        (
            [(BUILDER, "ARG VARIANT\nFROM python:3.14-slim${VARIANT} AS builder")],
            "empty-arg-after-a-tag",
        ),
        ([("ARG UV_VERSION=0.13.9", "ARG UV_VERSION=0.13.9\nARG NPM_TOKEN")], "arg-without-value"),
        (
            [("PYTHONUNBUFFERED=1 \\", "PYTHONUNBUFFERED=1 UV_KEYRING_PROVIDER=disabled \\")],
            "keyring-is-not-a-key",
        ),
        (
            [(CMD, f'ENTRYPOINT ["uvicorn"]\nCMD ["--factory", "{APP}", "--host", "0.0.0.0"]')],
            "entrypoint-and-cmd",
        ),
        ([("USER 10001:10001", "USER app")], "named-user-created-in-stage"),
        (
            [('"--host", "0.0.0.0", "--port", "8000"', '"--host=0.0.0.0", "--port=8000"')],
            "options-with-equals",
        ),
        (
            [(CMD, f'CMD ["python", "-m", "uvicorn", "--factory", "{APP}", "--host", "::"]')],
            "python-m-uvicorn",
        ),
        (
            [
                (
                    CMD,
                    f'CMD ["gunicorn", "-k", "uvicorn_worker.UvicornWorker", "-b", "0.0.0.0:8000", "{APP}()"]',
                )
            ],
            "gunicorn-with-uvicorn-workers",
        ),
        (
            [
                (
                    CMD,
                    f'CMD ["gunicorn", "--worker-class=uvicorn.workers.UvicornWorker", "--bind=0.0.0.0:8000", "-w", "2", "{APP}()"]',
                )
            ],
            "gunicorn-long-options",
        ),
        ([(CMD, f'CMD ["hypercorn", "--bind", "0.0.0.0:8000", "{APP}()"]')], "hypercorn"),
        (
            [
                (
                    CMD,
                    f'CMD ["granian", "--interface", "asgi", "--factory", "--host", "0.0.0.0", "{APP}"]',
                )
            ],
            "granian",
        ),
        # uv reads UV_LOCKED and UV_FROZEN as its --locked and --frozen.
        (
            [
                ("ENV UV_COMPILE_BYTECODE=1", "ENV UV_LOCKED=1 UV_COMPILE_BYTECODE=1"),
                (
                    "uv sync --locked --no-dev --no-install-project",
                    "uv sync --no-dev --no-install-project",
                ),
                ("uv sync --locked --no-dev --no-editable", "uv sync --no-dev --no-editable"),
            ],
            "uv-locked-by-env",
        ),
        (
            [
                (
                    "uv sync --locked --no-dev --no-install-project",
                    "UV_FROZEN=1 uv sync --no-dev --no-install-project",
                ),
                (
                    "uv sync --locked --no-dev --no-editable",
                    "UV_FROZEN=true uv sync --no-dev --no-editable",
                ),
            ],
            "uv-frozen-before-the-command",
        ),
        # A base stage both others are built FROM: its user, ENV and files are in both.
        (
            [
                (
                    BUILDER,
                    f"FROM {BASE} AS base\n{USER_LINES}ENV UV_FROZEN=1\nFROM base AS builder",
                ),
                (
                    "uv sync --locked --no-dev --no-install-project",
                    "uv sync --no-dev --no-install-project",
                ),
                ("uv sync --locked --no-dev --no-editable", "uv sync --no-dev --no-editable"),
                (f"{RUNTIME}\n{USER_LINES}", "FROM base AS runtime\n"),
                ("USER 10001:10001", "USER app"),
            ],
            "user-and-settings-from-a-shared-base-stage",
        ),
        # Options that take a value, before the app: the value is never read as the app.
        (
            [
                (
                    CMD,
                    'CMD ["uvicorn", "--timeout-keep-alive", "75", "--proxy-headers",'
                    ' "--forwarded-allow-ips", "10.0.0.0/8", "--log-config", "logging.yaml",'
                    f' "--factory", "{APP}", "--host", "0.0.0.0", "--port", "8000"]',
                )
            ],
            "uvicorn-keep-alive-before-the-app",
        ),
        (
            [
                (
                    CMD,
                    'CMD ["gunicorn", "--keep-alive", "75", "--max-requests", "1000", "-k",'
                    f' "uvicorn_worker.UvicornWorker", "-b", "0.0.0.0:8000", "{APP}()"]',
                )
            ],
            "gunicorn-keep-alive-before-the-app",
        ),
        (
            [(CMD, f'CMD ["hypercorn", "--keep-alive", "75", "-b", "0.0.0.0:8000", "{APP}()"]')],
            "hypercorn-keep-alive-before-the-app",
        ),
        (
            [
                (
                    CMD,
                    'CMD ["granian", "--interface", "asgi", "--an-option-from-a-newer-granian",'
                    f' "30", "--factory", "--host", "0.0.0.0", "{APP}"]',
                )
            ],
            "granian-unknown-option-before-the-app",
        ),
        # A heredoc's lines belong to its RUN (BuildKit's `RUN <<EOF`).
        (
            [
                (
                    USER_LINES,
                    "RUN <<EOF\ngroupadd --system --gid 10001 app\n"
                    "useradd --system --uid 10001 --gid app --no-create-home app\n"
                    "mkdir -p /data && chown app:app /data\nEOF\n",
                ),
                ("USER 10001:10001", "USER app"),
            ],
            "user-created-in-a-heredoc",
        ),
        (
            [
                (
                    "RUN uv sync --locked --no-dev --no-install-project",
                    "RUN <<EOF\nset -e\nuv sync --locked --no-dev --no-install-project\nEOF",
                )
            ],
            "uv-sync-in-a-heredoc",
        ),
        (
            [
                (BUILDER, "ARG PYTHON=3.13\nFROM python:${PYTHON}-slim-bookworm AS builder"),
                (RUNTIME, "FROM python:${PYTHON}-slim-bookworm AS runtime"),
            ],
            "bookworm-base-from-an-arg",
        ),
        (
            [
                ("COPY --from=builder", "COPY --link --from=builder"),
                ("COPY pyproject.toml uv.lock ./", "COPY --link pyproject.toml uv.lock ./"),
                (
                    "COPY migrations ./migrations",
                    "COPY --link --chown=10001:10001 migrations ./migrations",
                ),
            ],
            "copy-link",
        ),
        # uv's documented way: the lock file bind-mounted for the RUN, the cache kept between builds.
        (
            [
                ("COPY pyproject.toml uv.lock ./\n", ""),
                (
                    "RUN uv sync --locked --no-dev --no-install-project",
                    "RUN --mount=type=cache,target=/root/.cache/uv \\\n"
                    "    --mount=type=bind,source=uv.lock,target=uv.lock \\\n"
                    "    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \\\n"
                    "    uv sync --locked --no-dev --no-install-project",
                ),
                ("COPY src ./src", "COPY pyproject.toml uv.lock ./\nCOPY src ./src"),
            ],
            "mount-cache-and-bind-the-lock",
        ),
        (
            [
                ("ARG UV_VERSION=0.13.9", "ARG UV_VERSION=0.13.9\nARG UV_LOCKED=1"),
                (
                    "uv sync --locked --no-dev --no-install-project",
                    "uv sync --no-dev --no-install-project",
                ),
                ("uv sync --locked --no-dev --no-editable", "uv sync --no-dev --no-editable"),
            ],
            "uv-locked-by-arg",
        ),
        ([(CMD, 'ENTRYPOINT ["tini", "--"]\n' + CMD)], "tini-as-init"),
        # uv's Docker guide serves through `uv run`, kept from syncing at start-up.
        *(
            (
                [
                    UV_IN_RUNTIME,
                    (CMD, CMD.replace('"uvicorn"', f'"uv", "run", {options}"uvicorn"')),
                ],
                name,
            )
            for options, name in [
                ('"--no-sync", ', "uv-run-no-sync"),
                ('"--no-sync", "--no-dev", ', "uv-run-no-sync-no-dev"),
                ('"--no-sync", "--", ', "uv-run-no-sync-double-dash"),
                ('"--no-sync", "--env-file", ".env.defaults", ', "uv-run-option-with-a-value"),
                ('"--no-sync", "python", "-m", ', "uv-run-python-m-uvicorn"),
            ]
        ),
        (
            [
                ("PYTHONUNBUFFERED=1 \\", "PYTHONUNBUFFERED=1 UV_NO_SYNC=1 \\"),
                UV_IN_RUNTIME,
                (CMD, CMD.replace('"uvicorn"', '"uv", "run", "uvicorn"')),
            ],
            "uv-run-no-sync-by-env",
        ),
        (
            [
                UV_IN_RUNTIME,
                (
                    CMD,
                    'ENTRYPOINT ["tini", "--"]\n'
                    + CMD.replace('"uvicorn"', '"uv", "run", "--no-sync", "uvicorn"'),
                ),
            ],
            "tini-then-uv-run",
        ),
        # gunicorn reads its options from GUNICORN_CMD_ARGS too.
        (
            [
                (
                    "PYTHONUNBUFFERED=1 \\",
                    'PYTHONUNBUFFERED=1 GUNICORN_CMD_ARGS="--bind=0.0.0.0:8000 --workers=2'
                    ' -k uvicorn_worker.UvicornWorker" \\',
                ),
                (CMD, f'CMD ["gunicorn", "{APP}()"]'),
            ],
            "gunicorn-cmd-args-in-env",
        ),
        ([(CMD, 'ENTRYPOINT ["/usr/bin/dumb-init", "--"]\n' + CMD)], "dumb-init-as-init"),
        (
            [(CMD, f'ENTRYPOINT ["uvicorn", "--factory", "{APP}"]\nCMD ["--host", "0.0.0.0"]')],
            "entrypoint-with-the-app-cmd-with-options",
        ),
        # A shell that replaces itself with the server: the server is PID 1 and gets SIGTERM.
        (
            [(CMD, f"CMD exec uvicorn --factory {APP} --host 0.0.0.0 --port ${{PORT:-8000}}")],
            "shell-form-with-exec",
        ),
        (
            [(CMD, f'CMD ["sh", "-c", "exec uvicorn --factory {APP} --host 0.0.0.0"]')],
            "sh-c-with-exec",
        ),
        (
            [
                (
                    CMD,
                    f'CMD ["gunicorn", "-k", "uvicorn.workers.UvicornWorker", "--bind", ":8000", "{APP}()"]',
                )
            ],
            "gunicorn-bind-every-address",
        ),
        (
            [
                (
                    CMD,
                    f'CMD ["gunicorn", "-k", "uvicorn_worker.UvicornWorker", "-b", "0.0.0.0", "{APP}()"]',
                )
            ],
            "gunicorn-bind-without-port",
        ),
        # uvicorn reads UVICORN_<OPTION> from the environment.
        (
            [
                (
                    "PYTHONUNBUFFERED=1 \\",
                    "PYTHONUNBUFFERED=1 UVICORN_HOST=0.0.0.0 UVICORN_FACTORY=true \\",
                ),
                (CMD, f'CMD ["uvicorn", "{APP}", "--port", "8000"]'),
            ],
            "uvicorn-options-from-env",
        ),
        (
            [(CMD, CMD.replace('"uvicorn"', '"/app/.venv/bin/python", "-m", "uvicorn"'))],
            "venv-python",
        ),
        (
            [
                (USER_LINES, "ARG APP_UID=10001\n" + USER_LINES),
                ("USER 10001:10001", "USER ${APP_UID}"),
            ],
            "user-from-an-arg",
        ),
        (
            [
                (USER_LINES, "RUN addgroup -S app && adduser -S -G app app\n"),
                ("USER 10001:10001", "USER app:app"),
            ],
            "alpine-adduser",
        ),
        # Distroless images have no shell to create a user, and come with `nonroot`.
        (
            [
                (
                    RUNTIME,
                    f"FROM gcr.io/distroless/python3-debian12:nonroot@sha256:{'a' * 64} AS runtime",
                ),
                (USER_LINES, ""),
                ("USER 10001:10001", "USER nonroot"),
            ],
            "distroless-nonroot",
        ),
        ([("EXPOSE 8000", "ARG PORT=8000\nEXPOSE ${PORT}")], "expose-from-an-arg"),
        ([("EXPOSE 8000", "ENV PORT=8000\nEXPOSE $PORT/tcp")], "expose-from-env"),
        (
            [("PYTHONUNBUFFERED=1 \\", "PYTHONUNBUFFERED=1 DB_PASSWORD_FILE=/run/secrets/db \\")],
            "where-a-secret-is-mounted",
        ),
        ([("COPY src ./src", "COPY src ./src\nCOPY .env.example ./")], "env-example"),
        (
            [
                (
                    "EXPOSE 8000\n",
                    'EXPOSE 8000\nHEALTHCHECK CMD python -c "import urllib.request as r; '
                    "r.urlopen('http://localhost:8000/health/live')\"\n",
                )
            ],
            "healthcheck-shell-form",
        ),
        (
            [
                (
                    BUILDER,
                    f"FROM {BASE} AS base\nRUN apt-get update && apt-get install -y curl\nFROM base AS builder",
                ),
                (RUNTIME, "FROM base AS runtime"),
                (
                    "EXPOSE 8000\n",
                    "EXPOSE 8000\nHEALTHCHECK CMD curl -fsS http://localhost:8000/health/live\n",
                ),
            ],
            "healthcheck-curl-installed-in-a-base-stage",
        ),
        ([("EXPOSE 8000\n", "EXPOSE 8000\n" + HEALTHCHECK)], "healthcheck-on-liveness"),
        ([("EXPOSE 8000\n", "EXPOSE 8000\nHEALTHCHECK NONE\n")], "healthcheck-none"),
        (
            [("COPY alembic.ini ./\nCOPY migrations ./migrations\n", "COPY . .\n")],
            "copy-everything",
        ),
        # COPY in JSON form, which the build reads as a list of paths after the options.
        (
            [
                ("COPY pyproject.toml uv.lock ./", 'COPY ["pyproject.toml", "uv.lock", "./"]'),
                (VENV_COPY, 'COPY --from=builder ["/app/.venv", "/app/.venv"]'),
                ("COPY alembic.ini ./", 'COPY ["alembic.ini", "./"]'),
                ("COPY migrations ./migrations", 'COPY ["migrations", "./migrations"]'),
            ],
            "copy-in-json-form",
        ),
        # The build takes the quotes off an option's value: `--from="builder"` is the stage.
        ([(VENV_COPY, 'COPY --from="builder" /app/.venv /app/.venv')], "from-in-double-quotes"),
        ([(VENV_COPY, "COPY --from='builder' /app/.venv /app/.venv")], "from-in-single-quotes"),
        # Files from another image: named in full, or by a stage of it at an ARG's version (the
        # build replaces no ARG in `--from` itself).
        (
            [(VENV_COPY, VENV_COPY + "\nCOPY --from=busybox:1.37 /bin/busybox /bin/busybox")],
            "copy-from-an-image",
        ),
        (
            [
                (
                    BUILDER,
                    "ARG BUSYBOX_TAG=1.37\nFROM busybox:${BUSYBOX_TAG} AS busybox\n" + BUILDER,
                ),
                (VENV_COPY, VENV_COPY + "\nCOPY --from=busybox /bin/busybox /bin/busybox"),
            ],
            "copy-from-a-stage-of-an-arg-version",
        ),
        (
            [
                (
                    BUILDER,
                    "ARG BUSYBOX_TAG=1.37\nFROM busybox:${BUSYBOX_TAG} AS busybox\n" + BUILDER,
                ),
                (
                    "COPY alembic.ini ./",
                    "RUN --mount=from=busybox,source=/bin/busybox,target=/bin/busybox busybox true\n"
                    "COPY alembic.ini ./",
                ),
            ],
            "mount-from-a-stage-of-an-arg-version",
        ),
        # An image a COPY or a mount pulls is pinned as a base image is: by a tag with a version
        # or by a digest. A stage (by its name, in any case, or its index) is no image.
        (
            [
                (
                    VENV_COPY,
                    VENV_COPY + f"\nCOPY --from=busybox@sha256:{'0' * 64} /bin/busybox /bin/",
                )
            ],
            "copy-from-an-image-by-digest",
        ),
        (
            [
                (
                    VENV_COPY,
                    VENV_COPY + "\nCOPY --from=registry.example.com:5000/tools/busybox:1.37"
                    " /bin/busybox /bin/",
                )
            ],
            "copy-from-an-image-of-a-registry-port",
        ),
        (
            [(VENV_COPY, "COPY --from=BUILDER /app/.venv /app/.venv")],
            "copy-from-a-stage-in-capitals",
        ),
        ([(VENV_COPY, "COPY --from=0 /app/.venv /app/.venv")], "copy-from-a-stage-by-index"),
        (
            [
                (RUNTIME, "FROM scratch AS empty\n" + RUNTIME),
                (VENV_COPY, VENV_COPY + "\nCOPY --from=empty / /tmp/"),
            ],
            "copy-from-a-stage-of-scratch",
        ),
        (
            [
                (
                    "COPY alembic.ini ./",
                    "RUN --mount=from=alpine:3.22,source=/bin/busybox,target=/bin/busybox busybox"
                    " true\nRUN --mount=type=cache,from=Builder,target=/root/.cache true\n"
                    "COPY alembic.ini ./",
                )
            ],
            "mounts-from-a-pinned-image-and-a-stage",
        ),
    ],
)
def test_good_variations_pass(replacements, name):
    results = run_dockerfile_check(edit(MODEL, *replacements))
    assert {text: r.found for text, r in results.items() if not r.passed} == {}, name


# A named build context (`docker buildx build --build-context docs=./docs .`) is reached as a
# stage is, with `COPY --from=docs` or a mount's `from=docs`: files the build command gives,
# not an image to pull and pin. Each place that sets one, with the Dockerfile that uses it.
COPY_FROM_DOCS = (VENV_COPY, VENV_COPY + "\nCOPY --from=docs /runbook.md /app/docs/")
BUILD_COMMAND = "docker buildx build --build-context docs=./docs -t bookings:dev ."


@pytest.mark.parametrize(
    ("files", "replacements"),
    [
        (
            {
                ".github/workflows/ci.yml": f"jobs:\n  image:\n    steps:\n      - run: {BUILD_COMMAND}\n"
            },
            [COPY_FROM_DOCS],
        ),
        (
            {
                ".github/workflows/release.yaml": "jobs:\n  image:\n    steps:\n"
                "      - run: |\n          docker build \\\n            --build-context \\\n"
                "            'docs=./docs' .\n"
            },
            [COPY_FROM_DOCS],
        ),
        (
            {
                ".github/workflows/ci.yml": "jobs:\n  image:\n    steps:\n"
                "      - uses: docker/build-push-action@v7\n        with:\n"
                "          context: .\n          build-contexts: |\n"
                "            shared=../shared\n            docs=./docs\n"
            },
            [COPY_FROM_DOCS],
        ),
        ({"Makefile": "image:\n\tdocker build --build-context=docs=./docs .\n"}, [COPY_FROM_DOCS]),
        ({"scripts/build.sh": BUILD_COMMAND + "\n"}, [COPY_FROM_DOCS]),
        (
            {
                "compose.yaml": "services:\n  api:\n    build:\n      context: .\n"
                "      additional_contexts:\n        docs: ./docs\n"
            },
            [COPY_FROM_DOCS],
        ),
        (
            {
                "docker-compose.yml": "services:\n  api:\n    build:\n"
                "      additional_contexts:\n        - docs=./docs\n"
            },
            [COPY_FROM_DOCS],
        ),
        (
            {"docker-bake.hcl": 'target "app" {\n  contexts = {\n    docs = "./docs"\n  }\n}\n'},
            [COPY_FROM_DOCS],
        ),
        # The build command written in the Dockerfile's own comment, as the template does.
        (
            {},
            [
                (MODEL.splitlines()[0], MODEL.splitlines()[0] + f"\n# Build: {BUILD_COMMAND}"),
                COPY_FROM_DOCS,
            ],
        ),
        # In any case, as BuildKit matches a stage's name; and by a mount.
        (
            {"build.sh": BUILD_COMMAND.replace("docs=", "Docs=") + "\n"},
            [(VENV_COPY, VENV_COPY + "\nCOPY --from=DOCS /runbook.md /app/docs/")],
        ),
        (
            {"build.sh": BUILD_COMMAND + "\n"},
            [
                (
                    VENV_COPY,
                    VENV_COPY + "\nRUN --mount=from=docs,source=/runbook.md,target=/tmp/r.md true",
                )
            ],
        ),
        # A context's name close to a stage's is the context, not a misspelt stage.
        (
            {"build.sh": BUILD_COMMAND.replace("docs=", "builders=") + "\n"},
            [(VENV_COPY, VENV_COPY + "\nCOPY --from=builders /runbook.md /app/docs/")],
        ),
        # A context that is an image pinned in the build command.
        (
            {"build.sh": "docker build --build-context docs=docker-image://busybox:1.37 .\n"},
            [COPY_FROM_DOCS],
        ),
    ],
    ids=[
        "workflow-run",
        "workflow-run-on-continued-lines-in-quotes",
        "build-push-actions-input",
        "makefile-recipe-with-equals",
        "shell-script",
        "compose-mapping",
        "compose-list",
        "bake-file",
        "dockerfile-comment",
        "other-case",
        "mount-from-a-context",
        "close-to-a-stage-name",
        "context-of-a-pinned-image",
    ],
)
def test_a_named_build_context_is_not_an_image_to_pin(tmp_path, files, replacements):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    text = edit(MODEL, *replacements)
    (tmp_path / "Dockerfile").write_text(text)
    result = run_dockerfile_check(text, only=PINNED, root=tmp_path)[PINNED]
    assert result.passed, result.found


@pytest.mark.parametrize(
    ("files", "replacements", "message"),
    [
        # No build command gives it: the build pulls an image called `docs`.
        (
            {},
            [COPY_FROM_DOCS],
            "line 28: `docs`, the image a COPY's `--from` takes files from, has no tag",
        ),
        # The command gives another name.
        (
            {"build.sh": BUILD_COMMAND.replace("docs=", "manuals=") + "\n"},
            [COPY_FROM_DOCS],
            "`docs`, the image a COPY's `--from` takes files from, has no tag",
        ),
        # A context that is an image is judged by the image it names.
        (
            {"build.sh": "docker build --build-context docs=docker-image://busybox .\n"},
            [COPY_FROM_DOCS],
            "line 28: `busybox` (the build context `docs`: `--build-context"
            " docs=docker-image://busybox`) has no tag, which means `latest`",
        ),
        (
            {
                ".github/workflows/ci.yml": "jobs:\n  image:\n    steps:\n"
                "      - uses: docker/build-push-action@v7\n        with:\n"
                "          build-contexts: docs=docker-image://busybox:latest\n"
            },
            [COPY_FROM_DOCS],
            "`busybox:latest` (the build context `docs`",
        ),
    ],
    ids=["no-build-command", "another-name", "context-of-an-unpinned-image", "action-latest"],
)
def test_a_from_that_no_build_context_makes_a_files_context_is_judged_as_an_image(
    tmp_path, files, replacements, message
):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    result = run_dockerfile_check(edit(MODEL, *replacements), only=PINNED, root=tmp_path)[PINNED]
    assert not result.passed
    assert message in result.found, result.found


def test_a_from_of_a_named_context_is_judged_by_the_image_it_names():
    text = "FROM base AS builder\nRUN true\nFROM tools\nCOPY --from=builder /a /a\n"
    instructions = dockerfile.parse_dockerfile(text)
    contexts = {"base": "docker-image://python:3.14-slim", "tools": "docker-image://busybox"}
    assert rules.base_image_problems(instructions, contexts=contexts) == [
        "line 3: `busybox` (the build context `tools`: `--build-context"
        " tools=docker-image://busybox`) has no tag, which means `latest`: pin the version you"
        " use, as a tag (`busybox:<version>`) or a digest (`busybox@sha256:…`)"
    ]
    # A context of files pulls no image.
    files = {**contexts, "tools": "../tools"}
    assert rules.base_image_problems(instructions, contexts=files) == []


UV_RUN_CMD = CMD.replace('"uvicorn"', '"uv", "run", "--no-sync", "uvicorn"')


# The usual ways to get uv into the final stage, for a CMD that serves through `uv run`.
@pytest.mark.parametrize(
    "replacements",
    [
        [UV_IN_RUNTIME],
        [(VENV_COPY, VENV_COPY + "\nCOPY --from=docker.io/astral/uv:0.13.9 /uv /usr/local/bin/uv")],
        [
            (BUILDER, "FROM ghcr.io/astral-sh/uv:0.13.9 AS uv\n" + BUILDER),
            (VENV_COPY, VENV_COPY + "\nCOPY --from=uv /uv /bin/uv"),
        ],
        # The build stage installs uv with pip (as the model's does): its binary, copied over.
        [(VENV_COPY, VENV_COPY + "\nCOPY --from=builder /usr/local/bin/uv /usr/local/bin/uv")],
        [(USER_LINES, USER_LINES + 'RUN pip install --no-cache-dir "uv==0.13.9"\n')],
        [(USER_LINES, USER_LINES + "RUN python -m pip install uv==0.13.9\n")],
        [(RUNTIME, "FROM ghcr.io/astral-sh/uv:python3.14-bookworm-slim AS runtime")],
        # `--from` in quotes names the same image.
        [(VENV_COPY, VENV_COPY + '\nCOPY --from="ghcr.io/astral-sh/uv:0.5" /uv /uvx /bin/')],
        [(VENV_COPY, VENV_COPY + "\nCOPY --from='ghcr.io/astral-sh/uv:0.13.9' /uv /bin/uv")],
        # A base stage of the final one has it.
        [
            (BUILDER, f"FROM {BASE} AS base\nRUN pip install uv==0.13.9\nFROM base AS builder"),
            (RUNTIME, "FROM base AS runtime"),
        ],
    ],
    ids=[
        "copied-from-uvs-image",
        "copied-from-docker-hubs-uv-image",
        "copied-from-a-stage-of-uvs-image",
        "copied-from-the-build-stage",
        "pip-installed",
        "python-m-pip-installed",
        "uvs-python-image",
        "quoted-from-of-uvs-image",
        "single-quoted-from-of-uvs-image",
        "installed-in-a-base-stage",
    ],
)
def test_a_uv_run_cmd_passes_when_the_final_stage_has_uv(replacements):
    result = run_dockerfile_check(edit(MODEL, *replacements, (CMD, UV_RUN_CMD)), only=RUN)[RUN]
    assert result.passed, result.found


@pytest.mark.parametrize(
    "replacements",
    [
        [],  # the model's build stage installs uv; only its .venv reaches the final stage
        [(USER_LINES, USER_LINES + "RUN pip install uvicorn==0.38.0\n")],
        [(VENV_COPY, VENV_COPY + "\nCOPY --from=builder /app/README.md ./")],
        [(VENV_COPY, VENV_COPY + "\nCOPY --from=ghcr.io/astral-sh/ruff:0.14.0 /ruff /bin/")],
    ],
    ids=["only-the-venv-copied", "pip-installs-uvicorn", "another-file-of-the-builder", "ruff"],
)
def test_a_uv_run_cmd_without_uv_in_the_final_stage_is_named(replacements):
    result = run_dockerfile_check(edit(MODEL, *replacements, (CMD, UV_RUN_CMD)), only=RUN)[RUN]
    assert not result.passed
    assert "the command starts the server with `uv run`, but the final stage (FROM on line" in (
        result.found
    ), result.found
    assert "has no uv" in result.found and "COPY --from=ghcr.io/astral-sh/uv:" in result.found


HASH = "sha256:" + "ab" * 32
HASHED_UV = f"uv==0.13.9 \\\n    --hash={HASH}\n"
"""A requirements file that pins uv by version and hash, as `pip-compile --generate-hashes` or
`uv pip compile --generate-hashes` writes it."""


def with_requirements_install(root: Path, requirements: str, install: str) -> dict[str, Outcome]:
    """The lock and run rules on the model whose final stage installs uv from a requirements
    file of the project, and serves through `uv run`."""
    (root / "requirements-uv.txt").write_text(requirements, encoding="utf-8")
    text = edit(
        MODEL,
        (VENV_COPY, f"{VENV_COPY}\nCOPY requirements-uv.txt ./\nRUN {install}"),
        (CMD, UV_RUN_CMD),
    )
    return {rule: run_dockerfile_check(text, only=rule, root=root)[rule] for rule in (LOCK, RUN)}


# uv installed from a hashed requirements file: pip checks each file against its hash.
@pytest.mark.parametrize(
    "install",
    [
        "pip install --no-cache-dir --require-hashes -r requirements-uv.txt",
        "python -m pip install --require-hashes --requirement /app/requirements-uv.txt",
        # pip checks hashes without being told once any entry of the file has one.
        "pip install -r requirements-uv.txt",
        # pip's other spellings of `-r FILE`: the value after `=`, or glued to the short option.
        "pip install --require-hashes --requirement=requirements-uv.txt",
        "pip install --require-hashes -rrequirements-uv.txt",
        "pip install -r/app/requirements-uv.txt",
    ],
    ids=[
        "require-hashes",
        "python-m-pip-by-absolute-path",
        "hash-checking-by-the-file",
        "requirement-equals",
        "r-glued-to-its-file",
        "r-glued-to-an-absolute-path",
    ],
)
def test_uv_installed_from_a_hashed_requirements_file_passes(tmp_path, install):
    results = with_requirements_install(tmp_path, HASHED_UV, install)
    assert {rule: r.found for rule, r in results.items() if not r.passed} == {}


@pytest.mark.parametrize(
    ("requirements", "message"),
    [
        ("uv==0.13.9\n", "its line 1, `uv==0.13.9`, which has no `--hash`"),
        (f"uv>=0.13 --hash={HASH}\n", "its line 1, `uv>=0.13`, which has no `==` pin"),
        (
            f"{HASHED_UV}ruff==0.14.0\n",
            "its line 3, `ruff==0.14.0`, which has no `--hash`",
        ),
    ],
    ids=["unhashed", "a-range", "one-entry-unhashed"],
)
@pytest.mark.parametrize(
    "install",
    [
        "pip install --require-hashes -r requirements-uv.txt",
        "pip install --require-hashes --requirement=requirements-uv.txt",
        "pip install --require-hashes -rrequirements-uv.txt",
    ],
    ids=["r", "requirement-equals", "r-glued"],
)
def test_a_requirements_file_that_pip_refuses_in_hash_checking_mode_is_named(
    tmp_path, requirements, message, install
):
    result = with_requirements_install(tmp_path, requirements, install)[LOCK]
    assert not result.passed
    assert "pip checks the hashes of `requirements-uv.txt`, and stops the build at" in (
        result.found
    ), result.found
    assert message in result.found, result.found


@pytest.mark.parametrize(
    ("requirements", "install", "expectation", "message"),
    [
        # Not hashed, and not told to check hashes: the versions are not held to a review.
        ("uv==0.13.9\n", "pip install -r requirements-uv.txt", LOCK, "without `--require-hashes`"),
        (
            "uv==0.13.9\n",
            "pip install --requirement=requirements-uv.txt",
            LOCK,
            "without `--require-hashes`",
        ),
        ("uv==0.13.9\n", "pip install -rrequirements-uv.txt", LOCK, "without `--require-hashes`"),
        # A hashed file that holds no uv installs none.
        (
            f"ruff==0.14.0 --hash={HASH}\n",
            "pip install --require-hashes -r requirements-uv.txt",
            RUN,
            "has no uv",
        ),
    ],
    ids=[
        "neither-hashed-nor-checked",
        "requirement-equals-neither-hashed-nor-checked",
        "r-glued-neither-hashed-nor-checked",
        "no-uv-in-the-file",
    ],
)
def test_a_requirements_install_that_brings_no_pinned_uv_is_refused(
    tmp_path, requirements, install, expectation, message
):
    result = with_requirements_install(tmp_path, requirements, install)[expectation]
    assert not result.passed
    assert message in result.found, result.found


BUILDER_UV = 'RUN pip install --no-cache-dir "uv==${UV_VERSION}"'
"""The model's build stage installs uv with the image's pip, into /usr/local/bin."""
INSTALLER_UV = "RUN curl -LsSf https://astral.sh/uv/${UV_VERSION}/install.sh | sh"
"""uv's installer at the model's version: the one uv that `uv self update` can update."""
GLOBAL_UV_VERSION = (BUILDER, "ARG UV_VERSION=0.13.9\n" + BUILDER)
"""An ARG before the first FROM: the only kind a FROM can use (a `COPY --from` can use none)."""
UV_STAGE_OF_AN_ARG = (
    BUILDER,
    "ARG UV_VERSION=0.13.9\nFROM ghcr.io/astral-sh/uv:${UV_VERSION} AS uv\n" + BUILDER,
)
"""A stage of uv's image at the ARG's version: the workaround BuildKit names for an ARG in a
`COPY --from` or a mount's `from`, which it does not replace."""


def uv_in_the_builder(*lines: str) -> tuple[str, str]:
    """The model's build stage getting uv by `lines` instead of pip."""
    return (BUILDER_UV, "\n".join(lines))


BUILDER_SYNCS = (
    "RUN uv sync --locked --no-dev --no-install-project",
    "RUN uv sync --locked --no-dev --no-editable",
)
"""The model's two `uv sync`s in the build stage."""


def uv_mounted(mount: str) -> list[tuple[str, str]]:
    """The model's build stage without uv installed: each `uv sync` mounts it (`--mount=…`),
    as uv's Docker guide does to use uv temporarily."""
    return [uv_in_the_builder("")] + [
        (sync, sync.replace("RUN ", f"RUN {mount} \\\n    ")) for sync in BUILDER_SYNCS
    ]


RELEASE_INSTALLER = "https://github.com/astral-sh/uv/releases/download/0.13.9/uv-installer.sh"
"""uv's installer as each release's page on GitHub links it."""


# uv's own version is pinned however uv arrives: by pip's `==` (the model), by a version tag or
# a digest of uv's image, by a version in the installer's URL; from an ARG's default as well. A
# minor-only tag (`uv:0.13`) counts, as `pip install "uv==0.13.*"` does.
@pytest.mark.parametrize(
    "replacements",
    [
        [uv_in_the_builder("COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /uvx /bin/")],
        [uv_in_the_builder("COPY --from=ghcr.io/astral-sh/uv:0.13 /uv /uvx /bin/")],
        [uv_in_the_builder(f"COPY --from=ghcr.io/astral-sh/uv@sha256:{'0' * 64} /uv /bin/")],
        [uv_in_the_builder(f"COPY --from=ghcr.io/astral-sh/uv:0.13.9@sha256:{'0' * 64} /uv /bin/")],
        [uv_in_the_builder("COPY --from=docker.io/astral/uv:0.13.9 /uv /bin/")],
        [
            uv_in_the_builder(
                "COPY --from=ghcr.io/astral-sh/uv:0.13.9-python3.14-bookworm-slim"
                " /usr/local/bin/uv /bin/"
            )
        ],
        [
            (BUILDER, "FROM ghcr.io/astral-sh/uv:0.13.9 AS uv\n" + BUILDER),
            uv_in_the_builder("COPY --from=uv /uv /bin/"),
        ],
        # An ARG's version by a stage of uv's image: BuildKit replaces no ARG in `--from`.
        [UV_STAGE_OF_AN_ARG, uv_in_the_builder("COPY --from=uv /uv /bin/")],
        [
            (UV_STAGE_OF_AN_ARG[0], UV_STAGE_OF_AN_ARG[1].replace("${UV_VERSION}", "$UV_VERSION")),
            uv_in_the_builder("COPY --from=uv /uv /bin/"),
        ],
        [uv_in_the_builder("RUN curl -LsSf https://astral.sh/uv/0.13.9/install.sh | sh")],
        # The model's stage ARG, which a RUN sees.
        [uv_in_the_builder("RUN curl -LsSf https://astral.sh/uv/${UV_VERSION}/install.sh | sh")],
        [uv_in_the_builder('RUN pip install --no-cache-dir "uv==0.13.*"')],
        # uv mounted for each RUN that needs it, from uv's image by a version or a digest.
        uv_mounted("--mount=from=ghcr.io/astral-sh/uv:0.13.9,source=/uv,target=/bin/uv"),
        uv_mounted("--mount=type=bind,from=ghcr.io/astral-sh/uv:0.13.9,src=/uv,dst=/bin/uv"),
        uv_mounted(
            f"--mount=from=ghcr.io/astral-sh/uv@sha256:{'0' * 64},source=/uv,target=/bin/uv"
        ),
        uv_mounted('"--mount=from=docker.io/astral/uv:0.13,source=/uv,target=/bin/uv"'),
        uv_mounted(
            "--mount=type=cache,target=/root/.cache/uv"
            " --mount=from=ghcr.io/astral-sh/uv:0.13.9,source=/uv,target=/bin/uv"
        ),
        # From a stage of uv's image: the workaround BuildKit names for an ARG's version.
        [UV_STAGE_OF_AN_ARG, *uv_mounted("--mount=from=uv,source=/uv,target=/bin/uv")],
        # A mount from the build stage is not an image: nothing of uv's version to judge.
        [
            (
                "COPY alembic.ini ./",
                "RUN --mount=from=builder,source=/app/README.md,target=/tmp/README.md true\n"
                "COPY alembic.ini ./",
            )
        ],
        [uv_in_the_builder("RUN pipx install uv==0.13.9")],
        [uv_in_the_builder('RUN pipx install --python python3.14 "uv==0.13.9"')],
        [uv_in_the_builder('RUN pip install pipx==1.8.0 && pipx install "uv==${UV_VERSION}"')],
        # pipx run as a module of Python is pipx.
        [uv_in_the_builder('RUN python -m pipx install "uv==0.13.9"')],
        [uv_in_the_builder("RUN /usr/local/bin/python3.14 -m pipx install uv==0.13.9")],
        [uv_in_the_builder(f"RUN curl -LsSf {RELEASE_INSTALLER} | sh")],
        [
            uv_in_the_builder(
                "RUN curl -LsSf " + RELEASE_INSTALLER.replace("0.13.9", "${UV_VERSION}") + " | sh"
            )
        ],
        # `uv self update` to a named version keeps uv pinned.
        [
            uv_in_the_builder(
                "RUN curl -LsSf https://astral.sh/uv/0.13.8/install.sh | sh"
                " && /root/.local/bin/uv self update 0.13.9"
            )
        ],
        [uv_in_the_builder(INSTALLER_UV + " && uv self update ${UV_VERSION}")],
        [uv_in_the_builder(INSTALLER_UV + " && uv self update --dry-run")],
        # uv's installer leaves the receipt `uv self update` needs, whatever else brings uv
        # (PATH decides which runs), and wherever the stage got it: its base stage's RUN.
        [uv_in_the_builder(BUILDER_UV, INSTALLER_UV, "RUN uv self update ${UV_VERSION}")],
        [
            uv_in_the_builder(
                "COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /bin/",
                INSTALLER_UV + " && /root/.local/bin/uv self update 0.13.9",
            )
        ],
        [
            (
                BUILDER,
                f"FROM {BASE} AS tools\nARG UV_VERSION=0.13.9\n{INSTALLER_UV}\n"
                + BUILDER.replace(BASE, "tools"),
            ),
            uv_in_the_builder("RUN uv self update ${UV_VERSION}"),
        ],
        # A copy of an installer's uv updates itself if its receipt came along too.
        [
            (BUILDER, f"FROM {BASE} AS tools\nARG UV_VERSION=0.13.9\n{INSTALLER_UV}\n" + BUILDER),
            uv_in_the_builder(
                "COPY --from=tools /root/.local/bin/uv /usr/local/bin/uv",
                "COPY --from=tools /root/.config/uv /root/.config/uv",
                "RUN uv self update 0.13.9",
            ),
        ],
    ],
    ids=[
        "image-version-tag",
        "image-minor-tag",
        "image-digest",
        "image-tag-and-digest",
        "docker-hubs-image",
        "image-of-a-uv-version-and-a-python",
        "stage-from-a-pinned-image",
        "stage-from-an-image-of-a-global-arg",
        "stage-from-an-image-of-a-plain-global-arg",
        "versioned-installer",
        "installer-version-from-an-arg",
        "pip-minor-wildcard",
        "mounted-from-a-version-tag",
        "mounted-by-explicit-bind-and-short-keys",
        "mounted-from-a-digest",
        "mounted-in-quotes-from-docker-hubs-minor-tag",
        "mounted-beside-a-cache-mount",
        "mounted-from-a-stage-of-an-arg-version",
        "mounted-from-the-build-stage",
        "pipx-pinned",
        "pipx-pinned-with-an-option-value",
        "pipx-pinned-by-an-arg",
        "pipx-module-pinned",
        "pipx-module-of-a-python-by-path-pinned",
        "release-page-installer",
        "release-page-installer-version-from-an-arg",
        "self-update-to-a-version",
        "self-update-to-an-arg-version",
        "self-update-dry-run",
        "self-update-after-pip-and-the-installer",
        "self-update-after-uvs-image-and-the-installer",
        "self-update-in-a-stage-built-on-the-installers",
        "self-update-of-an-installers-uv-copied-from-a-stage",
    ],
)
def test_uv_pinned_however_it_arrives_passes(replacements):
    results = run_dockerfile_check(edit(MODEL, *replacements))
    assert {text: r.found for text, r in results.items() if not r.passed} == {}


@pytest.mark.parametrize(
    ("replacements", "message"),
    [
        (
            [uv_in_the_builder("COPY --from=ghcr.io/astral-sh/uv:latest /uv /uvx /bin/")],
            "line 9: `ghcr.io/astral-sh/uv:latest` moves whenever uv releases",
        ),
        (
            [uv_in_the_builder("COPY --from=ghcr.io/astral-sh/uv /uv /bin/")],
            "line 9: `ghcr.io/astral-sh/uv` has no tag, which means `latest`",
        ),
        (
            [uv_in_the_builder("COPY --from=astral/uv:latest /uv /bin/")],
            "`astral/uv:latest` moves whenever uv releases",
        ),
        (
            [uv_in_the_builder("COPY --from=ghcr.io/astral-sh/uv:edge /uv /bin/")],
            "the tag `edge` of `ghcr.io/astral-sh/uv` names no version of uv",
        ),
        (
            [
                uv_in_the_builder(
                    "COPY --from=ghcr.io/astral-sh/uv:python3.14-bookworm-slim"
                    " /usr/local/bin/uv /bin/"
                )
            ],
            "names no version of uv",
        ),
        # The base-image rule passes a tag with a number; uv's version is judged here.
        (
            [
                (BUILDER, "FROM ghcr.io/astral-sh/uv:python3.14-bookworm-slim AS uv\n" + BUILDER),
                uv_in_the_builder("COPY --from=uv /usr/local/bin/uv /bin/"),
            ],
            "line 7: the tag `python3.14-bookworm-slim` of `ghcr.io/astral-sh/uv` names no version",
        ),
        (
            [uv_in_the_builder("RUN curl -LsSf https://astral.sh/uv/install.sh | sh")],
            "line 9: `https://astral.sh/uv/install.sh` installs whatever uv is newest",
        ),
        (
            [uv_in_the_builder("RUN wget -qO- https://astral.sh/uv/install.sh | sh")],
            "installs whatever uv is newest",
        ),
        # BuildKit replaces no ARG in a COPY's `--from`: not one before the first FROM, with a
        # default or without, nor the stage's own; it stops the build.
        (
            [
                GLOBAL_UV_VERSION,
                uv_in_the_builder("COPY --from=ghcr.io/astral-sh/uv:${UV_VERSION} /uv /bin/"),
            ],
            "line 10: `--from=ghcr.io/astral-sh/uv:${UV_VERSION}`: the build does not replace ARGs"
            " in a COPY's `--from`, and stops; name the version, such as"
            " `--from=ghcr.io/astral-sh/uv:0.13.9`, or copy from a stage:"
            " `FROM ghcr.io/astral-sh/uv:${UV_VERSION} AS uv` (with `ARG UV_VERSION=0.13.9`"
            " before the first FROM), then `COPY --from=uv …`",
        ),
        (
            [
                GLOBAL_UV_VERSION,
                uv_in_the_builder("COPY --from=ghcr.io/astral-sh/uv:$UV_VERSION /uv /bin/"),
            ],
            "`--from=ghcr.io/astral-sh/uv:$UV_VERSION`: the build does not replace ARGs in a"
            " COPY's `--from`, and stops",
        ),
        (
            [
                (BUILDER, "ARG UV_VERSION=0.13.9\n" + BUILDER),
                uv_in_the_builder("COPY --from=astral/uv:${UV_VERSION} /uv /bin/"),
            ],
            "name the version, such as `--from=astral/uv:0.13.9`, or copy from a stage:"
            " `FROM astral/uv:${UV_VERSION} AS uv`",
        ),
        (
            [
                (BUILDER, "ARG UV_VERSION\n" + BUILDER),
                uv_in_the_builder("COPY --from=ghcr.io/astral-sh/uv:${UV_VERSION} /uv /bin/"),
            ],
            "(with `ARG UV_VERSION=0.13.9` before the first FROM)",
        ),
        (
            [uv_in_the_builder("COPY --from=ghcr.io/astral-sh/uv:${UV_VERSION} /uv /bin/")],
            "the build does not replace ARGs in a COPY's `--from`, and stops",
        ),
        (
            [
                (
                    "ARG UV_VERSION=0.13.9\n",
                    "",
                ),
                uv_in_the_builder(
                    "RUN curl -LsSf https://astral.sh/uv/${UV_VERSION}/install.sh | sh"
                ),
            ],
            "uses an ARG without a default",
        ),
        # An ARG's own default in braces is an ARG all the same, and so is a whole reference.
        (
            [uv_in_the_builder("COPY --from=ghcr.io/astral-sh/uv:${UV_VERSION:-0.13.9} /uv /bin/")],
            "`FROM ghcr.io/astral-sh/uv:${UV_VERSION:-0.13.9} AS uv` (with `ARG UV_VERSION=0.13.9`"
            " before the first FROM)",
        ),
        (
            [
                (BUILDER, "ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13.9\n" + BUILDER),
                uv_in_the_builder("COPY --from=${UV_IMAGE} /uv /bin/"),
            ],
            "`--from=${UV_IMAGE}`: the build does not replace ARGs in a COPY's `--from`, and stops;"
            " name the version, such as `--from=ghcr.io/astral-sh/uv:0.13.9`, or copy from a"
            " stage: `FROM ${UV_IMAGE} AS uv` (with `ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13.9`",
        ),
        # The stage the message names is of a uv version, not of the ARG's `latest`.
        (
            [
                (BUILDER, "ARG UV_VERSION=latest\n" + BUILDER),
                uv_in_the_builder("COPY --from=ghcr.io/astral-sh/uv:${UV_VERSION} /uv /bin/"),
            ],
            "`FROM ghcr.io/astral-sh/uv:${UV_VERSION} AS uv` (with `ARG UV_VERSION=0.13.9` before"
            " the first FROM)",
        ),
        (
            [uv_in_the_builder("RUN pip install --no-cache-dir uv")],
            "`pip install uv` installs whatever versions are newest",
        ),
        # uv mounted for one RUN is judged as a COPY of it is.
        (
            uv_mounted("--mount=from=ghcr.io/astral-sh/uv:latest,source=/uv,target=/bin/uv"),
            "line 17: `ghcr.io/astral-sh/uv:latest` moves whenever uv releases; pin uv's version,"
            " such as `ghcr.io/astral-sh/uv:0.13.9`",
        ),
        (
            uv_mounted("--mount=from=ghcr.io/astral-sh/uv,source=/uv,target=/bin/uv"),
            "`ghcr.io/astral-sh/uv` has no tag, which means `latest`",
        ),
        (
            uv_mounted(
                "--mount=type=bind,from=ghcr.io/astral-sh/uv:python3.14-bookworm-slim,"
                "source=/usr/local/bin/uv,target=/bin/uv"
            ),
            "the tag `python3.14-bookworm-slim` of `ghcr.io/astral-sh/uv` names no version",
        ),
        # BuildKit stops at an ARG in a mount's `from`, even one with a default.
        (
            [
                GLOBAL_UV_VERSION,
                *uv_mounted(
                    "--mount=from=ghcr.io/astral-sh/uv:${UV_VERSION},source=/uv,target=/bin/uv"
                ),
            ],
            "`from=ghcr.io/astral-sh/uv:${UV_VERSION}`: the build does not replace ARGs in a"
            " mount's `from`, and stops",
        ),
        (
            [uv_in_the_builder("RUN pipx install uv")],
            "line 9: `pipx install uv` installs whatever uv is newest on the day of the build;"
            ' pin it, such as `pipx install "uv==0.13.9"`',
        ),
        (
            [uv_in_the_builder("RUN pip install pipx==1.8.0 && pipx install --python python3 uv")],
            "`pipx install uv` installs whatever uv is newest",
        ),
        (
            [uv_in_the_builder('RUN pipx install "uv>=0.13"')],
            "`pipx install uv>=0.13` installs whatever uv is newest",
        ),
        # pipx, or uv, run as a module of Python is judged as the program is.
        (
            [uv_in_the_builder("RUN python -m pipx install uv")],
            "line 9: `python -m pipx install uv` installs whatever uv is newest on the day of the"
            ' build; pin it, such as `python -m pipx install "uv==0.13.9"`',
        ),
        (
            [uv_in_the_builder("RUN pip install pipx==1.8.0 && python3 -m pipx install uv>=0.13")],
            "`python3 -m pipx install uv>=0.13` installs whatever uv is newest",
        ),
        (
            [
                uv_in_the_builder(
                    'RUN pip install "uv==0.13.9" && python3.14 -m uv tool install --force uv'
                )
            ],
            "`python3.14 -m uv tool install uv` installs whatever uv is newest",
        ),
        (
            [
                uv_in_the_builder(
                    "COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /bin/\nRUN uv tool install uv"
                )
            ],
            "`uv tool install uv` installs whatever uv is newest",
        ),
        # After a pinned install, `uv self update` fetches the newest uv.
        (
            [
                uv_in_the_builder(
                    "RUN curl -LsSf https://astral.sh/uv/0.13.9/install.sh | sh"
                    " && /root/.local/bin/uv self update"
                )
            ],
            "line 9: `uv self update` replaces uv with whatever version is newest on the day of"
            " the build",
        ),
        (
            [uv_in_the_builder(INSTALLER_UV, "RUN uv self update --token abc")],
            "`uv self update` replaces uv with whatever version is newest",
        ),
        (
            [uv_in_the_builder(INSTALLER_UV, "RUN uv self update latest")],
            "`uv self update latest` names no version of uv",
        ),
        (
            [uv_in_the_builder(INSTALLER_UV, "RUN uv self update ${UV_RELEASE}")],
            "`uv self update ${UV_RELEASE}` uses an ARG without a default",
        ),
        (
            [
                uv_in_the_builder(
                    "RUN curl -LsSf https://github.com/astral-sh/uv/releases/latest/download/"
                    "uv-installer.sh | sh"
                )
            ],
            "line 9: `https://github.com/astral-sh/uv/releases/latest/download/uv-installer.sh`"
            " installs whatever uv is newest on the day of the build; pin uv's version in the"
            " URL, such as"
            " `https://github.com/astral-sh/uv/releases/download/0.13.9/uv-installer.sh`",
        ),
        (
            [
                uv_in_the_builder(
                    "RUN curl -LsSf " + RELEASE_INSTALLER.replace("/0.13.9/", "/latest/") + " | sh"
                )
            ],
            "names no version of uv (`latest`)",
        ),
    ],
    ids=[
        "image-latest",
        "image-without-a-tag",
        "docker-hubs-image-latest",
        "image-tag-without-a-version",
        "image-of-a-python-only",
        "stage-from-an-image-of-a-python-only",
        "unversioned-installer",
        "unversioned-installer-by-wget",
        "image-tag-from-a-global-arg",
        "image-tag-from-a-plain-global-arg",
        "docker-hubs-image-tag-from-a-global-arg",
        "image-tag-from-an-arg-without-a-default",
        "image-tag-from-a-stage-arg",
        "image-tag-from-an-args-default-in-braces",
        "image-from-a-global-arg",
        "installer-version-from-an-undeclared-arg",
        "image-tag-from-an-arg-of-latest",
        "pip-unpinned",
        "mounted-from-latest",
        "mounted-without-a-tag",
        "mounted-from-a-python-only-tag",
        "mounted-from-a-global-arg",
        "pipx-unpinned",
        "pipx-unpinned-after-an-option-value",
        "pipx-lower-bound",
        "pipx-module-unpinned",
        "pipx-module-of-python3-lower-bound",
        "uv-module-tool-install-unpinned",
        "uv-tool-install-unpinned",
        "self-update-after-a-pinned-installer",
        "self-update-with-a-token",
        "self-update-to-latest",
        "self-update-to-an-undeclared-arg",
        "release-page-installer-latest",
        "release-page-installer-tag-latest",
    ],
)
def test_uv_whose_version_is_not_pinned_is_refused(replacements, message):
    result = run_dockerfile_check(edit(MODEL, *replacements), only=LOCK)[LOCK]
    assert not result.passed
    assert message in result.found, result.found


CANNOT_SELF_UPDATE = "stops the build: only a uv that uv's installer script installed can update"


# `uv self update` stops the build unless uv's installer installed the uv it runs: only the
# installer leaves the receipt it reads, even for a `--dry-run`. The way is to pin the version
# where uv is installed.
@pytest.mark.parametrize(
    ("replacements", "origin", "example"),
    [
        (
            [(BUILDER_UV, BUILDER_UV + " && uv self update ${UV_VERSION}")],
            "a package manager (pip, pipx, `uv tool`, apt or apk)",
            'pip install "uv==0.13.9"',
        ),
        (
            [(BUILDER_UV, BUILDER_UV + "\nRUN uv self update 0.13.9")],
            "a package manager",
            'pip install "uv==0.13.9"',
        ),
        (
            [(BUILDER_UV, BUILDER_UV + " && uv self update --dry-run")],
            "a package manager",
            'pip install "uv==0.13.9"',
        ),
        (
            [(BUILDER_UV, BUILDER_UV + "\nRUN uv self update")],
            "a package manager",
            'pip install "uv==0.13.9"',
        ),
        (
            [uv_in_the_builder('RUN pipx install "uv==0.13.8" && uv self update 0.13.9')],
            "a package manager",
            'pip install "uv==0.13.9"',
        ),
        (
            [
                uv_in_the_builder(
                    "COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /uvx /bin/",
                    "RUN uv self update 0.13.9",
                )
            ],
            "uv's image",
            "`ghcr.io/astral-sh/uv:0.13.9` in the FROM, COPY or mount that takes uv's image",
        ),
        (
            [
                (
                    BUILDER,
                    BUILDER.replace(BASE, "ghcr.io/astral-sh/uv:0.13.9-python3.14-trixie-slim"),
                ),
                uv_in_the_builder("RUN uv self update 0.13.9"),
            ],
            "uv's image",
            "`ghcr.io/astral-sh/uv:0.13.9` in the FROM, COPY or mount that takes uv's image",
        ),
        (
            [
                uv_in_the_builder(
                    "RUN --mount=from=ghcr.io/astral-sh/uv:0.13.9,source=/uv,target=/bin/uv"
                    " uv self update 0.13.9"
                )
            ],
            "uv's image",
            "`ghcr.io/astral-sh/uv:0.13.9` in the FROM, COPY or mount that takes uv's image",
        ),
        (
            [
                uv_in_the_builder(
                    "RUN curl -LsSf https://astral.sh/uv/0.13.9/install.sh"
                    " | env UV_UNMANAGED_INSTALL=/usr/local/bin sh",
                    "RUN uv self update 0.13.9",
                )
            ],
            "uv's installer with `UV_UNMANAGED_INSTALL`, which turns self-update off",
            "https://astral.sh/uv/0.13.9/install.sh",
        ),
        # A copy of a pip-installed uv from another stage is still pip's.
        (
            [
                (
                    BUILDER,
                    f"FROM {BASE} AS tools\nRUN pip install --prefix /opt uv==0.13.9\n" + BUILDER,
                ),
                uv_in_the_builder(
                    "COPY --from=tools /opt/bin/uv /usr/local/bin/", "RUN uv self update 0.13.9"
                ),
            ],
            "a package manager",
            'pip install "uv==0.13.9"',
        ),
    ],
    ids=[
        "pip-in-the-same-run",
        "pip-in-an-earlier-run",
        "pip-dry-run",
        "pip-without-a-version",
        "pipx",
        "copied-from-uvs-image",
        "uvs-python-image-as-base",
        "mounted-from-uvs-image",
        "unmanaged-installer",
        "pips-uv-copied-from-a-stage",
    ],
)
def test_uv_self_update_of_a_uv_the_installer_did_not_install_is_refused(
    replacements, origin, example
):
    result = run_dockerfile_check(edit(MODEL, *replacements), only=LOCK)[LOCK]
    assert not result.passed
    assert CANNOT_SELF_UPDATE in result.found, result.found
    assert f"this uv comes from {origin}" in result.found, result.found
    assert "pin the version where uv is installed, such as" in result.found
    assert example in result.found, result.found


# The way round an ARG in `--from`, a stage of uv's image, is judged as any FROM is: through the
# ARG's default.
@pytest.mark.parametrize(
    ("default", "expectation", "message"),
    [
        ("=latest", PINNED, "`ghcr.io/astral-sh/uv:latest` moves whenever a new release comes out"),
        ("", PINNED, "`ghcr.io/astral-sh/uv:${UV_VERSION}` uses an ARG without a default"),
        ("=edge", PINNED, "the tag `edge` names no version"),
        (
            "=python3.14-bookworm-slim",
            LOCK,
            "line 8: the tag `python3.14-bookworm-slim` of `ghcr.io/astral-sh/uv` names no version"
            " of uv",
        ),
    ],
    ids=["latest", "no-default", "tag-without-a-version", "python-only-tag"],
)
def test_a_stage_of_uvs_image_at_an_unpinned_arg_version_is_refused(default, expectation, message):
    stage = f"ARG UV_VERSION{default}\nFROM ghcr.io/astral-sh/uv:${{UV_VERSION}} AS uv\n"
    text = edit(MODEL, (BUILDER, stage + BUILDER), uv_in_the_builder("COPY --from=uv /uv /bin/"))
    result = run_dockerfile_check(text, only=expectation)[expectation]
    assert not result.passed
    assert message in result.found, result.found


# uv's image that a COPY or a bind mount takes uv from is judged by uv's version, once: the
# base-image rule leaves it be. A cache mount takes no uv from it, so there it is a base image.
@pytest.mark.parametrize(
    ("replacements", "expectation", "message"),
    [
        (
            [uv_in_the_builder("COPY --from=ghcr.io/astral-sh/uv:latest /uv /uvx /bin/")],
            LOCK,
            "`ghcr.io/astral-sh/uv:latest` moves whenever uv releases",
        ),
        (
            [uv_in_the_builder("COPY --from=ghcr.io/astral-sh/uv /uv /bin/")],
            LOCK,
            "`ghcr.io/astral-sh/uv` has no tag, which means `latest`",
        ),
        (
            uv_mounted("--mount=from=ghcr.io/astral-sh/uv:latest,source=/uv,target=/bin/uv"),
            LOCK,
            "`ghcr.io/astral-sh/uv:latest` moves whenever uv releases",
        ),
        (
            [
                (
                    "COPY alembic.ini ./",
                    "RUN --mount=type=cache,from=ghcr.io/astral-sh/uv:latest,target=/cache true\n"
                    "COPY alembic.ini ./",
                )
            ],
            PINNED,
            "`ghcr.io/astral-sh/uv:latest`, the image a mount's `from` takes files from, moves",
        ),
    ],
    ids=["copy-latest", "copy-without-a-tag", "bind-mount-latest", "cache-mount-latest"],
)
def test_an_unpinned_image_of_uvs_in_a_copy_or_mount_is_named_once(
    replacements, expectation, message
):
    results = run_dockerfile_check(edit(MODEL, *replacements))
    assert {text for text, result in results.items() if not result.passed} == {expectation}
    assert message in results[expectation].found, results[expectation].found


VENV_PATH = 'ENV PATH="/app/.venv/bin:${PATH}" \\\n'
"""The model's final stage puts the virtual environment's bin/ first on PATH."""
UV_COPIED_TO_BIN = (
    VENV_COPY,
    VENV_COPY + "\nCOPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /uvx /bin/",
)
UV_IN_THE_VENV = (
    BUILDER_UV,
    'RUN python -m venv /app/.venv && /app/.venv/bin/pip install "uv==0.13.9"',
)
INSTALLER = "RUN curl -LsSf https://astral.sh/uv/0.13.9/install.sh | sh"
"""uv's installer script, which puts uv in ~/.local/bin."""


def uv_run_by(program: str) -> tuple[str, str]:
    return (CMD, CMD.replace('"uvicorn"', f'"{program}", "run", "--no-sync", "uvicorn"'))


# uv run by its path, or found on PATH in a virtual environment the final stage copies: the rule
# reads where each COPY and install puts uv, not only whether a stage has it.
@pytest.mark.parametrize(
    "replacements",
    [
        [UV_COPIED_TO_BIN, uv_run_by("/bin/uv")],
        [
            (
                VENV_COPY,
                VENV_COPY + f"\nCOPY --from=ghcr.io/astral-sh/uv@sha256:{'0' * 64} /uv /bin/uv",
            ),
            uv_run_by("/bin/uv"),
        ],
        [
            (
                VENV_COPY,
                VENV_COPY + "\nCOPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv",
            ),
            uv_run_by("/usr/local/bin/uv"),
        ],
        [
            (BUILDER_UV, INSTALLER),
            (VENV_COPY, VENV_COPY + "\nCOPY --from=builder /root/.local/bin /usr/local/bin"),
            uv_run_by("/usr/local/bin/uv"),
        ],
        [
            (
                VENV_COPY,
                VENV_COPY + "\nCOPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /root/.local/bin/",
            ),
            uv_run_by("/root/.local/bin/uv"),
        ],
        [
            (VENV_COPY, VENV_COPY + "\nCOPY --from=builder /usr/local/bin/uv /bin/"),
            uv_run_by("/bin/uv"),
        ],
        [
            (BUILDER, "ARG UV_VERSION\nFROM ghcr.io/astral-sh/uv:${UV_VERSION} AS uv\n" + BUILDER),
            (VENV_COPY, VENV_COPY + "\nCOPY --from=uv /uv /bin/"),
            uv_run_by("/bin/uv"),
        ],
        # uv inside the copied virtual environment: by its path, or on PATH by the model's ENV.
        [UV_IN_THE_VENV, uv_run_by("/app/.venv/bin/uv")],
        [UV_IN_THE_VENV, uv_run_by("uv")],
        [UV_IN_THE_VENV, (CMD, "WORKDIR /app\n" + uv_run_by(".venv/bin/uv")[1])],
        [
            (
                BUILDER_UV,
                'ENV PATH="/app/.venv/bin:$PATH"\nRUN python3 -m venv /app/.venv\nRUN pip install uv',
            ),
            uv_run_by("uv"),
        ],
        [
            (
                "RUN uv sync --locked --no-dev --no-editable",
                "RUN uv sync --locked --no-dev --no-editable"
                " && uv pip install --python /app/.venv/bin/python uv==0.13.9",
            ),
            uv_run_by("/app/.venv/bin/uv"),
        ],
        [
            (USER_LINES, USER_LINES + f'{INSTALLER}\nENV PATH="/root/.local/bin:$PATH"\n'),
            uv_run_by("uv"),
        ],
        [
            (
                USER_LINES,
                USER_LINES
                + INSTALLER.replace("| sh", "| env UV_INSTALL_DIR=/usr/local/bin sh")
                + "\n",
            ),
            uv_run_by("uv"),
        ],
        # The installer's version from an ARG, as the build gives it to the RUN.
        [
            (
                USER_LINES,
                USER_LINES
                + "ARG UV_VERSION=0.13.9\n"
                + INSTALLER.replace("0.13.9", "${UV_VERSION}").replace(
                    "| sh", "| env UV_INSTALL_DIR=/usr/local/bin sh"
                )
                + "\n",
            ),
            uv_run_by("uv"),
        ],
        # uv's installer from its release page puts uv where the one from astral.sh does.
        [
            (
                USER_LINES,
                USER_LINES + f"RUN curl -LsSf {RELEASE_INSTALLER} | sh\n"
                'ENV PATH="/root/.local/bin:$PATH"\n',
            ),
            uv_run_by("uv"),
        ],
        # uv from its requirements file named by pip's other spellings of `-r FILE`.
        [
            (
                BUILDER_UV,
                "COPY requirements-uv.txt ./\n"
                "RUN pip install --require-hashes --requirement=requirements-uv.txt",
            ),
            (VENV_COPY, VENV_COPY + "\nCOPY --from=builder /usr/local/bin/uv /usr/local/bin/uv"),
            uv_run_by("uv"),
        ],
        # pipx run as a module of Python puts uv where pipx does: here, where PIPX_BIN_DIR says.
        [
            (
                USER_LINES,
                USER_LINES + "ENV PIPX_BIN_DIR=/usr/local/bin\n"
                "RUN python3 -m pipx install uv==0.13.9\n",
            ),
            uv_run_by("uv"),
        ],
    ],
    ids=[
        "bin-uv-copied-from-uvs-image",
        "bin-uv-from-an-image-pinned-by-digest",
        "usr-local-bin-uv",
        "installer-folder-copied",
        "root-local-bin-uv",
        "builders-uv-into-bin",
        "stage-of-uvs-image-of-an-arg-version",
        "venv-uv-by-path",
        "venv-uv-on-path",
        "venv-uv-relative-to-workdir",
        "venv-pip-found-on-path",
        "uv-pip-into-the-venv",
        "installer-with-its-folder-on-path",
        "installer-into-usr-local-bin",
        "installer-version-from-an-arg",
        "release-page-installer-with-its-folder-on-path",
        "requirements-file-by-requirement-equals",
        "pipx-module-into-its-bin-dir",
    ],
)
def test_a_uv_run_cmd_passes_wherever_the_final_stage_has_uv(tmp_path, replacements):
    (tmp_path / "requirements-uv.txt").write_text(HASHED_UV, encoding="utf-8")
    result = run_dockerfile_check(edit(MODEL, *replacements), only=RUN, root=tmp_path)[RUN]
    assert result.passed, result.found


@pytest.mark.parametrize(
    ("replacements", "message"),
    [
        (
            [UV_COPIED_TO_BIN, uv_run_by("/usr/local/bin/uv")],
            "`/usr/local/bin/uv run`, but the final stage has uv only at /bin/uv; run that path",
        ),
        (
            [uv_run_by("/bin/uv")],
            "`/bin/uv run`, but the final stage (FROM on line 22) has no uv (uv is at"
            " /usr/local/bin/uv in the `builder` stage, and the final stage copies only /app/.venv"
            " from them; the check cannot see a uv that `uv sync` installs as one of the"
            " project's dependencies)",
        ),
        (
            [UV_IN_THE_VENV, (VENV_PATH, ""), uv_run_by("uv")],
            "the final stage's uv is at /app/.venv/bin/uv, which is not on the PATH",
        ),
        # A virtual environment that is not first on PATH: pip is the image's, uv lands there.
        (
            [
                (BUILDER_UV, "RUN python -m venv /app/.venv && pip install uv==0.13.9"),
                uv_run_by("uv"),
            ],
            "has no uv (uv is at /usr/local/bin/uv in the `builder` stage",
        ),
        # `uv venv` makes an environment without pip: a bare pip is still the image's.
        (
            [
                (
                    BUILDER_UV,
                    'ENV PATH="/app/.venv/bin:$PATH"\nRUN uv venv /app/.venv\nRUN pip install uv',
                ),
                uv_run_by("uv"),
            ],
            "has no uv (uv is at /usr/local/bin/uv in the `builder` stage",
        ),
        (
            [UV_IN_THE_VENV, uv_run_by("/usr/local/bin/uv")],
            "the final stage has uv only at /app/.venv/bin/uv",
        ),
        (
            [(USER_LINES, USER_LINES + INSTALLER + "\n"), uv_run_by("uv")],
            "the final stage's uv is at /root/.local/bin/uv, which is not on the PATH",
        ),
        (
            [(USER_LINES, USER_LINES + "RUN pipx install uv==0.13.9\n"), uv_run_by("uv")],
            "the final stage's uv is at /root/.local/bin/uv, which is not on the PATH",
        ),
        (
            [
                (USER_LINES, USER_LINES + "RUN python3 -m pipx install uv==0.13.9\n"),
                uv_run_by("uv"),
            ],
            "the final stage's uv is at /root/.local/bin/uv, which is not on the PATH",
        ),
        # A mounted uv is there only while its RUN runs; the container never has it.
        (
            [
                (
                    USER_LINES,
                    USER_LINES + "RUN --mount=from=ghcr.io/astral-sh/uv:0.13.9,source=/uv,"
                    "target=/bin/uv uv --version\n",
                ),
                uv_run_by("uv"),
            ],
            "the final stage (FROM on line 22) has no uv (uv is at /usr/local/bin/uv in the"
            " `builder` stage",
        ),
    ],
    ids=[
        "another-path",
        "by-path-never-copied",
        "venv-not-on-path",
        "venv-not-first-on-path",
        "venv-without-pip",
        "venv-uv-by-the-system-path",
        "installer-folder-not-on-path",
        "pipx-folder-not-on-path",
        "pipx-module-folder-not-on-path",
        "mounted-for-one-run-only",
    ],
)
def test_a_uv_run_cmd_whose_uv_is_not_there_is_named(replacements, message):
    result = run_dockerfile_check(edit(MODEL, *replacements), only=RUN)[RUN]
    assert not result.passed
    assert message in result.found, result.found


SYNC = "RUN uv sync --locked --no-dev --no-editable"
"""The model's build stage's last `uv sync`, which fills /app/.venv (its UV_PROJECT_ENVIRONMENT)."""


def project_with(tmp_path: Path, pyproject_tables: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "booking-service"\nversion = "0.1.0"\n' + pyproject_tables,
        encoding="utf-8",
    )
    return tmp_path


# uv as one of the project's packages: `uv sync` puts it in the virtual environment that the
# final stage copies, as it puts uvicorn there. The check reads pyproject.toml to see it.
@pytest.mark.parametrize(
    ("pyproject", "replacements"),
    [
        ('dependencies = ["fastapi>=0.115", "uv>=0.9"]\n', [uv_run_by("uv")]),
        ('dependencies = ["UV==0.13.9"]\n', [uv_run_by("/app/.venv/bin/uv")]),
        (
            'dependencies = []\n[dependency-groups]\nops = ["uv"]\n',
            [(SYNC, SYNC + " --group ops"), uv_run_by("uv")],
        ),
        (
            'dependencies = []\n[dependency-groups]\nops = ["uv"]\n'
            'deploy = [{include-group = "ops"}]\n',
            [(SYNC, SYNC + " --group=deploy"), uv_run_by("uv")],
        ),
        (
            'dependencies = []\n[dependency-groups]\ndev = ["uv"]\n',
            [(SYNC, SYNC.replace(" --no-dev", "")), uv_run_by("uv")],
        ),
        (
            'dependencies = []\n[project.optional-dependencies]\nops = ["uv"]\n',
            [(SYNC, SYNC + " --extra ops"), uv_run_by("uv")],
        ),
        (
            'dependencies = []\n[dependency-groups]\ndev = ["uv"]\n',
            [
                ("--no-dev --no-install-project", "--no-install-project"),
                (SYNC, SYNC + " --inexact"),
                uv_run_by("uv"),
            ],
        ),
        # A sync whose RUN mounts uv (or a cache) first is a sync all the same.
        (
            'dependencies = ["uv"]\n',
            [
                (
                    SYNC,
                    "RUN --mount=type=cache,target=/root/.cache/uv"
                    " --mount=from=ghcr.io/astral-sh/uv:0.13.9,source=/uv,target=/bin/uv"
                    " uv sync --locked --no-dev --no-editable",
                ),
                uv_run_by("uv"),
            ],
        ),
        # Not a project package, but installed into the environment after the sync.
        (
            'dependencies = ["uvicorn"]\n',
            [
                (SYNC, SYNC + " && uv pip install --python /app/.venv/bin/python uv==0.13.9"),
                uv_run_by("uv"),
            ],
        ),
    ],
    ids=[
        "a-dependency",
        "by-its-path",
        "a-group-asked-for",
        "a-group-included-by-another",
        "the-dev-group-synced",
        "an-extra-asked-for",
        "kept-by-a-later-inexact-sync",
        "a-sync-after-mounts",
        "uv-pip-installed-after-the-sync",
    ],
)
def test_a_uv_run_cmd_passes_when_uv_sync_installs_uv_as_a_project_package(
    tmp_path, pyproject, replacements
):
    root = project_with(tmp_path, pyproject)
    result = run_dockerfile_check(edit(MODEL, *replacements), only=RUN, root=root)[RUN]
    assert result.passed, result.found


@pytest.mark.parametrize(
    ("pyproject", "replacements", "message"),
    [
        (
            'dependencies = []\n[dependency-groups]\ndev = ["uv"]\n',
            [uv_run_by("uv")],
            "pyproject.toml names uv, but in a group or extra that no `uv sync` of the image"
            " installs (`--no-dev` leaves out the dev group)",
        ),
        (
            'dependencies = []\n[project.optional-dependencies]\nops = ["uv"]\n',
            [uv_run_by("uv")],
            "pyproject.toml names uv, but in a group or extra",
        ),
        (
            'dependencies = ["uv"]\n',
            [(SYNC, SYNC + " --no-install-package uv"), uv_run_by("uv")],
            "pyproject.toml names uv, but in a group or extra",
        ),
        # The first sync installs the dev group; the last, exact, removes what it leaves out.
        (
            'dependencies = []\n[dependency-groups]\ndev = ["uv"]\n',
            [
                ("--no-dev --no-install-project", "--no-install-project"),
                (SYNC, SYNC + " && uv pip list"),
                uv_run_by("uv"),
            ],
            "pyproject.toml names uv, but in a group or extra",
        ),
        (
            'dependencies = []\n[dependency-groups]\ndev = ["uv"]\n',
            [
                ("--no-dev --no-install-project", "--no-install-project"),
                (SYNC, SYNC.replace("RUN ", "RUN --mount=type=cache,target=/root/.cache/uv ")),
                uv_run_by("uv"),
            ],
            "pyproject.toml names uv, but in a group or extra",
        ),
        (
            'dependencies = ["uv"]\n',
            [(VENV_PATH, ""), uv_run_by("uv")],
            "the final stage's uv is at /app/.venv/bin/uv, which is not on the PATH",
        ),
        (
            'dependencies = ["uvicorn"]\n',
            [uv_run_by("uv")],
            "has no uv (uv is at /usr/local/bin/uv in the `builder` stage, and the final stage"
            " copies only /app/.venv from them)",
        ),
        (
            'dependencies = ["uv"]\n',
            [(VENV_COPY, "COPY --from=builder /app/src ./src"), uv_run_by("uv")],
            "has no uv (uv is at /app/.venv/bin/uv in the `builder` stage, /usr/local/bin/uv in"
            " the `builder` stage, and the final stage copies only /app/src from them)",
        ),
    ],
    ids=[
        "dev-group-left-out-by-no-dev",
        "extra-not-asked-for",
        "package-left-out",
        "removed-by-a-later-exact-sync",
        "removed-by-a-later-exact-sync-after-a-mount",
        "venv-not-on-path",
        "not-a-project-package",
        "venv-never-copied",
    ],
)
def test_a_uv_the_projects_uv_sync_does_not_put_in_the_final_stage_is_named(
    tmp_path, pyproject, replacements, message
):
    root = project_with(tmp_path, pyproject)
    result = run_dockerfile_check(edit(MODEL, *replacements), only=RUN, root=root)[RUN]
    assert not result.passed
    assert message in result.found, result.found


def test_fastapi_run_passes_when_the_module_builds_the_app_with_the_factory(tmp_path):
    text = edit(MODEL, (CMD, 'CMD ["fastapi", "run", "--entrypoint", "booking_service.asgi:app"]'))
    package = tmp_path / "src" / "booking_service"
    package.mkdir(parents=True)
    (package / "asgi.py").write_text(
        "from booking_service.main import create_app\napp = create_app()\n"
    )
    assert run_dockerfile_check(text, only=RUN, root=tmp_path)[RUN].passed
    (package / "asgi.py").write_text("from fastapi import FastAPI\napp = FastAPI()\n")
    found = run_dockerfile_check(text, only=RUN, root=tmp_path)[RUN].found
    assert found.endswith(
        "fastapi run serves `booking_service.asgi:app`, which the project does not build with"
        f" `create_app()`; serve `{APP}`"
    )


ENTRYPOINT_SCRIPT = (
    "#!/bin/sh\nset -e\n# migrations first, then the server\npython -m booking_service.migrate\n"
)
SERVER_LINE = f"uvicorn --factory {APP} \\\n  --host 0.0.0.0 --port ${{PORT:-8000}}\n"


SERVER_ON_ITS_VARIABLES = f'exec uvicorn --factory {APP} --host "$HOST" --port "${{PORT}}"\n'
SCRIPT_SETTINGS = (
    "export HOST=0.0.0.0\nexport PORT=8000\n",
    'export HOST="0.0.0.0" PORT=8000\n',
    "HOST=0.0.0.0\nPORT=${PORT:-8000}\n",
    "HOST=0.0.0.0 PORT=8000\nexport HOST PORT\n",
)


def _with_project_files(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


# An entrypoint script from the project, judged by the command it ends with.
@pytest.mark.parametrize(
    ("files", "command"),
    [
        (
            {"docker-entrypoint.sh": ENTRYPOINT_SCRIPT + 'exec "$@"\n'},
            'COPY docker-entrypoint.sh ./\nENTRYPOINT ["./docker-entrypoint.sh"]\n' + CMD,
        ),
        (
            {"docker-entrypoint.sh": ENTRYPOINT_SCRIPT + "exec " + SERVER_LINE},
            'COPY docker-entrypoint.sh ./\nENTRYPOINT ["./docker-entrypoint.sh"]',
        ),
        (
            {"scripts/entrypoint.sh": ENTRYPOINT_SCRIPT + 'exec "$@"\n'},
            "COPY --chmod=755 scripts/entrypoint.sh /app/entrypoint.sh\n"
            'ENTRYPOINT ["tini", "--", "/app/entrypoint.sh"]\n' + CMD,
        ),
        (
            {"scripts/entrypoint.sh": ENTRYPOINT_SCRIPT + 'exec "$@"\n'},
            "COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /uvx /bin/\n"
            "COPY scripts /usr/local/bin/\n"
            'ENTRYPOINT ["entrypoint.sh"]\n'
            + CMD.replace('"uvicorn"', '"uv", "run", "--no-sync", "uvicorn"'),
        ),
        (
            {"docker-entrypoint.sh": ENTRYPOINT_SCRIPT + 'exec >>/proc/1/fd/1 2>&1\nexec "$@"\n'},
            'COPY docker-entrypoint.sh ./\nENTRYPOINT ["sh", "docker-entrypoint.sh"]\n' + CMD,
        ),
        # gosu drops root after the script's setup, and replaces itself with the server.
        (
            {"docker-entrypoint.sh": ENTRYPOINT_SCRIPT + 'exec gosu app "$@"\n'},
            'COPY docker-entrypoint.sh ./\nENTRYPOINT ["./docker-entrypoint.sh"]\n' + CMD,
        ),
        # The script's own variables, set before the line that starts the server.
        *(
            (
                {"docker-entrypoint.sh": ENTRYPOINT_SCRIPT + setting + SERVER_ON_ITS_VARIABLES},
                'COPY docker-entrypoint.sh ./\nENTRYPOINT ["./docker-entrypoint.sh"]',
            )
            for setting in SCRIPT_SETTINGS
        ),
        (
            {
                "entrypoint.sh": "#!/bin/sh\nset -e\nexport PORT=8000\n"
                f'exec uvicorn --factory {APP} --host 0.0.0.0 --port "$PORT"\n'
            },
            'COPY entrypoint.sh ./\nENTRYPOINT ["./entrypoint.sh"]',
        ),
    ],
    ids=[
        "exec-the-cmd",
        "exec-the-server",
        "copied-to-a-path",
        "found-on-path",
        "run-by-sh",
        "exec-gosu",
        "export-port",
        "export-two-at-once",
        "assigned-with-a-default",
        "exported-after-assigning",
        "export-port-only",
    ],
)
def test_an_entrypoint_script_that_execs_the_server_passes(tmp_path, files, command):
    root = _with_project_files(tmp_path, files)
    result = run_dockerfile_check(edit(MODEL, (CMD, command)), only=RUN, root=root)[RUN]
    assert result.passed, result.found


@pytest.mark.parametrize(
    ("script", "command", "message"),
    [
        (
            ENTRYPOINT_SCRIPT + SERVER_LINE,
            'ENTRYPOINT ["./docker-entrypoint.sh"]',
            "`./docker-entrypoint.sh` starts the server without `exec`, so the script's shell"
            " stays PID 1",
        ),
        (
            ENTRYPOINT_SCRIPT + '"$@"\n',
            'ENTRYPOINT ["./docker-entrypoint.sh"]\n' + CMD,
            "starts the server without `exec`",
        ),
        (
            ENTRYPOINT_SCRIPT + "exec " + SERVER_LINE.replace("0.0.0.0", "127.0.0.1"),
            'ENTRYPOINT ["./docker-entrypoint.sh"]',
            "uvicorn listens on 127.0.0.1",
        ),
        (
            ENTRYPOINT_SCRIPT + 'exec "$@"\n',
            'ENTRYPOINT ["./docker-entrypoint.sh"]\nCMD ["python", "-m", "booking_service"]',
            "the command starts no ASGI server",
        ),
        (
            ENTRYPOINT_SCRIPT + "exec " + SERVER_LINE,
            "ENTRYPOINT ./docker-entrypoint.sh",
            "the command is in shell form",
        ),
        (
            ENTRYPOINT_SCRIPT + "export HOST=0.0.0.0 PORT=9000\n" + SERVER_ON_ITS_VARIABLES,
            'ENTRYPOINT ["./docker-entrypoint.sh"]',
            "EXPOSE 8000, but uvicorn listens on port 9000",
        ),
        (
            # Set for one command only, not for the lines after it.
            ENTRYPOINT_SCRIPT.replace("python -m", "HOST=0.0.0.0 PORT=8000 python -m")
            + SERVER_ON_ITS_VARIABLES,
            'ENTRYPOINT ["./docker-entrypoint.sh"]',
            "uvicorn listens on $HOST",
        ),
    ],
    ids=[
        "no-exec",
        "no-exec-of-the-cmd",
        "exec-on-localhost",
        "exec-of-no-server",
        "shell-form",
        "export-of-another-port",
        "set-for-one-command-only",
    ],
)
def test_wrong_entrypoint_scripts_are_named(tmp_path, script, command, message):
    root = _with_project_files(tmp_path, {"docker-entrypoint.sh": script})
    text = edit(MODEL, (CMD, "COPY docker-entrypoint.sh ./\n" + command))
    found = run_dockerfile_check(text, only=RUN, root=root)[RUN].found
    assert message in found, found


GUNICORN_CMD = f'CMD ["gunicorn", "{APP}()"]'
GUNICORN_SETTINGS = 'bind = "0.0.0.0:8000"\nworker_class = "uvicorn_worker.UvicornWorker"\n'


# gunicorn's config file, read from the project as plain assignments (never run).
@pytest.mark.parametrize(
    ("files", "command"),
    [
        ({"gunicorn.conf.py": GUNICORN_SETTINGS}, "COPY gunicorn.conf.py ./\n" + GUNICORN_CMD),
        (
            {"gunicorn.conf.py": 'import multiprocessing\nbind = ["[::]:8000"]\n'
             "workers = multiprocessing.cpu_count()\n"
             'worker_class = "uvicorn_worker.UvicornWorker"\n'
             f'wsgi_app = "{APP}()"\n'},
            'COPY gunicorn.conf.py ./\nCMD ["gunicorn"]',
        ),
        (
            {"deploy/gunicorn.py": GUNICORN_SETTINGS},
            "COPY deploy ./deploy\n"
            f'CMD ["gunicorn", "-c", "deploy/gunicorn.py", "{APP}()"]',
        ),
    ],
    ids=["default-name", "list-bind-and-wsgi-app", "named-with-c"],
)  # fmt: skip
def test_gunicorn_configured_by_its_config_file_passes(tmp_path, files, command):
    root = _with_project_files(tmp_path, files)
    result = run_dockerfile_check(edit(MODEL, (CMD, command)), only=RUN, root=root)[RUN]
    assert result.passed, result.found


@pytest.mark.parametrize(
    ("settings", "command", "message"),
    [
        (
            GUNICORN_SETTINGS.replace("0.0.0.0", "127.0.0.1"),
            "COPY gunicorn.conf.py ./\n" + GUNICORN_CMD,
            "gunicorn listens on 127.0.0.1, which nothing outside the container can reach",
        ),
        # In the project, but never copied into the image: gunicorn would not read it.
        (GUNICORN_SETTINGS, GUNICORN_CMD, "gunicorn listens on 127.0.0.1 (its default)"),
        (
            GUNICORN_SETTINGS,
            f'CMD ["gunicorn", "-c", "gunicorn.conf.py", "{APP}()"]',
            "gunicorn reads its settings from `gunicorn.conf.py`, which no COPY brings",
        ),
        (
            GUNICORN_SETTINGS.replace("8000", "8080"),
            "COPY gunicorn.conf.py ./\n" + GUNICORN_CMD,
            "EXPOSE 8000, but gunicorn listens on port 8080",
        ),
        (
            'import os\nbind = os.environ["BIND"]\nworker_class = "uvicorn_worker.UvicornWorker"\n',
            "COPY gunicorn.conf.py ./\n" + GUNICORN_CMD,
            "gunicorn listens on 127.0.0.1 (its default)",
        ),
        (
            'bind = "0.0.0.0:8000"\n',
            "COPY gunicorn.conf.py ./\n" + GUNICORN_CMD,
            "gunicorn's own workers speak WSGI",
        ),
        (
            GUNICORN_SETTINGS + "reload = True\n",
            "COPY gunicorn.conf.py ./\n" + GUNICORN_CMD,
            "gunicorn reloads on file changes (`reload = True` in its config file)",
        ),
    ],
    ids=[
        "localhost",
        "not-copied",
        "named-not-copied",
        "other-port",
        "computed-bind",
        "no-workers",
        "reload",
    ],
)
def test_wrong_gunicorn_config_files_are_named(tmp_path, settings, command, message):
    root = _with_project_files(tmp_path, {"gunicorn.conf.py": settings})
    found = run_dockerfile_check(edit(MODEL, (CMD, command)), only=RUN, root=root)[RUN].found
    assert message in found, found


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (f'CMD ["gunicorn", "-b", "0.0.0.0:8000", "{APP}()"]', "gunicorn's own workers speak WSGI"),
        (
            f'CMD ["gunicorn", "-k", "uvicorn_worker.UvicornWorker", "-b", "0.0.0.0:8000", "{APP}"]',
            f"`{APP}` is a function that builds the app; write `{APP}()`",
        ),
        (
            f'CMD ["gunicorn", "-k", "uvicorn_worker.UvicornWorker", "{APP}()"]',
            "gunicorn listens on 127.0.0.1 (its default), which nothing outside the container can"
            " reach; add `--bind 0.0.0.0:8000`",
        ),
        (f'CMD ["granian", "--factory", "--host", "0.0.0.0", "{APP}"]', "granian speaks RSGI"),
        (
            'CMD ["fastapi", "run", "src/booking_service/main.py"]',
            "fastapi run should serve",
        ),
        # A file watcher in production: each server's `--reload`, and fastapi's dev server.
        (
            f'CMD ["uvicorn", "--factory", "{APP}", "--host", "0.0.0.0", "--reload"]',
            "uvicorn reloads on file changes (`--reload`), a development mode",
        ),
        (
            f'ENV UVICORN_RELOAD=true\nCMD ["uvicorn", "--factory", "{APP}", "--host", "0.0.0.0"]',
            "uvicorn reloads on file changes (`UVICORN_RELOAD`), a development mode",
        ),
        (
            'CMD ["gunicorn", "-k", "uvicorn_worker.UvicornWorker", "--reload", "-b",'
            f' "0.0.0.0:8000", "{APP}()"]',
            "gunicorn reloads on file changes (`--reload`), a development mode",
        ),
        (
            f'CMD ["hypercorn", "--reload", "--bind", "0.0.0.0:8000", "{APP}()"]',
            "hypercorn reloads on file changes (`--reload`), a development mode",
        ),
        (
            'CMD ["granian", "--interface", "asgi", "--factory", "--reload", "--host", "0.0.0.0",'
            f' "{APP}"]',
            "granian reloads on file changes (`--reload`), a development mode",
        ),
        (
            'CMD ["fastapi", "run", "--reload", "src/booking_service/asgi.py"]',
            "fastapi run reloads on file changes (`--reload`), a development mode",
        ),
        (
            'CMD ["fastapi", "dev", "src/booking_service/asgi.py"]',
            "`fastapi dev` is the development server",
        ),
        (
            'CMD ["uv", "run", "--no-sync", "fastapi", "dev", "src/booking_service/asgi.py"]',
            "`fastapi dev` is the development server",
        ),
    ],
)
def test_wrong_server_commands_are_named(command, message):
    text = edit(MODEL, (CMD, command))
    found = run_dockerfile_check(text, only=RUN)[RUN].found
    assert message in found, found


def test_uvicorns_options_that_take_a_value_are_the_ones_its_cli_has():
    """The 07.1 check knows every uvicorn option that takes a value, as the installed uvicorn
    reads its command line, so a value is never taken for the app."""
    import importlib

    command = importlib.import_module("uvicorn.main").main
    takes_a_value = {
        name
        for parameter in command.params
        if parameter.param_type_name == "option" and not parameter.is_flag
        for name in parameter.opts + parameter.secondary_opts
    }
    assert rules.OPTIONS_WITH_A_VALUE["uvicorn"] == takes_a_value


@pytest.mark.parametrize(
    ("words", "target"),
    [
        (["uvicorn", "--timeout-keep-alive", "75", "--factory", APP], APP),
        # An option no list knows yet: its value is not a module, so the app is still found.
        (["uvicorn", "--an-option-from-a-newer-uvicorn", "75", APP], APP),
        (["fastapi", "run", "--a-newer-option", "5", "src/booking_service/asgi.py"],
         "booking_service.asgi:app"),
        (["uv", "run", "--no-sync", "--python", "3.14", "--", "uvicorn", "--factory", APP], APP),
        (["uv", "run", "--frozen", "fastapi", "run", "src/booking_service/asgi.py"],
         "booking_service.asgi:app"),
        # Nothing looks like the app: the first word that is not an option is named as given.
        (["uvicorn", "--factory", "main"], "main"),
    ],
)  # fmt: skip
def test_the_served_app_is_found_after_any_option(words, target):
    assert rules.served(words).target == target


def test_a_fastapi_run_of_the_factory_module_is_refused():
    text = edit(
        MODEL, (CMD, 'CMD ["fastapi", "run", "--entrypoint", "booking_service.main:create_app"]')
    )
    assert (
        "fastapi run serves an app, not a factory"
        in run_dockerfile_check(text, only=RUN)[RUN].found
    )


def test_an_image_without_the_migrations_is_named():
    text = edit(MODEL, ("COPY migrations ./migrations\n", ""))
    assert run_dockerfile_check(text, only=JOB)[JOB].found == (
        "the final stage (FROM on line 22) never copies migrations, so `python -m"
        " booking_service.migrate` in the image finds no migrations; `COPY alembic.ini ./` and"
        " `COPY migrations ./migrations`"
    )


@pytest.mark.parametrize(
    "copy",
    ["COPY alembic.ini migrations ./\n", "COPY alembic.ini ./\nCOPY migrations/ .\n"],
)
def test_migrations_copied_as_their_contents_are_named(copy):
    """Docker copies a source folder's contents, so `COPY migrations ./` loses the folder."""
    text = edit(MODEL, ("COPY alembic.ini ./\nCOPY migrations ./migrations\n", copy))
    found = run_dockerfile_check(text, only=JOB)[JOB].found
    assert "COPY puts what is inside migrations/ into /app, not a migrations/ folder" in found


@pytest.mark.parametrize(
    "copy",
    [
        "COPY alembic.ini ./\nCOPY migrations/ ./migrations/\n",
        "COPY alembic.ini ./\nCOPY migrations /app/migrations\n",
        "COPY . .\n",
    ],
)
def test_migrations_copied_as_a_folder_pass(copy):
    text = edit(MODEL, ("COPY alembic.ini ./\nCOPY migrations ./migrations\n", copy))
    assert run_dockerfile_check(text, only=JOB)[JOB].passed


def test_migrations_copied_from_the_build_stage_count():
    text = edit(
        MODEL,
        ("COPY src ./src\n", "COPY src ./src\nCOPY alembic.ini ./\nCOPY migrations ./migrations\n"),
        ("COPY alembic.ini ./\nCOPY migrations ./migrations\n", "COPY --from=builder /app /app\n"),
    )
    assert run_dockerfile_check(text, only=JOB)[JOB].passed


# The build stage copies the whole project (`COPY . .` into /app); the final stage takes the two
# from where they landed there, by absolute path or from the build stage's root.
@pytest.mark.parametrize(
    "copies",
    [
        "COPY --from=builder /app/alembic.ini /app/alembic.ini\n"
        "COPY --from=builder /app/migrations /app/migrations\n",
        "COPY --from=builder /app/alembic.ini ./\nCOPY --from=builder app/migrations ./migrations\n",
        "COPY --from=0 /app/alembic.ini ./\nCOPY --from=0 /app/migrations/ ./migrations/\n",
    ],
    ids=["absolute", "relative-to-the-root", "by-index"],
)
def test_migrations_copied_from_inside_the_build_stages_project_count(copies):
    text = edit(
        MODEL,
        ("COPY src ./src\n", "COPY . .\n"),
        ("COPY alembic.ini ./\nCOPY migrations ./migrations\n", copies),
    )
    result = run_dockerfile_check(text, only=JOB)[JOB]
    assert result.passed, result.found


@pytest.mark.parametrize(
    ("builder_copy", "copies", "message"),
    [
        # A folder copied from the build stage lands as its contents, as from the project.
        (
            "COPY . .\n",
            "COPY --from=builder /app/alembic.ini ./\nCOPY --from=builder /app/migrations ./\n",
            "COPY puts what is inside migrations/ into /app, not a migrations/ folder (Docker"
            " copies a folder's contents); write `COPY --from=builder /app/migrations"
            " ./migrations`",
        ),
        # The build stage never had them: only src was copied there.
        (
            "COPY src ./src\n",
            "COPY --from=builder /app/alembic.ini ./\nCOPY --from=builder /app/migrations"
            " ./migrations\n",
            "never copies alembic.ini or migrations",
        ),
        # Something else inside the build stage's project, not the files themselves.
        (
            "COPY . .\n",
            "COPY --from=builder /app/migrations/versions ./migrations/versions\n"
            "COPY --from=builder /app/README.md ./alembic.ini\n",
            "never copies alembic.ini or migrations",
        ),
    ],
    ids=["flattened", "not-in-the-build-stage", "other-files"],
)
def test_migrations_the_build_stage_does_not_hold_are_named(builder_copy, copies, message):
    text = edit(
        MODEL,
        ("COPY src ./src\n", builder_copy),
        ("COPY alembic.ini ./\nCOPY migrations ./migrations\n", copies),
    )
    result = run_dockerfile_check(text, only=JOB)[JOB]
    assert not result.passed
    assert message in result.found, result.found


def test_line_numbers_count_from_the_top_of_the_file():
    text = edit(MODEL, ("USER 10001:10001", "USER root"))
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row == "USER root")
    assert rules.user_problems(dockerfile.parse_dockerfile(text)) == [
        f"line {line}: `USER root` runs the service as root; use an unprivileged user"
    ]


def test_the_07_1_check_reads_the_project_and_names_a_missing_dockerfile(tmp_path):
    workspace = tmp_path / "workspace"
    project.write_files(project.locate(workspace), project.reference("07"))
    given = Given(workspace=workspace)
    assert all(evaluate(e.text, lambda e=e: e.run(given)).passed for e in checks.IMAGE)
    (project.locate(workspace) / "Dockerfile").unlink()
    first = checks.IMAGE[0]
    found = evaluate(first.text, lambda: first.run(Given(workspace=workspace))).found
    assert found == (
        "Dockerfile does not exist yet — create it in your project folder, service/ in your"
        " workspace"
    )


def test_the_07_1_check_reads_the_projects_build_commands_for_named_contexts(tmp_path):
    """The live check, not only the rule: a Makefile's `--build-context docs=./docs` makes
    `COPY --from=docs` a context of files, not an unpinned image called `docs`."""
    workspace = tmp_path / "workspace"
    root = project.locate(workspace)
    project.write_files(root, project.reference("07"))
    dockerfile_path = root / "Dockerfile"
    dockerfile_path.write_text(edit(dockerfile_path.read_text(), COPY_FROM_DOCS))
    pinned = next(e for e in checks.IMAGE if e.text == PINNED)

    def verdict():
        return evaluate(pinned.text, lambda: pinned.run(Given(workspace=workspace)))

    assert not verdict().passed
    (root / "build.sh").write_text(BUILD_COMMAND + "\n")
    assert verdict().passed, verdict().found


# pip reads `--editable=.` and `-e.` as `-e .`, and `--requirement=FILE` and `-rFILE` as `-r FILE`.
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (" -e .", "`pip install .` resolves the project's dependencies afresh"),
        (" --editable=.", "`pip install .` resolves the project's dependencies afresh"),
        (" -e.", "`pip install .` resolves the project's dependencies afresh"),
        (" -r requirements.txt", "`pip install -r` without `--require-hashes`"),
        (" --requirement=requirements.txt", "`pip install -r` without `--require-hashes`"),
        (" -rrequirements.txt", "`pip install -r` without `--require-hashes`"),
    ],
    ids=["e", "editable-equals", "e-glued", "r", "requirement-equals", "r-glued"],
)
def test_each_spelling_of_pips_options_with_a_value_is_judged(args, message):
    problems, _ = rules._pip_problems(args, 5)
    assert [problem for problem in problems if message in problem], problems


def test_a_constraints_file_is_not_read_as_a_package():
    assert rules._pip_problems(" --require-hashes -cconstraints.txt -r requirements.txt", 5) == (
        [],
        True,
    )


def test_unpinned_packages_of_one_install_make_one_message():
    assert rules._pip_problems(' fastapi uvicorn "uv==0.13.9"', 5) == (
        [
            "line 5: `pip install fastapi uvicorn` installs whatever versions are newest on the "
            "day of the build; the service's dependencies come from uv.lock"
        ],
        False,
    )


LOCKED_DEPENDENCIES = "RUN uv sync --locked --no-dev --no-install-project"
PROJECT_INSTALL = "RUN uv sync --locked --no-dev --no-editable"
"""The model's two installs in the build stage: the dependencies, then the project."""
HASHED_REQUIREMENTS = (
    f"fastapi==0.121.0 \\\n    --hash={HASH}\nuvicorn==0.38.0 \\\n    --hash={HASH}\n"
)
"""The dependencies exported with their hashes (`uv export --format requirements-txt`)."""


def lock_verdict(root: Path | None, *replacements: tuple[str, str]) -> Outcome:
    return run_dockerfile_check(edit(MODEL, *replacements), only=LOCK, root=root)[LOCK]


# The project installed on top of the locked dependencies: with `--no-deps`, pip and uv resolve
# nothing, so no version comes from anywhere but the lock.
@pytest.mark.parametrize(
    "install",
    [
        "RUN pip install --no-cache-dir --no-deps /app",
        "RUN uv pip install --no-deps .",
        "RUN uv pip install --no-deps --no-build-isolation .",
        "RUN pip install --no-deps --no-build-isolation -e .",
    ],
)
def test_the_project_installed_with_no_deps_after_the_lock_passes(install):
    result = lock_verdict(None, (PROJECT_INSTALL, install))
    assert result.passed, result.found


# `uv pip sync` and pip-tools' `pip-sync` install exactly a requirements file: with hashes that
# uv is told to require, or that pip (under pip-sync) checks because the file has them.
@pytest.mark.parametrize(
    ("install", "readable"),
    [
        ("RUN uv venv /app/.venv && uv pip sync --require-hashes requirements.txt", False),
        ("RUN uv pip sync --python /app/.venv/bin/python --require-hashes requirements.txt", False),
        ("RUN uv pip sync requirements.txt", True),
        ("RUN pip-sync requirements.txt", True),
        ('RUN pip-sync --pip-args "--no-cache-dir --require-hashes" requirements.txt', False),
        # uv and pip read the option from their variables too.
        ("ENV UV_REQUIRE_HASHES=1\nRUN uv pip sync requirements.txt", False),
        ("RUN UV_REQUIRE_HASHES=true uv pip sync requirements.txt", False),
        ("ARG PIP_REQUIRE_HASHES=1\nRUN pip install -r requirements.txt", False),
    ],
    ids=[
        "uv-require-hashes",
        "uv-python-option",
        "uv-hashed-file",
        "pip-sync-hashed-file",
        "pip-sync-pip-args",
        "uv-env",
        "uv-prefix",
        "pip-arg",
    ],
)
def test_a_hashed_requirements_file_synced_passes(tmp_path, install, readable):
    (tmp_path / "requirements.txt").write_text(HASHED_REQUIREMENTS)
    result = lock_verdict(
        tmp_path if readable else None,
        ("COPY pyproject.toml uv.lock ./", "COPY pyproject.toml requirements.txt ./"),
        (LOCKED_DEPENDENCIES, install),
        (PROJECT_INSTALL, "RUN uv pip install --python /app/.venv/bin/python --no-deps ."),
    )
    assert result.passed, result.found


@pytest.mark.parametrize(
    ("requirements", "install", "message"),
    [
        # `--no-deps` resolves nothing, but installs nothing from the lock either.
        (None, "RUN pip install --no-deps .", "nothing installs the dependencies from the lock"),
        (None, "RUN pip install --no-deps fastapi", "`pip install fastapi` installs whatever"),
        (None, "RUN pip install .", "`pip install .` resolves the project's dependencies afresh"),
        (
            "fastapi==0.121.0\n",
            "RUN uv pip sync requirements.txt",
            "`uv pip sync` without `--require-hashes`",
        ),
        # uv checks the hashes a file gives, and installs an entry without one unchecked.
        (
            f"fastapi==0.121.0 --hash={HASH}\nuvicorn==0.38.0\n",
            "RUN uv pip sync requirements.txt",
            "uv checks the hashes that `requirements.txt` gives, but installs its line 2,"
            " `uvicorn==0.38.0`, unchecked",
        ),
        (
            f"fastapi==0.121.0 --hash={HASH}\nuvicorn==0.38.0\n",
            "RUN uv pip sync --require-hashes requirements.txt",
            "uv checks the hashes of `requirements.txt`, and stops the build at its line 2",
        ),
        ("fastapi==0.121.0\n", "RUN pip-sync requirements.txt", "`pip-sync` without"),
        # uv's variable is not pip's: pip does not read UV_REQUIRE_HASHES.
        (
            "fastapi==0.121.0\n",
            "ENV UV_REQUIRE_HASHES=1\nRUN pip install -r requirements.txt",
            "`pip install -r` without `--require-hashes`",
        ),
        (
            f"fastapi==0.121.0 --hash={HASH}\nuvicorn==0.38.0\n",
            "RUN pip-sync requirements.txt",
            "pip checks the hashes of `requirements.txt`, and stops the build at its line 2",
        ),
    ],
    ids=[
        "no-deps-without-the-lock",
        "no-deps-of-an-unpinned-package",
        "the-project-with-its-dependencies",
        "uv-sync-unhashed",
        "uv-sync-partly-hashed",
        "uv-sync-required-partly-hashed",
        "pip-sync-unhashed",
        "uv-variable-for-pip",
        "pip-sync-partly-hashed",
    ],
)
def test_installs_that_leave_the_lock_are_still_refused(tmp_path, requirements, install, message):
    if requirements is None:
        replacements = [(LOCKED_DEPENDENCIES, ""), (PROJECT_INSTALL, install)]
    else:
        (tmp_path / "requirements.txt").write_text(requirements)
        replacements = [
            ("COPY pyproject.toml uv.lock ./", "COPY pyproject.toml requirements.txt ./"),
            (LOCKED_DEPENDENCIES, install),
            (PROJECT_INSTALL, "RUN uv pip install --no-deps ."),
        ]
    result = lock_verdict(tmp_path, *replacements)
    assert not result.passed
    assert message in result.found, result.found


# --- Exercise 07.2: canary_decision -------------------------------------------------------------


def reference_canary_decision(baseline: dict, canary: dict, thresholds: dict) -> str:
    """The model answer, kept here and in solutions/ only."""
    if canary["requests"] < thresholds["min_requests"]:
        return "hold"
    canary_rate = canary["errors"] / canary["requests"]
    baseline_rate = baseline["errors"] / baseline["requests"] if baseline["requests"] else 0.0
    if canary_rate > baseline_rate + thresholds["max_error_rate_increase"]:
        return "rollback"
    if canary["p95_ms"] > baseline["p95_ms"] * thresholds["max_p95_ratio"]:
        return "rollback"
    return "promote"


def differences_of_rates(baseline, canary, thresholds):
    """Another right answer: the difference of the rates, and the ratio of the p95s."""
    if not canary["requests"] >= thresholds["min_requests"]:
        return "hold"
    increase = canary["errors"] / canary["requests"] - baseline["errors"] / baseline["requests"]
    too_slow = canary["p95_ms"] / baseline["p95_ms"] > thresholds["max_p95_ratio"]
    return "rollback" if increase > thresholds["max_error_rate_increase"] or too_slow else "promote"


def run_canary_check(canary_decision) -> dict[str, Outcome]:
    given = Given(canary_decision=canary_decision)
    return {e.text: evaluate(e.text, lambda e=e: e.run(given), e.hint) for e in checks.CANARY}


def allowed_increase_of_the_p95(baseline, canary, thresholds):
    """Another right answer, algebraically the same: how much slower, against how much slower
    the ratio allows (`base * (ratio - 1)` rounds differently from `base * ratio`)."""
    if canary["requests"] < thresholds["min_requests"]:
        return "hold"
    increase = canary["errors"] / canary["requests"] - baseline["errors"] / baseline["requests"]
    slower = canary["p95_ms"] - baseline["p95_ms"]
    too_slow = slower > baseline["p95_ms"] * (thresholds["max_p95_ratio"] - 1)
    return "rollback" if increase > thresholds["max_error_rate_increase"] or too_slow else "promote"


def relative_slowdown_in_percent(baseline, canary, thresholds):
    """Another right answer: the slowdown as a percentage of the baseline's p95."""
    if canary["requests"] < thresholds["min_requests"]:
        return "hold"
    canary_rate = canary["errors"] / canary["requests"]
    if (
        canary_rate
        > baseline["errors"] / baseline["requests"] + thresholds["max_error_rate_increase"]
    ):
        return "rollback"
    slowdown = (canary["p95_ms"] / baseline["p95_ms"] - 1) * 100
    return "rollback" if slowdown > (thresholds["max_p95_ratio"] - 1) * 100 else "promote"


def rate(metrics: dict) -> float:
    return metrics["errors"] / metrics["requests"]


def decided_by(too_many_errors, too_slow):
    """A canary_decision that holds below min_requests, then rolls back on either rule."""

    def canary_decision(baseline, canary, thresholds):
        if canary["requests"] < thresholds["min_requests"]:
            return "hold"
        if too_many_errors(baseline, canary, thresholds) or too_slow(baseline, canary, thresholds):
            return "rollback"
        return "promote"

    return canary_decision


def error_rate_above(baseline, canary, thresholds):
    return rate(canary) > rate(baseline) + thresholds["max_error_rate_increase"]


def p95_above(baseline, canary, thresholds):
    return canary["p95_ms"] > baseline["p95_ms"] * thresholds["max_p95_ratio"]


# Every spelling of the same two inequalities, in floats, percentages or exact arithmetic: the
# cases' numbers sit exactly at each limit in all of them (see the canary module's docstring).
ERROR_RATE_SPELLINGS = {
    "difference-of-rates": lambda b, c, t: rate(c) - rate(b) > t["max_error_rate_increase"],
    "percentage-points": lambda b, c, t: (
        rate(c) * 100 - rate(b) * 100 > t["max_error_rate_increase"] * 100
    ),
    "percent-of-counts": lambda b, c, t: (
        c["errors"] * 100 / c["requests"]
        > b["errors"] * 100 / b["requests"] + t["max_error_rate_increase"] * 100
    ),
    "cross-multiplied": lambda b, c, t: (
        c["errors"] * b["requests"]
        > b["errors"] * c["requests"] + t["max_error_rate_increase"] * c["requests"] * b["requests"]
    ),
    "allowed-error-count": lambda b, c, t: (
        c["errors"] > c["requests"] * (rate(b) + t["max_error_rate_increase"])
    ),
    "fractions": lambda b, c, t: (
        Fraction(c["errors"], c["requests"]) - Fraction(b["errors"], b["requests"])
        > Fraction(str(t["max_error_rate_increase"]))
    ),
    "decimals": lambda b, c, t: (
        Decimal(c["errors"]) / c["requests"] - Decimal(b["errors"]) / b["requests"]
        > Decimal(str(t["max_error_rate_increase"]))
    ),
}
P95_SPELLINGS = {
    "ratio-of-p95s": lambda b, c, t: c["p95_ms"] / b["p95_ms"] > t["max_p95_ratio"],
    "divided-by-the-ratio": lambda b, c, t: c["p95_ms"] / t["max_p95_ratio"] > b["p95_ms"],
    "relative-slowdown": lambda b, c, t: (
        (c["p95_ms"] - b["p95_ms"]) / b["p95_ms"] > t["max_p95_ratio"] - 1
    ),
    "percent-of-the-baseline": lambda b, c, t: (
        100 * c["p95_ms"] / b["p95_ms"] > 100 * t["max_p95_ratio"]
    ),
    "whole-percent-slower": lambda b, c, t: (
        100 * (c["p95_ms"] - b["p95_ms"]) / b["p95_ms"] > round((t["max_p95_ratio"] - 1) * 100)
    ),
    "baseline-plus-allowance": lambda b, c, t: (
        c["p95_ms"] > b["p95_ms"] + b["p95_ms"] * (t["max_p95_ratio"] - 1)
    ),
    "fractions": lambda b, c, t: (
        Fraction(str(c["p95_ms"])) > Fraction(str(b["p95_ms"])) * Fraction(str(t["max_p95_ratio"]))
    ),
    "fractions-of-the-floats": lambda b, c, t: (
        Fraction(c["p95_ms"]) > Fraction(b["p95_ms"]) * Fraction(t["max_p95_ratio"])
    ),
    "decimals": lambda b, c, t: (
        Decimal(str(c["p95_ms"])) > Decimal(str(b["p95_ms"])) * Decimal(str(t["max_p95_ratio"]))
    ),
}


@pytest.mark.parametrize(
    "implementation",
    [
        reference_canary_decision,
        differences_of_rates,
        allowed_increase_of_the_p95,
        relative_slowdown_in_percent,
        *(decided_by(spelling, p95_above) for spelling in ERROR_RATE_SPELLINGS.values()),
        *(decided_by(error_rate_above, spelling) for spelling in P95_SPELLINGS.values()),
    ],
    ids=[
        "reference",
        "differences-of-rates",
        "allowed-increase-of-the-p95",
        "relative-slowdown-in-percent",
        *(f"errors-{name}" for name in ERROR_RATE_SPELLINGS),
        *(f"p95-{name}" for name in P95_SPELLINGS),
    ],
)
def test_right_canary_decisions_pass_every_case(implementation):
    assert {t: r.found for t, r in run_canary_check(implementation).items() if not r.passed} == {}


def never_holds(baseline, canary, thresholds):
    return reference_canary_decision(baseline, canary, {**thresholds, "min_requests": 0})


def compares_counts(baseline, canary, thresholds):
    if canary["requests"] < thresholds["min_requests"]:
        return "hold"
    if (
        canary["errors"] > baseline["errors"]
        or canary["p95_ms"] > baseline["p95_ms"] * thresholds["max_p95_ratio"]
    ):
        return "rollback"
    return "promote"


def strict_at_the_limits(baseline, canary, thresholds):
    if canary["requests"] <= thresholds["min_requests"]:
        return "hold"
    rate = canary["errors"] / canary["requests"]
    if rate >= baseline["errors"] / baseline["requests"] + thresholds["max_error_rate_increase"]:
        return "rollback"
    if canary["p95_ms"] >= baseline["p95_ms"] * thresholds["max_p95_ratio"]:
        return "rollback"
    return "promote"


def allowed_increase_or_equal(baseline, canary, thresholds):
    """The difference form with `>=`: a canary exactly at the p95 limit rolls back."""
    decision = reference_canary_decision(baseline, canary, {**thresholds, "max_p95_ratio": 1e9})
    slower = canary["p95_ms"] - baseline["p95_ms"]
    allowed = baseline["p95_ms"] * (thresholds["max_p95_ratio"] - 1)
    return "rollback" if decision == "promote" and slower >= allowed else decision


def allowed_increase_one_step_off(baseline, canary, thresholds):
    """The difference form against the ratio itself, not the ratio less one: far too lenient."""
    decision = reference_canary_decision(baseline, canary, {**thresholds, "max_p95_ratio": 1e9})
    slower = canary["p95_ms"] - baseline["p95_ms"]
    too_slow = slower > baseline["p95_ms"] * thresholds["max_p95_ratio"]
    return "rollback" if decision == "promote" and too_slow else decision


def fixed_thresholds(baseline, canary, thresholds):
    return reference_canary_decision(baseline, canary, canary_module_thresholds())


def canary_module_thresholds():
    return canary.THRESHOLDS


def errors_only(baseline, canary, thresholds):
    return reference_canary_decision(baseline, canary, {**thresholds, "max_p95_ratio": 1e9})


def absolute_latency(baseline, canary, thresholds):
    """Judges the canary against a fixed 300 ms instead of the baseline of the moment."""
    decision = reference_canary_decision(baseline, canary, {**thresholds, "max_p95_ratio": 1e9})
    return "rollback" if decision == "promote" and canary["p95_ms"] > 300 else decision


def ignores_the_baselines_errors(baseline, canary, thresholds):
    return reference_canary_decision({**baseline, "errors": 0}, canary, thresholds)


def says_true(baseline, canary, thresholds):
    return True


@pytest.mark.parametrize(
    ("implementation", "failing", "found"),
    [
        (
            never_holds,
            "499 canary requests (below min_requests) means hold",
            "expected 'hold', got 'promote'",
        ),
        (
            never_holds,
            "too little traffic means hold, even when the errors look bad",
            "expected 'hold', got 'rollback'",
        ),
        (
            compares_counts,
            "60 errors against the baseline's 50, on the same traffic, is within the limit",
            "expected 'promote', got 'rollback'",
        ),
        (
            strict_at_the_limits,
            "exactly min_requests (500) is enough to decide",
            "expected 'promote', got 'hold'",
        ),
        (
            strict_at_the_limits,
            "an error rate 0.5 points above the baseline's (exactly the limit) is promoted",
            "expected 'promote', got 'rollback'",
        ),
        (
            strict_at_the_limits,
            "a p95 exactly 1.2 times the baseline's is promoted",
            "expected 'promote', got 'rollback'",
        ),
        (
            allowed_increase_or_equal,
            "a p95 exactly 1.2 times the baseline's is promoted",
            "expected 'promote', got 'rollback'",
        ),
        (
            allowed_increase_one_step_off,
            "a p95 one millisecond above that limit rolls back",
            "expected 'rollback', got 'promote'",
        ),
        (
            fixed_thresholds,
            "the thresholds come from the argument, not from fixed numbers",
            "expected 'promote', got 'hold'",
        ),
        (
            errors_only,
            "a slow canary (p95 above 1.2 times the baseline's) rolls back, even with no errors",
            "expected 'rollback', got 'promote'",
        ),
        (
            errors_only,
            "a p95 one millisecond above that limit rolls back",
            "expected 'rollback', got 'promote'",
        ),
        (
            absolute_latency,
            "in a busy hour, a canary as slow as its slow baseline is promoted",
            "expected 'promote', got 'rollback'",
        ),
        (
            ignores_the_baselines_errors,
            "exactly at the limit above a baseline that has errors too is promoted",
            "expected 'promote', got 'rollback'",
        ),
        (
            says_true,
            "a canary as good as the baseline is promoted",
            "expected 'promote', got True (bool)",
        ),
    ],
)
def test_wrong_canary_decisions_fail_the_right_case(implementation, failing, found):
    result = run_canary_check(implementation)[failing]
    assert not result.passed
    assert result.found == found
    assert result.hint


class StrEnumVerdict(StrEnum):
    PROMOTE, HOLD, ROLLBACK = "promote", "hold", "rollback"


class MixedInVerdict(str, Enum):
    PROMOTE, HOLD, ROLLBACK = "promote", "hold", "rollback"


class PlainVerdict(Enum):
    PROMOTE, HOLD, ROLLBACK = "promote", "hold", "rollback"


def answered_with(kind):
    """The model's decision, returned as `kind(decision)`: a member of an Enum, or a str subclass."""
    return lambda *arguments: kind(reference_canary_decision(*arguments))


class Word(str):
    pass


@pytest.mark.parametrize(
    "kind", [StrEnumVerdict, MixedInVerdict, Word], ids=["strenum", "str-enum", "str-subclass"]
)
def test_a_decision_that_is_a_string_of_another_class_passes_every_case(kind):
    """The prompt asks for one of the strings: a str subclass equal to it is that string."""
    results = run_canary_check(answered_with(kind))
    assert {text: result.found for text, result in results.items() if not result.passed} == {}


def test_a_wrong_decision_as_a_strenum_is_named_by_its_string():
    wrong = answered_with(lambda decision: StrEnumVerdict("rollback"))
    result = run_canary_check(wrong)["a canary as good as the baseline is promoted"]
    assert not result.passed
    assert result.found == "expected 'promote', got 'rollback'"


@pytest.mark.parametrize(
    ("kind", "found"),
    [
        (
            PlainVerdict,
            "expected 'promote', got PlainVerdict.PROMOTE, an Enum member that is not a string;"
            " return its value ('promote'), or make PlainVerdict a StrEnum",
        ),
        (lambda decision: decision.encode(), "expected 'promote', got b'promote' (bytes)"),
        (lambda decision: 1, "expected 'promote', got 1 (int)"),
    ],
    ids=["plain-enum", "bytes", "int"],
)
def test_a_decision_that_only_holds_the_string_is_refused(kind, found):
    result = run_canary_check(answered_with(kind))["a canary as good as the baseline is promoted"]
    assert not result.passed
    assert result.found == found


def fixed_error_margin(baseline, canary, thresholds):
    """Reads min_requests from its argument, but keeps the course's 0.5 points in the code."""
    course_margin = canary_module_thresholds()["max_error_rate_increase"]
    return reference_canary_decision(
        baseline, canary, {**thresholds, "max_error_rate_increase": course_margin}
    )


def fixed_p95_ratio(baseline, canary, thresholds):
    """Reads min_requests from its argument, but keeps the course's 1.2 in the code."""
    course_ratio = canary_module_thresholds()["max_p95_ratio"]
    return reference_canary_decision(
        baseline, canary, {**thresholds, "max_p95_ratio": course_ratio}
    )


@pytest.mark.parametrize("implementation", [fixed_error_margin, fixed_p95_ratio])
def test_any_one_fixed_threshold_fails_the_thresholds_case(implementation):
    failed = {
        text: result.found
        for text, result in run_canary_check(implementation).items()
        if not result.passed
    }
    assert failed == {
        "the thresholds come from the argument, not from fixed numbers": (
            "expected 'promote', got 'rollback'"
        )
    }


def test_the_thresholds_case_turns_on_each_of_the_three_thresholds():
    (case,) = [case for case in canary.CANARY_CASES if case.thresholds is not None]
    assert reference_canary_decision(case.baseline, case.canary, case.limits()) == "promote"
    for name, course_value in canary.THRESHOLDS.items():
        one_fixed = {**case.limits(), name: course_value}
        assert reference_canary_decision(case.baseline, case.canary, one_fixed) != "promote", name


# The same inequalities with `>=`, in each kind of arithmetic: a canary exactly at a limit rolls
# back, so each is refused.
AT_OR_ABOVE_THE_LIMIT = {
    "error-rate-in-floats": (
        lambda b, c, t: rate(c) - rate(b) >= t["max_error_rate_increase"],
        p95_above,
    ),
    "error-rate-in-percentage-points": (
        lambda b, c, t: rate(c) * 100 - rate(b) * 100 >= t["max_error_rate_increase"] * 100,
        p95_above,
    ),
    "error-rate-in-fractions": (
        lambda b, c, t: (
            Fraction(c["errors"], c["requests"]) - Fraction(b["errors"], b["requests"])
            >= Fraction(str(t["max_error_rate_increase"]))
        ),
        p95_above,
    ),
    "p95-ratio": (
        error_rate_above,
        lambda b, c, t: c["p95_ms"] / b["p95_ms"] >= t["max_p95_ratio"],
    ),
    "p95-percent-of-the-baseline": (
        error_rate_above,
        lambda b, c, t: 100 * c["p95_ms"] / b["p95_ms"] >= 100 * t["max_p95_ratio"],
    ),
    "p95-relative-slowdown": (
        error_rate_above,
        lambda b, c, t: (c["p95_ms"] - b["p95_ms"]) / b["p95_ms"] >= t["max_p95_ratio"] - 1,
    ),
    "p95-in-fractions": (
        error_rate_above,
        lambda b, c, t: (
            Fraction(str(c["p95_ms"]))
            >= Fraction(str(b["p95_ms"])) * Fraction(str(t["max_p95_ratio"]))
        ),
    ),
    "p95-in-decimals": (
        error_rate_above,
        lambda b, c, t: (
            Decimal(str(c["p95_ms"]))
            >= Decimal(str(b["p95_ms"])) * Decimal(str(t["max_p95_ratio"]))
        ),
    ),
}


@pytest.mark.parametrize("name", AT_OR_ABOVE_THE_LIMIT)
def test_rolling_back_exactly_at_a_limit_is_refused_in_every_arithmetic(name):
    implementation = decided_by(*AT_OR_ABOVE_THE_LIMIT[name])
    limit = (
        "an error rate 0.5 points above the baseline's (exactly the limit) is promoted"
        if name.startswith("error-rate")
        else "a p95 exactly 1.2 times the baseline's is promoted"
    )
    failed = {
        text for text, result in run_canary_check(implementation).items() if not result.passed
    }
    assert failed == {limit} | (
        {"exactly at the limit above a baseline that has errors too is promoted"}
        if name.startswith("error-rate")
        else set()
    )


# Decimals made from the floats themselves: `Decimal(1.2)` is the float's 1.1999999999999999555…,
# with 52 digits, and Decimal rounds each product or quotient to 28, so a canary exactly at the
# limit comes out above it. That is the learner's arithmetic, not the limit's: Decimals made from
# strings (and Fractions, made from either) are exact and pass (see the spellings above).
DECIMALS_OF_FLOATS = {
    "product": lambda b, c, t: (
        Decimal(c["p95_ms"]) > Decimal(b["p95_ms"]) * Decimal(t["max_p95_ratio"])
    ),
    "quotient": lambda b, c, t: (
        Decimal(c["p95_ms"]) / Decimal(b["p95_ms"]) > Decimal(t["max_p95_ratio"])
    ),
}


@pytest.mark.parametrize("name", DECIMALS_OF_FLOATS)
def test_decimals_of_floats_at_the_p95_limit_are_refused_with_a_hint_that_names_them(name):
    results = run_canary_check(decided_by(error_rate_above, DECIMALS_OF_FLOATS[name]))
    failed = {text: result for text, result in results.items() if not result.passed}
    limit = "a p95 exactly 1.2 times the baseline's is promoted"
    assert set(failed) == {limit}
    assert failed[limit].found == "expected 'promote', got 'rollback'"
    assert "Decimal(str(x))" in failed[limit].hint and "Decimal(1.2)" in failed[limit].hint


@pytest.mark.parametrize(
    "too_slow",
    [
        lambda b, c, t: (
            Decimal(str(c["p95_ms"])) / Decimal(str(b["p95_ms"])) > Decimal(str(t["max_p95_ratio"]))
        ),
        lambda b, c, t: (
            Fraction(c["p95_ms"]) / Fraction(b["p95_ms"]) > Fraction(t["max_p95_ratio"])
        ),
        lambda b, c, t: (
            Fraction(str(c["p95_ms"])) / Fraction(str(b["p95_ms"]))
            > Fraction(str(t["max_p95_ratio"]))
        ),
    ],
    ids=[
        "decimal-quotient-of-strings",
        "fraction-quotient-of-floats",
        "fraction-quotient-of-strings",
    ],
)
def test_exact_quotients_at_the_p95_limit_pass(too_slow):
    results = run_canary_check(decided_by(error_rate_above, too_slow))
    assert {text: result.found for text, result in results.items() if not result.passed} == {}


def test_the_cases_follow_the_course_numbers_and_sit_at_each_limit():
    limits = canary.THRESHOLDS
    requests = sorted(
        {case.canary["requests"] for case in canary.CANARY_CASES if case.thresholds is None}
    )
    assert limits["min_requests"] - 1 in requests and limits["min_requests"] in requests
    base = canary.BINARY_BASELINE_P95_MS
    p95s = {
        case.canary["p95_ms"] for case in canary.CANARY_CASES if case.baseline["p95_ms"] == base
    }
    assert base * limits["max_p95_ratio"] in p95s and base * limits["max_p95_ratio"] + 1 in p95s
    expectations = [case.expectation for case in canary.CANARY_CASES]
    assert len(set(expectations)) == len(expectations)
    assert {case.expected for case in canary.CANARY_CASES} == {"promote", "hold", "rollback"}


def test_no_model_answer_is_importable_from_the_stage_package():
    import onboarding.stages.deployment as package

    names = {name for module in (package, checks, canary, rollout, rules) for name in vars(module)}
    assert not {"reference_canary_decision", "REFERENCE_ORDER"} & names
    assert rollout.SAFE_ORDER  # the checks' own proof, not handed to the notebook


# --- Exercise 07.3: the order of a deployment ---------------------------------------------------


def run_order_check(order) -> dict[str, Outcome]:
    given = Given(deployment_order=order)
    return {e.text: evaluate(e.text, lambda e=e: e.run(given), e.hint) for e in checks.ORDER}


PREPARED, REFUSED, MISREAD = (e.text for e in checks.ORDER[1:])


def test_exactly_the_safe_orders_pass_out_of_every_possible_order():
    passing = [
        order
        for order in itertools.permutations(rollout.DEPLOY_STEPS)
        if all(result.passed for result in run_order_check(list(order)).values())
    ]
    assert passing == [
        ("build", "backup", *rollout.SAFE_ORDER[2:]),
        ("backup", "build", *rollout.SAFE_ORDER[2:]),
    ]


def moved(step: str, before: str) -> list[str]:
    order = [name for name in rollout.SAFE_ORDER if name != step]
    order.insert(order.index(before), step)
    return order


@pytest.mark.parametrize(
    ("order", "failing", "message"),
    [
        (moved("expand", "build"), PREPARED, "`expand` comes before `build`: every migration job"),
        (
            moved("backup", "backfill"),
            PREPARED,
            "`expand` comes before `backup`: a backup must exist",
        ),
        (
            moved("dual_write", "expand"),
            REFUSED,
            "a booking made by 1.4.0 is refused for writing starts_at/ends_at, which do not exist"
            " until `expand` has run: while `dual_write` rolls out and after `dual_write`",
        ),
        (
            moved("backfill", "dual_write"),
            MISREAD,
            "1.5.0 reads starts_at/ends_at, which are empty in a booking 1.3.0 made after"
            " `backfill`: while `switch_reads` rolls out",
        ),
        (
            moved("switch_reads", "backfill"),
            MISREAD,
            "1.5.0 reads starts_at/ends_at, which are empty in a booking 1.3.0 made before the"
            " release: while `switch_reads` rolls out",
        ),
        (
            moved("stop_writing", "switch_reads"),
            MISREAD,
            "1.4.0 reads start/end, which are empty in a booking 1.6.0 made while `stop_writing`"
            " rolls out: while `stop_writing` rolls out",
        ),
        (
            moved("contract", "stop_writing"),
            REFUSED,
            "a booking made by 1.5.0 is refused for writing start/end, which `contract` has"
            " dropped: after `contract`",
        ),
        (
            moved("backfill", "expand"),
            REFUSED,
            "`backfill` fails: there are no columns starts_at/ends_at to fill until `expand` has run",
        ),
    ],
)
def test_each_wrong_order_names_the_booking_refused_or_misread(order, failing, message):
    result = run_order_check(order)[failing]
    assert not result.passed
    assert result.found.startswith(message), result.found


def test_a_problem_that_comes_back_is_named_once_with_each_moment():
    """Backfilled too early, a 1.3.0 booking stays empty: each later step would repeat that."""
    result = run_order_check(moved("backfill", "dual_write"))[MISREAD]
    assert result.found == (
        "1.5.0 reads starts_at/ends_at, which are empty in a booking 1.3.0 made after"
        " `backfill`: while `switch_reads` rolls out, after `switch_reads` and while"
        " `stop_writing` rolls out; so does 1.6.0, while `stop_writing` rolls out, after"
        " `stop_writing` and after `contract`"
    )


def test_a_refusal_that_comes_back_is_named_once_with_each_release():
    order = ["build", "backup", "contract", *(step for step in rollout.SAFE_ORDER[2:-1])]
    found = run_order_check(order)[REFUSED].found
    assert found.count("which `contract` has dropped") == 1, found
    assert found.startswith(
        "a booking made by 1.3.0 is refused for writing start/end, which `contract` has dropped:"
        " after `contract`, after `expand` and while `dual_write` rolls out; so is one made by"
        " 1.4.0, while `dual_write` rolls out"
    ), found


def test_the_shuffled_start_fails_every_line():
    results = run_order_check(rollout.SHUFFLED_ORDER)
    assert [result.passed for result in results.values()] == [True, False, False, False]


@pytest.mark.parametrize(
    ("order", "message"),
    [
        ("build, backup", "`deployment_order` is str, not a list of step names"),
        ([*rollout.SAFE_ORDER, "party"], "unknown step(s) 'party'"),
        ([*rollout.SAFE_ORDER, "backfill"], "listed more than once: 'backfill'"),
        (rollout.SAFE_ORDER[:-1], "missing: 'contract'"),
    ],
)
def test_a_malformed_list_is_named_and_blocks_the_rest(order, message):
    given = Given(deployment_order=order)
    from onboarding.checks import run_expectations

    result = run_expectations("07.3", checks.ORDER, given, echo=False)
    assert message in result.outcomes[0].found
    assert all(not outcome.passed for outcome in result.outcomes)
    assert "not checked until" in result.outcomes[1].found


def test_the_steps_follow_the_one_expand_contract_sequence():
    from onboarding.stages.migrations.expand_contract import SEQUENCE

    assert rollout.SAFE_ORDER[2:] == [phase.key for phase in SEQUENCE]
    assert sorted(rollout.SHUFFLED_ORDER) == sorted(rollout.DEPLOY_STEPS)


def test_the_exercise_starts_from_the_shuffled_order():
    cell = next(
        notebooks.source_of(cell)
        for cell in notebooks.read(COURSE_ROOT / "exercises" / NOTEBOOK)["cells"]
        if notebooks.source_of(cell).startswith("deployment_order = [")
    )
    namespace: dict = {}
    exec(cell, namespace)
    assert namespace["deployment_order"] == rollout.SHUFFLED_ORDER


@pytest.mark.parametrize(
    "my_cmd",
    [
        'CMD ["uvicorn", "--factory", "bookings.main:create_app", "--host", "0.0.0.0", "--port", "8000"]',
        'CMD ["python", "-m", "uvicorn", "bookings.main:create_app", "--factory", "--host=0.0.0.0", "--port=8000"]',
        'CMD ["uv", "run", "--no-sync", "uvicorn", "--factory", "bookings.main:create_app", "--host", "0.0.0.0", "--port", "8000"]',
        "CMD exec uvicorn --factory bookings.main:create_app --host 0.0.0.0 --port 8000",
    ],
    ids=["model", "python-m-options-after-the-app", "uv-run-no-sync", "shell-form-exec"],
)
def test_lesson_07s_practice_accepts_every_command_that_serves_the_factory(my_cmd, capsys):
    """The practice judges the CMD alone, in an image that has whatever a CMD may need: uv too."""
    deployment_lesson.practise(deployment_lesson.SERVER_COMMAND, my_cmd=my_cmd)
    assert capsys.readouterr().out.startswith("✅"), my_cmd


def test_lesson_07s_practice_still_refuses_a_command_the_platform_cannot_reach(capsys):
    my_cmd = 'CMD ["uvicorn", "bookings.main:create_app", "--port", "8000"]'
    deployment_lesson.practise(deployment_lesson.SERVER_COMMAND, my_cmd=my_cmd)
    printed = capsys.readouterr().out
    assert printed.startswith("❌") and "add `--factory`" in printed and "0.0.0.0" in printed
