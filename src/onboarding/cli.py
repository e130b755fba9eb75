"""`onboard`: the learner's and the author's command line.

Imports of heavy modules (pytest, nbclient, JupyterLab) happen inside the commands, so that
`onboard --help` and `onboard progress` answer at once.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from pathlib import Path

import click

from onboarding import paths

WELCOME_LESSON = "notebooks/00_welcome.ipynb"


def _console(stderr: bool = False):
    from rich.console import Console

    # soft_wrap: a line longer than the terminal wraps where the terminal wraps it, never in the
    # middle of a sentence at Rich's guess of 80 columns (its default when output is a pipe).
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _workspace() -> Path:
    return paths.workspace_dir()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="onboarding-course", prog_name="onboard")
def cli() -> None:
    """The onboarding course's toolkit: set up your workspace, check exercises, see progress.

    Start with `onboard start` (or `make start`), work through the lessons in notebooks/ and the
    exercises in your workspace, and run `onboard check` whenever you want a verdict.
    """


# ---------------------------------------------------------------------------------------- start
def _has_display() -> bool:
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


LAB_NOTIFICATIONS = "@jupyterlab/apputils-extension:notification"
QUIET_NOTIFICATIONS = {"checkForUpdates": False, "fetchNews": "false"}


def write_lab_overrides(prefix: Path | None = None) -> Path:
    """Turn off JupyterLab's news pop-up and update check: they reach for the internet.

    Every other setting in the file is kept. The file is replaced in one step, never rewritten
    in place, because several `onboard start`s may share one environment at once (a workshop's
    learners, the test suite's workers), and none may read another's half-written file. A file
    that is not a JSON object is left as it is, with a warning: it is someone's, and JupyterLab
    runs without these two settings.
    """
    prefix = prefix or Path(sys.prefix)
    path = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        settings = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        problem = None if isinstance(settings, dict) else "it is not a JSON object"
    except (ValueError, OSError) as error:  # JSONDecodeError and UnicodeDecodeError are both
        problem = str(error)
    if problem:
        click.echo(
            f"Left JupyterLab's settings file {path} as it is ({problem}): JupyterLab may show its "
            "news and check for updates. Fix the file, or delete it to have onboard write it.",
            err=True,
        )
        return path
    if settings.get(LAB_NOTIFICATIONS) == QUIET_NOTIFICATIONS:
        return path
    settings[LAB_NOTIFICATIONS] = QUIET_NOTIFICATIONS
    replacement = path.with_name(f".{path.name}.{os.getpid()}.new")
    replacement.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    os.replace(replacement, path)
    return path


def lab_command(port: int, host: str, token: str, open_browser: bool, as_root: bool) -> list[str]:
    jupyter_lab = Path(sys.executable).with_name("jupyter-lab")
    command = [
        str(jupyter_lab) if jupyter_lab.exists() else "jupyter-lab",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",  # a busy port is an error to report, not a surprise URL
        f"--ServerApp.ip={host}",
        f"--ServerApp.root_dir={paths.course_root()}",
        f"--LabApp.default_url=/lab/tree/{WELCOME_LESSON}",
        f"--IdentityProvider.token={token}",
    ]
    if not open_browser:
        command.append("--no-browser")
    if as_root:
        command.append("--allow-root")
    return command


@cli.command()
@click.option(
    "--port",
    type=int,
    default=lambda: int(os.environ.get("PORT", 8888)),
    show_default="$PORT or 8888",
    help="Port for JupyterLab.",
)
@click.option(
    "--host",
    default=lambda: os.environ.get("HOST", "127.0.0.1"),
    show_default="$HOST or 127.0.0.1",
    help="Address to listen on (0.0.0.0 in a container).",
)
@click.option("--no-browser", is_flag=True, help="Do not try to open a web browser.")
@click.option("--dry-run", is_flag=True, help="Set up the workspace and print the command only.")
def start(port: int, host: str, no_browser: bool, dry_run: bool) -> None:
    """Create your workspace (first run only) and open the course in JupyterLab.

    Your workspace is a git-ignored copy of exercises/; files already there are never
    overwritten. JupyterLab opens at the welcome lesson.
    """
    from onboarding import project, workspace, workspace_hook

    console = _console()
    report = workspace.create(_workspace(), paths.exercises_dir())
    if report.created:
        console.print(
            f"Created your workspace in {_shown(_workspace())} with "
            f"{len(report.created)} exercise files."
        )
    for line in report.lines()[len(report.created) :]:
        console.print(f"  {line}")
    try:
        created = project.create(_workspace())
    except project.ProjectError as error:
        console.print(f"[yellow]Your project was not created:[/] {escape(str(error))}")
    else:
        if created.commit:
            console.print(
                f"Created your project in {_shown(project.locate(_workspace()))}: a git "
                "repository you build through every stage (its README says how to test it)."
            )
    write_lab_overrides()
    workspace_hook.install()

    open_browser = not no_browser and _has_display()
    as_root = _running_as_root()
    token = os.environ.get("JUPYTER_TOKEN") or secrets.token_hex(16)
    command = lab_command(port, host, token, open_browser, as_root)
    if as_root:
        console.print(
            "Running as root (usual in containers and CI): passing --allow-root to "
            "JupyterLab, which otherwise refuses to start."
        )
    if not open_browser:
        console.print("No display found, so no browser is opened: open the address below yourself.")
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{shown_host}:{port}/lab/tree/{WELCOME_LESSON}?token={token}"
    console.print(f"\nThe course is at: [bold]{url}[/]\n(stop it with Ctrl+C)", soft_wrap=True)
    if dry_run:
        click.echo(" ".join(command))
        return
    if not _port_is_free(host, port):
        raise click.ClickException(
            f"port {port} is already in use (another JupyterLab?). "
            f"Choose another: make start PORT={port + 1}"
        )
    sys.stdout.flush()
    os.execvpe(command[0], command, lab_environment())


def lab_environment() -> dict[str, str]:
    """JupyterLab's environment: the workspace, and this environment's tools first on PATH.

    Terminals opened in JupyterLab then run this environment's `pytest`, `onboard` and
    `alembic` without activating anything.
    """
    tools = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if tools not in path.split(os.pathsep):
        path = os.pathsep.join([tools, path]) if path else tools
    return {**os.environ, "ONBOARD_WORKSPACE": str(_workspace()), "PATH": path}


def _port_is_free(host: str, port: int) -> bool:
    import socket

    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------------------------------- check
@cli.command()
@click.argument("exercise", required=False)
@click.option("--all", "check_all", is_flag=True, help="Check every exercise in your workspace.")
@click.option(
    "--timeout",
    type=int,
    default=30,
    show_default=True,
    help="Seconds a single cell may run before it counts as stuck.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="With --all: how many notebooks to grade side by side [default: one per core, up to 4].",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the results as JSON (for scripts) instead."
)
def check(
    exercise: str | None, check_all: bool, timeout: int, jobs: int | None, as_json: bool
) -> None:
    """Grade your copy of an exercise, exactly as CI grades the course.

    EXERCISE is a notebook name such as 00_welcome, or just its number (00). Prints each
    expectation that failed, with its hint. Exit code 0 means everything passed, 1 means
    something failed.
    """
    from onboarding import grading, workspace

    console = _console(stderr=as_json)
    exercises_dir = paths.exercises_dir()
    if exercise and check_all:
        raise click.UsageError("Give an EXERCISE or --all, not both.")
    try:
        names = (
            [workspace.resolve_exercise(exercise, exercises_dir)]
            if exercise
            else sorted(p.name for p in exercises_dir.glob("[0-9][0-9]_*.ipynb"))
        )
    except KeyError as error:
        raise click.BadParameter(error.args[0], param_hint="EXERCISE") from None
    pairs = [(_workspace() / name, paths.solutions_dir() / name) for name in names]
    verdicts: dict[str, dict] = {}
    all_ok = True
    label = "starting a kernel and running it" if len(names) == 1 else "each in its own kernel"
    with console.status(f"Checking {_names_of(names)}: {label}…") as status:
        for learner_path, verdict in grading.grade_many(pairs, cell_timeout=timeout, jobs=jobs):
            name = learner_path.name
            if isinstance(verdict, grading.GradingError):
                console.print(f"[red]✗ {name}[/]: {escape(str(verdict))}")
                verdicts[name] = {"notebook": name, "ok": False, "error": str(verdict)}
                all_ok = False
            else:
                record_verdict(_workspace(), verdict)
                verdicts[name] = verdict.to_json()
                if not as_json:
                    _print_verdict(console, verdict)
                all_ok = all_ok and verdict.ok
            running = [other for other in names if other not in verdicts]
            if running:
                status.update(
                    f"Checked {len(verdicts)} of {len(names)}; not done yet: {_names_of(running)}…"
                )
    if as_json:
        click.echo(json.dumps([verdicts[name] for name in names], indent=1, ensure_ascii=False))
    sys.exit(0 if all_ok else 1)


def _names_of(names: list[str], shown: int = 3) -> str:
    """`05_testing, 06_ci_and_releases and 2 more`: what is being checked, in one short line."""
    listed = ", ".join(names[:shown])
    return listed if len(names) <= shown else f"{listed} and {len(names) - shown} more"


def record_verdict(workspace_path: Path, verdict) -> None:
    """The CLI is one of the ledger's two writers (the other is the kernel's workspace hook)."""
    from onboarding import progress, reporting

    for result in verdict.exercises:
        checked = result.as_result()
        progress.record(workspace_path, checked, source="onboard check")
        # Under the workshop hub the cohort dashboard hears of it too; elsewhere nothing is sent.
        reporting.report(workspace_path, checked, source="onboard check")


def escape(text: str) -> str:
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def _print_verdict(console, verdict) -> None:
    mark = "[green]✅[/]" if verdict.ok else "[red]❌[/]"
    console.print(f"{mark} [bold]{verdict.notebook}[/]")
    for problem in verdict.problems:
        console.print(f"   [yellow]![/] {escape(problem)}", soft_wrap=True)
    for result in verdict.exercises:
        title = f" {result.title}" if result.title else ""
        console.print(
            f"   {'[green]✅[/]' if result.ok else '[red]❌[/]'} Exercise {result.exercise_id}"
            f"{escape(title)}: {result.passed} of {result.total} checks passed",
            soft_wrap=True,
        )
        for line in result.failures + result.advice:
            console.print(f"      {escape(line)}", soft_wrap=True)
    if verdict.ok:
        console.print("   Everything passes. Well done! `onboard progress` shows where you are.")
    else:
        console.print(
            "   Fix what is listed above, run the notebook again, then `onboard check` again."
        )


# ------------------------------------------------------------------------------------- progress
@cli.command(name="progress")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON instead.")
def progress_command(as_json: bool) -> None:
    """Show each stage's exercises: status, checks passed, last attempt."""
    from onboarding import progress

    rows = progress.statuses(_workspace())
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "stage": r.stage,
                        "exercise": r.exercise_id,
                        "title": r.title,
                        "state": r.state,
                        "passed": r.passed,
                        "total": r.total,
                        "attempts": r.attempts,
                        "last_attempt": r.last_attempt.isoformat() if r.last_attempt else None,
                    }
                    for r in rows
                ],
                indent=1,
            )
        )
        return
    _console().print(progress.render_table(rows))


# ---------------------------------------------------------------------------------- reset/update
@cli.command()
@click.argument("exercise")
def reset(exercise: str) -> None:
    """Start an exercise afresh; your current copy is backed up first.

    The backup goes to .onboard/backups/ in your workspace, named with the time.
    """
    from onboarding import workspace

    exercises_dir = paths.exercises_dir()
    try:
        name = workspace.resolve_exercise(exercise, exercises_dir)
    except KeyError as error:
        raise click.BadParameter(error.args[0], param_hint="EXERCISE") from None
    if not workspace.is_workspace(_workspace()):
        workspace.create(_workspace(), exercises_dir)
    report = workspace.reset(_workspace(), exercises_dir, name)
    for line in report.lines():
        click.echo(line)


@cli.command()
def update() -> None:
    """Bring new and changed exercises into your workspace, keeping every edit of yours.

    Run it after `git pull`. Files you never edited are updated; files you edited are kept and
    the course's new version is saved beside them as NAME.course-update.ipynb.
    """
    from onboarding import workspace

    report = workspace.update(_workspace(), paths.exercises_dir())
    lines = report.lines()
    for line in lines:
        click.echo(line)
    if not lines:
        click.echo("Your workspace is up to date.")


# ------------------------------------------------------------------------------------- authors
@cli.group()
def author() -> None:
    """Tools for course authors: generate exercises, run and normalise notebooks."""


@author.command()
def generate() -> None:
    """Regenerate exercises/ from solutions/ (what `make exercises` runs)."""
    from onboarding import generator

    try:
        changed = generator.generate_all(paths.solutions_dir(), paths.exercises_dir())
    except generator.GeneratorError as error:
        raise click.ClickException(str(error)) from None
    for path in changed:
        click.echo(f"wrote {path.relative_to(paths.course_root())}")
    click.echo(f"{len(changed)} exercise file(s) changed.")


@author.command()
@click.argument("notebook_paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Change nothing; exit 1 listing notebooks that need normalising.",
)
def normalise(notebook_paths: tuple[Path, ...], check_only: bool) -> None:
    """Strip volatile metadata from notebooks (default: every committed notebook)."""
    from onboarding import notebooks

    targets = list(notebook_paths) or committed_notebooks()
    dirty = []
    for path in targets:
        if notebooks.is_normalised(path):
            continue
        dirty.append(path)
        if not check_only:
            notebooks.write(path, notebooks.normalise(notebooks.read(path)))
    for path in dirty:
        click.echo(f"{'needs normalising' if check_only else 'normalised'}: {path}")
    if check_only and dirty:
        sys.exit(1)


def committed_notebooks() -> list[Path]:
    root = paths.course_root()
    return sorted(
        path
        for folder in ("notebooks", "solutions", "exercises")
        for path in (root / folder).glob("*.ipynb")
    )


@author.command(name="run")
@click.argument(
    "notebook_paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path)
)
@click.option("--timeout", type=int, default=300, show_default=True, help="Seconds per cell.")
def run_notebooks(notebook_paths: tuple[Path, ...], timeout: int) -> None:
    """Execute notebooks in place (in a scratch folder) and store normalised outputs.

    Run this on a solution or lesson after editing it, then `make exercises`.
    """
    from onboarding import execution

    for path in notebook_paths:
        click.echo(f"running {path} …")
        try:
            execution.run_in_place(path, timeout=timeout)
        except execution.ExecutionFailed as error:
            raise click.ClickException(str(error)) from None
    click.echo("done; now run `make exercises` if you changed a solution.")


@cli.command()
@click.argument("stage", type=int)
@click.option(
    "--adopt",
    is_flag=True,
    help="Replace your project with the course's (your work is kept on a git branch).",
)
def checkpoint(stage: int, adopt: bool) -> None:
    """Catch up: the course's project as it stands at the end of STAGE.

    Without --adopt, the course's project goes beside your work, into checkpoints/stage_NN/ in
    your workspace, never over anything. With --adopt, your project (workspace/service/) is
    committed as it is onto a branch `before-stage-NN-…`, and the course's project takes its
    place in a new commit, so you carry on from there and nothing of yours is lost.
    """
    from onboarding import project

    number = f"{stage:02d}"
    if number not in project.stages():
        available = ", ".join(str(int(known)) for known in project.stages())
        raise click.ClickException(f"there is no stage {stage}; available stages: {available}")
    try:
        if adopt:
            change = project.adopt(number, _workspace())
        else:
            destination = _workspace() / "checkpoints" / f"stage_{number}"
            written = project.materialise(number, destination)
    except project.ProjectError as error:
        raise click.ClickException(str(error)) from None
    if adopt:
        for line in change.lines():
            click.echo(line)
        click.echo(
            f"Your project is now the course's project at the end of stage {number}: "
            f"carry on with stage {stage + 1:02d}."
        )
        return
    click.echo(f"wrote {len(written)} files")
    click.echo(f"Stage {number} reference project is in {_shown(destination)}.")


@cli.command()
@click.argument("stage", type=int)
def begin(stage: int) -> None:
    """Add the course's starting files for STAGE to your project.

    Files you already have are never overwritten: they are listed as kept. What is added is
    committed in your project's git repository, so `git diff` shows only your own changes.
    The first code cell of each exercise notebook does the same.
    """
    from onboarding import project

    number = f"{stage:02d}"
    if number not in project.stages():
        raise click.BadParameter(
            f"stage {number} adds nothing to your project; "
            f"the stages that do are {', '.join(project.stages()) or 'none yet'}",
            param_hint="STAGE",
        )
    try:
        change = project.begin(number, _workspace())
    except project.ProjectError as error:
        raise click.ClickException(str(error)) from None
    for line in change.lines() or ["nothing to add: your project already has every file"]:
        click.echo(line)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
