"""Feature flags: deterministic buckets, a stable rollout, a kill switch, config from the env."""

import os
import subprocess
import sys

import pytest

from bookings.flags import (
    BUCKETS,
    Flag,
    FlagConfigError,
    bucket,
    enabled,
    is_enabled,
    load_flags,
    share_enabled,
)

USERS = [f"user-{number}" for number in range(10_000)]


def enabled_users(flag: Flag) -> set[str]:
    return {user for user in USERS if is_enabled(flag, user)}


def test_bucket_is_a_fixed_function_of_flag_and_user():
    """sha256-based buckets are known values, the same on every machine."""
    assert bucket("recurring_bookings", "amara@example.com") == bucket(
        "recurring_bookings", "amara@example.com"
    )
    assert all(0 <= bucket("f", user) < BUCKETS for user in USERS[:1000])


def test_the_same_user_gets_the_same_answer_in_a_new_process():
    """No randomness and no salted hash(): another interpreter, another hash seed, same set."""
    flag = Flag("recurring_bookings", 10)
    code = (
        "from bookings.flags import Flag, is_enabled\n"
        "flag = Flag('recurring_bookings', 10)\n"
        "print(sum(1 << n for n in range(2000) if is_enabled(flag, f'user-{n}')))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    here = sum(1 << n for n in range(2000) if is_enabled(flag, f"user-{n}"))
    assert run.returncode == 0, run.stderr
    assert int(run.stdout) == here


@pytest.mark.parametrize("percent", [1, 10, 25, 50, 90])
def test_the_share_of_users_matches_the_rollout(percent):
    """Over 10,000 users the share is within 1.5 points of the percentage."""
    share = share_enabled(Flag("recurring_bookings", percent), USERS)
    assert abs(share * 100 - percent) < 1.5


def test_zero_is_nobody_and_a_hundred_is_everybody():
    assert enabled_users(Flag("f", 0)) == set()
    assert enabled_users(Flag("f", 100)) == set(USERS)


def test_raising_the_percentage_only_adds_users():
    """Nobody who had the change at 10 % loses it at 20 % or 50 %."""
    ten, twenty, fifty = (enabled_users(Flag("f", p)) for p in (10, 20, 50))
    assert ten <= twenty <= fifty
    assert len(ten) < len(twenty) < len(fifty)


def test_each_flag_picks_its_own_users():
    """Two flags at 10 % overlap about as much as chance says (1 % of users), not fully."""
    first = enabled_users(Flag("recurring_bookings", 10))
    second = enabled_users(Flag("lobby_screens", 10))
    assert first != second
    assert len(first & second) < 0.25 * len(first)


def test_the_kill_switch_turns_it_off_for_everyone_and_keeps_the_rollout():
    flag = Flag("f", 100, killed=True)
    assert enabled_users(flag) == set()
    revived = Flag(flag.name, flag.rollout_percent)
    assert enabled_users(revived) == set(USERS)


@pytest.mark.parametrize(
    ("name", "percent", "message"),
    [
        ("Recurring", 10, "lower-case"),
        ("recurring-bookings", 10, "lower-case"),
        ("recurring", -1, "between 0 and 100"),
        ("recurring", 100.5, "between 0 and 100"),
        ("recurring", float("nan"), "between 0 and 100"),
    ],
)
def test_a_bad_flag_fails_when_it_is_made(name, percent, message):
    with pytest.raises(FlagConfigError, match=message):
        Flag(name, percent)


def test_flags_load_from_the_environment():
    environ = {
        "BOOKINGS_FLAG_RECURRING_BOOKINGS": "10",
        "BOOKINGS_FLAG_LOBBY_SCREENS": "100%",
        "BOOKINGS_KILLED_FLAGS": "lobby_screens, old_search",
        "BOOKINGS_DATABASE": "ignored.db",
    }
    assert load_flags(environ) == {
        "lobby_screens": Flag("lobby_screens", 100, killed=True),
        "recurring_bookings": Flag("recurring_bookings", 10),
        "old_search": Flag("old_search", 0, killed=True),
    }


def test_no_configuration_means_no_flags():
    assert load_flags({}) == {}


def test_a_bad_percentage_names_the_variable():
    with pytest.raises(FlagConfigError, match="BOOKINGS_FLAG_RECURRING='ten'"):
        load_flags({"BOOKINGS_FLAG_RECURRING": "ten"})


def test_an_unknown_flag_is_off():
    flags = {"recurring_bookings": Flag("recurring_bookings", 100)}
    assert enabled(flags, "recurring_bookings", "amara@example.com")
    assert not enabled(flags, "no_such_flag", "amara@example.com")


def test_share_of_no_users_is_zero():
    assert share_enabled(Flag("f", 50), []) == 0.0
