"""Write the snapshot files that are copies of the reference service.

Every stage has moved to the learner's project (`project/` and `onboarding.project`), so there
is nothing left to copy: the package stays only until the lead removes it, with its `--check`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path, PurePosixPath

SNAPSHOTS = Path(__file__).parent
PACKAGE = SNAPSHOTS.parent
MARK = "Written by bookings.snapshots.build"


def header(source: PurePosixPath) -> str:
    return (
        f"# {MARK} from bookings/{source}.\n"
        "# In the course repository edit the source and rebuild; in your project it is yours.\n"
    )


def copies() -> dict[PurePosixPath, PurePosixPath]:
    """Each generated snapshot file (relative to snapshots/) and its source in the package."""
    pairs: dict[PurePosixPath, PurePosixPath] = {}
    return pairs


def render() -> dict[PurePosixPath, str]:
    """The text every generated snapshot file should have."""
    return {
        target: header(source) + (PACKAGE / source).read_text(encoding="utf-8")
        for target, source in copies().items()
    }


def stale() -> list[PurePosixPath]:
    """Generated files on disk whose source no longer exists."""
    expected = copies()
    found = []
    for path in sorted(SNAPSHOTS.glob("stage_*/**/*")):
        relative = PurePosixPath(path.relative_to(SNAPSHOTS).as_posix())
        if path.is_file() and relative not in expected and _is_generated(path):
            found.append(relative)
    return found


def out_of_sync() -> list[PurePosixPath]:
    """Generated files that are missing, differ from their source, or are stale."""
    differing = [
        target
        for target, text in render().items()
        if not (SNAPSHOTS / target).is_file()
        or (SNAPSHOTS / target).read_text(encoding="utf-8") != text
    ]
    return sorted(differing + stale())


def build() -> list[PurePosixPath]:
    """Rewrite the generated files, remove stale ones; return what changed."""
    changed = out_of_sync()
    for target in stale():
        (SNAPSHOTS / target).unlink()
    for target, text in render().items():
        path = SNAPSHOTS / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return changed


def _is_generated(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as handle:
            return MARK in handle.readline()
    except UnicodeDecodeError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report files out of sync")
    args = parser.parse_args(argv)
    changed = out_of_sync() if args.check else build()
    for target in changed:
        print(f"{'out of sync' if args.check else 'rewrote'}: {target}")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
