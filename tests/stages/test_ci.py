"""Stage 06's checks: each kind of mistake gets its verdict and its message; right answers pass.

06.1 judges `.github/workflows/ci.yml` in the learner's project and runs its pull-request
commands on a copy of the project; 06.2 judges `next_version()`.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from onboarding import notebooks, project, pytest_runs
from onboarding.artefacts import makefile, workflow_run
from onboarding.artefacts import workflow as wf
from onboarding.checks import Given, run_expectations
from onboarding.protocol import CheckResult
from onboarding.stages import ci
from onboarding.stages.ci import checks, local_run, review
from tests.artefacts.test_workflow_run import Copies, one_job
from tests.conftest import COURSE_ROOT
from tests.stages.notebook_artefacts import edit, no_workspace  # noqa: F401 - fixture

(BLUEPRINT,) = project.stage_blueprint("06")
MODEL, STUB = BLUEPRINT.model, BLUEPRINT.start
CHECKOUT = "actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2"


def workflow_from(text: str, tmp_path: Path) -> wf.Workflow:
    path = tmp_path / "ci.yml"
    path.write_text(text, encoding="utf-8")
    return wf.read_workflow(path)


@pytest.fixture
def learner(tmp_path, monkeypatch) -> Path:
    """A learner's project at the end of stage 06 (the model), in a workspace of its own."""
    workspace = tmp_path / "workspace"
    root = project.prepare("06", workspace, solved=True)
    monkeypatch.setenv("ONBOARD_WORKSPACE", str(workspace))
    return root


def judge(exercise: str, **inputs) -> CheckResult:
    return run_expectations(exercise, ci.EXERCISES[exercise], Given(**inputs), echo=False)


def found(result: CheckResult) -> dict[str, str]:
    return {outcome.text: outcome.found for outcome in result.outcomes if not outcome.passed}


def write_workflow(root: Path, text: str) -> None:
    path = root / checks.WORKFLOW_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# --- the model, the stub and the template ------------------------------------------------------


def test_the_model_project_passes_every_check(learner, monkeypatch):
    # With a limit shorter than its jobs take (about 3 s here): they run as child processes with
    # limits of their own. Under the check's 30 s, a loaded machine once failed this model.
    monkeypatch.setenv("ONBOARD_CHECK_TIME_LIMIT", "2")
    result = judge("06.1")
    assert found(result) == {}
    assert result.total == len(checks.WORKFLOW)


def test_the_starting_workflow_fails(learner):
    write_workflow(learner, STUB)
    failed = found(judge("06.1"))
    assert len(failed) >= 5
    assert "follows a tag" in failed["every action is pinned to a full commit SHA"]


def test_the_template_passes_every_judgement_but_its_own_test_paths():
    template = wf.read_workflow(COURSE_ROOT / "templates" / "ci-workflow.yml")
    for problems in (
        review.valid_workflow_problems,
        review.lint_problems,
        review.trigger_problems,
        review.unit_job_problems,
        review.later_job_problems,
        review.image_job_problems,
        review.secret_problems,
        review.pinning_problems,
    ):
        assert problems(template) == [], problems.__name__


def concurrency_explanations() -> dict[str, str]:
    """Where the course explains the workflows' `concurrency:`: template, model and lesson 06."""
    lesson = notebooks.read(COURSE_ROOT / "notebooks" / "06_ci_and_releases.ipynb")
    return {
        "templates/ci-workflow.yml": (COURSE_ROOT / "templates" / "ci-workflow.yml").read_text(
            encoding="utf-8"
        ),
        "the model ci.yml": MODEL,
        # Markdown only: the quiz offers "never cancelled" as the misconception to reject.
        "lesson 06": "\n".join(
            notebooks.source_of(cell)
            for cell in lesson["cells"]
            if cell["cell_type"] == "markdown" and "concurrency" in notebooks.source_of(cell)
        ),
    }


@pytest.mark.parametrize("where", sorted(concurrency_explanations()))
def test_concurrency_is_explained_as_github_does_it(where):
    # Issue 9, item 8: runs on main and on tags can be cancelled while they wait, because a
    # concurrency group keeps one pending run and a newer one replaces it.
    text = " ".join(concurrency_explanations()[where].replace("#", " ").split())
    assert "concurrency" in text
    assert not re.search(r"never (?:be )?cancel+ed", text, re.IGNORECASE), where
    assert re.search(r"\bpending\b", text) and re.search(r"waiting|waits", text), where


# --- each mistake: its verdict and its message ---------------------------------------------------

SCHEMA = "SchemaStore's workflow schema accepts it, and every `needs:` names a job"
LINT = "actionlint finds no problem in it"
TRIGGERS = "it starts on pull requests and on pushed `v*` tags"
UNIT = "a unit-test job runs on every pull request"
LATER = "integration and contract tests run in a later job that `needs:` the unit tests"
IMAGE = "an image job builds and pushes the image, only for `v*` tags, after the test jobs"
SECRETS = "no credential is written in the file"
PINNED = "every action is pinned to a full commit SHA"
JUDGED_BY = {
    SCHEMA: review.valid_workflow_problems,
    LINT: review.lint_problems,
    TRIGGERS: review.trigger_problems,
    UNIT: review.unit_job_problems,
    LATER: review.later_job_problems,
    IMAGE: review.image_job_problems,
    SECRETS: review.secret_problems,
    PINNED: review.pinning_problems,
}
ECR_LOGIN = (
    "      - id: ecr\n"
    "        uses: aws-actions/amazon-ecr-login@062b18b96a7aff071d4dc91bc00c4c1a7945b076 # v2.0.1\n"
)
LOGIN_WITH = (
    "      - id: ecr\n"
    "        uses: docker/login-action@4907a6ddec9925e35a0a9e82d7399ccc52663121 # v4.1.0\n"
    "        with:\n"
    "          registry: registry.example.com\n"
    "          username: bot\n"
    "          password: {password}\n"
)
# Workload identity on another cloud: the step whose token the registry login uses.
GCP_AUTH = (
    "      - id: auth\n"
    "        uses: google-github-actions/auth@7c6bc770dae815cd3e89ee6cdf493a5fab2cc093 # v3.0.0\n"
    "        with:\n"
    "          token_format: access_token\n"
    "          workload_identity_provider: ${{ vars.WIF_PROVIDER }}\n"
    "          service_account: ${{ vars.PUBLISHER_SERVICE_ACCOUNT }}\n"
)
UNIT_TESTS = "uv run --with pytest pytest -q --ignore=tests/integration --ignore=tests/contract"
LINT_STEP = "      - run: uv run --with ruff ruff check .\n"
LINT_JOB = (
    f"  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: {CHECKOUT}\n"
    "        with:\n          persist-credentials: false\n      - run: uvx ruff check .\n\n"
)
"""A job of its own that lints, as the company's template has it."""
TESTS_RENAMED = [
    ("  unit:\n    name: Lint and unit tests\n", "  test:\n    name: Lint and test\n"),
    ("needs: [unit]", "needs: [test]"),
    ("needs: [unit, integration]", "needs: [test, integration]"),
]
"""The unit job named so that neither its name nor its title says `unit`."""
BUILD_STEP = MODEL[MODEL.index("      - uses: docker/build-push-action@") :]
"""The model's build-and-push step, the last of the file: the place of another build tool."""
BAKE_STEP = (
    "      - uses: docker/bake-action@3acf805d94d93a86cce4ca44798a76464a75b88c # v6.9.0\n"
    "        with:\n"
    "          files: docker-bake.hcl\n"
    "          push: true\n"
)
BUILDAH_COMMANDS = (
    "      - name: Build and push with buildah\n"
    "        env:\n"
    "          IMAGE: ${{ steps.ecr.outputs.registry }}/bookings:${{ github.ref_name }}\n"
    "        run: |\n"
    '          buildah build --tag "$IMAGE" .\n'
    '          buildah push "$IMAGE"\n'
)
IMAGE_ENV = (
    "        env:\n"
    "          IMAGE: ${{ steps.ecr.outputs.registry }}/bookings:${{ github.ref_name }}\n"
)
OTHER_BUILDERS = {
    "buildx-build-push": '      - run: docker buildx build --push --tag "$IMAGE" .\n' + IMAGE_ENV,
    "buildx-output-registry": (
        '      - run: docker buildx build --output type=registry --tag "$IMAGE" .\n' + IMAGE_ENV
    ),
    "buildx-output-push": (
        '      - run: docker buildx build -o type=image,name="$IMAGE",push=true .\n' + IMAGE_ENV
    ),
    "buildx-bake-push": "      - run: docker buildx bake --push\n",
    "podman-commands": (
        '      - run: |\n          podman build -t "$IMAGE" .\n          podman push "$IMAGE"\n'
        + IMAGE_ENV
    ),
    "buildah-bud": (
        '      - run: |\n          buildah bud -t "$IMAGE" .\n          buildah push "$IMAGE"\n'
        + IMAGE_ENV
    ),
}
"""Builders other than docker/build-push-action, each building and pushing the image."""
BUILDAH_ACTIONS = (
    "      - id: build\n"
    "        uses: redhat-actions/buildah-build@7a95fa7ee0f02d552a32753e7414641a04307056 # v2.13\n"
    "        with:\n"
    "          image: bookings\n"
    "          tags: ${{ steps.meta.outputs.tags }}\n"
    "          containerfiles: ./Dockerfile\n"
    "      - uses: redhat-actions/push-to-registry@5ed88d269cf581ea9ef6dd6806d01562096bee9c # v2.8\n"
    "        with:\n"
    "          image: ${{ steps.build.outputs.image }}\n"
    "          tags: ${{ steps.build.outputs.tags }}\n"
    "          registry: ${{ steps.ecr.outputs.registry }}\n"
)

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
    (
        "expression-typo",
        [("uv run --with ruff ruff check .", "echo ${{ github.evnt_name }}")],
        LINT,
        'property "evnt_name" is not defined',
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
        "unit-tests-step-not-on-prs",
        [
            (
                f"      - run: {UNIT_TESTS}\n",
                f"      - if: github.event_name == 'push'\n        run: {UNIT_TESTS}\n",
            )
        ],
        UNIT,
        "is skipped by its `if:`; the unit tests must run on every pull request",
    ),
    (
        "unit-test-failures-ignored",
        [
            (
                f"      - run: {UNIT_TESTS}\n",
                f"      - run: {UNIT_TESTS}\n        continue-on-error: true\n",
            )
        ],
        UNIT,
        "`continue-on-error: true`, so failing tests would not fail the pull request",
    ),
    (
        "unit-job-runs-every-test",
        [(UNIT_TESTS, "uv run --with pytest pytest -q")],
        UNIT,
        "runs tests/integration and tests/contract too",
    ),
    (
        "unit-job-runs-the-tests-folder",
        [("--ignore=tests/integration --ignore=tests/contract", "tests")],
        UNIT,
        "runs tests/integration and tests/contract too",
    ),
    (
        "unit-job-ignores-only-integration",
        [("--ignore=tests/integration --ignore=tests/contract", "--ignore=tests/integration")],
        UNIT,
        "runs tests/contract too",
    ),
    (
        "unit-job-marker-leaves-contract-in",
        [("--ignore=tests/integration --ignore=tests/contract", '-m "not integration"')],
        UNIT,
        "runs tests/contract too",
    ),
    (
        "unit-job-runs-the-later-tests-in-a-second-step",
        [
            (
                f"      - run: {UNIT_TESTS}\n",
                f"      - run: {UNIT_TESTS}\n      - run: uv run pytest -q tests/contract\n",
            )
        ],
        UNIT,
        "the unit-test job runs the fast tests only",
    ),
    ("no-lint-step", [(LINT_STEP, "")], UNIT, "no job lints the code on a pull request"),
    (
        "format-check-is-not-lint",
        [("ruff ruff check .", "ruff ruff format --check .")],
        UNIT,
        "no job lints the code on a pull request",
    ),
    (
        "pre-commit-on-staged-files-only",
        [("uv run --with ruff ruff check .", "uvx pre-commit run")],
        UNIT,
        "`pre-commit run` without `--all-files` checks only the files staged for a commit",
    ),
    (
        "lint-only-on-push",
        [
            (
                LINT_STEP,
                "      - if: github.event_name == 'push'\n        run: uv run --with ruff ruff check .\n",
            )
        ],
        UNIT,
        "no job lints the code on a pull request",
    ),
    (
        "later-job-failures-ignored",
        [("    needs: [unit]\n", "    needs: [unit]\n    continue-on-error: true\n")],
        LATER,
        "job `integration` has `continue-on-error: true`",
    ),
    (
        "no-unit-tests",
        [
            ("  unit:\n    name: Lint and unit tests", "  lint:\n    name: Lint"),
            ("needs: [unit]", "needs: [lint]"),
            ("needs: [unit, integration]", "needs: [lint, integration]"),
            (UNIT_TESTS, "uv run --with ruff ruff format --check ."),
        ],
        UNIT,
        "no job runs the unit tests",
    ),
    (
        # tox, nox, just… read their tasks from files of their own: the message says so.
        "unit-tests-through-tox",
        [(UNIT_TESTS, "uv run --with tox tox -e py")],
        UNIT,
        "line 36 runs `tox -e py`, whose tasks are written in a file of its own",
    ),
    (
        "unit-tests-in-an-unreadable-local-action",
        [
            (
                "    timeout-minutes: 10\n    steps:",
                "    timeout-minutes: 10\n    steps:\n      - uses: ./.github/actions/unit-tests",
            ),
            (UNIT_TESTS, "echo tested"),
        ],
        UNIT,
        "uses `./.github/actions/unit-tests`, which is not a composite action the check can read",
    ),
    (
        "no-later-job",
        [
            (
                "  integration:\n    name: Integration and contract tests",
                "  other:\n    name: Other",
            ),
            ("needs: [unit, integration]", "needs: [unit, other]"),
            ("pytest -q tests/integration tests/contract", "pytest -q tests/test_project.py"),
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
    ("image-without-login", [(ECR_LOGIN, "")], IMAGE, "pushes without logging in"),
    (
        "image-skips-integration",
        [("needs: [unit, integration]", "needs: [unit]")],
        IMAGE,
        "does not wait for the integration and contract tests",
    ),
    (
        "no-image-job",
        [("uses: docker/build-push-action@", "uses: actions/upload-artifact@")],
        IMAGE,
        "no job builds the image",
    ),
    (
        "bake-action-not-pushed",
        [(BUILD_STEP, BAKE_STEP.replace("push: true", "push: false"))],
        IMAGE,
        "builds the image but never pushes it",
    ),
    (
        "buildah-not-pushed",
        [(BUILD_STEP, BUILDAH_COMMANDS.replace('          buildah push "$IMAGE"\n', ""))],
        IMAGE,
        "builds the image but never pushes it",
    ),
    (
        "buildah-push-without-login",
        [(ECR_LOGIN, ""), (BUILD_STEP, BUILDAH_COMMANDS)],
        IMAGE,
        "pushes without logging in",
    ),
    (
        "buildx-build-to-the-local-store",
        [(BUILD_STEP, OTHER_BUILDERS["buildx-output-registry"].replace("registry", "docker", 1))],
        IMAGE,
        "builds the image but never pushes it",
    ),
    (
        "podman-not-pushed",
        [(BUILD_STEP, OTHER_BUILDERS["podman-commands"].replace('podman push "$IMAGE"', "true"))],
        IMAGE,
        "or run `docker push` (`podman push`, `buildah push`) after the build",
    ),
    (
        "builder-the-check-does-not-know",
        [(BUILD_STEP, "      - run: /kaniko/executor --destination example/bookings\n")],
        IMAGE,
        "no job builds the image with a builder the check knows: use docker/build-push-action, "
        "docker/bake-action, Depot's versions of them, redhat-actions/buildah-build, or a "
        "`docker build`, `docker buildx build`, `docker buildx bake`, `podman build` or "
        "`buildah build` (`buildah bud`) command",
    ),
    (
        "buildah-build-only-action",
        [(BUILD_STEP, BUILDAH_ACTIONS.split("      - uses: redhat-actions/push-to-registry")[0])],
        IMAGE,
        "builds the image but never pushes it",
    ),
    (
        "password-inline",
        [(ECR_LOGIN, LOGIN_WITH.format(password="hunter2"))],
        SECRETS,
        "`password` is written out in the file",
    ),
    (
        "password-from-vars",
        [(ECR_LOGIN, LOGIN_WITH.format(password="${{ vars.REGISTRY_PASSWORD }}"))],
        SECRETS,
        "`password` comes from `${{ vars.REGISTRY_PASSWORD }}`",
    ),
    (
        "password-on-command-line",
        [
            (
                "uv run --with ruff ruff check .",
                "docker login -u bot -p hunter2 registry.example.com",
            )
        ],
        SECRETS,
        "a password is passed on the command line",
    ),
    (
        "token-in-run",
        [
            (
                "uv run --with ruff ruff check .",
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
                "permissions:\n  contents: read\n\n",
                "permissions:\n  contents: read\nenv:\n  DATABASE_URL: postgres://app:hunter2@db.internal/bookings\n\n",
            )
        ],
        SECRETS,
        "a URL with a password in it",
    ),
    (
        "action-unpinned",
        [
            (
                "astral-sh/setup-uv@681c641aba71e4a1c380be3ab5e12ad51f415867 # v7.1.6\n      # With a lock file",
                "astral-sh/setup-uv\n      # With a lock file",
            )
        ],
        PINNED,
        "`astral-sh/setup-uv` has no version at all",
    ),
    (
        "action-on-a-tag",
        [
            (
                "docker/setup-buildx-action@4d04d5d9486b7bd6fa91e7baf45bbb4f8b9deedd # v4.0.0",
                "docker/setup-buildx-action@v4",
            )
        ],
        PINNED,
        "`docker/setup-buildx-action@v4` follows a tag, which can be moved to other code",
    ),
    (
        "action-on-a-branch",
        [
            (
                "docker/setup-buildx-action@4d04d5d9486b7bd6fa91e7baf45bbb4f8b9deedd # v4.0.0",
                "docker/setup-buildx-action@master",
            )
        ],
        PINNED,
        "follows the branch `master`",
    ),
    (
        "action-on-a-short-sha",
        [
            (
                "docker/setup-buildx-action@4d04d5d9486b7bd6fa91e7baf45bbb4f8b9deedd",
                "docker/setup-buildx-action@4d04d5d",
            )
        ],
        PINNED,
        "uses a short SHA",
    ),
    (
        # pytest named in an install is not a pytest run: no job runs the unit tests.
        "pytest-only-installed",
        [
            (LINT_STEP, "      - run: pip install ruff pytest && ruff check .\n"),
            (f"      - run: {UNIT_TESTS}\n", ""),
        ],
        UNIT,
        "no job runs the unit tests (pytest)",
    ),
    (
        "docker-action-on-a-tag",
        [
            (
                "docker/setup-buildx-action@4d04d5d9486b7bd6fa91e7baf45bbb4f8b9deedd # v4.0.0",
                "docker://alpine:3.22",
            )
        ],
        PINNED,
        "`docker://alpine:3.22` names the image by tag",
    ),
]


@pytest.mark.parametrize(
    ("replacements", "expectation", "message"),
    [m[1:] for m in MISTAKES],
    ids=[m[0] for m in MISTAKES],
)
def test_each_mistake_fails_its_check_with_a_specific_message(
    tmp_path, replacements, expectation, message
):
    problems = JUDGED_BY[expectation](workflow_from(edit(MODEL, *replacements), tmp_path))
    assert problems, f"{expectation!r} passed"
    assert any(message in problem for problem in problems), problems
    assert all(re.match(r"line \d+", p) or "no job" in p for p in problems), problems


ONE_TEST_JOB = f"""
on:
  pull_request:
  push:
    tags: ["v*"]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: {CHECKOUT}
      - run: uv run pytest tests/unit tests/integration tests/contract
"""


def test_unit_and_integration_tests_in_one_job_are_named(tmp_path):
    assert (
        "job `test` runs the unit tests and the integration tests together"
        in (review.later_job_problems(workflow_from(ONE_TEST_JOB, tmp_path))[0])
    )


def test_messages_name_the_line_of_the_problem(tmp_path):
    text = edit(MODEL, (ECR_LOGIN, LOGIN_WITH.format(password="hunter2")))
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "hunter2" in row)
    assert review.secret_problems(workflow_from(text, tmp_path)) == [
        f"line {line}: `password` is written out in the file; store it as a repository secret "
        "and write `password: ${{ secrets.REGISTRY_PASSWORD }}`"
    ]


# --- right answers that differ from the model ----------------------------------------------------

OTHER_RIGHT_ANSWERS = [
    (
        "stored-secret-fallback",
        [(ECR_LOGIN, LOGIN_WITH.format(password="${{ secrets.REGISTRY_PASSWORD }}"))],
    ),
    (
        "a-login-steps-token",
        [
            (
                ECR_LOGIN,
                GCP_AUTH + LOGIN_WITH.format(password="${{ steps.auth.outputs.access_token }}"),
            )
        ],
    ),
    ("github-token", [(ECR_LOGIN, LOGIN_WITH.format(password="${{ secrets.GITHUB_TOKEN }}"))]),
    (
        "ref-type-condition",
        [("if: startsWith(github.ref, 'refs/tags/v')", "if: github.ref_type == 'tag'")],
    ),
    (
        "expression-braces",
        [
            (
                "if: startsWith(github.ref, 'refs/tags/v')",
                "if: ${{ startsWith(github.ref, 'refs/tags/') }}",
            )
        ],
    ),
    (
        "other-job-names",
        [
            ("  unit:\n", "  fast:\n"),
            ("needs: [unit]", "needs: [fast]"),
            ("needs: [unit, integration]", "needs: [fast, integration]"),
            ("  integration:\n", "  slow:\n"),
            ("needs: [fast, integration]", "needs: [fast, slow]"),
        ],
    ),
    (
        "docker-commands",
        [
            (
                "      - uses: docker/build-push-action@bcafcacb16a39f128d818304e6c9c0c18556b85f # v7.1.0\n        with:\n          context: .\n          push: true\n",
                '      - run: docker build -t "$IMAGE" . && docker push "$IMAGE"\n        env:\n          IMAGE: ${{ steps.ecr.outputs.registry }}/bookings:${{ github.ref_name }}\n      - uses: docker/build-push-action@bcafcacb16a39f128d818304e6c9c0c18556b85f # v7.1.0\n        with:\n          context: .\n          push: true\n',
            )
        ],
    ),
    (
        "push-by-digest",
        [
            (
                "          push: true\n",
                "          outputs: type=image,name=example/bookings,push-by-digest=true,push=true\n",
            )
        ],
    ),
    ("tag-filter-semver", [('tags: ["v*"]', 'tags: ["v*.*.*"]')]),
    (
        "event-ref-condition",
        [
            (
                "if: startsWith(github.ref, 'refs/tags/v')",
                "if: startsWith(github.event.ref, 'refs/tags/v')",
            )
        ],
    ),
    (
        "needs-result-condition",
        [
            (
                "if: startsWith(github.ref, 'refs/tags/v')",
                "if: github.ref_type == 'tag' && needs.integration.result == 'success'",
            )
        ],
    ),
    (
        "fromjson-condition",
        [
            (
                "if: startsWith(github.ref, 'refs/tags/v')",
                "if: contains(fromJSON('[\"tag\"]'), github.ref_type)",
            )
        ],
    ),
    (
        "quoted-boolean-inputs",
        [
            ("persist-credentials: false", "persist-credentials: 'false'"),
            (ECR_LOGIN, ECR_LOGIN + "        with:\n          mask-password: 'true'\n"),
        ],
    ),
    (
        "gcloud-registry-login",
        [
            (
                ECR_LOGIN,
                GCP_AUTH + "      - run: gcloud auth configure-docker europe-docker.pkg.dev\n",
            ),
            ("${{ steps.ecr.outputs.registry }}", "europe-docker.pkg.dev/acme/bookings"),
        ],
    ),
    (
        "azure-registry-login",
        [
            (ECR_LOGIN, "      - run: az acr login --name acme\n"),
            ("${{ steps.ecr.outputs.registry }}", "acme.azurecr.io"),
        ],
    ),
    (
        "unit-tests-by-ignore-glob",
        [
            ("  unit:\n    name: Lint and unit tests\n", "  test:\n    name: Lint and test\n"),
            ("needs: [unit]", "needs: [test]"),
            ("needs: [unit, integration]", "needs: [test, integration]"),
            (
                "--ignore=tests/integration --ignore=tests/contract",
                "--ignore-glob='tests/integration/*' --ignore-glob='tests/contract/*'",
            ),
        ],
    ),
    (
        "unit-tests-by-deselect",
        [
            ("  unit:\n    name: Lint and unit tests\n", "  test:\n    name: Lint and test\n"),
            ("needs: [unit]", "needs: [test]"),
            ("needs: [unit, integration]", "needs: [test, integration]"),
            (
                "--ignore=tests/integration --ignore=tests/contract",
                "--deselect tests/integration --deselect=tests/contract",
            ),
        ],
    ),
    (
        "py.test-entry-point",
        [("uv run --with pytest pytest -q", "uv run py.test -q")],
    ),
    (
        "pytest-of-the-synced-environment",
        [("uv run --with pytest pytest -q", ".venv/bin/pytest -q")],
    ),
    (
        "python-m-pytest-of-the-synced-environment",
        [("uv run --with pytest pytest -q", ".venv/bin/python -m pytest -q")],
    ),
    (
        "later-suites-from-a-matrix",
        [
            (
                "  integration:\n    name: Integration and contract tests\n",
                "  slow:\n    name: Slower tests\n    strategy:\n      matrix:\n"
                "        suite: [integration, contract]\n",
            ),
            ("pytest -q tests/integration tests/contract", "pytest -q tests/${{ matrix.suite }}"),
            ("needs: [unit, integration]", "needs: [unit, slow]"),
        ],
    ),
    *(
        (
            f"later-suites-from-{form}",
            [
                (
                    "  integration:\n    name: Integration and contract tests\n",
                    f"  slow:\n    name: Slower tests\n    strategy:\n      matrix:\n{matrix}",
                ),
                ("pytest -q tests/integration tests/contract", f"pytest -q tests/{suite}"),
                ("needs: [unit, integration]", "needs: [unit, slow]"),
            ],
        )
        for form, matrix, suite in [
            (
                "an-include-list",
                "        include:\n          - suite: integration\n          - suite: contract\n",
                "${{ matrix.suite }}",
            ),
            (
                "mappings",
                "        cfg: [{suite: integration}, {suite: contract}]\n",
                "${{ matrix.cfg.suite }}",
            ),
            (
                "a-fromjson-list",
                '        suite: ${{ fromJSON(\'["integration", "contract"]\') }}\n',
                "${{ matrix.suite }}",
            ),
        ]
    ),
    (
        "activated-python3-m-pytest",
        [("uv run --with pytest pytest -q", ". .venv/bin/activate && python3 -m pytest -q")],
    ),
    (
        "uv-run-python3-m-pytest",
        [("uv run --with pytest pytest -q", "uv run python3 -m pytest -q")],
    ),
    *(
        (
            name,
            [
                (
                    "      - uses: astral-sh/setup-uv@681c641aba71e4a1c380be3ab5e12ad51f415867 # v7.1.6\n      # With a lock file",
                    f"      - run: {install}\n      # With a lock file",
                )
            ],
        )
        for name, install in [
            ("pipx-install-uv", "pipx install uv"),
            ("uv-standalone-installer", "curl -LsSf https://astral.sh/uv/install.sh | sh"),
        ]
    ),
    ("docker-bake-action", [(BUILD_STEP, BAKE_STEP)]),
    (
        "depot-build-push-action",
        [
            (
                "docker/build-push-action@bcafcacb16a39f128d818304e6c9c0c18556b85f # v7.1.0",
                "depot/build-push-action@2583627a84956d07561420dcc1d0eb1f2af3fac0 # v1.15.0",
            ),
            (
                "          sbom: true\n          provenance: mode=max\n",
                "          project: abc123xyz\n",
            ),
        ],
    ),
    ("buildah-commands", [(BUILD_STEP, BUILDAH_COMMANDS)]),
    *((name, [(BUILD_STEP, step)]) for name, step in OTHER_BUILDERS.items()),
    (
        "buildah-login-command",
        [
            (ECR_LOGIN, ""),
            ("${{ steps.ecr.outputs.registry }}", "registry.example.com"),
            (
                BUILD_STEP,
                BUILDAH_COMMANDS.replace(
                    "          buildah build",
                    '          buildah login --username bot --password-stdin registry.example.com <<< "$TOKEN"\n'
                    "          buildah build",
                )
                .replace("${{ steps.ecr.outputs.registry }}", "registry.example.com")
                .replace(
                    "        env:\n",
                    "        env:\n          TOKEN: ${{ secrets.REGISTRY_TOKEN }}\n",
                ),
            ),
        ],
    ),
    ("buildah-actions", [(BUILD_STEP, BUILDAH_ACTIONS)]),
    (
        "experimental-combinations-may-fail",
        [
            (
                "    timeout-minutes: 10\n",
                "    timeout-minutes: 10\n    continue-on-error: ${{ matrix.experimental }}\n"
                "    strategy:\n      matrix:\n        python: ['3.13']\n        experimental: [false]\n"
                "        include:\n          - python: '3.14'\n            experimental: true\n",
            )
        ],
    ),
    (
        "on-as-a-list",
        [
            (
                'on:\n  pull_request:\n  push:\n    branches: [main]\n    tags: ["v*"]\n',
                "on: [pull_request, push]\n",
            )
        ],
    ),
    (
        "pull-request-branches-and-types",
        [
            (
                "  pull_request:\n",
                "  pull_request:\n    branches:\n      - main\n    types: [opened, synchronize, reopened]\n",
            ),
            ('tags: ["v*"]', "tags:\n      - 'v[0-9]+.[0-9]+.[0-9]+'"),
        ],
    ),
    (
        "pull-request-as-a-flow-mapping",
        [
            ("  pull_request:\n", "  pull_request: {branches: [main]}\n"),
            ('tags: ["v*"]', "tags: ['v*']"),
        ],
    ),
    (
        "extra-triggers",
        [("  pull_request:\n", "  pull_request:\n  merge_group:\n  workflow_dispatch:\n")],
    ),
    (
        "concurrency-as-one-line",
        [
            (
                "concurrency:\n  group: ci-${{ github.ref }}\n  cancel-in-progress: ${{ github.event_name == 'pull_request' }}\n",
                "concurrency: ${{ github.workflow }}-${{ github.head_ref || github.run_id }}\n",
            )
        ],
    ),
    (
        "concurrency-per-job",
        [
            (
                "concurrency:\n  group: ci-${{ github.ref }}\n  cancel-in-progress: ${{ github.event_name == 'pull_request' }}\n",
                "",
            ),
            (
                "    timeout-minutes: 10\n",
                "    timeout-minutes: 10\n    concurrency:\n      group: unit-${{ github.ref }}\n      cancel-in-progress: true\n",
            ),
        ],
    ),
    (
        "pip-install-uv",
        [
            (
                "      - uses: astral-sh/setup-uv@681c641aba71e4a1c380be3ab5e12ad51f415867 # v7.1.6\n      # With a lock file",
                "      - uses: actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065 # v5.6.0\n        with:\n          python-version: '3.13'\n      - run: pip install uv\n      # With a lock file",
            )
        ],
    ),
    ("needs-as-one-name", [("needs: [unit]", "needs: unit")]),
    (
        "working-directory-defaults",
        [
            (
                "    timeout-minutes: 10\n",
                "    timeout-minutes: 10\n    defaults:\n      run:\n        shell: bash\n        working-directory: .\n",
            )
        ],
    ),
    (
        "yaml-anchors",
        [
            (
                "      - uses: actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2\n        with:\n          persist-credentials: false\n      - uses: astral-sh/setup-uv@681c641aba71e4a1c380be3ab5e12ad51f415867 # v7.1.6\n      # With a lock file",
                "      - &checkout\n        uses: actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2\n        with:\n          persist-credentials: false\n      - &setup-uv\n        uses: astral-sh/setup-uv@681c641aba71e4a1c380be3ab5e12ad51f415867 # v7.1.6\n      # With a lock file",
            ),
            (
                "      - uses: actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2\n        with:\n          persist-credentials: false\n      - uses: astral-sh/setup-uv@681c641aba71e4a1c380be3ab5e12ad51f415867 # v7.1.6\n      - run: uv sync\n      # The runner",
                "      - *checkout\n      - *setup-uv\n      - run: uv sync\n      # The runner",
            ),
        ],
    ),
    (
        "tag-condition-with-the-event",
        [
            (
                "if: startsWith(github.ref, 'refs/tags/v')",
                "if: github.event_name == 'push' && startsWith(github.ref, 'refs/tags/v')",
            )
        ],
    ),
    (
        "checkout-pinned-without-a-comment",
        [
            (
                " # v6.0.2\n        with:\n          persist-credentials: false\n    ",
                "\n        with:\n          persist-credentials: false\n    ",
            )
        ],
    ),
    (
        "setup-uv-activates-the-environment",
        [
            (
                "      - uses: astral-sh/setup-uv@681c641aba71e4a1c380be3ab5e12ad51f415867 # v7.1.6\n      # With a lock file",
                "      - uses: astral-sh/setup-uv@681c641aba71e4a1c380be3ab5e12ad51f415867 # v7.1.6\n"
                "        with:\n          activate-environment: true\n      # With a lock file",
            ),
            ("uv run --with pytest pytest -q --ignore", "pytest -q --ignore"),
        ],
    ),
    ("uv-run-python-m-pytest", [("uv run --with pytest pytest -q", "uv run python -m pytest -q")]),
    (
        "ignore-options-with-spaces",
        [
            (
                "--ignore=tests/integration --ignore=tests/contract",
                "--ignore tests/integration --ignore tests/contract",
            )
        ],
    ),
    (
        "unit-tests-by-marker-expression",
        [
            *TESTS_RENAMED,
            (
                "--ignore=tests/integration --ignore=tests/contract",
                '-m "not integration and not contract"',
            ),
        ],
    ),
    (
        "unit-tests-by-marker-expression-in-brackets",
        [
            *TESTS_RENAMED,
            (
                "--ignore=tests/integration --ignore=tests/contract",
                "-m 'not (integration or contract)'",
            ),
        ],
    ),
    (
        "unit-tests-by-keyword-expression",
        [
            *TESTS_RENAMED,
            (
                "--ignore=tests/integration --ignore=tests/contract",
                '-k "not integration and not contract"',
            ),
        ],
    ),
    (
        "unit-tests-by-their-folder",
        [*TESTS_RENAMED, ("--ignore=tests/integration --ignore=tests/contract", "tests/unit")],
    ),
    (
        "unit-tests-by-their-files",
        [
            *TESTS_RENAMED,
            (
                "--ignore=tests/integration --ignore=tests/contract",
                "tests/test_rules.py tests/test_project.py tests/test_acceptance.py",
            ),
        ],
    ),
    (
        "unit-tests-by-a-file-pattern",
        [*TESTS_RENAMED, ("--ignore=tests/integration --ignore=tests/contract", "tests/test_*.py")],
    ),
    (
        "ignore-options-written-as-folders",
        [
            (
                "--ignore=tests/integration --ignore=tests/contract",
                "--ignore=./tests/integration/ --ignore tests/contract/",
            )
        ],
    ),
    (
        "ignore-globs-anywhere",
        [
            *TESTS_RENAMED,
            (
                "--ignore=tests/integration --ignore=tests/contract",
                "--ignore-glob='*/integration/*' --ignore-glob='*/contract/*'",
            ),
        ],
    ),
    ("lint-with-uvx-ruff", [("uv run --with ruff ruff check .", "uvx ruff check .")]),
    (
        "lint-with-ruff-options-first",
        [("uv run --with ruff ruff check .", "uvx ruff --quiet check --output-format=github")],
    ),
    (
        "lint-with-python-m-ruff",
        [("uv run --with ruff ruff check .", "uv run python -m ruff check")],
    ),
    ("lint-with-flake8", [("uv run --with ruff ruff check .", "uv run --with flake8 flake8 src")]),
    ("lint-with-pylint", [("uv run --with ruff ruff check .", "uv run --with pylint pylint src")]),
    (
        "lint-with-pre-commit",
        [
            (
                "uv run --with ruff ruff check .",
                "uvx pre-commit run --all-files --show-diff-on-failure",
            )
        ],
    ),
    (
        "lint-and-format-check-in-one-step",
        [("uv run --with ruff ruff check .", "uvx ruff format --check . && uvx ruff check .")],
    ),
    (
        "lint-in-a-job-of-its-own",
        [(LINT_STEP, ""), ("jobs:\n  unit:\n", f"jobs:\n{LINT_JOB}  unit:\n")],
    ),
    ("image-needs-only-the-later-job", [("needs: [unit, integration]", "needs: integration")]),
    (
        # Installing the test tools by name runs none of them: the job is still the unit job.
        "test-tools-installed-by-name-and-a-marker-expression",
        [
            *TESTS_RENAMED,
            (
                "      - run: uv sync\n",
                "      - run: python -m pip install . httpx hypothesis pytest schemathesis\n",
            ),
            (UNIT_TESTS, 'python -m pytest -q -m "not integration and not contract"'),
        ],
    ),
    ("runs-on-a-named-image", [("    runs-on: ubuntu-latest\n", "    runs-on: ubuntu-24.04\n")]),
    (
        "a-local-action",
        [
            (
                f"      - uses: {CHECKOUT}\n        with:\n          persist-credentials: false\n      - uses: astral-sh",
                f"      - uses: {CHECKOUT}\n        with:\n          persist-credentials: false\n      - uses: ./.github/actions/setup\n      - uses: astral-sh",
            )
        ],
    ),
]


@pytest.mark.parametrize(
    "replacements", [a[1] for a in OTHER_RIGHT_ANSWERS], ids=[a[0] for a in OTHER_RIGHT_ANSWERS]
)
def test_right_answers_that_differ_from_the_model_pass(tmp_path, replacements):
    workflow = workflow_from(edit(MODEL, *replacements), tmp_path)
    # Every judgement of the file, SchemaStore's schema and actionlint included: a right answer
    # that actionlint rejects would be a right answer the check refuses.
    for expectation in (SCHEMA, LINT, TRIGGERS, UNIT, LATER, IMAGE, SECRETS, PINNED):
        assert JUDGED_BY[expectation](workflow) == [], expectation


@pytest.mark.parametrize(
    ("arguments", "later"),
    [
        ("-q", ["tests/integration", "tests/contract"]),
        ("tests", ["tests/integration", "tests/contract"]),
        (".", ["tests/integration", "tests/contract"]),
        ("tests/unit", []),
        ("tests/test_rules.py tests/test_project.py", []),
        ("tests/test_*.py", []),
        ("tests/* --ignore=tests/contract", ["tests/integration"]),
        ("--ignore=tests/integration", ["tests/contract"]),
        ("--ignore tests/integration --ignore ./tests/contract/", []),
        ("--ignore=tests", []),
        ("--ignore=tests/integration/test_api.py --ignore=tests/contract", ["tests/integration"]),
        ("--ignore-glob=tests/integration/* --ignore-glob=tests/contract/*", []),
        ("--ignore-glob=*/integration/* --ignore-glob=*contract*", []),
        ("--deselect tests/integration --deselect=tests/contract/", []),
        (
            "--deselect tests/integration/test_api.py --deselect=tests/contract",
            ["tests/integration"],
        ),
        ("-m 'not integration and not contract'", []),
        ("-m 'not (integration or contract)'", []),
        ("-m 'not integration'", ["tests/contract"]),
        ("-m integration", ["tests/integration"]),
        ("-m slow -m 'not integration and not contract'", []),  # the last -m wins
        ("-m 'not integration and not contract' -m slow", []),
        ("-k 'not integration and not contract'", []),
        ("-k 'not Integration'", ["tests/contract"]),
        ("tests/integration tests/contract", ["tests/integration", "tests/contract"]),
        ("tests/integration/test_api.py::test_one", ["tests/integration"]),
    ],
)
def test_which_later_folders_a_pytest_command_runs(arguments, later):
    assert review.later_folders_run(shlex.split(arguments)) == later


@pytest.mark.parametrize("expression", ["not (integration", "integration and", "not", "a b"])
def test_an_expression_that_cannot_be_read_is_left_to_pytest(expression):
    assert review.later_folders_run(["-m", expression]) is None


@pytest.mark.parametrize(
    ("settings", "command", "later"),
    [
        ("addopts = \"-m 'not integration and not contract'\"", "pytest -q", []),
        ('addopts = ["-m", "not integration and not contract"]', "pytest", []),
        ("addopts = \"-m 'not integration and not contract'\"", "pytest -m contract", ["c"]),
        ('testpaths = ["tests/unit"]', "pytest -q", []),
        ('testpaths = ["tests"]', "pytest -q", ["i", "c"]),
        ('testpaths = ["tests/unit"]', "pytest tests", ["i", "c"]),
    ],
)
def test_the_projects_pytest_settings_count(tmp_path, settings, command, later):
    """pytest reads `addopts` before the command line and runs `testpaths` when given no path."""
    (tmp_path / "pyproject.toml").write_text(
        f"[project]\nname = 'x'\n\n[tool.pytest.ini_options]\n{settings}\n", encoding="utf-8"
    )
    folders = {"i": "tests/integration", "c": "tests/contract"}
    arguments = local_run.pytest_arguments(command)
    assert review.later_folders_run(arguments, tmp_path) == [folders[f] for f in later]


@pytest.mark.parametrize(
    ("command", "verdict"),
    [
        ("ruff check .", "lints"),
        ("uv run --with ruff ruff check .", "lints"),
        ("uvx ruff check --output-format=github .", "lints"),
        ("uvx --from ruff==0.8.0 ruff check", "lints"),
        ("uv tool run ruff check", "lints"),
        ("pipx run ruff check src", "lints"),
        (".venv/bin/ruff --config ruff.toml check", "lints"),
        ("python -m ruff check .", "lints"),
        ("uv run flake8 src tests", "lints"),
        ("poetry run pylint src", "lints"),
        ("pre-commit run --all-files", "lints"),
        ("uvx pre-commit run -a", "lints"),
        ("pre-commit run --from-ref origin/main --to-ref HEAD", "lints"),
        ("tox -e lint", "lints"),
        ("uv run nox -s lint", "lints"),
        ("ruff format --check .", "format"),
        ("pre-commit run", "staged"),
        ("uvx pre-commit run ruff", "staged"),
        ("ruff --version", ""),
        ("echo ruff check", ""),
        ("pip install ruff", ""),
        ("mypy src", ""),
        ("tox -e py", ""),
    ],
)
def test_what_lints_the_code(command, verdict):
    assert review.lint_verdict(command) == verdict


@pytest.mark.parametrize(
    "step",
    [
        "      - uses: astral-sh/ruff-action@v3\n",
        "      - uses: pre-commit/action@v3.0.1\n",
    ],
    ids=["ruff-action", "pre-commit-action"],
)
def test_a_lint_action_lints(tmp_path, step):
    workflow = workflow_from(edit(MODEL, (LINT_STEP, step)), tmp_path)
    assert review.unit_job_problems(workflow) == []


def test_a_make_target_that_lints_counts_and_one_that_does_not_is_refused(tmp_path):
    """`make lint` is what its recipe runs: the Makefile is read from the workflow's project."""
    project = tmp_path / "project"
    write_workflow(project, edit(MODEL, (LINT_STEP, "      - run: make lint\n")))
    (project / "Makefile").write_text(MAKEFILE, encoding="utf-8")
    assert review.unit_job_problems(wf.read_workflow(project / checks.WORKFLOW_FILE)) == []
    (project / "Makefile").write_text(
        MAKEFILE.replace("ruff check", "ruff format --check"), encoding="utf-8"
    )
    (problem,) = review.unit_job_problems(wf.read_workflow(project / checks.WORKFLOW_FILE))
    assert "no job lints the code on a pull request; `ruff format --check` checks only" in problem


def test_one_unit_job_that_leaves_the_later_tests_out_is_enough(tmp_path):
    """A second job on every test (say, on another OS) does not undo the unit job's scope."""
    everything = (
        f"  everything:\n    runs-on: macos-latest\n    steps:\n      - uses: {CHECKOUT}\n"
        "      - run: uv run pytest -q\n\n"
    )
    workflow = workflow_from(
        edit(MODEL, ("  integration:\n", everything + "  integration:\n")), tmp_path
    )
    assert review.unit_jobs(workflow) == ["unit", "everything"]
    assert review.unit_job_problems(workflow) == []


# --- running the pull-request commands -----------------------------------------------------------

COMMANDS = "the pull-request jobs' commands pass when run on a copy of your project"


def tree_state(root: Path) -> tuple[dict[str, bytes], str]:
    files = {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True)
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True
    )
    return files, head.stdout + status.stdout


def test_a_failing_test_fails_the_check_naming_the_step(learner):
    (learner / "tests" / "test_broken.py").write_text(
        "def test_broken():\n    assert sum([1]) == 2\n"
    )
    message = found(judge("06.1"))[COMMANDS]
    unit_tests_line = next(
        number
        for number, line in enumerate(MODEL.splitlines(), start=1)
        if "pytest -q --ignore=tests/integration" in line
    )
    assert f"(job `unit`, line {unit_tests_line}) failed with exit code 1: " in message
    assert "1 failed" in message


def test_checking_changes_nothing_in_the_project(learner):
    (learner / "tests" / "test_broken.py").write_text(
        "def test_broken():\n    assert sum([1]) == 2\n"
    )
    before = tree_state(learner)
    judge("06.1")
    assert tree_state(learner) == before


def test_a_lint_failure_fails_the_check(learner):
    (learner / "src" / "booking_service" / "unused.py").write_text("import os\n")
    assert "ruff check ." in found(judge("06.1"))[COMMANDS]


def test_a_workflow_with_nothing_to_run_here_is_named(learner):
    text = f"on: pull_request\njobs:\n  unit:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: {CHECKOUT}\n      - run: uv sync\n"
    write_workflow(learner, text)
    assert "nothing was tested" in found(judge("06.1"))[COMMANDS]


def test_a_test_folder_the_course_project_has_must_exist(learner):
    """Stage 05 gave the project tests/integration: a learner who deleted it is told."""
    shutil.rmtree(learner / "tests" / "integration")
    assert "tests/integration" in found(judge("06.1"))[COMMANDS]


TYPO_MAKEFILE = (
    "PYTEST ?= uv run --with pytest pytest -q\n\ntest-later:\n"
    "\t$(PYTEST) tests/integratoin tests/contract\n"
)


@pytest.mark.parametrize(
    ("makefile_text", "command"),
    [
        (None, "uv run --with pytest pytest -q tests/integratoin tests/contract"),
        (TYPO_MAKEFILE, "make test-later"),
        (TYPO_MAKEFILE.replace("test-later:", "test-later: lint") + "lint:\n\ttrue\n", "make"),
        (
            None,
            "uv sync --locked && uv run --with pytest pytest -q tests/integratoin tests/contract",
        ),
        (TYPO_MAKEFILE + "ci:\n\t@$(MAKE) test-later\n", "uv sync && make ci"),
    ],
    ids=["direct", "make-recipe", "make-first-target", "after-an-install", "make-calls-make"],
)
def test_a_test_path_the_project_lacks_is_named_however_pytest_is_run(
    learner, makefile_text, command
):
    """A path no project has (a typo) fails on GitHub: the check says so, for pytest run
    directly or through a make recipe, in the same words."""
    if makefile_text is not None:
        (learner / "Makefile").write_text(makefile_text, encoding="utf-8")
    (learner / "uv.lock").write_text(LOCK, encoding="utf-8")  # for `uv sync --locked`
    write_workflow(
        learner,
        edit(MODEL, ("uv run --with pytest pytest -q tests/integration tests/contract", command)),
    )
    message = found(judge("06.1"))[COMMANDS]
    line = MODEL[: MODEL.index("pytest -q tests/integration")].count("\n") + 1
    # Only the step's name, the command as written, differs.
    assert message.partition(" (job ")[2] == (
        f"`integration`, line {line}) failed: pytest is given `tests/integratoin`, which your "
        "project does not have"
    )


# The first `uv sync` (the unit job's) made `--locked`, or UV_FROZEN for every job.
LOCKED_MODELS = {
    "locked-sync": edit(MODEL, ("      - run: uv sync\n", "      - run: uv sync --locked\n")),
    "uv-frozen-for-the-workflow": edit(MODEL, ("\njobs:\n", "\nenv:\n  UV_FROZEN: '1'\n\njobs:\n")),
}


@pytest.mark.parametrize(
    ("workflow", "says"),
    [
        (LOCKED_MODELS["locked-sync"], "`uv sync --locked`"),
        (LOCKED_MODELS["uv-frozen-for-the-workflow"], "`uv sync`, with `UV_FROZEN` set in `env:`,"),
    ],
    ids=list(LOCKED_MODELS),
)
def test_the_model_using_a_lock_file_the_project_lacks_fails(learner, workflow, says):
    """The template's `uv sync --locked`, copied into a stage-06 project (no uv.lock until
    stage 07): green here, red on GitHub, unless the check follows uv."""
    assert not (learner / "uv.lock").exists()
    write_workflow(learner, workflow)
    message = found(judge("06.1"))[COMMANDS]
    assert f"{says} stops on GitHub: your project has no uv.lock" in message, message
    assert "Run `uv lock` in your project and commit uv.lock" in message, message


@pytest.mark.parametrize("workflow", LOCKED_MODELS.values(), ids=list(LOCKED_MODELS))
def test_the_model_using_the_lock_file_the_project_has_passes(learner, workflow):
    (learner / "uv.lock").write_text(LOCK, encoding="utf-8")
    write_workflow(learner, workflow)
    assert found(judge("06.1")) == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "does not exist yet — create it in your project folder, service/.github/workflows/"),
        ("on: [pull_request\njobs: {}\n", "ci.yml is not valid YAML: line"),
        ("name: CI\n", "no top-level `on:` or `jobs:`"),
    ],
    ids=["missing", "broken-yaml", "no-jobs"],
)
def test_bad_input_is_one_line_and_the_rest_is_not_checked(learner, text, expected):
    if text:
        write_workflow(learner, text)
    else:
        (learner / checks.WORKFLOW_FILE).unlink()
    result = judge("06.1")
    first, *rest = result.outcomes
    assert expected in first.found
    assert all(outcome.found.startswith("not checked until") for outcome in rest)


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        ("uv sync --locked", "it installs dependencies"),
        ("pip install -r requirements.txt\npython -m pip install -e .", "it installs dependencies"),
        ("docker build -t x .", "builds or moves container images"),
        ("cosign sign --yes $IMAGE", "signs artefacts"),
        ("aws ecr get-login-password", "talks to a cloud or to GitHub"),
        ("git push origin v1.2.0", "publishes"),
        ("./deploy/rollout.sh $IMAGE", "deploys"),
        ("sudo apt-get update\nsudo apt-get install -y libpq-dev", "installs system packages"),
        ("sudo apt-get install -y python3-pytest && pytest", "installs system packages"),
        ("brew install --quiet uv", "installs system packages"),
        ("conda install -y -c conda-forge numpy", "installs system packages"),
        ("apk add --no-cache build-base", "installs system packages"),
        # A program whose name only starts like a package manager's runs.
        ("aptly --help", ""),
        ("brewer install", ""),
        ("uv run uvicorn app:app &\ncurl localhost:8000", "starts a background process"),
        ("# only a comment\n", "it runs nothing"),
        ("uv run pytest -q", ""),
        ("uv sync\nuv run pytest -q", ""),
        ("uv sync --locked && uv run pytest -q", ""),
        ("python -m venv .venv && .venv/bin/pip install -e . && .venv/bin/pytest", ""),
        ("echo a && echo b", ""),
        # uv installed without setup-uv: the course's environment has it.
        ("pipx install uv", "it installs dependencies"),
        ("curl -LsSf https://astral.sh/uv/install.sh | sh", "it installs dependencies"),
        (
            "wget -qO- https://astral.sh/uv/install.sh | sh -s -- --quiet",
            "it installs dependencies",
        ),
        # A download piped elsewhere, or an installer chained to tests, still runs.
        ("curl -fsS localhost:8000/health | python -m json.tool", ""),
        ("curl -LsSf https://astral.sh/uv/install.sh | sh && uv run pytest -q", ""),
        # Another runner's tasks are written in its own settings, which the check does not read.
        ("tox -e py", "runs a task of tox's settings"),
        ("uvx --with tox-uv tox", "runs a task of tox's settings"),
        ("uv run nox -s tests", "runs a task of noxfile.py"),
        ("hatch test", "runs a task of hatch's settings"),
        ("hatch run test", "runs a task of hatch's settings"),
        ("hatch run test:unit -q", "runs a task of hatch's settings"),
        ("pdm run test", "runs a task of pdm's settings"),
        ("pdm run lint && pdm run pytest -q", "runs a task of pdm's settings"),
        # A runner given a program runs it: the course's environment has pytest and ruff.
        ("hatch run pytest -q", ""),
        ("pdm run python -m pytest -q", ""),
        ("pdm run ruff check .", ""),
        ("poetry run pytest -q", ""),
    ],
)
def test_what_cannot_run_here_is_recognised(script, reason):
    why = local_run.why_skipped(script)
    assert (reason in why) if reason else why == ""
    if "task of" in reason:  # what the check could not judge, not the learner's mistake
        assert why.endswith("which the check does not read: run this step yourself"), why


@pytest.mark.parametrize(
    ("command", "stripped"),
    [
        ("uv run pytest -q", "pytest -q"),
        ("uv run --with pytest --with ruff pytest -q tests", "pytest -q tests"),
        ("uv run --frozen python -m pytest", "python -m pytest"),
        ("poetry run pytest", "pytest"),
        ("pytest -k 'not slow'", "pytest -k 'not slow'"),
    ],
)
def test_runner_prefixes_are_dropped(command, stripped):
    assert local_run.strip_runner(command) == stripped


def test_colours_forced_for_jupyters_output_are_not_passed_to_the_steps(tmp_path, monkeypatch):
    # Jupyter's kernel forces colours for its own output; GitHub's runner does not, and
    # coloured output would put escape codes into the check's message.
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("CLICOLOR_FORCE", "1")
    monkeypatch.setenv("PAGER", "cat")
    environment = local_run.environment_for(tmp_path)
    assert "FORCE_COLOR" not in environment and "CLICOLOR_FORCE" not in environment
    assert environment["PAGER"] == "cat"  # the rest is inherited as before


def test_steps_share_one_hypothesis_storage_instead_of_one_per_copy(tmp_path, monkeypatch):
    # Each copy is thrown away after its step: its own .hypothesis/ would make every step work
    # out Hypothesis's Unicode tables again, about 2 s of an integration job.
    storage = tmp_path / "storage"
    monkeypatch.setattr(pytest_runs, "hypothesis_storage", lambda: storage)
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "test_text.py").write_text(
        "from hypothesis import given, strategies as st\n\n"
        "@given(st.text())\n"
        "def test_text(value):\n"
        "    assert isinstance(value, str)\n"
    )
    step = workflow_run.Step("unit", 1, "`pytest -q`", "pytest -q -p no:cacheprovider")
    result = local_run.run_step(step, copy)
    assert result.returncode == 0, result.output
    assert not (copy / ".hypothesis").exists()
    assert (storage / "unicode_data").is_dir()


def test_test_paths_written_as_a_pattern_are_found_when_files_match(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_rules.py").touch()
    script = ".venv/bin/pytest tests/test_*.py\npython3 -m pytest 'tests/it_*.py'"
    assert local_run.missing_test_paths(script, tmp_path) == ["tests/it_*.py"]


def test_missing_test_paths_are_found_and_options_are_not_paths(tmp_path):
    (tmp_path / "tests").mkdir()
    script = "uv run pytest -q -k 'integration or x' --ignore=tests/x tests tests/integration tests/contract/test_a.py"
    assert local_run.missing_test_paths(script, tmp_path) == [
        "tests/integration",
        "tests/contract/test_a.py",
    ]


@pytest.mark.parametrize(
    ("script", "missing"),
    [
        ("uv sync --locked && uv run pytest -q tests/unitt", ["tests/unitt"]),
        ("uv run pytest tests/unitt | tee report.txt", ["tests/unitt"]),
        ("cd tests && python3 -m pytest unit/test_a.py", ["unit/test_a.py"]),
        ("cd tests && py.test ../tests", []),
        # A folder the shell works out: pytest says what it did not find.
        ('cd "$SERVICE" && pytest tests/unitt', []),
    ],
)
def test_missing_test_paths_are_found_in_each_command_from_its_folder(tmp_path, script, missing):
    (tmp_path / "tests").mkdir()
    assert local_run.missing_test_paths(script, tmp_path) == missing


def test_missing_test_paths_are_found_in_a_make_recipe(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "Makefile").write_text("test:\n\tuv run pytest -q tests tests/unitt\n")
    assert local_run.missing_test_paths("make test", tmp_path) == ["tests/unitt"]
    assert local_run.missing_test_paths("make lint", tmp_path) == []
    (tmp_path / "Makefile").write_text(
        "ci:\n\t$(MAKE) test\ntest:\n\tcd tests && uv run pytest -q ../tests unit/test_a.py\n"
    )
    assert local_run.missing_test_paths("uv sync && make ci", tmp_path) == ["unit/test_a.py"]


def test_every_failing_job_is_named_in_the_workflows_order(learner):
    """The jobs run independently, as on GitHub's runners: a failure in each is named."""
    (learner / "tests" / "test_broken.py").write_text(
        "def test_broken():\n    assert sum([1]) == 2\n"
    )
    (learner / "tests" / "integration" / "test_broken_too.py").write_text(
        "def test_broken_too():\n    assert sum([2]) == 3\n"
    )
    message = found(judge("06.1"))[COMMANDS]
    assert message.index("(job `unit`") < message.index("(job `integration`")
    assert "1 failed" in message.split("(job `integration`")[1]


# --- right commands that differ from the model ------------------------------------------------

RIGHT_COMMANDS = [
    (
        "chained-runners",
        'uv run ruff --version && uv run python -c \'open("ran", "w")\'\ntest -f ran',
    ),
    ("runner-after-an-assignment", "PYTHONWARNINGS=error uv run --frozen python -c 'print(1)'"),
    ("runner-in-a-condition", "if uv run python -c 'print(1)'; then echo ran; else exit 1; fi"),
    (
        "uvx-and-uv-tool-run",
        "uvx ruff --version\nuvx ruff@0.8.0 --version\nuvx --from ruff ruff --version\n"
        "uv tool run ruff --version",
    ),
    ("uv-run-module", "uv run -m pytest --version"),
    (
        "pipx-run-and-install",
        "pipx run ruff --version\npipx run --spec ruff ruff --version\n"
        "pipx install uv && uv run python -c 'print(1)'",
    ),
    (
        "shell-variables-after-a-runner",
        "uv run python -c 'import pathlib, sys; pathlib.Path(sys.argv[1]).write_text(\"x\")' "
        '"$PWD/report.txt"\ntest -f report.txt',
    ),
    (
        "github-file-commands",
        'echo "## Unit tests" >> "$GITHUB_STEP_SUMMARY"\necho "passed=1" >> "$GITHUB_OUTPUT"\n'
        'echo "$PWD/.venv/bin" >> "$GITHUB_PATH"\necho "REPORTS=reports" >> "$GITHUB_ENV"\n'
        'test -d "$RUNNER_TEMP" && test "$GITHUB_WORKSPACE" = "$PWD"',
    ),
]


@pytest.mark.parametrize(
    "script", [c[1] for c in RIGHT_COMMANDS], ids=[c[0] for c in RIGHT_COMMANDS]
)
def test_right_commands_that_differ_from_the_model_pass(tmp_path, script):
    step = workflow_run.Step("unit", 1, "a step", script)
    result = local_run.run_step(step, tmp_path)
    assert result.passed, result.output


def failures_of(text: str, tmp_path: Path) -> dict[str, str]:
    """What each failing job of the workflow printed, its steps run as the check runs them."""
    steps = [step for step in local_run.plan(workflow_from(text, tmp_path)) if not step.skipped]
    failures = local_run.run_jobs(steps, Copies(tmp_path), local_run.environment_for(tmp_path))
    return {job: result.output for job, result in failures.items()}


SYNCED_ENVIRONMENT_COMMANDS = [
    ("venv-bin-pytest", "      - run: .venv/bin/pytest --version\n"),
    ("venv-bin-py.test", "      - run: ./.venv/bin/py.test --version\n"),
    ("venv-bin-python", "      - run: .venv/bin/python -m pytest --version\n"),
    (
        "workspace-venv",
        "      - run: $GITHUB_WORKSPACE/.venv/bin/python -c 'import pytest'\n",
    ),
    (
        "activated",
        "      - run: |\n          source .venv/bin/activate\n          pytest --version\n"
        "          python -c 'import sys, pytest; assert sys.prefix'\n",
    ),
    ("activated-with-a-dot", "      - run: . .venv/bin/activate && py.test --version\n"),
    ("github-workspace", "      - run: ${{ github.workspace }}/.venv/bin/pytest --version\n"),
    (
        "github-workspace-in-env",
        '      - run: cd "$ROOT" && test "$PWD" = "$GITHUB_WORKSPACE" && test -x .venv/bin/pytest\n'
        "        env:\n          ROOT: ${{ github.workspace }}\n",
    ),
    ("synced-in-the-same-step", None),
]


@pytest.mark.parametrize(
    "step",
    [c[1] for c in SYNCED_ENVIRONMENT_COMMANDS],
    ids=[c[0] for c in SYNCED_ENVIRONMENT_COMMANDS],
)
def test_the_environment_uv_sync_makes_can_be_used_by_its_path(tmp_path, step):
    # `uv sync` makes .venv/ on GitHub; its commands are the course's environment's here.
    steps = (
        ["      - run: uv sync --locked\n", step]
        if step
        else ["      - run: |\n          uv sync\n          .venv/bin/pytest --version\n"]
    )
    assert failures_of(one_job(*steps), tmp_path) == {}


@pytest.mark.parametrize(
    "sync", ["uv sync", "uv sync --frozen", "uv sync --locked --all-groups", "uv sync --all-extras"]
)
@pytest.mark.parametrize(
    "step",
    [
        "      - run: .venv/bin/pytest --version\n",
        "      - run: |\n          source .venv/bin/activate\n          python3 -m pytest --version\n",
    ],
    ids=["by-its-path", "activated"],
)
def test_every_uv_sync_makes_the_environment(tmp_path, sync, step):
    """`--frozen`, `--locked` and the groups change what is installed, not where."""
    assert failures_of(one_job(f"      - run: {sync}\n", step), tmp_path) == {}


@pytest.mark.parametrize(
    "steps",
    [
        [
            "      - run: pipx install uv\n",
            "      - run: uv sync\n",
            "      - run: .venv/bin/pytest --version\n",
        ],
        [
            "      - run: curl -LsSf https://astral.sh/uv/install.sh | sh\n",
            "      - run: uv sync --locked\n",
            "      - run: uv run --frozen pytest --version\n",
        ],
        [
            "      - run: python -m pip install --upgrade pip uv\n",
            "      - run: uv sync\n      - run: . .venv/bin/activate && py.test --version\n",
        ],
    ],
    ids=["pipx-install-uv", "uv-standalone-installer", "pip-install-uv"],
)
def test_uv_installed_without_setup_uv_runs(tmp_path, steps):
    assert failures_of(one_job(*steps), tmp_path) == {}


@pytest.mark.parametrize(
    "steps",
    [
        [
            "      - run: python -m venv .venv\n",
            "      - run: .venv/bin/pip install -e .\n",
            "      - run: .venv/bin/pytest --version\n",
        ],
        ["      - run: python3 -m venv env && env/bin/python -m pytest --version\n"],
        [
            "      - run: uv venv --python 3.13 ci-env\n",
            "      - run: ci-env/bin/pytest --version\n",
        ],
        [
            "      - run: uv sync\n        env:\n          UV_PROJECT_ENVIRONMENT: build/env\n",
            "      - run: build/env/bin/pytest --version\n",
        ],
    ],
    ids=["python-m-venv", "named-folder", "uv-venv-named", "uv-project-environment"],
)
def test_an_environment_made_another_way_can_be_used_by_its_path(tmp_path, steps):
    assert failures_of(one_job(*steps), tmp_path) == {}


def test_commands_chained_to_an_install_run(tmp_path):
    # `uv sync && pytest` runs pytest on GitHub: a failing test there fails here too.
    text = one_job(
        "      - run: |\n"
        "          uv sync --locked && uv run python -c 'print(\"the tests ran\")' && exit 3\n"
    )
    failures = failures_of(text, tmp_path)
    assert "the tests ran" in failures["unit"]


@pytest.mark.parametrize(
    "script",
    [
        "uv sync && pip install -r requirements.txt && pip3 install x",
        "python -m pip install -e . || exit 1",
        "python3 -m venv .venv && . .venv/bin/activate && python -m pip install -e '.[dev]'",
        "uv venv && .venv/bin/python -m pip install pytest && .venv/bin/pip install -e .",
    ],
)
def test_installs_chained_to_other_commands_are_skipped(tmp_path, script):
    text = one_job(f"      - run: {script}\n")
    assert failures_of(text, tmp_path) == {}


def test_steps_run_one_by_one_on_one_copy_each_find_the_synced_environment(tmp_path):
    # Another stage runs chosen steps one at a time on one copy (`run_step`): each finds .venv/,
    # and the copy is left without it.
    text = one_job("      - run: uv sync\n", *["      - run: .venv/bin/pytest --version\n"] * 2)
    for step in local_run.plan(workflow_from(text, tmp_path))[1:]:
        assert local_run.run_step(step, tmp_path).passed
    assert not (tmp_path / ".venv").is_symlink()


def test_the_synced_environment_does_not_exist_before_uv_sync(tmp_path):
    # On GitHub, .venv/ exists only once something made it: without `uv sync`, nothing is there.
    failures = failures_of(one_job("      - run: .venv/bin/pytest --version\n"), tmp_path)
    assert "No such file or directory" in failures["unit"]


def test_an_install_into_the_synced_environment_is_skipped(tmp_path):
    steps = local_run.plan(
        workflow_from(
            one_job(
                "      - run: uv venv\n",
                "      - run: .venv/bin/python -m pip install -e .\n",
                "      - run: .venv/bin/pip install pytest\n",
            ),
            tmp_path,
        )
    )
    assert [step.skipped.startswith("it installs") for step in steps] == [True, True, True]


MODEL_PYPROJECT = project.reference("06")["pyproject.toml"]
PYTEST_IN_AN_EXTRA = MODEL_PYPROJECT.replace(
    "[dependency-groups]",
    '[project.optional-dependencies]\ntest = ["pytest>=9.2"]\n\n[dependency-groups]\n'
    'contract = ["schemathesis>=4.30"]\nlint = ["ruff"]',
)


LOCK = "version = 1\n"
"""A committed uv.lock, which `uv sync --locked` needs on GitHub (the check does not read it)."""


def pytest_left_out(tmp_path: Path, *scripts: str, pyproject: str = MODEL_PYPROJECT) -> list[str]:
    """Why the steps' pytest commands would find no pytest on GitHub (one reason per step)."""
    (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    (tmp_path / "uv.lock").write_text(LOCK, encoding="utf-8")
    text = one_job(*(f"      - run: {script}\n" for script in scripts))
    steps = local_run.plan(workflow_from(text, tmp_path))
    reasons = (local_run.pytest_left_out(step, tmp_path) for step in steps if not step.skipped)
    return [reason for reason in reasons if reason]


@pytest.mark.parametrize(
    ("scripts", "installer"),
    [
        (["uv sync --no-dev", ".venv/bin/pytest -q"], "`uv sync --no-dev`"),
        (["uv sync --locked --no-group dev", ".venv/bin/python -m pytest"], "--no-group dev"),
        (["uv sync --only-group lint", "source .venv/bin/activate && pytest"], "--only-group"),
        (["uv sync --no-default-groups && .venv/bin/pytest"], "--no-default-groups"),
        (["uv run --no-dev pytest -q"], "`uv run --no-dev`"),
        (["uv run --frozen --no-dev python -m pytest"], "`uv run --frozen --no-dev`"),
        (["uv sync --no-dev", "uv run --no-sync pytest"], "`uv sync --no-dev`"),
        # `uv sync` is exact: the second removes what the first installed.
        (["uv sync", "uv sync --no-dev", ".venv/bin/pytest"], "`uv sync --no-dev`"),
        # Bare `pip` is the runner's: what it installs is not in .venv/.
        (["uv sync --no-dev", "pip install pytest", ".venv/bin/pytest"], "`uv sync --no-dev`"),
        (
            ["uv sync --no-dev", "pip install -r requirements-dev.txt", ".venv/bin/pytest"],
            "`uv sync --no-dev`",
        ),
    ],
    ids=[
        "no-dev-venv-pytest",
        "no-group-dev",
        "only-another-group",
        "no-default-groups",
        "uv-run-no-dev",
        "uv-run-no-dev-python-m",
        "uv-run-no-sync",
        "a-later-sync-removes-it",
        "pip-installs-into-the-runner-not-the-venv",
        "unknown-pip-install-into-the-runner",
    ],
)
def test_pytest_left_out_of_the_environment_is_refused(tmp_path, scripts, installer):
    # The stand-in .venv/ here has every command; on GitHub pytest comes with the dev group.
    (reason,) = pytest_left_out(tmp_path, *scripts)
    assert "so the runner has no pytest" in reason and installer in reason
    assert "the group `dev`" in reason


@pytest.mark.parametrize(
    ("env", "scripts", "refused"),
    [
        ("UV_NO_DEV: '1'", ["uv sync", ".venv/bin/pytest -q"], True),
        ("UV_NO_DEV: 'true'", ["uv run pytest -q"], True),
        ("UV_NO_DEV: '1'\n      UV_NO_SYNC: '1'", ["uv sync --dev", "uv run pytest"], False),
        ("UV_NO_DEV: '1'", ["uv sync --dev", ".venv/bin/pytest -q"], False),
        ("UV_NO_DEV: '0'", ["uv sync", ".venv/bin/pytest -q"], False),
        ("UV_NO_SYNC: '1'", ["uv sync --no-dev", "uv run pytest -q"], True),
    ],
    ids=["no-dev-sync", "no-dev-run", "dev-on-the-line-wins", "dev-flag", "zero", "no-sync"],
)
def test_uv_settings_in_the_jobs_env_count_as_its_options(tmp_path, env, scripts, refused):
    """`env: UV_NO_DEV: 1` is `--no-dev` on every uv command of the job, as uv reads it."""
    (tmp_path / "pyproject.toml").write_text(MODEL_PYPROJECT, encoding="utf-8")
    text = one_job(
        *(f"      - run: {script}\n" for script in scripts), strategy=f"    env:\n      {env}\n"
    )
    steps = local_run.plan(workflow_from(text, tmp_path))
    reasons = [local_run.pytest_left_out(step, tmp_path) for step in steps if not step.skipped]
    assert any("so the runner has no pytest" in reason for reason in reasons) is refused, reasons


@pytest.mark.parametrize(
    "scripts",
    [
        ["uv run --no-dev --with pytest pytest -q"],
        ["uv run --no-dev --with 'pytest>=9' --with httpx pytest -q"],
        ["uv sync --no-dev", "uv run pytest -q"],  # `uv run` installs the dev group itself
        ["uv sync", "uv run --no-dev pytest"],  # and leaves what is there, unless --exact
        ["uv sync --only-dev", ".venv/bin/pytest"],
        ["uv sync --only-group dev", ".venv/bin/pytest"],
        ["uv sync --no-default-groups --group dev", ".venv/bin/pytest"],
        ["uv sync --no-dev", "uv pip install pytest", ".venv/bin/pytest"],
        ["uv sync --no-dev && .venv/bin/pip install pytest && .venv/bin/pytest"],
        ["uv sync --no-dev", "uvx pytest --version"],
        ["uv sync --no-dev", "uv tool install pytest", "pytest --version"],
        ["uv sync --no-dev", "uv run python -m booking_service.migrate --help || true"],
    ],
    ids=[
        "with-pytest",
        "with-a-pytest-range",
        "uv-run-after-no-dev",
        "uv-run-no-dev-after-sync",
        "only-dev",
        "only-group-dev",
        "group-dev-again",
        "uv-pip-install-pytest",
        "pip-install-pytest",
        "uvx-pytest",
        "uv-tool-install-pytest",
        "no-pytest-command",
    ],
)
def test_pytest_that_the_environment_has_is_not_refused(tmp_path, scripts):
    assert pytest_left_out(tmp_path, *scripts) == []


@pytest.mark.parametrize(
    ("scripts", "refused"),
    [
        (["uv sync --no-dev --extra test", ".venv/bin/pytest"], False),
        (["uv sync --no-dev --all-extras", ".venv/bin/pytest"], False),
        # schemathesis needs pytest: its group brings pytest along.
        (["uv sync --only-group contract", ".venv/bin/pytest"], False),
        (["uv sync --no-dev", ".venv/bin/pytest"], True),
        (["uv sync --only-group lint --extra test", ".venv/bin/pytest"], True),
    ],
    ids=["extra", "all-extras", "a-group-that-needs-pytest", "no-dev", "only-group-no-project"],
)
def test_pytest_from_an_extra_or_another_group_is_found(tmp_path, scripts, refused):
    assert bool(pytest_left_out(tmp_path, *scripts, pyproject=PYTEST_IN_AN_EXTRA)) is refused


def test_pytest_left_out_is_found_in_a_make_recipe(tmp_path):
    (tmp_path / "Makefile").write_text("test:\n\t.venv/bin/pytest -q\n", encoding="utf-8")
    assert pytest_left_out(tmp_path, "uv sync --no-dev", "make test")
    assert not pytest_left_out(tmp_path, "uv sync", "make test")


PIP_DYNAMIC = MODEL_PYPROJECT.replace(
    'readme = "README.md"', 'readme = "README.md"\ndynamic = ["dependencies"]'
).replace('dependencies = [\n    "alembic', 'old-dependencies = [\n    "alembic')
PIP_EXTRA_OF_EXTRAS = PYTEST_IN_AN_EXTRA.replace(
    'test = ["pytest>=9.2"]', 'test = ["pytest>=9.2"]\nall = ["booking-service[test]"]'
)


@pytest.mark.parametrize(
    ("scripts", "files", "installer"),
    [
        (["pip install -e .", "pytest -q"], {}, "`pip install -e .`"),
        (
            [
                "python -m pip install --upgrade pip",
                "python -m pip install -e .",
                "python -m pytest",
            ],
            {},
            "`python -m pip install -e .`",
        ),
        (["pip install .", "pytest"], {}, "`pip install .`"),
        # `.[dev]` is an extra of [project.optional-dependencies], not uv's group `dev`.
        (["pip install -e '.[dev]'", "pytest"], {}, "`pip install -e '.[dev]'`"),
        (["uv pip install --system -e .", "pytest"], {}, "`uv pip install --system -e .`"),
        (
            ["python -m venv .venv && .venv/bin/pip install -e . && .venv/bin/pytest"],
            {},
            "`.venv/bin/pip install -e .`",
        ),
        (
            ["pip install -r requirements-dev.txt", "pytest"],
            {"requirements-dev.txt": "-e .  # the project\nruff==0.8.0\n"},
            "`pip install -r requirements-dev.txt`",
        ),
        (
            ["uv sync --no-dev", ".venv/bin/pip install -e .", ".venv/bin/pytest"],
            {},
            "`uv sync --no-dev` and `.venv/bin/pip install -e .`",
        ),
        (["pip install -e .", "uv run --no-sync pytest"], {}, "`pip install -e .`"),
    ],
    ids=[
        "editable",
        "python-m-pip",
        "not-editable",
        "extra-that-is-a-group",
        "uv-pip",
        "in-a-venv",
        "requirements-file-without-pytest",
        "sync-then-pip",
        "uv-run-no-sync",
    ],
)
def test_pytest_left_out_by_pip_is_refused(tmp_path, scripts, files, installer):
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (reason,) = pytest_left_out(tmp_path, *scripts)
    assert "so the runner has no pytest" in reason and installer in reason, reason
    assert "the group `dev`" in reason and "pip install --group dev" in reason


@pytest.mark.parametrize(
    ("scripts", "files", "pyproject"),
    [
        (["pip install -e . pytest", "pytest"], {}, MODEL_PYPROJECT),
        (["pip install -e .", "python -m pip install 'pytest>=9'", "pytest"], {}, MODEL_PYPROJECT),
        (["pip install -e '.[test]'", "pytest"], {}, PYTEST_IN_AN_EXTRA),
        (["pip install -U pip && pip install -e .[all]", "pytest"], {}, PIP_EXTRA_OF_EXTRAS),
        (["pip install --group dev", "pytest"], {}, MODEL_PYPROJECT),
        (["pip install -e . --group=pyproject.toml:dev", "pytest"], {}, MODEL_PYPROJECT),
        # `--system`: without it and without an environment, uv installs nothing.
        (
            ["uv pip install --system -r pyproject.toml --extra test", "pytest"],
            {},
            PYTEST_IN_AN_EXTRA,
        ),
        (
            ["pip install -r requirements-dev.txt", "pytest"],
            {
                "requirements-dev.txt": "-r requirements.txt\n-e .\npytest-cov>=6\n",
                "requirements.txt": "fastapi\n",
            },
            MODEL_PYPROJECT,
        ),
        (["pip install -e .", "uv run pytest -q"], {}, MODEL_PYPROJECT),
        # What cannot be known here is not refused: a file the copy lacks, a URL, another
        # build backend's list of dependencies.
        (["pip install -r requirements-dev.txt", "pytest"], {}, MODEL_PYPROJECT),
        (["pip install -e . git+https://example.org/x.git", "pytest"], {}, MODEL_PYPROJECT),
        (["pip install -e .", "pytest"], {}, PIP_DYNAMIC),
    ],
    ids=[
        "pytest-in-the-same-command",
        "pytest-in-a-later-command",
        "extra-with-pytest",
        "extra-of-extras",
        "pip-group",
        "pip-group-with-a-path",
        "uv-pip-requirements-pyproject",
        "requirements-file-with-a-plugin",
        "uv-run-syncs-the-group",
        "requirements-file-not-in-the-copy",
        "a-url",
        "dynamic-dependencies",
    ],
)
def test_pytest_that_pip_installs_is_not_refused(tmp_path, scripts, files, pyproject):
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert pytest_left_out(tmp_path, *scripts, pyproject=pyproject) == []


def test_pytest_left_out_by_pip_fails_the_check_saying_why(learner):
    write_workflow(
        learner,
        MODEL.replace("      - run: uv sync\n", "      - run: pip install -e .\n").replace(
            "uv run --with pytest pytest -q", "pytest -q"
        ),
    )
    message = found(judge("06.1"))[COMMANDS]
    assert "would fail on GitHub:" in message and "`pip install -e .` leaves out" in message


def test_pytest_left_out_fails_the_check_saying_why(learner):
    # The lint step's `uv run` would sync the dev group back in, unless it says `--no-dev` too.
    write_workflow(
        learner,
        MODEL.replace("      - run: uv sync\n", "      - run: uv sync --no-dev\n")
        .replace("uv run --with pytest pytest -q", ".venv/bin/pytest -q")
        .replace("uv run --with ruff", "uv run --no-dev --with ruff"),
    )
    message = found(judge("06.1"))[COMMANDS]
    assert "(job `unit`, line" in message and "would fail on GitHub:" in message
    assert "`uv sync --no-dev`" in message and "(job `integration`, line" in message


# --- bare `pytest`: the one on the PATH, which is the runner's unless an environment is put there


def run(script: str) -> str:
    """A `run:` step of one_job, as a block when the script has several lines."""
    if "\n" not in script:
        return f"      - run: {script}\n"
    return "      - run: |\n" + "".join(f"          {line}\n" for line in script.splitlines())


def setup_uv(**inputs: str) -> str:
    """astral-sh/setup-uv, pinned as the model pins it, with these inputs."""
    given = "".join(
        f"          {name.replace('_', '-')}: {value}\n" for name, value in inputs.items()
    )
    return (
        "      - uses: astral-sh/setup-uv@681c641aba71e4a1c380be3ab5e12ad51f415867 # v7.1.6\n"
        + (f"        with:\n{given}" if given else "")
    )


SETUP_PYTHON = (
    "      - uses: actions/setup-python@a309ff8b426b58ec0e2a45f0f869d46889d02405 # v6.2.0\n"
    "        with:\n          python-version: '3.13'\n"
)


def pytest_not_found(tmp_path: Path, *steps: str, env: str = "", lock: bool = True) -> list[str]:
    """Why the steps' pytest commands would find no pytest on GitHub (one reason per step);
    with `lock`, the project has a uv.lock."""
    (tmp_path / "pyproject.toml").write_text(MODEL_PYPROJECT, encoding="utf-8")
    if lock:
        (tmp_path / "uv.lock").write_text(LOCK, encoding="utf-8")
    text = one_job(*steps, strategy=f"    env:\n      {env}\n" if env else "")
    steps_run = [step for step in local_run.plan(workflow_from(text, tmp_path)) if not step.skipped]
    reasons = (local_run.pytest_left_out(step, tmp_path) for step in steps_run)
    return [reason for reason in reasons if reason]


@pytest.mark.parametrize(
    ("steps", "command"),
    [
        ([setup_uv(), run("uv sync"), run("pytest -q")], "`pytest -q`"),
        ([setup_uv(), run("uv sync --locked"), run("python -m pytest")], "`python -m pytest`"),
        ([setup_uv(), run("uv sync --locked && pytest -q")], "`pytest -q`"),
        ([setup_uv(enable_cache="true"), run("uv sync"), run("py.test")], "`py.test`"),
        ([setup_uv(activate_environment="false"), run("uv sync"), run("pytest")], "`pytest`"),
        # An activation or a PATH lasts until its step ends.
        ([setup_uv(), run("uv sync"), run("source .venv/bin/activate"), run("pytest")], "`pytest`"),
        (
            [setup_uv(), run("uv sync"), run('export PATH="$PWD/.venv/bin:$PATH"'), run("pytest")],
            "`pytest`",
        ),
        # A line for $GITHUB_PATH counts from the next step on.
        ([setup_uv(), run('uv sync\necho "$PWD/.venv/bin" >> "$GITHUB_PATH"\npytest')], "`pytest`"),
        (
            [setup_uv(), run("uv venv"), run("uv pip install -e . pytest"), run("pytest")],
            "`pytest`",
        ),
        # After the runner's folders, `.venv/bin` gives its `pytest`, but not its `python`.
        (
            [
                setup_uv(),
                run("uv sync"),
                run('export PATH="$PATH:$PWD/.venv/bin"\npython -m pytest'),
            ],
            "`python -m pytest`",
        ),
        # setup-uv activates its own environment; `uv sync` without `--active` fills `.venv`.
        (
            [
                setup_uv(activate_environment="true", venv_path="ci-env"),
                run("uv sync"),
                run("pytest"),
            ],
            "`pytest`",
        ),
    ],
    ids=[
        "uv-sync-then-pytest",
        "python-m-pytest",
        "in-the-same-step",
        "setup-uv-without-activation",
        "activation-switched-off",
        "activated-in-an-earlier-step",
        "path-exported-in-an-earlier-step",
        "github-path-in-the-same-step",
        "uv-pip-into-the-venv",
        "venv-after-the-runners-python",
        "another-environment-activated",
    ],
)
def test_bare_pytest_after_uv_sync_is_refused(tmp_path, steps, command):
    # `uv sync` installs into .venv/, which is not on GitHub's PATH: bare pytest is the
    # runner's Python's, which has none.
    (reason,) = pytest_not_found(tmp_path, *steps)
    assert reason.startswith(command) and "runner's own Python, which has no pytest" in reason
    assert "which is not on the PATH" in reason, reason


def test_bare_pytest_names_the_fix_for_its_environment(tmp_path):
    (from_uv,) = pytest_not_found(tmp_path, setup_uv(), run("uv sync"), run("pytest -q"))
    assert "`uv sync` installs into `.venv/`" in from_uv
    assert "run `uv run pytest -q` instead" in from_uv and "`activate-environment: true`" in from_uv
    (from_venv,) = pytest_not_found(
        tmp_path, run("python -m venv env"), run("env/bin/pip install -e . pytest"), run("pytest")
    )
    assert "`env/bin/pip install -e . pytest` installs into `env/`" in from_venv
    assert "run `env/bin/pytest` instead, or `source env/bin/activate` first" in from_venv


@pytest.mark.parametrize(
    ("steps", "env"),
    [
        ([setup_uv(activate_environment="true"), run("uv sync --locked"), run("pytest -q")], ""),
        ([setup_uv(activate_environment="True"), run("uv sync"), run("python -m pytest")], ""),
        (
            [
                setup_uv(activate_environment="true"),
                run("uv pip install -e . pytest"),
                run("pytest"),
            ],
            "",
        ),
        (
            [
                setup_uv(activate_environment="true", venv_path="ci-env"),
                run("uv sync --active"),
                run("pytest"),
            ],
            "",
        ),
        (
            [SETUP_PYTHON, setup_uv(), run("uv pip install -e . pytest"), run("pytest")],
            "UV_SYSTEM_PYTHON: '1'",
        ),
        (
            [
                setup_uv(),
                run('echo "UV_SYSTEM_PYTHON=1" >> "$GITHUB_ENV"'),
                run("uv pip install -e . pytest"),
                run("pytest"),
            ],
            "",
        ),
        ([setup_uv(), run("uv pip install --system -e . pytest"), run("pytest -q")], ""),
        ([SETUP_PYTHON, run("python -m pip install -e . pytest"), run("python -m pytest")], ""),
        ([SETUP_PYTHON, run("pip install --group dev"), run("pytest")], ""),
        (
            [
                setup_uv(),
                run("uv sync"),
                run('echo "$PWD/.venv/bin" >> "$GITHUB_PATH"'),
                run("pytest"),
            ],
            "",
        ),
        (
            [
                setup_uv(),
                run("uv sync"),
                run('echo "${{ github.workspace }}/.venv/bin" >> $GITHUB_PATH'),
                run("python -m pytest -q"),
            ],
            "",
        ),
        ([setup_uv(), run("uv sync"), run("source .venv/bin/activate\npytest -q")], ""),
        ([setup_uv(), run("uv sync"), run('export PATH="$PWD/.venv/bin:$PATH"\npytest')], ""),
        ([setup_uv(), run("uv sync"), run("PATH=$PATH:$PWD/.venv/bin && pytest")], ""),
        (
            [
                run("python -m venv .venv"),
                run(". .venv/bin/activate && pip install -e . pytest && pytest"),
            ],
            "",
        ),
        ([setup_uv(), run("uv sync"), run("uv run pytest -q")], ""),
        ([setup_uv(), run("uv sync"), run("uv tool install pytest"), run("pytest")], ""),
        # A project environment outside the project is there to be found on the PATH.
        ([setup_uv(), run("uv sync"), run("pytest")], "UV_PROJECT_ENVIRONMENT: /usr/local"),
    ],
    ids=[
        "setup-uv-activates",
        "setup-uv-activates-python-m",
        "setup-uv-activates-uv-pip",
        "sync-into-the-active-environment",
        "uv-system-python",
        "uv-system-python-for-later-steps",
        "uv-pip-system",
        "setup-python-pip",
        "pip-group",
        "github-path",
        "github-path-workspace",
        "activated-in-the-same-step",
        "path-exported-in-the-same-step",
        "path-appended-in-the-same-step",
        "pip-into-an-activated-venv",
        "uv-run",
        "uv-tool-install",
        "project-environment-outside-the-project",
    ],
)
def test_bare_pytest_that_finds_pytest_on_the_path_is_not_refused(tmp_path, steps, env):
    assert pytest_not_found(tmp_path, *steps, env=env) == []


@pytest.mark.parametrize(
    ("steps", "env", "says"),
    [
        # An activated environment holds what was installed into it, and no more.
        (
            [setup_uv(activate_environment="true"), run("uv sync --no-dev"), run("pytest -q")],
            "",
            "which `uv sync --no-dev` leaves out",
        ),
        # UV_SYSTEM_PYTHON is for `uv pip`; `uv sync` still installs into .venv/.
        (
            [SETUP_PYTHON, setup_uv(), run("uv sync"), run("pytest")],
            "UV_SYSTEM_PYTHON: '1'",
            "`uv sync` installs into `.venv/`, which is not on the PATH",
        ),
    ],
    ids=["activated-without-the-dev-group", "system-python-is-not-for-uv-sync"],
)
def test_what_puts_pytest_on_the_path_does_not_put_it_everywhere(tmp_path, steps, env, says):
    (reason,) = pytest_not_found(tmp_path, *steps, env=env)
    assert says in reason, reason


# --- an environment put on the PATH holds only what the job installs into it


@pytest.mark.parametrize(
    ("steps", "command", "fix"),
    [
        ([setup_uv(activate_environment="true"), run("pytest -q")], "`pytest -q`", "`uv sync`"),
        (
            [setup_uv(activate_environment="true"), run("python -m pytest")],
            "`python -m pytest`",
            "`uv sync`",
        ),
        ([setup_uv(), run("uv venv\nsource .venv/bin/activate\npytest")], "`pytest`", "`uv sync`"),
        (
            [run("python -m venv .venv"), run(". .venv/bin/activate && pytest -q")],
            "`pytest -q`",
            "`uv sync`",
        ),
        (
            [setup_uv(activate_environment="true", venv_path="ci-env"), run("pytest")],
            "`pytest`",
            "`uv sync --active`",
        ),
        (
            [setup_uv(activate_environment="true"), run(".venv/bin/pytest -q")],
            "`.venv/bin/pytest -q`",
            "`uv sync`",
        ),
    ],
    ids=[
        "setup-uv-activates-an-empty-venv",
        "python-m-pytest",
        "uv-venv-activated-in-the-step",
        "python-m-venv",
        "another-venv-path",
        "by-its-path",
    ],
)
def test_pytest_from_an_empty_environment_is_refused(tmp_path, steps, command, fix):
    # On GitHub a fresh environment holds no pytest, and nor does the runner's Python behind it.
    (reason,) = pytest_not_found(tmp_path, *steps)
    assert reason.startswith(command) and "made empty" in reason, reason
    assert "that no step before it installs into" in reason, reason
    assert f"run {fix} before it" in reason, reason


@pytest.mark.parametrize(
    ("steps", "makefile"),
    [
        # What the check cannot follow may fill the environment: a Makefile target is read…
        (
            [setup_uv(activate_environment="true"), run("make install"), run("pytest -q")],
            "install:\n\tuv sync --locked --active\n",
        ),
        # …a script of the project's and an action other than setup-uv are not.
        ([setup_uv(activate_environment="true"), run("./scripts/bootstrap.sh"), run("pytest")], ""),
        (
            [
                setup_uv(activate_environment="true"),
                "      - uses: actions/cache@0400d5f644dc74513175e3cd8d07132dd4860809 # v4.2.4\n"
                "        with:\n          path: .venv\n          key: venv\n",
                run("pytest"),
            ],
            "",
        ),
        ([setup_uv(activate_environment="true"), run("uv pip install pytest"), run("pytest")], ""),
        ([setup_uv(activate_environment="true"), run("uv tool install pytest"), run("pytest")], ""),
        ([setup_uv(activate_environment="true"), run("uv run pytest")], ""),
        # `uv run` syncs the project's environment before it runs its command.
        (
            [
                setup_uv(activate_environment="true"),
                run("uv run --with ruff ruff check ."),
                run("pytest -q"),
            ],
            "",
        ),
        (
            [
                setup_uv(),
                run("uv sync --no-dev"),
                run("uv run ruff --version"),
                run(".venv/bin/pytest"),
            ],
            "",
        ),
    ],
    ids=[
        "make-target",
        "project-script",
        "cache-action",
        "uv-pip",
        "uv-tool",
        "uv-run",
        "uv-run-lints-first",
        "uv-run-adds-the-dev-group",
    ],
)
def test_an_environment_filled_another_way_is_not_refused(tmp_path, steps, makefile):
    if makefile:
        (tmp_path / "Makefile").write_text(makefile, encoding="utf-8")
    assert pytest_not_found(tmp_path, *steps) == []


@pytest.mark.parametrize(
    "steps",
    [
        [run("pipx install poetry"), run("poetry install"), run("poetry run pytest -q")],
        [run("pipx install pdm"), run("pdm install"), run("pdm run pytest -q")],
        [
            setup_uv(activate_environment="true"),
            run("pipx install poetry && poetry install"),
            run("pytest -q"),
        ],
    ],
    ids=["poetry", "pdm", "poetry-into-the-activated-environment"],
)
def test_another_tool_that_installs_the_project_is_not_refused(tmp_path, steps):
    # What poetry and pdm install is not followed here: their pytest is not refused.
    assert pytest_not_found(tmp_path, *steps) == []


def test_a_make_install_before_bare_pytest_counts_as_its_recipe(tmp_path):
    # `make install` runs `uv sync`: its `.venv/` is not on the PATH, as if the step said so.
    (tmp_path / "Makefile").write_text("install:\n\tuv sync --locked\n", encoding="utf-8")
    (reason,) = pytest_not_found(tmp_path, setup_uv(), run("make install"), run("pytest"))
    assert "`uv sync --locked` installs into `.venv/`, which is not on the PATH" in reason


# --- bare `pytest` when no step installs anything: GitHub's images come without pytest


@pytest.mark.parametrize(
    ("steps", "command"),
    [
        ([setup_uv(), run("pytest")], "`pytest`"),
        ([SETUP_PYTHON, run("python -m pytest -q")], "`python -m pytest -q`"),
        ([SETUP_PYTHON, setup_uv(), run("pytest -q tests")], "`pytest -q tests`"),
        ([run("py.test")], "`py.test`"),
    ],
    ids=["setup-uv", "setup-python", "setup-python-and-setup-uv", "nothing-set-up"],
)
def test_bare_pytest_with_no_install_before_it_is_refused(tmp_path, steps, command):
    (reason,) = pytest_not_found(tmp_path, *steps)
    assert reason.startswith(f"{command} finds no pytest on GitHub"), reason
    assert "no step before it installs one" in reason, reason
    assert "run `uv sync` in a step before it" in reason and "`pip install pytest`" in reason


@pytest.mark.parametrize(
    "install",
    ["sudo apt-get install -y libpq-dev", "brew install uv", "conda install -y numpy"],
)
def test_a_system_install_of_other_packages_brings_no_pytest(tmp_path, install):
    (reason,) = pytest_not_found(tmp_path, setup_uv(), run(install), run("pytest -q"))
    assert "`pytest -q` finds no pytest on GitHub" in reason, reason
    (reason,) = pytest_not_found(tmp_path, setup_uv(), run("uv sync"), run(install), run("pytest"))
    assert "which is not on the PATH" in reason, reason


def test_bare_pytest_with_no_install_fails_the_check_naming_the_step(learner):
    write_workflow(learner, one_job(setup_uv(), run("pytest -q")))
    message = found(judge("06.1"))[COMMANDS]
    assert "(job `unit`, line" in message and "would fail on GitHub:" in message, message
    assert "`pytest -q` finds no pytest on GitHub" in message, message


CONTAINER_JOB = f"""\
on: pull_request
jobs:
  unit:
    runs-on: ubuntu-latest
    container: python:3.13
    steps:
      - uses: {CHECKOUT}
      - run: pytest
"""


@pytest.mark.parametrize(
    "steps",
    [
        # What the check cannot read may have installed pytest.
        ["      - uses: actions/cache@0400d5f644dc74513175e3cd8d07132dd4860809 # v4.2.4\n"
         "        with:\n          path: ~/.local\n          key: tools\n", run("pytest")],
        [run("./scripts/bootstrap.sh"), run("pytest")],
        [run("sudo apt-get update && sudo apt-get install -y python3-pytest"), run("pytest")],
        [run("conda install -y pytest"), run("python -m pytest")],
        [setup_uv(), run("pipx install pytest"), run("pytest")],
        [setup_uv(), run("uvx pytest")],
        [setup_uv(), run("uv run --with pytest pytest -q")],
        [SETUP_PYTHON, run("pip install pytest"), run("pytest")],
        [SETUP_PYTHON, run("pip install --target /opt/tools pytest"),
         run("PYTHONPATH=/opt/tools python -m pytest")],
    ],
    ids=[
        "unread-action", "project-script", "apt-get", "conda", "pipx", "uvx", "uv-run-with",
        "pip", "pip-target",
    ],
)  # fmt: skip
def test_bare_pytest_after_an_install_the_check_cannot_rule_out_is_not_refused(tmp_path, steps):
    assert pytest_not_found(tmp_path, *steps) == []


@pytest.mark.parametrize(
    "runs_on",
    [
        "self-hosted",
        "[self-hosted, linux]",
        "{group: gpu-runners}",
        "my-large-runner",
        # A self-hosted runner may carry a label GitHub's use; a group may hold self-hosted ones.
        "[self-hosted, ubuntu-latest]",
        "{group: ci-runners, labels: ubuntu-latest}",
    ],
)
def test_bare_pytest_on_a_runner_the_check_does_not_know_is_not_refused(tmp_path, runs_on):
    # A self-hosted runner or a container's image may come with pytest; GitHub's own do not.
    (tmp_path / "pyproject.toml").write_text(MODEL_PYPROJECT, encoding="utf-8")
    text = CONTAINER_JOB.replace("    container: python:3.13\n", "")
    for job_runs_on, refused in ((runs_on, False), ("ubuntu-24.04", True)):
        workflow = text.replace("runs-on: ubuntu-latest", f"runs-on: {job_runs_on}")
        steps = [s for s in local_run.plan(workflow_from(workflow, tmp_path)) if not s.skipped]
        reasons = [local_run.pytest_left_out(step, tmp_path) for step in steps]
        assert any(reasons) == refused, (job_runs_on, reasons)


MATRIX_OF_RUNNERS = "    strategy:\n      matrix:\n        os: [ubuntu-latest, windows-latest]\n"


# GitHub's own runners, by any label it gives them: their images come without pytest.
@pytest.mark.parametrize(
    ("runs_on", "strategy"),
    [
        ("ubuntu-24.04-arm", ""),
        ("ubuntu-22.04", ""),
        ("windows-latest", ""),
        ("windows-11-arm", ""),
        ("macos-15", ""),
        ("[ubuntu-latest]", ""),
        ("Ubuntu-Latest", ""),  # GitHub compares labels without regard to case
        ("${{ matrix.os }}", MATRIX_OF_RUNNERS),
    ],
)
def test_bare_pytest_on_githubs_own_runners_is_refused(tmp_path, runs_on, strategy):
    (tmp_path / "pyproject.toml").write_text(MODEL_PYPROJECT, encoding="utf-8")
    text = CONTAINER_JOB.replace("    container: python:3.13\n", strategy)
    workflow = text.replace("runs-on: ubuntu-latest", f"runs-on: {runs_on}")
    steps = [s for s in local_run.plan(workflow_from(workflow, tmp_path)) if not s.skipped]
    reasons = [local_run.pytest_left_out(step, tmp_path) for step in steps]
    assert reasons and all("finds no pytest on GitHub" in reason for reason in reasons), reasons


def runner_os_reasons(tmp_path: Path, runs_on: str, strategy: str, *steps: str) -> list[str]:
    (tmp_path / "pyproject.toml").write_text(MODEL_PYPROJECT, encoding="utf-8")
    text = CONTAINER_JOB.replace("    container: python:3.13\n", strategy)
    text = text.replace("runs-on: ubuntu-latest", f"runs-on: {runs_on}")
    text = text.replace("      - run: pytest\n", "".join(steps) + "      - run: pytest\n")
    planned = [s for s in local_run.plan(workflow_from(text, tmp_path)) if not s.skipped]
    return [reason for step in planned if (reason := local_run.pytest_left_out(step, tmp_path))]


def install_on(os_name: str) -> str:
    return f"      - if: runner.os == '{os_name}'\n        run: pip install pytest\n"


# `runner.os` is the job's own: a step for Windows runs on the Windows job of a matrix only.
@pytest.mark.parametrize(
    ("runs_on", "strategy", "steps"),
    [
        ("windows-latest", "", [install_on("Windows")]),
        ("macos-latest", "", [install_on("macOS")]),
        ("${{ matrix.os }}", MATRIX_OF_RUNNERS, [install_on("Linux"), install_on("Windows")]),
        (
            "ubuntu-24.04-arm",
            "",
            ["      - if: runner.arch == 'ARM64'\n        run: pip install pytest\n"],
        ),
    ],
    ids=["windows", "macos", "matrix-one-install-each", "arm"],
)
def test_an_install_for_the_jobs_own_runner_counts(tmp_path, runs_on, strategy, steps):
    assert runner_os_reasons(tmp_path, runs_on, strategy, *steps) == []


def test_an_install_for_linux_only_leaves_the_windows_job_of_a_matrix_without_pytest(tmp_path):
    (reason,) = runner_os_reasons(
        tmp_path, "${{ matrix.os }}", MATRIX_OF_RUNNERS, install_on("Linux")
    )
    assert "`pytest` finds no pytest on GitHub" in reason, reason


def test_bare_pytest_in_a_container_is_not_refused(tmp_path):
    (tmp_path / "pyproject.toml").write_text(MODEL_PYPROJECT, encoding="utf-8")
    steps = [s for s in local_run.plan(workflow_from(CONTAINER_JOB, tmp_path)) if not s.skipped]
    assert [local_run.pytest_left_out(step, tmp_path) for step in steps] == [""]


# --- `uv pip install` needs a virtual environment, or `--system`


@pytest.mark.parametrize(
    ("steps", "env"),
    [
        ([setup_uv(), run("uv pip install -e . pytest"), run("pytest")], ""),
        ([SETUP_PYTHON, setup_uv(), run("uv pip install -e . pytest && python -m pytest")], ""),
        ([setup_uv(), run("uv pip install -e . pytest"), run("uv run pytest -q")], ""),
        # UV_SYSTEM_PYTHON is read as a boolean: `0` is off.
        ([setup_uv(), run("uv pip install -e . pytest"), run("pytest")], "UV_SYSTEM_PYTHON: '0'"),
    ],
    ids=["earlier-step", "same-step", "uv-run-after-it", "system-python-switched-off"],
)
def test_uv_pip_install_without_an_environment_fails(tmp_path, steps, env):
    (reason,) = pytest_not_found(tmp_path, *steps, env=env)
    assert "`uv pip install -e . pytest` fails on GitHub" in reason, reason
    assert "No virtual environment found" in reason and "`--system`" in reason, reason


# setup-uv's `version:`: a pinned uv, or a range of them, is good practice.
@pytest.mark.parametrize(
    "version",
    [
        '"0.13.9"',
        "0.4.0",
        "latest",
        '"0.13.x"',
        '">=0.4.0"',
        "'>=0.4.25,<0.5'",
        '"^0.5"',
        '"~0.5.1"',
        '"0.4.x || 0.5.x"',
        '"0.3.0"',
    ],
)
def test_setup_uv_with_a_version_or_a_range_passes(tmp_path, version):
    steps = [setup_uv(version=version), run("uv sync"), run("uv run pytest -q")]
    assert pytest_not_found(tmp_path, *steps) == []


@pytest.mark.parametrize("version", ["stable", '"uv==0.5.0"', '"0.5.0.0.1"', '"newest"'])
def test_setup_uv_with_a_version_that_is_none_stops_the_job(tmp_path, version):
    steps = [setup_uv(version=version), run("uv sync"), run("uv run pytest -q")]
    (reason,) = pytest_not_found(tmp_path, *steps)
    assert reason.startswith("the job stops before it, as an earlier step fails:"), reason
    assert "which is no version of uv nor a range of them" in reason, reason
    assert "give one such as `0.13.9`, a range such as `0.13.x`" in reason, reason


# uv before 0.3.0 had `uv sync`, `uv run` and uv.lock as a preview only.
@pytest.mark.parametrize(
    ("version", "steps"),
    [
        ('"0.2.37"', [run("uv sync"), run("uv run pytest -q")]),
        ('"0.2.x"', [run("uv run --with pytest pytest -q")]),
        ('"^0.2.5"', [run("uv sync --locked && uv run pytest")]),
        ("'>=0.2,<0.3'", [run("uv lock --check"), run("uv run pytest")]),
    ],
    ids=["exact", "x-range", "caret", "pep-440-range"],
)
def test_setup_uv_older_than_uvs_project_commands_is_refused(tmp_path, version, steps):
    (reason,) = pytest_not_found(tmp_path, setup_uv(version=version), *steps)
    assert f"astral-sh/setup-uv's `version: {version.strip(chr(34) + chr(39))}` installs a uv" in (
        reason
    ), reason
    assert "older than 0.3.0, the first whose `uv sync`, `uv run` and uv.lock format" in reason


def test_an_old_uv_that_runs_no_project_command_is_not_refused(tmp_path):
    """`uv pip` worked long before 0.3.0: only the project commands need a newer uv."""
    steps = [setup_uv(version='"0.2.37"'), run("uv pip install --system pytest"), run("pytest")]
    assert pytest_not_found(tmp_path, *steps) == []


# `--locked` and `--frozen` use uv.lock as it is: without one, uv stops (“Unable to find
# lockfile at `uv.lock`”), and a stage-06 project has none until stage 07's `uv lock`.
LOCK_ONLY = [
    ([run("uv sync --locked --all-extras"), run("uv run pytest -q")], ""),
    ([run("uv sync --frozen"), run(".venv/bin/pytest -q")], ""),
    ([run("uv sync --locked && uv run pytest -q")], ""),
    ([run("uv run --locked pytest -q")], ""),
    ([run("uv run --frozen --with pytest pytest -q")], ""),
    ([run("uv sync"), run("uv run pytest -q")], "UV_LOCKED: '1'"),
    ([run("uv run pytest -q")], "UV_FROZEN: 'true'"),
    ([run("UV_FROZEN=1 uv sync"), run(".venv/bin/pytest -q")], ""),
    (
        ["      - run: uv sync\n        env:\n          UV_LOCKED: '1'\n", run(".venv/bin/pytest")],
        "",
    ),
    ([run('echo "UV_FROZEN=1" >> "$GITHUB_ENV"'), run("uv run pytest -q")], ""),
]
LOCK_ONLY_IDS = [
    "sync-locked", "sync-frozen", "same-step", "run-locked", "run-frozen", "uv-locked-in-env",
    "uv-frozen-in-env", "assignment", "the-install-steps-own-env", "github-env",
]  # fmt: skip


@pytest.mark.parametrize(("steps", "env"), LOCK_ONLY, ids=LOCK_ONLY_IDS)
def test_using_uv_lock_as_it_is_without_one_is_refused(tmp_path, steps, env):
    (reason,) = pytest_not_found(tmp_path, *steps, env=env, lock=False)
    assert "stops on GitHub: your project has no uv.lock" in reason, reason
    assert "Run `uv lock` in your project and commit uv.lock, or leave" in reason, reason


@pytest.mark.parametrize(("steps", "env"), LOCK_ONLY, ids=LOCK_ONLY_IDS)
def test_using_uv_lock_as_it_is_with_one_is_not_refused(tmp_path, steps, env):
    assert pytest_not_found(tmp_path, *steps, env=env, lock=True) == []


def test_the_lock_refusal_names_the_option_or_the_setting(tmp_path):
    (by_option,) = pytest_not_found(tmp_path, run("uv run --frozen pytest"), lock=False)
    assert by_option.startswith("`uv run --frozen pytest` stops on GitHub"), by_option
    assert "or leave out `--frozen` until you do" in by_option, by_option
    (by_env,) = pytest_not_found(
        tmp_path, run("uv sync"), run("uv run pytest"), env="UV_LOCKED: '1'", lock=False
    )
    assert "`uv sync`, with `UV_LOCKED` set in `env:`, stops on GitHub" in by_env, by_env
    assert "or leave `UV_LOCKED` out of `env:` until you do" in by_env, by_env


@pytest.mark.parametrize(
    ("steps", "env"),
    [
        ([run("uv sync"), run("uv run pytest -q")], ""),
        ([run("uv sync --all-extras && uv run pytest -q")], ""),
        # `uv lock`, `uv sync` and `uv run` resolve and write uv.lock: a `--locked` after finds it.
        ([run("uv lock"), run("uv sync --locked"), run("uv run pytest -q")], ""),
        ([run("uv sync"), run("uv run --frozen pytest -q")], ""),
        ([run("uv lock && uv sync --frozen && .venv/bin/pytest")], ""),
        ([run("uv sync"), run("uv run pytest -q")], "UV_LOCKED: '0'"),
        # `--no-sync` reads no lock.
        ([run("uv sync"), run("uv run --frozen --no-sync pytest -q")], ""),
        # A script the check does not read may run `uv lock`.
        ([run("./scripts/lock.sh"), run("uv sync --locked"), run("uv run pytest -q")], ""),
    ],
    ids=[
        "sync", "sync-in-the-step", "lock-first", "sync-first", "lock-first-in-the-step",
        "setting-off", "no-sync", "a-script-first",
    ],
)  # fmt: skip
def test_uv_without_a_lock_that_writes_one_is_not_refused(tmp_path, steps, env):
    assert pytest_not_found(tmp_path, *steps, env=env, lock=False) == []


@pytest.mark.parametrize(
    ("steps", "env"),
    [
        ([run("uv lock --check"), run("uv run pytest -q")], ""),
        ([run("uv lock --dry-run"), run("uv sync --locked"), run("uv run pytest")], ""),
        # UV_FROZEN holds for `uv lock` too: it writes nothing then.
        ([run("uv lock"), run("uv sync"), run("uv run pytest -q")], "UV_FROZEN: '1'"),
        # An action does not write the project's uv.lock.
        (
            [
                "      - uses: actions/cache@0400d5f644dc74513175e3cd8d07132dd4860809 # v4.2.4\n"
                "        with:\n          path: .venv\n          key: venv\n",
                run("uv sync --locked"),
                run("uv run pytest -q"),
            ],
            "",
        ),
    ],
    ids=["lock-check", "lock-dry-run", "lock-under-uv-frozen", "an-action"],
)
def test_what_writes_no_lock_does_not_excuse_a_locked_sync(tmp_path, steps, env):
    (reason,) = pytest_not_found(tmp_path, *steps, env=env, lock=False)
    assert "stops on GitHub: your project has no uv.lock" in reason, reason


def final_install_failure(tmp_path: Path, *steps: str) -> str:
    """Why the job's installs after its last step that runs here fail on GitHub, or ""."""
    (tmp_path / "pyproject.toml").write_text(MODEL_PYPROJECT, encoding="utf-8")
    planned = local_run.plan(workflow_from(one_job(*steps), tmp_path))
    result = local_run.failing_final_install(planned, tmp_path)
    return workflow_run.failure_of(result) if result else ""


def test_a_locked_sync_without_a_lock_at_the_end_of_a_job_fails_it(tmp_path):
    # No step after it reports it, yet GitHub stops there.
    assert "stops on GitHub: your project has no uv.lock" in final_install_failure(
        tmp_path, run("uv sync --locked")
    )
    (tmp_path / "uv.lock").write_text(LOCK, encoding="utf-8")
    assert final_install_failure(tmp_path, run("uv sync --locked")) == ""


@pytest.mark.parametrize(
    "steps",
    [
        [setup_uv(), run("uvx ruff check ."), run("uv pip install -e . pytest")],
        [setup_uv(), run("uv pip install -e . pytest")],
        [
            setup_uv(),
            run("uvx ruff check ."),
            run("pip install build"),
            run("uv pip install -e . pytest"),
        ],
    ],
    ids=["after-a-step-that-runs", "the-only-step", "after-another-install"],
)
def test_a_failing_uv_pip_install_at_the_end_of_the_job_is_reported(tmp_path, steps):
    # GitHub fails the job at that step, though no step after it is left to say so.
    message = final_install_failure(tmp_path, *steps)
    assert "(job `unit`, line" in message and "would fail on GitHub:" in message, message
    assert "`uv pip install -e . pytest` fails on GitHub" in message, message
    assert "No virtual environment found" in message and "`--system`" in message, message


@pytest.mark.parametrize(
    "steps",
    [
        [setup_uv(), run("uvx ruff check ."), run("uv pip install --system build")],
        [setup_uv(), run("uvx ruff check ."), run("uv sync"), run("uv pip install build")],
        # `uv run` syncs the project's environment, `.venv`, which `uv pip` then finds.
        [setup_uv(), run("uv run --with pytest pytest -q"), run("uv pip install build")],
        [setup_uv(activate_environment="true"), run("uvx ruff check ."), run("uv pip install .")],
        [setup_uv(), run("uvx ruff check ."), run("pip install build")],
        # An install before a step that runs here is that step's to report.
        [setup_uv(), run("uv pip install -e . pytest"), run("echo done")],
    ],
    ids=["system", "after-uv-sync", "after-uv-run", "activated", "pip", "reported-by-a-later-step"],
)
def test_an_install_at_the_end_of_the_job_that_works_on_github_is_not_reported(tmp_path, steps):
    assert final_install_failure(tmp_path, *steps) == ""


def test_a_failing_uv_pip_install_at_the_end_of_the_job_fails_the_check(learner):
    write_workflow(learner, one_job(setup_uv(), run("uvx ruff check ."), run("uv pip install .")))
    message = found(judge("06.1"))[COMMANDS]
    assert "`uv pip install .` fails on GitHub" in message, message
    assert message.count("would fail on GitHub") == 1, message


@pytest.mark.parametrize(
    ("steps", "env"),
    [
        (
            [
                setup_uv(),
                run("uv venv"),
                run("uv pip install -e . pytest"),
                run(".venv/bin/pytest"),
            ],
            "",
        ),
        ([setup_uv(), run("uv sync"), run("uv pip install pytest"), run("uv run pytest")], ""),
        (
            [setup_uv(), run("uv pip install -e . pytest"), run("echo next")],
            "VIRTUAL_ENV: ${{ github.workspace }}/env",
        ),
        (
            [setup_uv(), run("uv pip install --python /usr/bin/python3 -e . pytest"), run("echo")],
            "",
        ),
        # setup-uv before v6 made and activated an environment for its `python-version`.
        ([setup_uv(python_version="3.13"), run("uv pip install -e . pytest"), run("echo")], ""),
    ],
    ids=["uv-venv-first", "uv-sync-first", "virtual-env-set", "python-given", "setup-uv-python"],
)
def test_uv_pip_install_with_an_environment_to_install_into_does_not_fail(tmp_path, steps, env):
    assert pytest_not_found(tmp_path, *steps, env=env) == []


def test_a_path_folder_the_check_cannot_place_may_hold_pytest(tmp_path):
    # Decided: left lenient. Only installs and changes of the PATH of earlier steps are followed,
    # not the other commands that may fill `$HOME/bin` (`ln`, `curl -o`, a script).
    steps = [setup_uv(), run("uv sync"), run('echo "$HOME/bin" >> "$GITHUB_PATH"'), run("pytest")]
    assert pytest_not_found(tmp_path, *steps) == []


@pytest.mark.parametrize(
    ("virtual_env", "tests", "refused"),
    [
        # `/opt/app` and `/opt/tools` both lie outside the project, where the check follows
        # nothing: syncing one without the dev group says nothing of the other.
        ("/opt/app", "/opt/tools/bin/pytest -q", False),
        ("/opt/app", "PYTHONPATH=/opt/tools/lib python -m pytest", False),
        # One inside the project is followed: `--no-dev` leaves pytest out of it.
        ("${{ github.workspace }}/env", "env/bin/pytest -q", True),
    ],
    ids=["outside-then-another-outside", "outside-then-runners-python", "inside-the-project"],
)
def test_uv_sync_active_outside_the_project_leaves_what_it_holds_unknown(
    tmp_path, virtual_env, tests, refused
):
    steps = [
        setup_uv(),
        run("python -m venv /opt/tools\n/opt/tools/bin/pip install pytest"),
        run("uv venv env"),
        run("uv sync --active --no-dev"),
        run(tests),
    ]
    reasons = pytest_not_found(tmp_path, *steps, env=f"VIRTUAL_ENV: {virtual_env}")
    assert bool(reasons) is refused, reasons
    if refused:
        assert "which `uv sync --active --no-dev` leaves out" in reasons[0], reasons


SETUP_ACTIVATED = """\
name: Set up the project
description: uv, and the project's environment on the PATH
runs:
  using: composite
  steps:
    - uses: astral-sh/setup-uv@681c641aba71e4a1c380be3ab5e12ad51f415867 # v7.1.6
      with:
        activate-environment: ${{ inputs.activate }}
    - run: uv sync --locked
      shell: bash
inputs:
  activate:
    description: whether to put the environment on the PATH
    default: "true"
"""


@pytest.mark.parametrize(("activate", "refused"), [("true", False), ("false", True)])
def test_setup_uv_in_a_composite_action_counts(tmp_path, activate, refused):
    action = tmp_path / ".github" / "actions" / "setup" / "action.yml"
    action.parent.mkdir(parents=True)
    action.write_text(SETUP_ACTIVATED, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(MODEL_PYPROJECT, encoding="utf-8")
    (tmp_path / "uv.lock").write_text(LOCK, encoding="utf-8")  # for its `uv sync --locked`
    text = one_job(
        f"      - uses: ./.github/actions/setup\n        with:\n          activate: {activate}\n",
        run("pytest -q"),
    )
    workflow_file = tmp_path / ".github" / "workflows" / "ci.yml"
    workflow_file.parent.mkdir(parents=True)
    workflow_file.write_text(text, encoding="utf-8")
    steps = local_run.plan(wf.read_workflow(workflow_file))
    reasons = [local_run.pytest_left_out(step, tmp_path) for step in steps if not step.skipped]
    assert any(reasons) is refused, reasons


def test_bare_pytest_fails_the_check_naming_the_step_and_the_fix(learner):
    write_workflow(learner, MODEL.replace("uv run --with pytest pytest -q", "pytest -q"))
    message = found(judge("06.1"))[COMMANDS]
    assert "(job `unit`, line" in message and "would fail on GitHub:" in message
    assert "`uv sync` installs into `.venv/`, which is not on the PATH" in message
    assert "`uv run pytest -q" in message and "`activate-environment: true`" in message


def test_bare_pytest_with_setup_uv_activating_the_environment_passes_the_check(learner):
    setup = "      - uses: astral-sh/setup-uv@681c641aba71e4a1c380be3ab5e12ad51f415867 # v7.1.6\n"
    write_workflow(
        learner,
        MODEL.replace(
            setup, setup + "        with:\n          activate-environment: true\n"
        ).replace("uv run --with pytest pytest -q", "pytest -q"),
    )
    assert found(judge("06.1")) == {}


def test_an_empty_environment_fails_the_check_naming_the_step_and_the_fix(learner):
    # setup-uv activates `.venv`, and nothing fills it: no `uv sync`, and `uvx` does not sync.
    write_workflow(
        learner,
        MODEL.replace(SETUP_UV, SETUP_UV + "        with:\n          activate-environment: true\n")
        .replace("      - run: uv sync\n", "")
        .replace("uv run --with ruff ruff check .", "uvx ruff check .")
        .replace("uv run --with pytest pytest -q", "pytest -q"),
    )
    message = found(judge("06.1"))[COMMANDS]
    assert "(job `unit`, line" in message and "would fail on GitHub:" in message
    assert "`.venv/`, an environment made empty" in message and "run `uv sync` before it" in message


def test_a_task_of_another_runner_is_not_judged_here(learner):
    # tox's settings are not read, and tox is not in the course's environment: not the learner's
    # mistake, so the step is skipped, as an image build is.
    write_workflow(learner, MODEL.replace(LINT_STEP, LINT_STEP + "      - run: tox -e docs\n", 1))
    assert found(judge("06.1")) == {}


def test_a_system_package_step_is_not_run_here_and_the_check_passes(learner):
    # Run here, `sudo apt-get install` would change the learner's machine or wait for a
    # password; on GitHub it runs, and the job goes on as the model's does.
    apt = "      - run: sudo apt-get update && sudo apt-get install -y libpq-dev\n"
    write_workflow(learner, MODEL.replace(LINT_STEP, LINT_STEP + apt, 1))
    assert found(judge("06.1")) == {}


def test_a_pytest_plugin_added_by_uv_run_with_is_loaded(tmp_path):
    # The course's environment loads only the plugins of the project's packages; a package
    # that `uv run --with` adds is the project's too, for that command.
    (tmp_path / "test_one.py").write_text("def test_one():\n    assert True\n")
    script = "uv run --with pytest --with 'pytest-xdist>=3' pytest -q -n 2 -p no:cacheprovider"
    result = local_run.run_step(workflow_run.Step("unit", 1, "a step", script), tmp_path)
    assert result.passed, result.output


EXPRESSIONS_AND_ENV = f"""
on: pull_request
env:
  REPORTS: reports
jobs:
  unit:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        python: ["3.12", "3.13"]
    env:
      SUITE: unit
    steps:
      - uses: {CHECKOUT}
      - run: |
          mkdir -p "$REPORTS"
          uv run --python ${{{{ matrix.python }}}} python -c 'print(1)' > "$REPORTS/$SUITE-$KIND.txt"
        env:
          KIND: ${{{{ runner.os }}}}-${{{{ matrix.python }}}}
      - run: echo "FROM_AN_EARLIER_STEP=yes" >> "$GITHUB_ENV"
      - run: |
          test -f "reports/unit-Linux-${{{{ matrix.python }}}}.txt"
          test "${{{{ github.event_name }}}}" = pull_request
          test "$FROM_AN_EARLIER_STEP" = yes
          test -z "${{{{ secrets.NOT_SET_HERE }}}}"
"""


def test_expressions_and_env_are_filled_in_as_on_github(tmp_path):
    # GitHub replaces `${{ }}` before the shell sees the script, and sets `env:` of the
    # workflow, the job and the step; a matrix job here runs each of its combinations.
    steps = local_run.plan(workflow_from(EXPRESSIONS_AND_ENV, tmp_path))
    copies = Copies(tmp_path)
    failures = local_run.run_jobs(steps, copies, local_run.environment_for(tmp_path))
    assert failures == {}, {job: result.output for job, result in failures.items()}


def test_combinations_that_run_the_same_here_run_once(tmp_path):
    strategy = (
        "    strategy:\n      matrix:\n        python: ['3.12', '3.13']\n"
        "        os: [ubuntu-latest, ubuntu-24.04-arm]\n"
    )
    text = one_job(
        "      - run: uv run --python ${{ matrix.python }} --with pytest pytest -q\n",
        strategy=strategy,
    )
    (step,) = local_run.plan(workflow_from(text, tmp_path))
    assert step.job == "unit"


@pytest.mark.parametrize(
    "pytest_command",
    [
        ".venv/bin/pytest -q",
        "uv run py.test -q",
        "uv run --with pytest py.test -q",
        "uv run --no-dev --with pytest pytest -q",
        "source .venv/bin/activate && pytest -q",
        ". .venv/bin/activate && python3 -m pytest -q",
        "uv run python3 -m pytest -q",
    ],
)
def test_other_ways_to_run_pytest_pass_the_check(learner, pytest_command):
    write_workflow(learner, MODEL.replace("uv run --with pytest pytest -q", pytest_command))
    assert found(judge("06.1")) == {}


MAKEFILE = """\
PYTEST ?= uv run --with pytest pytest -q

.PHONY: lint test test-later

lint:
\tuv run --with ruff ruff check .

test: lint
\t@$(PYTEST) --ignore=tests/integration --ignore=tests/contract

test-later:
\t$(PYTEST) tests/integration tests/contract
"""
UNIT_STEPS = (
    "      - run: uv run --with ruff ruff check .\n",
    "      - run: uv run --with pytest pytest -q --ignore=tests/integration --ignore=tests/contract\n",
)


def unit_steps_replaced_by(step: str) -> str:
    """The model, its unit job linting and testing with `step` instead of its two steps."""
    return edit(MODEL, (UNIT_STEPS[0], ""), (UNIT_STEPS[1], step))


SETUP_ACTION = """\
name: Set up the project
description: uv and the project's environment
runs:
  using: composite
  steps:
    - uses: astral-sh/setup-uv@681c641aba71e4a1c380be3ab5e12ad51f415867 # v7.1.6
    - run: uv sync {options}
      shell: bash
"""
SETUP_UV = "      - uses: astral-sh/setup-uv@681c641aba71e4a1c380be3ab5e12ad51f415867 # v7.1.6\n"


def with_setup_action(text: str, tests_from_the_venv: bool = True) -> str:
    """Each job sets up uv and the project with the composite action instead of two steps."""
    text = text.replace(SETUP_UV, "      - uses: ./.github/actions/setup\n")
    text = text.replace("      - run: uv sync\n", "")
    if tests_from_the_venv:
        text = text.replace("uv run --with pytest pytest -q", ".venv/bin/pytest -q")
    return text


@pytest.mark.parametrize(
    ("command", "commands"),
    [
        (
            "make test",
            [
                "uv run --with ruff ruff check .",
                "uv run --with pytest pytest -q --ignore=tests/integration --ignore=tests/contract",
            ],
        ),
        (
            "make -C . test-later",
            ["uv run --with pytest pytest -q tests/integration tests/contract"],
        ),
        ("make", ["uv run --with ruff ruff check ."]),  # the first target
        (
            "make PYTEST=.venv/bin/pytest test-later",
            [".venv/bin/pytest tests/integration tests/contract"],
        ),
        ("make absent", []),
        ("gmake lint lint", ["uv run --with ruff ruff check ."]),
    ],
)
def test_a_make_command_runs_its_targets_recipes(command, commands):
    assert makefile.recipe(MAKEFILE, *makefile.make_arguments(command)) == commands


@pytest.mark.parametrize(
    ("files", "workflow"),
    [
        (
            {"Makefile": MAKEFILE},
            edit(
                unit_steps_replaced_by("      - run: make test\n"),
                (
                    "uv run --with pytest pytest -q tests/integration tests/contract",
                    "make test-later",
                ),
            ),
        ),
        (
            {
                ".github/actions/setup/action.yml": SETUP_ACTION.format(options="--locked"),
                "uv.lock": LOCK,  # which `uv sync --locked` needs
            },
            with_setup_action(MODEL),
        ),
        (
            {
                ".github/actions/setup/action.yml": SETUP_ACTION.format(options="")
                + "    - run: uv run --with ruff ruff check .\n      shell: bash\n"
                + "    - run: uv run --with pytest pytest -q --ignore=tests/integration "
                "--ignore=tests/contract\n      shell: bash\n"
            },
            with_setup_action(unit_steps_replaced_by(""), tests_from_the_venv=False),
        ),
    ],
    ids=["make-targets", "composite-setup-action", "composite-action-runs-the-tests"],
)
def test_project_files_a_workflow_calls_are_read(learner, files, workflow):
    for name, text in files.items():
        (learner / name).parent.mkdir(parents=True, exist_ok=True)
        (learner / name).write_text(text, encoding="utf-8")
    write_workflow(learner, workflow)
    assert found(judge("06.1")) == {}


@pytest.mark.parametrize(
    ("files", "workflow", "expectation", "message"),
    [
        (
            {"Makefile": MAKEFILE.replace("@$(PYTEST)", "echo")},
            unit_steps_replaced_by("      - run: make test\n"),
            UNIT,
            "no job runs the unit tests",
        ),
        ({}, unit_steps_replaced_by("      - run: make test\n"), UNIT, "`make test`"),
        (
            {".github/actions/setup/action.yml": SETUP_ACTION.format(options="--no-dev")},
            with_setup_action(MODEL),
            COMMANDS,
            "which `uv sync --no-dev` leaves out",
        ),
        (
            {"Makefile": MAKEFILE.replace("--ignore=tests/integration", "tests/test_absent.py")},
            unit_steps_replaced_by("      - run: make test\n"),
            COMMANDS,
            "`make test`",
        ),
    ],
    ids=["target-runs-no-pytest", "no-makefile", "action-leaves-pytest-out", "target-fails"],
)
def test_project_files_a_workflow_calls_are_judged(learner, files, workflow, expectation, message):
    for name, text in files.items():
        (learner / name).parent.mkdir(parents=True, exist_ok=True)
        (learner / name).write_text(text, encoding="utf-8")
    write_workflow(learner, workflow)
    assert message in found(judge("06.1"))[expectation]


def test_a_matrix_workflow_passes_the_check(learner):
    write_workflow(
        learner,
        edit(
            MODEL,
            (
                "    timeout-minutes: 10\n",
                "    timeout-minutes: 10\n    strategy:\n      matrix:\n"
                "        python: ['3.12', '3.13']\n",
            ),
            (
                "uv run --with pytest pytest -q --ignore",
                "uv run --python ${{ matrix.python }} --with pytest pytest -q --ignore",
            ),
        ),
    )
    assert found(judge("06.1")) == {}


def on_windows_too(workflow: str, *replacements: tuple[str, str]) -> str:
    """The workflow with its unit job run on Linux and Windows, a matrix of runners."""
    return edit(
        workflow,
        (
            "    runs-on: ubuntu-latest\n    timeout-minutes: 10\n",
            "    runs-on: ${{ matrix.os }}\n    timeout-minutes: 10\n    strategy:\n"
            "      matrix:\n        os: [ubuntu-latest, windows-latest]\n",
        ),
        *replacements,
    )


BASH_ONLY_UNIT_TESTS = (
    "uv run --with pytest pytest -q --ignore",
    "export COLUMNS=120 && uv run --with pytest pytest -q --ignore",
)


def test_a_bash_only_step_fails_the_windows_job_of_a_matrix(learner):
    # On Windows a step with no `shell:` runs under PowerShell, which has no `export`.
    write_workflow(learner, on_windows_too(MODEL, BASH_ONLY_UNIT_TESTS))
    message = found(judge("06.1"))[COMMANDS]
    assert "(job `unit (windows-latest)`, line " in message, message
    assert (
        "would fail on GitHub: on a Windows runner a step with no `shell:` runs under "
        "PowerShell, which has no `export`"
    ) in message, message
    assert "add `shell: bash` to the step" in message and "unit (ubuntu-latest)" not in message


@pytest.mark.parametrize(
    "replacements",
    [
        # The same step, run by bash on every runner of the job.
        (
            BASH_ONLY_UNIT_TESTS,
            (
                "    timeout-minutes: 10\n",
                "    timeout-minutes: 10\n    defaults:\n      run:\n        shell: bash\n",
            ),
        ),
        # The model's commands: PowerShell runs `uv sync` and `uv run …` as bash does.
        (),
    ],
    ids=["bash-by-the-jobs-defaults", "commands-both-shells-run"],
)
def test_a_windows_job_whose_shell_runs_its_steps_passes(learner, replacements):
    write_workflow(learner, on_windows_too(MODEL, *replacements))
    assert found(judge("06.1")) == {}


# --- Exercise 06.2: next_version -----------------------------------------------------------------


def model_next_version():
    """The solution notebook's next_version(): the model lives there, not in the course's code."""
    cell = next(
        notebooks.source_of(cell)
        for cell in notebooks.read(COURSE_ROOT / "solutions" / "06_ci_and_releases.ipynb")["cells"]
        if "def next_version(" in notebooks.source_of(cell)
    )
    namespace: dict = {}
    exec(compile(cell, "solution", "exec"), namespace)
    return namespace["next_version"]


def test_the_model_next_version_passes_every_case():
    assert found(judge("06.2", next_version=model_next_version())) == {}


def test_the_model_answer_is_not_in_the_course_code():
    assert not hasattr(checks, "reference_next_version")
    assert "def next_version" not in Path(checks.__file__).read_text(encoding="utf-8")


def bump_per_commit(current, messages):
    version = current
    for message in messages:
        version = model_next_version()(version, [message])
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
    return model_next_version()(current, [m.splitlines()[0] for m in messages])


def no_pre_one_rule(current, messages):
    if current.startswith("0.") and any("!" in m.split(":")[0] for m in messages):
        return "1.0.0"
    return model_next_version()(current, messages)


def case_sensitive(current, messages):
    return model_next_version()(current, [m for m in messages if m[:1].islower()])


def pre_one_rule_up_to_one(current, messages):
    """The pre-1.0 rule applied at 1.0.0 too: the limit is below 1.0.0, not at it."""
    if current == "1.0.0":
        return "1.1.0" if messages else current
    return model_next_version()(current, messages)


def returns_a_tuple(current, messages):
    return tuple(int(n) for n in model_next_version()(current, messages).split("."))


@pytest.mark.parametrize(
    ("implementation", "failing", "message"),
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
        (
            case_sensitive,
            "types are case-insensitive: `Feat:` and `FIX:` count",
            "expected '1.5.0', got '1.4.2'",
        ),
        (
            pre_one_rule_up_to_one,
            "1.0.0 itself is stable: a breaking change makes 2.0.0",
            "expected '2.0.0', got '1.1.0'",
        ),
        (
            returns_a_tuple,
            "a fix releases a patch: 1.4.2 -> 1.4.3",
            "expected '1.4.3', got (1, 4, 3) (tuple)",
        ),
    ],
)
def test_wrong_next_versions_fail_the_right_case(implementation, failing, message):
    result = judge("06.2", next_version=implementation)
    assert found(result)[failing] == message


def test_a_version_that_is_not_three_numbers_must_raise():
    result = judge("06.2", next_version=lambda current, messages: current)
    assert found(result)["a current version that is not MAJOR.MINOR.PATCH raises ValueError"] == (
        "expected ValueError, but nothing was raised"
    )


def test_the_cases_are_distinct_and_hinted():
    expectations = [case.expectation for case in checks.RELEASE_CASES]
    assert len(set(expectations)) == len(expectations)
    assert all(case.hint for case in checks.RELEASE_CASES)
