"""Test modules stage 05's checks run with pytest in a child process, against a project."""
