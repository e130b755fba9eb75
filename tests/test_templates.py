"""Checks that templates/ is complete, valid, and agrees with its index."""

from __future__ import annotations

import copy
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from onboarding.stages.intake import prd

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
INDEX = TEMPLATES / "README.md"
HOW_TO_USE = "How to use this template"

# The one list of headings a PRD must have, in order: the course's PRD check's own.
PRD_HEADINGS = list(prd.PRD_HEADINGS)


# --- helpers -------------------------------------------------------------------------------------


def indexed_templates() -> list[str]:
    """File names linked from the first column of the index table, in table order."""
    if not INDEX.exists():
        return []
    names = []
    for line in INDEX.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.lstrip().startswith("|") or not cells:
            continue
        link = re.fullmatch(r"\[[^\]]+\]\(([^)#\s]+)\)", cells[0])
        if link:
            names.append(link.group(1))
    return names


def markdown_lines(text: str) -> Iterator[str]:
    """Lines of a Markdown text outside fenced code blocks and HTML comments."""
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    fence = None
    for line in text.splitlines():
        marker = re.match(r"\s*(```|~~~)", line)
        if marker:
            if fence is None:
                fence = marker.group(1)
            elif marker.group(1) == fence:
                fence = None
            continue
        if fence is None:
            yield line


def h2_headings(text: str) -> list[str]:
    """The text of every `## ` heading, in order."""
    return [
        m.group(1).strip() for line in markdown_lines(text) if (m := re.match(r"## (.+)", line))
    ]


def section(text: str, heading: str) -> str:
    """The body of one `## ` section, up to the next `## ` heading."""
    body: list[str] = []
    inside = False
    for line in markdown_lines(text):
        if line.startswith("## "):
            if inside:
                break
            inside = line[3:].strip() == heading
        elif inside:
            body.append(line)
    return "\n".join(body)


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with comments dropped and continuation lines joined."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue  # a comment inside a continued instruction
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        keyword, _, args = full.partition(" ")
        instructions.append((keyword.upper(), args.strip()))
    return instructions


SECRET_NAME = re.compile(
    r"SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL", re.IGNORECASE
)


def dockerfile_problems(text: str) -> list[str]:
    """Every way this Dockerfile breaks the house rules; an empty list means it is fine."""
    instructions = dockerfile_instructions(text)
    problems = []
    stages: set[str] = set()
    froms = [args for keyword, args in instructions if keyword == "FROM"]
    if not froms:
        problems.append("no FROM instruction")
    for args in froms:
        words = [w for w in args.split() if not w.startswith("--")]
        image = words[0] if words else ""
        if len(words) >= 3 and words[1].upper() == "AS":
            stages.add(words[2].lower())
        if image.lower() in stages:
            continue  # builds on an earlier stage
        name = image.rsplit("/", 1)[-1]
        if "@sha256:" not in image and (":" not in name or name.endswith(":latest")):
            problems.append(f"base image {image!r} is not pinned to a tag or digest")
    users = [args for keyword, args in instructions if keyword == "USER"]
    if not users:
        problems.append("no USER instruction: the container would run as root")
    elif users[-1].split(":")[0].strip() in {"root", "0"}:
        problems.append(f"the final USER is root ({users[-1]!r})")
    checks = [args for keyword, args in instructions if keyword == "HEALTHCHECK"]
    if not checks or checks[-1].upper().startswith("NONE"):
        problems.append("no HEALTHCHECK")
    for keyword, args in instructions:
        if keyword == "ADD" and re.search(r"(^|\s)(https?://|git@)", args):
            problems.append(f"ADD fetches from the network: {args!r}")
        if keyword in {"ENV", "ARG"}:
            tokens = shlex.split(args)
            if tokens and "=" not in tokens[0]:
                names = [tokens[0]]  # legacy form: ENV NAME value
            else:
                names = [token.split("=", 1)[0] for token in tokens]
            problems += [
                f"{keyword} {n} looks like a secret" for n in names if SECRET_NAME.search(n)
            ]
    return problems


SPEC_URI = "urn:template:openapi"


def pointer(*parts: object) -> str:
    """A JSON Pointer (RFC 6901) built from path segments."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def node_ref_parts(ref: str) -> list[str]:
    """The decoded segments of a local $ref such as '#/components/examples/Item'."""
    assert ref.startswith("#/"), f"only local $refs are supported, got {ref!r}"
    return [p.replace("~1", "/").replace("~0", "~") for p in ref[2:].split("/")]


def follow(spec: dict, node: object) -> object:
    """Follow local $refs (for example to components/examples) until a real object is reached."""
    while isinstance(node, dict) and "$ref" in node:
        target: object = spec
        for part in node_ref_parts(node["$ref"]):
            target = target[part]  # type: ignore[index]
        node = target
    return node


def examples_with_schemas(spec: dict) -> Iterator[tuple[str, str, object]]:
    """(where, JSON pointer of the schema, example value) for every example in the spec.

    Covers `example` / `examples` next to a `schema` (media types, parameters, headers) and the
    JSON Schema `examples` list inside schemas.
    """

    def walk(node: object, path: tuple) -> Iterator[tuple[str, str, object]]:
        if isinstance(node, dict):
            if "schema" in node and "example" in node:
                yield pointer(*path, "example"), pointer(*path, "schema"), node["example"]
            if "schema" in node and isinstance(node.get("examples"), dict):
                for name, entry in node["examples"].items():
                    entry = follow(spec, entry)
                    if isinstance(entry, dict) and "value" in entry:
                        where = pointer(*path, "examples", name)
                        yield where, pointer(*path, "schema"), entry["value"]
            if isinstance(node.get("examples"), list):  # a JSON Schema with examples
                for i, value in enumerate(node["examples"]):
                    yield pointer(*path, "examples", i), pointer(*path), value
            for key, child in node.items():
                yield from walk(child, (*path, key))
        elif isinstance(node, list):
            for i, child in enumerate(node):
                yield from walk(child, (*path, i))

    yield from walk(spec, ())


def example_errors(spec: dict) -> tuple[int, list[str]]:
    """How many examples were checked, and a message for each one that breaks its schema."""
    registry = Registry().with_resource(
        SPEC_URI, Resource.from_contents(spec, default_specification=DRAFT202012)
    )
    checked, errors = 0, []
    for where, schema_at, value in examples_with_schemas(spec):
        validator = Draft202012Validator(
            {"$ref": f"{SPEC_URI}#{schema_at}"},
            registry=registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        checked += 1
        errors += [f"{where}: {e.message}" for e in validator.iter_errors(value)]
    return checked, errors


@pytest.fixture(scope="module")
def openapi_spec() -> dict:
    return yaml.safe_load((TEMPLATES / "openapi.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load((TEMPLATES / "ci-workflow.yml").read_text(encoding="utf-8"))


# --- the index -----------------------------------------------------------------------------------


def test_index_lists_every_template_exactly_once():
    """The index table in templates/README.md and the files in templates/ agree."""
    listed = indexed_templates()
    on_disk = sorted(p.name for p in TEMPLATES.iterdir() if p.is_file() and p.name != "README.md")
    assert listed, "templates/README.md has no table rows linking to templates"
    duplicates = sorted({name for name in listed if listed.count(name) > 1})
    assert not duplicates, f"listed more than once in the index: {duplicates}"
    assert sorted(listed) == on_disk, (
        f"missing from the folder: {sorted(set(listed) - set(on_disk))}; "
        f"missing from the index: {sorted(set(on_disk) - set(listed))}"
    )


# --- "How to use" ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in indexed_templates() if n.endswith(".md")])
def test_markdown_template_starts_with_how_to_use(name):
    """A Markdown template opens with a 'How to use' section saying who, when and where."""
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    headings = h2_headings(text)
    assert headings and headings[0] == HOW_TO_USE, (
        f"{name}: the first '## ' heading should be {HOW_TO_USE!r}, found {headings[:1]}"
    )
    body = section(text, HOW_TO_USE)
    for word in ("Who", "When", "Where"):
        assert word in body, f"{name}: the 'How to use' section does not say {word.lower()}"


@pytest.mark.parametrize("name", [n for n in indexed_templates() if not n.endswith(".md")])
def test_other_template_opens_with_how_to_use_comment(name):
    """A YAML or Dockerfile template explains how to use it in its opening comment."""
    lines = (TEMPLATES / name).read_text(encoding="utf-8").splitlines()
    opening = []
    for line in lines:
        if not line.startswith("#"):
            break
        opening.append(line)
    assert any(HOW_TO_USE in line for line in opening), (
        f"{name}: the opening comment block should contain {HOW_TO_USE!r}"
    )


# --- the PRD -----------------------------------------------------------------------------------


def test_prd_has_exactly_the_required_headings_in_order():
    """The PRD's '## ' headings are the required list, in order (the 'How to use' part aside)."""
    text = (TEMPLATES / "prd.md").read_text(encoding="utf-8")
    found = [h for h in h2_headings(text) if h != HOW_TO_USE]
    assert found == PRD_HEADINGS


def test_prd_lists_its_required_headings_in_the_top_comment():
    """The comment at the top of the PRD names the same headings, in the same order."""
    text = (TEMPLATES / "prd.md").read_text(encoding="utf-8")
    comment = re.match(r"\s*<!--(.*?)-->", text, flags=re.DOTALL)
    assert comment, "prd.md should start with an HTML comment listing the required headings"
    listed = re.findall(r"^\s*## (.+?)\s*$", comment.group(1), flags=re.MULTILINE)
    assert listed == PRD_HEADINGS


def test_heading_parser_ignores_code_and_comments():
    """Headings inside fenced code or HTML comments do not count, so the PRD check is honest."""
    text = "## Problem\n<!--\n## Goals\n-->\n```\n## Estimate\n```\n### Sub\n## Goals\n"
    assert h2_headings(text) == ["Problem", "Goals"]


# --- the OpenAPI template ------------------------------------------------------------------------


def test_openapi_template_is_valid(openapi_spec):
    """openapi.yaml is a valid OpenAPI 3.1 document."""
    assert openapi_spec["openapi"].startswith("3.1")
    validate_openapi(openapi_spec)


def test_openapi_errors_reuse_the_problem_schema(openapi_spec):
    """404, 409 and 422 responses all point at shared responses built on the Problem schema."""
    components = openapi_spec["components"]
    assert set(components["schemas"]["Problem"]["required"]) >= {"type", "title", "status"}
    for path, operations in openapi_spec["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status in ("404", "409", "422"):
                response = operation["responses"].get(status)
                if response is None:
                    continue
                assert "$ref" in response, f"{method.upper()} {path} {status} should use $ref"
                content = follow(openapi_spec, response)["content"]
                schema_ref = content["application/problem+json"]["schema"]["$ref"]
                assert schema_ref.endswith(("/Problem", "/ValidationProblem")), schema_ref


def test_openapi_examples_match_their_schemas(openapi_spec):
    """Every example in openapi.yaml validates against the schema it illustrates."""
    checked, errors = example_errors(openapi_spec)
    assert checked >= 10, f"only {checked} examples found; the walker may have missed some"
    assert not errors, "\n".join(errors)


def test_example_check_rejects_a_broken_example(openapi_spec):
    """The example check really fails when an example breaks its schema."""
    broken = copy.deepcopy(openapi_spec)
    broken["components"]["examples"]["Item"]["value"]["quantity"] = 0
    broken["components"]["examples"]["ItemNotFound"]["value"]["status"] = "404"
    _, errors = example_errors(broken)
    assert any("quantity" in e or "0 is less than" in e for e in errors), errors
    assert any("'404' is not of type 'integer'" in e for e in errors), errors


# --- the CI workflow -----------------------------------------------------------------------------


def test_workflow_passes_schemastores_workflow_schema():
    """ci-workflow.yml is valid against SchemaStore's workflow schema (check-jsonschema's copy)."""
    executable = Path(sys.executable).parent / "check-jsonschema"
    assert executable.exists(), (
        f"{executable.name} is not installed next to the interpreter; install the 'dev' extra"
    )
    result = subprocess.run(
        [
            str(executable),
            "--builtin-schema",
            "vendor.github-workflows",
            str(TEMPLATES / "ci-workflow.yml"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_passes_actionlint():
    """actionlint, which knows contexts, expressions and actions' inputs, finds nothing."""
    executable = Path(sys.executable).parent / "actionlint"
    assert executable.exists(), f"{executable.name} is not installed next to the interpreter"
    result = subprocess.run(
        [str(executable), "-shellcheck=", "-pyflakes=", str(TEMPLATES / "ci-workflow.yml")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_runs_the_process_in_order(workflow):
    """PRs run unit tests; one build is scanned, signed, then tagged; migrations precede deploy."""
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert "pull_request" in triggers
    jobs = workflow["jobs"]

    def needs(job: str) -> set[str]:
        value = jobs[job].get("needs", [])
        return {value} if isinstance(value, str) else set(value)

    assert "unit" in needs("integration")
    assert "integration" in needs("build")
    assert "build" in needs("migrate")
    assert "migrate" in needs("deploy")
    steps = jobs["build"]["steps"]
    names = [step.get("uses", "").split("@")[0] + " " + step.get("name", "") for step in steps]
    builds = [i for i, s in enumerate(names) if "build-push-action" in s]
    assert len(builds) == 1, "build the image once: every later step works on that one digest"
    scan = next(i for i, s in enumerate(names) if "trivy" in s)
    sign = next(i for i, s in enumerate(steps) if "cosign sign" in str(s.get("run", "")))
    tags = next(i for i, s in enumerate(steps) if "imagetools create" in str(s.get("run", "")))
    assert builds[0] < scan < sign < tags, "build, scan, sign, and only then tag the version"
    build = steps[builds[0]]["with"]
    assert "push-by-digest=true" in build["outputs"] and "tags" not in build
    assert build["sbom"] is True and build["provenance"] == "mode=max"
    digest = "${{ steps.build.outputs.digest }}"
    assert digest in steps[scan]["with"]["image-ref"]
    assert digest in steps[sign]["env"]["IMAGE"] and digest in steps[tags]["env"]["IMAGE"]


def test_workflow_stores_no_long_lived_credential(workflow):
    """The registry login and the signature use the job's OIDC token; no secret is stored."""
    text = (TEMPLATES / "ci-workflow.yml").read_text(encoding="utf-8")
    code = "\n".join(line.split("#")[0] for line in text.splitlines())
    assert "secrets." not in code
    assert workflow["jobs"]["build"]["permissions"]["id-token"] == "write"


def test_every_action_is_pinned_to_a_commit_sha_with_its_version(workflow):
    text = (TEMPLATES / "ci-workflow.yml").read_text(encoding="utf-8")
    uses = re.findall(r"uses: (\S+@\S+)(.*)", text)
    assert uses
    for reference, comment in uses:
        assert re.fullmatch(r"[\w./-]+@[0-9a-f]{40}", reference), reference
        assert re.fullmatch(r" # v?\d+\.\d+\.\d+", comment), f"{reference}: {comment!r}"


def test_the_migrate_job_says_it_is_a_placeholder_and_runs_nothing_on_the_runner(workflow):
    """A `docker run` on the runner would migrate an empty file there and report success."""
    steps = workflow["jobs"]["migrate"]["steps"]
    commands = " ".join(str(step.get("run", "")) for step in steps)
    assert "docker run" not in commands
    text = (TEMPLATES / "ci-workflow.yml").read_text(encoding="utf-8")
    assert "PLACEHOLDER, for the company to fill in" in text
    assert "python -m booking_service.migrate" in text


# --- the Dockerfile ------------------------------------------------------------------------------


def test_dockerfile_follows_the_house_rules():
    """The Dockerfile has a pinned FROM, a non-root USER, a HEALTHCHECK, and no baked-in secrets."""
    problems = dockerfile_problems((TEMPLATES / "Dockerfile").read_text(encoding="utf-8"))
    assert problems == []


GOOD = "FROM python:3.14-slim\nUSER 10001\nHEALTHCHECK CMD true\n"


@pytest.mark.parametrize(
    ("dockerfile", "expected"),
    [
        ("USER app\nHEALTHCHECK CMD true\n", "no FROM"),
        ("FROM python\nUSER app\nHEALTHCHECK CMD true\n", "not pinned"),
        ("FROM python:latest\nUSER app\nHEALTHCHECK CMD true\n", "not pinned"),
        ("FROM python:3.14-slim\nHEALTHCHECK CMD true\n", "no USER"),
        (
            "FROM python:3.14-slim\nUSER app\nUSER root\nHEALTHCHECK CMD true\n",
            "final USER is root",
        ),
        ("FROM python:3.14-slim\nUSER 0:0\nHEALTHCHECK CMD true\n", "final USER is root"),
        ("FROM python:3.14-slim\nUSER app\n", "no HEALTHCHECK"),
        (GOOD + "ADD https://example.com/tool.tgz /opt/\n", "ADD fetches"),
        (GOOD + "ENV DEBUG=0 \\\n    API_TOKEN=abc\n", "API_TOKEN looks like a secret"),
        (GOOD + "ENV DB_PASSWORD hunter2\n", "DB_PASSWORD looks like a secret"),
        (GOOD + "ARG SECRET_KEY=x\n", "SECRET_KEY looks like a secret"),
    ],
)
def test_dockerfile_check_catches_bad_dockerfiles(dockerfile, expected):
    """Each rule of the Dockerfile check really fires on a Dockerfile that breaks it."""
    problems = dockerfile_problems(dockerfile)
    assert any(expected in p for p in problems), problems


def test_dockerfile_check_accepts_a_good_dockerfile():
    """A minimal Dockerfile that keeps every rule passes, so the check is not too strict."""
    assert dockerfile_problems(GOOD + "ENV PYTHONUNBUFFERED=1\n") == []


# --- health checks -------------------------------------------------------------------------------

LIVENESS, READINESS = "/health/live", "/health/ready"


def test_the_service_has_the_two_probe_endpoints(tmp_path):
    """The paths the templates use for probes are the service's own."""
    from bookings.core.config import Settings
    from bookings.main import create_app

    served = create_app(Settings(database=tmp_path / "unused.db")).openapi()["paths"]
    assert {LIVENESS, READINESS} <= set(served)


def test_the_dockerfile_healthcheck_is_a_liveness_check():
    """Docker replaces an unhealthy container: its HEALTHCHECK must not depend on the database."""
    instructions = dockerfile_instructions((TEMPLATES / "Dockerfile").read_text(encoding="utf-8"))
    (check,) = [args for keyword, args in instructions if keyword == "HEALTHCHECK"]
    assert re.search(rf"{re.escape(LIVENESS)}(?![\w/-])", check), check


def test_the_checklist_gives_kubernetes_a_probe_of_each_kind():
    """livenessProbe on the liveness endpoint, readinessProbe on the readiness endpoint."""
    text = (TEMPLATES / "deployment-checklist.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.DOTALL)
    probes = [yaml.safe_load(block) for block in blocks if "livenessProbe" in block]
    assert len(probes) == 1, "the checklist should show the service's probes once"
    (spec,) = probes
    assert spec["livenessProbe"]["httpGet"]["path"] == LIVENESS
    assert spec["readinessProbe"]["httpGet"]["path"] == READINESS
    assert spec["startupProbe"]["httpGet"]["path"] == LIVENESS


# --- the Dockerfile's base image -----------------------------------------------------------------

# The oldest Python minor version the template may use. 3.11, which it once used, gets security
# fixes only; 3.13 and newer are current (the template uses 3.14, which still gets bug fixes).
# Raise it as versions age out.
OLDEST_CURRENT_PYTHON = (3, 13)
PINNED_PYTHON = re.compile(r"python:(?P<major>3)\.(?P<minor>\d+)-slim@sha256:[0-9a-f]{64}")


def base_images(text: str) -> list[str]:
    return [
        args.split()[0]
        for keyword, args in dockerfile_instructions(text)
        if keyword == "FROM" and not args.startswith("--")
    ]


def test_the_dockerfile_pins_a_current_python_by_digest():
    """Every FROM is the same python:3.N-slim@sha256:<64 hex> with a Python in bug-fix support."""
    images = base_images((TEMPLATES / "Dockerfile").read_text(encoding="utf-8"))
    assert len(images) == 2 and len(set(images)) == 1, f"both stages share one base: {images}"
    match = PINNED_PYTHON.fullmatch(images[0])
    assert match, f"{images[0]} is not python:3.N-slim pinned by a sha256 digest"
    assert (int(match["major"]), int(match["minor"])) >= OLDEST_CURRENT_PYTHON, images[0]


def test_the_dockerfile_says_how_its_digest_is_refreshed_and_by_whom():
    text = (TEMPLATES / "Dockerfile").read_text(encoding="utf-8")
    assert "docker buildx imagetools inspect" in text
    assert "Renovate" in text and "Dependabot" in text


def test_ci_tests_on_the_python_of_the_image(workflow):
    """The workflow's PYTHON_VERSION is the minor version the image runs."""
    image = base_images((TEMPLATES / "Dockerfile").read_text(encoding="utf-8"))[0]
    match = PINNED_PYTHON.fullmatch(image)
    assert match and workflow["env"]["PYTHON_VERSION"] == f"{match['major']}.{match['minor']}"


@pytest.mark.parametrize(
    "image",
    [
        "python:3.11-slim",
        "python:3.11-slim@sha256:" + "b" * 64,
        "python:3.14-slim@sha256:" + "b" * 63,
        "python:3.14-slim@sha256:" + "B" * 64,
        "python:3.14@sha256:" + "b" * 64,
    ],
)
def test_the_base_image_rule_refuses_what_is_not_pinned_or_current(image):
    match = PINNED_PYTHON.fullmatch(image)
    assert match is None or (int(match["major"]), int(match["minor"])) < OLDEST_CURRENT_PYTHON
