"""Settings: defaults, BOOKINGS_* environment variables, and bad values."""

from pathlib import Path

import pytest

from bookings.core.config import Settings


def test_defaults_when_nothing_is_set():
    """An empty environment gives bookings.db and INFO."""
    settings = Settings.from_env({})
    assert settings.database == Path("bookings.db")
    assert settings.log_level == "INFO"


def test_reads_the_environment(monkeypatch, tmp_path):
    """BOOKINGS_DATABASE and BOOKINGS_LOG_LEVEL from os.environ are used."""
    monkeypatch.setenv("BOOKINGS_DATABASE", str(tmp_path / "other.db"))
    monkeypatch.setenv("BOOKINGS_LOG_LEVEL", "debug")
    settings = Settings.from_env()
    assert settings.database == tmp_path / "other.db"
    assert settings.log_level == "DEBUG"


def test_empty_variables_keep_the_defaults():
    """A variable set to "" counts as unset."""
    assert Settings.from_env({"BOOKINGS_DATABASE": "", "BOOKINGS_LOG_LEVEL": ""}) == Settings()


def test_an_unknown_log_level_is_refused():
    """A typo in the log level fails when settings are built, naming the allowed values."""
    with pytest.raises(ValueError, match="DEBUG, INFO"):
        Settings.from_env({"BOOKINGS_LOG_LEVEL": "LOUD"})


def test_settings_are_immutable():
    """Settings cannot be changed after they are built."""
    with pytest.raises(AttributeError):
        Settings().log_level = "DEBUG"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("written", "migrates"),
    [("false", False), ("0", False), ("No", False), (" off ", False), ("true", True), ("1", True),
     ("YES", True), ("on", True), ("", True)],
)  # fmt: skip
def test_migrating_at_start_is_a_switch(written, migrates):
    """BOOKINGS_MIGRATE_ON_START: on unless said otherwise, in the usual words for yes and no."""
    settings = Settings.from_env({"BOOKINGS_MIGRATE_ON_START": written})
    assert settings.migrate_on_start is migrates


def test_a_switch_that_is_neither_yes_nor_no_is_refused():
    """A typo does not quietly keep the default: it names the variable and the allowed words."""
    with pytest.raises(
        ValueError, match=r"BOOKINGS_MIGRATE_ON_START must be one of 1, true.*got 'flase'"
    ):
        Settings.from_env({"BOOKINGS_MIGRATE_ON_START": "flase"})
