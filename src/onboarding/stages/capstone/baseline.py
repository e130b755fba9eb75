"""The project as it stood when the capstone began: the learner's stage-02 spec and version.

`begin("10")` commits the stage's starting files with the message `feature.BEGIN_MESSAGE`. That
commit's tree holds the learner's own `openapi.yaml` and `pyproject.toml` as they were before
the feature: git keeps them, so the course needs no copy of its own, and nothing the learner
edits later can move the baseline by accident.

A project without that commit (made by `onboard checkpoint 09 --adopt` and then edited without
`onboard begin 10`, or prepared by the course's own tests) falls back to the course's model at
the end of stage 09, and says so: that is the spec such a project started from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

import onboarding.stages.capstone.feature as feature
from onboarding import project
from onboarding.checks import CheckFailed


@dataclass(frozen=True)
class Baseline:
    files: dict[str, str]
    """Text of the files asked for, by path; a file the baseline lacks is absent."""
    source: str
    """Where it came from, in words: "the commit abc1234567 (Stage 10: …)" or the course's."""


def begin_commit(root: Path) -> str | None:
    """The newest commit `begin("10")` made in the learner's repository, if there is one."""
    if not (root / ".git").exists():
        return None
    try:
        found = project.Git(root).run(
            "log", "--format=%H", "--fixed-strings", f"--grep={feature.BEGIN_MESSAGE}"
        )
    except project.ProjectError:
        return None
    commits = found.split()
    return commits[0] if commits else None


def baseline(paths: tuple[str, ...], workspace: Path | None = None) -> Baseline:
    root = project.locate(workspace)
    commit = begin_commit(root)
    if commit is None:
        model = project.reference("09")
        files = {path: model[path] for path in paths if path in model}
        return Baseline(files, "the course's stage-09 project (no `onboard begin 10` commit)")
    git = project.Git(root)
    files = {}
    for path in paths:
        try:
            files[path] = git.run("show", f"{commit}:{path}")
        except project.ProjectError:
            continue
    return Baseline(files, f"your commit {commit[:10]} ({feature.BEGIN_MESSAGE})")


def spec_before(workspace: Path | None = None) -> tuple[dict, str]:
    """The spec before the feature, parsed, and where it came from."""
    before = baseline((feature.SPEC_FILE,), workspace)
    text = before.files.get(feature.SPEC_FILE)
    if text is None:
        raise CheckFailed(f"{before.source} has no {feature.SPEC_FILE} to compare yours with")
    try:
        spec = yaml.safe_load(text)
    except yaml.YAMLError:
        raise CheckFailed(f"the {feature.SPEC_FILE} of {before.source} is not valid YAML") from None
    if not isinstance(spec, dict):
        raise CheckFailed(f"the {feature.SPEC_FILE} of {before.source} is not an OpenAPI document")
    return spec, before.source


def version_before(workspace: Path | None = None) -> tuple[str, str]:
    """The project's version before the feature (pyproject.toml), and where it came from."""
    import tomllib

    before = baseline(("pyproject.toml",), workspace)
    try:
        metadata = tomllib.loads(before.files.get("pyproject.toml", ""))
        return str(metadata["project"]["version"]), before.source
    except (tomllib.TOMLDecodeError, KeyError, TypeError):
        raise CheckFailed(f"{before.source} has no readable project version") from None
