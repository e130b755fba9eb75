"""Rollout flags for exercise 04.5's tests, in a module of their own.

The 04.5 check runs the source that defines a flag again in a new interpreter, to catch a
bucket that is stable in one process only; a learner's flag is one small module, or notebook
cells. Kept here, each flag's source is this small module, not the whole test file; the notebooks
at the end are the sources of their cells, in the order a learner ran them.
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


# Notebooks for the fresh-process check: each is the cells a learner ran, in order. The function's
# cell alone cannot run in a new interpreter, so the check runs the cells it needs with it.

RANDOM_BUCKETS_IN_AN_EARLIER_CELL = (
    "import secrets\n\nBUCKETS = {}\n",
    "def is_enabled(flag_name, user_id, rollout_percent, killed=False):\n"
    "    # A bucket drawn once per user and kept in another cell's dict: stable here only.\n"
    "    bucket = BUCKETS.setdefault((flag_name, user_id), secrets.randbelow(10_000))\n"
    "    return not killed and bucket < rollout_percent * 100\n",
)

RANDOM_SALT_IN_AN_EARLIER_CELL = (
    "import hashlib\nimport secrets\n\nSALT = secrets.token_hex(8)\n",
    "def is_enabled(flag_name, user_id, rollout_percent, killed=False):\n"
    "    # A stable hash, but of a salt drawn anew in every process.\n"
    '    digest = hashlib.sha256(f"{SALT}:{flag_name}:{user_id}".encode()).digest()\n'
    '    return not killed and int.from_bytes(digest[:8], "big") % 10_000 < rollout_percent * 100\n',
)

PURE_HELPER_IN_AN_EARLIER_CELL = (
    "import hashlib\n\n\n"
    "def bucket_of(flag_name, user_id):\n"
    '    digest = hashlib.sha256(f"{flag_name}:{user_id}".encode()).digest()\n'
    '    return int.from_bytes(digest[:8], "big") % 10_000\n',
    "def is_enabled(flag_name, user_id, rollout_percent, killed=False):\n"
    "    return not killed and bucket_of(flag_name, user_id) < rollout_percent * 100\n",
)

SALT_CHANGED_IN_LATER_CELLS = (
    'import zlib\n\nSETTINGS = {}\nPREFIX = "old"\n',
    "def is_enabled(flag_name, user_id, rollout_percent, killed=False):\n"
    "    key = f\"{PREFIX}:{SETTINGS.get('salt', '')}:{flag_name}:{user_id}\"\n"
    "    return not killed and zlib.crc32(key.encode()) % 100 < rollout_percent\n",
    # Read when is_enabled runs, so the values of these later cells are the ones in use.
    'SETTINGS["salt"] = "bookings"\nPREFIX = "new"\n',
)

CLASS_AND_INSTANCE_IN_SEPARATE_CELLS = (
    "import hashlib\n\n\n"
    "class SaltedFlag:\n"
    "    def __init__(self, salt):\n"
    "        self.salt = salt\n\n"
    "    def __call__(self, flag_name, user_id, rollout_percent, *, killed=False):\n"
    '        digest = hashlib.sha1(f"{self.salt}|{flag_name}|{user_id}".encode()).digest()\n'
    '        return not killed and int.from_bytes(digest[:4], "big") % 10_000 < rollout_percent * 100\n',
    'is_enabled = SaltedFlag(salt="bookings")\n',
)

PARTIAL_OF_A_FUNCTION_IN_AN_EARLIER_CELL = (
    "import functools\nimport hashlib\n\n\n"
    "def salted_flag(flag_name, user_id, rollout_percent, killed=False, *, salt):\n"
    '    digest = hashlib.blake2b(f"{salt}/{flag_name}/{user_id}".encode(), digest_size=8).digest()\n'
    '    return not killed and int.from_bytes(digest, "little") % 10_000 < rollout_percent * 100\n',
    'is_enabled = functools.partial(salted_flag, salt="bookings")\n',
)

DECORATOR_FROM_AN_EARLIER_CELL = (
    "import functools\n\n\n"
    "def never_when_killed(flag):\n"
    "    @functools.wraps(flag)\n"
    "    def checked(flag_name, user_id, rollout_percent, killed=False):\n"
    "        return False if killed else flag(flag_name, user_id, rollout_percent)\n"
    "    return checked\n",
    "import hashlib\n\n\n"
    "@never_when_killed\n"
    "def is_enabled(flag_name, user_id, rollout_percent, killed=False):\n"
    '    digest = hashlib.md5(f"{flag_name}:{user_id}".encode()).hexdigest()\n'
    "    return int(digest, 16) % 100 < rollout_percent\n",
)

STABLE_CLOSURE = (
    "import hashlib\n\n\n"
    "def make_rollout(salt):\n"
    "    def is_enabled(flag_name, user_id, rollout_percent, killed=False):\n"
    '        digest = hashlib.sha256(f"{salt}:{flag_name}:{user_id}".encode()).digest()\n'
    '        bucket = int.from_bytes(digest[:8], "big") % 10_000\n'
    "        return not killed and bucket < rollout_percent * 100\n\n"
    "    return is_enabled\n",
    'is_enabled = make_rollout(salt="bookings")\n',
)

RANDOM_BUCKETS_IN_A_CLOSURE = (
    "import secrets\n\n\n"
    "def make_rollout():\n"
    "    buckets = {}\n\n"
    "    def is_enabled(flag_name, user_id, rollout_percent, killed=False):\n"
    "        bucket = buckets.setdefault((flag_name, user_id), secrets.randbelow(10_000))\n"
    "        return not killed and bucket < rollout_percent * 100\n\n"
    "    return is_enabled\n",
    "is_enabled = make_rollout()\n",
)

RANDOM_BUCKETS_IN_A_CELL_THAT_PRINTS = (
    # Showing a value or asserting something is no reason not to run a cell again.
    '"""The buckets."""\nimport secrets\n\nBUCKETS = {}\nassert not BUCKETS\nprint("ready")\n',
    RANDOM_BUCKETS_IN_AN_EARLIER_CELL[1],
)

FUNCTION_WRAPPED_IN_A_LATER_CELL = (
    "import functools\nimport hashlib\n\n\n"
    "def is_enabled(flag_name, user_id, rollout_percent, killed=False):\n"
    '    digest = hashlib.sha256(f"{flag_name}:{user_id}".encode()).digest()\n'
    '    return not killed and int.from_bytes(digest[:8], "big") % 10_000 < rollout_percent * 100\n',
    "is_enabled = functools.lru_cache(maxsize=None)(is_enabled)\n",
)

# Later cells that set what the flag reads with more than an assignment: a method call on a dict,
# an `if`, a `try`, a `for`, a `with` that suppresses an error, and a function of an earlier cell
# that sets a global. The cell with the function starts with a salt the later cells replace, so
# running it alone in a new interpreter would pick other users.

FLAG_WITH_AN_OLD_SALT = (
    "import hashlib\n\n"
    'SETTINGS = {"salt": "old"}\n'
    'SALT = "old"\n\n\n'
    "def is_enabled(flag_name, user_id, rollout_percent, killed=False):\n"
    "    key = f\"{SALT}:{SETTINGS['salt']}:{flag_name}:{user_id}\"\n"
    "    digest = hashlib.sha256(key.encode()).digest()\n"
    '    return not killed and int.from_bytes(digest[:8], "big") % 10_000 < rollout_percent * 100\n'
)

SALT_UPDATED_BY_A_METHOD_CALL = (
    FLAG_WITH_AN_OLD_SALT,
    'SETTINGS.update(salt="bookings")\n',
)

SALT_SET_IN_AN_IF = (
    FLAG_WITH_AN_OLD_SALT,
    'if SALT == "old":\n    SALT = "bookings"\nelse:\n    print("already set")\n',
)

SALT_SET_IN_A_TRY = (
    FLAG_WITH_AN_OLD_SALT,
    "import os\n\n"
    'try:\n    SALT = os.environ["ONBOARDING_TEST_FLAG_SALT"]\nexcept KeyError:\n'
    '    SALT = "bookings"\n',
)

SALT_SET_IN_A_FOR = (
    FLAG_WITH_AN_OLD_SALT,
    'for key, value in {"salt": "bookings"}.items():\n    SETTINGS[key] = value\n',
)

SALT_SET_IN_A_WITH_THAT_SUPPRESSES = (
    FLAG_WITH_AN_OLD_SALT,
    'import contextlib\n\nwith contextlib.suppress(KeyError):\n    SALT = {"salt": "bookings"}["salt"]\n',
)

SALT_SET_BY_A_FUNCTION_OF_AN_EARLIER_CELL = (
    FLAG_WITH_AN_OLD_SALT,
    "def use_salt(salt):\n    global SALT\n    SALT = str(salt).strip()\n",
    'use_salt("bookings")\n',
)

SETTINGS_UPDATED_BY_A_FUNCTION_OF_AN_EARLIER_CELL = (
    FLAG_WITH_AN_OLD_SALT,
    "def configure(**settings):\n    if settings:\n        SETTINGS.update(settings)\n",
    'configure(salt="bookings")\n',
)

# The same ways, with a salt drawn anew in every process: refused once the cells run again.

RANDOM_SALT_UPDATED_BY_A_METHOD_CALL = (
    "import hashlib\nimport secrets\n\nSETTINGS = {}\n\n\n"
    "def is_enabled(flag_name, user_id, rollout_percent, killed=False):\n"
    "    key = f\"{SETTINGS['salt']}:{flag_name}:{user_id}\"\n"
    "    digest = hashlib.sha256(key.encode()).digest()\n"
    '    return not killed and int.from_bytes(digest[:8], "big") % 10_000 < rollout_percent * 100\n',
    "SETTINGS.update(salt=secrets.token_hex(8))\n",
)

RANDOM_SALT_SET_BY_A_FUNCTION_OF_AN_EARLIER_CELL = (
    "import hashlib\nimport secrets\n\n\n"
    "def is_enabled(flag_name, user_id, rollout_percent, killed=False):\n"
    '    digest = hashlib.sha256(f"{SALT}:{flag_name}:{user_id}".encode()).digest()\n'
    '    return not killed and int.from_bytes(digest[:8], "big") % 10_000 < rollout_percent * 100\n',
    "def use_salt(salt):\n    global SALT\n    SALT = salt\n",
    "use_salt(secrets.token_hex(8))\n",
)

RANDOM_SALT_SET_IN_AN_IF = (
    RANDOM_SALT_IN_AN_EARLIER_CELL[1],
    "import hashlib\nimport secrets\n\nif True:\n    SALT = secrets.token_hex(8)\n",
)
