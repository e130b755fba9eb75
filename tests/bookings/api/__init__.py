"""Tests for bookings.api."""
