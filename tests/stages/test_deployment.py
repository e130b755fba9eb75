"""Stage 07's checks: each kind of mistake gets its verdict and its message; the model passes."""

from __future__ import annotations

import re

import pytest

from onboarding import notebooks
from onboarding.checks import ArtefactError, Exercise, Result
from onboarding.stages import deployment
from tests.conftest import COURSE_ROOT
from tests.stages.notebook_artefacts import artefact as notebook_artefact
from tests.stages.notebook_artefacts import edit, no_workspace  # noqa: F401 - fixture

NOTEBOOK = "07_deployment.ipynb"


def artefact(folder: str, first_line: str) -> str:
    return notebook_artefact(NOTEBOOK, folder, first_line)


MODEL = artefact("solutions", "%%writefile Dockerfile")


def run_dockerfile_check(text: str, only: str | None = None) -> dict[str, Result]:
    """The 07.1 check cell's loop, quietly (or one of its lines): expectation -> Result."""
    instructions = deployment.parse_dockerfile(text)
    with Exercise("07.1", echo=False) as exercise:
        for expectation, problems, hint in deployment.DOCKERFILE_CHECKS:
            if only not in (None, expectation):
                continue

            @exercise.expect(expectation, hint=hint)
            def _(problems=problems):
                deployment.require(problems(instructions))

    return {result.text: result for result in exercise.results}


# --- Exercise 07.1: the Dockerfile -----------------------------------------------------------


def test_model_dockerfile_passes_every_check():
    results = run_dockerfile_check(MODEL)
    assert {text: r.found for text, r in results.items() if not r.passed} == {}
    assert len(results) == len(deployment.DOCKERFILE_CHECKS)


def test_unsolved_stub_fails_most_checks():
    results = run_dockerfile_check(artefact("exercises", "%%writefile Dockerfile"))
    assert sum(not result.passed for result in results.values()) >= 6


def test_the_template_dockerfile_passes_every_check():
    instructions = deployment.read_dockerfile(COURSE_ROOT / "templates" / "Dockerfile")
    for _, problems, _ in deployment.DOCKERFILE_CHECKS:
        assert problems(instructions) == [], problems.__name__


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# only a comment\n\n", "has no instructions"),
        ("RUN echo hi\n", "has no FROM"),
        ("RUN echo hi\nFROM python:3.11-slim\n", "starts with RUN on line 1"),
    ],
)
def test_unreadable_dockerfiles_say_why(tmp_path, text, expected):
    path = tmp_path / "Dockerfile"
    path.write_text(text)
    with pytest.raises(ArtefactError, match=re.escape(expected)):
        deployment.read_dockerfile(path)


def test_missing_dockerfile_says_run_the_cell(tmp_path):
    with pytest.raises(ArtefactError, match="does not exist yet"):
        deployment.read_dockerfile(tmp_path / "Dockerfile")


MULTI = "a multi-stage build: the final stage copies its result from a build stage"
PINNED = "every base image is pinned to a version"
LOCK = "the dependencies are installed from the lock file"
USER = "the final stage runs as a non-root USER"
HEALTH = "a HEALTHCHECK requests /health"
RUN = "EXPOSE and CMD: uvicorn serves the factory bookings.main:create_app on 0.0.0.0"
SECRETS = "no secret in ENV or ARG, and no secrets file copied in"
ADD = "no ADD from a URL"

USER_LINES = (
    "RUN groupadd --system --gid 10001 app \\\n"
    "    && useradd --system --uid 10001 --gid app --no-create-home app \\\n"
    "    && mkdir -p /data && chown app:app /data\n"
)

MISTAKES = [
    (
        "one-stage",
        [(MODEL[: MODEL.index("FROM python:3.11-slim AS runtime")], "")],
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
        [("FROM python:3.11-slim AS builder", "FROM python AS builder")],
        PINNED,
        "`python` has no tag, which means `latest`",
    ),
    (
        "latest",
        [("FROM python:3.11-slim AS runtime", "FROM python:latest AS runtime")],
        PINNED,
        "`python:latest` moves whenever a new release comes out",
    ),
    (
        "tag-without-version",
        [("FROM python:3.11-slim AS builder", "FROM python:slim AS builder")],
        PINNED,
        "the tag `slim` names no version",
    ),
    (
        "arg-without-default",
        [("FROM python:3.11-slim AS builder", "FROM python:${PYTHON} AS builder")],
        PINNED,
        "uses an ARG without a default",
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
        "the final stage (FROM on line 20) has no USER",
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
    (
        "no-healthcheck",
        [
            ("HEALTHCHECK --interval", "# HEALTHCHECK --interval"),
            ('    CMD ["python", "-c"', '#    CMD ["python", "-c"'),
        ],
        HEALTH,
        "has no HEALTHCHECK",
    ),
    (
        "healthcheck-none",
        [
            (
                "HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \\\n    CMD",
                "HEALTHCHECK NONE\n# CMD",
            )
        ],
        HEALTH,
        "has no HEALTHCHECK",
    ),
    ("healthcheck-wrong-path", [("8000/health", "8000/")], HEALTH, "does not request /health"),
    (
        "healthcheck-curl",
        [
            (
                'CMD ["python", "-c", "import urllib.request; urllib.request.urlopen(\'http://127.0.0.1:8000/health\', timeout=3)"]',
                "CMD curl -f http://127.0.0.1:8000/health",
            )
        ],
        HEALTH,
        "runs curl, which the python slim images do not have",
    ),
    ("no-cmd", [('CMD ["uvicorn"', '# CMD ["uvicorn"')], RUN, "has no CMD"),
    (
        "shell-form",
        [
            (
                'CMD ["uvicorn", "--factory", "bookings.main:create_app", "--host", "0.0.0.0", "--port", "8000"]',
                "CMD uvicorn --factory bookings.main:create_app --host 0.0.0.0 --port 8000",
            )
        ],
        RUN,
        "the command is in shell form",
    ),
    ("no-factory", [('"--factory", ', "")], RUN, "add `--factory`"),
    (
        "module-app",
        [("bookings.main:create_app", "bookings.app:app")],
        RUN,
        "uvicorn should serve `bookings.main:create_app`",
    ),
    (
        "not-uvicorn",
        [('CMD ["uvicorn"', 'CMD ["gunicorn"')],
        RUN,
        "the command does not start uvicorn",
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
        "add-url",
        [("COPY README.md ./", "ADD https://example.com/tool.tgz /opt/")],
        ADD,
        "ADD downloads `https://example.com/tool.tgz /opt/`",
    ),
]


@pytest.mark.parametrize(
    ("replacements", "expectation", "message"),
    [m[1:] for m in MISTAKES],
    ids=[m[0] for m in MISTAKES],
)
def test_each_mistake_fails_its_check_with_a_specific_message(replacements, expectation, message):
    result = run_dockerfile_check(edit(MODEL, *replacements), only=expectation)[expectation]
    assert not result.passed, f"{expectation!r} passed"
    assert message in result.found, result.found
    assert result.line().startswith("❌") and "Hint:" in result.line()


@pytest.mark.parametrize(
    ("replacements", "name"),
    [
        (
            [
                (
                    "FROM python:3.11-slim AS builder",
                    "FROM python:3.11-slim@sha256:" + "a" * 64 + " AS builder",
                )
            ],
            "digest",
        ),
        (
            [
                (
                    "FROM python:3.11-slim AS builder",
                    "ARG PYTHON=3.11-slim\nFROM python:${PYTHON} AS builder",
                )
            ],
            "arg-with-default",
        ),
        (
            [("ARG UV_VERSION=0.13.9", "ARG UV_VERSION=0.13.9\nARG NPM_TOKEN")],
            "arg-secret-without-value",
        ),
        (
            [("PYTHONUNBUFFERED=1 \\", "PYTHONUNBUFFERED=1 UV_KEYRING_PROVIDER=disabled \\")],
            "keyring-is-not-a-key",
        ),
        (
            [('CMD ["uvicorn", "--factory"', 'ENTRYPOINT ["uvicorn"]\nCMD ["--factory"')],
            "entrypoint-and-cmd",
        ),
        ([("USER 10001:10001", "USER app")], "named-user-created-in-stage"),
        (
            [
                (
                    "RUN groupadd",
                    "RUN apt-get update && apt-get install -y --no-install-recommends curl\nRUN groupadd",
                ),
                (
                    'CMD ["python", "-c", "import urllib.request; urllib.request.urlopen(\'http://127.0.0.1:8000/health\', timeout=3)"]',
                    "CMD curl -f http://127.0.0.1:8000/health",
                ),
            ],
            "curl-installed-in-final-stage",
        ),
        (
            [('"--host", "0.0.0.0", "--port", "8000"', '"--host=0.0.0.0", "--port=8000"')],
            "options-with-equals",
        ),
    ],
)
def test_good_variations_pass(replacements, name):
    results = run_dockerfile_check(edit(MODEL, *replacements))
    assert {text: r.found for text, r in results.items() if not r.passed} == {}, name


def test_line_numbers_count_from_the_top_of_the_file():
    text = edit(MODEL, ("USER 10001:10001", "USER root"))
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row == "USER root")
    assert deployment.user_problems(deployment.parse_dockerfile(text)) == [
        f"line {line}: `USER root` runs the service as root; use an unprivileged user"
    ]


def test_parsing_writes_no_dockerfile_of_its_own(tmp_path):
    deployment.parse_dockerfile(MODEL)
    assert list(tmp_path.iterdir()) == []


# --- Exercise 07.2: canary_decision -------------------------------------------------------------


@pytest.mark.parametrize("case", deployment.CANARY_CASES, ids=lambda case: case.expectation[:40])
def test_reference_canary_decision_meets_every_case(case):
    assert (
        deployment.reference_canary_decision(case.baseline, case.canary, case.limits())
        == case.expected
    )


def run_canary_check(canary_decision) -> dict[str, Result]:
    with Exercise("07.2", echo=False) as exercise:
        for case in deployment.CANARY_CASES:
            exercise.equal(
                case.expectation,
                lambda case=case: canary_decision(
                    dict(case.baseline), dict(case.canary), case.limits()
                ),
                case.expected,
                hint=case.hint,
            )
    return {result.text: result for result in exercise.results}


def never_holds(baseline, canary, thresholds):
    return deployment.reference_canary_decision(baseline, canary, {**thresholds, "min_requests": 0})


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


def fixed_thresholds(baseline, canary, thresholds):
    return deployment.reference_canary_decision(baseline, canary, deployment.THRESHOLDS)


def errors_only(baseline, canary, thresholds):
    return deployment.reference_canary_decision(
        baseline, canary, {**thresholds, "max_p95_ratio": 1e9}
    )


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
            fixed_thresholds,
            "the thresholds come from the argument, not from fixed numbers",
            "expected 'promote', got 'hold'",
        ),
        (
            errors_only,
            "a slow canary (p95 above 1.2 times the baseline's) rolls back, even with no errors",
            "expected 'rollback', got 'promote'",
        ),
    ],
)
def test_wrong_canary_decisions_fail_the_right_case(implementation, failing, found):
    result = run_canary_check(implementation)[failing]
    assert not result.passed
    assert result.found == found
    assert result.hint


def test_canary_cases_are_distinct_and_hinted():
    expectations = [case.expectation for case in deployment.CANARY_CASES]
    assert len(set(expectations)) == len(expectations)
    assert all(case.hint for case in deployment.CANARY_CASES)
    assert {case.expected for case in deployment.CANARY_CASES} == {"promote", "hold", "rollback"}


# --- Exercise 07.3: the order of a deployment ---------------------------------------------------


def run_order_check(order) -> dict[str, Result]:
    with Exercise("07.3", echo=False) as exercise:

        @exercise.expect("steps", required=True)
        def _():
            deployment.require(deployment.steps_problems(order))

        for expectation, steps, hint in deployment.ORDER_CHECKS:

            @exercise.expect(expectation, hint=hint)
            def _(steps=steps):
                deployment.require(deployment.order_problems(order, deployment.rules_about(*steps)))

    return {result.text: result for result in exercise.results}


def test_reference_order_passes_and_the_shuffled_start_fails():
    assert all(result.passed for result in run_order_check(deployment.REFERENCE_ORDER).values())
    shuffled = run_order_check(deployment.SHUFFLED_ORDER)
    assert sum(not result.passed for result in shuffled.values()) == len(deployment.ORDER_CHECKS)


def test_every_rule_belongs_to_one_check_line():
    grouped = [
        rule for _, steps, _ in deployment.ORDER_CHECKS for rule in deployment.rules_about(*steps)
    ]
    assert sorted(grouped) == sorted(deployment.ORDER_RULES)


def test_the_backup_may_come_before_the_build():
    order = ["backup", "build", *deployment.REFERENCE_ORDER[2:]]
    assert all(result.passed for result in run_order_check(order).values())


def moved(step: str, before: str) -> list[str]:
    order = [name for name in deployment.REFERENCE_ORDER if name != step]
    order.insert(order.index(before), step)
    return order


@pytest.mark.parametrize(
    ("order", "failing", "message"),
    [
        (
            moved("expand", "build"),
            "the image is built and the database backed up before the first migration",
            "`expand` comes before `build`, but the migration job runs from the image",
        ),
        (
            moved("backup", "deploy"),
            "the image is built and the database backed up before the first migration",
            "`expand` comes before `backup`, but a backup must exist",
        ),
        (
            moved("deploy", "expand"),
            "expand, then backfill, and only then the deploy of the code that uses them",
            "`deploy` comes before `expand`, but the new code writes starts_at and ends_at",
        ),
        (
            moved("deploy", "backfill"),
            "expand, then backfill, and only then the deploy of the code that uses them",
            "`deploy` comes before `backfill`, but the new code reads the new columns",
        ),
        (
            moved("retire", "verify"),
            "the deploy is verified before the old version is retired",
            "`retire` comes before `verify`, but the old version is the rollback target",
        ),
        (
            moved("contract", "retire"),
            "contract only after the old version is retired",
            "`contract` comes before `retire`, but the old version still reads start and end",
        ),
    ],
)
def test_each_wrong_order_fails_its_check_with_the_reason(order, failing, message):
    result = run_order_check(order)[failing]
    assert not result.passed
    assert result.found.startswith(message), result.found


@pytest.mark.parametrize(
    ("order", "message"),
    [
        ("build, backup", "`deployment_order` is str, not a list of step names"),
        ([*deployment.REFERENCE_ORDER, "party"], "unknown step(s) 'party'"),
        ([*deployment.REFERENCE_ORDER, "deploy"], "listed more than once: 'deploy'"),
        (deployment.REFERENCE_ORDER[:-1], "missing: 'contract'"),
    ],
)
def test_a_malformed_list_is_named_and_blocks_the_rest(order, message):
    results = run_order_check(order)
    assert message in results["steps"].found
    assert all(not result.passed for result in results.values())
    assert "not checked until" in results[deployment.ORDER_CHECKS[0][0]].found


def test_deploy_steps_and_rules_agree():
    assert sorted(deployment.REFERENCE_ORDER) == sorted(deployment.DEPLOY_STEPS)
    assert sorted(deployment.SHUFFLED_ORDER) == sorted(deployment.DEPLOY_STEPS)
    assert {step for rule in deployment.ORDER_RULES for step in rule[:2]} == set(
        deployment.DEPLOY_STEPS
    )


def test_artefact_helper_reads_the_model():
    assert MODEL.startswith("# syntax=docker/dockerfile:1")
    assert "BEGIN" not in MODEL and "STUB" not in MODEL


def test_the_exercise_starts_from_the_shuffled_order():
    cell = next(
        notebooks.source_of(cell)
        for cell in notebooks.read(COURSE_ROOT / "exercises" / NOTEBOOK)["cells"]
        if notebooks.source_of(cell).startswith("deployment_order = [")
    )
    namespace: dict = {}
    exec(cell, namespace)
    assert namespace["deployment_order"] == deployment.SHUFFLED_ORDER


def test_unpinned_packages_of_one_install_make_one_message():
    assert deployment._pip_problems(' fastapi uvicorn "uv==0.13.9"', 5) == [
        "line 5: `pip install fastapi uvicorn` installs whatever versions are newest on the day "
        "of the build; the service's dependencies come from uv.lock"
    ]
