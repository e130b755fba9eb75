"""Tests for bookings.core."""
