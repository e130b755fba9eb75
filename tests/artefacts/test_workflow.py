"""Workflows read as GitHub reads them, linted offline, and simulated event by event."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from onboarding.artefacts import workflow as wf
from onboarding.artefacts.uv_lock import tomllib  # tomli on Python 3.10
from onboarding.checks import ArtefactError
from tests.conftest import COURSE_ROOT

TEMPLATE = COURSE_ROOT / "templates" / "ci-workflow.yml"


def workflow_from(text: str, tmp_path: Path) -> wf.Workflow:
    path = tmp_path / "ci.yml"
    path.write_text(text, encoding="utf-8")
    return wf.read_workflow(path)


def test_actionlint_is_installed_from_a_wheel_and_never_built():
    """The course's environment holds actionlint, and uv can only ever install it from a wheel.

    The wheel carries the binary; the sdist would fetch it from outside the package registries
    while it builds, which a machine with only the registries cannot do.
    """
    pyproject = tomllib.loads((COURSE_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lock = tomllib.loads((COURSE_ROOT / "uv.lock").read_text(encoding="utf-8"))
    (declared,) = [
        re.match(r"[A-Za-z0-9._-]+", requirement).group(0)
        for requirement in pyproject["project"]["dependencies"]
        if requirement.startswith("actionlint")
    ]
    assert declared in pyproject["tool"]["uv"]["no-build-package"]
    (locked,) = [package for package in lock["package"] if package["name"] == declared]
    wheels = " ".join(wheel["url"] for wheel in locked["wheels"])
    for platform in ("manylinux2014_x86_64", "manylinux2014_aarch64"):
        assert platform in wheels, platform
    assert wf.actionlint_command() == str(Path(sys.executable).parent / "actionlint")


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


def test_a_missing_file_says_how_to_create_it(tmp_path):
    with pytest.raises(ArtefactError, match="does not exist yet — create it here"):
        wf.read_workflow(tmp_path / "ci.yml", how_to_create="create it here")


def test_on_is_read_as_text_not_as_true(tmp_path):
    workflow = workflow_from("on: [pull_request, push]\njobs: {}\n", tmp_path)
    assert workflow.triggers == {"pull_request": None, "push": None}


def test_every_key_knows_its_line(tmp_path):
    workflow = workflow_from("on: push\njobs:\n  unit:\n    runs-on: x\n", tmp_path)
    assert workflow.line("jobs", "unit", "runs-on") == 4
    assert workflow.line("jobs", "unit", "steps", 3) == 3  # the nearest parent that exists


def test_the_template_passes_the_schema_and_actionlint():
    template = wf.read_workflow(TEMPLATE)
    assert wf.schema_problems(template) == []
    assert wf.actionlint_problems(template) == []


def test_schema_problems_are_located_in_plain_words(tmp_path):
    workflow = workflow_from("on: pull_request\njobs:\n  unit:\n    runs_on: x\n", tmp_path)
    assert wf.schema_problems(workflow) == ["line 3 (jobs.unit): `runs-on` is missing"]


def test_actionlint_finds_what_the_schema_cannot(tmp_path):
    text = (
        "on: pull_request\njobs:\n  unit:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.evnt_name }}\n"
    )
    workflow = workflow_from(text, tmp_path)
    assert wf.schema_problems(workflow) == []
    assert wf.actionlint_problems(workflow) == [
        'line 6: property "evnt_name" is not defined (actionlint: expression)'
    ]


def test_missing_tools_are_explained(tmp_path, monkeypatch):
    workflow = workflow_from("on: push\njobs: {}\n", tmp_path)

    def not_installed():
        raise ImportError("no check_jsonschema")

    monkeypatch.setattr(wf, "workflow_schema_validator", not_installed)
    monkeypatch.setattr(wf, "actionlint_command", lambda: None)
    assert "check-jsonschema is not installed" in wf.schema_problems(workflow)[0]
    assert "actionlint is not installed" in wf.actionlint_problems(workflow)[0]


@pytest.mark.parametrize(
    ("message", "parts", "plain"),
    [
        ("'uses' is a required property", ("jobs", "unit", "steps", 1), "a step needs either"),
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
    assert plain in wf.plain_schema_message(message, parts)


def test_json_paths_become_key_paths():
    assert wf.json_path_parts("$.jobs.unit.steps[1]") == ("jobs", "unit", "steps", 1)
    assert wf.json_path_parts('$.jobs["my.job"]') == ("jobs", "my.job")
    assert wf.describe_path(("jobs", "unit", "steps", 1)) == "jobs.unit.steps[1]"


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
    assert wf.matches_filters(name, patterns) is matches


@pytest.mark.parametrize(
    ("on", "pull_request", "push_main", "push_tag"),
    [
        ("pull_request", True, False, False),
        ("[pull_request, push]", True, True, True),
        ("\n  push:\n    branches: [main]", False, True, False),
        ("\n  push:\n    tags: ['v*']", False, False, True),
        ("\n  push:\n    branches-ignore: [main]", False, False, False),
        ("\n  pull_request:\n    branches: [release]", False, False, False),
    ],
)
def test_which_events_start_a_workflow(tmp_path, on, pull_request, push_main, push_tag):
    workflow = workflow_from(f"on: {on}\njobs: {{}}\n", tmp_path)
    assert [wf.triggered_by(workflow, event) for event in wf.EVENTS] == [
        pull_request,
        push_main,
        push_tag,
    ]


def test_a_job_whose_needs_were_skipped_is_skipped():
    template = wf.read_workflow(TEMPLATE)
    outcomes = wf.simulate(template, wf.PULL_REQUEST)
    assert [job for job, outcome in outcomes.items() if outcome.runs] == [
        "lint",
        "unit",
        "integration",
    ]
    assert outcomes["deploy"].reason == "skipped: `build` did not run"
    assert all(outcome.runs for outcome in wf.simulate(template, wf.PUSH_TAG).values())


@pytest.mark.parametrize(
    ("condition", "runs"),
    [
        ("needs.unit.result == 'success'", True),
        ("${{ success() && needs.unit.result != 'failure' }}", True),
        ("needs.unit.outputs.version == ''", True),
        ("needs.unit.result == 'failure'", False),
        # Only the jobs named in `needs:` are in the context, as on GitHub.
        ("needs.lint.result == 'success'", False),
    ],
)
def test_a_condition_reads_the_results_of_the_jobs_it_needs(tmp_path, condition, runs):
    text = (
        "on: push\njobs:\n  lint:\n    runs-on: x\n    steps: [{run: x}]\n"
        "  unit:\n    runs-on: x\n    steps: [{run: x}]\n"
        f"  later:\n    needs: unit\n    if: {condition}\n    runs-on: x\n    steps: [{{run: x}}]\n"
    )
    outcome = wf.simulate(workflow_from(text, tmp_path), wf.PUSH_MAIN)["later"]
    assert outcome.runs is runs, outcome.reason


@pytest.mark.parametrize(
    ("matrix", "combinations"),
    [
        (None, [{}]),
        ("${{ fromJSON(needs.plan.outputs.matrix) }}", [{}]),
        (
            {"python": ["3.12", "3.13"], "os": ["ubuntu-latest", "macos-latest"]},
            [
                {"python": "3.12", "os": "ubuntu-latest"},
                {"python": "3.12", "os": "macos-latest"},
                {"python": "3.13", "os": "ubuntu-latest"},
                {"python": "3.13", "os": "macos-latest"},
            ],
        ),
        # An exclude entry need only match in part.
        (
            {"python": ["3.12", "3.13"], "os": ["ubuntu", "macos"], "exclude": [{"os": "macos"}]},
            [{"python": "3.12", "os": "ubuntu"}, {"python": "3.13", "os": "ubuntu"}],
        ),
        # GitHub's own example: an include adds to the combinations whose original values it
        # keeps, may overwrite what an earlier include added, and is its own combination when it
        # fits none.
        (
            {
                "fruit": ["apple", "pear"],
                "animal": ["cat", "dog"],
                "include": [
                    {"color": "green"},
                    {"color": "pink", "animal": "cat"},
                    {"fruit": "apple", "shape": "circle"},
                    {"fruit": "banana"},
                    {"fruit": "banana", "animal": "cat"},
                ],
            },
            [
                {"fruit": "apple", "animal": "cat", "color": "pink", "shape": "circle"},
                {"fruit": "apple", "animal": "dog", "color": "green", "shape": "circle"},
                {"fruit": "pear", "animal": "cat", "color": "pink"},
                {"fruit": "pear", "animal": "dog", "color": "green"},
                {"fruit": "banana"},
                {"fruit": "banana", "animal": "cat"},
            ],
        ),
        (
            {"include": [{"python": "3.13"}, {"python": "3.12"}]},
            [{"python": "3.13"}, {"python": "3.12"}],
        ),
        # Lists and matrices written as expressions of literals are their values.
        (
            {"suite": '${{ fromJSON(\'["integration", "contract"]\') }}'},
            [{"suite": "integration"}, {"suite": "contract"}],
        ),
        (
            '${{ fromJSON(\'{"suite": ["integration", "contract"]}\') }}',
            [{"suite": "integration"}, {"suite": "contract"}],
        ),
        ({"suite": "${{ fromJSON(needs.plan.outputs.suites) }}"}, [{}]),
    ],
    ids=[
        "none",
        "expression",
        "product",
        "exclude",
        "include",
        "include-only",
        "list-from-json",
        "matrix-from-json",
        "list-from-another-job",
    ],
)
def test_a_matrix_expands_as_github_expands_it(matrix, combinations):
    job = {"strategy": {"matrix": matrix}} if matrix is not None else {}
    assert wf.matrix_combinations(job) == combinations


def test_the_commands_of_every_combination_are_read(tmp_path):
    job = {
        "strategy": {"matrix": {"suite": ["unit", "integration"]}},
        "steps": [{"run": "pytest tests/${{ matrix.suite }} --python ${{ github.ref }}"}],
    }
    assert wf.runs_of_every_combination(job) == [
        (0, "pytest tests/unit --python ${{ github.ref }}"),
        (0, "pytest tests/integration --python ${{ github.ref }}"),
    ]


def test_a_key_of_a_matrix_value_that_is_a_mapping_is_filled_in():
    job = {
        "strategy": {"matrix": {"cfg": [{"suite": "integration"}, {"suite": "contract"}]}},
        "steps": [{"run": "pytest tests/${{ matrix.cfg.suite }} ${{ matrix.cfg.absent }}"}],
    }
    assert wf.runs_of_every_combination(job) == [
        (0, "pytest tests/integration ${{ matrix.cfg.absent }}"),
        (0, "pytest tests/contract ${{ matrix.cfg.absent }}"),
    ]


def test_needs_naming_no_job_and_cycles_are_found(tmp_path):
    text = (
        "on: push\njobs:\n  a:\n    needs: [b]\n    runs-on: x\n    steps: [{run: x}]\n"
        "  b:\n    needs: [a]\n    runs-on: x\n    steps: [{run: x}]\n"
        "  c:\n    needs: [nothing]\n    runs-on: x\n    steps: [{run: x}]\n"
    )
    problems = wf.needs_problems(workflow_from(text, tmp_path))
    assert "line 12: job `c` needs `nothing`, but there is no job `nothing` (jobs: a, b, c)" in (
        problems
    )
    assert sum("ends up needing itself" in problem for problem in problems) == 2


@pytest.mark.parametrize(
    ("uses", "sha", "local", "docker"),
    [
        ("actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd", True, False, False),
        ("actions/checkout@v6", False, False, False),
        ("./.github/actions/setup", False, True, False),
        ("docker://alpine@sha256:" + "a" * 64, False, False, True),
    ],
)
def test_action_references(uses, sha, local, docker):
    action = wf.ActionReference(uses)
    assert (action.is_commit_sha, action.is_local, action.is_docker) == (sha, local, docker)


def test_the_version_comment_of_a_pin_is_read(tmp_path):
    text = (
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n"
        "      - uses: actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2\n"
        "      - uses: actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd\n"
    )
    workflow = workflow_from(text, tmp_path)
    assert wf.version_comment(workflow, 6) == "v6.0.2"
    assert wf.version_comment(workflow, 7) is None


@pytest.mark.parametrize(
    "path", sorted((COURSE_ROOT / ".github" / "workflows").glob("*.yml")), ids=lambda p: p.name
)
def test_the_courses_own_workflows_do_what_lesson_06_teaches(path):
    """Our workflows pin every action to a commit with its version in a comment, and lint clean."""
    workflow = wf.read_workflow(path)
    assert wf.schema_problems(workflow) == []
    assert wf.actionlint_problems(workflow) == []
    for job_id, job in workflow.data["jobs"].items():
        for index, text in wf.uses_of(job):
            reference = wf.ActionReference(text)
            line = workflow.line("jobs", job_id, "steps", index, "uses")
            assert reference.is_commit_sha, f"{path.name} line {line}: {text} is not a SHA pin"
            assert wf.version_comment(workflow, line), f"{path.name} line {line}: no # vX comment"


COMPOSITE_ACTION = """\
name: Set up
runs:
  using: composite
  steps:
    - uses: astral-sh/setup-uv@681c641aba71e4a1c380be3ab5e12ad51f415867
    - run: uv sync
      shell: bash
"""


@pytest.mark.parametrize(
    ("files", "uses", "runs"),
    [
        (
            {".github/actions/setup/action.yml": COMPOSITE_ACTION},
            "./.github/actions/setup",
            ["uv sync"],
        ),
        (
            {".github/actions/setup/action.yaml": COMPOSITE_ACTION},
            "./.github/actions/setup/",
            ["uv sync"],
        ),
        (
            {".github/actions/setup/action.yml": COMPOSITE_ACTION.replace("composite", "node20")},
            "./.github/actions/setup",
            [],
        ),
        ({}, "./.github/actions/setup", []),
        ({"../outside/action.yml": COMPOSITE_ACTION}, "./../outside", []),
        ({}, "astral-sh/setup-uv@681c641aba71e4a1c380be3ab5e12ad51f415867", []),
    ],
    ids=[
        "action-yml",
        "action-yaml",
        "not-composite",
        "missing",
        "outside-the-repository",
        "remote",
    ],
)
def test_the_steps_of_a_local_composite_action_are_read(tmp_path, files, uses, runs):
    repository = tmp_path / "repository"
    for name, text in files.items():
        (repository / name).parent.mkdir(parents=True, exist_ok=True)
        (repository / name).write_text(text, encoding="utf-8")
    (repository / ".github" / "workflows").mkdir(parents=True)
    path = repository / ".github" / "workflows" / "ci.yml"
    path.write_text("on: push\njobs: {}\n", encoding="utf-8")
    workflow = wf.read_workflow(path)
    assert workflow.repository == repository
    steps = wf.local_action_steps(workflow, uses)
    assert [step["run"] for step in steps if "run" in step] == runs


def test_a_workflow_read_from_elsewhere_has_no_repository(tmp_path):
    assert workflow_from("on: push\njobs: {}\n", tmp_path).repository is None
