"""The meeting-room booking service."""

__version__ = "0.2.0"
