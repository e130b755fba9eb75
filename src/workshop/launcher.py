"""`make workshop`: check everything a workshop needs, start JupyterHub, say what to hand out.

    python -m workshop run --cohort workshop/cohort.example.yaml [--port 8000] [--ip 0.0.0.0]
    python -m workshop check-cohort FILE

Before the hub starts, every problem that would otherwise surface as a confusing failure at the
first login is reported plainly: a cohort file with a mistake, not running as root (learners are
Unix users), a name that belongs to an existing account this workshop did not create, a course
folder the learners' accounts cannot read, a missing proxy, a busy port.

The hub runs as a child of this process, which waits for it to answer, prints the hand-out, and
on Ctrl+C (or SIGTERM) lets it stop every learner's server, then makes sure no learner process is
left.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import click

from workshop import cohort as cohort_module
from workshop.hubconfig import UNIX_GROUP, HubSettings
from workshop.limits import Limiter, Limits

COURSE_ROOT = Path(__file__).resolve().parents[2]
CONFIG_FILE = COURSE_ROOT / "workshop" / "jupyterhub_config.py"
PROXY_IN_TOOLS = (
    COURSE_ROOT / ".tools" / "node" / "node_modules" / ".bin" / "configurable-http-proxy"
)
READY_TIMEOUT_S = 120
# Easy to read aloud and type: no 0/O, 1/l/I.
FRIENDLY = "abcdefghjkmnpqrstuvwxyz23456789"


class LaunchError(click.ClickException):
    """A reason the workshop cannot start, worded for the instructor."""


# ------------------------------------------------------------------------------------ checks
def require_root() -> None:
    if os.geteuid() != 0:
        raise LaunchError(
            "the workshop hub creates a Unix user for each learner and runs their servers as "
            "those users, so it must run as root: `sudo make workshop`"
        )


def ensure_unix_group() -> None:
    subprocess.run(["groupadd", "--force", UNIX_GROUP], check=True, capture_output=True)


def check_existing_accounts(cohort: cohort_module.Cohort) -> None:
    """A name that is already an account of this machine, not made by a workshop, is refused.

    Otherwise a cohort listing `postgres` or a colleague's login would hand that account's
    files to whoever types the shared password.
    """
    try:
        ours = set(grp.getgrnam(UNIX_GROUP).gr_mem)
    except KeyError:
        ours = set()
    clashes = []
    for name in cohort.members:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        if name not in ours:
            clashes.append(name)
    if clashes:
        raise LaunchError(
            f"{', '.join(clashes)} already exist{'s' if len(clashes) == 1 else ''} on this "
            f"machine and {'was' if len(clashes) == 1 else 'were'} not created by a workshop "
            f"(not in the Unix group {UNIX_GROUP}); choose other names in the cohort file"
        )


def usable_by_learners(command: list[str]) -> tuple[bool, str]:
    """Can an unprivileged account run this? (as `nobody`, who has no rights of its own)."""
    run = subprocess.run(
        ["runuser", "-u", "nobody", "--", *command], capture_output=True, text=True, timeout=120
    )
    return run.returncode == 0, (run.stderr or run.stdout).strip()[-400:]


def find_proxy() -> Path:
    if PROXY_IN_TOOLS.exists():
        return PROXY_IN_TOOLS
    found = shutil.which("configurable-http-proxy")
    if found:
        return Path(found)
    raise LaunchError(
        "configurable-http-proxy is missing: `make workshop` installs it from npm into "
        ".tools/ (it needs node and npm: apt-get install nodejs npm)"
    )


def free_port(preferred: int | None = None, host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers will
        try:
            probe.bind((host, preferred or 0))
        except OSError:
            probe.bind((host, 0))
        return probe.getsockname()[1]


def check_port(ip: str, port: int) -> None:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the proxy will
        try:
            probe.bind((ip, port))
        except OSError:
            raise LaunchError(
                f"port {port} is already in use (another hub?); choose another: "
                f"make workshop WORKSHOP_PORT={port + 1}"
            ) from None


# -------------------------------------------------------------------------- learners' Python
def learner_python(state_dir: Path, log=print) -> Path:
    """A Python with the course installed that every learner's account can run.

    The course's `.venv` usually points at an interpreter under root's home (pyenv, uv), which
    other accounts cannot enter, and installs the course from a checkout they may not be able to
    read. Then a second environment is built from the same lock file with a system interpreter,
    in the workshop's state folder, with the course installed as a package (not a link to the
    checkout), and refreshed at every launch so it always has the checkout's code.
    """
    own = Path(sys.executable)
    probe = ["-c", "import workshop.singleuser, jupyterhub, jupyterlab"]
    if usable_by_learners([str(own), *probe])[0]:
        return own
    environment = state_dir / "learner-env"
    python = environment / "bin" / "python"
    interpreter = next(
        (
            candidate
            for candidate in ("/usr/bin/python3", "/usr/local/bin/python3")
            if Path(candidate).exists()
            and usable_by_learners(
                [candidate, "-c", "import sys; assert sys.version_info >= (3, 10)"]
            )[0]
        ),
        None,
    )
    if interpreter is None:
        raise LaunchError(
            f"{own} is not usable by other accounts, and no system Python 3.10+ is: "
            "apt-get install python3"
        )
    uv = shutil.which("uv") or str(COURSE_ROOT / ".tools" / "bin" / "uv")
    if not python.exists():
        log(f"Building the learners' environment in {environment} with {interpreter} (once)…")
    environment.parent.mkdir(parents=True, exist_ok=True)
    build = subprocess.run(
        [
            uv,
            "sync",
            "--frozen",
            "--extra",
            "workshop",
            "--no-editable",
            "--reinstall-package",
            "onboarding-course",
            "--python",
            interpreter,
            "--quiet",
            # The learners cannot write bytecode here (the folder is root's), so it is compiled
            # once now: otherwise every learner's server, kernel and check compiles each module
            # it imports, every time it starts.
            "--compile-bytecode",
        ],
        cwd=COURSE_ROOT,
        env={
            **os.environ,
            "UV_PROJECT_ENVIRONMENT": str(environment),
            "UV_PYTHON_DOWNLOADS": "never",
        },
        capture_output=True,
        text=True,
    )
    if build.returncode != 0:
        raise LaunchError(f"could not build the learners' environment:\n{build.stderr[-2000:]}")
    ok, detail = usable_by_learners([str(python), *probe])
    if not ok:
        raise LaunchError(
            f"the learners' environment in {environment} does not work for other accounts "
            f"(is every folder above it reachable? --state chooses where it goes): {detail}"
        )
    # And the bytecode pytest makes of its plugins' packages, for the same reason: without it,
    # every `pytest` a learner starts rewrites hundreds of modules (onboarding.pytest_bytecode).
    written = subprocess.run(
        [str(python), "-m", "onboarding.pytest_bytecode"], capture_output=True, text=True
    )
    if written.returncode != 0:
        log(
            f"pytest's bytecode for the learners was not written (it only costs speed):\n{written.stderr[-500:]}"
        )
    return python


COURSE_PARTS = (
    "exercises",
    "solutions",
    "notebooks",
    "templates",
    "project",
    "README.md",
    "pyproject.toml",
    "uv.lock",
)


def course_source(state_dir: Path) -> Path:
    """Where learners' servers copy the course from: the checkout, or a copy they can read."""
    if usable_by_learners(["test", "-r", str(COURSE_ROOT / "exercises" / "00_welcome.ipynb")])[0]:
        return COURSE_ROOT
    copy = state_dir / "course"
    for part in COURSE_PARTS:
        source, target = COURSE_ROOT / part, copy / part
        if target.is_dir():
            shutil.rmtree(target)
        if source.is_dir():
            shutil.copytree(source, target)
        elif source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    ok, detail = usable_by_learners(["test", "-r", str(copy / "exercises" / "00_welcome.ipynb")])
    if not ok:
        raise LaunchError(
            f"neither the course folder nor its copy in {copy} can be read by other accounts, "
            f"and each learner's server runs as its own account; choose a --state folder "
            f"they can reach (such as /srv/workshop). {detail}"
        )
    return copy


def default_state() -> Path:
    """`.workshop/` in the checkout, unless other accounts cannot reach into the checkout."""
    if usable_by_learners(["test", "-x", str(COURSE_ROOT)])[0]:
        return COURSE_ROOT / ".workshop"
    return Path("/var/lib/onboard-workshop")


def prepare_learners_environment(prefix: Path) -> None:
    """What `onboard start` sets up in its environment, done for the learners' one.

    No news or update checks in JupyterLab (they would reach for the internet), and the
    workspace hook in every kernel (it records in-notebook checks, and reports them).
    """
    from onboarding import workspace_hook
    from onboarding.cli import write_lab_overrides

    write_lab_overrides(prefix)
    workspace_hook.install(prefix)


def parse_bytes(text: str) -> int:
    """'2G' -> 2147483648, as JupyterHub reads mem_limit (K, M, G, T are powers of 1024)."""
    units = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
    text = text.strip().upper()
    try:
        if text[-1:] in units:
            return int(float(text[:-1]) * units[text[-1]])
        return int(text)
    except ValueError:
        raise LaunchError(f"--memory {text!r} is not a size: write it like 2G or 1536M") from None


# ------------------------------------------------------------------------------- passwords
def passwords(private: Path, env: dict[str, str]) -> tuple[str, str]:
    """(learners' password, instructors' password): from the environment, kept, or new."""
    kept = private / "passwords.json"
    stored = json.loads(kept.read_text()) if kept.exists() else {}
    learner = env.get("WORKSHOP_LEARNER_PASSWORD") or stored.get("learners")
    admin = env.get("WORKSHOP_ADMIN_PASSWORD") or stored.get("instructors")
    learner = learner or "-".join(
        "".join(secrets.choice(FRIENDLY) for _ in range(4)) for _ in range(3)
    )
    admin = admin or secrets.token_urlsafe(33)
    if len(learner) < 8:
        raise LaunchError("the learners' password must have at least 8 characters")
    if len(admin) < 32:
        raise LaunchError("the instructors' (admin) password must have at least 32 characters")
    if learner == admin:
        raise LaunchError("the learners' and the instructors' passwords must differ")
    kept.write_text(json.dumps({"learners": learner, "instructors": admin}, indent=1) + "\n")
    kept.chmod(0o600)
    return learner, admin


# ------------------------------------------------------------------------------------ the run
def wait_until_ready(process: subprocess.Popen, url: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LaunchError(f"JupyterHub exited with code {process.returncode} while starting")
        try:
            with urllib.request.urlopen(f"{url}hub/api", timeout=2) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise LaunchError(f"JupyterHub did not answer at {url} within {READY_TIMEOUT_S} s")


def handout(settings: HubSettings, cohort: cohort_module.Cohort, limits_text: str) -> str:
    url = settings.public_url
    if settings.ip in ("0.0.0.0", "::", ""):
        url = f"http://{socket.gethostname()}:{settings.port}/"
    return "\n".join(
        [
            "",
            f"The workshop hub for “{cohort.title}” is ready.",
            "",
            "Hand this to the learners:",
            f"    Address:   {url}",
            f"    User name: your own, as on the list ({', '.join(cohort.learners)})",
            f"    Password:  {settings.learner_password}",
            "",
            f"Instructors ({', '.join(cohort.instructors)}) log in with the admin password,",
            f"kept in {settings.private_dir / 'passwords.json'} (root only).",
            f"The cohort dashboard: {url}services/cohort-dashboard/",
            "",
            f"Learners' homes are in {settings.homes}/NAME; {limits_text}.",
            "Stop the hub with Ctrl+C: every learner's server stops, their files stay.",
            "",
        ]
    )


def run_hub(settings: HubSettings, cohort: cohort_module.Cohort, limits_text: str) -> int:
    env = {**os.environ, **settings.to_env()}
    log = open(settings.private_dir / "jupyterhub.log", "ab")  # noqa: SIM115 - the hub's lifetime
    hub = subprocess.Popen(
        [str(Path(sys.executable).with_name("jupyterhub")), "-f", str(CONFIG_FILE)],
        env=env,
        cwd=settings.private_dir,
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def forward(signum, frame):  # a Ctrl+C reaches the hub directly; SIGTERM must be passed on
        if signum != signal.SIGINT and hub.poll() is None:
            hub.send_signal(signal.SIGTERM)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)
    try:
        wait_until_ready(hub, settings.public_url)
        click.echo(handout(settings, cohort, limits_text), nl=False)
        click.echo(f"The hub's log is in {settings.private_dir / 'jupyterhub.log'}.", err=True)
        sys.stdout.flush()
        code = hub.wait()
    except BaseException:
        if hub.poll() is None:
            hub.send_signal(signal.SIGTERM)
            hub.wait(timeout=60)
        raise
    finally:
        from workshop.spawner import end_learner_processes

        left = [pid for name in cohort.members for pid in end_learner_processes(name)]
        if left:
            click.echo(f"Ended {len(left)} learner process(es) the hub had left.", err=True)
        log.close()
    click.echo("The workshop hub has stopped.")
    return 0 if code in (0, -signal.SIGINT, -signal.SIGTERM) else code


def prepare(options: dict) -> tuple[HubSettings, cohort_module.Cohort, str]:
    try:
        cohort = cohort_module.load(options["cohort"])
    except cohort_module.CohortError as error:
        raise LaunchError(str(error)) from None
    require_root()
    state = Path(options["state"] or default_state()).resolve()
    private = state / "private"
    private.mkdir(parents=True, exist_ok=True)
    state.chmod(0o755)  # the learners' environment lives here and must be reachable
    private.chmod(0o700)
    homes = Path(options["homes"]).resolve()
    homes.mkdir(parents=True, exist_ok=True)
    check_port(options["ip"], options["port"])
    ensure_unix_group()
    check_existing_accounts(cohort)
    proxy = find_proxy()
    python = learner_python(state, log=lambda text: click.echo(text, err=True))
    source = course_source(state)
    prepare_learners_environment(python.parent.parent)
    learner_password, admin_password = passwords(private, os.environ)
    limiter = Limiter()
    reason = limiter.probe()
    memory = parse_bytes(options["memory"])
    limits_text = limiter.describe(Limits(memory, options["cpus"]))
    if reason:
        limits_text += f" ({reason})"
    settings = HubSettings(
        cohort=Path(options["cohort"]).resolve(),
        state_dir=state,
        course_root=source,
        learner_python=python,
        proxy_command=proxy,
        learner_password=learner_password,
        admin_password=admin_password,
        ip=options["ip"],
        port=options["port"],
        hub_port=free_port(8081),
        proxy_api_port=free_port(8001),
        dashboard_port=free_port(10101),
        homes=homes,
        memory_limit=options["memory"],
        cpu_limit=options["cpus"],
        idle_timeout_s=options["idle_timeout"],
        dashboard_db=options["dashboard_db"] or "",
        admin_api_token=os.environ.get("WORKSHOP_ADMIN_API_TOKEN", ""),
        extra_path=[str(Path(shutil.which("node") or "/usr/bin/node").parent)],
    )
    return settings, cohort, limits_text


# ---------------------------------------------------------------------------------------- CLI
@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Run the course as a workshop: a JupyterHub for a cohort, with a live dashboard."""


@cli.command()
@click.option(
    "--cohort",
    type=click.Path(dir_okay=False, path_type=Path),
    default=COURSE_ROOT / "workshop" / "cohort.example.yaml",
    show_default="workshop/cohort.example.yaml",
    help="The cohort file: learners and instructors (see the example).",
)
@click.option(
    "--ip",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0 for a room).",
)
@click.option("--port", type=int, default=8000, show_default=True, help="The hub's port.")
@click.option(
    "--state",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    show_default=".workshop, or /var/lib/onboard-workshop if other accounts cannot enter the checkout",
    help="Where the hub keeps its database, passwords, logs and the learners' Python.",
)
@click.option(
    "--homes",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("/home"),
    show_default=True,
    help="Where learners' home folders are created.",
)
@click.option(
    "--memory", default="2G", show_default=True, help="Memory limit per learner (K, M, G, T)."
)
@click.option("--cpus", type=float, default=1.0, show_default=True, help="CPU limit per learner.")
@click.option(
    "--idle-timeout",
    type=int,
    default=3600,
    show_default=True,
    help="Seconds without activity before a learner's server is stopped (files are kept).",
)
@click.option(
    "--dashboard-db",
    default="",
    help="Database URL for the dashboard (default: SQLite in the state folder).",
)
def run(**options) -> None:
    """Check the machine and the cohort, start the hub, print what to hand out."""
    settings, cohort, limits_text = prepare(options)
    click.echo(
        f"Starting JupyterHub for {len(cohort.learners)} learners and "
        f"{len(cohort.instructors)} instructor(s) on {settings.public_url} …"
    )
    sys.exit(run_hub(settings, cohort, limits_text))


@cli.command(name="check-cohort")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def check_cohort(path: Path) -> None:
    """Check a cohort file and list who is in it."""
    try:
        cohort = cohort_module.load(path)
    except cohort_module.CohortError as error:
        raise LaunchError(str(error)) from None
    click.echo(f"{path}: “{cohort.title}”")
    click.echo(f"  instructors: {', '.join(cohort.instructors)}")
    click.echo(f"  learners ({len(cohort.learners)}): {', '.join(cohort.learners)}")
    if cohort.starts_at:
        click.echo(f"  starts at: {cohort.starts_at.isoformat()}")


def main() -> None:
    cli(prog_name="python -m workshop")
