"""Feature flags: a risky change ships switched off, then reaches more users a step at a time.

A flag is configuration, not code: a name, the percentage of users who get the change, and a
kill switch. Whether one user gets it is decided by hashing the flag's name with the user's id
into one of 10,000 buckets, never by chance, so that:

- a user gets the same answer on every request, in every process and on every replica;
- raising the percentage only adds users: nobody who had the change loses it;
- each flag picks its own users, because the flag's name is part of what is hashed.

The kill switch turns a flag off for everyone at once and keeps its rollout percentage, so
switching it back on restores the same users.

Flags come from the environment, one variable per flag and one list of killed flags::

    BOOKINGS_FLAG_RECURRING_BOOKINGS=10         # 10 % of users
    BOOKINGS_KILLED_FLAGS=recurring_bookings    # off for everyone, whatever the percentage

A flag nobody configured is off: `enabled()` answers False for an unknown name.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

BUCKETS = 10_000
FLAG_PREFIX = "BOOKINGS_FLAG_"
KILLED_VARIABLE = "BOOKINGS_KILLED_FLAGS"
FLAG_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class FlagConfigError(ValueError):
    """A flag's configuration cannot be read; the message names the flag and the value."""


@dataclass(frozen=True)
class Flag:
    """One flag: who gets the change (a percentage of users) and whether it is killed."""

    name: str
    rollout_percent: float = 0.0
    killed: bool = False

    def __post_init__(self) -> None:
        # Fail when the configuration is loaded, not on the first request that asks.
        if not FLAG_NAME.match(self.name):
            raise FlagConfigError(
                f"flag name {self.name!r} must be lower-case letters, digits and underscores"
            )
        if not 0 <= self.rollout_percent <= 100:
            raise FlagConfigError(
                f"flag {self.name}: rollout_percent must be between 0 and 100, "
                f"got {self.rollout_percent!r}"
            )


def bucket(flag_name: str, user_id: str) -> int:
    """The user's bucket for this flag, 0 to 9,999: the same in every process.

    sha256 rather than the built-in hash(), which Python salts differently in every process.
    """
    digest = hashlib.sha256(f"{flag_name}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def is_enabled(flag: Flag, user_id: str) -> bool:
    """Whether `user_id` gets the change behind `flag`."""
    if flag.killed:
        return False
    # 10 % of 10,000 buckets is buckets 0 to 999; 10.5 % is 0 to 1049.
    return bucket(flag.name, user_id) < round(flag.rollout_percent * BUCKETS / 100)


def enabled(flags: Mapping[str, Flag], name: str, user_id: str) -> bool:
    """Look a flag up by name; a flag that is not configured is off."""
    flag = flags.get(name)
    return flag is not None and is_enabled(flag, user_id)


def share_enabled(flag: Flag, user_ids: Iterable[str]) -> float:
    """The fraction of `user_ids` that get the change, between 0 and 1."""
    users = list(user_ids)
    if not users:
        return 0.0
    return sum(is_enabled(flag, user) for user in users) / len(users)


def load_flags(environ: Mapping[str, str] | None = None) -> dict[str, Flag]:
    """Every flag configured in the environment (BOOKINGS_FLAG_<NAME>=<percent>), by name."""
    environ = os.environ if environ is None else environ
    killed = {
        name.strip().lower() for name in environ.get(KILLED_VARIABLE, "").split(",") if name.strip()
    }
    flags = {}
    for variable, value in sorted(environ.items()):
        if not variable.startswith(FLAG_PREFIX):
            continue
        name = variable.removeprefix(FLAG_PREFIX).lower()
        try:
            percent = float(value.strip().removesuffix("%"))
        except ValueError:
            raise FlagConfigError(
                f"{variable}={value!r}: give the rollout as a percentage, such as 10"
            ) from None
        flags[name] = Flag(name, percent, killed=name in killed)
    # A killed flag with no rollout of its own is still off, and says so.
    for name in sorted(killed - flags.keys()):
        flags[name] = Flag(name, 0.0, killed=True)
    return flags
