"""Stage 09's checks: each mistake gets its verdict and its message; the model answers pass."""

from __future__ import annotations

import os
import re

import pytest

from onboarding import notebooks
from onboarding.checks import ArtefactError, CheckFailed
from onboarding.stages import security
from onboarding.stages.security import LOCK, Finding
from tests.conftest import COURSE_ROOT

SOLUTION = COURSE_ROOT / "solutions" / "09_packaging_and_security.ipynb"


def cell_source(start: str) -> str:
    for cell in notebooks.read(SOLUTION)["cells"]:
        source = notebooks.source_of(cell)
        if cell["cell_type"] == "code" and start in source:
            return source
    raise AssertionError(f"no cell with {start!r} in {SOLUTION.name}")


def solution_namespace(start: str, tmp_path, monkeypatch) -> dict:
    """Run a solution cell in a scratch folder (it may write files) and return its names."""
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"LOCK": LOCK}  # imported by an earlier cell of the notebook
    exec(compile(cell_source(start), "solution", "exec"), namespace)
    return namespace


# --- 09.1: requirements.txt ---------------------------------------------------------------------


@pytest.fixture
def pinned(tmp_path, monkeypatch) -> str:
    """The model answer's requirements.txt."""
    solution_namespace("def pinned_requirements(", tmp_path, monkeypatch)
    return (tmp_path / "requirements.txt").read_text(encoding="utf-8")


REQUIREMENT_CHECKS = {
    "listing": security.listing_problems,
    "pins": security.pin_problems,
    "hashes": security.hash_problems,
    "markers": security.marker_problems,
}


def problems_of(text: str) -> dict[str, list[str]]:
    entries, invalid = security.parse_requirements(text)
    assert invalid == []
    return {name: check(entries) for name, check in REQUIREMENT_CHECKS.items()}


def test_the_model_requirements_pass_every_check(pinned):
    assert problems_of(pinned) == dict.fromkeys(REQUIREMENT_CHECKS, [])


def test_the_model_requirements_list_every_hash_of_the_lock(pinned):
    entries, _ = security.parse_requirements(pinned)
    assert {entry.name: set(entry.hashes) for entry in entries} == {
        name: set(package["hashes"]) for name, package in LOCK.items()
    }


ANYIO = LOCK["anyio"]["hashes"]
EXCEPTIONGROUP = 'exceptiongroup==1.3.2 ; python_version < "3.11"'


@pytest.mark.parametrize(
    ("old", "new", "failing", "message"),
    [
        ("anyio==4.16.0", "anyio", "pins", "anyio is not pinned (write anyio==4.16.0)"),
        ("anyio==4.16.0", "anyio>=4.16.0", "pins", "anyio>=4.16.0 is not the pin ==4.16.0"),
        ("anyio==4.16.0", "anyio==4.15.0", "pins", "anyio==4.15.0 is not the pin ==4.16.0"),
        (f" \\\n    --hash={ANYIO[1]}", "", "hashes", "anyio has 1 of its 2 hashes"),
        (ANYIO[1], "sha256:" + "0" * 64, "hashes", "anyio has a hash the lock does not list"),
        (ANYIO[1], "sha256:abc", "hashes", "anyio: `sha256:abc` is not sha256:<64 hex digits>"),
        ("h11==0.16.0", "requests==2.32.0", "listing", "missing: h11"),
        ("h11==0.16.0", "requests==2.32.0", "listing", "not in the lock: requests"),
        (
            "idna==3.20",
            "idna==3.20 \\\n    --hash=" + LOCK["idna"]["hashes"][0] + "\nidna==3.20",
            "listing",
            "listed more than once: idna",
        ),
        (EXCEPTIONGROUP, "exceptiongroup==1.3.2", "markers", "exceptiongroup lost its marker"),
        (
            EXCEPTIONGROUP,
            'exceptiongroup==1.3.2 ; python_version < "3.12"',
            "markers",
            'has the marker `python_version < "3.12"`, not `python_version < "3.11"`',
        ),
        (
            "h11==0.16.0",
            'h11==0.16.0 ; sys_platform == "win32"',
            "markers",
            'h11 has a marker (`sys_platform == "win32"`) that the lock does not',
        ),
    ],
    ids=lambda value: str(value)[:30],
)
def test_each_requirements_mistake_is_named(pinned, old, new, failing, message):
    assert old in pinned, old
    problems = problems_of(pinned.replace(old, new, 1))[failing]
    assert any(message in problem for problem in problems), problems


def test_an_unhashed_requirement_is_named():
    text = "anyio==4.16.0\n"
    entries, _ = security.parse_requirements(text)
    assert security.hash_problems(entries) == ["anyio has no --hash"]


def test_a_line_that_is_no_requirement_stops_the_check(tmp_path):
    path = tmp_path / "requirements.txt"
    path.write_text("anyio=4.16.0\n", encoding="utf-8")
    with pytest.raises(CheckFailed, match=r"line 1: `anyio=4.16.0` is not a requirement"):
        security.read_requirements(path)


def test_a_missing_or_empty_file_is_named(tmp_path):
    with pytest.raises(ArtefactError, match="requirements.txt does not exist yet"):
        security.read_requirements(tmp_path / "requirements.txt")
    (tmp_path / "requirements.txt").write_text("# nothing yet\n", encoding="utf-8")
    with pytest.raises(CheckFailed, match="has no requirements"):
        security.read_requirements(tmp_path / "requirements.txt")


def test_the_parser_reads_what_pip_reads():
    text = (
        "# a comment\n"
        "--index-url https://pypi.org/simple\n"
        "Typing_Extensions==4.16.0 --hash sha256:" + "a" * 64 + "  # trailing comment\n"
        "anyio==4.16.0 \\\n"
        "    --hash=sha256:" + "b" * 64 + " \\\n"
        "    --hash=sha256:" + "c" * 64 + "\n"
    )
    entries, invalid = security.parse_requirements(text)
    assert invalid == []
    assert [(e.line, e.name, e.specifier, len(e.hashes)) for e in entries] == [
        (3, "typing-extensions", "==4.16.0", 1),
        (4, "anyio", "==4.16.0", 2),
    ]


# --- 09.2: find_secrets() -----------------------------------------------------------------------


@pytest.fixture
def model_find_secrets(tmp_path, monkeypatch):
    return solution_namespace("def find_secrets(", tmp_path, monkeypatch)["find_secrets"]


def secret_problems(find_secrets) -> dict[str, list[str]]:
    problems = {"shape": security.shape_problems(find_secrets)}
    for file in security.PLANTED_FILES:
        problems[file] = security.missed_problems(find_secrets, file)
    problems["clean"] = security.false_positive_problems(find_secrets)
    return problems


def test_the_model_scanner_passes_every_check(model_find_secrets):
    assert all(not problems for problems in secret_problems(model_find_secrets).values())


def test_the_planted_lines_hold_their_secrets():
    for planted in security.PLANTED:
        line = security.CODEBASE[planted.file].splitlines()[planted.line - 1]
        assert any(value in line for value in security.SECRET_VALUES) or "PRIVATE KEY" in line


def test_the_not_secret_notes_point_at_lines_of_the_clean_files():
    for file, line in security.NOT_SECRETS:
        assert file in security.CLEAN_FILES
        assert security.CODEBASE[file].splitlines()[line - 1].strip()


def names_only(text: str) -> list[Finding]:
    """A scanner that flags every assignment to a secret-looking name, whatever its value."""
    return [
        Finding(number, "name")
        for number, line in enumerate(text.splitlines(), start=1)
        if re.search(r"(?i)(password|secret|token|api_key)\w*\s*[:=]", line)
    ]


def zero_based(text: str) -> list[Finding]:
    return [Finding(line - 1, kind) for line, kind in names_only(text)]


def as_set(text: str):
    return set(names_only(text))


def bare_numbers(text: str):
    return [finding.line for finding in names_only(text)]


@pytest.mark.parametrize(
    ("scanner", "failing", "message"),
    [
        (zero_based, "shape", "the secret on line 2 was reported on line 1: count lines from 1"),
        (
            names_only,
            "settings.py",
            'line 8 (`AWS_ACCESS_KEY_ID = "AKIA…"`) holds an AWS access key id',
        ),
        (names_only, "config.yaml", 'line 3 (`database_url: "postgresql://bookings:pa55…@db'),
        (
            names_only,
            "config.yaml",
            "line 8 (`-----BEGIN OPENSSH PRIVATE KEY-----`) holds a private key",
        ),
        (names_only, "deploy.sh", 'line 7 (`curl --fail -H "Authorization: Bearer ghp_…" \\`)'),
        (
            names_only,
            "clean",
            ".env.example line 3 (`DATABASE_PASSWORD=change-me`) is not a secret: `change-me` is a placeholder",
        ),
        (
            names_only,
            "clean",
            'export_job.py line 6 (`TOKEN_URL = "https://auth.example.com/oauth/token"`) is not a secret: a URL without a password',
        ),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)[:30]),
)
def test_each_scanner_mistake_is_named(scanner, failing, message):
    problems = secret_problems(scanner)[failing]
    assert any(message in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("scanner", "message"),
    [
        (as_set, "find_secrets() returned set, not a list of findings"),
        (bare_numbers, "a finding is 2; make each one Finding(line=…, kind=…)"),
    ],
)
def test_findings_of_the_wrong_shape_are_named(scanner, message):
    with pytest.raises(CheckFailed, match=re.escape(message)):
        security.shape_problems(scanner)


def test_plain_tuples_count_as_findings():
    assert security.shape_problems(lambda text: [(line, "x") for line, _ in names_only(text)]) == []


def test_messages_never_show_a_whole_secret():
    messages = " ".join(
        problem for problems in secret_problems(lambda text: []).values() for problem in problems
    )
    assert messages
    assert not [value for value in security.SECRET_VALUES if value in messages]


def test_write_codebase_keeps_existing_files(tmp_path):
    written = security.write_codebase(tmp_path)
    assert sorted(path.name for path in written) == sorted(security.CODEBASE)
    (tmp_path / "settings.py").write_text("FIXED = True\n", encoding="utf-8")
    assert security.write_codebase(tmp_path) == []
    assert (tmp_path / "settings.py").read_text(encoding="utf-8") == "FIXED = True\n"


# --- 09.3: the fixed settings.py ----------------------------------------------------------------

FIXED = """import os

EXPORT_BUCKET = "bookings-exports"
DATABASE_PASSWORD = os.environ["DATABASE_PASSWORD"]
AWS_ACCESS_KEY_ID = os.environ["AWS_ACCESS_KEY_ID"]
AWS_SECRET_ACCESS_KEY = os.environ["AWS_SECRET_ACCESS_KEY"]
"""

FIX_CHECKS = {
    "leftover": lambda path: security.leftover_problems(path.read_text(encoding="utf-8")),
    "environment": security.environment_problems,
    "fail-fast": security.fail_fast_problems,
    "bandit": lambda path: security.bandit_problems(path.read_text(encoding="utf-8")),
}


def fix_problems(tmp_path, text: str) -> dict[str, list[str]]:
    path = tmp_path / "settings.py"
    path.write_text(text, encoding="utf-8")
    return {name: check(path) for name, check in FIX_CHECKS.items()}


def test_a_fixed_settings_file_passes_every_check(tmp_path):
    assert fix_problems(tmp_path, FIXED) == dict.fromkeys(FIX_CHECKS, [])


def test_the_solution_notebooks_fix_passes(tmp_path):
    source = cell_source("%%writefile codebase/settings.py").split("\n", 1)[1]
    assert fix_problems(tmp_path, source) == dict.fromkeys(FIX_CHECKS, [])


@pytest.mark.parametrize(
    ("text", "failing", "message"),
    [
        (security.SETTINGS_PY, "leftover", "line 7 still holds the secret `Tr0u…`"),
        (security.SETTINGS_PY, "bandit", "bandit B105 on line 7"),
        (
            security.SETTINGS_PY,
            "environment",
            "DATABASE_PASSWORD is 'Tr0u…', not the value of the environment variable",
        ),
        (
            re.sub(r'os.environ\["(\w+)"\]', r'os.environ.get("\1", "")', FIXED),
            "fail-fast",
            "the settings load anyway",
        ),
        (
            FIXED.replace("DATABASE_PASSWORD =", "DB_PASSWORD ="),
            "environment",
            "DATABASE_PASSWORD is no longer defined",
        ),
        (
            FIXED.replace('os.environ["AWS_ACCESS_KEY_ID"]', 'os.environ["AWS_KEY"]'),
            "environment",
            "running settings.py raised KeyError",
        ),
        (
            FIXED + 'ADMIN_PASSWORD = "letmein-2030"\n',
            "bandit",
            "Possible hardcoded password: 'letmein-2030'",
        ),
    ],
    ids=[
        "leftover",
        "bandit",
        "literal",
        "get-default",
        "renamed",
        "other-variable",
        "new-password",
    ],
)
def test_each_fix_mistake_is_named(tmp_path, text, failing, message):
    problems = fix_problems(tmp_path, text)[failing]
    assert any(message in problem for problem in problems), problems


def test_the_environment_is_put_back(monkeypatch):
    monkeypatch.setenv("DATABASE_PASSWORD", "before")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    with security.environment({"AWS_ACCESS_KEY_ID": "during"}, unset=["DATABASE_PASSWORD"]):
        assert "DATABASE_PASSWORD" not in os.environ
        assert os.environ["AWS_ACCESS_KEY_ID"] == "during"
    assert os.environ["DATABASE_PASSWORD"] == "before"
    assert "AWS_ACCESS_KEY_ID" not in os.environ


def test_bandit_issues_are_sorted_by_line():
    issues = security.bandit_issues('import pickle\nPASSWORD = "letmein-2030"\n')
    assert [(issue.test_id, issue.line) for issue in issues] == [("B403", 1), ("B105", 2)]
