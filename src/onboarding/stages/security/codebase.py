"""Exercise 09.2's material: the nightly export job's small code base, with planted secrets.

The planted secrets are fakes, assembled from pieces so that no scanner mistakes this file for a
leak: AWS's documented example keys, and made-up passwords and tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple


class Finding(NamedTuple):
    """A secret found in a text: the line it is on (from 1), and what kind of secret it is."""

    line: int
    kind: str


_DB_PASSWORD = "Tr0ub4dor&3-" + "bookings"
_AWS_KEY_ID = "AKIA" + "IOSFODNN7EXAMPLE"
_AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY"
_EXPORT_PASSWORD = "S3cure-" + "Exp0rt!2030"
_GITHUB_TOKEN = "gh" + "p_" + "R8kq2Vx7Lm4Nt9Pz3Wc6Yb1Hd5Jf0Gs8Ua2E"
_URL_PASSWORD = "pa55-" + "W0rd-2030"
_WAREHOUSE_KEY = "wh_live_" + "4f9a7c2e8b1d6f3a9c5e7b2d"
_KEY_BEGIN = "-----BEGIN OPENSSH " + "PRIVATE KEY-----"
_KEY_END = "-----END OPENSSH " + "PRIVATE KEY-----"

SECRET_VALUES = (
    _DB_PASSWORD,
    _AWS_KEY_ID,
    _AWS_SECRET,
    _EXPORT_PASSWORD,
    _GITHUB_TOKEN,
    _URL_PASSWORD,
    _WAREHOUSE_KEY,
)

SETTINGS_PY = f'''"""Settings for the nightly export of bookings to the data warehouse."""

import os

EXPORT_BUCKET = "bookings-exports"
DATABASE_PATH = os.environ.get("BOOKINGS_DATABASE", "bookings.db")
DATABASE_PASSWORD = "{_DB_PASSWORD}"
AWS_ACCESS_KEY_ID = "{_AWS_KEY_ID}"
AWS_SECRET_ACCESS_KEY = "{_AWS_SECRET}"
EXPORT_TIMEOUT_SECONDS = 300
'''

DEPLOY_SH = f"""#!/bin/sh
# Publishes the nightly export as a release asset.
set -eu

EXPORT_PASSWORD="{_EXPORT_PASSWORD}"
curl --fail -u "exporter:$EXPORT_PASSWORD" -T export.csv https://files.example.com/upload/
curl --fail -H "Authorization: Bearer {_GITHUB_TOKEN}" \\
  https://api.github.com/repos/acme/bookings-export/releases
"""

CONFIG_YAML = f"""# Where the export job reads from and writes to.
source:
  database_url: "postgresql://bookings:{_URL_PASSWORD}@db.internal:5432/bookings"
warehouse:
  url: "https://warehouse.example.com/api"
  api_key: "{_WAREHOUSE_KEY}"
  deploy_key: |
    {_KEY_BEGIN}
    b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
    {_KEY_END}
"""

ENV_EXAMPLE = """# Copy to .env for local development; the real values come from the vault.
BOOKINGS_DATABASE=bookings.db
DATABASE_PASSWORD=change-me
AWS_ACCESS_KEY_ID=
AWS_SECRET_ACCESS_KEY=<from the vault>
EXPORT_API_TOKEN=${EXPORT_API_TOKEN}
"""

EXPORT_JOB_PY = '''"""The nightly export: every secret comes from the environment, none from this file."""

import os

PASSWORD_MIN_LENGTH = 12
TOKEN_URL = "https://auth.example.com/oauth/token"
DATABASE_PASSWORD = os.environ["DATABASE_PASSWORD"]
API_TOKEN = os.environ.get("EXPORT_API_TOKEN", "")
WAREHOUSE_URL = "postgresql://exporter:${WAREHOUSE_PASSWORD}@warehouse.internal/bookings"


def connect(password: str = "") -> None:
    """Open the warehouse connection with the password from the caller's settings."""
'''

CODEBASE = {
    "settings.py": SETTINGS_PY,
    "deploy.sh": DEPLOY_SH,
    "config.yaml": CONFIG_YAML,
    ".env.example": ENV_EXAMPLE,
    "export_job.py": EXPORT_JOB_PY,
}
"""The export job's small code base: three files with secrets in them, two without."""


@dataclass(frozen=True)
class Planted:
    file: str
    line: int
    what: str


PLANTED = (
    Planted("settings.py", 7, "a password assigned to a variable named …PASSWORD"),
    Planted("settings.py", 8, "an AWS access key id (AKIA and 16 capitals or digits)"),
    Planted("settings.py", 9, "an AWS secret key assigned to a variable named …SECRET…"),
    Planted("deploy.sh", 5, "a password assigned to a shell variable named …PASSWORD"),
    Planted("deploy.sh", 7, "a GitHub token (ghp_ and 36 letters or digits)"),
    Planted("config.yaml", 3, "a URL with a password in it (user:password@host)"),
    Planted("config.yaml", 6, "an API key under a key named api_key"),
    Planted("config.yaml", 8, "a private key (a -----BEGIN … PRIVATE KEY----- block)"),
)
PLANTED_FILES = ("settings.py", "deploy.sh", "config.yaml")
CLEAN_FILES = (".env.example", "export_job.py")

NOT_SECRETS = {
    (".env.example", 3): "`change-me` is a placeholder",
    (".env.example", 4): "an empty value",
    (".env.example", 5): "`<from the vault>` is a placeholder",
    (".env.example", 6): "`${EXPORT_API_TOKEN}` refers to an environment variable",
    ("export_job.py", 5): "a number, not a string",
    ("export_job.py", 6): "a URL without a password",
    ("export_job.py", 7): "read from the environment",
    ("export_job.py", 8): "read from the environment, with an empty default",
    ("export_job.py", 9): "the URL's password is `${WAREHOUSE_PASSWORD}`, an environment variable",
    ("export_job.py", 12): "an empty default for a parameter",
}
"""Lines of the clean files that look a little like secrets, and why they are not."""


def write_codebase(folder: str | Path) -> list[Path]:
    """Write CODEBASE into `folder`, keeping any file already there (your fix, for one)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in CODEBASE.items():
        path = folder / name
        if not path.exists():
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def show_codebase() -> None:
    """Print each file of the code base with line numbers, as a reviewer would read it."""
    for name, text in CODEBASE.items():
        print(f"── {name}")
        for number, line in enumerate(text.splitlines(), start=1):
            print(f"{number:>3}  {line}")
        print()


def redact(text: str) -> str:
    """The text with each planted secret cut to its first four characters."""
    for value in SECRET_VALUES:
        text = text.replace(value, value[:4] + "…")
    return text
