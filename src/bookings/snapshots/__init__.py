"""Stage snapshots: the reference state of a learner's project at the end of each stage.

``stage_NN/`` holds the files stage NN adds or changes, laid out as they sit in a learner's
project folder. A lesson that continues earlier work starts from the overlay of stages 1..N,
so a learner who fell behind can carry on::

    from bookings.snapshots import materialise
    materialise(4, Path("my-project"))

Some snapshot files are copies of the reference service, written by ``build.py``; the rest
(READMEs, the stage 04 tests) are written by hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

STAGE_DIR = re.compile(r"^stage_(\d{2})$")
# Left behind if someone runs a snapshot in place; never part of a learner's project.
IGNORED = ("__pycache__", ".pytest_cache", ".DS_Store")


class UnknownStageError(ValueError):
    """There is no snapshot for the requested stage."""


class SnapshotClashError(FileExistsError):
    """Materialising would overwrite files that already exist; nothing was written."""

    def __init__(self, clashes: list[Path]) -> None:
        self.clashes = clashes
        listing = "\n".join(f"  {path}" for path in clashes)
        super().__init__(
            f"{len(clashes)} file(s) already exist and would be overwritten; nothing was"
            f" written. Move them away or choose another folder:\n{listing}"
        )


def _root() -> Traversable:
    return resources.files(__name__)


def available_stages() -> list[int]:
    """The stages that have a snapshot, in order."""
    stages = []
    for entry in _root().iterdir():
        match = STAGE_DIR.match(entry.name)
        if match and entry.is_dir():
            stages.append(int(match[1]))
    return sorted(stages)


def stage_files(stage: int) -> dict[PurePosixPath, Traversable]:
    """The overlay of stages 1..`stage`: each relative path mapped to its latest version."""
    stages = available_stages()
    if stage not in stages:
        raise UnknownStageError(
            f"there is no stage {stage!r}; available stages: {', '.join(map(str, stages))}"
        )
    files: dict[PurePosixPath, Traversable] = {}
    for number in stages:
        if number <= stage:
            # A later stage's version of a file replaces the earlier one.
            files.update(_walk(_root() / f"stage_{number:02d}", PurePosixPath()))
    return dict(sorted(files.items()))


def materialise(stage: int, destination: Path) -> list[Path]:
    """Write the files of stages 1..`stage` into `destination`; return the paths written.

    Never overwrites: if any file would clash with an existing one, raise SnapshotClashError
    listing every clash and write nothing.
    """
    destination = Path(destination)
    if destination.exists() and not destination.is_dir():
        raise NotADirectoryError(f"{destination} exists and is not a folder")
    files = stage_files(stage)
    targets = {destination.joinpath(*relative.parts): entry for relative, entry in files.items()}
    clashes = [target for target in targets if _blocked(target, destination)]
    if clashes:
        raise SnapshotClashError(clashes)
    written = []
    for target, entry in targets.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        # "x" refuses to replace a file that appeared since the check above.
        with target.open("xb") as handle:
            handle.write(entry.read_bytes())
        written.append(target)
    return written


def _walk(
    folder: Traversable, prefix: PurePosixPath
) -> Iterator[tuple[PurePosixPath, Traversable]]:
    for entry in folder.iterdir():
        if entry.name in IGNORED or entry.name.endswith(".pyc"):
            continue
        if entry.is_dir():
            yield from _walk(entry, prefix / entry.name)
        else:
            yield prefix / entry.name, entry


def _blocked(target: Path, destination: Path) -> bool:
    """Whether writing `target` would replace something: the file itself or a parent."""
    if target.exists() or target.is_symlink():
        return True
    # A file standing where a folder is needed blocks the write too.
    parent = target.parent
    while parent != destination and parent != parent.parent:
        if parent.exists() and not parent.is_dir():
            return True
        parent = parent.parent
    return False
