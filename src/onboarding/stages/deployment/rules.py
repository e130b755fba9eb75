"""Exercise 07.1's rules for a Dockerfile: each returns plain sentences, one per problem.

Every message gives the line in the Dockerfile, which dockerfile-parse reports. The rules take
the instructions that `onboarding.artefacts.dockerfile` reads; `DOCKERFILE_CHECKS` lists them in
the order the check judges them, one ✅/❌ line each. The workshop's tests check the hub's user
image with the same rules.
"""

from __future__ import annotations

import ast
import difflib
import re
import shlex
from collections.abc import Callable, Sequence
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from onboarding.artefacts import dockerfile, uv_lock
from onboarding.artefacts import workflow as workflow_reader
from onboarding.artefacts.dockerfile import Instruction
from onboarding.artefacts.requirements import canonical, parse_requirements
from onboarding.protocol import shorten
from onboarding.stages.ci.local_run import UV_TRUE, strip_runner


def multi_stage_problems(instructions: Sequence[Instruction]) -> list[str]:
    """Two or more stages, and the final one copies its result from an earlier one."""
    built = dockerfile.stages(instructions)
    final = built[-1]
    if len(built) < 2:
        return [
            f"only one stage (FROM on line {final.line}): build in a first stage, then copy "
            "only the result into a second, so build tools and caches stay behind"
        ]
    earlier = {stage.name for stage in built[:-1] if stage.name} | {
        str(index) for index in range(len(built) - 1)
    }
    # `--from="builder"`: the build takes the quotes off an option's value.
    copies = [
        copy
        for copy in final.all("COPY")
        if any(
            option.startswith("--from=") and option.partition("=")[2].lower() in earlier
            for option in dockerfile.copy_arguments(copy)[0]
        )
    ]
    if not copies:
        return [
            f"the final stage (FROM on line {final.line}) copies nothing from the build stage: "
            "add `COPY --from=builder /app/.venv /app/.venv` (name the first stage with "
            "`AS builder`)"
        ]
    return []


EMPTIED_REFERENCE = re.compile(r"^$|^[:/@]|[:/]$|[:/]@|//")
"""An image's reference with an empty part where an empty ARG was: its tag, name or registry."""


def base_image_problems(
    instructions: Sequence[Instruction],
    root: Path | None = None,
    contexts: dict[str, str] | None = None,
) -> list[str]:
    """Every image the build pulls names a version: a tag with a number (not latest), or a
    digest. That is each FROM's, and each that a COPY's `--from` or a mount's `from` takes files
    from, which the build pulls as it pulls a FROM's; and no `--from` or `from` names its image
    (or stage) with an ARG, which stops the build. uv's image that a COPY or a bind mount takes
    uv from is the lock-file rule's, judged with uv's version.

    A name that the build command gives as a named context (`contexts`, name -> value; by
    default those of the project at `root`, see `project_build_contexts`) is that context, not
    an image: only a context that is an image (`docker-image://…`) is judged, by its value."""
    if contexts is None:
        contexts = project_build_contexts(root)
    values = dockerfile.global_args(instructions)
    built = dockerfile.stages(instructions)
    problems = []
    names: set[str] = set()
    for stage in built:
        image = dockerfile.substitute(stage.image, values)
        if image.lower() in contexts:
            problems += _context_image_problems(stage.line, image.lower(), contexts, None)
        elif image.lower() in names or image == "scratch":
            pass
        # An ARG declared without a default is empty: `python:${PYTHON}` is `python:`, which
        # the build cannot read (an empty `${VARIANT}` after a tag is fine).
        elif "$" in image or ("$" in stage.image and EMPTIED_REFERENCE.search(image)):
            problems.append(
                f"line {stage.line}: `{stage.image}` uses an ARG without a default; give the "
                "ARG a pinned default before the first FROM"
            )
        else:
            problems += _unpinned_image_problems(stage.line, image)
        if stage.name:
            names.add(stage.name)
    for stage in built:
        for instruction in stage.instructions:
            for option, written, kind in _taken_from(instruction):
                of_uv = uv_image_tag(_image_reference(written, values)) is not None
                if "$" in written:
                    if not of_uv:  # in uv's image, the lock-file rule names it with uv's version
                        problems.append(
                            _unexpanded_from_problem(
                                instruction.line, option, written, values, names
                            )
                        )
                    continue
                if written.lower() in contexts:
                    if kind in ("copy", "bind", "cache"):
                        problems += _context_image_problems(
                            instruction.line, written.lower(), contexts, option
                        )
                    continue
                # A tmpfs, secret or ssh mount pulls nothing; a COPY or a bind mount from uv's
                # image brings uv, whose version the lock-file rule judges.
                pulled = kind in ("copy", "bind", "cache") and _names_an_image(written, names)
                meant = _stage_meant(written, names) if pulled else None
                if meant:
                    problems.append(
                        f"line {instruction.line}: `{option}={written}` names no stage of this "
                        f"Dockerfile, so the build would pull an image called `{written}`; did "
                        f"you mean the stage `{meant}` (`{option}={meant}`)?"
                    )
                    continue
                if pulled and not (of_uv and kind in ("copy", "bind")):
                    problems += _unpinned_image_problems(instruction.line, written, option)
    return problems


def _context_image_problems(
    line: int, name: str, contexts: dict[str, str], option: str | None
) -> list[str]:
    """What leaves unpinned the image that the named context `name` is, when it is one; a
    context of files (a folder, a URL) pulls no image. `option` as `_unpinned_image_problems`
    takes it."""
    image = dockerfile.context_image(contexts[name])
    if image is None:
        return []
    where = f" (the build context `{name}`: `--build-context {name}={contexts[name]}`)"
    return _unpinned_image_problems(line, image, option, where=where)


BUILD_SCRIPTS = (
    "Dockerfile",
    ".github/workflows/*.yml",
    ".github/workflows/*.yaml",
    "GNUmakefile",
    "makefile",
    "Makefile",
    "*.sh",
    "scripts/*.sh",
)
"""The project's files that may hold the commands that build its image: the Dockerfile's own
comments (`# Build: docker build …`), CI's workflows, the Makefile and shell scripts."""
COMPOSE_FILES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
BAKE_FILES = ("docker-bake.hcl", "docker-bake.override.hcl")
BUILD_PUSH_ACTION = "docker/build-push-action"
BAKE_CONTEXTS = re.compile(r"\bcontexts\s*=\s*\{(?P<body>[^}]*)\}")
BAKE_SETTING = re.compile(r"[\"']?(?P<name>[\w.-]+)[\"']?\s*=\s*\"(?P<value>[^\"]*)\"")


def project_build_contexts(root: Path | None) -> dict[str, str]:
    """The named build contexts that the project at `root` gives its build: name (lower case)
    -> value. Read from each `--build-context NAME=VALUE` of its build commands
    (`BUILD_SCRIPTS`), the `build-contexts` input of docker/build-push-action in its
    workflows, a Compose file's `additional_contexts` and a Bake file's `contexts`, all of
    which set the same named contexts (Docker's reference of `--build-context`, of Bake's
    contexts and Compose's build section). Empty without `root`."""
    if root is None:
        return {}
    found: dict[str, str] = {}
    for pattern in BUILD_SCRIPTS:
        for path in sorted(root.glob(pattern)):
            if not path.is_file():
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            found.update(dockerfile.build_contexts(text))
            if path.parent.name == "workflows":
                found.update(_action_build_contexts(_yaml_of(text)))
    for name in COMPOSE_FILES:
        if (root / name).is_file():
            found.update(_compose_build_contexts(_yaml_of((root / name).read_text("utf-8"))))
    for name in BAKE_FILES:
        if (root / name).is_file():
            for block in BAKE_CONTEXTS.finditer((root / name).read_text(encoding="utf-8")):
                for setting in BAKE_SETTING.finditer(block["body"]):
                    found[setting["name"].lower()] = setting["value"]
    return found


def _yaml_of(text: str) -> object:
    """The YAML document of `text`; None when it does not parse (the workflow's own check says
    why)."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _settings(entries: object) -> dict[str, str]:
    """`name=value` entries (lines of text, or a list) or a mapping, as name -> value."""
    if isinstance(entries, dict):
        return {str(name).lower(): str(value) for name, value in entries.items()}
    if isinstance(entries, str):
        entries = entries.splitlines()
    if not isinstance(entries, list):
        return {}
    found = {}
    for entry in entries:
        name, equals, value = str(entry).strip().partition("=")
        if equals and name.strip():
            found[name.strip().lower()] = value.strip()
    return found


def _action_build_contexts(workflow: object) -> dict[str, str]:
    """The `build-contexts` (`name=value`, one a line) of each docker/build-push-action step."""
    found: dict[str, str] = {}
    jobs = workflow.get("jobs") if isinstance(workflow, dict) else None
    for job in jobs.values() if isinstance(jobs, dict) else ():
        for _, step in workflow_reader.steps_of(job) if isinstance(job, dict) else ():
            inputs = step.get("with")
            if str(step.get("uses", "")).startswith(BUILD_PUSH_ACTION + "@") and isinstance(
                inputs, dict
            ):
                found.update(_settings(inputs.get("build-contexts")))
    return found


def _compose_build_contexts(compose: object) -> dict[str, str]:
    """Each service's `build: additional_contexts:` (a mapping, or a list of `name=value`)."""
    found: dict[str, str] = {}
    services = compose.get("services") if isinstance(compose, dict) else None
    for service in services.values() if isinstance(services, dict) else ():
        build = service.get("build") if isinstance(service, dict) else None
        if isinstance(build, dict):
            found.update(_settings(build.get("additional_contexts")))
    return found


def _taken_from(instruction: Instruction) -> list[tuple[str, str, str]]:
    """Where a COPY or a RUN's mounts take files from, other than the build context: each as
    its option (`--from` or `from`), its value as written, and its kind (`copy`, or the mount's
    type: `bind`, `cache`, …)."""
    if instruction.keyword == "RUN":
        return [
            ("from", mount["from"], mount["type"])
            for mount in dockerfile.run_mounts(instruction.value)
            if mount.get("from")
        ]
    return [(option, written, "copy") for option, written in dockerfile.from_options(instruction)]


STAGE_INDEX = re.compile(r"[+-]?\d+")
"""A `--from` that BuildKit reads as a stage's number (with Go's `strconv.Atoi`), not an image."""


def _names_an_image(written: str, stage_names: set[str]) -> bool:
    """Whether a COPY's `--from` or a mount's `from` names an image the build pulls: not a stage
    of the Dockerfile, by its name (in any case, as BuildKit matches it) or its number, nor
    `scratch` (nothing) or `context` (the build context, as BuildKit reads it)."""
    name = written.lower()
    return not (
        name in stage_names or STAGE_INDEX.fullmatch(name) or name in ("scratch", "context")
    )


def _stage_meant(written: str, stage_names: set[str]) -> str | None:
    """The stage a `--from` that names no stage most likely meant (`buidler` for `builder`), or
    None. Only a bare word can be a misspelt stage: an image with a tag, a digest or a registry
    (`busybox:1.37`, `ghcr.io/…`) is meant as an image."""
    if re.search(r"[:/@.]", written):
        return None
    close = difflib.get_close_matches(written.lower(), sorted(stage_names), n=1, cutoff=0.8)
    return close[0] if close else None


def _unpinned_image_problems(
    line: int, image: str, option: str | None = None, where: str = ""
) -> list[str]:
    """What leaves `image` (its ARGs replaced) unpinned: no tag, which means `latest`;
    `latest`; or a tag with no number in it. A digest pins it whatever its tag. `option` is the
    `--from` of a COPY or the `from` of a mount that takes files from the image; None for a
    FROM. `where` says where the image is named, when that is not the Dockerfile's line."""
    if "@sha256:" in image:
        return []
    repository, tag = _repository_and_tag(image.partition("@")[0])
    # The course's own base image makes the example; another image's version is its own.
    if repository.rpartition("/")[2] == "python":
        pin = "pin a version, such as `python:3.14-slim`"
    elif tag and tag != "latest" and not re.search(r"\d", tag):
        # A tag without a number (distroless's `nonroot`, `debug`) is often all an image
        # publishes: no version tags to choose from, so the digest comes first.
        pin = (
            f"pin it with a digest (`{repository}:{tag}@sha256:…`), or a versioned tag where "
            "the image publishes them"
        )
    else:
        pin = (
            f"pin the version you use, as a tag (`{repository}:<version>`) or a digest "
            f"(`{repository}@sha256:…`)"
        )
    if not where and option == "--from":
        where = ", the image a COPY's `--from` takes files from,"
    elif not where and option == "from":
        where = ", the image a mount's `from` takes files from,"
    if not tag:
        return [f"line {line}: `{image}`{where} has no tag, which means `latest`: {pin}"]
    if tag == "latest":
        return [f"line {line}: `{image}`{where} moves whenever a new release comes out; {pin}"]
    if not re.search(r"\d", tag):
        subject = f"the tag `{tag}` of `{image}`{where}" if where else f"the tag `{tag}`"
        return [
            f"line {line}: {subject} names no version; {pin.replace('pin a version', 'pin one')}"
        ]
    return []


LOCK_SYNC = re.compile(r"\buv\s+sync\b")
# uv reads UV_LOCKED=1 and UV_FROZEN=1 as --locked and --frozen, set by ENV, by ARG (whose value
# the RUNs after it see) or before the command.
UV_LOCK_VARIABLES = ("UV_LOCKED", "UV_FROZEN")
UV_LOCK_PREFIX = re.compile(r"\bUV_(?:LOCKED|FROZEN)=(?:1|true|yes|y|on|t)\b", re.IGNORECASE)
# uv and pip read `--require-hashes` from these too (pip from any PIP_<OPTION>).
REQUIRE_HASHES_VARIABLES = {True: "UV_REQUIRE_HASHES", False: "PIP_REQUIRE_HASHES"}
REQUIRE_HASHES_PREFIX = re.compile(
    r"\b(?P<name>UV|PIP)_REQUIRE_HASHES=(?:1|true|yes|y|on|t)\b", re.IGNORECASE
)
PIP_INSTALL = re.compile(r"\b(?P<uv>uv\s+)?pip3?\s+install\b(?P<args>[^&;|]*)")
# `uv pip sync FILE…` and pip-tools' `pip-sync FILE…` install exactly what requirements files
# list (and remove the rest): each file is read as `pip install -r FILE` reads it.
PIP_SYNC = re.compile(r"(?<![\w-])(?:(?P<uv>uv\s+)pip\s+sync|pip-sync)\b(?P<args>[^&;|]*)")
SYNC_OPTIONS_WITH_A_VALUE = frozenset(
    {
        # uv pip sync's
        "-c", "--constraint", "-B", "--build-constraint", "-p", "--python", "-i",
        "--index-url", "--index", "--default-index", "--extra-index-url", "-f",
        "--find-links", "--index-strategy", "--keyring-provider", "--target", "--prefix",
        "--python-version", "--python-platform", "--link-mode", "-C", "--config-setting",
        "--exclude-newer", "--no-binary", "--only-binary", "--reinstall-package",
        "--refresh-package", "--extra", "--group", "--cache-dir", "--config-file",
        "--directory", "--project", "--color", "--allow-insecure-host", "--trusted-host",
        # pip-sync's
        "--pip-args", "--python-executable", "--cert", "--client-cert", "--config",
    }
)  # fmt: skip
"""The options of `uv pip sync` and `pip-sync` whose value is the next word, not a file."""


def lock_file_problems(instructions: Sequence[Instruction], root: Path | None = None) -> list[str]:
    """Dependencies come from the lock file: uv.lock with `uv sync --locked` (or --frozen), or a
    hashed requirements file. The files a `pip install -r` names are read from the project at
    `root` (the build context), when it is given and a COPY brings them."""
    problems = []
    installs_from_lock = False
    built = dockerfile.stages(instructions)
    # What a stage has before its first instruction: what the stage it is built FROM ended with.
    copied_lock_by_stage: dict[str, bool] = {}
    locked_by_env_by_stage: dict[str, bool] = {}
    hashes_by_env_by_stage: dict[str, dict[str, bool]] = {}
    for stage in built:
        base = dockerfile.base_stage(built, stage)
        copied_lock = base is not None and copied_lock_by_stage[base.name]
        locked_by_env = base is not None and locked_by_env_by_stage[base.name]
        hashes_by_env = dict(hashes_by_env_by_stage[base.name]) if base is not None else {}
        workdir = dockerfile.workdir(built, base) if base is not None else PurePosixPath("/")
        for instruction in stage.instructions:
            value = instruction.value
            if instruction.keyword == "WORKDIR":
                workdir = workdir / value.strip().strip("\"'")
            if instruction.keyword in ("COPY", "ADD"):
                sources = dockerfile.copy_arguments(instruction)[1][:-1]
                if any(Path(s).name == "uv.lock" or s in (".", "./") for s in sources):
                    copied_lock = True
            # An ARG's value is in the environment of the RUNs after it, as an ENV's is.
            if instruction.keyword in ("ENV", "ARG"):
                for name, setting in dockerfile.settings(instruction):
                    if name in UV_LOCK_VARIABLES and setting is not None:
                        locked_by_env = setting.strip("'\"").lower() in UV_TRUE
                    if name in REQUIRE_HASHES_VARIABLES.values() and setting is not None:
                        hashes_by_env[name] = setting.strip("'\"").lower() in UV_TRUE
            if instruction.keyword != "RUN":
                continue
            if LOCK_SYNC.search(value):
                if not (
                    re.search(r"--(locked|frozen)\b", value)
                    or locked_by_env
                    or UV_LOCK_PREFIX.search(value)
                ):
                    problems.append(
                        f"line {instruction.line}: `uv sync` without `--locked` may resolve "
                        "newer versions than the lock file's; add `--locked`"
                    )
                elif not copied_lock and "uv.lock" not in value:
                    problems.append(
                        f"line {instruction.line}: `uv sync` runs before uv.lock is in the "
                        "image; first `COPY pyproject.toml uv.lock ./` in the same stage"
                    )
                else:
                    installs_from_lock = True
            read_file = lambda path, stage=stage, workdir=workdir: _context_file(  # noqa: E731
                root, built, stage, workdir / path
            )
            for match in PIP_INSTALL.finditer(value):
                found, hashed = _pip_problems(
                    _hashes_from_environment(bool(match["uv"]), hashes_by_env, value)
                    + match["args"],
                    instruction.line,
                    read_file,
                    by_uv=bool(match["uv"]),
                )
                problems += found
                installs_from_lock = installs_from_lock or hashed
            for match in PIP_SYNC.finditer(value):
                command = "uv pip sync" if match["uv"] else "pip-sync"
                found, hashed = _pip_problems(
                    _hashes_from_environment(bool(match["uv"]), hashes_by_env, value)
                    + _sync_as_install(match["args"]),
                    instruction.line,
                    read_file,
                    by_uv=bool(match["uv"]),
                    command=command,
                )
                problems += found
                installs_from_lock = installs_from_lock or hashed
        if stage.name:
            copied_lock_by_stage[stage.name] = copied_lock
            locked_by_env_by_stage[stage.name] = locked_by_env
            hashes_by_env_by_stage[stage.name] = hashes_by_env
    problems += uv_version_problems(instructions)
    if not installs_from_lock:
        problems.insert(
            0,
            "nothing installs the dependencies from the lock file: `COPY pyproject.toml "
            "uv.lock ./`, then `RUN uv sync --locked --no-dev` in the build stage",
        )
    return problems


def _hashes_from_environment(by_uv: bool, environment: dict[str, bool], run: str) -> str:
    """`--require-hashes ` when uv's or pip's variable (`UV_REQUIRE_HASHES=1`) tells the command
    to require hashes: by ENV or ARG (`environment`), or before the command in the RUN."""
    variable = REQUIRE_HASHES_VARIABLES[by_uv]
    prefixed = {match["name"].upper() for match in REQUIRE_HASHES_PREFIX.finditer(run)}
    told = environment.get(variable) or variable.partition("_")[0] in prefixed
    return "--require-hashes " if told else ""


PIP_VALUE_OPTIONS = (("-r", "--requirement"), ("-c", "--constraint"), ("-e", "--editable"))
"""pip's options whose value names a file or a project, short and long."""


def pip_words(words: list[str]) -> list[str]:
    """A pip command's words with each option of `PIP_VALUE_OPTIONS` spelled `-r FILE`.

    pip reads `--requirement=FILE` and `-rFILE` (the value glued to the short option) as
    `-r FILE`, so a rule that looks for `-r` finds all three.
    """
    result = []
    for word in words:
        for short, long in PIP_VALUE_OPTIONS:
            if word.startswith(long + "="):
                result += [short, word.removeprefix(long + "=")]
                break
            if word.startswith(short) and len(word) > len(short) and not word.startswith("--"):
                result += [short, word.removeprefix(short)]
                break
        else:
            result.append(word)
    return result


def _sync_as_install(args: str) -> str:
    """A `uv pip sync` or `pip-sync` command's arguments as `pip install` reads the same files:
    each requirements file `-r FILE`. pip-sync hands `--pip-args` to pip, so a
    `--require-hashes` there counts as the install's own."""
    words = dockerfile.split_words(args)
    result: list[str] = []
    position = 0
    while position < len(words):
        word = words[position]
        if word in SYNC_OPTIONS_WITH_A_VALUE:
            value = words[position + 1] if position + 1 < len(words) else ""
            if word == "--pip-args" and "--require-hashes" in value.split():
                result.append("--require-hashes")
            result += [word, value] if word in ("-c", "--constraint") else []
            position += 2
            continue
        if word.startswith("--pip-args=") and "--require-hashes" in word.split("=", 1)[1].split():
            result.append("--require-hashes")
        result += [word] if word.startswith("-") else ["-r", word]
        position += 1
    return shlex.join(result)


def _pip_problems(
    args: str,
    line: int,
    read_file: Callable[[str], str | None] = lambda path: None,
    by_uv: bool = False,
    command: str = "pip install",
) -> tuple[list[str], bool]:
    """What is wrong with a `pip install`, and whether it installs in hash-checking mode.

    pip checks hashes with `--require-hashes`, and also as soon as a requirements file it reads
    gives any entry a `--hash`; then every entry must be pinned with `==` and hashed, or pip
    stops. uv (`by_uv`) checks every hash a file gives, but without `--require-hashes` installs
    an entry that has none unchecked (uv's `HashCheckingMode::Verify`). `read_file` gives the
    text of a requirements file by its path (None: not readable). `command` names the command
    in messages (`uv pip sync` reads its files as `-r FILE`).
    """
    try:
        words = pip_words(shlex.split(args))
    except ValueError:
        words = pip_words(args.split())
    problems, unpinned = [], []
    required = "--require-hashes" in words
    hashed = required
    # `--no-deps` installs only what is named, resolving nothing: the project itself on top of
    # dependencies that an earlier install took from the lock.
    resolves = "--no-deps" not in words
    tool = "uv" if by_uv else "pip"
    skip_next = False
    for position, word in enumerate(words):
        if skip_next:
            skip_next = False
            continue
        if word in ("-r", "--requirement", "-c", "--constraint", "-e", "--editable"):
            skip_next = word in ("-r", "--requirement", "-c", "--constraint")
            if word not in ("-r", "--requirement"):
                continue
            path = words[position + 1] if position + 1 < len(words) else ""
            text = read_file(path) if path and "$" not in path else None
            entries = parse_requirements(text)[0] if text is not None else []
            unchecked = [e for e in entries if not (e.specifier.startswith("==") and e.hashes)]
            written = f"{command} -r" if command == "pip install" else command
            if by_uv and not required:
                # uv checks the hashes a file gives, but installs an entry without one unchecked.
                checked = bool(entries) and not unchecked
                if unchecked and any(entry.hashes for entry in entries):
                    first = unchecked[0]
                    problems.append(
                        f"line {line}: uv checks the hashes that `{path}` gives, but installs "
                        f"its line {first.line}, `{shorten(first.name + first.specifier, 40)}`, "
                        "unchecked: give every entry an exact `==` version and its `--hash`, "
                        "and add `--require-hashes` so that uv refuses an entry without one"
                    )
                elif not checked:
                    problems.append(
                        f"line {line}: `{written}` without `--require-hashes` does not hold "
                        "you to exact, reviewed versions; install from uv.lock with `uv sync --locked`"
                    )
                hashed = hashed or checked
                continue
            checked = required or any(entry.hashes for entry in entries)
            if checked and unchecked:
                first = unchecked[0]
                pinned = first.specifier.startswith("==")
                lacks = (
                    "`--hash`" if pinned else "`==` pin" if first.hashes else "`==` pin or `--hash`"
                )
                problems.append(
                    f"line {line}: {tool} checks the hashes of `{path}`, and stops the build at "
                    f"its line {first.line}, `{shorten(first.name + first.specifier, 40)}`, "
                    f"which has no {lacks}: in hash-checking mode every entry needs an exact "
                    "`==` version and its `--hash`"
                )
            elif not checked:
                problems.append(
                    f"line {line}: `{written}` without `--require-hashes` does not hold "
                    "you to exact, reviewed versions; install from uv.lock with `uv sync --locked`"
                )
            hashed = hashed or checked
            continue
        if word.startswith("-") or "${" in word:
            continue
        if word in (".", "./") or word.startswith(("/", "./")):
            if resolves:
                problems.append(
                    f"line {line}: `pip install {word}` resolves the project's dependencies "
                    "afresh; install them from uv.lock with `uv sync --locked`, or install the "
                    "project alone with `--no-deps` after the locked dependencies"
                )
        elif "==" not in word:
            unpinned.append(word)
    if unpinned:
        problems.append(
            f"line {line}: `pip install {' '.join(unpinned)}` installs whatever versions are "
            "newest on the day of the build; the service's dependencies come from uv.lock"
        )
    return problems, hashed


def user_problems(instructions: Sequence[Instruction]) -> list[str]:
    """The final stage switches to a user that is not root, and that user exists."""
    built = dockerfile.stages(instructions)
    final = built[-1]
    users = final.all("USER")
    if not users:
        return [
            f"the final stage (FROM on line {final.line}) has no USER, so the service runs as "
            "root; create a user in that stage and add `USER 10001:10001` before CMD"
        ]
    last = users[-1]
    # `USER ${APP_UID}`: the build puts in the ARG's or ENV's value.
    user = dockerfile.substitute(last.value, dockerfile.variables(instructions, final))
    name = user.split(":")[0].strip()
    if name in ("root", "0"):
        return [
            f"line {last.line}: `USER {last.value}` runs the service as root; use an unprivileged user"
        ]
    # A user made in a base stage that this one is built FROM exists here too.
    created = " ".join(
        i.value for stage in dockerfile.lineage(built, final) for i in stage.all("RUN")
    )
    if (
        not name.isdigit()
        and name != "nobody"
        and name not in _image_users(instructions, built, final)
        and not re.search(rf"\b(useradd|adduser)\b[^&;]*\b{re.escape(name)}\b", created)
    ):
        return [
            f"line {last.line}: `USER {name}`, but the final stage never creates `{name}` "
            "(users made in a stage it is not built FROM stay there), so the container would not start; "
            "create it with `useradd` in this stage, or use a numeric id"
        ]
    return []


IMAGE_USERS = {
    "gcr.io/distroless/": ("nonroot",),
    "cgr.dev/chainguard/": ("nonroot",),
}
"""Unprivileged users that base images come with: distroless and Chainguard images have no
shell to create one, and give `nonroot` (uid 65532) instead."""


def _image_users(
    instructions: Sequence[Instruction],
    built: Sequence[dockerfile.Stage],
    stage: dockerfile.Stage,
) -> tuple[str, ...]:
    """The users that the image `stage` starts from (through its base stages) comes with."""
    image = dockerfile.lineage(built, stage)[-1].image
    image = dockerfile.substitute(image, dockerfile.global_args(instructions)).lower()
    for prefix, users in IMAGE_USERS.items():
        if image.removeprefix("docker.io/").startswith(prefix):
            return users
    return ()


# The service's liveness endpoint: Docker's HEALTHCHECK marks a container unhealthy when it
# fails, and Swarm (or a restart on health) replaces it, so it asks only whether the process
# is alive, as the lesson and the template say.
LIVENESS_PATH = "/health/live"
# The readiness endpoint checks the database: as a HEALTHCHECK, a database that is down or still
# starting gets the container replaced, which cannot fix the database.
READINESS_PATH = "/health/ready"


DISTROLESS = "gcr.io/distroless/"


def _requests(check: Instruction, path: str) -> bool:
    return re.search(rf"{re.escape(path)}(?![\w/-])", check.value) is not None


def healthcheck_problems(instructions: Sequence[Instruction]) -> list[str]:
    """A HEALTHCHECK is optional; one that is there requests the liveness endpoint with a tool
    the image has.

    On Kubernetes (and most managed container services) the platform's probes decide, and Docker's
    HEALTHCHECK is ignored; plain Docker, Compose and Swarm use it.
    """
    built = dockerfile.stages(instructions)
    final = built[-1]
    checks = final.all("HEALTHCHECK")
    if not checks or checks[-1].value.upper().startswith("NONE"):
        return []
    check = checks[-1]
    problems = []
    if _requests(check, READINESS_PATH):
        problems.append(
            f"line {check.line}: the HEALTHCHECK requests {READINESS_PATH}, the readiness "
            "endpoint, which checks the database: while the database is down or starting, "
            "Docker marks the container unhealthy and Swarm replaces it, which cannot fix the "
            f"database; request the liveness endpoint, {LIVENESS_PATH}"
        )
    elif not _requests(check, LIVENESS_PATH):
        problems.append(
            f"line {check.line}: the HEALTHCHECK requests none of the service's health "
            f"endpoints; request the liveness endpoint, {LIVENESS_PATH}"
        )
    tool = re.search(r"\b(curl|wget)\b", check.value)
    # The image the final stage starts from, through the stages it is built FROM, with the
    # ARGs before the first FROM put in (`FROM ${PYTHON_IMAGE}`).
    lineage = dockerfile.lineage(built, final)
    image = dockerfile.substitute(lineage[-1].image, dockerfile.global_args(instructions))
    image = image.lower().removeprefix("docker.io/")
    if tool and image.startswith(DISTROLESS):
        # No package manager to install it with, and no shell to run a shell-form check.
        problems.append(
            f"line {check.line}: the HEALTHCHECK runs {tool[1]}, which distroless images do "
            'not have (nor a shell); use the exec form with Python: `CMD ["python3", "-c", '
            "\"import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000"
            f"{LIVENESS_PATH}', timeout=3)\"]`"
        )
    elif tool and "python" in image and "slim" in image:
        installed = any(
            re.search(rf"install[^&;]*\b{tool[1]}\b", i.value)
            for stage in lineage
            for i in stage.all("RUN")
        )
        if not installed:
            problems.append(
                f"line {check.line}: the HEALTHCHECK runs {tool[1]}, which the python slim images "
                "do not have; use `python -c` with urllib.request, or install it in this stage"
            )
    return problems


PROJECT_APP = "booking_service.main:create_app"
"""The learner's project's app factory (project/README.md)."""
SERVERS = "uvicorn, gunicorn with uvicorn workers, hypercorn, granian or fastapi run"


class Served(NamedTuple):
    """What a server command serves, and where, as the server would read its options."""

    server: str
    target: str | None
    factory: bool
    """Whether the target is called to build the app (`--factory`, or `module:create_app()`)."""
    host: str | None
    host_option: str
    port: str
    problems: tuple[str, ...]


def _option(words: list[str], *names: str) -> str | None:
    for index, word in enumerate(words):
        for name in names:
            if word == name and index + 1 < len(words):
                return words[index + 1]
            if name.startswith("--") and word.startswith(name + "="):
                return word.split("=", 1)[1]
            if not name.startswith("--") and word.startswith(name) and len(word) > len(name):
                return word[len(name) :]
    return None


def _positionals(words: list[str], takes_value: set[str]) -> list[str]:
    found, skip = [], False
    for word in words:
        if skip:
            skip = False
        elif word.startswith("-"):
            skip = word in takes_value
        else:
            found.append(word)
    return found


# Each server's options that take a value, so that a value (`--timeout-keep-alive 75`) is never
# read as the app. uvicorn's are its CLI's own (a test keeps them in step with the uvicorn this
# course installs); the others are from their documentation, since they are not installed here.
OPTIONS_WITH_A_VALUE = {
    "uvicorn": {
        "--host", "--port", "--uds", "--fd", "--reload-dir", "--reload-include",
        "--reload-exclude", "--reload-delay", "--workers", "--loop", "--http", "--ws",
        "--ws-max-size", "--ws-max-queue", "--ws-ping-interval", "--ws-ping-timeout",
        "--ws-per-message-deflate", "--lifespan", "--interface", "--env-file", "--log-config",
        "--log-level", "--forwarded-allow-ips", "--root-path", "--limit-concurrency", "--backlog",
        "--limit-max-requests", "--limit-max-requests-jitter", "--timeout-keep-alive",
        "--timeout-graceful-shutdown", "--timeout-worker-healthcheck", "--ssl-keyfile",
        "--ssl-certfile", "--ssl-keyfile-password", "--ssl-version", "--ssl-cert-reqs",
        "--ssl-ca-certs", "--ssl-ciphers", "--header", "--app-dir",
        "--h11-max-incomplete-event-size",
    },
    "gunicorn": {
        "-c", "--config", "-b", "--bind", "--backlog", "-w", "--workers", "-k", "--worker-class",
        "--threads", "--worker-connections", "--max-requests", "--max-requests-jitter", "-t",
        "--timeout", "--graceful-timeout", "--keep-alive", "--limit-request-line",
        "--limit-request-fields", "--limit-request-field_size", "--reload-engine",
        "--reload-extra-file", "--chdir", "-e", "--env", "--pythonpath", "--paste", "--paster",
        "-p", "--pid", "--worker-tmp-dir", "-u", "--user", "-g", "--group", "-m", "--umask",
        "--forwarded-allow-ips", "--proxy-allow-from", "--access-logfile", "--access-logformat",
        "--error-logfile", "--log-file", "--log-level", "--logger-class", "--log-config",
        "--log-config-json", "--log-syslog-to", "--log-syslog-prefix", "--log-syslog-facility",
        "--statsd-host", "--statsd-prefix", "--dogstatsd-tags", "-n", "--name", "--keyfile",
        "--certfile", "--ssl-version", "--cert-reqs", "--ca-certs", "--ciphers",
    },
    "hypercorn": {
        "-c", "--config", "-b", "--bind", "--insecure-bind", "--quic-bind", "--backlog", "-w",
        "--workers", "-k", "--worker-class", "--graceful-timeout", "--read-timeout",
        "--keep-alive", "--max-requests", "--max-requests-jitter", "--access-logfile",
        "--access-logformat", "--error-logfile", "--log-file", "--log-level", "--log-config",
        "-p", "--pid", "-u", "--user", "-g", "--group", "-m", "--umask", "--root-path",
        "--server-name", "--statsd-host", "--statsd-prefix", "--keyfile", "--keyfile-password",
        "--certfile", "--ca-certs", "--cert-reqs", "--ciphers", "--verify-mode",
        "--websocket-ping-interval",
    },
    "granian": {
        "--host", "--port", "--uds", "--uds-permissions", "--interface", "--http", "--workers",
        "--blocking-threads", "--blocking-threads-idle-timeout", "--runtime-threads",
        "--runtime-blocking-threads", "--runtime-mode", "--loop", "--task-impl", "--backlog",
        "--backpressure", "--http1-buffer-size", "--http1-header-read-timeout",
        "--http2-initial-connection-window-size", "--http2-initial-stream-window-size",
        "--http2-keep-alive-interval", "--http2-keep-alive-timeout",
        "--http2-max-concurrent-streams", "--http2-max-frame-size", "--http2-max-headers-size",
        "--http2-max-send-buffer-size", "--log-level", "--log-config", "--access-log-fmt",
        "--ssl-certificate", "--ssl-keyfile", "--ssl-keyfile-password", "--ssl-protocol-min",
        "--ssl-ca", "--ssl-crl", "--url-path-prefix", "--respawn-interval",
        "--rss-sample-interval", "--rss-samples", "--workers-lifetime", "--workers-kill-timeout",
        "--workers-max-rss", "--working-dir", "--env-files", "--static-path-route",
        "--static-path-mount", "--static-path-expires", "--reload-paths", "--reload-ignore-dirs",
        "--reload-ignore-patterns", "--reload-ignore-paths", "--reload-tick", "--process-name",
        "--pid-file", "--threads",
    },
    "fastapi run": {
        "--host", "--port", "--app", "--entrypoint", "-e", "--workers", "--root-path",
        "--forwarded-allow-ips",
    },
}  # fmt: skip

# What the app argument looks like: `package.module:name`, or gunicorn's and hypercorn's
# `package.module:factory()`. A value of an option missing from the lists above (a newer server
# has more) is a number, a path or an address, never this, so it is not taken for the app.
_APP_REFERENCE = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*(\(.*\))?")


def _served_target(words: list[str], program: str) -> str | None:
    """The app a `program` command serves: the first word that is neither an option nor an
    option's value, preferring one that looks like the app (a module, or fastapi run's file)."""
    found = _positionals(words, OPTIONS_WITH_A_VALUE[program])
    if program == "fastapi run":
        looks_like_the_app = [word for word in found if word.endswith(".py") or "/" in word]
    else:
        looks_like_the_app = [word for word in found if _APP_REFERENCE.fullmatch(word)]
    return next(iter(looks_like_the_app or found), None)


def _bind(value: str | None) -> tuple[str | None, str]:
    """The host and port of gunicorn's or hypercorn's `--bind`: `0.0.0.0:8000`, `[::]:8000`,
    `0.0.0.0` (port 8000), or `:8000`, which listens on every address as `0.0.0.0` does."""
    if value is None:
        return None, "8000"
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        return host, rest.removeprefix(":") or "8000"
    if ":" not in value:
        return value, "8000"
    host, _, port = value.rpartition(":")
    return (host or "0.0.0.0"), (port or "8000")


INIT_PROGRAMS = ("tini", "tini-static", "dumb-init", "docker-init", "catatonit")
"""Small init processes that run as PID 1, start the command after them and pass it signals."""
USER_SWITCHERS = ("gosu", "su-exec")
"""`gosu app uvicorn …`: they take a user, then replace themselves with the command."""
SHELLS = ("sh", "bash", "dash", "ash")
UVICORN_ENVIRONMENT = {"UVICORN_HOST": "--host", "UVICORN_PORT": "--port", "UVICORN_APP": ""}
"""uvicorn reads each of its options from UVICORN_<OPTION> too (`ENV UVICORN_HOST=0.0.0.0`)."""


def _after_init(words: list[str]) -> list[str]:
    """The command an init process (`tini --`) starts: the words after its own options."""
    if len(words) >= 3 and Path(words[0]).name in USER_SWITCHERS:
        return words[2:]
    if not words or Path(words[0]).name not in INIT_PROGRAMS:
        return words
    rest = words[1:]
    if "--" in rest:
        return rest[rest.index("--") + 1 :]
    while rest and rest[0].startswith("-"):
        rest = rest[1:]
    return rest


def _from_environment(words: list[str], environment: dict[str, str]) -> list[str]:
    """uvicorn's options that the environment gives and the command does not, as options."""
    added = []
    for variable, option in UVICORN_ENVIRONMENT.items():
        value = environment.get(variable)
        if not value:
            continue
        if option and _option(words, option) is None:
            added += [option, value]
        elif not option and _served_target(words, "uvicorn") is None:
            added.append(value)
    if environment.get("UVICORN_FACTORY", "").lower() in ("1", "true", "t", "yes", "y", "on"):
        added.append("--factory")
    return words + added


UV_NO_SYNC_OPTIONS = ("--no-sync",)
UV_NO_SYNC_VARIABLES = ("UV_NO_SYNC",)
"""Only these keep `uv run` from syncing: `--frozen` and `--locked` (and UV_FROZEN, UV_LOCKED)
keep the lock file as it is, but still sync the environment to it (a dev group the image left
out is installed at start-up); `--no-sync` implies `--frozen`, not the other way round."""


def _is_uv_run(words: list[str]) -> bool:
    """`uv run …`, with uv named or given by its path (`/bin/uv run …`)."""
    return len(words) >= 2 and PurePosixPath(words[0]).name == "uv" and words[1] == "run"


def _after_uv_run(
    words: list[str], environment: dict[str, str]
) -> tuple[list[str], tuple[str, ...]]:
    """The command `uv run [options] [--]` starts, and what is wrong with how it starts it.

    A plain `uv run` syncs the project's environment before it starts the command: at every
    container start it may download packages and rewrite the environment, which the lesson keeps
    owned by root and exactly as the lock file built it. `--no-sync` (or UV_NO_SYNC) keeps it
    as it is.
    """
    if not _is_uv_run(words):
        return words, ()
    command = shlex.split(strip_runner(shlex.join(["uv", *words[1:]])))
    options = words[2 : len(words) - len(command)]
    if any(option in UV_NO_SYNC_OPTIONS for option in options) or any(
        environment.get(name, "").lower() in UV_TRUE for name in UV_NO_SYNC_VARIABLES
    ):
        return command, ()
    lock_only = [option for option in options if option in ("--frozen", "--locked")]
    return command, (
        (
            f"`uv run {lock_only[0]}` keeps the lock file but still syncs the environment; "
            if lock_only
            else ""
        )
        + "`uv run` without `--no-sync` syncs the environment each time the container starts, "
        "downloading and installing packages into the image's root-owned environment; write "
        "`uv run --no-sync …` (or `ENV UV_NO_SYNC=1`), or start the server directly",
    )


GUNICORN_CONFIG = "gunicorn.conf.py"
"""The config file gunicorn reads from its working directory unless `-c` names another."""


def _gunicorn_config(text: str) -> dict[str, object]:
    """The plain assignments of a gunicorn config file (`bind = "0.0.0.0:8000"`), not run."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return {}
    found: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                value = None  # computed when gunicorn runs it: the check cannot say
            for target in targets:
                if isinstance(target, ast.Name):
                    found[target.id] = value
    return found


def served(
    words: list[str],
    environment: dict[str, str] | None = None,
    read_file: Callable[[str], str | None] | None = None,
) -> Served | None:
    """Read a server command (`uvicorn …`, `python -m gunicorn …`); None if it starts no server.

    `environment` is the container's (its ENV), which uvicorn and gunicorn read options from
    too. `read_file` gives the text of a file of the image by its path (None when the check
    cannot read it), for gunicorn's config file.
    """
    environment = environment or {}
    words = _after_init(words)
    words, runner_problems = _after_uv_run(words, environment)
    if (
        len(words) >= 3
        and re.fullmatch(r"python3?(\.\d+)?", Path(words[0]).name)
        and words[1] == "-m"
    ):
        words = words[2:]
    if not words:
        return None
    serving = _serving(words, environment, read_file or (lambda path: None))
    if serving is None or not runner_problems:
        return serving
    return serving._replace(problems=runner_problems + serving.problems)


RELOAD_VARIABLES = {"uvicorn": "UVICORN_RELOAD", "granian": "GRANIAN_RELOAD"}
"""The variables that turn on a server's `--reload` (its CLI reads options from them)."""


def _reload_problems(
    server: str, words: list[str], environment: dict[str, str], configured: bool = False
) -> tuple[str, ...]:
    """`--reload` (by option, variable or config file): the development mode that watches the
    files and restarts the server on every change."""
    flags = [word for word in words if word in ("--reload", "--no-reload")]
    variable = RELOAD_VARIABLES.get(server, "")
    if flags:
        source = "`--reload`" if flags[-1] == "--reload" else None
    elif configured:
        source = "`reload = True` in its config file"
    elif environment.get(variable, "").strip().lower() in UV_TRUE:
        source = f"`{variable}`"
    else:
        source = None
    if source is None:
        return ()
    return (
        f"{server} reloads on file changes ({source}), a development mode: it watches the "
        "files, costs CPU, and restarts the service whenever a file changes; turn it off in "
        "the production image",
    )


def _serving(
    words: list[str], environment: dict[str, str], read_file: Callable[[str], str | None]
) -> Served | None:
    program = Path(words[0]).name
    rest = words[1:]
    if program == "uvicorn":
        rest = _from_environment(rest, environment)
    if program in ("uvicorn", "granian"):
        problems: tuple[str, ...] = ()
        if program == "granian" and (_option(rest, "--interface") or "rsgi") != "asgi":
            problems = (
                "granian speaks RSGI unless told `--interface asgi`, and FastAPI is an ASGI app",
            )
        problems += _reload_problems(program, rest, environment)
        return Served(
            program,
            _served_target(rest, program),
            "--factory" in rest,
            _option(rest, "--host"),
            "--host 0.0.0.0",
            _option(rest, "--port") or "8000",
            problems,
        )
    if program in ("gunicorn", "hypercorn"):
        target = _served_target(rest, program)
        bind = _option(rest, "--bind", "-b")
        problems: tuple[str, ...] = ()
        worker = _option(rest, "--worker-class", "-k")
        if program == "gunicorn":
            # gunicorn reads its config file, then GUNICORN_CMD_ARGS, then its command line,
            # each overriding the one before.
            from_env = dockerfile.split_words(environment.get("GUNICORN_CMD_ARGS", ""))
            named = _option(rest, "-c", "--config") or _option(from_env, "-c", "--config")
            # A config path is the working directory's, never looked up on PATH.
            text = read_file(str(PurePosixPath(".", named or GUNICORN_CONFIG)))
            if named and text is None:
                problems += (
                    f"gunicorn reads its settings from `{named}`, which no COPY brings from the "
                    "project into the image",
                )
            config = _gunicorn_config(text or "")
            configured_bind = config.get("bind")
            if isinstance(configured_bind, list | tuple) and configured_bind:
                configured_bind = configured_bind[0]
            bind = bind or _option(from_env, "--bind", "-b")
            if bind is None and isinstance(configured_bind, str):
                bind = configured_bind
            worker = worker or _option(from_env, "--worker-class", "-k")
            if worker is None and isinstance(config.get("worker_class"), str):
                worker = str(config["worker_class"])
            if target is None and isinstance(config.get("wsgi_app"), str):
                target = str(config["wsgi_app"])
            if "uvicorn" not in (worker or "").lower():
                problems += (
                    "gunicorn's own workers speak WSGI, not ASGI: add `-k uvicorn_worker.UvicornWorker`",
                )
            problems += _reload_problems(
                program, from_env + rest, environment, configured=config.get("reload") is True
            )
        else:
            problems += _reload_problems(program, rest, environment)
        host, port = _bind(bind)
        factory = bool(target and target.endswith(")"))
        return Served(
            program,
            target.removesuffix("()") if factory and target else target,
            factory,
            host,
            "--bind 0.0.0.0:8000",
            port,
            problems,
        )
    if program == "fastapi" and rest[:1] == ["run"]:
        rest = rest[1:]
        entry = _option(rest, "--entrypoint", "-e")
        path = _served_target(rest, "fastapi run")
        target = entry
        if target is None and path:
            module = (
                PurePosixPath(path)
                .with_suffix("")
                .as_posix()
                .removeprefix("src/")
                .replace("/", ".")
            )
            target = f"{module}:{_option(rest, '--app') or 'app'}"
        # fastapi run listens on 0.0.0.0 unless told otherwise (fastapi dev on 127.0.0.1).
        return Served(
            "fastapi run",
            target,
            False,
            _option(rest, "--host") or "0.0.0.0",
            "--host 0.0.0.0",
            _option(rest, "--port") or "8000",
            _reload_problems("fastapi run", rest, environment),
        )
    return None


def builds_app_with_factory(root: Path | None, target: str, app: str) -> bool | None:
    """Whether `module:name` in the project is an app built by calling the factory `app`.

    None when the module is not in the project to read (then the check cannot say).
    """
    module, _, name = target.partition(":")
    if root is None:
        return None
    path = root / "src" / Path(*module.split("."))
    source = path.with_suffix(".py") if path.with_suffix(".py").is_file() else path / "__init__.py"
    if not source.is_file():
        return None
    factory = app.partition(":")[2]
    try:
        tree = ast.parse(source.read_text(encoding="utf-8"))
    except SyntaxError:
        return None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            call = node.value
            if isinstance(call, ast.Call):
                called = (
                    call.func.attr
                    if isinstance(call.func, ast.Attribute)
                    else getattr(call.func, "id", "")
                )
                return called == factory
    return False


def _through_a_shell(
    words: list[str], exec_form: bool, environment: dict[str, str]
) -> tuple[list[str], bool]:
    """The command a shell runs, and whether the server gets the container's signals.

    A command in shell form, or `["sh", "-c", "…"]`, runs in a shell that is PID 1 and does not
    pass SIGTERM on, unless it replaces itself with the server (`exec uvicorn …`); the shell
    puts in the container's variables (`--port ${PORT:-8000}`).
    """
    script = None
    if not exec_form:
        script = words
    elif len(words) >= 3 and Path(words[0]).name in SHELLS and words[1] == "-c":
        script = dockerfile.split_words(words[2])
    if script is None:
        return words, True
    script = [dockerfile.substitute(word, environment) for word in script]
    if script[:1] == ["exec"]:
        return script[1:], True
    return script, False


def _image_files(
    instructions: Sequence[Instruction], root: Path | None
) -> Callable[[str], str | None]:
    """Reads a file of the final image that a COPY brought from the project (None otherwise)."""
    built = dockerfile.stages(instructions)
    final = built[-1]

    def read(image_path: str) -> str | None:
        if root is None:
            return None
        project = root.resolve()
        for source in dockerfile.project_source(built, final, image_path):
            path = (project / source).resolve()
            if path.is_relative_to(project) and path.is_file():
                return path.read_text(encoding="utf-8", errors="replace")
        return None

    return read


SCRIPT_SUFFIXES = (".sh", ".bash")


def _entrypoint_script(
    words: list[str], read_file: Callable[[str], str | None]
) -> tuple[str, str | None, list[str]] | None:
    """A shell script the command runs (`./docker-entrypoint.sh`, `sh /app/start.sh`): its name,
    its text from the project (None if no COPY brings it), and the arguments it gets (the CMD,
    after an ENTRYPOINT). None when the command runs no script."""
    if len(words) >= 2 and Path(words[0]).name in SHELLS and not words[1].startswith("-"):
        return words[1], read_file(words[1]), words[2:]
    if not words or Path(words[0]).name in OPTIONS_WITH_A_VALUE or _is_uv_run(words):
        return None
    text = read_file(words[0])
    if text is None and not words[0].endswith(SCRIPT_SUFFIXES):
        return None
    return words[0], text, words[1:]


def _script_lines(text: str) -> list[str]:
    """The script's commands: comments and blank lines dropped, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", text)
    lines = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def _script_command(
    text: str, arguments: list[str], environment: dict[str, str]
) -> tuple[list[str], bool]:
    """The command an entrypoint script ends by starting, and whether it gets the signals.

    The script's last `exec` replaces its shell with the command, which then is PID 1; `"$@"`
    stands for the script's arguments, the CMD. Without `exec`, its last command runs as a child
    of the shell, which does not pass SIGTERM on. The variables the script sets before that line
    (`export PORT=8000`, `PORT=${PORT:-8000}`) count as the container's do: `--port "$PORT"`.
    """

    def command(line: str, variables: dict[str, str]) -> list[str]:
        words: list[str] = []
        for word in dockerfile.split_words(line):
            if word in ("$@", "${@}", "$*", "${*}"):
                words += arguments
            else:
                words.append(dockerfile.substitute(word, variables))
        return words

    lines = _script_lines(text)
    # The variables each line sees: the container's, then what the lines before it set.
    seen: list[dict[str, str]] = []
    variables = dict(environment)
    for line in lines:
        seen.append(variables)
        variables = {**variables, **_script_assignments(line, variables)}
    for line, variables in reversed(list(zip(lines, seen, strict=True))):
        words = command(line, variables)
        # `exec >>log 2>&1` only redirects the shell's output: it starts nothing.
        started = [word for word in words[1:] if not re.match(r"\d*[<>]", word)]
        if words[:1] == ["exec"] and started:
            return started, True
    return (command(lines[-1], seen[-1]) if lines else []), False


_ASSIGNMENT = re.compile(r"(?P<name>[A-Za-z_]\w*)=(?P<value>.*)", re.DOTALL)


def _script_assignments(line: str, variables: dict[str, str]) -> dict[str, str]:
    """The variables a script's line sets: `export NAME=value …`, or a line of `NAME=value`s
    only (before a command, `NAME=value command` sets it for that command alone)."""
    words = dockerfile.split_words(line)
    if words[:1] == ["export"]:
        words = [word for word in words[1:] if not word.startswith("-")]
        words = [word for word in words if _ASSIGNMENT.fullmatch(word)]
    if not words or not all(_ASSIGNMENT.fullmatch(word) for word in words):
        return {}
    found: dict[str, str] = {}
    for word in words:
        match = _ASSIGNMENT.fullmatch(word)
        assert match is not None
        found[match["name"]] = dockerfile.substitute(match["value"], {**variables, **found})
    return found


def run_problems(
    instructions: Sequence[Instruction], app: str = PROJECT_APP, root: Path | None = None
) -> list[str]:
    """EXPOSE the port, and a CMD that starts an ASGI server with the app factory on 0.0.0.0."""
    final = dockerfile.stages(instructions)[-1]
    cmds, entrypoints = final.all("CMD"), final.all("ENTRYPOINT")
    example = f'`CMD ["uvicorn", "--factory", "{app}", "--host", "0.0.0.0", "--port", "8000"]`'
    if not cmds and not entrypoints:
        return [f"the final stage (FROM on line {final.line}) has no CMD: add {example}"]
    last = (cmds or entrypoints)[-1]
    words: list[str] = []
    exec_form = True
    for instruction in entrypoints[-1:] + cmds[-1:]:
        part, is_exec = dockerfile.command_words(instruction)
        words += part
        exec_form = exec_form and is_exec
    environment = dockerfile.variables(instructions, final, runtime=True)
    words, signalled = _through_a_shell(words, exec_form, environment)
    problems = []
    if not signalled:
        problems.append(
            f"line {last.line}: the command is in shell form, so a shell is PID 1 and the server "
            'never gets SIGTERM; write it as a JSON list, `CMD ["uvicorn", …]` (or have the '
            "shell replace itself: `exec uvicorn …`)"
        )
    read_file = _image_files(instructions, root)
    words = _after_init(words)
    script = _entrypoint_script(words, read_file)
    if script is not None:
        name, text, words = script
        if text is None:
            return [
                *problems,
                f"line {last.line}: the command runs `{name}`, which no COPY brings from the "
                "project into the image, so nothing shows which server it starts; COPY the "
                'script in, and end it with `exec uvicorn …` or `exec "$@"`',
            ]
        words, script_signalled = _script_command(text, words, environment)
        if not script_signalled and served(words, environment, read_file) is not None:
            problems.append(
                f"line {last.line}: `{name}` starts the server without `exec`, so the script's "
                "shell stays PID 1 and the server never gets SIGTERM; end the script with "
                '`exec uvicorn …` (or `exec "$@"` to run the CMD)'
            )
    serving = served(words, environment, read_file)
    started = _after_init(words)
    # `uv run fastapi dev`, `python -m fastapi dev`: the words after the one named fastapi.
    names = [PurePosixPath(word).name for word in started]
    if (
        serving is None
        and "fastapi" in names
        and names[names.index("fastapi") + 1 :][:1] == ["dev"]
    ):
        return [
            *problems,
            f"line {last.line}: `fastapi dev` is the development server: it reloads on every "
            "file change and listens on 127.0.0.1; use `fastapi run`",
        ]
    if serving is None:
        return [*problems, f"line {last.line}: the command starts no ASGI server ({SERVERS})"]
    if _is_uv_run(started):
        packages = project_packages(root)
        problems += _uv_problems(
            instructions, started[0], environment, last.line, packages, root=root
        )
    problems += [f"line {last.line}: {problem}" for problem in serving.problems]
    name = serving.server
    factory_name = app.partition(":")[2]
    if serving.target is None:
        problems.append(f"line {last.line}: {name} is not told what to serve: `{app}`")
    elif serving.target == app:
        if not serving.factory and name in ("gunicorn", "hypercorn"):
            problems.append(
                f"line {last.line}: `{app}` is a function that builds the app; write "
                f"`{app}()`, or {name} treats the function itself as the app"
            )
        elif not serving.factory and name != "fastapi run":
            problems.append(
                f"line {last.line}: `{app}` is a function that builds the app; add `--factory`, "
                f"or {name} treats the function itself as the app"
            )
        elif name == "fastapi run":
            problems.append(
                f"line {last.line}: fastapi run serves an app, not a factory: point it at a "
                f"module with `app = {factory_name}()`, or use uvicorn --factory"
            )
    else:
        built = builds_app_with_factory(root, serving.target, app)
        if built is False:
            problems.append(
                f"line {last.line}: {name} serves `{serving.target}`, which the project does not "
                f"build with `{factory_name}()`; serve `{app}`"
            )
        elif built is None:
            problems.append(f"line {last.line}: {name} should serve `{app}`, the service's factory")
    host = serving.host
    if host not in ("0.0.0.0", "::"):
        problems.append(
            f"line {last.line}: {name} listens on {host or '127.0.0.1 (its default)'}, which "
            f"nothing outside the container can reach; add `{serving.host_option}`"
        )
    port = serving.port
    values = dockerfile.variables(instructions, final)
    exposed = {
        dockerfile.substitute(word, values).split("/")[0]
        for expose in final.all("EXPOSE")
        for word in expose.value.split()
    }
    if not exposed:
        problems.append(
            f"the final stage (FROM on line {final.line}) has no EXPOSE: add `EXPOSE {port}`, "
            f"the port {name} listens on"
        )
    elif port not in exposed:
        expose = final.all("EXPOSE")[-1]
        problems.append(
            f"line {expose.line}: EXPOSE {expose.value}, but {name} listens on port {port}"
        )
    return problems


UV_IMAGE = "ghcr.io/astral-sh/uv"
UV_IMAGES = (UV_IMAGE, "astral/uv")
"""uv's own images (on GitHub's registry, and Docker Hub's `astral/uv`): the bare one holds
only the uv and uvx binaries, at /uv and /uvx; the `python3.14-bookworm-slim` kinds are Python
images with uv in /usr/local/bin."""
UV_VERSION_TAG = re.compile(r"v?\d+(?:\.\d+)*(?:-\S+)?")
"""A tag of uv's image that names uv's version: `0.13.9`, `0.13` (as `uv==0.13.*` is a pin to
pip), or a Python image of one (`0.13.9-python3.14-bookworm-slim`)."""
UV_RELEASE = re.compile(r"v?\d+(?:\.\d+)*")
"""A version of uv, as the installer's URL names it."""
UV_INSTALLER_URL = re.compile(
    r"astral\.sh/uv/(?:(?P<version>[^/\s\"']+)/)?install\.sh"
    r"|github\.com/astral-sh/uv/releases/(?:download/(?P<release>[^/\s\"']+)|latest/download)"
    r"/uv-installer\.sh"
)
"""uv's installer script: `astral.sh/uv/0.13.9/install.sh` installs that version, the one
without a version whatever uv is newest; so does the copy on each release's page,
`github.com/astral-sh/uv/releases/download/0.13.9/uv-installer.sh`, and GitHub's link to the
newest release's, `releases/latest/download/uv-installer.sh`."""
UV_INSTALL = re.compile(
    r"\b(?:pip3?|pipx|python3?(?:\.\d+)?\s+-m\s+pip|uv\s+tool)\s+install\b[^&;|]*?"
    r"(?<![\w./-])[\"']?uv(?![\w./-])"  # pip install uv, "uv==0.13.9", uv[...]
    r"|"
    + UV_INSTALLER_URL.pattern  # uv's installer script
    + r"|\b(?:apk\s+add|apt(?:-get)?\s+install)\b[^&;|]*?(?<![\w./-])uv(?![\w./-])"
)
"""A RUN that installs uv into the stage."""
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
"""The PATH of the Debian-based images (python's and uv's) when no ENV sets it."""
SYSTEM_FOLDERS = frozenset(DEFAULT_PATH.split(":"))
SYSTEM_BIN = PurePosixPath("/usr/local/bin")
"""Where the image's own Python puts the commands of what pip installs."""
SHELL_SEPARATOR = re.compile(r"&&|\|\||[;|&]")


def uv_locations(
    instructions: Sequence[Instruction],
    built: Sequence[dockerfile.Stage],
    stage: dockerfile.Stage,
    packages: ProjectPackages | None = None,
    root: Path | None = None,
) -> set[PurePosixPath]:
    """Where the uv binaries of `stage` are: in its base image if that is one of uv's, where a
    RUN of it (or of a stage it is built on) installs uv, and where a COPY puts uv's binary, or
    a folder holding it, from uv's image or from a stage that has it.

    A RUN's install is placed as the tool places it: pip puts uv beside the pip (or python) that
    runs, which PATH finds (a virtual environment's, once its bin/ comes first); `--user`, pipx
    and uv's installer put it in ~/.local/bin. A `uv sync` puts uv in the project's environment
    when uv is among the `packages` of pyproject.toml it installs (None: the project is not
    there to read, and such a uv is not found). A `pip install --require-hashes -r <file>`
    installs uv when the file, read from the project at `root` (the build context), pins uv
    with `==` and a hash; without `root` such a uv is not found.
    """
    values = dockerfile.global_args(instructions)
    chain = dockerfile.lineage(built, stage)
    found: set[PurePosixPath] = set()
    image = _image_reference(chain[-1].image, values)
    if uv_image_tag(image) is not None:
        found |= _uv_image_paths(image)
    by_name = {candidate.name: candidate for candidate in built if candidate.name}
    by_name.update({str(index): candidate for index, candidate in enumerate(built)})
    environment: dict[str, str] = {}
    workdir = PurePosixPath("/")
    venvs: dict[PurePosixPath, bool] = {}
    for ancestor in reversed(chain):
        position = next(index for index, candidate in enumerate(built) if candidate is ancestor)
        copies = {copy.line: copy for copy in dockerfile.copies(ancestor)}
        for instruction in ancestor.instructions:
            if instruction.keyword == "WORKDIR":
                workdir = workdir / dockerfile.substitute(
                    instruction.value.strip().strip("\"'"), environment
                )
            elif instruction.keyword in ("ENV", "ARG"):
                for name, setting in dockerfile.settings(instruction):
                    if setting is None:
                        setting = values.get(name, environment.get(name))
                    if setting is not None:
                        environment[name] = dockerfile.substitute(setting.strip("'\""), environment)
            elif instruction.keyword == "RUN":
                # A sync first: a RUN that installs uv after it (`uv sync && uv pip install uv`)
                # keeps it, and one that installs it before is rare.
                for location, installed in _synced_uv(
                    instruction.value, environment, workdir, packages
                ).items():
                    if installed:
                        found.add(location)
                    else:  # an exact sync removes what the project does not install
                        found.discard(location)
                found |= _installed_uv(instruction.value, environment, workdir, venvs)
                found |= _uv_from_requirements(
                    instruction.value,
                    environment,
                    workdir,
                    venvs,
                    lambda path, ancestor=ancestor: _context_file(root, built, ancestor, path),
                )
                venvs.update(_made_venvs(instruction.value, environment, workdir))
            elif (copy := copies.get(instruction.line)) is not None and copy.from_stage:
                source = _image_reference(copy.from_stage, values)
                if uv_image_tag(source) is not None:
                    found |= _copied(copy, _uv_image_paths(source))
                elif (earlier := by_name.get(source)) is not None and any(
                    candidate is earlier for candidate in built[:position]
                ):
                    found |= _copied(
                        copy, uv_locations(instructions, built, earlier, packages, root)
                    )
    return found


def _image_reference(image: str, values: dict[str, str]) -> str:
    return dockerfile.substitute(image, values).lower().removeprefix("docker.io/")


def uv_image_tag(reference: str) -> str | None:
    """The tag of one of uv's images (`""`: none, which means `latest`); None for another image.

    `reference` is as `_image_reference` gives it: lower case, without `docker.io/`.
    """
    name = reference.partition("@")[0]
    repository, tag = name, ""
    if ":" in name.rpartition("/")[2]:
        repository, _, tag = name.rpartition(":")
    return tag if repository in UV_IMAGES else None


def uv_version_problems(instructions: Sequence[Instruction]) -> list[str]:
    """uv's own version is pinned however uv arrives, as `pip install "uv==0.13.9"` pins it: an
    image of uv's (copied from, or mounted for one RUN) by a tag that names uv's version or by a
    digest, the installer by the version in its URL, pipx and `uv tool install` by `==`; and no
    `uv self update` replaces it with the newest. (pip's `uv` is judged with the other packages
    pip installs.)

    A FROM of uv's image is judged here only for a tag with a number that names no uv version
    (`python3.14-bookworm-slim`): the base-image rule refuses no tag, `latest` and an ARG.
    """
    values = dockerfile.global_args(instructions)
    built = dockerfile.stages(instructions)
    stage_names = {stage.name for stage in built if stage.name}
    origins = _uv_origins(instructions, built, values)
    problems = []
    for stage in built:
        image = _image_reference(stage.image, values)
        tag = uv_image_tag(image)
        if tag is not None and "@" not in image and re.search(r"\d", tag) and "$" not in image:
            problems += _uv_image_problems(stage.line, image)
        seen = dockerfile.variables(instructions, stage)
        for instruction in stage.instructions:
            if instruction.keyword == "COPY":
                for option, written in dockerfile.from_options(instruction):
                    problems += _taken_uv_problems(
                        instruction.line, option, written, values, stage_names
                    )
            elif instruction.keyword == "RUN":
                for mount in dockerfile.run_mounts(instruction.value):
                    problems += _mounted_uv_problems(instruction.line, mount, values, stage_names)
                for match in UV_INSTALLER_URL.finditer(instruction.value):
                    problems += _uv_installer_problems(instruction.line, match, seen)
                for index, (words, inline) in enumerate(_shell_commands(instruction.value)):
                    problems += _uv_tool_problems(instruction.line, words)
                    problems += _self_update_problems(
                        instruction.line,
                        _as_tool(words)[0],
                        {**seen, **inline},
                        origins.get((instruction.line, index), frozenset()),
                    )
    return problems


def _mounted_uv_problems(
    line: int, mount: dict[str, str], values: dict[str, str], stage_names: set[str]
) -> list[str]:
    """What leaves uv's version unpinned in the image a RUN's bind mount takes uv from
    (`--mount=from=ghcr.io/astral-sh/uv:0.13.9,source=/uv,target=/bin/uv`), judged as a
    `COPY --from` of it; a mount from a stage (`from=uv`) is judged where that stage's FROM is.
    """
    written = mount.get("from", "")
    # An ARG stops the build in any mount's `from`; only a bind mount brings uv's binary.
    if not written or (mount["type"] != "bind" and "$" not in written):
        return []
    return _taken_uv_problems(line, "from", written, values, stage_names)


def _taken_uv_problems(
    line: int, option: str, written: str, values: dict[str, str], stage_names: set[str]
) -> list[str]:
    """What leaves uv's version unpinned in the image of uv's that a COPY's `--from` or a
    mount's `from` (`option`) names as `written`; nothing for a stage or another image."""
    image = _image_reference(written, values)
    if uv_image_tag(image) is None:
        return []
    if "$" in written:
        return [_unexpanded_from_problem(line, option, written, values, stage_names)]
    return _uv_image_problems(line, image)


def _repository_and_tag(reference: str) -> tuple[str, str]:
    """An image's name and its tag (`""`: none), as written: the colon of a registry's port
    (`registry:5000/uv`) or of an ARG's default (`${UV_VERSION:-0.13.9}`) starts no tag."""
    masked = re.sub(r"\$\{[^}]*\}", lambda variable: "x" * len(variable[0]), reference)
    colon = masked.rfind(":")
    if colon <= masked.rfind("/"):
        return reference, ""
    return reference[:colon], reference[colon + 1 :]


def _unexpanded_from_problem(
    line: int, option: str, written: str, values: dict[str, str], stage_names: set[str]
) -> str:
    """The build stops at an ARG in a COPY's `--from` or a mount's `from` (`option`), written
    as `written`, and the way round: a stage FROM that image, which may use an ARG before the
    first FROM (`values`), named apart from the Dockerfile's `stage_names`.

    BuildKit expands `--from` with no variables at all, not even those before the first FROM,
    and stops with "variable expansion is not supported for --from" when that changes it; a
    mount's `from` it reads before any variable has a value.
    """
    image = _image_reference(written, values)
    resolved = dockerfile.substitute(written, values)
    repository, tag = _repository_and_tag(written.partition("@")[0])
    is_uv = uv_image_tag(image) is not None
    if is_uv:
        arg = _arg_in(tag if "$" in tag else written)
        uv_repository = _repository_and_tag(image.partition("@")[0])[0]
        literal = f"name the version, such as `{option}={uv_repository}:{PINNED_UV}`"
    else:
        arg = _arg_in(written)
        if "$" in resolved:
            literal = "write the value in place of the ARG"
        elif resolved.lower() in stage_names:
            literal = f"name the stage, such as `{option}={resolved.lower()}`"
        else:
            literal = f"name the image in full, such as `{option}={resolved}`"
    default = values.get(arg) or ""
    if is_uv and "$" in tag and not UV_VERSION_TAG.fullmatch(default):
        default = PINNED_UV  # the stage is of a uv version, not of `latest` or no tag
    # The stage is named after the image, as uv's Docker guide names its `uv` stage.
    base = re.sub(r"\$\{(\w+)[^}]*\}|\$(\w+)", r"\1\2", repository.rpartition("/")[2]).lower()
    name = "uv" if is_uv else re.sub(r"[^a-z0-9_.-]+", "-", base).strip("-.")
    if not name or not name[0].isalpha():
        name = "source"
    if name in stage_names:
        name += "-image"
    if option == "--from":
        way, use = "copy", f"COPY --from={name} …"
    else:
        way, use = "mount", f"--mount=from={name},…"
    where = "a COPY's `--from`" if option == "--from" else "a mount's `from`"
    return (
        f"line {line}: `{option}={written}`: the build does not replace ARGs in {where}, and "
        f"stops; {literal}, or {way} from a stage: `FROM {written} AS {name}` (with "
        f"`ARG {arg}={default or '…'}` before the first FROM), then `{use}`"
    )


UV_TOOL_OPTIONS_WITH_A_VALUE = {
    "--python", "-p", "--suffix", "--pip-args", "--index-url", "-i", "--index",
    "--extra-index-url", "--with", "--with-requirements", "--with-editable", "--constraints",
    "-c", "--overrides", "--from", "--default-index", "-w",
}  # fmt: skip
"""Options of `pipx install` and `uv tool install` whose value is the next word."""


UV_REQUIREMENT = re.compile(r"uv(?:\[[^\]]*\])?(?:\s*[<>=!~;].*)?", re.IGNORECASE)
"""A requirement of uv itself (`uv`, `uv>=0.13`, `uv[extra]`), not of `uvicorn`."""


PYTHON_PROGRAM = re.compile(r"python3?(?:\.\d+)?")
"""A Python interpreter by name (`python`, `python3`, `python3.14`), which `-m` runs a module of."""
MODULE_TOOLS = ("pipx", "uv")
"""The tools that install uv and also run as a module of Python (`python -m pipx install uv`)."""


def _as_tool(words: list[str]) -> tuple[list[str], list[str]]:
    """A command's words as the tool reads them, and what runs the tool before them: `python -m
    pipx install uv` is `pipx install uv` run by `python -m`; other commands are as written."""
    if (
        len(words) > 2
        and PYTHON_PROGRAM.fullmatch(PurePosixPath(words[0]).name)
        and words[1] == "-m"
        and words[2] in MODULE_TOOLS
    ):
        return words[2:], words[:2]
    return words, []


def _uv_tool_problems(line: int, written: list[str]) -> list[str]:
    """`pipx install uv` and `uv tool install uv` without `==`: whatever uv is newest then (run
    as a module of Python as well)."""
    words, runner = _as_tool(written)
    program = PurePosixPath(words[0]).name
    if program == "pipx" and words[1:2] == ["install"]:
        options = words[2:]
    elif program == "uv" and words[1:3] == ["tool", "install"]:
        options = words[3:]
    else:
        return []
    # `uv tool install --from "uv==0.13.9" uv`: the package is the one `--from` names.
    specs = _option_values(options, "--from") or _positionals(options, UV_TOOL_OPTIONS_WITH_A_VALUE)
    command = " ".join(runner + (words[:3] if program == "uv" else words[:2]))
    return [
        f"line {line}: `{command} {spec}` installs whatever uv is newest on the day of the "
        f'build; pin it, such as `{command} "uv=={PINNED_UV}"`'
        for spec in specs
        if UV_REQUIREMENT.fullmatch(spec) and "==" not in spec
    ]


def _self_update_problems(
    line: int, words: list[str], seen: dict[str, str], origins: frozenset[str] = frozenset()
) -> list[str]:
    """`uv self update` without a version: it replaces the pinned uv with the newest; and any
    `uv self update` of a uv that cannot update itself (`origins`: see `_uv_origins`)."""
    if not (PurePosixPath(words[0]).name == "uv" and words[1:3] == ["self", "update"]):
        return []
    if origins and origins <= set(SELF_UPDATE_REFUSED):
        return [_cannot_self_update(line, words, origins)]
    if "--dry-run" in words:
        return []
    targets = _positionals(words[3:], {"--token"})
    if not targets:
        return [
            f"line {line}: `uv self update` replaces uv with whatever version is newest on the "
            f"day of the build (and only a uv from uv's installer can update itself); drop it, "
            f"or name the version, such as `uv self update {PINNED_UV}`"
        ]
    version = dockerfile.substitute(targets[0], seen)
    if "$" in version or not version:
        return [
            f"line {line}: `uv self update {targets[0]}` uses an ARG without a default; declare "
            f"it with uv's version before this RUN, such as `ARG {_arg_in(targets[0])}={PINNED_UV}`"
        ]
    if not UV_RELEASE.fullmatch(version):
        return [
            f"line {line}: `uv self update {targets[0]}` names no version of uv (`{version}`); "
            f"name one, such as `uv self update {PINNED_UV}`"
        ]
    return []


PINNED_UV = "0.13.9"
"""The uv version the messages give as an example: the one the course's model installs."""


# uv updates itself only when uv's installer script installed it: the installer leaves a
# receipt (~/.config/uv/uv-receipt.json) for that binary, and without one `uv self update`
# stops, before even a `--dry-run`, with (uv's crates/uv/src/commands/self_update.rs; quoted in
# astral-sh/uv issues #6774 and #17417):
#     error: Self-update is only available for uv binaries installed via the standalone
#     installation scripts.
#     If you installed uv with pip, brew, or another package manager, update uv with
#     `pip install --upgrade`, `brew upgrade`, or similar.
# A package manager writes no receipt, nor does a copy of uv's image, and the installer writes
# none when `UV_UNMANAGED_INSTALL` is set ("will also disable self-updates", uv's installer
# reference at docs.astral.sh/uv/reference/installer).
SELF_UPDATE_REFUSED = {
    "package": (
        "a package manager (pip, pipx, `uv tool`, apt or apk)",
        f'`pip install "uv=={PINNED_UV}"`',
    ),
    "image": (
        "uv's image",
        f"`{UV_IMAGE}:{PINNED_UV}` in the FROM, COPY or mount that takes uv's image",
    ),
    "unmanaged": (
        "uv's installer with `UV_UNMANAGED_INSTALL`, which turns self-update off",
        f"the installer's URL `https://astral.sh/uv/{PINNED_UV}/install.sh`",
    ),
}
"""How a uv that cannot update itself arrived: what the message calls it, and the example of
pinning the version there instead."""
SELF_UPDATABLE = "installer"
"""uv's installer script, without `UV_UNMANAGED_INSTALL`: the one uv that updates itself."""
COPIED_FROM_A_STAGE = "copied"
"""An installer's uv copied from another stage: it updates itself only if its receipt came
along, which the check does not follow, so it is given the benefit of the doubt."""


def _cannot_self_update(line: int, words: list[str], origins: frozenset[str]) -> str:
    kinds = [kind for kind in SELF_UPDATE_REFUSED if kind in origins]
    where = " and ".join(SELF_UPDATE_REFUSED[kind][0] for kind in kinds)
    example = SELF_UPDATE_REFUSED[kinds[0]][1]
    return (
        f"line {line}: `{' '.join(words)}` stops the build: only a uv that uv's installer "
        f"script installed can update itself, and this uv comes from {where}; drop the "
        f"`uv self update` and pin the version where uv is installed, such as {example}"
    )


def _uv_origins(
    instructions: Sequence[Instruction],
    built: Sequence[dockerfile.Stage],
    values: dict[str, str],
) -> dict[tuple[int, int], frozenset[str]]:
    """How the uv that each RUN command could run arrived, by the RUN's line and the command's
    place in it (as `_shell_commands` counts): the kinds of `SELF_UPDATE_REFUSED`,
    `SELF_UPDATABLE` and `COPIED_FROM_A_STAGE` of every uv the stage has by then. A uv the
    check cannot follow (a `uv sync` of the project, a hashed requirements file) adds nothing.
    """
    at_end: dict[int, frozenset[str]] = {}
    found: dict[tuple[int, int], frozenset[str]] = {}
    by_name = {stage.name: stage for stage in built if stage.name}
    by_name.update({str(index): stage for index, stage in enumerate(built)})

    def from_stage(
        source: str, position: int, brings: Callable[[set[PurePosixPath]], bool]
    ) -> set[str]:
        earlier = by_name.get(source)
        if earlier is None or not any(stage is earlier for stage in built[:position]):
            return set()
        if not brings(uv_locations(instructions, built, earlier)):
            return set()
        kinds = set(at_end.get(earlier.line, frozenset()))
        # A copied binary leaves its installer's receipt behind, unless that is copied too.
        return (kinds - {SELF_UPDATABLE}) | (
            {COPIED_FROM_A_STAGE} if SELF_UPDATABLE in kinds else set()
        )

    for position, stage in enumerate(built):
        base = dockerfile.base_stage(built, stage)
        kinds: set[str] = set(at_end.get(base.line, frozenset())) if base else set()
        if base is None and uv_image_tag(_image_reference(stage.image, values)) is not None:
            kinds.add("image")
        seen = dockerfile.variables(instructions, stage)
        copies = {copy.line: copy for copy in dockerfile.copies(stage)}
        for instruction in stage.instructions:
            if (copy := copies.get(instruction.line)) is not None and copy.from_stage:
                source = _image_reference(copy.from_stage, values)
                if uv_image_tag(source) is not None:
                    if _copied(copy, _uv_image_paths(source)):
                        kinds.add("image")
                else:
                    kinds |= from_stage(
                        source, position, lambda found, copy=copy: bool(_copied(copy, found))
                    )
            if instruction.keyword != "RUN":
                continue
            mounted: set[str] = set()  # a mount's uv is there for this RUN only
            for mount in dockerfile.run_mounts(instruction.value):
                if mount["type"] != "bind" or not mount.get("from"):
                    continue
                source = _image_reference(mount["from"], values)
                inside = PurePosixPath("/", mount.get("source", "/"))
                covers = lambda found, inside=inside: any(  # noqa: E731
                    location == inside or location.is_relative_to(inside) for location in found
                )
                if uv_image_tag(source) is not None:
                    if covers(_uv_image_paths(source)):
                        mounted.add("image")
                else:
                    mounted |= from_stage(source, position, covers)
            unmanaged = "UV_UNMANAGED_INSTALL" in instruction.value or bool(
                seen.get("UV_UNMANAGED_INSTALL")
            )
            for index, (words, _) in enumerate(_shell_commands(instruction.value)):
                found[(instruction.line, index)] = frozenset(kinds | mounted)
                command = " ".join(words)
                if UV_INSTALLER_URL.search(command):
                    kinds.add("unmanaged" if unmanaged else SELF_UPDATABLE)
                elif UV_INSTALL.search(command):
                    kinds.add("package")
        at_end[stage.line] = frozenset(kinds)
    return found


def _arg_in(written: str) -> str:
    """The first ARG a written value uses (`${UV_VERSION}`, `$UV_VERSION`), for a message."""
    name = re.search(r"\$\{?(\w+)", written)
    return name[1] if name else "UV_VERSION"


def _uv_image_problems(line: int, image: str) -> list[str]:
    """What leaves uv's version unpinned in `image` (as `_image_reference` gives it, its ARGs
    replaced); nothing for another image."""
    tag = uv_image_tag(image)
    if tag is None or "@sha256:" in image:
        return []
    repository = image.partition("@")[0].removesuffix(":" + tag) if tag else image
    if not tag:
        return [
            f"line {line}: `{image}` has no tag, which means `latest`: whatever uv is newest on "
            f"the day of the build; pin uv's version, such as `{image}:{PINNED_UV}` (or its "
            "digest, `@sha256:…`)"
        ]
    if tag == "latest":
        return [
            f"line {line}: `{image}` moves whenever uv releases; pin uv's version, such as "
            f"`{repository}:{PINNED_UV}` (or its digest, `@sha256:…`)"
        ]
    if not UV_VERSION_TAG.fullmatch(tag):
        example = f"{PINNED_UV}-{tag}" if re.search(r"\d", tag) else PINNED_UV
        return [
            f"line {line}: the tag `{tag}` of `{repository}` names no version of uv, so uv "
            f"changes whenever it releases; name one, such as `{repository}:{example}`"
        ]
    return []


def _uv_installer_problems(line: int, url: re.Match[str], seen: dict[str, str]) -> list[str]:
    """What leaves the version of uv's installer script unpinned (`seen`: the ARGs and ENVs the
    RUN sees)."""
    written = url["version"] or url["release"]
    # The example is of the installer's own kind: uv's site, or the release page on GitHub.
    example = (
        f"https://astral.sh/uv/{PINNED_UV}/install.sh"
        if url[0].startswith("astral.sh")
        else f"https://github.com/astral-sh/uv/releases/download/{PINNED_UV}/uv-installer.sh"
    )
    if written is None:
        return [
            f"line {line}: `https://{url[0]}` installs whatever uv is newest on the day of the "
            f"build; pin uv's version in the URL, such as `{example}`"
        ]
    version = dockerfile.substitute(written, seen)
    if "$" in written and ("$" in version or not version):
        arg = _arg_in(written)
        return [
            f"line {line}: `https://{url[0]}` uses an ARG without a default; declare it with "
            f"uv's version before this RUN, such as `ARG {arg}={PINNED_UV}`"
        ]
    if not UV_RELEASE.fullmatch(version):
        return [
            f"line {line}: `https://{url[0]}` names no version of uv (`{version}`); pin one, "
            f"such as `{example}`"
        ]
    return []


def _uv_image_paths(image: str) -> set[PurePosixPath]:
    """Where one of uv's images has uv: the bare image (a version tag) at /uv, the Python and
    distribution kinds (`python3.14-bookworm-slim`, `alpine`) in /usr/local/bin."""
    name = image.partition("@")[0]
    tag = name.rpartition(":")[2] if ":" in name.rpartition("/")[2] else ""
    bare, derived = PurePosixPath("/uv"), SYSTEM_BIN / "uv"
    if not tag or "$" in tag:  # a digest alone, or an ARG the check cannot resolve: either kind
        return {bare, derived}
    return {bare} if re.fullmatch(r"v?\d+(\.\d+)*|latest", tag) else {derived}


def _copied(copy: dockerfile.Copy, locations: set[PurePosixPath]) -> set[PurePosixPath]:
    """Where a COPY puts the uv binaries at `locations` of its source: a binary named as a
    source, or one inside a folder named as a source (`COPY --from=builder /root/.local/bin
    /usr/local/bin` copies what the folder holds)."""
    destination = PurePosixPath(copy.destination)
    into_folder = copy.into_folder or str(destination) in SYSTEM_FOLDERS | {"/"}
    found = set()
    for source in copy.sources:
        source_path = PurePosixPath("/", source)
        for location in locations:
            if location == source_path or fnmatchcase(str(location), str(source_path)):
                found.add(destination / location.name if into_folder else destination)
            elif location.is_relative_to(source_path):
                found.add(destination / location.relative_to(source_path))
    return found


def _shell_commands(run: str) -> list[tuple[list[str], dict[str, str]]]:
    """A RUN's commands as words, each with the variables set before it (`NAME=value pip …`).

    The RUN's own options (`--mount=…`) are not a command's words: the build reads them first.
    """
    commands = []
    for part in SHELL_SEPARATOR.split(dockerfile.run_arguments(run)[1]):
        words = dockerfile.split_words(part)
        inline: dict[str, str] = {}
        while words and (match := _ASSIGNMENT.fullmatch(words[0])):
            inline[match["name"]] = match["value"]
            words = words[1:]
        if words[:1] in (["env"], ["sudo"]):
            words = words[1:]
        if words:
            commands.append((words, inline))
    return commands


def _installed_uv(
    run: str,
    environment: dict[str, str],
    workdir: PurePosixPath,
    venvs: dict[PurePosixPath, bool],
) -> set[PurePosixPath]:
    """Where a RUN installs uv (see `uv_locations`); empty when it installs none."""
    found: set[PurePosixPath] = set()
    home = PurePosixPath(environment.get("HOME") or "/root")
    run = dockerfile.substitute(run, environment)  # `astral.sh/uv/${UV_VERSION}/install.sh`
    if UV_INSTALLER_URL.search(run):
        # `curl … | env UV_INSTALL_DIR=/usr/local/bin sh`: the setting is the shell's, after the pipe.
        inline = re.search(r"\bUV_INSTALL_DIR=[\"']?([^\s\"']+)", run)
        folder = (inline[1] if inline else None) or environment.get("UV_INSTALL_DIR")
        folder = folder or environment.get("XDG_BIN_HOME")
        if folder:
            found.add(workdir / folder / "uv")
        else:  # ~/.local/bin, or ~/.cargo/bin for the installers of uv before 0.5
            version = re.search(r"(?:astral\.sh/uv|releases/download)/v?(\d+)\.(\d+)", run)
            old = version is not None and (int(version[1]), int(version[2])) < (0, 5)
            found.add(home / (".cargo/bin/uv" if old else ".local/bin/uv"))
    for words, inline in _shell_commands(run):
        command = " ".join(words)
        if UV_INSTALL.search(command) and not UV_INSTALLER_URL.search(command):
            found |= _uv_install_target(words, {**environment, **inline}, workdir, venvs, home)
    return found


PIP_PROGRAM = re.compile(r"pip3?(?:\.\d+)?|python3?(?:\.\d+)?")
REQUIREMENT_OPTIONS = ("-r", "--requirement")


def _uv_from_requirements(
    run: str,
    environment: dict[str, str],
    workdir: PurePosixPath,
    venvs: dict[PurePosixPath, bool],
    read_file: Callable[[PurePosixPath], str | None],
) -> set[PurePosixPath]:
    """Where a RUN's `pip install --require-hashes -r requirements-uv.txt` installs uv: when
    the file (COPYed from the project) pins uv with `==` and a hash, as uv's docs suggest for a
    hashed install of uv itself. An unhashed pin does not count: with `--require-hashes` pip
    refuses it, and without, the lock-file rule refuses the install."""
    found: set[PurePosixPath] = set()
    home = PurePosixPath(environment.get("HOME") or "/root")
    for words, inline in _shell_commands(run):
        program = PurePosixPath(words[0]).name
        if not PIP_PROGRAM.fullmatch(program) or "install" not in words:
            continue
        if program.startswith("python") and words[1:3] != ["-m", "pip"]:
            continue
        options = pip_words(words[words.index("install") + 1 :])
        for name in REQUIREMENT_OPTIONS:
            for path in _option_values(options, name):
                text = read_file(workdir / dockerfile.substitute(path, environment))
                if text is not None and _pins_uv_with_a_hash(text):
                    variables = {**environment, **inline}
                    found |= _uv_install_target(words, variables, workdir, venvs, home)
    return found


def _pins_uv_with_a_hash(text: str) -> bool:
    entries, _ = parse_requirements(text)
    return any(
        entry.name == UV_PACKAGE and entry.specifier.startswith("==") and entry.hashes
        for entry in entries
    )


def _context_file(
    root: Path | None,
    built: Sequence[dockerfile.Stage],
    stage: dockerfile.Stage,
    path: PurePosixPath,
) -> str | None:
    """The text of a file of `stage` at `path`, from the project file a COPY brought there."""
    if root is None:
        return None
    project = root.resolve()
    for source in dockerfile.project_source(built, stage, str(path)):
        candidate = (project / source).resolve()
        if candidate.is_relative_to(project) and candidate.is_file():
            return candidate.read_text(encoding="utf-8", errors="replace")
    return None


def _uv_install_target(
    words: list[str],
    environment: dict[str, str],
    workdir: PurePosixPath,
    venvs: dict[PurePosixPath, bool],
    home: PurePosixPath,
) -> set[PurePosixPath]:
    words = _as_tool(words)[0]  # `python -m pipx` puts uv where pipx does
    program = PurePosixPath(words[0]).name
    if program in ("apt-get", "apt", "apk"):
        return {PurePosixPath("/usr/bin/uv")}
    if program == "pipx":
        return {workdir / (environment.get("PIPX_BIN_DIR") or home / ".local/bin") / "uv"}
    if program == "uv" and words[1:2] == ["tool"]:
        folder = environment.get("UV_TOOL_BIN_DIR") or environment.get("XDG_BIN_HOME")
        return {workdir / (folder or home / ".local/bin") / "uv"}
    options = words[words.index("install") + 1 :] if "install" in words else []
    for option in ("--prefix", "--target"):
        if (folder := _option(options, option)) is not None:
            return {workdir / folder / "bin" / "uv"}
    if program == "uv":  # uv pip install: the environment it is told, or the active one
        if "--system" in options or environment.get("UV_SYSTEM_PYTHON", "").lower() in UV_TRUE:
            return {SYSTEM_BIN / "uv"}
        python = _option(options, "--python", "-p") or environment.get("UV_PYTHON")
        if python and "/" in python:
            interpreter = workdir / python
            venv = interpreter.parent.parent if interpreter.parent.name == "bin" else interpreter
            return {venv / "bin" / "uv"}
        return {workdir / (environment.get("VIRTUAL_ENV") or ".venv") / "bin" / "uv"}
    if "--user" in options:
        return {home / ".local/bin/uv"}
    if "/" in words[0]:  # /app/.venv/bin/pip, /venv/bin/python -m pip: uv goes beside it
        return {(workdir / words[0]).parent / "uv"}
    # A bare pip or python is the first on PATH: a virtual environment's bin/ put before the
    # image's folders finds its own (one that `uv venv` made has python, but no pip).
    needs_pip = program.startswith("pip")
    for folder in _path_folders(environment):
        if folder.name == "bin" and (has_pip := venvs.get(folder.parent)) is not None:
            if has_pip or not needs_pip:
                return {folder / "uv"}
        if str(folder) in SYSTEM_FOLDERS:
            break
    return {SYSTEM_BIN / "uv"}


UV_PACKAGE = "uv"


class ProjectPackages(NamedTuple):
    """The packages a project's pyproject.toml names, by where it names them: what a `uv sync`
    installs depends on its groups and extras."""

    dependencies: frozenset[str]
    extras: dict[str, frozenset[str]]
    groups: dict[str, frozenset[str]]
    default_groups: tuple[str, ...]
    """The groups `uv sync` installs unless told otherwise: `dev`, or `[tool.uv] default-groups`."""

    def everything(self) -> frozenset[str]:
        return self.dependencies.union(*self.extras.values(), *self.groups.values())


def project_packages(root: Path | None) -> ProjectPackages | None:
    """The packages of the project's pyproject.toml; None when there is none to read."""
    path = root / "pyproject.toml" if root is not None else None
    if path is None or not path.is_file():
        return None
    try:
        data = uv_lock.tomllib.loads(path.read_text(encoding="utf-8"))
    except (uv_lock.tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None

    def names(requirements: object) -> frozenset[str]:
        found = set()
        for requirement in requirements if isinstance(requirements, list) else []:
            if isinstance(requirement, str) and (
                match := re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
            ):
                found.add(canonical(match[1]))
        return frozenset(found)

    project = data.get("project", {})
    uv_settings = data.get("tool", {}).get("uv", {})
    declared = dict(data.get("dependency-groups", {}))
    if "dev-dependencies" in uv_settings:  # uv's table from before PEP 735: the group `dev`
        declared["dev"] = [*declared.get("dev", []), *uv_settings["dev-dependencies"]]

    def group(name: str, seen: frozenset[str] = frozenset()) -> frozenset[str]:
        items = declared.get(name, [])
        included = [
            item["include-group"]
            for item in items
            if isinstance(item, dict) and item.get("include-group") not in seen | {name}
        ]
        return names(items).union(*(group(other, seen | {name}) for other in included))

    defaults = uv_settings.get("default-groups", ["dev"])
    if defaults == "all":
        defaults = list(declared)
    return ProjectPackages(
        names(project.get("dependencies", [])),
        {extra: names(items) for extra, items in project.get("optional-dependencies", {}).items()},
        {name: group(name) for name in declared},
        tuple(defaults) if isinstance(defaults, list) else ("dev",),
    )


def _option_values(words: list[str], name: str) -> list[str]:
    """Every value of an option that may be given more than once (`--group a --group b`)."""
    values = []
    for index, word in enumerate(words):
        if word == name and index + 1 < len(words):
            values.append(words[index + 1])
        elif word.startswith(name + "="):
            values.append(word.split("=", 1)[1])
    return values


def synced_packages(
    options: list[str], environment: dict[str, str], packages: ProjectPackages
) -> frozenset[str]:
    """What `uv sync <options>` installs of the project's packages, as uv chooses them: the
    dependencies, the default groups (`dev`) unless `--no-dev` or `--no-default-groups`, the
    groups and extras asked for; `--only-dev` and `--only-group` install those groups alone."""

    def flag(option: str, variable: str) -> bool:
        return option in options or environment.get(variable, "").lower() in UV_TRUE

    only = _option_values(options, "--only-group") + (["dev"] if "--only-dev" in options else [])
    if only:
        groups = set(only)
        installed: set[str] = set()
    else:
        groups = set()
        if not flag("--no-default-groups", "UV_NO_DEFAULT_GROUPS"):
            groups |= set(packages.default_groups)
        if flag("--no-dev", "UV_NO_DEV"):
            groups.discard("dev")
        groups |= set(_option_values(options, "--group"))
        if "--all-groups" in options:
            groups |= set(packages.groups)
        extras = set(_option_values(options, "--extra"))
        if "--all-extras" in options:
            extras |= set(packages.extras)
        installed = set(packages.dependencies).union(
            *(packages.extras.get(extra, frozenset()) for extra in extras)
        )
    groups -= set(_option_values(options, "--no-group"))
    installed |= set().union(*(packages.groups.get(name, frozenset()) for name in groups))
    return frozenset(installed - set(_option_values(options, "--no-install-package")))


def _synced_uv(
    run: str,
    environment: dict[str, str],
    workdir: PurePosixPath,
    packages: ProjectPackages | None,
) -> dict[PurePosixPath, bool]:
    """The project environments a RUN's `uv sync` makes, each with whether uv is in it after:
    uv is, when it is one of the packages of pyproject.toml that the sync installs; it is not
    when the sync is exact (without `--inexact`), which removes whatever else is there."""
    if packages is None:
        return {}
    synced = {}
    for words, inline in _shell_commands(run):
        if not (PurePosixPath(words[0]).name == "uv" and words[1:2] == ["sync"]):
            continue
        variables = {**environment, **inline}
        location = workdir / (variables.get("UV_PROJECT_ENVIRONMENT") or ".venv") / "bin" / "uv"
        if UV_PACKAGE in synced_packages(words[2:], variables, packages):
            synced[location] = True
        elif "--inexact" not in words and variables.get("UV_INEXACT", "").lower() not in UV_TRUE:
            synced[location] = False
    return synced


def _made_venvs(
    run: str, environment: dict[str, str], workdir: PurePosixPath
) -> dict[PurePosixPath, bool]:
    """The virtual environments a RUN makes, each with whether it has pip."""
    made: dict[PurePosixPath, bool] = {}
    for words, inline in _shell_commands(run):
        program = PurePosixPath(words[0]).name
        variables = {**environment, **inline}
        if re.fullmatch(r"python3?(\.\d+)?", program) and words[1:3] == ["-m", "venv"]:
            folders = _positionals(words[3:], {"--prompt"})
            made.update({workdir / folder: "--without-pip" not in words for folder in folders})
        elif program == "virtualenv":
            folders = _positionals(words[1:], {"--prompt", "-p", "--python"})
            made.update({workdir / folder: "--no-pip" not in words for folder in folders})
        elif program == "uv" and words[1:2] == ["venv"]:
            folders = _positionals(words[2:], {"--prompt", "-p", "--python"}) or [".venv"]
            made[workdir / folders[0]] = "--seed" in words
        elif program == "uv" and words[1:2] == ["sync"]:
            folder = variables.get("UV_PROJECT_ENVIRONMENT") or ".venv"
            made.setdefault(workdir / folder, False)
    return made


def _path_folders(environment: dict[str, str]) -> list[PurePosixPath]:
    """The folders of the container's PATH, in order (`ENV PATH=/app/.venv/bin:$PATH` puts one
    before the image's own)."""
    value = dockerfile.substitute(environment.get("PATH") or DEFAULT_PATH, {"PATH": DEFAULT_PATH})
    return [PurePosixPath(folder) for folder in value.split(":") if folder.startswith("/")]


def _uv_problems(
    instructions: Sequence[Instruction],
    program: str,
    environment: dict[str, str],
    line: int,
    packages: ProjectPackages | None = None,
    root: Path | None = None,
) -> list[str]:
    """Whether the final stage has the uv that a `uv run` command runs: the one PATH finds, or
    the one at the path the command names."""
    built = dockerfile.stages(instructions)
    final = built[-1]
    locations = uv_locations(instructions, built, final, packages, root)
    folders = _path_folders(environment)
    if "/" in program:
        wanted = dockerfile.workdir(built, final) / program
        if wanted in locations:
            return []
    elif any(location.parent in folders for location in locations):
        return []
    opening = f"line {line}: the command starts the server with `{program} run`, but"
    directly = 'or start the server directly: `CMD ["uvicorn", …]`'
    if locations:
        where = ", ".join(sorted(str(location) for location in locations))
        if "/" in program:
            return [f"{opening} the final stage has uv only at {where}; run that path, {directly}"]
        first = min(locations)
        return [
            f"{opening} the final stage's uv is at {where}, which is not on the PATH "
            f"({':'.join(map(str, folders))}); run it by its path, add "
            f'`ENV PATH="{first.parent}:$PATH"`, {directly}'
        ]
    return [
        f"{opening} the final stage (FROM on line {final.line}) has no uv"
        f"{_uv_elsewhere(instructions, built, final, packages, root)}; copy it in with "
        f"`COPY --from={UV_IMAGE}:<version> /uv /uvx /bin/`, {directly}"
    ]


def _uv_elsewhere(
    instructions: Sequence[Instruction],
    built: Sequence[dockerfile.Stage],
    final: dockerfile.Stage,
    packages: ProjectPackages | None = None,
    root: Path | None = None,
) -> str:
    """Where the build stages have uv, which stays there unless the final stage copies it, and
    what the project's pyproject.toml says of uv (or that the check could not read it)."""
    if packages is None:
        unseen = (
            "; the check cannot see a uv that `uv sync` installs as one of the project's "
            "dependencies"
        )
    elif UV_PACKAGE in packages.everything() and all(
        uv_locations(instructions, built, stage, packages, root)
        == uv_locations(instructions, built, stage, None, root)
        for stage in built
    ):  # named, and yet no sync puts it anywhere
        unseen = (
            "; pyproject.toml names uv, but in a group or extra that no `uv sync` of the image "
            "installs (`--no-dev` leaves out the dev group)"
        )
    else:
        unseen = ""
    final_lineage = dockerfile.lineage(built, final)
    others = [
        f"{location} in the `{stage.name or index}` stage"
        for index, stage in enumerate(built)
        if not any(stage is ancestor for ancestor in final_lineage)
        for location in sorted(uv_locations(instructions, built, stage, packages, root))
    ]
    if not others:
        return f" (none of its COPYs or RUNs puts uv there{unseen})"
    names = {stage.name for stage in built if stage.name} | {str(i) for i in range(len(built))}
    copied = sorted(
        {
            source
            for copy in dockerfile.copies(final)
            if copy.from_stage in names
            for source in copy.sources
        }
    )
    what = f"copies only {', '.join(copied)} from them" if copied else "copies none of it"
    return f" (uv is at {', '.join(others)}, and the final stage {what}{unseen})"


MIGRATION_FILES = ("alembic.ini", "migrations")


def migration_files_problems(instructions: Sequence[Instruction]) -> list[str]:
    """The final image holds alembic.ini and migrations/, which the migration job runs."""
    built = dockerfile.stages(instructions)
    final = built[-1]
    by_name = {stage.name: stage for stage in built if stage.name}
    by_name.update({str(index): stage for index, stage in enumerate(built)})
    # A COPY from a stage copies a folder's contents just as one from the build context does.
    flattened = []
    for stage in built:
        for copy in dockerfile.copies(stage):
            source = next((s for s in copy.sources if _flattens(copy, s)), None)
            if source is None:
                continue
            option = f"--from={copy.from_stage} " if copy.from_stage is not None else ""
            written = source if option else "migrations"
            flattened.append(
                f"line {copy.line}: COPY puts what is inside migrations/ into "
                f"{copy.destination}, not a migrations/ folder (Docker copies a folder's "
                f"contents); write `COPY {option}{written} ./migrations`"
            )
    if flattened:
        return flattened
    missing = []
    for wanted in MIGRATION_FILES:
        if not any(_brings(copy, wanted, by_name) for copy in dockerfile.copies(final)):
            missing.append(wanted)
    if not missing:
        return []
    return [
        f"the final stage (FROM on line {final.line}) never copies {' or '.join(missing)}, so "
        "`python -m booking_service.migrate` in the image finds no migrations; "
        f"`COPY alembic.ini ./` and `COPY migrations ./migrations`"
    ]


MIGRATION_FOLDER = "migrations"


def _flattens(copy: dockerfile.Copy, source: str) -> bool:
    """`COPY migrations ./`: a folder given as a source lands as its contents, so the image has
    env.py and versions/ where alembic.ini expects migrations/."""
    return (
        PurePosixPath(source.rstrip("/")).name == MIGRATION_FOLDER
        and PurePosixPath(copy.destination).name != MIGRATION_FOLDER
    )


def _brings(copy: dockerfile.Copy, wanted: str, stages_by_name: dict) -> bool:
    """Whether `copy` puts `wanted` (alembic.ini or migrations/) from the project in its stage:
    from the build context, or from an earlier stage that a COPY of its own brought it to."""
    if copy.from_stage is None:
        return any(
            PurePosixPath(source.rstrip("/")).name == wanted or source in (".", "./")
            for source in copy.sources
        )
    earlier = stages_by_name.get(copy.from_stage)
    if earlier is None:
        return False
    # A `--from` source is a path in the earlier stage's file system, from its root.
    sources = [PurePosixPath("/") / source for source in copy.sources]
    for inner in dockerfile.copies(earlier):
        if not _brings(inner, wanted, {}):
            continue
        landed = PurePosixPath(inner.destination)
        # The final stage copies a folder that holds what the earlier COPY put there
        # (`COPY --from=builder /app /app`)…
        if any(landed.is_relative_to(source) for source in sources):
            return True
        # …or the file or folder itself, from inside where the earlier COPY put the project
        # (`COPY . .`, then `COPY --from=builder /app/alembic.ini …`).
        inside = [
            source.relative_to(landed)
            for source in sources
            if source.is_relative_to(landed) and source != landed
        ]
        if PurePosixPath(wanted) in inside and _put_in_by_name(inner, wanted):
            return True
    return False


def _put_in_by_name(copy: dockerfile.Copy, wanted: str) -> bool:
    """Whether `copy` puts `wanted` at its own name inside its destination folder: the whole
    build context (`COPY . .`), or a file named as a source of a COPY into a folder."""
    return any(source in (".", "./") for source in copy.sources) or (
        copy.into_folder
        and any(PurePosixPath(source.rstrip("/")).name == wanted for source in copy.sources)
    )


SECRET_PARTS = {
    "SECRET",
    "SECRETS",
    "PASSWORD",
    "PASSWD",
    "TOKEN",
    "KEY",
    "APIKEY",
    "CREDENTIAL",
    "CREDENTIALS",
}


SECRET_FILE_SUFFIXES = ("_FILE", "_PATH", "_DIR")
"""`DATABASE_PASSWORD_FILE=/run/secrets/db`: where the platform mounts a secret, not the secret."""
ENV_TEMPLATES = (".example", ".sample", ".template", ".dist")
"""`.env.example`: a copy with no values, kept in the repository to show the settings."""


def looks_secret(name: str, value: str | None = None) -> bool:
    """Whether a setting's name says it holds a secret (a path to a mounted secret does not)."""
    if (
        value is not None
        and name.upper().endswith(SECRET_FILE_SUFFIXES)
        and value.strip("'\"").startswith("/")
    ):
        return False
    return any(part in SECRET_PARTS for part in re.split(r"[_\-.]", name.upper()))


def _secrets_file(source: str) -> bool:
    """Whether a copied file holds secrets: a `.env` (not its `.example`), or a `.pem` key."""
    name = Path(source).name
    if name.startswith(".env"):
        return not name.endswith(ENV_TEMPLATES)
    return Path(source).suffix == ".pem"


def secret_problems(instructions: Sequence[Instruction]) -> list[str]:
    """No secret set in ENV or ARG, and no .env file copied into the image."""
    problems = []
    for instruction in instructions:
        if instruction.keyword in ("ENV", "ARG"):
            for name, value in dockerfile.settings(instruction):
                if looks_secret(name, value) and value:
                    where = (
                        "the image's settings"
                        if instruction.keyword == "ENV"
                        else "the build history"
                    )
                    problems.append(
                        f"line {instruction.line}: {instruction.keyword} {name} puts a secret in "
                        f"{where}, which anyone who pulls the image can read; the platform passes "
                        "it at run time from the vault or CI secrets"
                    )
        if instruction.keyword in ("COPY", "ADD"):
            sources = dockerfile.copy_arguments(instruction)[1][:-1]
            if any(_secrets_file(source) for source in sources):
                problems.append(
                    f"line {instruction.line}: `{instruction.keyword} {instruction.value}` copies "
                    "a secrets file into the image; leave it out (and list it in .dockerignore)"
                )
    return problems


REMOTE_SOURCE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@)", re.IGNORECASE)
"""A source the build downloads: a URL, or a git repository in ssh's `git@host:path` form."""
GIT_SOURCE = re.compile(r"^(?:git@|git://|ssh://)|\.git/?(?:#|$)", re.IGNORECASE)
GIT_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}", re.IGNORECASE)
"""A full commit hash, which names one commit for good: SHA-1's 40 hex digits, or the 64 of a
repository that uses SHA-256. A branch or a tag may be moved to other code, and a short hash may
come to name two commits."""
HTTP_SOURCE = re.compile(r"^https?://", re.IGNORECASE)
CHECKSUM_DIGITS = {"sha256": 64, "sha384": 96, "sha512": 128}
"""The digests `ADD --checksum=<algorithm>:<hex>` takes, with how many hex digits each has; the
build parses it as an OCI digest, all in lower case."""


def add_problems(instructions: Sequence[Instruction]) -> list[str]:
    """No ADD from a URL or a git repository, unless what it downloads is pinned.

    BuildKit's `ADD --checksum=sha256:<digest> <url> <dest>` fails the build when the download
    is not that file: as pinned as a RUN that checks a checksum. It pins one HTTP(S) download,
    The digest may come from an ARG or ENV (`${TOOL_SHA256}`). A git repository
    (`ADD https://github.com/x/y.git#<ref> /src`) is pinned by its ref when that is a full
    commit hash (`#<commit>` or `#<commit>:<folder>`), or by `--checksum=<full commit hash>`,
    which Dockerfile syntax 1.16 and later check against the commit a tag or branch resolves to
    (`ADD --checksum=<commit> https://github.com/x/y.git#v1.2 /src`); a branch or a tag alone
    may move.
    """
    problems = []
    for stage in dockerfile.stages(instructions):
        values = dockerfile.variables(instructions, stage)
        for instruction in stage.all("ADD"):
            options, paths = dockerfile.copy_arguments(instruction)
            sources = [dockerfile.substitute(path, values) for path in paths[:-1]]
            remote = [source for source in sources if REMOTE_SOURCE.match(source)]
            if not remote:
                continue
            checksum = next(
                (
                    option.partition("=")[2]
                    for option in options
                    if option.startswith("--checksum=")
                ),
                None,
            )
            repositories = [source for source in remote if _is_git(source)]
            if repositories:
                pinned_by = None if checksum is None else dockerfile.substitute(checksum, values)
                problems += _git_problems(instruction.line, repositories, pinned_by)
                remote = [source for source in remote if not _is_git(source)]
            if remote:
                problems += _download_problems(instruction.line, remote, checksum, values)
    return problems


def _is_git(source: str) -> bool:
    """A git repository (`….git#v1`, `git@host:path`), or a download that is no HTTP(S) one
    (`ftp://`), which `--checksum` cannot pin either."""
    return bool(GIT_SOURCE.search(source)) or not HTTP_SOURCE.match(source)


def _git_problems(line: int, repositories: list[str], checksum: str | None) -> list[str]:
    """A git repository is pinned by a full commit hash: its ref, or `--checksum`, which the
    build checks against the commit it checks out (Dockerfile syntax 1.16 and later)."""
    problems = []
    for source in repositories:
        unchecked = (
            f"line {line}: ADD downloads `{shorten(source, 60)}` at build time with no check of "
            "what arrives; "
        )
        if not GIT_SOURCE.search(source):  # `ftp://…`: neither a repository nor HTTP(S)
            problems.append(
                unchecked + "`--checksum` pins only an HTTP download, so COPY it from the build "
                "context, or fetch it in a RUN step with a checked checksum"
            )
            continue
        ref = source.partition("#")[2].partition(":")[0]
        if checksum is not None and not GIT_COMMIT.fullmatch(checksum):
            problems.append(
                unchecked + f"for a git repository, `--checksum` is the full commit hash the "
                f"build must check out, and `{shorten(checksum, 30)}` is none: write "
                "`--checksum=<the full 40-character commit hash>`"
            )
            continue
        if checksum is not None or GIT_COMMIT.fullmatch(ref):
            continue
        if "$" in ref:
            named = f"its ref `{shorten(ref, 30)}` comes from an ARG without a value"
        elif re.fullmatch(r"[0-9a-f]{4,39}", ref, re.IGNORECASE):
            named = f"its ref `{ref}` is a short commit hash, which a later commit may share"
        elif ref:
            named = f"its ref `{shorten(ref, 30)}` is a branch or tag, which can move"
        else:
            named = "it names no ref, only the repository's default branch"
        problems.append(
            unchecked
            + f"{named}, so the build takes whatever that points to on the day: pin it to a "
            "commit with `#<the full 40-character commit hash>` or "
            "`--checksum=<the full commit hash>`, or COPY it from the build context"
        )
    return problems


def _download_problems(
    line: int, remote: list[str], checksum: str | None, values: dict[str, str]
) -> list[str]:
    unchecked = (
        f"line {line}: ADD downloads `{shorten(remote[0], 60)}` at build time with no check of "
        "what arrives; "
    )
    if checksum is None:
        return [
            unchecked + "pin it with `ADD --checksum=sha256:<digest>`, COPY it from the build "
            "context, or download it in a RUN step that checks its checksum"
        ]
    if len(remote) > 1:
        return [
            f"line {line}: a checksum pins one download, and this ADD has {len(remote)}: "
            "write one `ADD --checksum=…` for each"
        ]
    digest = dockerfile.substitute(checksum, values)
    algorithm, _, digits = digest.partition(":")
    expected = CHECKSUM_DIGITS.get(algorithm)
    if expected is not None and re.fullmatch(rf"[0-9a-f]{{{expected}}}", digits):
        return []
    if "$" in digest:
        return [
            f"line {line}: `--checksum={checksum}` is no {algorithm} digest: it uses an ARG "
            "without a value; give the ARG the digest as its default"
        ]
    if expected is None:
        return [
            f"line {line}: `--checksum={shorten(checksum, 30)}` is no sha256, sha384 or sha512 "
            "digest, the kinds the build checks: write `sha256:` and 64 lower-case hex digits"
        ]
    return [
        f"line {line}: `--checksum={shorten(checksum, 30)}` is no {algorithm} digest, so the "
        f"build stops: write `{algorithm}:` and {expected} lower-case hex digits"
    ]


class Rule(NamedTuple):
    """One line of the 07.1 check: what it expects, the rule, and what to try."""

    text: str
    problems: Callable[[Sequence[Instruction]], list[str]]
    hint: str


DOCKERFILE_CHECKS: tuple[Rule, ...] = (
    Rule(
        "a multi-stage build: the final stage copies its result from a build stage",
        multi_stage_problems,
        "`FROM python:3.14-slim AS builder` … then a second FROM and `COPY --from=builder`.",
    ),
    Rule(
        "every base image is pinned to a version",
        base_image_problems,
        "A tag with a version, such as python:3.14-slim; a digest (@sha256:…) as well is better.",
    ),
    Rule(
        "the dependencies are installed from the lock file",
        lock_file_problems,
        "COPY pyproject.toml and uv.lock first, then `uv sync --locked --no-dev`.",
    ),
    Rule(
        "the final stage runs as a non-root USER",
        user_problems,
        "Create the user in the final stage (useradd), then `USER 10001:10001`.",
    ),
    Rule(
        "a HEALTHCHECK, if there is one, requests /health/live with a tool the image has",
        healthcheck_problems,
        "On Kubernetes the probes replace it; for Docker, use python -c with urllib.request.",
    ),
    Rule(
        f"EXPOSE and CMD: an ASGI server serves the factory {PROJECT_APP} on 0.0.0.0",
        run_problems,
        f'CMD ["uvicorn", "--factory", "{PROJECT_APP}", "--host", "0.0.0.0", "--port", "8000"]',
    ),
    Rule(
        "the image holds what the migration job runs: alembic.ini and migrations/",
        migration_files_problems,
        "In the final stage: `COPY alembic.ini ./` and `COPY migrations ./migrations`.",
    ),
    Rule(
        "no secret in ENV or ARG, and no secrets file copied in",
        secret_problems,
        "Only settings go in the image; secrets arrive at run time from the vault or CI secrets.",
    ),
    Rule(
        "no ADD from a URL",
        add_problems,
        "COPY from the build context; pin a download with `ADD --checksum=sha256:…` (a git"
        " repository with `#<full commit hash>`), or check its checksum in a RUN step.",
    ),
)
