"""Reading a project's Alembic migrations: its alembic.ini, its revisions and their order.

Stage 03's checks run a learner's revisions and stage 07's read them (the rollback step of the
deployment checklist names one). Alembic itself, given a broken history, raises a KeyError or
warns in the middle of a traceback; `read_history` says instead, in one line, which file is
wrong and how: a revision file that does not load, a `down_revision` naming a revision that does
not exist, two revisions with one id, a loop, two heads.

Loading a revision file runs it, as `alembic` itself does: call this on a throwaway copy of the
project (`onboarding.project.copy_for_checking`).
"""

from __future__ import annotations

import re
import traceback
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from onboarding.checks import ArtefactError, read_artefact

INI = "alembic.ini"
RELATIVE_TARGET = re.compile(r"(?:[\w-]+@)?(?P<start>\w+)?(?P<step>[+-]\d+)")
"""A target Alembic counts from: `-1`, `head-1`, `0002-1`, `base+1`, `0002@-1`.

Alembic's own pattern. A `branch@` prefix counts from the current revision on that branch; the
course's history is one line, so that is the current revision.
"""


@dataclass(frozen=True)
class Revision:
    id: str
    down_revision: str | None
    path: str
    """The file, relative to the project folder."""
    message: str
    """The first line of the file's docstring."""


@dataclass(frozen=True)
class History:
    """A project's revisions in order, oldest first, and how to run Alembic on them."""

    root: Path
    script_location: Path
    revisions: tuple[Revision, ...]

    @property
    def ids(self) -> list[str]:
        return [revision.id for revision in self.revisions]

    @property
    def base(self) -> Revision:
        return self.revisions[0]

    @property
    def head(self) -> Revision:
        return self.revisions[-1]

    def revision(self, revision_id: str) -> Revision | None:
        return next((r for r in self.revisions if r.id == revision_id), None)

    def resolve(self, target: str, current: str | None = None) -> str | None:
        """The revision id a command's target means ("head", "-1", a prefix…); None for base.

        Raises ValueError when the target names no revision.
        """
        if target == "base":
            return None
        if target == "head" or target == "heads":
            return self.head.id
        relative = RELATIVE_TARGET.fullmatch(target)
        if relative:
            return self._step(target, relative["start"], int(relative["step"]), current)
        if target in self.ids:
            return target
        # Alembic accepts any unambiguous start of an id, as git does.
        matches = [revision_id for revision_id in self.ids if revision_id.startswith(target)]
        if len(matches) == 1:
            return matches[0]
        raise ValueError(f"no revision {target!r}; the revisions are {', '.join(self.ids)}")

    def _step(self, target: str, start: str | None, step: int, current: str | None) -> str | None:
        """The revision `step` revisions from `start` (from `current` when no start is named)."""
        if start is None:
            position = self.ids.index(current) if current in self.ids else len(self.ids) - 1
        else:
            # base is one below the first revision: base+1 is the first.
            named = self.resolve(start, current)
            position = -1 if named is None else self.ids.index(named)
        moved = position + step
        if moved < -1:
            raise ValueError(f"{target} goes below the first revision")
        if moved >= len(self.ids):
            raise ValueError(f"{target} goes above the newest revision")
        return self.ids[moved] if moved >= 0 else None

    def config(self):
        """Alembic's Config for this project (its own alembic.ini)."""
        from alembic.config import Config

        return Config(str(self.root / INI))

    def as_text(self) -> str:
        return " → ".join(self.ids)


def read_history(root: str | Path) -> History:
    """The project's revisions, checked for what would make Alembic fail with a traceback."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    root = Path(root)
    ini = root / INI
    # The one loader says that a missing file does not exist yet, as for every artefact.
    read_artefact(ini, how_to_create="stage 03 adds it to your project (onboard begin 03)")
    try:
        config = Config(str(ini))
        location = config.get_alembic_option("script_location")
    except Exception as error:  # noqa: BLE001 - configparser's errors are many
        raise ArtefactError(f"{INI} cannot be read: {_one_line(error)}") from None
    if not location:
        raise ArtefactError(f"{INI} has no `script_location` in its [alembic] section")
    folder = Path(location) if Path(location).is_absolute() else root / location
    if not (folder / "versions").is_dir():
        raise ArtefactError(
            f"{INI} says the migrations are in {_shown(folder, root)}, which has no versions/ "
            "folder"
        )
    with warnings.catch_warnings():
        # Alembic warns about a missing down_revision before it fails; the problems below say it.
        warnings.simplefilter("ignore")
        scripts = ScriptDirectory.from_config(config)
        revisions = []
        for path in sorted((folder / "versions").glob("*.py")):
            revisions.append(_load(scripts, path, root))
    return History(root, folder, tuple(_in_order(revisions)))


def _load(scripts, path: Path, root: Path) -> Revision:
    from alembic.script import Script

    shown = _shown(path, root)
    try:
        script = Script._from_path(scripts, path)
    except SyntaxError as error:
        raise ArtefactError(
            f"{shown} does not load: SyntaxError on line {error.lineno}: {error.msg}"
        ) from None
    except Exception as error:  # noqa: BLE001 - the learner's file may raise anything
        line = _line_in(error, path)
        where = f" (line {line})" if line else ""
        raise ArtefactError(
            f"{shown} does not load{where}: {type(error).__name__}: {_one_line(error)}"
        ) from None
    if script is None:
        raise ArtefactError(f"{shown} is not a revision: it sets no `revision`")
    down = script.down_revision
    if isinstance(down, Sequence) and not isinstance(down, str):
        raise ArtefactError(
            f"{shown} merges revisions {', '.join(down)}: keep one line of revisions, each "
            "after the one before"
        )
    doc = (script.module.__doc__ or "").strip().splitlines()
    return Revision(str(script.revision), down, shown, doc[0] if doc else "")


def _in_order(revisions: list[Revision]) -> list[Revision]:
    if not revisions:
        raise ArtefactError("migrations/versions/ holds no revision yet")
    by_id: dict[str, Revision] = {}
    for revision in revisions:
        if revision.id in by_id:
            raise ArtefactError(
                f"{revision.path} and {by_id[revision.id].path} both say revision = "
                f"{revision.id!r}: every revision needs its own id"
            )
        by_id[revision.id] = revision
    known = ", ".join(sorted(by_id))
    for revision in revisions:
        if revision.down_revision == revision.id:
            raise ArtefactError(f"{revision.path} says down_revision = {revision.id!r}, itself")
        if revision.down_revision is not None and revision.down_revision not in by_id:
            raise ArtefactError(
                f"{revision.path} says down_revision = {revision.down_revision!r}, but no "
                f"revision has that id (the revisions are {known})"
            )
    bases = [revision for revision in revisions if revision.down_revision is None]
    if len(bases) != 1:
        listed = ", ".join(f"{r.id} ({r.path})" for r in bases) or "none"
        raise ArtefactError(
            f"exactly one revision must have down_revision = None (the first); found {listed}"
        )
    following: dict[str, list[Revision]] = {}
    for revision in revisions:
        if revision.down_revision is not None:
            following.setdefault(revision.down_revision, []).append(revision)
    ordered = [bases[0]]
    while ordered[-1].id in following:
        after = following[ordered[-1].id]
        if len(after) > 1:
            raise ArtefactError(
                f"{' and '.join(r.path for r in after)} both follow revision {ordered[-1].id}: "
                "that makes two heads; set one's down_revision to the other's revision"
            )
        if after[0] in ordered:
            raise ArtefactError(f"the revisions loop back to {after[0].id}")
        ordered.append(after[0])
    stray = [revision.id for revision in revisions if revision not in ordered]
    if stray:
        raise ArtefactError(
            f"revisions {', '.join(stray)} do not follow on from {bases[0].id}: they loop"
        )
    return ordered


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _line_in(error: BaseException, path: Path) -> int | None:
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename]
    lines = [frame.lineno for frame in frames if Path(frame.filename).name == path.name]
    return lines[-1] if lines else None


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


__all__ = ["INI", "History", "Revision", "read_history"]
