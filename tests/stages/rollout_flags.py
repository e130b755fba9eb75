"""Rollout flags for exercise 04.5's tests, in a module of their own.

The 04.5 check runs the source that defines a flag again in a new interpreter, to catch a
bucket that is stable in one process only; a learner's flag is one notebook cell or one small
module. Kept here, each flag's source is this small module, not the whole test file.
"""

from __future__ import annotations

import functools
import hashlib
import random


def sha_flag(flag_name, user_id, rollout_percent, killed=False):
    if killed:
        return False
    digest = hashlib.sha256(f"{flag_name}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 10_000 < rollout_percent * 100


def seeded_generator_flag(flag_name, user_id, rollout_percent, killed=False):
    # A generator of its own, seeded with text: CPython hashes the text (SHA-512) into the seed,
    # and `random()` is documented to give the same sequence for the same seed in every process
    # and every version, so this is a stable hash of the flag and the user, as the rules ask.
    return not killed and random.Random(f"{flag_name}:{user_id}").random() * 100 < rollout_percent


def md5_percent_flag(flag_name, user_id, rollout_percent, killed=False):
    # Another hash, 100 buckets instead of 10,000, and no separator: right all the same.
    digest = hashlib.md5((flag_name + user_id).encode()).hexdigest()
    return False if killed else int(digest, 16) % 100 < rollout_percent


def blake2_fraction_flag(flag_name, user_id, rollout_percent, killed=False):
    if killed:
        return False
    digest = hashlib.blake2b(f"{flag_name}/{user_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") / 2**64 * 100 < rollout_percent


def shared_generator_flag(flag_name, user_id, rollout_percent, killed=False):
    random.seed(f"{flag_name}:{user_id}")
    return not killed and random.random() * 100 < rollout_percent


def generator_seeded_by_hash_flag(flag_name, user_id, rollout_percent, killed=False):
    return not killed and random.Random(hash((flag_name, user_id))).random() * 100 < rollout_percent


class CallableFlag:
    """A flag object with a salt of its own, called like the function."""

    def __init__(self, salt: str = "bookings") -> None:
        self.salt = salt

    def __call__(self, flag_name, user_id, rollout_percent, *, killed=False):
        if killed:
            return False
        digest = hashlib.sha1(f"{self.salt}|{flag_name}|{user_id}".encode()).digest()
        return int.from_bytes(digest[:4], "big") % 10_000 < rollout_percent * 100


def crc32_flag(flag_name, user_id, rollout_percent, killed=False):
    # zlib's checksum is stable across processes too (not hashlib, but not salted either).
    import zlib

    return not killed and zlib.crc32(f"{flag_name}:{user_id}".encode()) % 100 < rollout_percent


def uuid5_flag(flag_name, user_id, rollout_percent, killed=False):
    import uuid

    bucket = uuid.uuid5(uuid.NAMESPACE_URL, f"flags/{flag_name}/{user_id}").int % 1000
    return bool(not killed and bucket < rollout_percent * 10)


def percent_as_a_fraction_flag(flag_name, user_id, rollout_percent, killed=False):
    # The percentage turned into a fraction first, and the bucket compared as a float in [0, 1).
    share = rollout_percent / 100
    digest = hashlib.sha256(f"{flag_name}:{user_id}".encode()).hexdigest()
    return (not killed) and int(digest[:13], 16) / 16**13 < share


@functools.cache
def cached_bucket(flag_name, user_id):
    return int(hashlib.sha256(f"{flag_name}:{user_id}".encode()).hexdigest(), 16) % 10_000


def cached_bucket_flag(flag_name, user_id, rollout_percent, killed=False):
    # A cache in front of a stable hash stays right when the check empties it.
    return not killed and cached_bucket(flag_name, user_id) < rollout_percent * 100


def flag_on_at_zero(flag_name, user_id, rollout_percent, killed=False):
    # `<=` where `<` is meant: bucket 0 of 10,000 stays on at 0 %.
    if killed:
        return False
    digest = hashlib.sha256(f"{flag_name}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 10_000 <= rollout_percent * 100


def flag_off_at_hundred(flag_name, user_id, rollout_percent, killed=False):
    # 10,001 buckets where 10,000 are meant: the last one stays off at 100 %.
    if killed:
        return False
    digest = hashlib.sha256(f"{flag_name}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 10_001 < rollout_percent * 100


def flag_rerolled_per_percent(flag_name, user_id, rollout_percent, killed=False):
    # The percentage in the hash: each rollout step picks new users.
    digest = hashlib.sha256(f"{flag_name}:{user_id}:{rollout_percent}".encode()).digest()
    return not killed and int.from_bytes(digest[:8], "big") % 10_000 < rollout_percent * 100
