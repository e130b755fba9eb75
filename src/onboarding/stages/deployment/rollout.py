"""Exercise 07.3: a deployment that replaces two columns, simulated step by step.

The release renames `start` and `end` to `starts_at` and `ends_at`, in the phases of
`onboarding.stages.migrations.expand_contract` (the one sequence the course teaches), after CI
has built the image and someone has taken a backup. A learner's order is played on a model of
the database and of the releases that run: during a deploy the release before and the new one
serve side by side, then only the new one. After every step, each running release books a room
and reads the bookings back. The order is safe when no migration job or booking fails and no
release reads a booking whose columns it needs are empty; otherwise the finding names the step,
the release and the booking. A problem that comes back at later steps, or to another release, is
named once, with the moments it happens: a wrong order repeats it at every step after.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from onboarding.stages.migrations.expand_contract import DEPLOY, SEQUENCE

OLD, NEW = "start/end", "starts_at/ends_at"
"""The columns the release replaces, as the steps and the findings name them."""


@dataclass(frozen=True)
class Release:
    version: str
    writes_old: bool
    writes_new: bool
    reads_new: bool


RUNNING_BEFORE = Release("1.3.0", True, False, False)
RELEASES = {
    "dual_write": Release("1.4.0", True, True, False),
    "switch_reads": Release("1.5.0", True, True, True),
    "stop_writing": Release("1.6.0", False, True, True),
}
PREPARATION = {
    "build": "CI builds the release, scans the image and pushes it to the registry",
    "backup": "take a backup of the database and check that it restores",
}
DEPLOY_STEPS = {
    **PREPARATION,
    **{
        phase.key: (
            f"deploy {RELEASES[phase.key].version}: {phase.says(OLD, NEW)}"
            if phase.kind == DEPLOY
            else f"migration job: {phase.says(OLD, NEW)}"
        )
        for phase in SEQUENCE
    },
}
SAFE_ORDER = ["build", "backup", *(phase.key for phase in SEQUENCE)]
SHUFFLED_ORDER = [
    "contract",
    "switch_reads",
    "backup",
    "stop_writing",
    "expand",
    "backfill",
    "build",
    "dual_write",
]
"""The learner starts from this list."""


@dataclass
class Booking:
    made_by: str
    when: str
    has_old: bool
    has_new: bool


@dataclass
class Findings:
    preparation: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    misread: list[str] = field(default_factory=list)


Moments = dict[str, dict[str, list[str]]]
"""A problem -> each release it happens to -> when, in the order they came."""


@dataclass
class Seen:
    """What the traffic ran into, each problem once, before it is worded as findings."""

    refused: Moments = field(default_factory=dict)
    misread: Moments = field(default_factory=dict)

    def add(self, moments: Moments, problem: str, version: str, when: str) -> None:
        moments.setdefault(problem, {}).setdefault(version, []).append(when)


@dataclass
class Database:
    has_old: bool = True
    old_required: bool = True
    has_new: bool = False
    bookings: list[Booking] = field(default_factory=list)


def steps_problems(order: object) -> list[str]:
    """The answer lists each step exactly once."""
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


def simulate(order: Sequence[str]) -> Findings:
    """Play the order; every finding says which step, which release and which booking."""
    findings, seen = Findings(), Seen()
    db = Database(bookings=[Booking(RUNNING_BEFORE.version, "before the release", True, False)])
    running = [RUNNING_BEFORE]
    done: set[str] = set()
    for step in order:
        if step in PREPARATION:
            done.add(step)
            continue
        phase = next(phase for phase in SEQUENCE if phase.key == step)
        _prepared(step, done, findings)
        if phase.kind == DEPLOY:
            release = RELEASES[step]
            # During the rollout the release before serves beside the new one.
            _traffic(db, [running[-1], release], f"while `{step}` rolls out", seen)
            running = [release]
        else:
            _migrate(db, step, seen)
        done.add(step)
        _traffic(db, running, f"after `{step}`", seen)
    findings.refused = [
        _refusal(problem, moments) if moments else problem
        for problem, moments in seen.refused.items()
    ]
    findings.misread = [_misreading(problem, moments) for problem, moments in seen.misread.items()]
    return findings


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _refusal(reason: str, moments: dict[str, list[str]]) -> str:
    """`reason` once, then when each release's bookings are refused for it."""
    (first, whens), *others = moments.items()
    told = f"a booking made by {first} is refused for {reason}: {_listed(whens)}"
    return "; ".join(
        [told, *(f"so is one made by {other}, {_listed(when)}" for other, when in others)]
    )


def _misreading(problem: str, moments: dict[str, list[str]]) -> str:
    """`problem` once, then when each release reads it."""
    (first, whens), *others = moments.items()
    told = f"{first} reads {problem}: {_listed(whens)}"
    return "; ".join([told, *(f"so does {other}, {_listed(when)}" for other, when in others)])


def _prepared(step: str, done: set[str], findings: Findings) -> None:
    if findings.preparation:
        return
    if "build" not in done:
        findings.preparation.append(
            f"`{step}` comes before `build`: every migration job and deploy runs the image CI"
            " built, scanned and pushed"
        )
    elif "backup" not in done and step in ("expand", "backfill", "contract"):
        findings.preparation.append(
            f"`{step}` comes before `backup`: a backup must exist before the first migration"
            " job touches the database"
        )


def _migrate(db: Database, step: str, seen: Seen) -> None:
    if step == "expand":
        db.has_new, db.old_required = True, False
    elif step == "backfill":
        if not db.has_new:
            # The job's own failure: no release and no moment to add to it.
            failure = f"`backfill` fails: there are no columns {NEW} to fill until `expand` has run"
            seen.refused.setdefault(failure, {})
            return
        for booking in db.bookings:
            booking.has_new = booking.has_new or booking.has_old
    elif step == "contract":
        db.has_old = False


def _traffic(db: Database, running: list[Release], when: str, seen: Seen) -> None:
    for release in dict.fromkeys(running):
        refusal = _why_refused(db, release)
        if refusal:
            seen.add(seen.refused, refusal, release.version, when)
        else:
            db.bookings.append(
                Booking(
                    release.version, when, release.writes_old, release.writes_new and db.has_new
                )
            )
    for release in dict.fromkeys(running):
        problem = _misread(db, release)
        if problem:
            seen.add(seen.misread, problem, release.version, when)


def _why_refused(db: Database, release: Release) -> str | None:
    if release.writes_new and not db.has_new:
        return f"writing {NEW}, which do not exist until `expand` has run"
    if release.writes_old and not db.has_old:
        return f"writing {OLD}, which `contract` has dropped"
    if not release.writes_old and db.has_old and db.old_required:
        return f"leaving {OLD} empty while they are still NOT NULL"
    return None


def _misread(db: Database, release: Release) -> str | None:
    if release.reads_new:
        if not db.has_new:
            return f"{NEW}, which do not exist until `expand` has run"
        empty = next((b for b in db.bookings if not b.has_new), None)
        if empty:
            return f"{NEW}, which are empty in a booking {empty.made_by} made {empty.when}"
    else:
        if not db.has_old:
            return f"{OLD}, which `contract` has dropped"
        empty = next((b for b in db.bookings if not b.has_old), None)
        if empty:
            return f"{OLD}, which are empty in a booking {empty.made_by} made {empty.when}"
    return None
