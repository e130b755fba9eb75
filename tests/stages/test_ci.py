"""Stage 06's checks: each kind of mistake gets its verdict and its message; the model passes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from onboarding.checks import ArtefactError, Exercise, Result
from onboarding.stages import ci
from tests.conftest import COURSE_ROOT
from tests.stages.notebook_artefacts import artefact as notebook_artefact
from tests.stages.notebook_artefacts import edit, no_workspace  # noqa: F401 - fixture

NOTEBOOK = "06_ci_and_releases.ipynb"


def artefact(folder: str, first_line: str) -> str:
    return notebook_artefact(NOTEBOOK, folder, first_line)


MODEL = artefact("solutions", "%%writefile ci.yml")


def workflow_from(text: str, tmp_path: Path) -> ci.Workflow:
    path = tmp_path / "ci.yml"
    path.write_text(text, encoding="utf-8")
    return ci.read_workflow(path)


def run_check(workflow: ci.Workflow, only: str | None = None) -> dict[str, Result]:
    """The 06.1 check cell's loop, quietly (or one of its lines): expectation -> Result."""
    with Exercise("06.1", echo=False) as exercise:
        for expectation, problems, hint in ci.WORKFLOW_CHECKS:
            if only not in (None, expectation):
                continue

            @exercise.expect(expectation, hint=hint)
            def _(problems=problems):
                ci.require(problems(workflow))

    return {result.text: result for result in exercise.results}


# --- the model, the stub and the template -------------------------------------------------------


def test_model_answer_passes_every_check(tmp_path):
    results = run_check(workflow_from(MODEL, tmp_path))
    failed = {text: result.found for text, result in results.items() if not result.passed}
    assert not failed
    assert len(results) == len(ci.WORKFLOW_CHECKS)


def test_unsolved_stub_fails(tmp_path):
    stub = artefact("exercises", "%%writefile ci.yml")
    results = run_check(workflow_from(stub, tmp_path))
    assert sum(not result.passed for result in results.values()) >= 4


def test_the_template_workflow_passes_every_check(tmp_path):
    template = ci.read_workflow(COURSE_ROOT / "templates" / "ci-workflow.yml")
    assert ci.valid_workflow_problems(template) == []
    for problems in (
        ci.trigger_problems,
        ci.unit_job_problems,
        ci.later_job_problems,
        ci.image_job_problems,
        ci.secret_problems,
        ci.pinning_problems,
    ):
        assert problems(template) == [], problems.__name__


# --- reading the file ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on: pull_request\njobs:\n  unit:\n\truns-on: x\n", "line 4, column 1"),
        ("- pull_request\n- push\n", "holds list, not a workflow"),
        ("", "holds nothing"),
        ("name: CI\non: pull_request\n", "no top-level `jobs:`"),
        ("name: CI\njobs: {}\n", "no top-level `on:`"),
    ],
    ids=["bad-yaml", "a-list", "empty", "no-jobs", "no-on"],
)
def test_unreadable_workflows_say_why(tmp_path, text, expected):
    with pytest.raises(ArtefactError, match=re.escape(expected)):
        workflow_from(text, tmp_path)


def test_missing_file_says_run_the_cell(tmp_path):
    with pytest.raises(ArtefactError, match="does not exist yet"):
        ci.read_workflow(tmp_path / "ci.yml")


def test_on_is_read_as_text_not_as_true(tmp_path):
    workflow = workflow_from("on: [pull_request, push]\njobs: {}\n", tmp_path)
    assert workflow.triggers == {"pull_request": None, "push": None}


# --- each mistake: its verdict and its message ---------------------------------------------------

SCHEMA = "GitHub's workflow schema accepts it, and every `needs:` names a job"
TRIGGERS = "it starts on pull requests and on pushed `v*` tags"
UNIT = "a unit-test job runs on every pull request"
LATER = "integration and contract tests run in a later job that `needs:` the unit tests"
IMAGE = "an image job builds and pushes the image, only for `v*` tags, after the test jobs"
SECRETS = "no secret is written in the file: only `${{ secrets.NAME }}`"
PINNED = "every action is pinned to a version"

MISTAKES = [
    (
        "schema-typo",
        [
            (
                "    runs-on: ubuntu-latest\n    timeout-minutes: 10",
                "    runs_on: ubuntu-latest\n    timeout-minutes: 10",
            )
        ],
        SCHEMA,
        "(jobs.unit): `runs-on` is missing",
    ),
    (
        "needs-unknown-job",
        [("needs: [unit]", "needs: [units]")],
        SCHEMA,
        "job `integration` needs `units`, but there is no job `units`",
    ),
    (
        "needs-cycle",
        [
            (
                "  unit:\n    name: Lint and unit tests\n",
                "  unit:\n    name: Lint and unit tests\n    needs: [image]\n",
            )
        ],
        SCHEMA,
        "ends up needing itself",
    ),
    ("no-pull-request", [("  pull_request:\n", "")], TRIGGERS, "`on:` has no `pull_request:`"),
    (
        "pull-request-filtered",
        [("  pull_request:\n", "  pull_request:\n    branches: [release]\n")],
        TRIGGERS,
        "leave out pull requests to main",
    ),
    ("push-without-tags", [('    tags: ["v*"]\n', "")], TRIGGERS, "`push:` has no `tags:` filter"),
    (
        "tag-pattern-wrong",
        [('tags: ["v*"]', 'tags: ["release-*"]')],
        TRIGGERS,
        "the tag filter (release-*) does not match v1.2.0",
    ),
    (
        "no-push",
        [('  push:\n    branches: [main]\n    tags: ["v*"]\n', "")],
        TRIGGERS,
        "`on:` has no `push:`",
    ),
    (
        "unit-not-on-prs",
        [
            (
                "    name: Lint and unit tests\n",
                "    name: Lint and unit tests\n    if: github.event_name == 'push'\n",
            )
        ],
        UNIT,
        "on a pull request, job `unit` does not run (skipped by its `if:`)",
    ),
    (
        "no-unit-tests",
        [
            ("  unit:\n    name: Lint and unit tests", "  lint:\n    name: Lint"),
            ("needs: [unit]", "needs: [lint]"),
            ("needs: [unit, integration]", "needs: [lint, integration]"),
            ("pytest tests/unit", "pytest tests"),
        ],
        UNIT,
        "no job runs the unit tests",
    ),
    (
        "no-later-job",
        [
            (
                "  integration:\n    name: Integration and contract tests",
                "  other:\n    name: Other",
            ),
            ("needs: [unit, integration]", "needs: [unit, other]"),
            ("pytest tests/integration -q", "ruff check ."),
            ("pytest tests/contract -q", "ruff format --check ."),
            ("Contract tests against openapi.yaml", "Start"),
            ("schemathesis run openapi.yaml", "python -c pass"),
        ],
        LATER,
        "no job runs integration or contract tests",
    ),
    (
        "later-job-does-not-wait",
        [("    needs: [unit]\n", "")],
        LATER,
        "job `integration` does not wait for the unit tests; add `needs: [unit]`",
    ),
    (
        "uvicorn-module-app",
        [("uvicorn --factory bookings.main:create_app", "uvicorn bookings.app:app")],
        LATER,
        "`uvicorn --factory bookings.main:create_app`",
    ),
    (
        "image-without-if",
        [("    if: startsWith(github.ref, 'refs/tags/v')\n", "")],
        IMAGE,
        "job `image` has no `if:`",
    ),
    (
        "image-on-every-push",
        [("if: startsWith(github.ref, 'refs/tags/v')", "if: github.event_name == 'push'")],
        IMAGE,
        "job `image` also runs for a push to main",
    ),
    (
        "image-if-unreadable",
        [("if: startsWith(github.ref, 'refs/tags/v')", "if: github.ref =~ tags")],
        IMAGE,
        "does not run for a pushed tag v1.2.0 (unreadable",
    ),
    (
        "image-not-pushed",
        [("push: true", "push: false")],
        IMAGE,
        "builds the image but never pushes it",
    ),
    (
        "image-without-login",
        [
            (
                "      - uses: docker/login-action@v3\n        with:\n          registry: ${{ vars.REGISTRY }}\n          username: ${{ secrets.REGISTRY_USERNAME }}\n          password: ${{ secrets.REGISTRY_PASSWORD }}\n",
                "",
            )
        ],
        IMAGE,
        "pushes without logging in",
    ),
    (
        "image-skips-integration",
        [("needs: [unit, integration]", "needs: [unit]")],
        IMAGE,
        "does not wait for the integration and contract tests",
    ),
    (
        "no-image-job",
        [("uses: docker/build-push-action@v6", "uses: actions/upload-artifact@v4")],
        IMAGE,
        "no job builds the image",
    ),
    (
        "password-inline",
        [("password: ${{ secrets.REGISTRY_PASSWORD }}", "password: hunter2")],
        SECRETS,
        "`password` is written out in the file",
    ),
    (
        "password-from-vars",
        [("password: ${{ secrets.REGISTRY_PASSWORD }}", "password: ${{ vars.REGISTRY_PASSWORD }}")],
        SECRETS,
        "only `${{ secrets.NAME }}` is masked",
    ),
    (
        "password-on-command-line",
        [
            (
                "      - run: uv run ruff check .\n",
                "      - run: docker login -u bot -p hunter2 registry.example.com\n",
            )
        ],
        SECRETS,
        "a password is passed on the command line",
    ),
    (
        "token-in-run",
        [
            (
                "uv run ruff check .",
                "curl -u bot ghp_abcdefghijklmnopqrstuvwxyz0123 https://api.github.com",
            )
        ],
        SECRETS,
        "looks like a real access token",
    ),
    (
        "url-with-password",
        [
            (
                "permissions:\n",
                "env:\n  DATABASE_URL: postgres://app:hunter2@db.internal/bookings\npermissions:\n",
            )
        ],
        SECRETS,
        "a URL with a password in it",
    ),
    (
        "action-unpinned",
        [
            (
                "      - uses: astral-sh/setup-uv@v7\n      # --locked",
                "      - uses: astral-sh/setup-uv\n      # --locked",
            )
        ],
        PINNED,
        "`astral-sh/setup-uv` has no version",
    ),
    (
        "action-on-branch",
        [("docker/setup-buildx-action@v3", "docker/setup-buildx-action@master")],
        PINNED,
        "follows the branch `master`",
    ),
    (
        "docker-action-unpinned",
        [("docker/setup-buildx-action@v3", "docker://alpine")],
        PINNED,
        "`docker://alpine` names no image version",
    ),
]


@pytest.mark.parametrize(
    ("replacements", "expectation", "message"),
    [m[1:] for m in MISTAKES],
    ids=[m[0] for m in MISTAKES],
)
def test_each_mistake_fails_its_check_with_a_specific_message(
    tmp_path, monkeypatch, replacements, expectation, message
):
    if "schema" not in message and "runs-on" not in message:
        # check-jsonschema takes seconds to start; only the schema's own mistakes need it.
        monkeypatch.setattr(ci, "schema_problems", lambda workflow: [])
    results = run_check(workflow_from(edit(MODEL, *replacements), tmp_path), only=expectation)
    result = results[expectation]
    assert not result.passed, f"{expectation!r} passed"
    assert message in result.found, result.found
    assert (
        re.search(r"line \d+", result.found) or "no job" in result.found or message in result.found
    )
    assert result.line().startswith("❌") and "Hint:" in result.line()


ONE_TEST_JOB = """
on:
  pull_request:
  push:
    tags: ["v*"]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: uv run pytest tests/unit tests/integration tests/contract
"""


def test_unit_and_integration_tests_in_one_job_are_named(tmp_path):
    results = run_check(workflow_from(ONE_TEST_JOB, tmp_path), only=LATER)
    assert (
        "job `test` runs the unit tests and the integration tests together" in results[LATER].found
    )


def test_messages_name_the_line_of_the_problem(tmp_path):
    text = edit(MODEL, ("password: ${{ secrets.REGISTRY_PASSWORD }}", "password: hunter2"))
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "hunter2" in row)
    assert ci.secret_problems(workflow_from(text, tmp_path)) == [
        f"line {line}: `password` is written out in the file; store it as a repository secret "
        "and write `password: ${{ secrets.REGISTRY_PASSWORD }}`"
    ]


@pytest.mark.parametrize(
    "uses",
    [
        "actions/checkout@v4",
        "actions/checkout@v4.1.7",
        "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683",
        "./.github/actions/setup",
        "docker://alpine:3.20",
        "docker://alpine@sha256:" + "a" * 64,
    ],
)
def test_pinned_actions_pass(uses):
    assert ci._pin_problem(uses, 1) is None


def test_a_missing_check_jsonschema_is_explained(tmp_path, monkeypatch):
    monkeypatch.setattr(ci, "check_jsonschema_command", lambda: None)
    assert (
        "check-jsonschema is not installed" in ci.schema_problems(workflow_from(MODEL, tmp_path))[0]
    )


@pytest.mark.parametrize(
    ("message", "parts", "plain"),
    [
        (
            "'uses' is a required property",
            ("jobs", "unit", "steps", 1),
            "a step needs either `uses:`",
        ),
        ("'runs-on' is a required property", ("jobs", "unit"), "`runs-on` is missing"),
        (
            "Additional properties are not allowed ('naem' was unexpected)",
            ("jobs",),
            "unknown key `naem`",
        ),
        ("'x' is not of type 'array', 'object'", ("on",), "should be a list or a mapping"),
        ("[] should be non-empty", ("jobs", "unit", "steps"), "is empty"),
    ],
)
def test_schema_messages_in_plain_words(message, parts, plain):
    assert plain in ci.plain_schema_message(message, parts)


def test_json_paths_become_key_paths():
    assert ci.json_path_parts("$.jobs.unit.steps[1]") == ("jobs", "unit", "steps", 1)
    assert ci.json_path_parts('$.jobs["my.job"]') == ("jobs", "my.job")
    assert ci.describe_path(("jobs", "unit", "steps", 1)) == "jobs.unit.steps[1]"


# --- the simulation: expressions, filters, jobs --------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "pull_request", "push_main", "push_tag"),
    [
        ("startsWith(github.ref, 'refs/tags/v')", False, False, True),
        ("${{ startsWith(github.ref, 'refs/tags/') }}", False, False, True),
        ("github.ref_type == 'tag'", False, False, True),
        ("github.event_name == 'push' && contains(github.ref, 'tags')", False, False, True),
        ("github.event_name == 'pull_request'", True, False, False),
        ("github.ref == 'refs/heads/main' || github.ref_type == 'tag'", False, True, True),
        ("!startsWith(github.ref, 'refs/tags/')", True, True, False),
        ("success() && github.event_name != 'pull_request'", False, True, True),
        ("GITHUB.REF_TYPE == 'TAG'", False, False, True),
        (True, True, True, True),
    ],
)
def test_conditions_are_evaluated_as_github_does(condition, pull_request, push_main, push_tag):
    results = [ci.evaluate_condition(condition, event.context()) for event in ci.EVENTS]
    assert results == [pull_request, push_main, push_tag]


@pytest.mark.parametrize(
    "condition", ["github.ref =~ 'x'", "startsWith(github.ref", "unknownFn(1)", "tags ${{ x }}"]
)
def test_unreadable_conditions_raise(condition):
    with pytest.raises(ci.ExpressionError):
        ci.evaluate_condition(condition, ci.PUSH_TAG.context())


@pytest.mark.parametrize(
    ("patterns", "name", "matches"),
    [
        (["v*"], "v1.2.0", True),
        (["v*"], "1.2.0", False),
        (["v*.*.*"], "v1.2.0", True),
        (["v[0-9]+.[0-9]+.[0-9]+"], "v10.2.0", True),
        (["release/*"], "release/1.2", True),
        (["release/*"], "release/1.2/hotfix", False),
        (["release/**"], "release/1.2/hotfix", True),
        (["v*", "!v*-rc*"], "v1.2.0-rc1", False),
    ],
)
def test_branch_and_tag_filters(patterns, name, matches):
    assert ci.matches_filters(name, patterns) is matches


@pytest.mark.parametrize(
    ("on", "pull_request", "push_main", "push_tag"),
    [
        ("pull_request", True, False, False),
        ("[pull_request, push]", True, True, True),
        ("\n  push:\n    branches: [main]", False, True, False),
        ("\n  push:\n    tags: ['v*']", False, False, True),
        ("\n  push:\n    branches-ignore: [main]", False, False, False),
    ],
)
def test_which_events_start_a_workflow(tmp_path, on, pull_request, push_main, push_tag):
    workflow = workflow_from(f"on: {on}\njobs: {{}}\n", tmp_path)
    assert [ci.triggered_by(workflow, event) for event in ci.EVENTS] == [
        pull_request,
        push_main,
        push_tag,
    ]


def test_a_job_whose_needs_were_skipped_is_skipped(tmp_path):
    template = ci.read_workflow(COURSE_ROOT / "templates" / "ci-workflow.yml")
    outcomes = ci.simulate(template, ci.PULL_REQUEST)
    assert [job for job, outcome in outcomes.items() if outcome.runs] == [
        "lint",
        "unit",
        "integration",
    ]
    assert outcomes["deploy"].reason == "skipped: `build` did not run"
    tagged = ci.simulate(template, ci.PUSH_TAG)
    assert all(outcome.runs for outcome in tagged.values())


# --- Exercise 06.2: next_version -----------------------------------------------------------------


@pytest.mark.parametrize(
    "case", ci.RELEASE_CASES, ids=lambda case: case.expected + " " + case.expectation[:30]
)
def test_reference_next_version_meets_every_case(case):
    assert ci.reference_next_version(case.current, list(case.messages)) == case.expected


def test_reference_refuses_a_version_that_is_not_three_numbers():
    for current in ("1.4", "v1.4.2", "1.4.x", "01.2.3"):
        with pytest.raises(ValueError):
            ci.reference_next_version(current, [])


def run_release_check(next_version) -> dict[str, Result]:
    """The 06.2 check cell, quietly, for a given implementation."""
    with Exercise("06.2", echo=False) as exercise:
        for case in ci.RELEASE_CASES:
            exercise.equal(
                case.expectation,
                lambda case=case: next_version(case.current, list(case.messages)),
                case.expected,
                hint=case.hint,
            )
    return {result.text: result for result in exercise.results}


def bump_per_commit(current, messages):
    version = current
    for message in messages:
        version = ci.reference_next_version(version, [message])
    return version


def substring_match(current, messages):
    major, minor, patch = map(int, current.split("."))
    if any("!" in m or "BREAKING CHANGE" in m for m in messages):
        return f"{major + 1}.0.0"
    if any("feat" in m for m in messages):
        return f"{major}.{minor + 1}.0"
    if any("fix" in m for m in messages):
        return f"{major}.{minor}.{patch + 1}"
    return current


def first_line_only(current, messages):
    return ci.reference_next_version(
        current, [m.splitlines()[0] for m in messages] if messages else []
    )


def no_pre_one_rule(current, messages):
    major, minor, patch = map(int, current.split("."))
    if major == 0 and any(ci.release_level(m) == "major" for m in messages):
        return "1.0.0"
    return ci.reference_next_version(current, messages)


@pytest.mark.parametrize(
    ("implementation", "failing", "found"),
    [
        (
            bump_per_commit,
            "several commits make one release: the biggest bump wins",
            "expected '1.5.0', got '1.6.0'",
        ),
        (
            substring_match,
            "docs, chore, test, ci and refactor release nothing: the version stays",
            "expected '1.4.2', got '1.4.3'",
        ),
        (
            substring_match,
            "a message that is not a conventional commit releases nothing",
            "expected '1.4.2', got '1.5.0'",
        ),
        (
            first_line_only,
            "a `BREAKING CHANGE:` footer marks a breaking change too",
            "expected '2.0.0', got '1.4.3'",
        ),
        (
            no_pre_one_rule,
            "before 1.0.0 a breaking change bumps the minor version: 0.3.1 -> 0.4.0",
            "expected '0.4.0', got '1.0.0'",
        ),
    ],
)
def test_wrong_next_versions_fail_the_right_case(implementation, failing, found):
    results = run_release_check(implementation)
    assert not results[failing].passed
    assert results[failing].found == found
    assert results[failing].hint


def test_the_cases_are_distinct_and_hinted():
    expectations = [case.expectation for case in ci.RELEASE_CASES]
    assert len(set(expectations)) == len(expectations)
    assert all(case.hint for case in ci.RELEASE_CASES)
