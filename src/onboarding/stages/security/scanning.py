"""Exercises 09.2 and 09.3: a secret scanner judged on planted secrets, the learner's repository
scanned with it, and a settings module whose secrets move to the environment.

Every `*_problems` function returns plain sentences, one per problem, and an empty list when all
is well. No message ever shows a whole secret: values are cut to their first four characters.
"""

from __future__ import annotations

import itertools
import os
import re
import runpy
import subprocess
import tempfile
import types
import warnings
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from onboarding.checks import CheckFailed
from onboarding.learner_imports import ProjectImports, as_a_command
from onboarding.protocol import shorten
from onboarding.stages.security.codebase import (
    _DB_PASSWORD,
    CLEAN_FILES,
    CODEBASE,
    HELD_OUT_NOT_SECRETS,
    HELD_OUT_SECRETS,
    NOT_SECRETS,
    PLANTED,
    SECRET_VALUES,
    redact,
)


# ------------------------------------------------------------------------------ 09.2: the scanner
def finding_lines(find_secrets: Callable[[str], Any], text: str) -> list[int]:
    """The line numbers of what `find_secrets(text)` reports, whatever shape each finding has."""
    found = find_secrets(text)
    if isinstance(found, Iterator):
        # A generator that yields each finding is a list made lazily: the command loops over it.
        found = list(found)
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
    # A line reported once per rule that matches it is still one line, as the other checks count.
    lines = sorted(set(finding_lines(find_secrets, text)))
    if lines == [2]:
        return []
    if lines == [1]:
        return ["the secret on line 2 was reported on line 1: count lines from 1, not 0"]
    return [f"for a two-line text with a password on line 2, the findings are on lines {lines}"]


def _line(file: str, number: int) -> str:
    return shorten(redact(CODEBASE[file].splitlines()[number - 1].strip()), 50)


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


AT_THE_LIMIT = 'EXPORT_TOKEN = "k3y-2030"'
"""A secret-named value of exactly 8 characters: the prompt's "at least 8" includes it."""
BELOW_THE_LIMIT = 'EXPORT_TOKEN = "k3y-203"'


def limit_problems(find_secrets: Callable[[str], Any]) -> list[str]:
    """The length limit of a secret-named value holds exactly: 8 characters count, 7 do not."""
    lines = set(finding_lines(find_secrets, f"{AT_THE_LIMIT}\n{BELOW_THE_LIMIT}\n"))
    problems = []
    if 1 not in lines:
        problems.append(f"`{AT_THE_LIMIT}` (8 characters) is not reported: “at least 8” includes 8")
    if 2 in lines:
        problems.append(f"`{BELOW_THE_LIMIT}` (7 characters) is reported, but 7 is below the limit")
    return problems


def _first_line(text: str) -> str:
    return shorten(redact(text.splitlines()[0].strip()), 50)


def held_out_problems(find_secrets: Callable[[str], Any]) -> list[str]:
    """Each kind of secret the prompt lists is found however it allows it to be written, and
    nothing it says is no secret is reported, on lines the code base does not have.

    Each text is scanned alone, so that what a scanner makes of one line (a private key's block
    it follows to its end) cannot change its verdict on another.
    """
    problems = [
        f"`{_first_line(held_out.text)}` is not reported, but it holds {held_out.what}"
        for held_out in HELD_OUT_SECRETS
        if 1 not in finding_lines(find_secrets, held_out.text + "\n")
    ]
    problems += [
        f"`{_first_line(held_out.text)}` is reported, but it is not a secret: {held_out.what}"
        for held_out in HELD_OUT_NOT_SECRETS
        if finding_lines(find_secrets, held_out.text + "\n")
    ]
    return problems


# -------------------------------------------------------------- 09.2: the scanner in the project
SCANNER_FILE = "tools/find_secrets.py"
"""Where the learner's scanner lives in their project, runnable as a command and in CI."""


_LOADS = itertools.count(1)
"""Numbers the scanner's loads, so that each runs as a module of its own name."""


@dataclass(frozen=True)
class Scanner:
    """The learner's `find_secrets`, and the project files it is made of."""

    find_secrets: Callable[[str], Any]
    own_files: Collection[str] = frozenset({SCANNER_FILE})
    """Project-relative paths of the scanner and of the modules of the project it imports; a
    module that `find_secrets()` imports when called joins them then."""


PROBE = 'EXPORT_BUCKET = "bookings-exports"\n'
"""A text without a secret that the scanner runs on once it has loaded, so that the modules it
imports only when called are known as its own before the project is scanned."""


def load_scanner(source: str, name: str = SCANNER_FILE) -> Callable[[str], Any]:
    """`find_secrets` from the scanner's source, run in a namespace of its own."""
    return load_project_scanner(source, name).find_secrets


def load_project_scanner(
    source: str, name: str = SCANNER_FILE, root: Path | None = None
) -> Scanner:
    """The scanner of the project in `root` (or a source alone), loaded as Python runs it.

    The source is compiled from its text rather than imported, so that every call reads the
    file as it is now. As `python tools/find_secrets.py` would, it finds the modules beside it
    (and, as pytest would, the project's own packages), and `__file__` is its path, both while
    it loads and while `find_secrets()` runs (which may import a module only then). Nothing is
    written into the learner's project (no `__pycache__` folder), and the modules it imports
    from the project are forgotten afterwards, so that the next load reads them afresh.
    """
    # A name of its own for each load, so that two checks loading at once do not share one.
    number = next(_LOADS)
    module = types.ModuleType(f"find_secrets_under_check_{number}")
    namespace: dict[str, Any] = module.__dict__
    imports = None
    if root is not None:
        script = root / name
        namespace["__file__"] = str(script)
        imports = ProjectImports(f"project_under_check_{number}", [script.parent, root])
        namespace["__builtins__"] = imports.builtins
    own_files = {name}
    # A dataclass looks its module up in sys.modules while the class is made, to read the
    # annotations that `from __future__ import annotations` left as strings; without an
    # entry there, `@dataclass class Finding` would not load.
    with as_a_command(imports, root, module, own_files):
        try:
            exec(compile(source, name, "exec"), namespace)  # noqa: S102 - the learner's own file
        except SyntaxError as error:
            raise CheckFailed(f"{name} line {error.lineno}: SyntaxError: {error.msg}") from None
        except (Exception, SystemExit) as error:  # the learner's module may raise anything
            raise CheckFailed(f"{name} does not load: {type(error).__name__}: {error}") from None
    function = namespace.get("find_secrets")
    if not callable(function):
        raise CheckFailed(f"{name} defines no function find_secrets(text)")

    def run_as_a_command(text: str) -> Any:
        with as_a_command(imports, root, module, own_files):
            found = function(text)
            # A generator runs its body only as it is consumed: consume it here, where the
            # imports it makes are the command's.
            return list(found) if isinstance(found, Iterator) else found

    try:
        run_as_a_command(PROBE)
    except (Exception, SystemExit):  # noqa: S110 - the checks' own calls say what went wrong
        pass
    return Scanner(run_as_a_command, own_files)


# ------------------------------------------------------------- 09.2: the learner's own repository
TEXT_LIMIT = 1_000_000
"""Bytes above which a file is not scanned (a database, an image: not where secrets are typed)."""


@dataclass(frozen=True)
class Place:
    """Where a text was found: a file of the working tree, or a file as a commit had it."""

    path: str
    commit: str = ""

    def describe(self, line: int) -> str:
        where = f"{self.path} line {line}"
        return f"{where}, in commit {self.commit[:10]}" if self.commit else where


def _as_text(data: bytes) -> str | None:
    if len(data) > TEXT_LIMIT or b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _working_tree_files(root: Path) -> list[Path]:
    """The files of the project's working tree that its repository holds or would take in.

    Those are the files git tracks and the new ones it does not ignore: a file that .gitignore
    keeps out, such as a local `.env` copied from `.env.example`, is never committed, so a
    secret in it is not in the repository. Without a repository, every file counts.
    """
    if not (root / ".git").exists():
        return sorted(root.rglob("*"))
    listing = _git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    return sorted({root / os.fsdecode(name) for name in listing.split(b"\0") if name})


def working_tree_texts(root: Path) -> Iterator[tuple[Place, str]]:
    """Every text file of the project that git does not ignore, outside .git and caches."""
    skipped = {".git", "__pycache__", ".pytest_cache", ".ruff_cache", ".venv"}
    for path in _working_tree_files(root):
        if not path.is_file() or skipped & set(path.relative_to(root).parts):
            continue
        text = _as_text(path.read_bytes())
        if text is not None:
            yield Place(path.relative_to(root).as_posix()), text


def _git(root: Path, *arguments: str, data: bytes | None = None) -> bytes:
    run = subprocess.run(["git", *arguments], cwd=root, input=data, capture_output=True, timeout=60)
    if run.returncode != 0:
        raise CheckFailed(
            f"git {arguments[0]} failed in your project: {shorten(run.stderr.decode(), 80)}"
        )
    return run.stdout


def history_texts(root: Path) -> Iterator[tuple[Place, str]]:
    """Every version of every text file that a commit of the repository ever held, once each.

    Read-only: `git rev-list` and `git cat-file` change nothing in the repository.
    """
    if not (root / ".git").exists():
        return
    listing = _git(root, "rev-list", "--all", "--objects").decode("utf-8", "replace")
    paths = {}
    for row in listing.splitlines():
        object_id, _, path = row.partition(" ")
        if path:
            paths.setdefault(object_id, path)
    if not paths:
        return
    first_commit = {}
    log = _git(root, "log", "--all", "--reverse", "--format=%H", "--raw", "--no-abbrev")
    commit = ""
    for row in log.decode("utf-8", "replace").splitlines():
        if len(row) == 40 and " " not in row:
            commit = row
        elif row.startswith(":"):
            fields = row.split()
            if len(fields) >= 4:
                first_commit.setdefault(fields[3], commit)
    query = "".join(f"{object_id}\n" for object_id in paths).encode()
    batch = _git(root, "cat-file", "--batch", data=query)
    position = 0
    while position < len(batch):
        header_end = batch.index(b"\n", position)
        object_id, kind, size = batch[position:header_end].decode().split()
        start, end = header_end + 1, header_end + 1 + int(size)
        position = end + 1
        if kind != "blob":
            continue
        text = _as_text(batch[start:end])
        if text is not None:
            yield Place(paths[object_id], first_commit.get(object_id, "")), text


def repository_problems(
    find_secrets: Callable[[str], Any],
    root: Path,
    own_files: Collection[str] = (SCANNER_FILE,),
) -> list[str]:
    """What the learner's scanner finds in their project, working tree and history alike.

    The scanner's own files (its file, and the project's modules it imports) are left out:
    their patterns name the shapes of secrets.
    """
    problems, seen_texts = [], set()
    for place, text in [*working_tree_texts(root), *history_texts(root)]:
        if place.path in own_files:
            continue  # its own patterns describe secrets without being any, as gitleaks' do
        if text in seen_texts:
            continue  # the same content in the tree and in history: report it once
        seen_texts.add(text)
        lines = text.splitlines()
        for line in sorted(set(finding_lines(find_secrets, text))):
            quoted = lines[line - 1].strip() if 1 <= line <= len(lines) else ""
            problems.append(f"{place.describe(line)}: `{shorten(_cut(quoted), 50)}`")
    return problems


def _cut(line: str) -> str:
    """A line with its values cut to four characters: enough to find them, not to use them.

    A value is a quoted string, or a long word with a digit in it (a token, a URL with a
    password); names such as DATABASE_PASSWORD stay whole.
    """
    line = re.sub(r"""(["'])([^"']{4})[^"']*\1""", lambda m: f"{m[1]}{m[2]}…{m[1]}", line)
    return " ".join(
        word[:4] + "…" if len(word) >= 12 and re.search(r"\d", word) and "…" not in word else word
        for word in line.split()
    )


# ------------------------------------------------------------------- 09.3: the fixed settings.py
SETTINGS_VARIABLES = ("DATABASE_PASSWORD", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
AWS_KEYS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
FROM_THE_VAULT = {name: f"{name.lower()}-from-the-vault" for name in SETTINGS_VARIABLES}
HARDCODED_PASSWORD_TESTS = ("B105", "B106", "B107")


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


def _load(path: str | Path) -> dict[str, Any]:
    return runpy.run_path(str(path))


STOPS = (Exception, SystemExit)
"""What a settings module may raise to stop the job: `sys.exit("… is not set")` is as good a way
to fail at once as an exception, and must end in a verdict, not end the check itself."""


def environment_problems(path: str | Path) -> list[str]:
    """The password comes from the environment; the AWS keys too, or not at all.

    With workload identity (OIDC) the platform gives the job short-lived AWS credentials that the
    SDK finds by itself, so a settings module without the two AWS keys is right; a stored secret
    in the environment is the fallback, so reading both from there is right too.
    """
    with environment(FROM_THE_VAULT):
        try:
            module = _load(path)
        except STOPS as error:
            return [f"running {Path(path).name} raised {type(error).__name__}: {error}"]
    problems = []
    if "DATABASE_PASSWORD" not in module:
        problems.append(
            "DATABASE_PASSWORD is no longer defined; keep the name, change where it comes from"
        )
    aws_defined = [name for name in AWS_KEYS if name in module]
    if len(aws_defined) == 1:
        missing = next(name for name in AWS_KEYS if name not in aws_defined)
        problems.append(
            f"{aws_defined[0]} is defined but {missing} is not: keep both (read from the "
            "environment) or neither (workload identity gives the job its credentials)"
        )
    for name in ("DATABASE_PASSWORD", *aws_defined):
        if name in module and _secret_value(module[name]) != FROM_THE_VAULT[name]:
            problems.append(
                f"{name} is {shorten(redact(repr(module[name])), 30)}, not the value of the "
                f"environment variable {name}"
            )
    return problems


def _secret_value(value: Any) -> Any:
    """The value a setting holds: pydantic's `SecretStr` (and `SecretBytes`) hide it from
    reprs and logs, which is better still, and give it up with `get_secret_value()`."""
    reveal = getattr(value, "get_secret_value", None)
    if not callable(reveal):
        return value
    try:
        revealed = reveal()
    except Exception:  # noqa: BLE001 - the learner's own class may raise anything
        return value
    return revealed.decode("utf-8", "replace") if isinstance(revealed, bytes) else revealed


def fail_fast_problems(path: str | Path) -> list[str]:
    """With any one of its secrets unset, loading the settings fails instead of running on."""
    problems = []
    for name in SETTINGS_VARIABLES:
        others = {key: value for key, value in FROM_THE_VAULT.items() if key != name}
        with environment(others, unset=[name]):
            try:
                module = _load(path)
            except STOPS:  # any error or exit stops the job, which is the point
                continue
        if name in module:
            problems.append(
                f"with {name} unset, the settings load anyway, so the job would start and fail "
                "later, or run with an empty credential"
            )
    return problems


@dataclass(frozen=True)
class BanditIssue:
    test_id: str
    line: int
    severity: str
    text: str


def bandit_issues(text: str, *, ignore_nosec: bool = False) -> list[BanditIssue]:
    """Run bandit's checks on a Python source text; nothing leaves the machine.

    With `ignore_nosec`, a `# nosec` comment silences nothing: where the question is whether
    the unsafe code is gone, a comment that hides it from bandit does not make it go.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scanned.py"
        path.write_text(text, encoding="utf-8")
        with warnings.catch_warnings():
            # stevedore, which loads bandit's plugins, warns about its own API; not ours to fix.
            warnings.filterwarnings("ignore", message="The verify_requirements argument")
            from bandit.core import config, manager

            scan = manager.BanditManager(
                config.BanditConfig(), "file", quiet=True, ignore_nosec=ignore_nosec
            )
            scan.discover_files([str(path)])
            scan.run_tests()
        return sorted(
            (
                BanditIssue(issue.test_id, issue.lineno, issue.severity, issue.text)
                for issue in scan.get_issue_list()
            ),
            key=lambda issue: (issue.line, issue.test_id),
        )


def _false_alarm_advice(issue: BanditIssue) -> str:
    """What to do when bandit reports a string that is no password: the check asks what bandit
    reports (CI runs bandit, and it would fail there too), so the line must change or say why
    bandit is wrong; a `# nosec B105` comment with the reason is honoured."""
    reported = re.fullmatch(r"Possible hardcoded password: '(.*)'", issue.text, re.DOTALL)
    value = reported[1] if reported else None
    # bandit reads the words after `nosec` as test ids, up to the next `#`: the reason goes there.
    nosec = f"or end the line with `# nosec {issue.test_id}  # <why it is no password>`"
    if value == "":
        return (
            " (an empty string is no password, but bandit reports comparing a password with "
            f"one: write `if not DATABASE_PASSWORD:` instead, {nosec})"
        )
    if value in SETTINGS_VARIABLES:
        return (
            f" (`{value}` names an environment variable, not a password, but bandit reports "
            f'any string given to a name that says password: write `os.environ["{value}"]` '
            f"with the name in it, {nosec})"
        )
    return ""


def bandit_problems(text: str) -> list[str]:
    """bandit reports no hard-coded password."""
    return [
        f"bandit {issue.test_id} on line {issue.line}: {shorten(issue.text, 60)}"
        + _false_alarm_advice(issue)
        for issue in bandit_issues(text)
        if issue.test_id in HARDCODED_PASSWORD_TESTS
    ]
