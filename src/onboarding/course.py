"""The course's map: its stages, what each covers of the process, and what it produces.

One list, used by the welcome lesson's stage map, the book and the tests that check every section
of the process document is taught somewhere.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    number: str
    title: str
    process_stage: str
    """The project stage of the process document this course stage teaches ("" if none)."""
    produces: tuple[str, ...]
    """The documents and artefacts a team has at the end of the stage."""
    package: str = ""
    """The stage package under `onboarding.stages` that declares this stage's exercises."""
    runs_pytest: bool = False
    """Its checks run pytest in child processes: its notebook starts their workers as it opens."""


STAGES: tuple[Stage, ...] = (
    Stage("00", "Welcome", "(the whole process)", ("your workspace",), "welcome"),
    Stage(
        "01",
        "Roles, intake and discovery",
        "1. Intake and Discovery",
        ("PRD", "acceptance criteria", "estimate"),
        "intake",
    ),
    Stage("02", "API design", "2. API / Data Design", ("OpenAPI spec", "TSD/SDD"), "api_design"),
    Stage(
        "03",
        "Data design and migrations",
        "2. API / Data Design",
        ("DB schema", "migrations", "DB Migration Plan"),
        "migrations",
    ),
    Stage(
        "04",
        "Implementation",
        "3. Implementation",
        ("service code", "unit tests", "feature flags"),
        "implementation",
        runs_pytest=True,
    ),
    Stage(
        "05",
        "Testing",
        "4. Testing",
        ("integration tests", "contract tests", "load test", "Test Plan"),
        "testing",
        runs_pytest=True,
    ),
    Stage("06", "CI, branching and releases", "", ("CI workflow", "release tags"), "ci"),
    Stage(
        "07",
        "Deployment",
        "5. Deployment",
        ("Dockerfile", "migration job", "Deployment Checklist"),
        "deployment",
    ),
    Stage(
        "08",
        "Monitoring and support",
        "6. Monitoring & Support",
        ("metrics and traces", "SLOs and alerts", "runbook", "postmortem"),
        "monitoring",
    ),
    Stage(
        "09",
        "Packaging and security",
        "",
        ("pinned lock file", "secrets policy", "image scan"),
        "security",
    ),
    Stage(
        "10",
        "Capstone: one feature",
        "(every stage, one feature)",
        ("PRD", "spec change", "migration", "feature and tests", "flagged canary", "release"),
        "capstone",
        runs_pytest=True,
    ),
)


def stage_map_rows() -> list[tuple[str, str, str, str]]:
    return [
        (
            stage.number,
            stage.title,
            stage.process_stage or "(cross-cutting)",
            ", ".join(stage.produces),
        )
        for stage in STAGES
    ]


class UnknownStage(KeyError):
    """No stage has that number."""


def stage_numbered(number: str) -> Stage:
    """The stage "03" (or the stage of exercise "03.1")."""
    wanted = number.split(".", 1)[0]
    for stage in STAGES:
        if stage.number == wanted:
            return stage
    raise UnknownStage(
        f"no stage {wanted!r}; the stages are {', '.join(stage.number for stage in STAGES)}"
    )
