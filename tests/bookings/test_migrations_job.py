"""`python -m bookings.migrations`, the job CI runs before a deploy."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bookings.migrations.__main__ import main


def test_migrates_to_the_latest_version_and_is_harmless_twice(tmp_path, capsys):
    database = tmp_path / "bookings.db"
    assert main(["--database", str(database)]) == 0
    assert capsys.readouterr().out.endswith("version 0 -> 2; applied: 1, 2\n")
    assert main(["--database", str(database)]) == 0
    assert capsys.readouterr().out.endswith("version 2 -> 2; applied: nothing\n")


def test_rolls_back_and_reads_the_database_from_the_environment(tmp_path, monkeypatch, capsys):
    database = tmp_path / "from-env.db"
    monkeypatch.setenv("BOOKINGS_DATABASE", str(database))
    assert main([]) == 0
    assert main(["--rollback-to", "1"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"{database}: version 2 -> 1; rolled back: 2"


def test_a_refused_rollback_exits_non_zero_and_says_where_it_stopped(tmp_path, capsys):
    database = tmp_path / "bookings.db"
    main(["--database", str(database)])
    import sqlite_utils

    db = sqlite_utils.Database(database)
    db["rooms"].insert({"name": "Ada", "capacity": 4})
    db["bookings"].insert(
        {
            "room_id": 1,
            "organiser": "a@example.com",
            "start": "2030-01-07T09:00:00Z",
            "end": "2030-01-07T10:00:00Z",
            "attendees": 2,
            "cancelled": 1,
        }
    )
    db.close()
    assert main(["--database", str(database), "--rollback-to", "1"]) == 1
    assert "migration failed, database left at version 2" in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--help"])
def test_has_help(flag):
    run = subprocess.run(
        [sys.executable, "-m", "bookings.migrations", flag], capture_output=True, text=True
    )
    assert run.returncode == 0 and "--rollback-to" in run.stdout
