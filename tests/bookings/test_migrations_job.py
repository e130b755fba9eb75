"""`python -m bookings.migrations`, the job CI runs before a deploy."""

from __future__ import annotations

import subprocess
import sys

import sqlite_utils

from bookings.migrations.__main__ import main


def test_upgrades_to_the_newest_revision_and_is_harmless_twice(tmp_path, capsys):
    database = tmp_path / "bookings.db"
    assert main(["--database", str(database)]) == 0
    assert capsys.readouterr().out.endswith("revision none -> 0002; upgraded\n")
    assert main(["--database", str(database)]) == 0
    assert capsys.readouterr().out.endswith("revision 0002 -> 0002; nothing to do\n")


def test_downgrades_and_reads_the_database_from_the_environment(tmp_path, monkeypatch, capsys):
    database = tmp_path / "from-env.db"
    monkeypatch.setenv("BOOKINGS_DATABASE", str(database))
    assert main([]) == 0
    assert main(["--downgrade-to", "0001"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"{database}: revision 0002 -> 0001; downgraded"
    )


def test_a_refused_downgrade_exits_non_zero_and_says_where_it_stopped(tmp_path, capsys):
    database = tmp_path / "bookings.db"
    main(["--database", str(database)])
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
    assert main(["--database", str(database), "--downgrade-to", "0001"]) == 1
    assert "migration failed, database left at revision 0002" in capsys.readouterr().err


def test_has_help():
    run = subprocess.run(
        [sys.executable, "-m", "bookings.migrations", "--help"], capture_output=True, text=True
    )
    assert run.returncode == 0 and "--downgrade-to" in run.stdout
