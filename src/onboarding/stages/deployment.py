"""Stage 07's checks: a Dockerfile for the booking service, canary analysis, and deploy order.

As in stage 06, every `*_problems` function returns plain sentences, one per problem, and an
empty list when all is well; a check cell turns them into one ✅ or ❌ line with `require()`.
Dockerfile messages give the line number in the Dockerfile, which dockerfile-parse reports.
"""

from __future__ import annotations

import io
import json
import re
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from onboarding import numbers

# `require` is re-exported, so that a check cell needs only this module (it came from stages.ci).
from onboarding.checks import ArtefactError, require  # noqa: F401
from onboarding.protocol import shorten

# --- Reading a Dockerfile ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    keyword: str
    value: str
    line: int
    """The line the instruction starts on, counting from 1."""


@dataclass(frozen=True)
class Stage:
    image: str
    name: str
    line: int
    instructions: tuple[Instruction, ...]

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions (comments dropped, continuation lines joined) with their line numbers."""
    from dockerfile_parse import DockerfileParser

    # A file object keeps dockerfile-parse from reading or writing ./Dockerfile itself.
    parser = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8")))
    return [
        Instruction(item["instruction"].upper(), item["value"].strip(), item["startline"] + 1)
        for item in parser.structure
        if item["instruction"].upper() != "COMMENT"
    ]


def read_dockerfile(path: str | Path) -> list[Instruction]:
    """Read a Dockerfile; ArtefactError unless it exists and has a FROM."""
    name = Path(path).name
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ArtefactError(
            f"{name} does not exist yet — run the %%writefile cell that creates it"
        ) from None
    instructions = parse_dockerfile(text)
    if not instructions:
        raise ArtefactError(f"{name} has no instructions, only comments or blank lines")
    if not any(i.keyword == "FROM" for i in instructions):
        raise ArtefactError(f"{name} has no FROM: every build starts from a base image")
    first = instructions[0]
    if first.keyword not in ("FROM", "ARG"):
        raise ArtefactError(
            f"{name} starts with {first.keyword} on line {first.line}: only ARG may come before "
            "the first FROM"
        )
    return instructions


def stages(instructions: Sequence[Instruction]) -> list[Stage]:
    """The build stages, each from its FROM to the next (ARGs before the first FROM dropped)."""
    result: list[Stage] = []
    current: list[Instruction] = []
    header: Instruction | None = None
    for instruction in instructions:
        if instruction.keyword == "FROM":
            if header is not None:
                result.append(_stage(header, current))
            header, current = instruction, []
        elif header is not None:
            current.append(instruction)
    if header is not None:
        result.append(_stage(header, current))
    return result


def _stage(header: Instruction, instructions: list[Instruction]) -> Stage:
    words = [word for word in header.value.split() if not word.startswith("--")]
    image = words[0] if words else ""
    name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else ""
    return Stage(image, name.lower(), header.line, tuple(instructions))


def global_args(instructions: Sequence[Instruction]) -> dict[str, str]:
    """ARG defaults declared before the first FROM (the only ones a FROM line can use)."""
    values: dict[str, str] = {}
    for instruction in instructions:
        if instruction.keyword == "FROM":
            break
        if instruction.keyword == "ARG":
            name, _, default = instruction.value.partition("=")
            values[name.strip()] = default.strip().strip("'\"")
    return values


def _substitute(text: str, values: dict[str, str]) -> str:
    return re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: values.get(m[1], m[0]), text)


# --- Exercise 07.1: the Dockerfile ------------------------------------------------------------------


def multi_stage_problems(instructions: Sequence[Instruction]) -> list[str]:
    """Two or more stages, and the final one copies its result from an earlier one."""
    built = stages(instructions)
    final = built[-1]
    if len(built) < 2:
        return [
            f"only one stage (FROM on line {final.line}): build in a first stage, then copy "
            "only the result into a second, so build tools and caches stay behind"
        ]
    earlier = {stage.name for stage in built[:-1] if stage.name} | {
        str(index) for index in range(len(built) - 1)
    }
    copies = [
        copy
        for copy in final.all("COPY")
        if (match := re.search(r"--from=(\S+)", copy.value)) and match[1].lower() in earlier
    ]
    if not copies:
        return [
            f"the final stage (FROM on line {final.line}) copies nothing from the build stage: "
            "add `COPY --from=builder /app/.venv /app/.venv` (name the first stage with "
            "`AS builder`)"
        ]
    return []


def base_image_problems(instructions: Sequence[Instruction]) -> list[str]:
    """Every base image names a version: a tag with a number (not latest), or a digest."""
    values = global_args(instructions)
    problems = []
    names: set[str] = set()
    for stage in stages(instructions):
        image = _substitute(stage.image, values)
        if image.lower() in names or image == "scratch":
            pass
        elif "$" in image:
            problems.append(
                f"line {stage.line}: `{stage.image}` uses an ARG without a default; give the "
                "ARG a pinned default before the first FROM"
            )
        elif "@sha256:" not in image:
            last = image.rsplit("/", 1)[-1]
            tag = last.partition(":")[2]
            if not tag:
                problems.append(
                    f"line {stage.line}: `{image}` has no tag, which means `latest`: pin a "
                    f"version, such as `{last}:3.14-slim`"
                )
            elif tag == "latest":
                problems.append(
                    f"line {stage.line}: `{image}` moves whenever a new release comes out; pin "
                    "a version, such as `python:3.14-slim`"
                )
            elif not re.search(r"\d", tag):
                problems.append(
                    f"line {stage.line}: the tag `{tag}` names no version; pin one, such as "
                    "`python:3.14-slim`"
                )
        if stage.name:
            names.add(stage.name)
    return problems


LOCK_SYNC = re.compile(r"\buv\s+sync\b")
PIP_INSTALL = re.compile(r"\b(?:uv\s+)?pip3?\s+install\b(?P<args>[^&;|]*)")


def lock_file_problems(instructions: Sequence[Instruction]) -> list[str]:
    """Dependencies come from the lock file: uv.lock with `uv sync --locked` (or --frozen)."""
    problems = []
    installs_from_lock = False
    for stage in stages(instructions):
        copied_lock = False
        for instruction in stage.instructions:
            value = instruction.value
            if instruction.keyword in ("COPY", "ADD"):
                sources = [w for w in value.split() if not w.startswith("--")][:-1]
                if any(Path(s).name == "uv.lock" or s in (".", "./") for s in sources):
                    copied_lock = True
            if instruction.keyword != "RUN":
                continue
            if LOCK_SYNC.search(value):
                if not re.search(r"--(locked|frozen)\b", value):
                    problems.append(
                        f"line {instruction.line}: `uv sync` without `--locked` may resolve "
                        "newer versions than the lock file's; add `--locked`"
                    )
                elif not copied_lock and "uv.lock" not in value:
                    problems.append(
                        f"line {instruction.line}: `uv sync` runs before uv.lock is in the "
                        "image; first `COPY pyproject.toml uv.lock ./` in the same stage"
                    )
                else:
                    installs_from_lock = True
            for match in PIP_INSTALL.finditer(value):
                problems += _pip_problems(match["args"], instruction.line)
                if "--require-hashes" in match["args"]:
                    installs_from_lock = True
    if not installs_from_lock:
        problems.insert(
            0,
            "nothing installs the dependencies from the lock file: `COPY pyproject.toml "
            "uv.lock ./`, then `RUN uv sync --locked --no-dev` in the build stage",
        )
    return problems


def _pip_problems(args: str, line: int) -> list[str]:
    try:
        words = shlex.split(args)
    except ValueError:
        words = args.split()
    problems, unpinned = [], []
    skip_next = False
    for word in words:
        if skip_next:
            skip_next = False
            continue
        if word in ("-r", "--requirement", "-c", "--constraint", "-e", "--editable"):
            skip_next = word in ("-r", "--requirement", "-c", "--constraint")
            if word in ("-r", "--requirement") and "--require-hashes" not in words:
                problems.append(
                    f"line {line}: `pip install -r` without `--require-hashes` does not hold "
                    "you to exact, reviewed versions; install from uv.lock with `uv sync --locked`"
                )
            continue
        if word.startswith("-") or "${" in word:
            continue
        if word in (".", "./") or word.startswith(("/", "./")):
            problems.append(
                f"line {line}: `pip install {word}` resolves the project's dependencies afresh; "
                "install them from uv.lock with `uv sync --locked`"
            )
        elif "==" not in word:
            unpinned.append(word)
    if unpinned:
        problems.append(
            f"line {line}: `pip install {' '.join(unpinned)}` installs whatever versions are "
            "newest on the day of the build; the service's dependencies come from uv.lock"
        )
    return problems


def user_problems(instructions: Sequence[Instruction]) -> list[str]:
    """The final stage switches to a user that is not root, and that user exists."""
    final = stages(instructions)[-1]
    users = final.all("USER")
    if not users:
        return [
            f"the final stage (FROM on line {final.line}) has no USER, so the service runs as "
            "root; create a user in that stage and add `USER 10001:10001` before CMD"
        ]
    last = users[-1]
    name = last.value.split(":")[0].strip()
    if name in ("root", "0"):
        return [
            f"line {last.line}: `USER {last.value}` runs the service as root; use an unprivileged user"
        ]
    created = " ".join(i.value for i in final.all("RUN"))
    if (
        not name.isdigit()
        and name != "nobody"
        and not re.search(rf"\b(useradd|adduser)\b[^&;]*\b{re.escape(name)}\b", created)
    ):
        return [
            f"line {last.line}: `USER {name}`, but the final stage never creates `{name}` "
            "(users made in the build stage stay there), so the container would not start; "
            "create it with `useradd` in this stage, or use a numeric id"
        ]
    return []


# The service's health endpoints (bookings/api/health.py). Liveness suits Docker's HEALTHCHECK,
# whose failure leads to a restart or a replacement; readiness is accepted too.
HEALTH_PATHS = ("/health/live", "/health/ready")


def healthcheck_problems(instructions: Sequence[Instruction]) -> list[str]:
    """The final stage has a HEALTHCHECK that requests a health endpoint with a tool it has."""
    final = stages(instructions)[-1]
    checks = final.all("HEALTHCHECK")
    if not checks or checks[-1].value.upper().startswith("NONE"):
        return [
            f"the final stage (FROM on line {final.line}) has no HEALTHCHECK: add one that "
            f"requests http://127.0.0.1:8000{HEALTH_PATHS[0]}"
        ]
    check = checks[-1]
    problems = []
    if not any(re.search(rf"{re.escape(path)}(?![\w/-])", check.value) for path in HEALTH_PATHS):
        problems.append(
            f"line {check.line}: the HEALTHCHECK requests none of the service's health "
            f"endpoints, {' or '.join(HEALTH_PATHS)}"
        )
    tool = re.search(r"\b(curl|wget)\b", check.value)
    if tool and "python" in final.image and "slim" in final.image:
        installed = any(
            re.search(rf"install[^&;]*\b{tool[1]}\b", i.value) for i in final.all("RUN")
        )
        if not installed:
            problems.append(
                f"line {check.line}: the HEALTHCHECK runs {tool[1]}, which the python slim images "
                "do not have; use `python -c` with urllib.request, or install it in this stage"
            )
    return problems


APP = "bookings.main:create_app"


def _command(instruction: Instruction) -> tuple[list[str], bool]:
    """An ENTRYPOINT or CMD as words, and whether it is in exec (JSON list) form."""
    value = instruction.value
    if value.startswith("["):
        try:
            words = json.loads(value)
        except json.JSONDecodeError:
            return value.strip("[]").replace('"', " ").split(), False
        if isinstance(words, list):
            return [str(word) for word in words], True
    try:
        return shlex.split(value), False
    except ValueError:
        return value.split(), False


def run_problems(instructions: Sequence[Instruction]) -> list[str]:
    """EXPOSE the port, and a CMD that starts uvicorn with the app factory on 0.0.0.0."""
    final = stages(instructions)[-1]
    cmds, entrypoints = final.all("CMD"), final.all("ENTRYPOINT")
    if not cmds and not entrypoints:
        return [
            f"the final stage (FROM on line {final.line}) has no CMD: add "
            f'`CMD ["uvicorn", "--factory", "{APP}", "--host", "0.0.0.0", "--port", "8000"]`'
        ]
    last = (cmds or entrypoints)[-1]
    words: list[str] = []
    exec_form = True
    for instruction in entrypoints[-1:] + cmds[-1:]:
        part, is_exec = _command(instruction)
        words += part
        exec_form = exec_form and is_exec
    text = " ".join(words)
    problems = []
    if not exec_form:
        problems.append(
            f"line {last.line}: the command is in shell form, so a shell is PID 1 and uvicorn "
            'never gets SIGTERM; write it as a JSON list, `CMD ["uvicorn", …]`'
        )
    if "uvicorn" not in text:
        problems.append(f"line {last.line}: the command does not start uvicorn")
    elif APP not in words:
        problems.append(f"line {last.line}: uvicorn should serve `{APP}`, the service's factory")
    elif "--factory" not in words:
        problems.append(
            f"line {last.line}: `{APP}` is a function that builds the app; add `--factory`, "
            "or uvicorn treats the function itself as the app"
        )
    host = _option(words, "--host")
    if "uvicorn" in text and host not in ("0.0.0.0", "::"):
        problems.append(
            f"line {last.line}: uvicorn listens on {host or '127.0.0.1 (its default)'}, which "
            "nothing outside the container can reach; add `--host 0.0.0.0`"
        )
    port = _option(words, "--port") or "8000"
    exposed = {
        word.split("/")[0] for expose in final.all("EXPOSE") for word in expose.value.split()
    }
    if not exposed:
        problems.append(
            f"the final stage (FROM on line {final.line}) has no EXPOSE: add `EXPOSE {port}`, "
            "the port uvicorn listens on"
        )
    elif port not in exposed:
        expose = final.all("EXPOSE")[-1]
        problems.append(
            f"line {expose.line}: EXPOSE {expose.value}, but uvicorn listens on port {port}"
        )
    return problems


def _option(words: list[str], option: str) -> str | None:
    for index, word in enumerate(words):
        if word == option and index + 1 < len(words):
            return words[index + 1]
        if word.startswith(option + "="):
            return word.split("=", 1)[1]
    return None


SECRET_PARTS = {
    "SECRET",
    "SECRETS",
    "PASSWORD",
    "PASSWD",
    "TOKEN",
    "KEY",
    "APIKEY",
    "CREDENTIAL",
    "CREDENTIALS",
}


def looks_secret(name: str) -> bool:
    return any(part in SECRET_PARTS for part in re.split(r"[_\-.]", name.upper()))


def _settings(instruction: Instruction) -> list[tuple[str, str | None]]:
    """(name, value) pairs of an ENV or ARG; value None for an ARG without a default."""
    try:
        words = shlex.split(instruction.value)
    except ValueError:
        words = instruction.value.split()
    if not words:
        return []
    if instruction.keyword == "ENV" and "=" not in words[0]:
        return [(words[0], " ".join(words[1:]))]  # the old form: ENV NAME value
    pairs: list[tuple[str, str | None]] = []
    for word in words:
        name, equals, value = word.partition("=")
        pairs.append((name, value if equals else None))
    return pairs


def secret_problems(instructions: Sequence[Instruction]) -> list[str]:
    """No secret set in ENV or ARG, and no .env file copied into the image."""
    problems = []
    for instruction in instructions:
        if instruction.keyword in ("ENV", "ARG"):
            for name, value in _settings(instruction):
                if looks_secret(name) and value:
                    where = (
                        "the image's settings"
                        if instruction.keyword == "ENV"
                        else "the build history"
                    )
                    problems.append(
                        f"line {instruction.line}: {instruction.keyword} {name} puts a secret in "
                        f"{where}, which anyone who pulls the image can read; the platform passes "
                        "it at run time from the vault or CI secrets"
                    )
        if instruction.keyword in ("COPY", "ADD"):
            sources = [w for w in instruction.value.split() if not w.startswith("--")][:-1]
            if any(Path(s).name.startswith(".env") or Path(s).suffix == ".pem" for s in sources):
                problems.append(
                    f"line {instruction.line}: `{instruction.keyword} {instruction.value}` copies "
                    "a secrets file into the image; leave it out (and list it in .dockerignore)"
                )
    return problems


def add_problems(instructions: Sequence[Instruction]) -> list[str]:
    """No ADD from a URL or a git repository."""
    return [
        f"line {i.line}: ADD downloads `{shorten(i.value, 50)}` at build time with no check of "
        "what arrives; COPY files from the build context, or download in a RUN step and "
        "verify a checksum"
        for i in instructions
        if i.keyword == "ADD" and re.search(r"(^|\s)(https?://|git@|ftp://)", i.value)
    ]


# One line of the 07.1 check each: (expectation, problems function, hint).
DOCKERFILE_CHECKS: tuple[tuple[str, Callable[[Sequence[Instruction]], list[str]], str], ...] = (
    (
        "a multi-stage build: the final stage copies its result from a build stage",
        multi_stage_problems,
        "`FROM python:3.14-slim AS builder` … then a second FROM and `COPY --from=builder`.",
    ),
    (
        "every base image is pinned to a version",
        base_image_problems,
        "A tag with a version, such as python:3.14-slim; a digest (@sha256:…) as well is better.",
    ),
    (
        "the dependencies are installed from the lock file",
        lock_file_problems,
        "COPY pyproject.toml and uv.lock first, then `uv sync --locked --no-dev`.",
    ),
    (
        "the final stage runs as a non-root USER",
        user_problems,
        "Create the user in the final stage (useradd), then `USER 10001:10001`.",
    ),
    (
        "a HEALTHCHECK requests /health/live",
        healthcheck_problems,
        "The template's HEALTHCHECK uses python -c with urllib.request, which the image has.",
    ),
    (
        "EXPOSE and CMD: uvicorn serves the factory bookings.main:create_app on 0.0.0.0",
        run_problems,
        'CMD ["uvicorn", "--factory", "bookings.main:create_app", "--host", "0.0.0.0", "--port", "8000"]',
    ),
    (
        "no secret in ENV or ARG, and no secrets file copied in",
        secret_problems,
        "Only settings go in the image; secrets arrive at run time from the vault or CI secrets.",
    ),
    (
        "no ADD from a URL",
        add_problems,
        "COPY from the build context; anything downloaded needs a checksum check in a RUN step.",
    ),
)


# --- Exercise 07.2: canary analysis ----------------------------------------------------------------

PROMOTE, HOLD, ROLLBACK = "promote", "hold", "rollback"

# Fewer canary requests than min_requests is too little evidence either way; the canary's error
# rate may be at most max_error_rate_increase above the baseline's (0.005 = 0.5 points), and its
# p95 latency at most max_p95_ratio times the baseline's. The cases below are written around
# these values, at and beside each limit.
THRESHOLDS = numbers.canary_thresholds()


def reference_canary_decision(baseline: dict, canary: dict, thresholds: dict) -> str:
    """The course's model answer for exercise 07.2 (the unit tests prove the cases with it)."""
    if canary["requests"] < thresholds["min_requests"]:
        return HOLD
    canary_rate = canary["errors"] / canary["requests"]
    baseline_rate = baseline["errors"] / baseline["requests"] if baseline["requests"] else 0.0
    if canary_rate > baseline_rate + thresholds["max_error_rate_increase"]:
        return ROLLBACK
    if canary["p95_ms"] > baseline["p95_ms"] * thresholds["max_p95_ratio"]:
        return ROLLBACK
    return PROMOTE


def metrics(requests: int, errors: int, p95_ms: float) -> dict:
    return {"requests": requests, "errors": errors, "p95_ms": p95_ms}


@dataclass(frozen=True)
class CanaryCase:
    expectation: str
    baseline: dict
    canary: dict
    expected: str
    hint: str
    thresholds: dict | None = None

    def limits(self) -> dict:
        return dict(self.thresholds or THRESHOLDS)


BASELINE = metrics(20_000, 40, 200.0)  # 0.2 % errors, p95 200 ms

CANARY_CASES = (
    CanaryCase(
        "a canary as good as the baseline is promoted",
        BASELINE,
        metrics(1_000, 2, 205.0),
        PROMOTE,
        "Promote when there is enough traffic and neither error rate nor p95 is too high.",
    ),
    CanaryCase(
        "499 canary requests (below min_requests) means hold",
        BASELINE,
        metrics(499, 0, 190.0),
        HOLD,
        "Before anything else: fewer than thresholds['min_requests'] canary requests is too little evidence.",
    ),
    CanaryCase(
        "too little traffic means hold, even when the errors look bad",
        BASELINE,
        metrics(100, 30, 900.0),
        HOLD,
        "The traffic rule comes first: decide nothing on a handful of requests.",
    ),
    CanaryCase(
        "exactly min_requests (500) is enough to decide",
        BASELINE,
        metrics(500, 1, 200.0),
        PROMOTE,
        "At least min_requests means `>=`: only fewer requests than that holds.",
    ),
    CanaryCase(
        "an error rate 0.5 points above the baseline's (exactly the limit) is promoted",
        metrics(20_000, 0, 200.0),
        metrics(1_000, 5, 200.0),
        PROMOTE,
        "Compare error *rates* (errors / requests); only more than the allowed increase rolls back.",
    ),
    CanaryCase(
        "one error more than the limit rolls back",
        metrics(20_000, 0, 200.0),
        metrics(1_000, 6, 200.0),
        ROLLBACK,
        "canary rate > baseline rate + max_error_rate_increase means rollback.",
    ),
    CanaryCase(
        "60 errors against the baseline's 50, on the same traffic, is within the limit",
        metrics(5_000, 50, 200.0),
        metrics(5_000, 60, 200.0),
        PROMOTE,
        "1.2 % against 1 % is within 0.5 points: compare errors / requests, not error counts.",
    ),
    CanaryCase(
        "a p95 exactly 1.2 times the baseline's is promoted",
        BASELINE,
        metrics(1_000, 2, 240.0),
        PROMOTE,
        "Only a p95 above baseline p95 × max_p95_ratio rolls back.",
    ),
    CanaryCase(
        "a slow canary (p95 above 1.2 times the baseline's) rolls back, even with no errors",
        BASELINE,
        metrics(1_000, 0, 260.0),
        ROLLBACK,
        "Check latency as well as errors.",
    ),
    CanaryCase(
        "a canary better than the baseline is promoted",
        BASELINE,
        metrics(1_000, 0, 150.0),
        PROMOTE,
        "Only worse-than-allowed metrics roll back.",
    ),
    CanaryCase(
        "the thresholds come from the argument, not from fixed numbers",
        BASELINE,
        metrics(200, 0, 190.0),
        PROMOTE,
        "Read min_requests, max_error_rate_increase and max_p95_ratio from `thresholds`.",
        thresholds={"min_requests": 100, "max_error_rate_increase": 0.01, "max_p95_ratio": 1.5},
    ),
)

# --- Exercise 07.3: the order of a deployment with a migration ---------------------------------------

DEPLOY_STEPS = {
    "build": "CI builds the tagged release, scans the image and pushes it to the registry",
    "backup": "take a backup of the database and check that it restores",
    "expand": "migration job: add the nullable columns starts_at and ends_at",
    "backfill": "migration job: copy start and end into the new columns, in batches",
    "deploy": "deploy the new version (writes both pairs, reads the new one) and switch traffic to it",
    "verify": "run the verification queries and watch the dashboards against the rollback thresholds",
    "retire": "retire the old version once the hold period is over",
    "contract": "migration job, in a later release: drop start and end",
}

# (earlier, later, why): each rule is one fact from the lesson.
ORDER_RULES = (
    ("build", "expand", "the migration job runs from the image that CI built, scanned and pushed"),
    ("backup", "expand", "a backup must exist before the first migration touches the database"),
    ("expand", "backfill", "the backfill fills columns that the expand step creates"),
    ("expand", "deploy", "the new code writes starts_at and ends_at, which must exist first"),
    (
        "backfill",
        "deploy",
        "the new code reads the new columns, so old rows need their values first",
    ),
    ("deploy", "verify", "verification checks the deployed version"),
    ("verify", "retire", "the old version is the rollback target until the new one is verified"),
    ("retire", "contract", "the old version still reads start and end until it is gone"),
)


def steps_problems(order: object) -> list[str]:
    """The answer lists each of the eight steps exactly once."""
    if not isinstance(order, list | tuple):
        return [f"`deployment_order` is {type(order).__name__}, not a list of step names"]
    names = [str(step) for step in order]
    unknown = [name for name in names if name not in DEPLOY_STEPS]
    repeated = sorted({name for name in names if names.count(name) > 1})
    missing = [name for name in DEPLOY_STEPS if name not in names]
    problems = []
    if unknown:
        problems.append(f"unknown step(s) {', '.join(map(repr, unknown))}")
    if repeated:
        problems.append(f"listed more than once: {', '.join(map(repr, repeated))}")
    if missing:
        problems.append(f"missing: {', '.join(map(repr, missing))}")
    return problems


def order_problems(order: Sequence[str], rules: Sequence[tuple[str, str, str]]) -> list[str]:
    """For each rule that the order breaks: which step must move, and why."""
    position = {name: index for index, name in enumerate(order)}
    return [
        f"`{later}` comes before `{earlier}`, but {why}"
        for earlier, later, why in rules
        if earlier in position and later in position and position[later] < position[earlier]
    ]


def rules_about(*steps: str) -> list[tuple[str, str, str]]:
    """The rules whose later step is one of `steps` (one check line per group of rules)."""
    return [rule for rule in ORDER_RULES if rule[1] in steps]


REFERENCE_ORDER = [
    "build",
    "backup",
    "expand",
    "backfill",
    "deploy",
    "verify",
    "retire",
    "contract",
]
# The learner starts from this shuffled list.
SHUFFLED_ORDER = ["contract", "deploy", "retire", "verify", "expand", "backfill", "build", "backup"]

# One line of the 07.3 check each: (expectation, the steps whose rules it checks, hint).
ORDER_CHECKS = (
    (
        "the image is built and the database backed up before the first migration",
        ("expand",),
        "The migration job runs from the new image, and only after a backup.",
    ),
    (
        "expand, then backfill, and only then the deploy of the code that uses them",
        ("backfill", "deploy"),
        "Schema first, data second, code third: the code needs both.",
    ),
    (
        "the deploy is verified before the old version is retired",
        ("verify", "retire"),
        "Until verification passes, the old version is your rollback.",
    ),
    (
        "contract only after the old version is retired",
        ("contract",),
        "Dropping a column the old version reads breaks it while it still runs.",
    ),
)
