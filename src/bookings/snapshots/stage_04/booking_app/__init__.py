# Written by bookings.snapshots.build from bookings/__init__.py.
# In the course repository edit the source and rebuild; in your project it is yours.
"""The meeting-room booking service."""
