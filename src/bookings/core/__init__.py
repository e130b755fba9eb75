"""Configuration and database plumbing shared by the whole service."""
