"""Let a booking be cancelled, and index the overlap query.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add cancelled (0 or 1, live by default) and cancelled_at; index the overlap query."""
    ### BEGIN SOLUTION 03.1
    # ADD COLUMN with a constant default gives every existing row that value, so this is
    # also the backfill: every booking made before 0002 is live.
    op.add_column(
        "bookings",
        sa.Column(
            "cancelled",
            sa.Integer(),
            # Named, as revision 0001 names its constraints: a later batch rebuild keeps a
            # named CHECK and silently drops an unnamed one.
            sa.CheckConstraint("cancelled IN (0, 1)", name="ck_bookings_cancelled_0_or_1"),
            nullable=False,
            server_default=sa.text("0"),
        ),
    )
    op.add_column("bookings", sa.Column("cancelled_at", sa.Text(), nullable=True))
    # The overlap check asks for one room's bookings around a time range: equality first.
    op.create_index("idx_bookings_room_time", "bookings", ["room_id", "start", "end"])
    ### END SOLUTION


def downgrade() -> None:
    """Undo upgrade() exactly, and refuse while any booking is cancelled."""
    ### BEGIN SOLUTION 03.1
    # Revision 0001 cannot say "cancelled": dropping those rows would lose them, and keeping
    # them would bring them back as live bookings that may double-book a room. Refuse; the
    # transaction leaves the database as it was.
    cancelled = (
        op.get_bind()
        .execute(sa.text("SELECT count(*) FROM bookings WHERE cancelled = 1"))
        .scalar_one()
    )
    if cancelled:
        raise RuntimeError(
            f"{cancelled} cancelled booking(s) cannot be represented before revision 0002"
        )
    op.drop_index("idx_bookings_room_time", table_name="bookings")
    # SQLite (3.35+) drops a column in place, removing exactly the text ADD COLUMN added.
    op.drop_column("bookings", "cancelled_at")
    op.drop_column("bookings", "cancelled")
    ### END SOLUTION
