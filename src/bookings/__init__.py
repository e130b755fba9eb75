"""The meeting-room booking service."""
