"""Where the dashboard keeps the reports: SQLite on one machine, PostgreSQL on Kubernetes.

One table, written only by `POST /api/reports`. What a row holds is what the learner's check
reported and nothing more (see the instructor guide's "What the dashboard collects"): who, which
exercise, how many checks passed of how many, the *course's* text of each failed expectation,
how long the check took, and when. No code, no notebook, no value a learner's code returned.

Both databases are reached through plain DB-API connections with the same SQL: the schema is one
table and two indexes, too small to justify an ORM, and the same statements running on both is
what the PostgreSQL test proves. A report carries a `report_id` made by the learner's machine;
the pair (learner, report_id) is unique, so a report delivered twice (a retry after a timeout
whose first try did arrive) is stored once.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS reports (
        id {serial},
        learner TEXT NOT NULL,
        report_id TEXT NOT NULL,
        exercise_id TEXT NOT NULL,
        passed INTEGER NOT NULL,
        total INTEGER NOT NULL,
        failed_expectations TEXT NOT NULL,
        duration_s REAL,
        source TEXT NOT NULL,
        checked_at TEXT NOT NULL,
        received_at TEXT NOT NULL,
        UNIQUE (learner, report_id)
    )
    """,
    "CREATE INDEX IF NOT EXISTS reports_by_learner ON reports (learner, exercise_id, checked_at)",
    "CREATE INDEX IF NOT EXISTS reports_by_time ON reports (checked_at)",
)
COLUMNS = (
    "learner",
    "report_id",
    "exercise_id",
    "passed",
    "total",
    "failed_expectations",
    "duration_s",
    "source",
    "checked_at",
    "received_at",
)


@dataclass(frozen=True)
class StoredReport:
    learner: str
    report_id: str
    exercise_id: str
    passed: int
    total: int
    failed_expectations: tuple[str, ...]
    duration_s: float | None
    source: str
    checked_at: datetime
    received_at: datetime

    @property
    def ok(self) -> bool:
        return self.passed >= self.total


class StoreError(RuntimeError):
    """The database URL is wrong or the database cannot be reached."""


class Store:
    """A connection to the reports database; safe to share between threads."""

    def __init__(self, url: str):
        self.url = url
        scheme = urlsplit(url).scheme
        self._lock = threading.Lock()
        if scheme == "sqlite":
            self._connection = _sqlite(url)
            self._placeholder = "?"
            serial = "INTEGER PRIMARY KEY AUTOINCREMENT"
        elif scheme in ("postgresql", "postgres"):
            self._connection = _postgresql(url)
            self._placeholder = "%s"
            serial = "BIGSERIAL PRIMARY KEY"
        else:
            raise StoreError(
                f"unsupported database URL {redact(url)!r}: use sqlite:///path/to/dashboard.db "
                "or postgresql://user:password@host/database"
            )
        with self._cursor() as cursor:
            for statement in SCHEMA:
                cursor.execute(statement.format(serial=serial))

    @contextmanager
    def _cursor(self) -> Iterator:
        with self._lock:
            cursor = self._connection.cursor()
            try:
                yield cursor
                self._connection.commit()
            except BaseException:
                self._connection.rollback()
                raise
            finally:
                cursor.close()

    def add(self, report: StoredReport) -> bool:
        """Store a report; False when this learner's report with this id is already stored."""
        values = (
            report.learner,
            report.report_id,
            report.exercise_id,
            report.passed,
            report.total,
            json.dumps(list(report.failed_expectations), ensure_ascii=False),
            report.duration_s,
            report.source,
            report.checked_at.isoformat(),
            report.received_at.isoformat(),
        )
        marks = ", ".join([self._placeholder] * len(COLUMNS))
        with self._cursor() as cursor:
            # ON CONFLICT DO NOTHING is the same in SQLite (3.24+) and PostgreSQL.
            cursor.execute(
                f"INSERT INTO reports ({', '.join(COLUMNS)}) VALUES ({marks}) "
                "ON CONFLICT (learner, report_id) DO NOTHING",
                values,
            )
            return cursor.rowcount == 1

    def reports(self) -> list[StoredReport]:
        """Every report, oldest check first."""
        with self._cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(COLUMNS)} FROM reports ORDER BY checked_at, id")
            rows = cursor.fetchall()
        return [_row_to_report(row) for row in rows]

    def reports_after(self, last_id: int) -> tuple[int, list[StoredReport]]:
        """Reports stored after row `last_id`, in the order they arrived, and the new last id.

        The dashboard keeps what it has read and asks only for what is new: polling every
        second then costs the reports of that second, not the whole workshop's.
        """
        with self._cursor() as cursor:
            cursor.execute(
                f"SELECT id, {', '.join(COLUMNS)} FROM reports WHERE id > {self._placeholder} "
                "ORDER BY id",
                (last_id,),
            )
            rows = cursor.fetchall()
        if not rows:
            return last_id, []
        return int(rows[-1][0]), [_row_to_report(row[1:]) for row in rows]

    def count(self) -> int:
        with self._cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM reports")
            return int(cursor.fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._connection.close()


def _row_to_report(row) -> StoredReport:
    (
        learner,
        report_id,
        exercise_id,
        passed,
        total,
        failed,
        duration,
        source,
        checked,
        received,
    ) = row
    return StoredReport(
        learner=learner,
        report_id=report_id,
        exercise_id=exercise_id,
        passed=int(passed),
        total=int(total),
        failed_expectations=tuple(json.loads(failed)),
        duration_s=float(duration) if duration is not None else None,
        source=source,
        checked_at=datetime.fromisoformat(checked),
        received_at=datetime.fromisoformat(received),
    )


def _sqlite(url: str) -> sqlite3.Connection:
    path = url.removeprefix("sqlite:///")
    if path in ("", ":memory:"):
        path = ":memory:"
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        connection = sqlite3.connect(path, check_same_thread=False, timeout=10)
    except sqlite3.Error as error:
        raise StoreError(f"cannot open the SQLite database {path}: {error}") from None
    # WAL lets the dashboard read while a report is written; NORMAL is durable across a crash of
    # the service (only a power cut can lose the last transactions).
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


def _postgresql(url: str):
    try:
        import psycopg
    except ImportError:
        raise StoreError(
            "a postgresql:// URL needs the psycopg package (pip install 'psycopg[binary]')"
        ) from None
    try:
        return psycopg.connect(url, connect_timeout=10)
    except psycopg.Error as error:
        raise StoreError(f"cannot connect to {redact(url)}: {error}") from None


def redact(url: str) -> str:
    """The URL with its password replaced, for messages and logs."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url
