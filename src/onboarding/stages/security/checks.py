"""What stage 09's exercises expect: 09.1, the project's lock file; 09.2, a secret scanner and
a scan of the project with it; 09.3, secrets moved out of a settings module."""

from __future__ import annotations

from typing import Any

from onboarding import project
from onboarding.artefacts import requirements, uv_lock
from onboarding.artefacts.requirements import Entry, parse_requirements
from onboarding.checks import ArtefactError, CheckFailed, Expectation, Given, read_artefact, require
from onboarding.stages.security import locking, scanning
from onboarding.stages.security.codebase import PLANTED_FILES

REQUIREMENTS_FILE = "requirements.txt"
"""The project's lock file, in the format pip checks hashes in (`pip install --require-hashes`)."""
SETTINGS_FILE = "codebase/settings.py"


# ----------------------------------------------------------------------------------- 09.1
def lock_of(given: Given) -> dict[str, Any]:
    """What the project's lock must hold, from its pyproject.toml and the course's uv.lock."""

    def resolve() -> dict[str, Any]:
        text = project.read("pyproject.toml")
        from packaging.requirements import InvalidRequirement

        try:
            return uv_lock.project_lock(text)
        except uv_lock.tomllib.TOMLDecodeError as error:
            raise ArtefactError(f"pyproject.toml is not valid TOML: {error}") from None
        except InvalidRequirement as error:
            # packaging's message is the reason, then the requirement with a caret under it.
            reason, *shown = str(error).splitlines()
            written = f"`{shown[0].strip()}` " if shown else ""
            raise ArtefactError(
                f"pyproject.toml names a dependency {written}that is not a valid requirement: "
                f"{reason}"
            ) from None

    return given.once("lock", resolve)


def requirements_text() -> str:
    """The project's requirements.txt, decoded as pip decodes it (a UTF-16 file with its byte
    order mark is one pip installs from)."""
    try:
        text = requirements.decode(project.path(REQUIREMENTS_FILE).read_bytes())
    except (OSError, UnicodeDecodeError):
        # The one loader says how to create a missing file, or what else is wrong with it.
        return project.read(REQUIREMENTS_FILE)
    if "\0" in text:  # valid UTF-8, but every other character a NUL: pip refuses every line
        raise ArtefactError(
            f"{REQUIREMENTS_FILE} is full of NUL characters, as UTF-16 without its byte order "
            'mark is, so pip cannot read it: write it as UTF-8 (`encoding="utf-8"`)'
        )
    return text


def entries_of(given: Given) -> list[Entry]:
    def read() -> list[Entry]:
        entries, problems = parse_requirements(requirements_text())
        require(problems)
        if not entries:
            raise CheckFailed(f"{REQUIREMENTS_FILE} has no requirements in it")
        return entries

    return given.once("entries", read)


def _against_the_lock(problems):
    return lambda given: require(problems(entries_of(given), lock_of(given)))


LOCK_FILE = (
    Expectation(
        f"{REQUIREMENTS_FILE} is in your project and every entry is a valid requirement",
        entries_of,
        hint="Run the cell that writes it; each entry is `name==version`, then its options, "
        "with a backslash ending every line of an entry but the last.",
        required=True,
    ),
    Expectation(
        "every package the project needs is listed, once, and nothing else",
        _against_the_lock(locking.listing_problems),
        hint="Loop over lock.items(): the lock already holds the transitive dependencies.",
    ),
    Expectation(
        "every package is pinned with == to its locked version",
        _against_the_lock(locking.pin_problems),
        hint="Write name==version, with the version from the lock.",
    ),
    Expectation(
        "every package carries all its locked hashes as --hash=sha256:…",
        _against_the_lock(locking.hash_problems),
        hint='Add one `--hash=` option per entry in package["hashes"].',
    ),
    Expectation(
        "environment markers are kept where the lock has one",
        lambda given: require(
            locking.marker_problems(
                entries_of(given),
                lock_of(given),
                uv_lock.requires_python(project.read("pyproject.toml")),
            )
        ),
        hint='Write `name==version ; marker` when package.get("marker") is set.',
    ),
)


# ----------------------------------------------------------------------------------- 09.2
def project_scanner_of(given: Given) -> scanning.Scanner:
    """The learner's scanner, tools/find_secrets.py in their project, and the files it is made of."""
    return given.once(
        "scanner",
        lambda: scanning.load_project_scanner(
            project.read(scanning.SCANNER_FILE), root=project.locate()
        ),
    )


def scanner_of(given: Given):
    """The learner's find_secrets(), from tools/find_secrets.py in their project."""
    return project_scanner_of(given).find_secrets


def _missed_in(file: str):
    return lambda given: require(scanning.missed_problems(scanner_of(given), file))


def project_is_clean(given: Given) -> None:
    root = project.locate()
    if not root.is_dir():
        raise CheckFailed(f"there is no project in {project.FOLDER}/ yet: run `onboard start`")
    scanner = project_scanner_of(given)
    require(scanning.repository_problems(scanner.find_secrets, root, scanner.own_files))


SCANNER = (
    Expectation(
        f"{scanning.SCANNER_FILE}'s find_secrets() returns findings with lines counted from 1",
        lambda given: require(scanning.shape_problems(scanner_of(given))),
        hint="Return a list of Finding(line, kind); enumerate(text.splitlines(), start=1).",
        required=True,
    ),
    *(
        Expectation(
            f"every secret in {file} is found",
            _missed_in(file),
            hint="Go through the five kinds of secret in the exercise, one pattern each.",
        )
        for file in PLANTED_FILES
    ),
    Expectation(
        "nothing is reported in .env.example and export_job.py",
        lambda given: require(scanning.false_positive_problems(scanner_of(given))),
        hint="Skip placeholders, values read from the environment, and URLs without a password.",
    ),
    Expectation(
        "a secret-named value of exactly 8 characters is reported, and one of 7 is not",
        lambda given: require(scanning.limit_problems(scanner_of(given))),
        hint="“At least 8 characters” is `len(value) >= 8`.",
    ),
    Expectation(
        "every kind of secret the exercise lists is found, written each way it allows",
        lambda given: require(scanning.held_out_problems(scanner_of(given))),
        hint="Read the five kinds again: gho_, ghu_, ghs_ and ghr_ as well as ghp_; any key "
        "type; passwd, pwd and apikey in any case; `:` as well as `=`; quoted or not. And skip "
        "everything the exercise says is not a secret.",
    ),
    Expectation(
        "your project, its files and its whole git history, holds nothing find_secrets() reports",
        project_is_clean,
        hint="A secret that was ever committed is leaked: rotate it first, then remove it from "
        "the file and from the history (git filter-repo). A false alarm: make the scanner "
        "smarter.",
    ),
)


# ----------------------------------------------------------------------------------- 09.3
def settings_of(given: Given) -> str:
    return given.once(
        "settings",
        lambda: read_artefact(
            SETTINGS_FILE, how_to_create="run the set-up cell of exercise 09.2, then your fix"
        ),
    )


SETTINGS = (
    Expectation(
        f"{SETTINGS_FILE} exists",
        settings_of,
        hint="Run the set-up cell of exercise 09.2, then the cell above.",
        required=True,
    ),
    Expectation(
        "none of the three secret values is left in the file",
        lambda given: require(scanning.leftover_problems(settings_of(given))),
        hint="Delete the values; the next expectation says what replaces them.",
    ),
    Expectation(
        "the password comes from the environment; the AWS keys from it too, or not at all",
        lambda given: require(scanning.environment_problems(SETTINGS_FILE)),
        hint='DATABASE_PASSWORD = os.environ["DATABASE_PASSWORD"]; with workload identity the '
        "AWS SDK finds short-lived credentials by itself, so the two AWS keys can go.",
    ),
    Expectation(
        "a missing secret stops the settings from loading",
        lambda given: require(scanning.fail_fast_problems(SETTINGS_FILE)),
        hint='os.environ["NAME"] raises KeyError when NAME is unset; .get() would not.',
    ),
    Expectation(
        "bandit reports no hard-coded password",
        lambda given: require(scanning.bandit_problems(settings_of(given))),
        hint="No string literal may be assigned to a name that says password, secret or token.",
    ),
)

EXERCISES = {"09.1": LOCK_FILE, "09.2": SCANNER, "09.3": SETTINGS}
