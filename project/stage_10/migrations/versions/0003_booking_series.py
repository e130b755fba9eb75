"""Recurring weekly bookings: a series table, and the series each booking belongs to.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Expand only: a new table and a nullable column, which the running release ignores."""
    ### BEGIN SOLUTION 10.3
    op.create_table(
        "series",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "room_id",
            sa.Integer(),
            sa.ForeignKey("rooms.id", name="fk_series_room_id_rooms"),
            nullable=False,
        ),
        sa.Column("organiser", sa.Text(), nullable=False),
        # Named, as every constraint since revision 0001: a batch rebuild keeps only named ones.
        sa.Column(
            "weeks",
            sa.Integer(),
            sa.CheckConstraint("weeks >= 1", name="ck_series_weeks_at_least_one"),
            nullable=False,
        ),
    )
    # NULL for every booking made one at a time, which is all of them before this release.
    # A plain ADD COLUMN, not a batch "move and copy" of bookings: no table rebuild, no lock
    # held while 10,000 rows are copied, and `alembic upgrade --sql` can print it for review.
    # No REFERENCES: SQLite cannot later drop a column that a foreign key names, so the code
    # (series.create_series) is what links a booking to its series.
    op.add_column("bookings", sa.Column("series_id", sa.Integer(), nullable=True))
    op.create_index("idx_bookings_series", "bookings", ["series_id"])
    ### END SOLUTION


def downgrade() -> None:
    """Undo upgrade(), and refuse while any booking belongs to a series."""
    ### BEGIN SOLUTION 10.3
    # Revision 0002 cannot say that bookings belong together: dropping the column would turn
    # each series into loose bookings that nobody can cancel as one. Refuse; roll forward.
    in_series = (
        op.get_bind()
        .execute(sa.text("SELECT count(*) FROM bookings WHERE series_id IS NOT NULL"))
        .scalar_one()
    )
    if in_series:
        raise RuntimeError(
            f"{in_series} booking(s) belong to a series, which revision 0002 cannot represent"
        )
    op.drop_index("idx_bookings_series", table_name="bookings")
    # SQLite (3.35+) drops a column in place, removing exactly what ADD COLUMN added.
    op.drop_column("bookings", "series_id")
    op.drop_table("series")
    ### END SOLUTION
