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


# The prompt's kinds of secret, each written in the ways it allows besides the planted one, and
# the things it says are not secrets: lines the scanner never saw in the code base, so that one
# written only for the planted lines (ghp_ but not gho_, `=` but not `:`) is caught.
_GHO_TOKEN = "gh" + "o_" + "Vn3Kd8Pw1Zs6Mq4Tb9Xc2Lf7Hj5Ry0Ga3We8"
_GHU_TOKEN = "gh" + "u_" + "Lp2Xn7Ck4Vb9Qs1Hd6Tz3Mf8Wr5Jy0Ea2Ng7"
_GHS_TOKEN = "gh" + "s_" + "Qm7Tz2Lx9Wd4Kp1Rv8Nc3Yh6Bf0Js5Ga2Ue7Hx"
_GHR_TOKEN = (
    "gh" + "r_" + "Rt6Yh1Qb8Zn3Kc5Wm9Lp2Xd7Fs4Gv0Ja6Tu3Ne8Hb1Pk5Sw9Mc2Yq7Vd4Lz0Rf3Xg6Bj8Kt1Wn5Ua"
)
_OTHER_AWS_KEY_ID = "AKIA" + "I44QH8DHBEXAMPLE"  # AWS's other documented example
_BROKER_PASSWORD = "Qu3ue-" + "2030-pass"
_CLONE_PASSWORD = "Cl0ne-" + "2030-pass"
_PASSWD = "Hunt3r2-" + "bookings"
_PWD = "Mx9-" + "Relay-2030"
_WEBHOOK_SECRET = "whs-" + "7Q2k-9Zp4"
_APIKEY = "Zk8Wq3" + "Lp7Rt2"
_SMTP_PASSWORD = "Sm7p-" + "Relay-2030"


def _private_key(key_type: str) -> str:
    """A private key's block: its BEGIN line, which is the secret's line, a body and its end."""
    label = f"{key_type} PRIVATE KEY" if key_type else "PRIVATE KEY"
    return f"-----BEGIN {label}-----\nMIIBOgIBAAJBAKj34GkxFhD90vcN\n-----END {label}-----"


@dataclass(frozen=True)
class HeldOut:
    """A text the scanner is tried on alone: a secret is on its first line, or none is in it."""

    text: str
    what: str
    """For a secret, what it is, in the exercise's words; for a non-secret, why it is none."""


HELD_OUT_SECRETS = (
    HeldOut(
        f"aws configure set aws_access_key_id {_OTHER_AWS_KEY_ID}",
        "an AWS access key id (AKIA and 16 capitals or digits)",
    ),
    HeldOut(
        f'curl -H "Authorization: Bearer {_GHO_TOKEN}" https://api.github.com/user',
        "a GitHub token (gho_ and 36 letters or digits)",
    ),
    HeldOut(f"GH_AUTH={_GHU_TOKEN}", "a GitHub token (ghu_ and 36 letters or digits)"),
    HeldOut(f'github_app_auth: "{_GHS_TOKEN}"', "a GitHub token (ghs_ and 38 letters or digits)"),
    HeldOut(f'refresh = "{_GHR_TOKEN}"', "a GitHub token (ghr_ and 77 letters or digits)"),
    HeldOut(_private_key("RSA"), "a private key (an RSA key's BEGIN line)"),
    HeldOut(_private_key("EC"), "a private key (an EC key's BEGIN line)"),
    HeldOut(_private_key(""), "a private key (a BEGIN line that names no key type)"),
    HeldOut(
        f"BROKER_URL=amqp://exporter:{_BROKER_PASSWORD}@mq.internal:5672/",
        "a URL with a password in it (amqp://user:password@host)",
    ),
    HeldOut(
        f"git clone https://deploy:{_CLONE_PASSWORD}@git.example.com/acme/bookings.git",
        "a URL with a password in it (https://user:password@host)",
    ),
    HeldOut(f'db_passwd = "{_PASSWD}"', "a secret-named assignment (passwd in the name)"),
    HeldOut(f"SMTP_PWD={_PWD}", "a secret-named assignment (PWD in the name, no quotes)"),
    HeldOut(
        f"webhookSecret: '{_WEBHOOK_SECRET}'",
        "a secret-named assignment (Secret in the name, with :)",
    ),
    HeldOut(
        f"ApiKey: {_APIKEY}",
        "a secret-named assignment (ApiKey in the name, with :, no quotes)",
    ),
    HeldOut(
        f"SMTP_PASSWORD: {_SMTP_PASSWORD}",
        "a secret-named assignment (PASSWORD in the name, with :, no quotes)",
    ),
)
"""Secrets of each kind the exercise lists, written in the ways it allows."""

HELD_OUT_NOT_SECRETS = (
    HeldOut(
        'SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD")',
        "it is read from the environment (os.environ.get)",
    ),
    HeldOut(
        "export PGPASSWORD=$DATABASE_PASSWORD", "`$DATABASE_PASSWORD` is an environment variable"
    ),
    HeldOut("api_key: ${WAREHOUSE_API_KEY}", "`${WAREHOUSE_API_KEY}` is an environment variable"),
    HeldOut(
        "password: ${{ secrets.REGISTRY_PASSWORD }}",
        "`${{ secrets.… }}` is read from GitHub's secret store",
    ),
    HeldOut(
        'GITHUB_TOKEN: "${{ secrets.GITHUB_TOKEN }}"',
        "`${{ secrets.… }}` is read from GitHub's secret store",
    ),
    HeldOut('api_key: "change-me"', "`change-me` is a placeholder"),
    HeldOut('SECRET_KEY = "<paste the key from the vault>"', "`<…>` is a placeholder"),
    HeldOut('WEBHOOK_SECRET=""', "an empty value"),
    HeldOut(
        'password_reset_url: "https://bookings.example.com/account/password-reset"',
        "a URL without a password",
    ),
    HeldOut("TOKEN_ENDPOINT=http://auth.internal:8080/oauth2/token", "a URL without a password"),
    HeldOut(
        'DATABASE_URL = "postgresql://exporter@db.internal:5432/bookings"',
        "a URL with a user name but no password",
    ),
    HeldOut(
        "BROKER_URL=amqp://exporter:$BROKER_PASSWORD@mq.internal:5672/",
        "the URL's password is `$BROKER_PASSWORD`, an environment variable",
    ),
    HeldOut("TOKEN_TTL_SECONDS = 86400000", "a number, not a string"),
    HeldOut("SESSION_TOKEN_TTL = 1_209_600_000", "a number, not a string"),
)
"""Lines the exercise says are not secrets, however they look."""

HELD_OUT_VALUES = (
    _GHO_TOKEN,
    _GHU_TOKEN,
    _GHS_TOKEN,
    _GHR_TOKEN,
    _OTHER_AWS_KEY_ID,
    _BROKER_PASSWORD,
    _CLONE_PASSWORD,
    _PASSWD,
    _PWD,
    _WEBHOOK_SECRET,
    _APIKEY,
    _SMTP_PASSWORD,
)


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
    """The text with each planted or held-out secret cut to its first four characters."""
    for value in (*SECRET_VALUES, *HELD_OUT_VALUES):
        text = text.replace(value, value[:4] + "…")
    return text
