# Written by bookings.snapshots.build from bookings/migrations/versions/0001_initial.py.
# In the course repository edit the source and rebuild; in your project it is yours.
"""Rooms and bookings: the schema of the service's first release.

Bookings cannot be cancelled yet; revision 0002 adds that.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Revision identifiers, used by Alembic.
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every constraint has a name. SQLite cannot alter a constraint in place, so a later
    # revision in batch mode rebuilds the table from what it reads back; an unnamed CHECK
    # constraint would be left out of the rebuilt table, silently.
    op.create_table(
        "rooms",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.UniqueConstraint("name", name="uq_rooms_name"),
        sa.CheckConstraint("capacity > 0", name="ck_rooms_capacity_positive"),
    )
    # Times are UTC ISO 8601 text of one fixed width, so comparing the text compares the
    # times. "end" is an SQL keyword; SQLAlchemy quotes it wherever it writes it.
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("organiser", sa.Text(), nullable=False),
        sa.Column("start", sa.Text(), nullable=False),
        sa.Column("end", sa.Text(), nullable=False),
        sa.Column("attendees", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name="fk_bookings_room_id_rooms"),
        sa.CheckConstraint("attendees >= 1", name="ck_bookings_attendees_at_least_one"),
        sa.CheckConstraint('"end" > start', name="ck_bookings_end_after_start"),
    )


def downgrade() -> None:
    op.drop_table("bookings")
    op.drop_table("rooms")
