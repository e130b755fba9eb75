"""What the course says about running SQLite in production is true of the service.

Two claims were once wrong: that "WAL mode allows the brief overlap" of a blue/green switch,
while the service never set WAL, and that the file could sit on a managed service's volume, a
network file share where SQLite's locking is unsafe. These tests tie the first claim to the
service and refuse the second wherever the course might make it.
"""

from __future__ import annotations

import re

import pytest

from bookings.core.db import open_database
from tests.course_text import Text, course_texts

WAL = re.compile(r"\bWAL\b")
# Places a file can sit that are network file systems, whatever the platform calls them.
NETWORK_STORAGE = re.compile(
    r"managed (?:service|volume|file)|network (?:file ?share|file ?system|storage)|"
    r"\bNFS\b|\bSMB\b|\bEFS\b|Azure Files|Filestore|file share",
    re.IGNORECASE,
)
# A sentence that warns against network storage rather than recommending it.
WARNING = re.compile(
    r"\bnot\b|\bnever\b|unsafe|unreliable|does not work|corrupt|instead", re.IGNORECASE
)
SQLITE = re.compile(r"sqlite|bookings\.db|the (?:database )?file\b|\bvolume", re.IGNORECASE)


def wal_claims() -> list[str]:
    return [text.where for text in course_texts() if WAL.search(text.text)]


def test_the_course_relies_on_wal_and_the_service_sets_it(tmp_path):
    """The templates and lessons say the service runs in WAL mode; it does."""
    assert wal_claims(), "nothing mentions WAL any more: drop this test or the PRAGMA"
    db = open_database(tmp_path / "bookings.db")
    try:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        db.close()


def network_storage_advice(texts) -> list[str]:
    found = []
    for text in texts:
        for unit in text.units():
            if NETWORK_STORAGE.search(unit) and SQLITE.search(unit) and not WARNING.search(unit):
                found.append(f"{text.where}: {unit[:160]!r}")
    return found


def test_no_text_puts_the_sqlite_file_on_network_storage():
    """Every sentence that names a network file system with SQLite warns against it."""
    assert network_storage_advice(course_texts()) == []


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        (
            "It keeps its data in one SQLite file, so it runs as one replica on a managed "
            "service, with the file on a volume.",
            True,
        ),
        ("Mount the database file from an NFS share so both replicas can write.", True),
        ("Never put the SQLite file on a network file share: its locks are unreliable.", False),
        ("The SQLite file lives on a local block volume attached to one node.", False),
    ],
)
def test_the_storage_check_tells_advice_from_warnings(sentence, flagged):
    found = network_storage_advice([Text("example.md", sentence, prose=True)])
    assert bool(found) is flagged, found
