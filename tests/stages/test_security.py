"""Stage 09's checks: each mistake gets its verdict and its message; right answers pass.

09.1 judges the project's requirements.txt against its lock; 09.2 judges the project's
tools/find_secrets.py on planted secrets and scans the project with it; 09.3 judges a settings
module whose secrets move to the environment, or go for workload identity.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from onboarding import notebooks, project
from onboarding.artefacts import uv_lock
from onboarding.checks import CheckFailed, Given, run_expectations
from onboarding.protocol import CheckResult
from onboarding.stages import security
from onboarding.stages.security import checks, codebase, locking, scanning
from onboarding.stages.security import lesson as security_lesson
from onboarding.stages.security.codebase import Finding
from tests.conftest import COURSE_ROOT
from tests.stages.notebook_artefacts import no_workspace  # noqa: F401 - fixture

SOLUTION = COURSE_ROOT / "solutions" / "09_packaging_and_security.ipynb"

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
"""A small lock, as a lock file parsed: every package, its version, file hashes and a marker."""


def cell_source(start: str) -> str:
    for cell in notebooks.read(SOLUTION)["cells"]:
        source = notebooks.source_of(cell)
        if cell["cell_type"] == "code" and start in source:
            return source
    raise AssertionError(f"no cell with {start!r} in {SOLUTION.name}")


def model_pinned_requirements():
    """The solution notebook's pinned_requirements(), without the lines that write the file."""
    source = cell_source("def pinned_requirements(").split("\n\n\ntext = ")[0]
    namespace: dict = {}
    exec(compile(source, "solution", "exec"), namespace)
    return namespace["pinned_requirements"]


def judge(exercise: str, **inputs) -> CheckResult:
    return run_expectations(exercise, security.EXERCISES[exercise], Given(**inputs), echo=False)


def found(result: CheckResult) -> dict[str, str]:
    return {outcome.text: outcome.found for outcome in result.outcomes if not outcome.passed}


@pytest.fixture
def learner(tmp_path, monkeypatch) -> Path:
    """A learner's project at the end of stage 09 (the model), with its lock file written."""
    workspace = tmp_path / "workspace"
    root = project.prepare("09", workspace, solved=True)
    monkeypatch.setenv("ONBOARD_WORKSPACE", str(workspace))
    lock = uv_lock.project_lock((root / "pyproject.toml").read_text(encoding="utf-8"))
    (root / "requirements.txt").write_text(model_pinned_requirements()(lock), encoding="utf-8")
    return root


# --- 09.1: the project's requirements.txt -------------------------------------------------------


@pytest.fixture
def pinned() -> str:
    """The model answer's requirements text for the small LOCK."""
    return model_pinned_requirements()(LOCK)


REQUIREMENT_CHECKS = {
    "listing": locking.listing_problems,
    "pins": locking.pin_problems,
    "hashes": locking.hash_problems,
    "markers": locking.marker_problems,
}


def problems_of(text: str, lock=LOCK) -> dict[str, list[str]]:
    entries, invalid = security.checks.parse_requirements(text)
    assert invalid == []
    return {name: check(entries, lock) for name, check in REQUIREMENT_CHECKS.items()}


def test_the_model_requirements_pass_every_check(pinned):
    assert problems_of(pinned) == dict.fromkeys(REQUIREMENT_CHECKS, [])


def test_the_model_project_passes_09_1(learner):
    result = judge("09.1")
    assert found(result) == {}
    assert result.total == len(checks.LOCK_FILE)


def test_a_dependency_that_is_no_requirement_is_named_in_one_line(learner):
    pyproject = learner / "pyproject.toml"
    broken = pyproject.read_text(encoding="utf-8").replace('"fastapi>=0.162"', '"fastapi>="')
    pyproject.write_text(broken, encoding="utf-8")
    messages = set(found(judge("09.1")).values())
    assert messages == {
        "pyproject.toml names a dependency `fastapi>=` that is not a valid requirement: Expected"
        " semicolon (after name with no version specifier) or end"
    }, messages
    assert pyproject.read_text(encoding="utf-8") == broken  # the learner's file is untouched


def test_the_lock_follows_the_projects_own_dependencies(learner):
    pyproject = learner / "pyproject.toml"
    pyproject.write_text(
        # bandit joins the tools the tests need (it brings stevedore): the lock grows by both.
        pyproject.read_text(encoding="utf-8").replace("dev = [\n", 'dev = [\n    "bandit",\n'),
        encoding="utf-8",
    )
    assert (
        "missing: "
        in found(judge("09.1"))["every package the project needs is listed, once, and nothing else"]
    )
    lock = uv_lock.project_lock(pyproject.read_text(encoding="utf-8"))
    assert {"bandit", "stevedore", "fastapi", "pytest"} <= set(lock)
    (learner / "requirements.txt").write_text(model_pinned_requirements()(lock), encoding="utf-8")
    assert found(judge("09.1")) == {}


ANYIO = LOCK["anyio"]["hashes"]
EXCEPTIONGROUP = 'exceptiongroup==1.3.2 ; python_version < "3.11"'


@pytest.mark.parametrize(
    ("old", "new", "failing", "message"),
    [
        ("anyio==4.16.0", "anyio", "pins", "anyio is not pinned (write anyio==4.16.0)"),
        ("anyio==4.16.0", "anyio>=4.16.0", "pins", "anyio>=4.16.0 is not the pin ==4.16.0"),
        ("anyio==4.16.0", "anyio==4.15.0", "pins", "anyio==4.15.0 is not the pin ==4.16.0"),
        ("anyio==4.16.0", "anyio~=4.16.0", "pins", "anyio~=4.16.0 is not the pin ==4.16.0"),
        ("anyio==4.16.0", "anyio==4.16.*", "pins", "anyio==4.16.* is not the pin ==4.16.0"),
        # pip's hash-checking mode takes only one `==` as a pin, so a range with it is none.
        ("anyio==4.16.0", "anyio>=4,==4.16.0", "pins", "anyio==4.16.0,>=4 is not the pin"),
        # A local version is another build: ==4.16.0+cpu never installs 4.16.0.
        ("anyio==4.16.0", "anyio==4.16.0+cpu", "pins", "anyio==4.16.0+cpu is not the pin"),
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


def test_a_marker_written_another_way_is_the_same_marker(pinned):
    other = pinned.replace(EXCEPTIONGROUP, "exceptiongroup==1.3.2; python_version<'3.11'")
    assert problems_of(other)["markers"] == []


def marker_verdict(locked: str | None, written: str | None, requires_python: str | None):
    """What the marker check says of h11 locked with the marker `locked`, written `written`."""
    lock = {"h11": dict(LOCK["h11"], **({"marker": locked} if locked else {}))}
    entry = "h11==0.16.0" + (f" ; {written}" if written else "")
    entries, invalid = security.checks.parse_requirements(entry + "\n")
    assert invalid == []
    return locking.marker_problems(entries, lock, requires_python)


ALWAYS_ON_SUPPORTED_PYTHONS = "(python_full_version < '3.11') or (python_full_version >= '3.11')"
"""The marker the course's lock gives python-dateutil and tzdata: true on every Python."""


@pytest.mark.parametrize(
    ("locked", "written", "requires_python"),
    [
        ('python_version >= "3.12"', 'python_full_version >= "3.12"', ">=3.11"),
        ('python_version > "3.11"', "python_full_version>='3.12'", ">=3.11"),
        ("python_full_version < '3.11'", 'python_version < "3.11"', ">=3.10"),
        (
            'sys_platform == "linux" and python_version >= "3.12"',
            "python_version >= '3.12' and sys_platform == 'linux'",
            ">=3.11",
        ),
        ("sys_platform == 'win32'", 'platform_system == "Windows"', ">=3.11"),
        ("sys_platform != 'win32'", 'os_name == "posix"', ">=3.11"),
        (ALWAYS_ON_SUPPORTED_PYTHONS, None, ">=3.11"),
        (None, 'python_version >= "3"', ">=3.11"),
        (None, 'python_version >= "3.11"', ">=3.11"),
        # Never true where the project runs, however it is written.
        ("python_full_version < '3.11'", 'python_version < "3.10"', ">=3.11"),
    ],
    ids=[
        "full-version",
        "greater-than-minor",
        "full-version-below",
        "and-reordered",
        "platform-system",
        "os-name",
        "always-true-dropped",
        "always-true-added",
        "requires-python-bound-added",
        "never-true-either-way",
    ],
)
def test_a_marker_that_means_the_same_for_the_project_is_the_same_marker(
    locked, written, requires_python
):
    assert marker_verdict(locked, written, requires_python) == []


@pytest.mark.parametrize(
    ("locked", "written", "requires_python", "message"),
    [
        ('python_version >= "3.12"', 'python_version < "3.12"', ">=3.11", "has the marker"),
        ('python_version >= "3.11"', 'python_version > "3.11"', None, "has the marker"),
        ('python_version >= "3.12"', 'python_full_version > "3.12"', ">=3.11", "has the marker"),
        ("python_full_version < '3.11.4'", 'python_version < "3.11"', None, "has the marker"),
        ('sys_platform == "linux"', 'sys_platform == "win32"', ">=3.11", "has the marker"),
        ('sys_platform == "linux"', 'os_name == "posix"', ">=3.11", "has the marker"),
        (
            'sys_platform == "linux" and python_version >= "3.12"',
            'sys_platform == "linux" or python_version >= "3.12"',
            ">=3.11",
            "has the marker",
        ),
        ("python_full_version < '3.11'", None, ">=3.11", "lost its marker"),
        (ALWAYS_ON_SUPPORTED_PYTHONS, 'python_version >= "3.12"', ">=3.11", "has the marker"),
        (None, 'python_version >= "3.12"', ">=3.11", "that the lock does not"),
        (None, 'python_version >= "3.11"', ">=3.10", "that the lock does not"),
        # The course names no machines: a marker on one is judged as written.
        (None, 'platform_machine != "ppc64le"', ">=3.11", "that the lock does not"),
    ],
    ids=[
        "negated",
        "off-by-one",
        "off-by-one-patch",
        "patch-bound",
        "other-platform",
        "posix-is-not-linux",
        "and-is-not-or",
        "never-true-dropped",
        "always-true-narrowed",
        "bound-inside-requires-python",
        "bound-above-requires-python",
        "machine",
    ],
)
def test_a_marker_that_means_something_else_is_still_refused(
    locked, written, requires_python, message
):
    problems = marker_verdict(locked, written, requires_python)
    assert any(message in problem for problem in problems), problems


def test_the_project_lock_passes_with_its_markers_written_by_meaning(learner):
    """The course's lock marks python-dateutil and tzdata with a marker true on every Python,
    and tomli with one true on none the project supports: by meaning, written otherwise."""
    lock = uv_lock.project_lock((learner / "pyproject.toml").read_text(encoding="utf-8"))
    assert lock["python-dateutil"]["marker"] == ALWAYS_ON_SUPPORTED_PYTHONS
    del lock["python-dateutil"]["marker"]
    lock["tomli"]["marker"] = 'python_version < "3.11"'
    lock["colorama"]["marker"] = 'platform_system == "Windows"'
    (learner / "requirements.txt").write_text(model_pinned_requirements()(lock), encoding="utf-8")
    assert found(judge("09.1")) == {}
    lock["colorama"]["marker"] = 'sys_platform == "linux"'
    (learner / "requirements.txt").write_text(model_pinned_requirements()(lock), encoding="utf-8")
    assert "colorama has the marker" in found(judge("09.1"))[checks.LOCK_FILE[-1].text]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("anyio==4.16.0", "anyio == 4.16.0"),
        # PEP 440 pads a release with zeros, so ==4.16 pins 4.16.0 and pip takes it as a pin.
        ("anyio==4.16.0", "anyio==4.16"),
        # The same post-release spelt as PEP 440 allows; pip normalises it.
        ("certifi==2026.10.19.post1", "certifi==2026.10.19-post1"),
    ],
    ids=["spaces", "zero-padded", "post-release-spelling"],
)
def test_a_pin_written_another_way_is_the_same_pin(pinned, old, new):
    assert old in pinned, old
    assert problems_of(pinned.replace(old, new, 1))["pins"] == []


def test_hashes_in_upper_case_hex_are_the_same_hashes(pinned):
    """pip compares a digest in any letter case (it lower-cases them); the algorithm it does not."""
    upper = pinned
    for digest in ANYIO:
        algorithm, hexdigest = digest.split(":")
        upper = upper.replace(digest, f"{algorithm}:{hexdigest.upper()}")
    assert upper != pinned
    assert problems_of(upper) == dict.fromkeys(REQUIREMENT_CHECKS, [])


@pytest.mark.parametrize(
    ("new", "message"),
    [
        (ANYIO[1].replace("sha256:", "SHA256:"), "is not sha256:<64 hex digits>"),
        ("sha256:" + "0" * 63 + "G", "is not sha256:<64 hex digits>"),
        ("sha256:" + "F" * 64, "anyio has a hash the lock does not list"),
    ],
    ids=["algorithm-upper-case", "not-hex", "upper-case-other-hash"],
)
def test_upper_case_hashes_are_still_judged(pinned, new, message):
    problems = problems_of(pinned.replace(ANYIO[1], new, 1))["hashes"]
    assert any(message in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("new", "message"),
    [
        # pip accepts sha384 and sha512 too, but the lock lists sha256 hashes: a hash of another
        # algorithm cannot be compared with them, so it is one the lock does not list.
        ("sha512:" + "a" * 128, "anyio: `sha512:aaaaaaaaaaaaaaaa…` is a sha512 hash"),
        ("sha384:" + "a" * 96, "anyio: `sha384:aaaaaaaaaaaaaaaa…` is a sha384 hash"),
        ("sha512:" + "a" * 64, "is not sha512:<128 hex digits>"),
        # pip refuses any other algorithm, and an algorithm's name in upper case, outright.
        ("md5:" + "a" * 32, "pip refuses `--hash` with any algorithm but sha256, sha384 or sha512"),
        (
            ANYIO[1].replace("sha256:", "SHA256:"),
            "pip refuses `--hash` with any algorithm but sha256, sha384 or sha512",
        ),
        # pip starts a comment only at a `#` after whitespace: here the `#` is in the hash.
        (ANYIO[1] + "#pinned", "a `#` starts a comment only after a space"),
        # The lock's hashes start with `sha256:` already: written again, or left off.
        ("sha256:" + ANYIO[1], "has `sha256:` written twice"),
        (ANYIO[1].removeprefix("sha256:"), "has no `sha256:` before its hex digits"),
    ],
    ids=[
        "sha512",
        "sha384",
        "sha512-too-short",
        "md5",
        "algorithm-upper-case",
        "glued-comment",
        "prefix-twice",
        "no-prefix",
    ],
)
def test_a_hash_the_lock_cannot_vouch_for_is_named(pinned, new, message):
    problems = problems_of(pinned.replace(ANYIO[1], new, 1))["hashes"]
    assert any(message in problem for problem in problems), problems


def test_entries_in_another_order_and_single_lines_pass(pinned):
    entries = []
    for name, package in sorted(LOCK.items(), reverse=True):
        marker = f" ; {package['marker']}" if package.get("marker") else ""
        hashes = " ".join(f"--hash={digest}" for digest in package["hashes"])
        entries.append(f"{name.upper()}=={package['version']}{marker} {hashes}")
    assert problems_of("\n".join(entries) + "\n") == dict.fromkeys(REQUIREMENT_CHECKS, [])


def uv_export_style(lock) -> str:
    """The lock as `uv export --format requirements-txt --no-emit-project` writes one: a header
    of comments, the marker before the line continuation, `# via` comments after. (Without
    `--no-emit-project`, a packaged project is listed as `-e .`, which pip refuses with hashes:
    see the test below.)"""
    lines = [
        "# This file was autogenerated by uv via the following command:",
        "#    uv export --format requirements-txt --no-emit-project",
    ]
    for name, package in lock.items():
        marker = (
            f" ; {package['marker'].replace(chr(34), chr(39))}" if package.get("marker") else ""
        )
        lines.append(f"{name}=={package['version']}{marker} \\")
        lines.append(" \\\n".join(f"    --hash={digest}" for digest in package["hashes"]))
        lines += ["    # via", "    #   booking-service"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "transform",
    [
        lambda text: text,
        lambda text: text.replace("\n", "\r\n"),
        # Tabs anywhere but before an option: pip splits an entry from its options at spaces.
        lambda text: text.replace("    #", "\t#").replace(" ; ", "\t;\t"),
        lambda text: text.replace("anyio==", "anyio[trio]=="),
        lambda text: text.replace("--hash=", "--hash "),
        lambda text: text.replace(" \\\n    --hash", " --hash"),
        lambda text: re.sub(r"--hash=(\S+)", r'--hash="\1"', text),
        # What pip-compile and `uv pip compile --generate-hashes` add: options pip reads itself.
        lambda text: "--require-hashes\n--index-url https://pypi.org/simple\n" + text,
        # The marker on a continuation line of its own: pip joins the lines first.
        lambda text: text.replace(" ; ", " \\\n    ; ", 1),
        lambda text: text.replace("booking-service\n", "booking-service\n\n# --\n\n").rstrip(),
        # PEP 503: names compare whatever their case and their `-`, `_` or `.`.
        lambda text: text.replace("typing-extensions==", "Typing_Extensions==").replace(
            "anyio==", "AnyIO=="
        ),
        # PEP 440: a leading `v` and trailing zeros are the same version.
        lambda text: text.replace("anyio==4.16.0", "anyio==v4.16.0.0"),
        # A hand-written line end: the backslash that ends the last line joins it to nothing.
        lambda text: text.rstrip("\n") + " \\\n",
    ],
    ids=[
        "uv-export",
        "crlf",
        "tabs-elsewhere",
        "extras",
        "hash-with-a-space",
        "hashes-on-the-requirements-line",
        "quoted-hashes",
        "pip-options",
        "marker-on-a-continuation-line",
        "blank-and-comment-lines-no-final-newline",
        "names-in-another-case-and-spelling",
        "version-spelt-otherwise",
        "backslash-at-the-end",
    ],
)
def test_a_uv_export_style_file_passes(transform):
    assert problems_of(transform(uv_export_style(LOCK))) == dict.fromkeys(REQUIREMENT_CHECKS, [])


@pytest.mark.parametrize(
    ("first_line", "message"),
    [
        ("-e .", "line 3: `-e .` installs a folder as editable, which pip refuses when it checks"),
        (".", "line 3: `.` is a path, not a package's name and version"),
    ],
    ids=["editable", "folder"],
)
def test_the_project_itself_is_refused_as_pip_refuses_it_with_hashes(first_line, message):
    """`uv export` lists a packaged project as `-e .` (`.` with `--no-editable`), and pip
    refuses either once it checks hashes: "no single file to hash" (astral-sh/uv#7535)."""
    lines = uv_export_style(LOCK).splitlines(keepends=True)
    lines.insert(2, f"{first_line}\n")  # after the header, where uv writes it
    _, invalid = security.checks.parse_requirements("".join(lines))
    assert len(invalid) == 1 and invalid[0].startswith(message), invalid


def test_a_file_indented_with_tabs_is_refused_as_pip_refuses_it():
    """pip starts an entry's options at the first word, split at spaces only, that begins with
    `-`: after a tab, `--hash=…` is still part of the requirement, which is then invalid
    (`pip install -r` stops at it). So a file that pip cannot install is not accepted."""
    text = uv_export_style(LOCK).replace("    --hash", "\t--hash")
    _, invalid = security.checks.parse_requirements(text)
    assert len(invalid) == len(LOCK), invalid
    assert invalid[0].startswith("line 3: `--hash` must follow a space, but here it follows a tab")
    assert invalid[0].endswith("indent the lines of an entry with spaces, not tabs")


def test_an_unhashed_requirement_is_named():
    entries, _ = security.checks.parse_requirements("anyio==4.16.0\n")
    assert locking.hash_problems(entries, LOCK) == ["anyio has no --hash"]


def test_a_missing_line_continuation_stops_the_check_and_says_so(learner):
    text = (learner / "requirements.txt").read_text(encoding="utf-8")
    broken = text.replace(" \\\n    --hash=", "\n    --hash=", 1)
    (learner / "requirements.txt").write_text(broken, encoding="utf-8")
    message = found(judge("09.1"))[checks.LOCK_FILE[0].text]
    assert "stands on a line of its own" in message
    assert "does not end with a backslash `\\`, the line continuation" in message


@pytest.mark.parametrize(
    "encoding",
    ["utf-8-sig", "utf-16", "utf-16-le"],
)
def test_a_requirements_file_with_a_byte_order_mark_passes(learner, encoding):
    """pip decodes a requirements file in the encoding its byte order mark names (auto_decode):
    Python's `encoding="utf-8-sig"`, or PowerShell's UTF-16."""
    path = learner / "requirements.txt"
    text = path.read_text(encoding="utf-8")
    mark = "\ufeff" if encoding == "utf-16-le" else ""  # the codec itself writes no mark
    path.write_bytes((mark + text).encode(encoding))
    assert found(judge("09.1")) == {}


@pytest.mark.parametrize(
    ("encoding", "message"),
    [
        ("utf-16-le", "requirements.txt is full of NUL characters, as UTF-16 without its byte"),
        ("latin-1", "requirements.txt is not UTF-8 text"),
    ],
)
def test_a_requirements_file_in_another_encoding_without_a_mark_is_refused(
    learner, encoding, message
):
    """Without a byte order mark pip reads UTF-8 (the locale's encoding), as the check does."""
    path = learner / "requirements.txt"
    text = "# pinned by Zoë\n" if encoding == "latin-1" else ""  # "ë" is one byte, not UTF-8
    text += path.read_text(encoding="utf-8")
    path.write_bytes(text.encode(encoding))
    assert found(judge("09.1"))[checks.LOCK_FILE[0].text].startswith(message)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "requirements.txt does not exist yet — create it in your project folder"),
        ("# nothing yet\n", "requirements.txt has no requirements in it"),
        ("anyio=4.16.0\n", "line 1: `anyio=4.16.0` is not a requirement"),
    ],
    ids=["missing", "empty", "not-a-requirement"],
)
def test_bad_requirements_files_are_one_line(learner, content, message):
    path = learner / "requirements.txt"
    if content is None:
        path.unlink()
    else:
        path.write_text(content, encoding="utf-8")
    result = judge("09.1")
    first, *rest = result.outcomes
    assert message in first.found
    assert all(outcome.found.startswith("not checked until") for outcome in rest)


def test_a_broken_pyproject_is_one_line(learner):
    (learner / "pyproject.toml").write_text("[project\n", encoding="utf-8")
    assert any(
        message.startswith("pyproject.toml is not valid TOML")
        for message in found(judge("09.1")).values()
    )


# --- 09.2: the scanner, and the repository scanned with it ---------------------------------------


(SCANNER_BLUEPRINT,) = project.stage_blueprint("09")


@pytest.fixture
def model_find_secrets():
    return scanning.load_scanner(SCANNER_BLUEPRINT.model)


def secret_problems(find_secrets) -> dict[str, list[str]]:
    problems = {"shape": scanning.shape_problems(find_secrets)}
    for file in codebase.PLANTED_FILES:
        problems[file] = scanning.missed_problems(find_secrets, file)
    problems["clean"] = scanning.false_positive_problems(find_secrets)
    problems["limit"] = scanning.limit_problems(find_secrets)
    problems["held out"] = scanning.held_out_problems(find_secrets)
    return problems


def test_the_model_scanner_passes_every_check(model_find_secrets):
    assert all(not problems for problems in secret_problems(model_find_secrets).values())


def test_the_model_scanner_finds_no_secret_in_a_number(model_find_secrets):
    """The prompt says a number is not a secret, however it is named."""
    text = (
        "TOKEN_TTL_SECONDS = 86400000\nSESSION_TOKEN_TTL: 1_209_600_000\nAPI_TOKEN = 'a1b2c3d4e5'\n"
    )
    assert [finding.line for finding in model_find_secrets(text)] == [3]


def test_the_model_project_passes_09_2(learner):
    assert found(judge("09.2")) == {}


def test_the_starting_scanner_fails_everything(learner):
    (learner / scanning.SCANNER_FILE).write_text(SCANNER_BLUEPRINT.start, encoding="utf-8")
    failed = found(judge("09.2"))
    assert "not written yet" in next(iter(failed.values()))
    assert len(failed) == len(checks.SCANNER)


def test_the_planted_lines_hold_their_secrets():
    for planted in codebase.PLANTED:
        line = codebase.CODEBASE[planted.file].splitlines()[planted.line - 1]
        assert any(value in line for value in codebase.SECRET_VALUES) or "PRIVATE KEY" in line


def test_the_not_secret_notes_point_at_lines_of_the_clean_files():
    for file, line in codebase.NOT_SECRETS:
        assert file in codebase.CLEAN_FILES
        assert codebase.CODEBASE[file].splitlines()[line - 1].strip()


def test_the_held_out_lines_are_not_in_the_code_base():
    """A scanner written for the planted lines has never seen these; each secret's value is on
    its first line, where the check looks for it."""
    planted = "\n".join(codebase.CODEBASE.values())
    for held_out in (*codebase.HELD_OUT_SECRETS, *codebase.HELD_OUT_NOT_SECRETS):
        assert held_out.text.splitlines()[0] not in planted
    for held_out in codebase.HELD_OUT_SECRETS:
        first_line = held_out.text.splitlines()[0]
        assert "PRIVATE KEY" in first_line or any(
            value in first_line for value in codebase.HELD_OUT_VALUES
        )


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


def model_scanner_with(*replacements: tuple[str, str]):
    """The model scanner with parts of its source replaced: one mistake, or another right way."""
    source = SCANNER_BLUEPRINT.model
    for old, new in replacements:
        assert old in source, old
        source = source.replace(old, new)
    return scanning.load_scanner(source)


MODEL_NAMES = 're.compile(r"passw(or)?d|pwd|secret|token|api_?key", re.IGNORECASE)'
MODEL_VALUE = r"""(?P<value>"[^"]*"|'[^']*'|<[^>]*>|[^\s#]+)"""
MODEL_URL = r"\w://[^/\s:@]+:(?!\$)[^@\s/]+@"


@pytest.mark.parametrize(
    ("replacements", "messages"),
    [
        pytest.param(
            [("gh[pousr]_", "ghp_")],
            [
                "`GH_AUTH=ghu_…` is not reported, but it holds a GitHub token (ghu_ and 36",
                "a GitHub token (gho_",
                "a GitHub token (ghs_",
            ],
            id="ghp-only",
        ),
        pytest.param(
            # \x22 is a double quote, written so that it does not end the model's r"…" string.
            [(r"\bAKIA[0-9A-Z]{16}\b", r"\x22AKIA[0-9A-Z]{16}\x22")],
            [
                "`aws configure set aws_access_key_id AKIA…` is not reported, but it holds an AWS "
                "access key id"
            ],
            id="aws-key-in-quotes-only",
        ),
        pytest.param(
            [("[A-Za-z0-9]{36,}", r"[A-Za-z0-9]{36}\b")],
            ['`refresh = "ghr_…"` is not reported, but it holds a GitHub token (ghr_ and 77'],
            id="exactly-36-after-the-prefix",
        ),
        pytest.param(
            [("-----BEGIN [A-Z ]*PRIVATE KEY", "-----BEGIN (?:RSA|OPENSSH) PRIVATE KEY")],
            [
                "`-----BEGIN EC PRIVATE KEY-----` is not reported, but it holds a private key",
                "`-----BEGIN PRIVATE KEY-----` is not reported, but it holds a private key (a "
                "BEGIN line that names no key type)",
            ],
            id="two-key-types",
        ),
        pytest.param(
            [("-----BEGIN [A-Z ]*PRIVATE KEY", "-----BEGIN [A-Z]+ PRIVATE KEY")],
            ["`-----BEGIN PRIVATE KEY-----` is not reported"],
            id="a-key-type-required",
        ),
        pytest.param(
            [("passw(or)?d|pwd|", "password|")],
            [
                '`db_passwd = "Hunt…"` is not reported, but it holds a secret-named assignment '
                "(passwd in the name)",
                "`SMTP_PWD=Mx9-…` is not reported",
            ],
            id="no-passwd-or-pwd",
        ),
        pytest.param(
            [("api_?key", "api_key")],
            ["`ApiKey: Zk8W…` is not reported, but it holds a secret-named assignment (ApiKey"],
            id="no-apikey",
        ),
        pytest.param(
            [
                (
                    MODEL_NAMES,
                    MODEL_NAMES.replace(
                        '", re.IGNORECASE', '|PASSW(OR)?D|PWD|SECRET|TOKEN|API_?KEY"'
                    ),
                )
            ],
            ["`webhookSecret: 'whs-…'` is not reported", "`ApiKey: Zk8W…` is not reported"],
            id="lower-and-upper-case-only",
        ),
        pytest.param(
            [(r"\s*[:=]\s*", r"\s*=\s*")],
            ["`SMTP_PASSWORD: Sm7p…` is not reported", "`ApiKey: Zk8W…` is not reported"],
            id="equals-only",
        ),
        pytest.param(
            [(MODEL_VALUE, r"""(?P<value>"[^"]*"|'[^']*')""")],
            ["`SMTP_PWD=Mx9-…` is not reported", "`SMTP_PASSWORD: Sm7p…` is not reported"],
            id="quoted-values-only",
        ),
        pytest.param(
            [(MODEL_URL, MODEL_URL.replace(r"\w://", r"postgres(?:ql)?://"))],
            [
                "`BROKER_URL=amqp://exporter:Qu3u…@mq.internal:5672/` is not reported, but it "
                "holds a URL with a password in it",
                "`git clone https://deploy:Cl0n…@git.example.com/ac…` is not reported",
            ],
            id="database-urls-only",
        ),
        pytest.param(
            [(r"|\$.*|", r"|\$\{\w+\}|")],
            [
                "`export PGPASSWORD=$DATABASE_PASSWORD` is reported, but it is not a secret: "
                "`$DATABASE_PASSWORD` is an environment variable",
                '`GITHUB_TOKEN: "${{ secrets.GITHUB_TOKEN }}"` is reported, but it is not a '
                "secret: `${{ secrets.… }}` is read from GitHub's secret store",
            ],
            id="braced-references-only",
        ),
        pytest.param(
            [("|<[^>]*>|", "|"), ("|<.*>|", "|")],
            ['`SECRET_KEY = "<paste the key from the vault>"` is reported, but it is not a secret'],
            id="no-angle-bracket-placeholder",
        ),
        pytest.param(
            [('and "://" not in value', 'and not value.startswith("https://")')],
            ["`TOKEN_ENDPOINT=http://auth.internal:8080/oauth2/t…` is reported, but it is not"],
            id="https-urls-only-skipped",
        ),
        pytest.param(
            [(MODEL_URL, r"\w://[^/\s$]*@")],
            [
                '`DATABASE_URL = "postgresql://exporter@db.internal…` is reported, but it is not '
                "a secret: a URL with a user name but no password"
            ],
            id="any-user-in-a-url",
        ),
        pytest.param(
            [("                and not numeric.fullmatch(value)\n", "")],
            [
                "`TOKEN_TTL_SECONDS = 86400000` is reported, but it is not a secret: a number",
                "`SESSION_TOKEN_TTL = 1_209_600_000` is reported",
            ],
            id="numbers-reported",
        ),
    ],
)
def test_a_scanner_written_for_the_planted_lines_only_is_refused(replacements, messages):
    """The code base writes each kind of secret one way; the prompt allows others, and names
    what is not a secret. All of these but equals-only pass the checks on the code base."""
    problems = scanning.held_out_problems(model_scanner_with(*replacements))
    for message in messages:
        assert any(message in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("scanner", "message"),
    [
        (as_set, "find_secrets() returned set, not a list of findings"),
        (bare_numbers, "a finding is 2; make each one Finding(line=…, kind=…)"),
        # The prompt names the type: a line number is an int, so 2.0 and True are not one.
        (
            lambda text: [Finding(float(line), kind) for line, kind in names_only(text)],
            "a finding is Finding(line=2.0, kind='name'); make each one Finding(line=…, kind=…), "
            "with the line number as an int",
        ),
        (
            lambda text: [(True, kind) for _, kind in names_only(text)],
            "a finding is (True, 'name'); make each one Finding(line=…, kind=…)",
        ),
    ],
)
def test_findings_of_the_wrong_shape_are_named(scanner, message):
    with pytest.raises(CheckFailed, match=re.escape(message)):
        scanning.shape_problems(scanner)


def more_than_eight(text: str) -> list[Finding]:
    return [f for f in names_only(text) if len(text.splitlines()[f.line - 1].split('"')[1]) > 8]


def seven_or_more(text: str) -> list[Finding]:
    return [f for f in names_only(text) if len(text.splitlines()[f.line - 1].split('"')[1]) >= 7]


@pytest.mark.parametrize(
    ("scanner", "message"),
    [
        (more_than_eight, '`EXPORT_TOKEN = "k3y-2030"` (8 characters) is not reported'),
        (seven_or_more, '`EXPORT_TOKEN = "k3y-203"` (7 characters) is reported'),
    ],
    ids=["above-8", "from-7"],
)
def test_the_length_limit_is_held_exactly(scanner, message):
    problems = scanning.limit_problems(scanner)
    assert len(problems) == 1 and message in problems[0], problems


def test_plain_tuples_count_as_findings():
    assert scanning.shape_problems(lambda text: [(line, "x") for line, _ in names_only(text)]) == []


def test_a_line_reported_once_per_kind_of_secret_counts_once():
    """A scanner that reports each rule that matches, as gitleaks does, may report a line twice:
    the line is still counted from 1, and every other check counts lines, not findings."""

    def once_per_rule(text: str) -> list[Finding]:
        return [finding for finding in names_only(text) for _ in ("name rule", "value rule")]

    assert scanning.shape_problems(once_per_rule) == []
    problems = scanning.shape_problems(lambda text: [*zero_based(text), *zero_based(text)])
    assert problems == ["the secret on line 2 was reported on line 1: count lines from 1, not 0"]


def test_a_generator_of_findings_counts_as_a_list():
    """The command only loops over what find_secrets() returns, so yielding each finding works."""

    def yields_findings(text: str):
        yield from names_only(text)

    assert scanning.shape_problems(yields_findings) == []
    assert scanning.limit_problems(lambda text: iter(more_than_eight(text)))  # still judged


MODEL_FINDINGS_LIST = "    findings = []\n"
MODEL_APPEND = "            findings.append(Finding(number, kind))\n"
MODEL_RETURN = "    return findings\n"


def model_that_yields() -> str:
    """The model scanner, yielding each finding instead of returning a list."""
    for line in (MODEL_FINDINGS_LIST, MODEL_APPEND, MODEL_RETURN):
        assert line in SCANNER_BLUEPRINT.model, line
    return (
        SCANNER_BLUEPRINT.model.replace(MODEL_FINDINGS_LIST, "")
        .replace(MODEL_APPEND, "            yield Finding(number, kind)\n")
        .replace(MODEL_RETURN, "")
        .replace("-> list[Finding]:", "-> Iterator[Finding]:")
        .replace("import re\n", "import re\nfrom collections.abc import Iterator\n", 1)
    )


def test_a_scanner_that_yields_its_findings_passes():
    """A generator runs its body only when consumed, after the call: it still loads as a
    command, and finds what the model finds."""
    find_secrets = scanning.load_scanner(model_that_yields())
    assert all(not problems for problems in secret_problems(find_secrets).values())
    assert scanning.limit_problems(find_secrets) == []


CLASS_BASED_SCANNER = '''import re
from typing import NamedTuple


class Finding(NamedTuple):
    line: int
    kind: str


class SecretScanner:
    """One compiled pattern per kind of secret, and the judgement of secret-named values."""

    PATTERNS = {
        "AWS access key id": re.compile(r"\\bAKIA[0-9A-Z]{16}\\b"),
        "GitHub token": re.compile(r"\\bgh[pousr]_[A-Za-z0-9]{36,}"),
        "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
        "password in a URL": re.compile(r"://[^/\\s:@]+:(?!\\$)[^@\\s/]+@"),
    }
    NAMED = re.compile(
        r"""(?i)(?:passw(?:or)?d|pwd|secret|token|api_?key)\\w*["']?\\s*[:=]\\s*["']?([^"'\\s#]*)"""
    )
    PLACEHOLDER = re.compile(r"(?i)^(?:change-?me|<.*|\\$.*|os\\..*)$")
    NUMBER = re.compile(r"[+-]?\\d[\\d_]*(?:\\.\\d+)?")

    def scan(self, text: str) -> list[Finding]:
        return [
            Finding(number, kind)
            for number, line in enumerate(text.splitlines(), start=1)
            if (kind := self.kind_of(line))
        ]

    def kind_of(self, line: str) -> str | None:
        for kind, pattern in self.PATTERNS.items():
            if pattern.search(line):
                return kind
        named = self.NAMED.search(line)
        if named and len(named[1]) >= 8 and not self.PLACEHOLDER.match(named[1]):
            if "://" not in named[1] and not self.NUMBER.fullmatch(named[1]):
                return "a secret-named value"
        return None


find_secrets = SecretScanner().scan
'''


TABLE_OF_SHAPES_SCANNER = r'''import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Leak:
    line: int
    kind: str


TELLTALE_SHAPES = [
    (re.compile(r"AKIA[A-Z0-9]{16}"), "AWS key id"),
    (re.compile(r"gh[oprsu]_[0-9A-Za-z]{36,}"), "GitHub token"),
    (re.compile(r"-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----"), "private key"),
]
CREDENTIALS_IN_URL = re.compile(r"://[^:/\s@]+:([^@\s]+)@")
CREDENTIAL_WORDS = ("password", "passwd", "pwd", "secret", "token", "api_key", "apikey")
# A value is a quoted string, or the words up to a comment: `id-token: write  # for OIDC`.
ASSIGNMENT = re.compile(
    r"""^\s*(?:export\s+)?["']?([\w.-]+)["']?\s*[:=]\s*("[^"]*"|'[^']*'|[^#]*?)\s*,?\s*(?:#.*)?$"""
)


def is_literal_secret(value: str) -> bool:
    value = value.strip("\"'")
    if len(value) < 8 or "://" in value or value.replace("_", "").isdigit():
        return False
    if value.lower() == "change-me" or (value.startswith("<") and value.endswith(">")):
        return False
    return not value.startswith(("$", "os.environ", "os.getenv"))


def kind_of(line: str) -> str | None:
    for shape, kind in TELLTALE_SHAPES:
        if shape.search(line):
            return kind
    url = CREDENTIALS_IN_URL.search(line)
    if url and not url[1].startswith("$"):
        return "credentials in a URL"
    assignment = ASSIGNMENT.match(line)
    if assignment and any(word in assignment[1].lower() for word in CREDENTIAL_WORDS):
        if is_literal_secret(assignment[2]):
            return f"literal value of {assignment[1]}"
    return None


def find_secrets(text):
    leaks = []
    for number, line in enumerate(text.splitlines(), 1):
        kind = kind_of(line)
        if kind:
            leaks.append(Leak(number, kind))
    return leaks
'''
"""Other names throughout, a list of (pattern, kind) pairs, and a dataclass for its findings."""

WHOLE_TEXT_SCANNER = r'''import re
from collections import namedtuple

Finding = namedtuple("Finding", "line kind")

SHAPES = {
    "AWS access key id": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}"),
    "private key": re.compile(r"-----BEGIN[A-Z ]* PRIVATE KEY-----"),
    "password in a URL": re.compile(r"\w://[^\s/:@]+:[^\s/@$][^\s/@]*@"),
}
NAMED_VALUE = re.compile(
    r"""(?i)(?:passw(?:or)?d|pwd|secret|token|api_?key)[\w.-]*["']?[ \t]*[:=][ \t]*"""
    r"""(?:"([^"\n]*)"|'([^'\n]*)'|([^\s#"']+))"""
)
NOT_A_SECRET = re.compile(r"(?i)change-me|<.*>|\$.*|os\..*|[+-]?\d[\d_]*(?:\.\d+)?|.*://.*")


def line_at(text, position):
    return text.count("\n", 0, position) + 1


def find_secrets(text):
    found = {}
    for kind, shape in SHAPES.items():
        for match in shape.finditer(text):
            found.setdefault(line_at(text, match.start()), kind)
    for match in NAMED_VALUE.finditer(text):
        value = next(group for group in match.groups() if group is not None)
        if len(value) >= 8 and not NOT_A_SECRET.fullmatch(value):
            found.setdefault(line_at(text, match.start()), "secret-named value")
    return [Finding(line, kind) for line, kind in sorted(found.items())]
'''
"""re.finditer() over the whole text, each match's line counted from its position."""

OTHER_RIGHT_SCANNERS = {
    "class-based": CLASS_BASED_SCANNER,
    "table-of-shapes": TABLE_OF_SHAPES_SCANNER,
    "whole-text": WHOLE_TEXT_SCANNER,
}


@pytest.mark.parametrize("name", OTHER_RIGHT_SCANNERS)
def test_a_right_scanner_unlike_the_model_passes_every_check(name):
    """Every kind of secret found however the prompt allows it, nothing else, 8 characters
    counted and 7 not: whatever the scanner is made of."""
    find_secrets = scanning.load_scanner(OTHER_RIGHT_SCANNERS[name])
    problems = {check: found for check, found in secret_problems(find_secrets).items() if found}
    assert problems == {}


@pytest.mark.parametrize("name", [*OTHER_RIGHT_SCANNERS, "yields"])
def test_a_right_scanner_unlike_the_model_passes_09_2(learner, name):
    source = model_that_yields() if name == "yields" else OTHER_RIGHT_SCANNERS[name]
    (learner / scanning.SCANNER_FILE).write_text(source, encoding="utf-8")
    assert found(judge("09.2")) == {}


MODEL_FINDING = "class Finding(NamedTuple):"


@pytest.mark.parametrize(
    "finding_class",
    [
        "@dataclass(frozen=True)\nclass Finding:",
        "@dataclass(slots=True)\nclass Finding:",
        "@dataclass\nclass Finding:",
    ],
    ids=["frozen-dataclass", "slots-dataclass", "dataclass"],
)
def test_a_scanner_with_another_finding_class_passes(finding_class):
    """The model's scanner file starts with `from __future__ import annotations`; a dataclass
    needs its module in sys.modules to read those string annotations."""
    assert MODEL_FINDING in SCANNER_BLUEPRINT.model
    source = SCANNER_BLUEPRINT.model.replace(MODEL_FINDING, finding_class).replace(
        "from typing import NamedTuple", "from dataclasses import dataclass"
    )
    find_secrets = scanning.load_scanner(source)
    assert all(not problems for problems in secret_problems(find_secrets).values())
    assert scanning.limit_problems(find_secrets) == []


def test_messages_never_show_a_whole_secret():
    messages = " ".join(
        problem for problems in secret_problems(lambda text: []).values() for problem in problems
    )
    assert messages
    shown = [
        value for value in (*codebase.SECRET_VALUES, *codebase.HELD_OUT_VALUES) if value in messages
    ]
    assert not shown


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("def find_secrets(text:\n", "tools/find_secrets.py line 1: SyntaxError"),
        (
            "import not_a_module_anywhere\n",
            "tools/find_secrets.py does not load: ModuleNotFoundError",
        ),
        (
            "def scan(text):\n    return []\n",
            "tools/find_secrets.py defines no function find_secrets(text)",
        ),
        (
            "import sys\n\nsys.exit(1)\n",
            "tools/find_secrets.py does not load: SystemExit: 1",
        ),
    ],
    ids=["syntax", "import", "no-function", "exits"],
)
def test_a_scanner_file_that_does_not_load_is_one_line(learner, source, message):
    (learner / scanning.SCANNER_FILE).write_text(source, encoding="utf-8")
    result = judge("09.2")
    assert message in result.outcomes[0].found


SIBLING_PATTERNS = """import re

PATTERNS = {
    "AWS access key id": re.compile(r"\\bAKIA[0-9A-Z]{16}\\b"),
    "GitHub token": re.compile(r"\\bgh[pousr]_[A-Za-z0-9]{36,}"),
}
"""
"""A module of patterns beside the scanner: the model scanner flags its "GitHub token" line."""


@pytest.mark.parametrize(
    ("module", "statement"),
    [
        ("tools/secret_patterns.py", "from secret_patterns import PATTERNS"),
        ("tools/secret_patterns.py", "from tools.secret_patterns import PATTERNS"),
        ("tools/shapes/__init__.py", "from shapes import PATTERNS"),
        ("tools/shapes/patterns.py", "from shapes.patterns import PATTERNS"),
        # The standard library has a `secrets` module, often imported already; run as a
        # command, the scanner imports the one beside it.
        ("tools/secrets.py", "import secrets\n\nPATTERNS = secrets.PATTERNS"),
    ],
    ids=[
        "beside-it",
        "from-the-project-root",
        "a-package-beside-it",
        "a-namespace-package-beside-it",
        "named-as-the-stdlib",
    ],
)
def test_a_scanner_importing_a_module_of_its_own_passes(learner, module, statement):
    """`python tools/find_secrets.py` finds a module beside it; the check loads it the same way,
    writes no __pycache__ into the project, and does not scan the scanner's own patterns."""
    (learner / module).parent.mkdir(parents=True, exist_ok=True)
    (learner / module).write_text(SIBLING_PATTERNS, encoding="utf-8")
    scanner = learner / scanning.SCANNER_FILE
    source = scanner.read_text(encoding="utf-8")
    scanner.write_text(
        source.replace(
            "from typing import NamedTuple", f"from typing import NamedTuple\n\n{statement}"
        ),
        encoding="utf-8",
    )
    import secrets as standard_secrets

    assert found(judge("09.2")) == {}
    assert not list(learner.rglob("__pycache__"))
    assert not any("secret_patterns" in name or name in ("shapes", "tools") for name in sys.modules)
    assert sys.modules["secrets"] is standard_secrets


@pytest.mark.parametrize(
    ("module", "statement"),
    [
        ("tools/secret_patterns.py", "from secret_patterns import PATTERNS"),
        ("tools/secret_patterns.py", "from tools.secret_patterns import PATTERNS"),
        ("tools/shapes/__init__.py", "from shapes import PATTERNS"),
        ("tools/secrets.py", "import secrets"),
    ],
    ids=["beside-it", "from-the-project-root", "a-package-beside-it", "named-as-the-stdlib"],
)
def test_a_scanner_importing_a_module_of_its_own_when_called_passes(learner, module, statement):
    """An import inside find_secrets() runs when it is called, after the scanner has loaded:
    `python tools/find_secrets.py` still has the folder on its path then, and so has the check,
    only while the call lasts."""
    (learner / module).parent.mkdir(parents=True, exist_ok=True)
    (learner / module).write_text(SIBLING_PATTERNS, encoding="utf-8")
    scanner = learner / scanning.SCANNER_FILE
    source = scanner.read_text(encoding="utf-8")
    signature = "def find_secrets(text: str) -> list[Finding]:\n"
    assert signature in source
    scanner.write_text(
        source.replace(signature, f"{signature}    {statement}\n\n", 1), encoding="utf-8"
    )
    import secrets as standard_secrets

    path_before = list(sys.path)
    assert found(judge("09.2")) == {}
    assert sys.path == path_before
    assert not list(learner.rglob("__pycache__"))
    assert not any("secret_patterns" in name or name in ("shapes", "tools") for name in sys.modules)
    assert sys.modules["secrets"] is standard_secrets


SCANNER_SEEING_SECRETS = """import importlib
import sys
import threading

from secrets import PATTERNS


def find_secrets(text):
    seen = []
    other = threading.Thread(target=lambda: seen.append(importlib.import_module("secrets")))
    other.start()
    other.join()
    return [PATTERNS, seen[0], sys.modules.get("secrets")]
"""
"""A scanner whose own `secrets` module stands beside it, and which reports what the rest of
the process (another thread, `sys.modules`) finds as `secrets` while it runs."""


def test_a_scanner_module_named_as_a_standard_one_never_stands_in_for_it(learner):
    """`tools/secrets.py` is the scanner's `secrets`, and nobody else's: a kernel thread that
    imports `secrets` while the scanner runs gets the standard library's."""
    import secrets as standard_secrets

    (learner / "tools" / "secrets.py").write_text(SIBLING_PATTERNS, encoding="utf-8")
    scanner = scanning.load_project_scanner(SCANNER_SEEING_SECRETS, root=learner)
    own_patterns, imported_elsewhere, in_sys_modules = scanner.find_secrets("")
    assert set(own_patterns) == {"AWS access key id", "GitHub token"}
    assert imported_elsewhere is standard_secrets
    assert in_sys_modules is standard_secrets
    assert sys.modules["secrets"] is standard_secrets
    assert "tools/secrets.py" in scanner.own_files
    assert not list(learner.rglob("__pycache__"))


@pytest.mark.parametrize("folder", ["yaml", "tools/yaml"], ids=["at-the-root", "beside-it"])
def test_a_folder_named_as_an_installed_package_does_not_stand_in_for_it(learner, folder):
    """A folder without `__init__.py` is a namespace package, which a module or a regular
    package of that name anywhere on the path wins over: `python tools/find_secrets.py` with a
    `yaml/` folder of settings in the project still imports PyYAML."""
    import yaml as installed_yaml

    (learner / folder).mkdir(parents=True, exist_ok=True)
    (learner / folder / "settings.yml").write_text("level: 1\n", encoding="utf-8")
    scanner = learner / scanning.SCANNER_FILE
    source = scanner.read_text(encoding="utf-8")
    scanner.write_text(
        source.replace(
            "from typing import NamedTuple",
            "from typing import NamedTuple\n\nimport yaml\n\nassert yaml.safe_load('a: 1') == {'a': 1}",
        ),
        encoding="utf-8",
    )
    assert found(judge("09.2")) == {}
    assert sys.modules["yaml"] is installed_yaml


def test_a_scanner_whose_call_imports_a_missing_module_is_named(learner):
    scanner = learner / scanning.SCANNER_FILE
    source = scanner.read_text(encoding="utf-8")
    signature = "def find_secrets(text: str) -> list[Finding]:\n"
    scanner.write_text(
        source.replace(signature, f"{signature}    import no_such_patterns  # noqa\n\n", 1),
        encoding="utf-8",
    )
    result = judge("09.2")
    assert not result.outcomes[0].passed
    assert "ModuleNotFoundError: No module named 'no_such_patterns'" in result.outcomes[0].found


def test_a_scanner_reading_a_file_beside_it_passes(learner):
    """`Path(__file__).parent` is where the scanner is, as when it runs as a command."""
    (learner / "tools" / "allowed.txt").write_text("change-me\n", encoding="utf-8")
    scanner = learner / scanning.SCANNER_FILE
    source = scanner.read_text(encoding="utf-8")
    scanner.write_text(
        source.replace(
            "class Finding(NamedTuple):",
            'ALLOWED = (Path(__file__).parent / "allowed.txt").read_text().split()\n\n\n'
            "class Finding(NamedTuple):",
        ),
        encoding="utf-8",
    )
    assert found(judge("09.2")) == {}


def test_a_sibling_module_that_is_not_imported_is_still_scanned(learner):
    """Only the scanner and the modules it loads are left out of the scan of the project."""
    (learner / "tools" / "secret_patterns.py").write_text(SIBLING_PATTERNS, encoding="utf-8")
    assert 'tools/secret_patterns.py line 5: `"GitH…"' in found(judge("09.2"))[PROJECT_CLEAN]


def git(root: Path, *arguments: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *arguments],
        cwd=root,
        check=True,
        capture_output=True,
    )


LEAK = 'DATABASE_PASSWORD = "' + "Tr0ub4dor&3-" + 'leaked"\n'
PROJECT_CLEAN = (
    "your project, its files and its whole git history, holds nothing find_secrets() reports"
)


def test_a_secret_in_the_projects_files_is_found(learner):
    (learner / "src" / "booking_service" / "settings.py").write_text(LEAK, encoding="utf-8")
    message = found(judge("09.2"))[PROJECT_CLEAN]
    assert 'src/booking_service/settings.py line 1: `DATABASE_PASSWORD = "Tr0u…"`' in message


def test_a_secret_removed_from_the_files_is_still_found_in_history(learner):
    leaked = learner / "src" / "booking_service" / "settings.py"
    leaked.write_text(LEAK, encoding="utf-8")
    git(learner, "add", "--all")
    git(learner, "commit", "-qm", "settings")
    leaked.write_text('DATABASE_PASSWORD = os.environ["DATABASE_PASSWORD"]\n', encoding="utf-8")
    git(learner, "commit", "-qam", "fix")
    message = found(judge("09.2"))[PROJECT_CLEAN]
    assert re.search(r"src/booking_service/settings.py line 1, in commit [0-9a-f]{10}", message)


def test_a_local_env_file_that_git_ignores_is_not_in_the_repository(learner):
    """.env.example says it: copy it to .env for local development, where git ignores it."""
    ignore = learner / ".gitignore"
    ignore.write_text(ignore.read_text(encoding="utf-8") + ".env\n", encoding="utf-8")
    git(learner, "add", ".gitignore")
    git(learner, "commit", "-qm", "ignore the local .env")
    (learner / ".env").write_text(LEAK.replace(" = ", "="), encoding="utf-8")
    assert PROJECT_CLEAN not in found(judge("09.2"))


def test_a_secret_in_a_file_not_yet_added_is_found(learner):
    (learner / "deploy.env").write_text(LEAK.replace(" = ", "="), encoding="utf-8")
    assert "deploy.env line 1" in found(judge("09.2"))[PROJECT_CLEAN]


def test_scanning_changes_nothing_in_the_repository(learner):
    git(learner, "add", "--all")
    git(learner, "commit", "-qm", "lock")
    before = subprocess.run(
        ["git", "status", "--porcelain", "--ignored"], cwd=learner, capture_output=True, text=True
    ).stdout
    judge("09.2")
    after = subprocess.run(
        ["git", "status", "--porcelain", "--ignored"], cwd=learner, capture_output=True, text=True
    ).stdout
    assert after == before
    assert not list(learner.rglob("__pycache__"))


# --- 09.3: the fixed settings.py ----------------------------------------------------------------

FIXED = """import os

EXPORT_BUCKET = "bookings-exports"
DATABASE_PASSWORD = os.environ["DATABASE_PASSWORD"]
AWS_ACCESS_KEY_ID = os.environ["AWS_ACCESS_KEY_ID"]
AWS_SECRET_ACCESS_KEY = os.environ["AWS_SECRET_ACCESS_KEY"]
"""
WORKLOAD_IDENTITY = """import os

EXPORT_BUCKET = "bookings-exports"
DATABASE_PASSWORD = os.environ["DATABASE_PASSWORD"]
"""
WITH_A_HELPER = '''import os


def required(name: str) -> str:
    """A setting the job cannot run without."""
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set")
    return value


DATABASE_PASSWORD = required("DATABASE_PASSWORD")
AWS_ACCESS_KEY_ID = required("AWS_ACCESS_KEY_ID")
AWS_SECRET_ACCESS_KEY = required("AWS_SECRET_ACCESS_KEY")
'''
EXITS_WHEN_MISSING = """import os
import sys

DATABASE_PASSWORD = os.environ.get("DATABASE_PASSWORD") or sys.exit("DATABASE_PASSWORD is not set")
"""
RAISES_SYSTEM_EXIT = """import os

for name in ("DATABASE_PASSWORD", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
    if not os.environ.get(name):
        raise SystemExit(f"{name} is not set: the export cannot run without it")

DATABASE_PASSWORD = os.environ["DATABASE_PASSWORD"]
AWS_ACCESS_KEY_ID = os.environ["AWS_ACCESS_KEY_ID"]
AWS_SECRET_ACCESS_KEY = os.environ["AWS_SECRET_ACCESS_KEY"]
"""
PYDANTIC_SETTINGS = """from __future__ import annotations

from pydantic_settings import BaseSettings


class Secrets(BaseSettings):
    database_password: str


DATABASE_PASSWORD = Secrets().database_password
"""
SECRET_STR = """import os

from pydantic import SecretStr

EXPORT_BUCKET = "bookings-exports"
DATABASE_PASSWORD = SecretStr(os.environ["DATABASE_PASSWORD"])
AWS_ACCESS_KEY_ID = SecretStr(os.environ["AWS_ACCESS_KEY_ID"])
AWS_SECRET_ACCESS_KEY = SecretStr(os.environ["AWS_SECRET_ACCESS_KEY"])
"""
PYDANTIC_SECRET_STR = """from pydantic import SecretStr
from pydantic_settings import BaseSettings


class Secrets(BaseSettings):
    database_password: SecretStr


DATABASE_PASSWORD = Secrets().database_password
"""
ENV_PREFIX = """from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class DatabaseSecrets(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DATABASE_")

    password: SecretStr


DATABASE_PASSWORD = DatabaseSecrets().password
"""
FIELD_ALIASES = """from pydantic import Field
from pydantic_settings import BaseSettings


class Secrets(BaseSettings):
    db_password: str = Field(alias="DATABASE_PASSWORD")
    aws_key_id: str = Field(alias="AWS_ACCESS_KEY_ID")
    aws_secret: str = Field(alias="AWS_SECRET_ACCESS_KEY")


_secrets = Secrets()
DATABASE_PASSWORD = _secrets.db_password
AWS_ACCESS_KEY_ID = _secrets.aws_key_id
AWS_SECRET_ACCESS_KEY = _secrets.aws_secret
"""
GETENV_THEN_CHECK = """import os

DATABASE_PASSWORD = os.getenv("DATABASE_PASSWORD")
if DATABASE_PASSWORD is None:
    raise RuntimeError("DATABASE_PASSWORD is not set")
"""
DOTENV_FOR_DEVELOPMENT = """import os

from dotenv import load_dotenv

load_dotenv()  # a developer's .env; in production the variables are set already
DATABASE_PASSWORD = os.environ["DATABASE_PASSWORD"]
"""

SECRET_STR_RENAMED = """import os

import pydantic
from pydantic import SecretStr as Hidden

DATABASE_PASSWORD = Hidden(os.environ["DATABASE_PASSWORD"])
AWS_ACCESS_KEY_ID = os.environ["AWS_ACCESS_KEY_ID"]
AWS_SECRET_ACCESS_KEY = pydantic.SecretStr(os.environ["AWS_SECRET_ACCESS_KEY"])
"""
SECRET_BYTES = """import os

from pydantic import SecretBytes

DATABASE_PASSWORD = SecretBytes(os.environ["DATABASE_PASSWORD"].encode())
"""
FIELD_NOT_IN_REPR = """from pydantic import Field
from pydantic_settings import BaseSettings


class Secrets(BaseSettings):
    database_password: str = Field(repr=False)


DATABASE_PASSWORD = Secrets().database_password
"""
EMPTY_CHECKED_WITH_A_REASON = """import os

DATABASE_PASSWORD = os.environ.get("DATABASE_PASSWORD", "")
if DATABASE_PASSWORD == "":  # nosec B105  # an unset variable's empty value, no password
    raise RuntimeError("DATABASE_PASSWORD is not set")
"""

FIX_CHECKS = {
    "leftover": lambda path: scanning.leftover_problems(path.read_text(encoding="utf-8")),
    "environment": scanning.environment_problems,
    "fail-fast": scanning.fail_fast_problems,
    "bandit": lambda path: scanning.bandit_problems(path.read_text(encoding="utf-8")),
}


def fix_problems(tmp_path, text: str) -> dict[str, list[str]]:
    path = tmp_path / "settings.py"
    path.write_text(text, encoding="utf-8")
    return {name: check(path) for name, check in FIX_CHECKS.items()}


@pytest.mark.parametrize(
    "text",
    [
        FIXED,
        WORKLOAD_IDENTITY,
        WITH_A_HELPER,
        EXITS_WHEN_MISSING,
        RAISES_SYSTEM_EXIT,
        PYDANTIC_SETTINGS,
        SECRET_STR,
        PYDANTIC_SECRET_STR,
        ENV_PREFIX,
        FIELD_ALIASES,
        GETENV_THEN_CHECK,
        DOTENV_FOR_DEVELOPMENT,
        SECRET_STR_RENAMED,
        SECRET_BYTES,
        FIELD_NOT_IN_REPR,
        EMPTY_CHECKED_WITH_A_REASON,
    ],
    ids=[
        "environment",
        "workload-identity",
        "a-helper",
        "sys-exit",
        "system-exit",
        "pydantic",
        "secret-str",
        "pydantic-secret-str",
        "env-prefix",
        "field-aliases",
        "getenv-then-check",
        "dotenv",
        "secret-str-renamed",
        "secret-bytes",
        "field-not-in-repr",
        "empty-checked-with-nosec",
    ],
)
def test_every_right_fix_passes(tmp_path, text):
    assert fix_problems(tmp_path, text) == dict.fromkeys(FIX_CHECKS, [])


def test_the_solution_notebooks_fix_passes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    codebase.write_codebase("codebase")
    source = cell_source("%%writefile codebase/settings.py").split("\n", 1)[1]
    source = re.sub(r"### BEGIN STUB\n.*?### END STUB\n?", "", source, flags=re.DOTALL)
    (tmp_path / "codebase" / "settings.py").write_text(source, encoding="utf-8")
    assert found(judge("09.3")) == {}


@pytest.mark.parametrize(
    ("text", "failing", "message"),
    [
        (codebase.SETTINGS_PY, "leftover", "line 7 still holds the secret `Tr0u…`"),
        (codebase.SETTINGS_PY, "bandit", "bandit B105 on line 7"),
        (
            codebase.SETTINGS_PY,
            "environment",
            "DATABASE_PASSWORD is 'Tr0u…', not the value of the environment variable",
        ),
        (
            re.sub(r'os.environ\["(\w+)"\]', r'os.environ.get("\1", "")', FIXED),
            "fail-fast",
            "with DATABASE_PASSWORD unset, the settings load anyway",
        ),
        (
            FIXED.replace(
                'os.environ["AWS_SECRET_ACCESS_KEY"]', 'os.environ.get("AWS_SECRET_ACCESS_KEY")'
            ),
            "fail-fast",
            "with AWS_SECRET_ACCESS_KEY unset, the settings load anyway",
        ),
        (
            FIXED.replace("DATABASE_PASSWORD =", "DB_PASSWORD ="),
            "environment",
            "DATABASE_PASSWORD is no longer defined",
        ),
        (
            FIXED.replace('AWS_SECRET_ACCESS_KEY = os.environ["AWS_SECRET_ACCESS_KEY"]\n', ""),
            "environment",
            "AWS_ACCESS_KEY_ID is defined but AWS_SECRET_ACCESS_KEY is not: keep both",
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
        (
            SECRET_STR.replace('os.environ["DATABASE_PASSWORD"]', '"letmein-2030"'),
            "environment",
            "DATABASE_PASSWORD is SecretStr('**********'), not the value of the environment",
        ),
        (
            SECRET_STR.replace(
                'os.environ["DATABASE_PASSWORD"]', 'os.environ.get("DATABASE_PASSWORD", "")'
            ),
            "fail-fast",
            "with DATABASE_PASSWORD unset, the settings load anyway",
        ),
        (
            FIXED + 'raise SystemExit("not today")\n',
            "environment",
            "running settings.py raised SystemExit: not today",
        ),
        (
            ENV_PREFIX.replace("password: SecretStr", 'password: SecretStr = SecretStr("")'),
            "fail-fast",
            "with DATABASE_PASSWORD unset, the settings load anyway",
        ),
        (
            ENV_PREFIX.replace('env_prefix="DATABASE_"', 'env_prefix="DB_"'),
            "environment",
            "running settings.py raised ValidationError",
        ),
        # bandit reports these, and CI runs bandit: the message says why it is a false alarm
        # and how to write the line so that bandit agrees.
        (
            EMPTY_CHECKED_WITH_A_REASON.split("  # nosec")[0] + "\n    raise SystemExit(1)\n",
            "bandit",
            "bandit B105 on line 4: Possible hardcoded password: '' (an empty string is no "
            "password, but bandit reports comparing a password with one: write `if not "
            "DATABASE_PASSWORD:` instead, or end the line with `# nosec B105  # <why it is no "
            "password>`)",
        ),
        (
            FIXED.replace(
                'DATABASE_PASSWORD = os.environ["DATABASE_PASSWORD"]',
                'DATABASE_PASSWORD_VARIABLE = "DATABASE_PASSWORD"\n'
                "DATABASE_PASSWORD = os.environ[DATABASE_PASSWORD_VARIABLE]",
            ),
            "bandit",
            "(`DATABASE_PASSWORD` names an environment variable, not a password",
        ),
        (
            FIXED + 'if DATABASE_PASSWORD == "letmein-2030":\n    raise SystemExit("old")\n',
            "bandit",
            "Possible hardcoded password: 'letmein-2030'",
        ),
    ],
    ids=[
        "leftover",
        "bandit",
        "literal",
        "get-default",
        "one-get-default",
        "renamed",
        "one-key-only",
        "other-variable",
        "new-password",
        "always-exits",
        "secret-str-literal",
        "secret-str-get-default",
        "env-prefix-default",
        "env-prefix-other-variable",
        "empty-compared",
        "variable-name-in-a-password-name",
        "password-compared",
    ],
)
def test_each_fix_mistake_is_named(tmp_path, text, failing, message):
    problems = fix_problems(tmp_path, text)[failing]
    assert any(message in problem for problem in problems), problems


def test_the_environment_is_put_back(monkeypatch):
    monkeypatch.setenv("DATABASE_PASSWORD", "before")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    with scanning.environment({"AWS_ACCESS_KEY_ID": "during"}, unset=["DATABASE_PASSWORD"]):
        assert "DATABASE_PASSWORD" not in os.environ
        assert os.environ["AWS_ACCESS_KEY_ID"] == "during"
    assert os.environ["DATABASE_PASSWORD"] == "before"
    assert "AWS_ACCESS_KEY_ID" not in os.environ


def test_bandit_issues_are_sorted_by_line():
    issues = scanning.bandit_issues('import pickle\nPASSWORD = "letmein-2030"\n')
    assert [(issue.test_id, issue.line) for issue in issues] == [("B403", 1), ("B105", 2)]


def test_write_codebase_keeps_existing_files(tmp_path):
    written = codebase.write_codebase(tmp_path)
    assert sorted(path.name for path in written) == sorted(codebase.CODEBASE)
    (tmp_path / "settings.py").write_text("FIXED = True\n", encoding="utf-8")
    assert codebase.write_codebase(tmp_path) == []
    assert (tmp_path / "settings.py").read_text(encoding="utf-8") == "FIXED = True\n"


def test_no_model_answer_is_importable_from_the_course_code():
    package = Path(security.__file__).parent
    text = "\n".join(path.read_text(encoding="utf-8") for path in package.glob("*.py"))
    assert "def find_secrets" not in text
    assert "def pinned_requirements" not in text


# --- the lesson's practice cells ----------------------------------------------------------------

INSECURE_MODULE = """# Nightly maintenance for the booking database.
import hashlib
import pickle
import subprocess

import yaml

ADMIN_PASSWORD = "letmein-2030"


def load_settings(path):
    with open(path) as handle:
        return yaml.load(handle, Loader=yaml.Loader)


def backup(database):
    subprocess.run(f"sqlite3 {database} .dump > backup.sql", shell=True, check=True)


def fingerprint(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def restore(blob: bytes):
    return pickle.loads(blob)
"""
SAFE_LOAD = "yaml.safe_load(handle)"
NO_SHELL = """with open("backup.sql", "w") as out:
        subprocess.run(["sqlite3", database, ".dump"], stdout=out, check=True)"""
BOTH_FIXED = INSECURE_MODULE.replace("yaml.load(handle, Loader=yaml.Loader)", SAFE_LOAD).replace(
    'subprocess.run(f"sqlite3 {database} .dump > backup.sql", shell=True, check=True)', NO_SHELL
)
WHEEL_HASH = "sha256:" + hashlib.sha256(security_lesson.FAKE_WHEEL).hexdigest()


@pytest.mark.parametrize(
    ("practice", "answer"),
    [
        # The practice asks for two of the module's functions to be fixed; the other two stay.
        (security_lesson.check_bandit_fix, BOTH_FIXED),
        (
            security_lesson.check_bandit_fix,
            BOTH_FIXED.replace(SAFE_LOAD, "yaml.load(handle, Loader=yaml.SafeLoader)"),
        ),
        (
            security_lesson.check_bandit_fix,
            "import sqlite3\n\nimport yaml\n\n\ndef load_settings(path):\n"
            "    with open(path) as handle:\n        return yaml.safe_load(handle)\n\n\n"
            "def backup(database):\n    with sqlite3.connect(database) as connection, "
            "open('backup.sql', 'w') as out:\n"
            "        out.writelines(f'{line}\\n' for line in connection.iterdump())\n",
        ),
        # PEP 440 pads with zeros: ==3.20.0 pins the same release as ==3.20.
        (security_lesson.check_hashed_line, f"idna==3.20.0 --hash={WHEEL_HASH}"),
        (security_lesson.check_hashed_line, f"IDNA == 3.20 \\\n    --hash {WHEEL_HASH}"),
        # pip keeps a set of the allowed hashes: the one hash written twice is still that hash.
        (security_lesson.check_hashed_line, f"idna==3.20 --hash={WHEEL_HASH} --hash={WHEEL_HASH}"),
    ],
    ids=["whole-module", "safe-loader", "sqlite3-module", "zero-padded", "spaced", "hash-twice"],
)
def test_right_practice_answers_get_a_tick(capsys, practice, answer):
    practice(answer)
    out = capsys.readouterr().out.strip()
    assert out.startswith("✅"), out


@pytest.mark.parametrize(
    ("practice", "answer", "message"),
    [
        (
            security_lesson.check_bandit_fix,
            INSECURE_MODULE.replace("yaml.load(handle, Loader=yaml.Loader)", SAFE_LOAD),
            "bandit B602 on line 17",
        ),
        (
            security_lesson.check_bandit_fix,
            BOTH_FIXED.replace(SAFE_LOAD, "pickle.load(handle)"),
            "bandit B301 on line 13",
        ),
        (
            security_lesson.check_bandit_fix,
            BOTH_FIXED.replace(SAFE_LOAD, "yaml.load(handle, Loader=yaml.FullLoader)"),
            "bandit B506 on line 13",
        ),
        # bandit itself says nothing of these two: the practice does.
        (
            security_lesson.check_bandit_fix,
            BOTH_FIXED.replace(SAFE_LOAD, "yaml.unsafe_load(handle)"),
            "yaml.unsafe_load on line 13 builds any Python object the file names: use yaml.safe_load",
        ),
        (
            security_lesson.check_bandit_fix,
            BOTH_FIXED.replace(SAFE_LOAD, "yaml.full_load(handle)"),
            "yaml.full_load on line 13 is the full loader, which B506 flags",
        ),
        (
            security_lesson.check_bandit_fix,
            BOTH_FIXED.replace(NO_SHELL, "_dump(database)")
            + '\n\ndef _dump(database):\n    subprocess.run(f"sqlite3 {database} .dump", shell=True)\n',
            "bandit B602 on line 29",
        ),
        # A `# nosec` comment hides the unsafe call from bandit; the call is still unsafe.
        (
            security_lesson.check_bandit_fix,
            BOTH_FIXED.replace(
                SAFE_LOAD, "yaml.load(handle, Loader=yaml.FullLoader)  # nosec B506"
            ),
            "bandit B506 on line 13",
        ),
        (
            security_lesson.check_bandit_fix,
            INSECURE_MODULE.replace("yaml.load(handle, Loader=yaml.Loader)", SAFE_LOAD).replace(
                "shell=True, check=True)", "shell=True, check=True)  # nosec"
            ),
            "bandit B602 on line 17",
        ),
        (
            security_lesson.check_hashed_line,
            f"idna==3.2 --hash={WHEEL_HASH}",
            "the requirement is idna==3.2, not idna==3.20",
        ),
        (
            security_lesson.check_hashed_line,
            f"idna===3.20 --hash={WHEEL_HASH}",
            "the requirement is idna===3.20, not idna==3.20",
        ),
        # A second hash lets another file through: only the file's own hash is asked for.
        (
            security_lesson.check_hashed_line,
            f"idna==3.20 --hash={WHEEL_HASH} --hash=sha256:{'0' * 64}",
            "not the file's",
        ),
    ],
    ids=[
        "shell-left",
        "pickle-instead",
        "full-loader",
        "unsafe-load",
        "full-load",
        "shell-in-a-helper",
        "nosec-on-the-load",
        "nosec-on-the-shell",
        "other-version",
        "arbitrary-equality",
        "another-hash-too",
    ],
)
def test_wrong_practice_answers_say_what_is_wrong(capsys, practice, answer, message):
    practice(answer)
    out = capsys.readouterr().out.strip()
    assert out.startswith("❌") and message in out, out
