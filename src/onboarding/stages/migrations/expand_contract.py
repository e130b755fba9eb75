"""Expand and contract: the one order in which a column is replaced with no downtime.

Stated once, here. Lessons 03 and 07 print it, the migration-plan template's table follows it
(a test compares them), and exercise 07.3 judges a learner's deployment order with it.

During a deploy the release before and the new one run side by side against one database, and
after it the release before is the rollback target. So every phase must leave a database that
both can use:

1. **expand**: the migration job adds the new column, NULL allowed, and lets the old one be NULL
   (SQLite rebuilds the table to drop a NOT NULL). The running release ignores the new column.
2. **dual write**: deploy a release that writes both columns and still reads the old one.
3. **backfill**: copy the old column into the new one where it is NULL, in batches. Only now:
   a row that a release writing only the old column makes after the backfill would stay NULL.
4. **switch reads**: deploy a release that reads the new column and still writes both, so that
   rolling back to the release before stays safe.
5. **stop writing**: deploy a release that writes and reads only the new column; the old one
   may be NULL since the expand.
6. **contract**: the migration job of a later release drops the old column, once no running
   release (nor the rollback target) reads or writes it.
"""

from __future__ import annotations

from dataclasses import dataclass

MIGRATION_JOB = "migration job"
DEPLOY = "deploy"


@dataclass(frozen=True)
class Phase:
    key: str
    name: str
    kind: str
    """A `migration job` changes the schema or the data; a `deploy` changes the code."""
    does: str
    """What happens, with {old} and {new} for the columns."""
    safe_because: str
    """Why the releases running at that moment can all use the database."""

    def says(self, old: str, new: str) -> str:
        return self.does.format(old=old, new=new)

    def reason(self, old: str, new: str) -> str:
        return self.safe_because.format(old=old, new=new)


SEQUENCE: tuple[Phase, ...] = (
    Phase(
        "expand",
        "Expand",
        MIGRATION_JOB,
        "add {new}, NULL allowed, and let {old} be NULL",
        "the running release ignores {new}",
    ),
    Phase(
        "dual_write",
        "Deploy dual-write",
        DEPLOY,
        "a release that writes {old} and {new}, and still reads {old}",
        "the release before writes {old}, which both still read",
    ),
    Phase(
        "backfill",
        "Backfill",
        MIGRATION_JOB,
        "copy {old} into {new} where {new} is NULL, in batches",
        "every running release now writes both, so no new row misses {new}",
    ),
    Phase(
        "switch_reads",
        "Switch reads",
        DEPLOY,
        "a release that reads {new}, and still writes both",
        "every row has {new}, and the release before still finds {old}",
    ),
    Phase(
        "stop_writing",
        "Stop writing the old column",
        DEPLOY,
        "a release that writes and reads only {new}",
        "the release before reads {new} too, and {old} may be NULL since the expand",
    ),
    Phase(
        "contract",
        "Contract",
        MIGRATION_JOB,
        "drop {old}, in a later release",
        "no running release, nor the one a rollback would return to, uses {old}",
    ),
)


def phase(key: str) -> Phase:
    return next(phase for phase in SEQUENCE if phase.key == key)


def table(old: str, new: str) -> list[tuple[str, str, str, str]]:
    """(step, kind, what happens, why it is safe) for each phase, for a lesson to print."""
    return [
        (f"{number}. {phase.name}", phase.kind, phase.says(old, new), phase.reason(old, new))
        for number, phase in enumerate(SEQUENCE, start=1)
    ]
