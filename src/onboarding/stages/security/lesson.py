"""Lesson 09's helpers: its practice cells, and the exercise notebook's view of the project."""

from __future__ import annotations

import ast
import hashlib
from typing import Any

from onboarding import project
from onboarding.artefacts import uv_lock
from onboarding.artefacts.requirements import parse_requirements
from onboarding.checks import CheckFailed, Expectation, Given, practise
from onboarding.stages.security import locking, scanning

FAKE_WHEEL = b"PK\x03\x04 ... the bytes of idna-3.20-py3-none-any.whl ..."
"""The practice's stand-in for a downloaded file: its hash is what a lock records."""


def project_lock() -> dict[str, dict[str, Any]]:
    """What the learner's project needs, resolved from the course's uv.lock (exercise 09.1)."""
    return uv_lock.project_lock(project.read("pyproject.toml"))


def try_scanner(text: str) -> None:
    """Run the project's find_secrets() on a text and print what it finds, or why it cannot."""
    try:
        find_secrets = scanning.load_project_scanner(
            project.read(scanning.SCANNER_FILE), root=project.locate()
        ).find_secrets
        findings = find_secrets(text)
    except NotImplementedError:
        print(f"{scanning.SCANNER_FILE}: find_secrets() is not written yet")
        return
    except Exception as error:  # noqa: BLE001 - the learner's code may raise anything
        print(f"{scanning.SCANNER_FILE}: {type(error).__name__}: {error}")
        return
    for finding in findings or ["nothing found"]:
        print(finding)


# --------------------------------------------------------------------------- practice cells
def _hashed_line(given: Given) -> None:
    entries, problems = parse_requirements(str(given.pinned_line))
    if problems:
        raise CheckFailed(problems[0])
    if len(entries) != 1:
        raise CheckFailed(f"write one requirement, not {len(entries)}")
    entry = entries[0]
    if entry.name != "idna" or not locking.pins_exactly(entry.specifier, "3.20"):
        raise CheckFailed(f"the requirement is {entry.name}{entry.specifier}, not idna==3.20")
    wanted = "sha256:" + hashlib.sha256(FAKE_WHEEL).hexdigest()
    if set(entry.hashes) != {wanted}:  # pip keeps a set: the one hash written twice is that hash
        shown = ", ".join(h[:15] + "…" for h in dict.fromkeys(entry.hashes)) or "no --hash"
        raise CheckFailed(f"its hash is {shown}, not the file's")


def check_hashed_line(pinned_line: Any) -> None:
    """Practice: one requirement, pinned and hashed, for the file whose bytes are FAKE_WHEEL."""
    practise(
        (
            Expectation(
                "idna is pinned to 3.20 with the hash of its file",
                _hashed_line,
                hint='f"idna==3.20 --hash=sha256:{hashlib.sha256(FAKE_WHEEL).hexdigest()}"',
            ),
        ),
        Given(pinned_line=pinned_line),
    )


SUSPECT_LINES = (
    'DATABASE_URL = "postgresql://bookings:hunter2-2030@db.internal/bookings"',
    'TOKEN_URL = "https://auth.example.com/oauth/token"',
    'API_KEY = os.environ["EXPORT_API_KEY"]',
    "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
    "PASSWORD_MIN_LENGTH = 12",
)
SECRET_LINES = frozenset({1, 4})


def check_secret_lines(secret_lines: Any) -> None:
    """Practice: which of SUSPECT_LINES (numbered from 1) hold a secret?"""

    def matches(given: Given) -> None:
        answer = given.secret_lines
        if not isinstance(answer, (set, frozenset, list, tuple)):
            raise CheckFailed(f"secret_lines is {type(answer).__name__}; write a set of numbers")
        chosen = set(answer)
        parts = []
        if chosen - SECRET_LINES:
            parts.append(
                f"no secret on line(s) {', '.join(map(str, sorted(chosen - SECRET_LINES)))}"
            )
        if SECRET_LINES - chosen:
            parts.append(f"missed line(s) {', '.join(map(str, sorted(SECRET_LINES - chosen)))}")
        if parts:
            raise CheckFailed("; ".join(parts))

    practise(
        (
            Expectation(
                "you found the secrets, and only them",
                matches,
                hint="A URL may carry a password; a name alone is no secret; a value read from "
                "the environment is not in the file.",
            ),
        ),
        Given(secret_lines=secret_lines),
    )


UNSAFE_TESTS = ("B506", "B602", "B605", "B324", "B301", "B403")
LEFT_AS_THEY_ARE = ("fingerprint", "restore")
"""The snippet's functions that the practice does not ask to rewrite: a learner who pastes the
whole module, with only load_settings and backup fixed, has done what was asked."""
IMPORT_FOR_RESTORE = "B403"
"""`import pickle`, which restore(), left as it is, still needs; pickle used in the rewritten
functions is B301 on the call, so it is still found."""


def _lines_of_functions(tree: ast.Module, names: tuple[str, ...]) -> set[int]:
    """The line numbers of the functions called `names`, decorators included."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in names:
            start = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
            lines.update(range(start, (node.end_lineno or node.lineno) + 1))
    return lines


YAML_LOADS_BANDIT_MISSES = {
    "unsafe_load": "builds any Python object the file names",
    "unsafe_load_all": "builds any Python object the file names",
    "full_load": "is the full loader, which B506 flags as Loader=yaml.FullLoader",
    "full_load_all": "is the full loader, which B506 flags as Loader=yaml.FullLoader",
}
"""PyYAML's shortcuts for its unsafe and full loaders, which bandit does not flag in this form:
its B506 reads only the Loader argument of yaml.load."""


def _unsafe_yaml_loads(tree: ast.Module, untouched: set[int]) -> list[str]:
    return [
        f"yaml.{node.func.attr} on line {node.lineno} {YAML_LOADS_BANDIT_MISSES[node.func.attr]}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in YAML_LOADS_BANDIT_MISSES
        and node.lineno not in untouched
    ]


def check_bandit_fix(fixed_code: Any) -> None:
    """Practice: rewrite a snippet so that bandit reports none of its unsafe patterns."""

    def clean(given: Given) -> None:
        text = str(given.fixed_code)
        try:
            tree = ast.parse(text, "fixed_code")
        except SyntaxError as error:
            raise CheckFailed(f"line {error.lineno} is not Python: {error.msg}") from None
        untouched = _lines_of_functions(tree, LEFT_AS_THEY_ARE)
        # `# nosec` on an unsafe line hides it from bandit but leaves it unsafe.
        issues = [
            i
            for i in scanning.bandit_issues(text, ignore_nosec=True)
            if i.test_id in UNSAFE_TESTS
            and i.line not in untouched
            and i.test_id != IMPORT_FOR_RESTORE
        ]
        if issues:
            raise CheckFailed("; ".join(f"bandit {i.test_id} on line {i.line}" for i in issues[:3]))
        unsafe = _unsafe_yaml_loads(tree, untouched)
        if unsafe:
            raise CheckFailed("; ".join(unsafe[:3]) + ": use yaml.safe_load")
        if "def load_settings" not in text or "def backup" not in text:
            raise CheckFailed("keep the two functions, load_settings and backup; fix their bodies")

    practise(
        (
            Expectation(
                "bandit finds no unsafe YAML load and no shell in the fixed code",
                clean,
                hint="yaml.safe_load(handle); subprocess.run([...], check=True) with a list and "
                "no shell=True (write the dump to a file opened in Python).",
            ),
        ),
        Given(fixed_code=fixed_code),
    )
