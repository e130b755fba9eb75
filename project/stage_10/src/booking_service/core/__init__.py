"""Configuration, the database and logging: what every part of the service stands on."""
