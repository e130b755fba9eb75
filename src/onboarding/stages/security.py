"""Stage 09's checks: a hash-pinned requirements file, and secrets found and moved out of code.

Every `*_problems` function returns a list of plain sentences, one per problem, and an empty list
when all is well, so that each message can be unit-tested; a check cell turns a list into one ✅
or ❌ line with `require()`.

The planted secrets are fakes, assembled from pieces so that no scanner mistakes this file for a
leak: AWS's documented example keys, and made-up passwords and tokens.
"""

from __future__ import annotations

import os
import re
import runpy
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from onboarding.checks import SHOWN_PROBLEMS, ArtefactError, CheckFailed, require  # noqa: F401 - notebooks and tests call it through this module


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


# --- Exercise 09.1: pin the dependencies --------------------------------------------------------

REQUIREMENTS_IN = ("httpx>=0.27", "uvicorn>=0.30")
"""What the export job asks for: ranges, as in pyproject.toml."""

LOCK: dict[str, dict[str, Any]] = {
    "anyio": {
        "version": "4.16.0",
        "hashes": [
            "sha256:c66ae634e0b8228396b801741beb3294326d4b6102f7bba4041c0dfb58c29026",
            "sha256:59bb03251907983d1603d27c3087ddb1e93299ea2163adcdba37899a4fb12ffb",
        ],
    },
    "certifi": {
        "version": "2026.10.19.post1",
        "hashes": ["sha256:1324c476b4811eff41a8bc2122cd0bbd4d9c7234c725446d99ab1612b3a7fdd2"],
    },
    "click": {
        "version": "8.5.1",
        "hashes": [
            "sha256:8bb5376d2006950386f8c6427613334a2acadc5f559cb80e638d00b4df957e37",
            "sha256:9bbfada76703fd1d784b83eea012e3e8c6a001a876543ef104fa56aaaeb072b4",
        ],
    },
    "exceptiongroup": {
        "version": "1.3.2",
        "hashes": [
            "sha256:41c6a70dfec22050d3d8b43386b059a4dc0bca3f3d40a40971cb206fff1785af",
            "sha256:ca82e69f0cb535fbde934885744b67669a3efddd50fe7bc00d3398839fcaddec",
        ],
        "marker": 'python_version < "3.11"',
    },
    "h11": {
        "version": "0.16.0",
        "hashes": [
            "sha256:63cf8bbe7522de3bf65932fda1d9c2772064ffb3dae62d55932da54b31cb6c86",
            "sha256:4e35b956cf45792e4caa5885e69fba00bdbc6ffafbfa020300e549b208ee5ff1",
        ],
    },
    "httpcore": {
        "version": "1.0.9",
        "hashes": [
            "sha256:2d400746a40668fc9dec9810239072b40b4484b640a8c38fd654a024c7a1bf55",
            "sha256:6e34463af53fd2ab5d807f399a9b45ea31c3dfa2276f15a2c3f00afff6e176e8",
        ],
    },
    "httpx": {
        "version": "0.28.1",
        "hashes": [
            "sha256:d909fcccc110f8c7faf814ca82a9a4d816bc5a6dbfea25d6591d6985b8ba59ad",
            "sha256:75e98c5f16b0f35b567856f597f06ff2270a374470a5c2392242528e3e3e42fc",
        ],
    },
    "idna": {
        "version": "3.20",
        "hashes": [
            "sha256:ab7ae7122974553370f0bdb919e1a960b2cd1bc1ef0276416d896db81c14582c",
            "sha256:a7db850025b95ded1eae8a46181a1a6c56c92c96f0e2b005d9ff8dc0210cab44",
        ],
    },
    "typing-extensions": {
        "version": "4.16.0",
        "hashes": [
            "sha256:481caa481374e813c1b176ada14e97f1f67a4539ce9cfeb3f350d78d6370c2e8",
            "sha256:dc983d19a509c94dba722ee6abd33940f7c05a89e243c47e907eb4db6f1a43e5",
        ],
    },
    "uvicorn": {
        "version": "0.54.0",
        "hashes": [
            "sha256:505bdb0f318731d45f1f712071fc781a8981f6847a31c902c9f5e652d4f67faf",
            "sha256:a2e33cbfaa0306f8e6b0c13e0cb89d7d7a2da3e62b90c66e18c33d9807b28620",
        ],
    },
}
"""A lock for REQUIREMENTS_IN, as a lock file parsed: every package, its version and file hashes."""

HASH_OPTION = re.compile(r"--hash(?:=|\s+)(?P<value>\S+)")


@dataclass(frozen=True)
class Entry:
    """One requirement of a requirements file, with its options."""

    line: int
    text: str
    name: str
    specifier: str
    marker: str | None
    hashes: tuple[str, ...]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, text) of each entry: continuations joined, comments dropped."""
    start, parts = None, []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = re.sub(r"(^|\s)#.*$", "", raw)
        if start is None:
            start = number
        if line.rstrip().endswith("\\"):
            parts.append(line.rstrip()[:-1])
            continue
        parts.append(line)
        joined = " ".join(part.strip() for part in parts).strip()
        if joined:
            yield start, joined
        start, parts = None, []
    if parts and " ".join(parts).strip():
        yield start or 1, " ".join(part.strip() for part in parts).strip()


def parse_requirements(text: str) -> tuple[list[Entry], list[str]]:
    """The entries of a pip requirements file, and a problem for each line that is not one."""
    from packaging.requirements import InvalidRequirement, Requirement

    entries, problems = [], []
    for number, line in logical_lines(text):
        if line.startswith("-"):
            # Global options (--index-url, -r, -e): not requirements; pip reads them elsewhere.
            continue
        requirement_text = re.split(r"\s--?[a-z]", " " + line, maxsplit=1)[0].strip()
        try:
            requirement = Requirement(requirement_text)
        except InvalidRequirement as error:
            problems.append(
                f"line {number}: `{_short(requirement_text, 40)}` is not a requirement ({error})"
            )
            continue
        entries.append(
            Entry(
                number,
                line,
                canonical(requirement.name),
                str(requirement.specifier),
                str(requirement.marker) if requirement.marker else None,
                tuple(match["value"] for match in HASH_OPTION.finditer(line)),
            )
        )
    return entries, problems


def read_requirements(path: str | Path) -> list[Entry]:
    """The file's entries; a missing file, an empty one or a line that is no requirement fails."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ArtefactError(
            f"{Path(path).name} does not exist yet — run the cell that writes it"
        ) from None
    entries, problems = parse_requirements(text)
    if problems:
        raise CheckFailed("; ".join(problems[:SHOWN_PROBLEMS]))
    if not entries:
        raise CheckFailed(f"{Path(path).name} has no requirements in it")
    return entries


def listing_problems(entries: Sequence[Entry], lock: Mapping[str, Any] = LOCK) -> list[str]:
    """Every locked package is listed exactly once, and nothing that is not locked."""
    locked = {canonical(name) for name in lock}
    names = [entry.name for entry in entries]
    problems = []
    missing = sorted(locked - set(names))
    if missing:
        problems.append(
            "missing: "
            + ", ".join(missing)
            + " (pip's hash-checking mode needs every package, the dependencies of your "
            "dependencies too)"
        )
    extra = sorted(set(names) - locked)
    if extra:
        problems.append("not in the lock: " + ", ".join(extra))
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        problems.append("listed more than once: " + ", ".join(repeated))
    return problems


def pin_problems(entries: Sequence[Entry], lock: Mapping[str, Any] = LOCK) -> list[str]:
    """Each requirement is pinned with `==` to exactly its locked version."""
    versions = {canonical(name): package["version"] for name, package in lock.items()}
    problems = []
    for entry in entries:
        locked = versions.get(entry.name)
        if locked is None:
            continue
        if not entry.specifier:
            problems.append(f"{entry.name} is not pinned (write {entry.name}=={locked})")
        elif entry.specifier != f"=={locked}":
            problems.append(f"{entry.name}{entry.specifier} is not the pin =={locked}")
    return problems


def hash_problems(entries: Sequence[Entry], lock: Mapping[str, Any] = LOCK) -> list[str]:
    """Each requirement carries every hash the lock lists for it, and no other."""
    hashes = {canonical(name): set(package["hashes"]) for name, package in lock.items()}
    problems = []
    for entry in entries:
        wanted = hashes.get(entry.name)
        if wanted is None:
            continue
        given = set(entry.hashes)
        if not given:
            problems.append(f"{entry.name} has no --hash")
            continue
        malformed = sorted(h for h in given if not re.fullmatch(r"sha256:[0-9a-f]{64}", h))
        if malformed:
            problems.append(
                f"{entry.name}: `{_short(malformed[0], 24)}` is not sha256:<64 hex digits>"
            )
        elif given - wanted:
            problems.append(f"{entry.name} has a hash the lock does not list")
        if wanted - given and not malformed:
            problems.append(
                f"{entry.name} has {len(given & wanted)} of its {len(wanted)} hashes (pip needs "
                "the hash of whichever file it downloads, so list them all)"
            )
    return problems


def marker_problems(entries: Sequence[Entry], lock: Mapping[str, Any] = LOCK) -> list[str]:
    """Environment markers are kept where the lock has one, and added nowhere else."""
    from packaging.markers import Marker

    markers = {canonical(name): package.get("marker") for name, package in lock.items()}
    problems = []
    for entry in entries:
        if entry.name not in markers:
            continue
        wanted = markers[entry.name]
        if wanted and entry.marker is None:
            problems.append(
                f"{entry.name} lost its marker; write `{entry.name}==… ; {wanted}` so that it is "
                "only installed where it is needed"
            )
        elif wanted and Marker(entry.marker) != Marker(wanted):
            problems.append(f"{entry.name} has the marker `{entry.marker}`, not `{wanted}`")
        elif not wanted and entry.marker:
            problems.append(f"{entry.name} has a marker (`{entry.marker}`) that the lock does not")
    return problems


# --- Exercise 09.2: find the secrets ------------------------------------------------------------


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


def finding_lines(find_secrets: Callable[[str], Any], text: str) -> list[int]:
    """The line numbers of what `find_secrets(text)` reports, whatever shape each finding has."""
    found = find_secrets(text)
    if not isinstance(found, (list, tuple)):
        raise CheckFailed(f"find_secrets() returned {type(found).__name__}, not a list of findings")
    lines = []
    for finding in found:
        line = getattr(finding, "line", None)
        if line is None and isinstance(finding, (tuple, list)) and finding:
            line = finding[0]
        if type(line) is not int:
            raise CheckFailed(
                f"a finding is {finding!r}; make each one Finding(line=…, kind=…), with the line "
                "number as an int"
            )
        lines.append(line)
    return lines


def shape_problems(find_secrets: Callable[[str], Any]) -> list[str]:
    """find_secrets() returns findings whose line numbers count from 1."""
    text = f'EXPORT_BUCKET = "bookings-exports"\nDATABASE_PASSWORD = "{_DB_PASSWORD}"\n'
    lines = finding_lines(find_secrets, text)
    if lines == [2]:
        return []
    if lines == [1]:
        return ["the secret on line 2 was reported on line 1: count lines from 1, not 0"]
    return [f"for a two-line text with a password on line 2, the findings are on lines {lines}"]


def redact(text: str) -> str:
    """The text with each planted secret cut to its first four characters."""
    for value in SECRET_VALUES:
        text = text.replace(value, value[:4] + "…")
    return text


def _line(file: str, number: int) -> str:
    return _short(redact(CODEBASE[file].splitlines()[number - 1].strip()), 50)


def missed_problems(find_secrets: Callable[[str], Any], file: str) -> list[str]:
    """Every secret planted in `file` is reported on its line."""
    found = set(finding_lines(find_secrets, CODEBASE[file]))
    return [
        f"line {planted.line} (`{_line(file, planted.line)}`) holds {planted.what}, not found"
        for planted in PLANTED
        if planted.file == file and planted.line not in found
    ]


def false_positive_problems(find_secrets: Callable[[str], Any]) -> list[str]:
    """Nothing is reported in the files that hold no secret."""
    problems = []
    for file in CLEAN_FILES:
        for line in sorted(set(finding_lines(find_secrets, CODEBASE[file]))):
            why = NOT_SECRETS.get((file, line), "no secret is there")
            problems.append(f"{file} line {line} (`{_line(file, line)}`) is not a secret: {why}")
    return problems


# --- Exercise 09.2, second part: the fixed settings.py -------------------------------------------

SETTINGS_VARIABLES = ("DATABASE_PASSWORD", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
FROM_THE_VAULT = {name: f"{name.lower()}-from-the-vault" for name in SETTINGS_VARIABLES}
HARDCODED_PASSWORD_TESTS = ("B105", "B106", "B107")


def read_settings(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ArtefactError(
            f"{Path(path).name} does not exist — run the set-up cell, then your fix"
        ) from None


def leftover_problems(text: str) -> list[str]:
    """None of the planted secret values is still in the file."""
    return [
        f"line {number} still holds the secret `{value[:4]}…`"
        for number, line in enumerate(text.splitlines(), start=1)
        for value in SECRET_VALUES
        if value in line
    ]


@contextmanager
def environment(values: Mapping[str, str], unset: Sequence[str] = ()) -> Iterator[None]:
    """Set and unset environment variables for the block, then put everything back."""
    saved = {name: os.environ.get(name) for name in (*values, *unset)}
    try:
        os.environ.update(values)
        for name in unset:
            os.environ.pop(name, None)
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def environment_problems(path: str | Path) -> list[str]:
    """With the three variables set, the module's three settings hold their values."""
    with environment(FROM_THE_VAULT):
        try:
            module = runpy.run_path(str(path))
        except Exception as error:  # noqa: BLE001 - the learner's module may raise anything
            return [f"running {Path(path).name} raised {type(error).__name__}: {error}"]
    problems = []
    for name, value in FROM_THE_VAULT.items():
        if name not in module:
            problems.append(
                f"{name} is no longer defined; keep the name, change where it comes from"
            )
        elif module[name] != value:
            problems.append(
                f"{name} is {_short(redact(repr(module[name])), 30)}, not the value of the "
                f"environment variable {name}"
            )
    return problems


def fail_fast_problems(path: str | Path) -> list[str]:
    """With the variables unset, loading the settings fails instead of running without them."""
    with environment({}, unset=SETTINGS_VARIABLES):
        try:
            runpy.run_path(str(path))
        except Exception:  # noqa: BLE001 - any error stops the job, which is the point
            return []
    return [
        "with DATABASE_PASSWORD and the AWS variables unset, the settings load anyway, so the job "
        "would start and fail later, or run with empty credentials"
    ]


@dataclass(frozen=True)
class BanditIssue:
    test_id: str
    line: int
    severity: str
    text: str


def bandit_issues(text: str) -> list[BanditIssue]:
    """Run bandit's checks on a Python source text; nothing leaves the machine."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scanned.py"
        path.write_text(text, encoding="utf-8")
        with warnings.catch_warnings():
            # stevedore, which loads bandit's plugins, warns about its own API; not ours to fix.
            warnings.filterwarnings("ignore", message="The verify_requirements argument")
            from bandit.core import config, manager

            scan = manager.BanditManager(config.BanditConfig(), "file", quiet=True)
            scan.discover_files([str(path)])
            scan.run_tests()
        return sorted(
            (
                BanditIssue(issue.test_id, issue.lineno, issue.severity, issue.text)
                for issue in scan.get_issue_list()
            ),
            key=lambda issue: (issue.line, issue.test_id),
        )


def bandit_problems(text: str) -> list[str]:
    """bandit reports no hard-coded password."""
    return [
        f"bandit {issue.test_id} on line {issue.line}: {_short(issue.text, 60)}"
        for issue in bandit_issues(text)
        if issue.test_id in HARDCODED_PASSWORD_TESTS
    ]
