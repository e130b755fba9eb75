# Written by bookings.snapshots.build from bookings/core/__init__.py.
# In the course repository edit the source and rebuild; in your project it is yours.
"""Configuration and database plumbing shared by the whole service."""
