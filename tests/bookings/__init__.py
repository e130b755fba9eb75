"""Tests for the booking service; the layout mirrors src/bookings."""
