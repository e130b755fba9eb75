"""onboarding.artefacts.dockerfile: a Dockerfile's instructions, stages, commands and copies."""

import pytest

from onboarding.artefacts import dockerfile

TEXT = """ARG BASE=python:3.14-slim
FROM ${BASE} AS builder
WORKDIR /app
COPY pyproject.toml uv.lock ./
# a comment
RUN uv sync --locked \\
    --no-dev
FROM ${BASE}
WORKDIR /app
COPY --from=builder /app/.venv .venv
ENV A=1 B="two words"
CMD ["uvicorn", "--factory", "m:create_app"]
"""


def test_instructions_keep_their_first_line_and_join_continuations():
    instructions = dockerfile.parse_dockerfile(TEXT)
    run = next(i for i in instructions if i.keyword == "RUN")
    assert (run.line, run.value) == (6, "uv sync --locked     --no-dev")
    assert "COMMENT" not in {i.keyword for i in instructions}


def test_stages_and_the_args_a_from_line_may_use():
    instructions = dockerfile.parse_dockerfile(TEXT)
    stages = dockerfile.stages(instructions)
    assert [(s.image, s.name, s.line) for s in stages] == [
        ("${BASE}", "builder", 2),
        ("${BASE}", "", 8),
    ]
    values = dockerfile.global_args(instructions)
    assert dockerfile.substitute(stages[0].image, values) == "python:3.14-slim"


def test_copies_know_their_stage_and_absolute_destination():
    final = dockerfile.stages(dockerfile.parse_dockerfile(TEXT))[-1]
    (copy,) = dockerfile.copies(final)
    assert (copy.sources, copy.destination, copy.from_stage) == (
        ("/app/.venv",),
        "/app/.venv",
        "builder",
    )


def test_copies_know_whether_their_destination_is_a_folder():
    text = (
        "FROM python:3.14-slim\nWORKDIR /app\n"
        "COPY --from=uv /uv /uvx /bin\n"  # several sources: always into a folder
        "COPY --from=uv /uv /usr/local/bin/\n"
        "COPY start.sh .\n"
        "COPY --from=uv /uv /opt/uv\n"  # one source, no slash: the file's own path
    )
    final = dockerfile.stages(dockerfile.parse_dockerfile(text))[-1]
    assert [(c.destination, c.into_folder) for c in dockerfile.copies(final)] == [
        ("/bin", True),
        ("/usr/local/bin", True),
        ("/app", True),
        ("/opt/uv", False),
    ]


def test_a_copys_options_and_paths_in_shell_and_json_form():
    """The JSON form is a list after the options; its paths may hold spaces."""
    read = [
        dockerfile.copy_arguments(dockerfile.Instruction("COPY", value, 1))
        for value in (
            "--from=builder /app/.venv /app/.venv",
            '--chown="app:app" --chmod=755 ["a b.txt", "uv.lock", "./"]',
            "--checksum=sha256:ab https://example.com/tool.tgz /opt/",
            '["unclosed", "./"',
        )
    ]
    assert read == [
        (["--from=builder"], ["/app/.venv", "/app/.venv"]),
        (["--chown=app:app", "--chmod=755"], ["a b.txt", "uv.lock", "./"]),
        (["--checksum=sha256:ab"], ["https://example.com/tool.tgz", "/opt/"]),
        ([], ["[unclosed,", "./"]),  # not JSON: words, as the build would read them
    ]


def test_a_runs_options_come_before_its_command():
    value = (
        '--mount=type=cache,target=/root/.cache/uv --network="none" '
        "--mount=from=ghcr.io/astral-sh/uv:0.13.9,source=/uv,target=/bin/uv uv sync --locked"
    )
    assert dockerfile.run_arguments(value) == (
        [
            "--mount=type=cache,target=/root/.cache/uv",
            "--network=none",
            "--mount=from=ghcr.io/astral-sh/uv:0.13.9,source=/uv,target=/bin/uv",
        ],
        "uv sync --locked",
    )
    assert dockerfile.run_arguments("pip install --no-cache-dir uv==0.13.9") == (
        [],
        "pip install --no-cache-dir uv==0.13.9",
    )


def test_a_runs_mounts_are_read_as_the_build_reads_them():
    """A bind mount unless `type` says otherwise; `src`/`dst` are `source`/`target`; a field in
    CSV quotes keeps its comma."""
    value = (
        "--mount=from=ghcr.io/astral-sh/uv:0.13.9,src=/uv,dst=/bin/uv "
        "--mount=TYPE=Cache,target=/root/.cache/uv "
        '--mount=type=bind,"source=a,b.txt",destination=/tmp/x --network=none true'
    )
    assert dockerfile.run_mounts(value) == [
        {
            "type": "bind",
            "from": "ghcr.io/astral-sh/uv:0.13.9",
            "source": "/uv",
            "target": "/bin/uv",
        },
        {"type": "cache", "target": "/root/.cache/uv"},
        {"type": "bind", "source": "a,b.txt", "target": "/tmp/x"},
    ]
    assert dockerfile.run_mounts("uv sync --locked") == []


@pytest.mark.parametrize(
    ("keyword", "value", "expected"),
    [
        ("COPY", "--from=builder /app/.venv /app/.venv", [("--from", "builder")]),
        (
            "COPY",
            '--chown=app --from="ghcr.io/astral-sh/uv:${UV_VERSION}" /uv /bin/',
            [("--from", "ghcr.io/astral-sh/uv:${UV_VERSION}")],
        ),
        ("COPY", "pyproject.toml uv.lock ./", []),
        (
            "RUN",
            "--mount=type=cache,target=/root/.cache/uv"
            " --mount=from=uv,source=/uv,target=/bin/uv uv sync --locked",
            [("from", "uv")],
        ),
        (
            "RUN",
            "--mount=type=cache,from=node:${NODE},target=/cache true",
            [("from", "node:${NODE}")],
        ),
        ("ADD", "--checksum=sha256:abc https://example.com/a /a", []),
    ],
    ids=[
        "copy-from-a-stage",
        "copy-from-an-image-in-quotes",
        "copy-from-the-context",
        "run-mounts",
        "cache-mount-from",
        "add",
    ],
)
def test_from_options_are_what_a_copy_or_mount_takes_files_from(keyword, value, expected):
    assert dockerfile.from_options(dockerfile.Instruction(keyword, value, 1)) == expected


def test_copies_in_json_form_know_their_sources():
    text = 'FROM python:3.14-slim\nWORKDIR /app\nCOPY ["migrations", "./migrations"]\n'
    final = dockerfile.stages(dockerfile.parse_dockerfile(text))[-1]
    assert [(c.sources, c.destination) for c in dockerfile.copies(final)] == [
        (("migrations",), "/app/migrations")
    ]


def test_commands_and_settings():
    instructions = dockerfile.parse_dockerfile(TEXT)
    cmd = next(i for i in instructions if i.keyword == "CMD")
    assert dockerfile.command_words(cmd) == (["uvicorn", "--factory", "m:create_app"], True)
    shell = dockerfile.Instruction("CMD", "uvicorn m:app --host 0.0.0.0", 1)
    assert dockerfile.command_words(shell) == (["uvicorn", "m:app", "--host", "0.0.0.0"], False)
    env = next(i for i in instructions if i.keyword == "ENV")
    assert dockerfile.settings(env) == [("A", "1"), ("B", "two words")]
    assert dockerfile.settings(dockerfile.Instruction("ENV", "OLD value here", 1)) == [
        ("OLD", "value here")
    ]


def test_a_stage_knows_the_stages_it_is_built_on():
    stages = dockerfile.stages(
        dockerfile.parse_dockerfile(
            "FROM python:3.14-slim AS base\n"
            "FROM base AS Builder\n"
            "FROM python:3.14-slim AS other\n"
            "FROM builder AS runtime\n"
        )
    )
    base, builder, other, runtime = stages
    assert dockerfile.base_stage(stages, base) is None
    assert dockerfile.base_stage(stages, other) is None
    # Stage names are case-insensitive, as Docker reads them.
    assert dockerfile.lineage(stages, runtime) == [runtime, builder, base]


def test_a_runs_heredoc_is_part_of_it_and_later_lines_keep_their_numbers():
    text = (
        "FROM python:3.14-slim\n"
        "RUN <<EOF\n"
        "groupadd --system app\n"
        "# FROM is a word of the script here, not an instruction\n"
        "useradd --system app\n"
        "EOF\n"
        "COPY <<-EOT /app/notes.txt\n"
        "\tUSER root\n"
        "\tEOT\n"
        "USER app\n"
    )
    instructions = dockerfile.parse_dockerfile(text)
    assert [(i.keyword, i.line) for i in instructions] == [
        ("FROM", 1),
        ("RUN", 2),
        ("COPY", 7),
        ("USER", 10),
    ]
    assert "useradd --system app" in instructions[1].value
    assert instructions[2].value == "<<-EOT /app/notes.txt"


def test_variables_are_the_args_and_envs_a_stage_sees():
    instructions = dockerfile.parse_dockerfile(
        "ARG UID=10001\n"
        "FROM python:3.14-slim AS base\n"
        "ARG UID\n"
        "ENV HOME_DIR=/home/app PORT=8000\n"
        "FROM base AS runtime\n"
        "ARG GID=${UID}\n"
        "ENV DATA=${HOME_DIR}/data\n"
    )
    runtime = dockerfile.stages(instructions)[-1]
    assert dockerfile.variables(instructions, runtime) == {
        "UID": "10001",
        "HOME_DIR": "/home/app",
        "PORT": "8000",
        "GID": "10001",
        "DATA": "/home/app/data",
    }
    assert dockerfile.variables(instructions, runtime, runtime=True) == {
        "HOME_DIR": "/home/app",
        "PORT": "8000",
        "DATA": "/home/app/data",
    }


def test_substitute_knows_defaults_and_leaves_unknown_names():
    values = {"A": "1", "EMPTY": ""}
    assert dockerfile.substitute("$A ${A} ${B:-8000} ${EMPTY:-x} $B ${B}", values) == (
        "1 1 8000 x $B ${B}"
    )


COPIES = """FROM python:3.14-slim AS runtime
WORKDIR /app
COPY docker-entrypoint.sh ./
COPY --chmod=755 scripts/start.sh /app/bin/start.sh
COPY deploy ./deploy
COPY tools /usr/local/bin/
WORKDIR /app/work
"""


def test_the_project_file_a_path_of_the_image_came_from():
    built = dockerfile.stages(dockerfile.parse_dockerfile(COPIES))
    final = built[-1]
    assert str(dockerfile.workdir(built, final)) == "/app/work"

    def sources(path):
        return dockerfile.project_source(built, final, path)

    assert "docker-entrypoint.sh" in sources("/app/docker-entrypoint.sh")
    assert "scripts/start.sh" in sources("/app/bin/start.sh")
    assert "deploy/gunicorn.py" in sources("/app/deploy/gunicorn.py")
    # A bare name, as the shell finds it on PATH.
    assert "tools/entrypoint.sh" in sources("entrypoint.sh")
    # Relative to the last WORKDIR, where no COPY put a file.
    assert "deploy/gunicorn.conf.py" not in sources("./gunicorn.conf.py")


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("docker buildx build --build-context docs=./docs .", {"docs": "./docs"}),
        ("docker build --build-context=docs=./docs .", {"docs": "./docs"}),
        # Quoted, on the next line after a `\`, in any case (read in lower case, as a stage).
        ('docker build --build-context "Docs=../my docs" .', {"docs": "../my docs"}),
        ("docker build \\\n  --build-context \\\n  'docs=./docs' .", {"docs": "./docs"}),
        (
            "podman build --build-context base=docker-image://python:3.14-slim"
            " --build-context src=https://github.com/org/repo.git#v1 .",
            {
                "base": "docker-image://python:3.14-slim",
                "src": "https://github.com/org/repo.git#v1",
            },
        ),
        # Not a named context: no `=`, or a name the shell fills in.
        ("docker build --build-context docs .", {}),
        ("docker build --build-context $NAME=./docs .", {}),
        ("docker build -t bookings:dev .", {}),
    ],
)
def test_build_contexts_are_read_from_a_build_command(command, expected):
    assert dockerfile.build_contexts(command) == expected


@pytest.mark.parametrize(
    ("value", "image"),
    [
        ("docker-image://busybox:1.37", "busybox:1.37"),
        ("./docs", None),
        ("oci-layout:///tmp/layout", None),
        ("https://github.com/org/repo.git", None),
        ("target:base", None),
    ],
)
def test_a_named_context_is_an_image_only_with_docker_image(value, image):
    assert dockerfile.context_image(value) == image
