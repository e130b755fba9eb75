"""Reading a Dockerfile as the build reads it: instructions with their line numbers, and stages.

dockerfile-parse does the parsing (comments dropped, continuation lines joined); this module
adds what the checks ask of a Dockerfile: its build stages, the ARGs a FROM line may use, a
command in exec or shell form, and an ENV's or ARG's settings.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from onboarding.checks import ArtefactError, read_artefact


@dataclass(frozen=True)
class Instruction:
    keyword: str
    value: str
    line: int
    """The line the instruction starts on, counting from 1."""


@dataclass(frozen=True)
class Stage:
    image: str
    name: str
    line: int
    instructions: tuple[Instruction, ...]

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions (comments dropped, continuation lines joined) with their line numbers.

    A heredoc (`RUN <<EOF` … `EOF`) is part of its instruction, its lines joined with `; `.
    """
    from dockerfile_parse import DockerfileParser

    # A file object keeps dockerfile-parse from reading or writing ./Dockerfile itself.
    parser = DockerfileParser(fileobj=io.BytesIO(inline_heredocs(text).encode("utf-8")))
    return [
        Instruction(item["instruction"].upper(), item["value"].strip(), item["startline"] + 1)
        for item in parser.structure
        if item["instruction"].upper() != "COMMENT"
    ]


HEREDOC = re.compile(r"(?<!<)<<(?P<dash>-?)(?P<quote>[\"']?)(?P<word>[A-Za-z_][\w.-]*)(?P=quote)")
"""A heredoc's start in a RUN, COPY or ADD (`<<EOF`, `<<-EOF`, `<<'EOF'`), as BuildKit reads it."""
HEREDOC_KEYWORDS = ("RUN", "COPY", "ADD")


def inline_heredocs(text: str) -> str:
    """The text with each RUN's heredoc moved onto the line that opens it.

    dockerfile-parse reads a heredoc's lines as instructions of their own (`useradd app` as a
    USERADD). Joined with `; ` onto the opening line, a RUN's are part of its command; a COPY's
    or ADD's, a file's content, are dropped. Blank lines take their place, so every later
    instruction keeps its line number.
    """
    lines = text.splitlines()
    keyword, continued = "", False
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if not continued and stripped and not stripped.startswith("#"):
            keyword = stripped.split()[0].upper()
        continued = (continued or bool(stripped)) and line.rstrip().endswith("\\")
        if stripped.startswith("#") or keyword not in HEREDOC_KEYWORDS:
            index += 1
            continue
        opening = index
        for marker in HEREDOC.finditer(line):
            body = []
            index += 1
            while index < len(lines):
                content = lines[index].lstrip("\t") if marker["dash"] else lines[index]
                lines[index] = ""
                if content == marker["word"]:
                    break
                body.append(content.strip())
                index += 1
            if keyword == "RUN":  # a COPY's or ADD's heredoc is a file's content, not a command
                lines[opening] += " " + "; ".join(part for part in body if part)
        index += 1
    return "\n".join(lines) + "\n"


def check_dockerfile(text: str, name: str = "Dockerfile") -> list[Instruction]:
    """The instructions; ArtefactError unless there is a FROM, with only ARGs before it."""
    instructions = parse_dockerfile(text)
    if not instructions:
        raise ArtefactError(f"{name} has no instructions, only comments or blank lines")
    if not any(i.keyword == "FROM" for i in instructions):
        raise ArtefactError(f"{name} has no FROM: every build starts from a base image")
    first = instructions[0]
    if first.keyword not in ("FROM", "ARG"):
        raise ArtefactError(
            f"{name} starts with {first.keyword} on line {first.line}: only ARG may come before "
            "the first FROM"
        )
    return instructions


def read_dockerfile(path: str | Path) -> list[Instruction]:
    """Read and check a Dockerfile (the one loader says how to create a missing one)."""
    return check_dockerfile(read_artefact(path), Path(path).name)


def stages(instructions: Sequence[Instruction]) -> list[Stage]:
    """The build stages, each from its FROM to the next (ARGs before the first FROM dropped)."""
    result: list[Stage] = []
    current: list[Instruction] = []
    header: Instruction | None = None
    for instruction in instructions:
        if instruction.keyword == "FROM":
            if header is not None:
                result.append(_stage(header, current))
            header, current = instruction, []
        elif header is not None:
            current.append(instruction)
    if header is not None:
        result.append(_stage(header, current))
    return result


def base_stage(built: Sequence[Stage], stage: Stage) -> Stage | None:
    """The earlier stage that `stage` is built on (`FROM base AS runtime`); None for an image.

    A stage starts from everything its base stage made: its users, its ENV, its files.
    """
    position = next(index for index, candidate in enumerate(built) if candidate is stage)
    earlier = [c for c in built[:position] if c.name and c.name == stage.image.lower()]
    return earlier[-1] if earlier else None


def lineage(built: Sequence[Stage], stage: Stage) -> list[Stage]:
    """`stage`, the stage it is built on, that stage's own base, and so on."""
    chain = [stage]
    while (base := base_stage(built, chain[-1])) is not None:
        chain.append(base)
    return chain


def _stage(header: Instruction, instructions: list[Instruction]) -> Stage:
    words = [word for word in header.value.split() if not word.startswith("--")]
    image = words[0] if words else ""
    name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else ""
    return Stage(image, name.lower(), header.line, tuple(instructions))


def global_args(instructions: Sequence[Instruction]) -> dict[str, str]:
    """ARG defaults declared before the first FROM (the only ones a FROM line can use)."""
    values: dict[str, str] = {}
    for instruction in instructions:
        if instruction.keyword == "FROM":
            break
        if instruction.keyword == "ARG":
            name, _, default = instruction.value.partition("=")
            values[name.strip()] = default.strip().strip("'\"")
    return values


def substitute(text: str, values: dict[str, str]) -> str:
    """`$NAME`, `${NAME}` and `${NAME:-default}` replaced as the build replaces them; a name
    without a value and without a default is left as written."""

    def value(match: re.Match[str]) -> str:
        name, default = match["braced"] or match["plain"], match["default"]
        if values.get(name):
            return values[name]
        if default is not None:
            return default
        return values.get(name, match[0])

    return re.sub(
        r"\$(?:\{(?P<braced>[A-Za-z_]\w*)(?::?-(?P<default>[^}]*))?\}|(?P<plain>[A-Za-z_]\w*))",
        value,
        text,
    )


def variables(
    instructions: Sequence[Instruction], stage: Stage, runtime: bool = False
) -> dict[str, str]:
    """The ARG and ENV values the instructions of `stage` see, as the build sets them.

    A stage has what the stages it is built FROM set, in order; an ARG it declares without a
    default takes the one given before the first FROM. With `runtime`, only the ENV values: the
    container's environment, which a shell-form CMD sees; ARGs end with the build.
    """
    built = stages(instructions)
    stage = next(candidate for candidate in built if candidate.line == stage.line)
    global_values = global_args(instructions)
    values: dict[str, str] = {}
    from_env: set[str] = set()
    for ancestor in reversed(lineage(built, stage)):
        for instruction in ancestor.instructions:
            if instruction.keyword not in ("ARG", "ENV"):
                continue
            for name, setting in settings(instruction):
                if setting is None:
                    setting = global_values.get(name, values.get(name))
                if setting is not None:
                    values[name] = substitute(setting.strip("'\""), values)
                    if instruction.keyword == "ENV":
                        from_env.add(name)
    return {name: value for name, value in values.items() if not runtime or name in from_env}


def command_words(instruction: Instruction) -> tuple[list[str], bool]:
    """An ENTRYPOINT or CMD as words, and whether it is in exec (JSON list) form."""
    value = instruction.value
    if value.startswith("["):
        try:
            words = json.loads(value)
        except json.JSONDecodeError:
            return value.strip("[]").replace('"', " ").split(), False
        if isinstance(words, list):
            return [str(word) for word in words], True
    return split_words(value), False


def split_words(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def settings(instruction: Instruction) -> list[tuple[str, str | None]]:
    """(name, value) pairs of an ENV or ARG; value None for an ARG without a default."""
    words = split_words(instruction.value)
    if not words:
        return []
    if instruction.keyword == "ENV" and "=" not in words[0]:
        return [(words[0], " ".join(words[1:]))]  # the old form: ENV NAME value
    pairs: list[tuple[str, str | None]] = []
    for word in words:
        name, equals, value = word.partition("=")
        pairs.append((name, value if equals else None))
    return pairs


@dataclass(frozen=True)
class Copy:
    """A COPY or ADD: what it copies, from which stage (None: the build context), and where."""

    sources: tuple[str, ...]
    destination: str
    from_stage: str | None
    line: int
    into_folder: bool = False
    """Whether the destination is a folder the sources go into (`/bin/`, `.`, or several
    sources), not the path a single file is copied to."""


_LEADING_OPTION = re.compile(r"\s*(--[\w-]+(?:=(?:\"[^\"]*\"|'[^']*'|\S*))?)")


def copy_arguments(instruction: Instruction) -> tuple[list[str], list[str]]:
    """A COPY's or ADD's options (`--from=builder`, quotes taken off) and its paths, the
    destination last: in shell form, or in JSON form (`COPY ["a b.txt", "/app/"]`), which the
    build reads as a list after the options."""
    options, rest = _leading_options(instruction.value)
    if rest.startswith("["):
        try:
            paths = json.loads(rest)
        except json.JSONDecodeError:
            paths = None
        if isinstance(paths, list) and all(isinstance(path, str) for path in paths):
            return options, paths
    words = split_words(rest)
    return (
        options + [word for word in words if word.startswith("--")],
        [word for word in words if not word.startswith("--")],
    )


def run_arguments(value: str) -> tuple[list[str], str]:
    """A RUN's options (`--mount=…`, `--network=none`, quotes taken off) and its command.

    The build reads the options before the command, so the command's first word is the program
    it runs, not `--mount=…`.
    """
    return _leading_options(value)


def _leading_options(value: str) -> tuple[list[str], str]:
    """An instruction's `--name=value` options before its arguments, quotes taken off, and
    the rest, stripped: COPY, ADD and RUN all read their options this way."""
    rest, options = value, []
    while match := _LEADING_OPTION.match(rest):
        name, equals, setting = match[1].partition("=")
        options.append(name + equals + setting.strip("\"'"))
        rest = rest[match.end() :]
    return options, rest.strip()


MOUNT_KEYS = {"src": "source", "dst": "target", "destination": "target"}
"""The build's other names for a mount's keys."""


def run_mounts(value: str) -> list[dict[str, str]]:
    """The `--mount`s of a RUN, each as its keys and values (`type` is `bind` unless it says).

    A mount is a line of comma-separated `key=value` fields, as the build reads it with a CSV
    reader (`"source=a,b"` in quotes keeps its comma); `src`, `dst` and `destination` are read
    as `source` and `target`.
    """
    mounts = []
    for option in run_arguments(value)[0]:
        if not option.startswith("--mount="):
            continue
        fields = next(csv.reader([option.removeprefix("--mount=")]), [])
        mount = {"type": "bind"}
        for field in fields:
            key, _, setting = field.partition("=")
            key = key.strip().lower()
            mount[MOUNT_KEYS.get(key, key)] = setting.strip()
        mount["type"] = mount["type"].lower()
        mounts.append(mount)
    return mounts


def from_options(instruction: Instruction) -> list[tuple[str, str]]:
    """Where a COPY or RUN takes files from other than the build context, as it is written: a
    COPY's `--from=…` (`("--from", "builder")`) and each `--mount`'s `from=…` (`("from", "uv")`),
    a stage's name or an image's reference."""
    if instruction.keyword == "COPY":
        return [
            ("--from", option.removeprefix("--from="))
            for option in copy_arguments(instruction)[0]
            if option.startswith("--from=")
        ]
    if instruction.keyword == "RUN":
        return [
            ("from", mount["from"]) for mount in run_mounts(instruction.value) if mount.get("from")
        ]
    return []


def copies(stage: Stage) -> list[Copy]:
    """The stage's COPY and ADD instructions, with destinations made absolute by WORKDIR."""
    found = []
    workdir = PurePosixPath("/")
    for instruction in stage.instructions:
        if instruction.keyword == "WORKDIR":
            workdir = workdir / instruction.value.strip().strip("\"'")
        if instruction.keyword not in ("COPY", "ADD"):
            continue
        options, paths = copy_arguments(instruction)
        if len(paths) < 2:
            continue
        source_stage = next(
            (option.split("=", 1)[1].lower() for option in options if option.startswith("--from=")),
            None,
        )
        into_folder = len(paths) > 2 or paths[-1].endswith("/") or paths[-1] in (".", "..")
        found.append(
            Copy(
                tuple(paths[:-1]),
                str(workdir / paths[-1]),
                source_stage,
                instruction.line,
                into_folder,
            )
        )
    return found


def workdir(built: Sequence[Stage], stage: Stage) -> PurePosixPath:
    """The working directory the stage ends with: where its CMD runs and relative paths start."""
    current = PurePosixPath("/")
    for ancestor in reversed(lineage(built, stage)):
        for instruction in ancestor.instructions:
            if instruction.keyword == "WORKDIR":
                current = current / instruction.value.strip().strip("\"'")
    return current


def project_source(built: Sequence[Stage], stage: Stage, image_path: str) -> list[str]:
    """Where in the build context a file of the final image may come from, latest COPY first.

    `image_path` is as a command names it: absolute, relative to the WORKDIR (`./start.sh`), or
    a bare name that the shell finds on PATH (`docker-entrypoint.sh`). Each candidate is a path
    relative to the build context; the caller reads the first one that exists, since whether a
    source is a file or a folder decides where a COPY puts it.
    """
    bare = "/" not in image_path
    wanted = workdir(built, stage) / image_path
    candidates: list[str] = []
    for ancestor in reversed(lineage(built, stage)):
        for copy in copies(ancestor):
            if copy.from_stage is not None:
                continue
            destination = PurePosixPath(copy.destination)
            for source in copy.sources:
                source_path = PurePosixPath(source.rstrip("/") or ".")
                found: list[PurePosixPath] = []
                if bare:
                    if destination.name == image_path:
                        found.append(source_path)
                    if source_path.name == image_path:
                        found.append(source_path)
                    found.append(source_path / image_path)  # a folder's contents
                else:
                    if destination == wanted:
                        found.append(source_path)  # a file copied to that very path
                    if wanted.is_relative_to(destination) and wanted != destination:
                        inside = wanted.relative_to(destination)
                        found.append(source_path / inside)  # a folder's contents
                        if inside == PurePosixPath(source_path.name):
                            found.append(source_path)  # a file copied into a folder
                candidates[:0] = [str(path) for path in found]
    return candidates


BUILD_CONTEXT_OPTION = re.compile(
    r"--build-context(?:=|[ \t]+|[ \t]*\\\r?\n[ \t]*)"
    r"(?:\"(?P<double>[^\"]*)\"|'(?P<single>[^']*)'|(?P<plain>[^\s\"'\\]+))"
)
"""A build command's `--build-context NAME=VALUE` (or `--build-context=…`, quoted or not, on
the next line after a `\\`)."""
IMAGE_CONTEXT = "docker-image://"
"""The prefix of a named context's value that is an image (`docker-image://alpine:3.23`)."""


def build_contexts(text: str) -> dict[str, str]:
    """The named build contexts that the build commands in `text` give: name -> value.

    `docker buildx build --build-context docs=./docs .` gives the build a context called `docs`,
    which the Dockerfile reaches as a stage, with `FROM docs`, `COPY --from=docs` or a mount's
    `from=docs` (Docker's reference of `docker buildx build`, "--build-context"); a stage of
    that name is overwritten. Its value is a folder, a Git or HTTP URL, an OCI layout
    (`oci-layout://…`), or an image (`docker-image://alpine:3.23`). Names are given in lower case,
    as stages are matched.
    """
    found: dict[str, str] = {}
    for match in BUILD_CONTEXT_OPTION.finditer(text):
        setting = match["double"] if match["double"] is not None else match["single"]
        if setting is None:
            setting = match["plain"]
        name, equals, value = setting.partition("=")
        if equals and name.strip() and "$" not in name:
            found[name.strip().lower()] = value.strip()
    return found


def context_image(value: str) -> str | None:
    """The image a named context's value names (`docker-image://alpine:3.23`); None when the
    context is files: a folder, a URL, an OCI layout or another build's target."""
    if value.lower().startswith(IMAGE_CONTEXT):
        return value[len(IMAGE_CONTEXT) :]
    return None
