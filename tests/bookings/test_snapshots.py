"""Stage snapshots: every stage now lives in the learner's project blueprint (`project/`).

The `bookings.snapshots` package is empty and waits for the lead to remove it (issue 8); until
then it must say so clearly rather than hand out stale copies.
"""

import pytest

from bookings.snapshots import UnknownStageError, available_stages, build, materialise


def files_under(root) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


def test_no_stage_is_a_snapshot_any_more():
    """Stages 01 to 05 moved to project/stage_NN; no snapshot folder is left."""
    assert available_stages() == []


def test_the_build_has_nothing_out_of_sync():
    """`python -m bookings.snapshots.build --check` passes with nothing to copy."""
    assert build.out_of_sync() == []
    assert build.main(["--check"]) == 0


@pytest.mark.parametrize("stage", [0, 1, 3, 5, 99, -1])
def test_every_stage_is_an_unknown_snapshot(tmp_path, stage):
    """Asking for a snapshot names the stage and writes nothing."""
    with pytest.raises(UnknownStageError, match=rf"no stage {stage}\b"):
        materialise(stage, tmp_path)
    assert files_under(tmp_path) == set()
