"""Deterministic seeding: valid, non-overlapping, repeatable and quick."""

import time

import pytest

from bookings.core.db import open_database
from bookings.migrations import upgrade
from bookings.seed import seed


def seeded(target=None, **options):
    db = open_database(":memory:")
    upgrade(db, {None: "head", 1: "0001", 2: "0002"}[target])
    summary = seed(db, **options)
    return db, summary


def all_rows(db, table):
    return db.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()


def test_same_seed_same_data():
    """Two databases seeded with the same seed hold identical rows."""
    first, _ = seeded(bookings=2000, seed=7)
    second, _ = seeded(bookings=2000, seed=7)
    for table in ("rooms", "bookings"):
        assert all_rows(first, table) == all_rows(second, table)


def test_another_seed_other_data():
    """A different seed gives different bookings."""
    first, _ = seeded(bookings=500, seed=1)
    second, _ = seeded(bookings=500, seed=2)
    assert all_rows(first, "bookings") != all_rows(second, "bookings")


def test_ten_thousand_valid_bookings():
    """The default seed makes 10,000 bookings that break none of the rules."""
    db, summary = seeded()
    assert db["bookings"].count == summary.bookings == 10_000
    assert db["rooms"].count == summary.rooms == 8
    (overlapping,) = db.execute(
        "SELECT count(*) FROM bookings a JOIN bookings b ON a.room_id = b.room_id"
        ' AND a.id < b.id AND a.start < b."end" AND b.start < a."end"'
    ).fetchone()
    assert overlapping == 0
    (over_capacity,) = db.execute(
        "SELECT count(*) FROM bookings JOIN rooms ON rooms.id = room_id"
        " WHERE attendees > capacity OR attendees < 1"
    ).fetchone()
    assert over_capacity == 0
    (backwards,) = db.execute('SELECT count(*) FROM bookings WHERE "end" <= start').fetchone()
    assert backwards == 0


def test_some_bookings_are_back_to_back():
    """The data includes back-to-back bookings, the edge case of the overlap rule."""
    db, _ = seeded(bookings=1000)
    (touching,) = db.execute(
        "SELECT count(*) FROM bookings a JOIN bookings b"
        ' ON a.room_id = b.room_id AND a."end" = b.start'
    ).fetchone()
    assert touching > 0


def test_some_are_cancelled_when_the_schema_allows():
    """At 002 about 5% are cancelled, each cancelled before it starts."""
    db, summary = seeded()
    assert 300 < summary.cancelled < 700
    assert db["bookings"].count_where("cancelled = 1") == summary.cancelled
    assert db["bookings"].count_where("cancelled = 1 AND cancelled_at < start") == summary.cancelled
    assert db["bookings"].count_where("cancelled = 0 AND cancelled_at IS NOT NULL") == 0


def test_schema_001_gets_the_same_bookings_without_cancellations():
    """At 001 (no cancelled column) the same seed lays out the same bookings."""
    old, summary = seeded(target=1, bookings=1000)
    new, _ = seeded(bookings=1000)
    assert summary.cancelled == 0
    assert all_rows(old, "bookings") == [row[:6] for row in all_rows(new, "bookings")]


def test_seeding_is_quick():
    """10,000 bookings take well under two seconds."""
    db = open_database(":memory:")
    upgrade(db)
    started = time.perf_counter()
    seed(db)
    assert time.perf_counter() - started < 2.0


def test_seeding_refuses_a_database_with_data():
    """Seeding twice would clash with the first run's rooms; it says so instead."""
    db, _ = seeded(bookings=10)
    with pytest.raises(ValueError, match="empty"):
        seed(db)


def test_seeded_data_is_served_and_enforced(client, db):
    """The API lists seeded bookings and refuses to double-book a seeded slot."""
    seed(db, rooms=2, bookings=50)
    first = client.get("/rooms/1/bookings", params={"limit": 1}).json()[0]
    body = {k: first[k] for k in ("organiser", "start", "end", "attendees")}
    response = client.post("/rooms/1/bookings", json=body)
    assert response.status_code == 409
    assert response.json()["conflicting_booking_id"] == first["id"]
