"""The workshop's figures for `make bench`: the dashboard's load test, and the hub's capacity.

    python -m workshop.bench [--quick]

Capacity is measured on a real hub (`python -m workshop run`, as `make workshop` starts it) with
a cohort of benchmark learners, each a real Unix user:

- **spawn time**: from asking the hub for a learner's server to the server answering, one learner
  after another (the course copied in, JupyterLab imported);
- **memory per learner**: the proportional set size (PSS: shared pages split between the
  processes that share them) of the learner's server plus one idle kernel, summed over the
  learner's processes;
- **`onboard check 00` with N learners at once**: N learners start the check at the same moment,
  each as themselves, reports going to the dashboard; the p95 of their durations for each N.
- **the same for the heaviest stage** (`HEAVY_STAGE`), each learner's workspace first solved for
  it as the learner: its check runs the learner's tests in child processes, and a workshop on
  that stage needs its figure, not stage 00's.

From these: how many learners this machine holds with a check's p95 under 10 s (a straight line
through the p95 figures, solved for 10 s) and within its memory, and a sizing table for
Kubernetes nodes. Needs root (it creates the benchmark users, and deletes them after).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psutil

from onboarding.bench_stages import stages_with_exercises
from workshop import launcher, loadtest

CHECK_GOAL_S = 10.0
SYSTEM_RESERVE_GIB = 2.0
"""Kept free for the operating system and the page cache on the hub's machine."""
NODE_SIZES = ((4, 16), (8, 32), (16, 64))
"""(vCPUs, GiB) of the Kubernetes nodes in the sizing table."""
NODE_RESERVE_GIB = 1.5
"""A node's kubelet, system daemons and eviction threshold."""
HEAVY_STAGE = "05"
"""The stage whose check takes longest, by `make bench`'s per-stage figures (about 7 s alone,
against under 1 s for stage 00): it runs the learner's unit, integration and contract tests."""


# ----------------------------------------------------------------------------------- the hub
class BenchHub:
    """A workshop hub for benchmark learners, started and stopped like `make workshop`."""

    def __init__(self, learners: int):
        self.suffix = secrets.token_hex(2)
        self.learners = [f"wsb{self.suffix}-{n:02d}" for n in range(1, learners + 1)]
        self.instructor = f"wsb{self.suffix}-grace"
        self.folder = Path(tempfile.mkdtemp(prefix="workshop-bench-"))
        self.folder.chmod(0o755)
        self.token = secrets.token_hex(24)
        self.port = loadtest.free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        cohort = self.folder / "cohort.yaml"
        cohort.write_text(
            f"workshop: Benchmark\ninstructors: [{self.instructor}]\n"
            f"learners: [{', '.join(self.learners)}]\n"
        )
        env = {**os.environ, "WORKSHOP_ADMIN_API_TOKEN": self.token}
        self.log = self.folder / "hub.log"
        with open(self.log, "wb") as output:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "workshop",
                    "run",
                    "--cohort",
                    str(cohort),
                    "--port",
                    str(self.port),
                    "--state",
                    str(self.folder / "state"),
                    "--homes",
                    str(self.folder / "homes"),
                ],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 900
        while "is ready" not in self.log.read_text(errors="replace"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "the benchmark hub did not start:\n" + self.log.read_text()[-3000:]
                )
            time.sleep(0.5)

    def api(self, method: str, path: str, body: dict | None = None) -> Any:
        request = urllib.request.Request(
            f"{self.url}{path}",
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as reply:
            text = reply.read()
        return json.loads(text) if text else None

    def spawn(self, name: str) -> float:
        started = time.perf_counter()
        try:
            self.api("POST", f"hub/api/users/{name}/server")
        except urllib.error.HTTPError as error:
            if error.code != 202:
                raise
        while not self.api("GET", f"hub/api/users/{name}")["servers"].get("", {}).get("ready"):
            if time.perf_counter() - started > 300:
                raise RuntimeError(f"{name}'s server did not start within 300 s")
            time.sleep(0.2)
        return time.perf_counter() - started

    def start_kernel(self, name: str) -> None:
        self.api("POST", f"user/{name}/api/kernels", {"name": "python3"})

    def server_env(self, name: str) -> dict[str, str]:
        """The environment of the learner's server: what their terminal and kernels have."""
        server = next(
            p
            for p in psutil.process_iter(["username", "cmdline"])
            if p.info["username"] == name
            and "jupyterhub-singleuser" in " ".join(p.info["cmdline"] or [])
        )
        return server.environ()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        from workshop.spawner import end_learner_processes

        for name in [*self.learners, self.instructor]:
            end_learner_processes(name)
            subprocess.run(["userdel", name], capture_output=True)
            subprocess.run(["groupdel", name], capture_output=True)
        subprocess.run(["rm", "-rf", str(self.folder)], check=False)


def learner_pss(name: str) -> int:
    total = 0
    for process in psutil.process_iter(["username"]):
        if process.info["username"] == name:
            try:
                total += process.memory_full_info().pss
            except psutil.Error:
                pass
    return total


def hub_pss(hub: BenchHub, learners: list[str]) -> int:
    """The hub's own share: the launcher, JupyterHub, the proxy and the services."""
    if hub.process is None:
        return 0
    family = [
        psutil.Process(hub.process.pid),
        *psutil.Process(hub.process.pid).children(recursive=True),
    ]
    total = 0
    for process in family:
        try:
            if process.username() not in learners:
                total += process.memory_full_info().pss
        except psutil.Error:
            pass
    return total


def grading_error(output: str) -> str | None:
    """Why `onboard check --json` could not grade, or None when it gave a verdict.

    The benchmark's learners have not solved exercise 00, so a verdict that fails is expected
    (exit code 1); a check that could not grade at all (a kernel that never answered, say) exits
    1 too, and only its JSON tells the two apart.
    """
    try:
        verdicts = json.loads(output)
    except ValueError:
        return f"its output was not the JSON of --json: {output[-300:]!r}"
    errors = [entry["error"] for entry in verdicts if isinstance(entry, dict) and "error" in entry]
    return errors[0] if errors else None


def as_learner(env: dict[str, str], name: str, program: str, *arguments: str) -> list[str]:
    """A command that runs `program` of the course's environment as learner `name`, with exactly
    the environment of the learner's server (what their terminal and kernels have)."""
    return [
        "runuser",
        "-u",
        name,
        "--",
        "env",
        "-i",
        *[f"{key}={value}" for key, value in env.items()],
        str(Path(env["PATH"].split(":")[0]) / program),
        *arguments,
    ]


def timed_check(
    env: dict[str, str], name: str, stage: str = "00", solved: bool = False
) -> tuple[float, str | None]:
    """Seconds of `onboard check STAGE` as learner `name`, and why it could not grade, if it
    could not. On a `solved` workspace a failing verdict is a fault too: a check that stops
    early would look faster than it is."""
    command = as_learner(env, name, "onboard", "check", stage, "--json")
    started = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True, cwd="/", timeout=600)
    elapsed = time.perf_counter() - started
    if run.returncode not in (0, 1):
        raise RuntimeError(
            f"onboard check {stage} as {name} failed ({run.returncode}):\n{run.stderr[-2000:]}"
        )
    why = grading_error(run.stdout)
    if why is None and solved and run.returncode != 0:
        why = f"the check of stage {stage} failed on a solved workspace"
    return elapsed, why


SOLVE_STAGE = (
    "import sys; from pathlib import Path; from onboarding.bench_stages import solved_workspace; "
    "solved_workspace(Path(sys.argv[1]), sys.argv[2])"
)
"""Python that solves a stage in a workspace as `make bench` does: the model project of the
stage and the model solution's code in its notebook, so that every check runs to the end."""


def solve_stage_as(env: dict[str, str], name: str, stage: str) -> None:
    """Solve `stage` in learner `name`'s workspace, as the learner (their files stay theirs)."""
    command = as_learner(env, name, "python", "-c", SOLVE_STAGE, env["ONBOARD_WORKSPACE"], stage)
    run = subprocess.run(command, capture_output=True, text=True, cwd="/", timeout=600)
    if run.returncode != 0:
        raise RuntimeError(f"could not solve stage {stage} as {name}:\n{run.stderr[-2000:]}")


def nearest_rank(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


def learners_within(p95_by_n: dict[int, float], goal_s: float = CHECK_GOAL_S) -> int | None:
    """The largest N whose p95 the least-squares line through (N, p95) keeps under the goal."""
    points = sorted(p95_by_n.items())
    if len(points) < 2:
        return None
    xs, ys = [x for x, _ in points], [y for _, y in points]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sum((x - mean_x) ** 2 for x in xs)
    intercept = mean_y - slope * mean_x
    if slope <= 0:
        return None  # no growth measured: the CPU is not the limit in this range
    return max(0, math.floor((goal_s - intercept) / slope))


CHECK_INTERVAL_S = 120
"""How often a learner in a workshop runs a check, on average (one every two minutes)."""


def learners_in_room(at_once: int, check_s: float, interval_s: float = CHECK_INTERVAL_S) -> int:
    """How many learners keep `at_once` checks running, on average (Little's law).

    Checks arrive at `learners / interval_s` per second and each lasts `check_s`, so on average
    `learners * check_s / interval_s` run at once. An estimate: a class that checks together
    after a demo is the `at_once` case, which is what the p95 goal is measured on.
    """
    return math.floor(at_once * interval_s / check_s)


K8S_MEMORY_GUARANTEE_GIB = 1.0
"""`singleuser.memory.guarantee` in workshop/kubernetes/values.yaml (a test keeps them equal).

Larger than the PSS measured here on purpose: stage 00 is the lightest stage, and later ones run
a service, a load test or a second kernel inside the learner's server."""


def sizing_table(at_once_per_core: float, room_per_core: float) -> list[dict[str, Any]]:
    """Learners per Kubernetes node: the memory guarantee the scheduler reserves, and the CPU
    that held checks under the goal here (at once, and in a room at workshop rates)."""
    rows = []
    for cpus, gib in NODE_SIZES:
        by_memory = math.floor((gib - NODE_RESERVE_GIB) / K8S_MEMORY_GUARANTEE_GIB)
        in_room = math.floor(cpus * room_per_core)
        rows.append(
            {
                "node": f"{cpus} vCPU, {gib} GiB",
                "learners_by_memory": by_memory,
                "checking_at_once": math.floor(cpus * at_once_per_core),
                "learners_by_cpu_at_workshop_rates": in_room,
                "learners": min(by_memory, in_room),
            }
        )
    return rows


def checks_at_once(
    envs: dict[str, dict[str, str]],
    stage: str,
    levels: list[int],
    rounds: int,
    log=print,
    solved: bool = False,
) -> tuple[dict[int, float], dict[int, list[float]], dict[int, list[str]]]:
    """For each level N: N learners start `onboard check STAGE` at the same moment, `rounds`
    times. Returns the p95 by N, the durations by N, and why checks could not grade, by N."""
    learners = list(envs)
    p95_by_n: dict[int, float] = {}
    samples: dict[int, list[float]] = {}
    errors: dict[int, list[str]] = {}
    for level in [n for n in levels if n <= len(learners)]:
        durations: list[float] = []
        for _ in range(rounds):
            with ThreadPoolExecutor(max_workers=level) as pool:
                checks = list(
                    pool.map(lambda n: timed_check(envs[n], n, stage, solved), learners[:level])
                )
            durations += [seconds for seconds, _ in checks]
            errors.setdefault(level, []).extend(why for _, why in checks if why)
        samples[level] = [round(d, 2) for d in durations]
        p95_by_n[level] = nearest_rank(durations, 0.95)
        log(f"capacity: {level} at once, p95 of onboard check {stage} = {p95_by_n[level]:.1f} s")
        # A learner waits for a check that errors too, so its time stays in the figures; but it
        # is no verdict, and the report says so.
        for why in errors[level]:
            log(f"capacity: at {level} at once, a check of stage {stage} could not grade: {why}")
    return p95_by_n, samples, errors


def capacity(
    learners: int,
    levels: list[int],
    rounds: int,
    log=print,
    heavy_stage: str | None = HEAVY_STAGE,
) -> dict[str, Any]:
    if os.geteuid() != 0:
        return {"skipped": "needs root: the benchmark creates Unix users for its learners"}
    try:
        # A missing proxy is a set-up step not taken: say so in the report, and keep the figures.
        launcher.find_proxy()
    except launcher.LaunchError as error:
        return {"skipped": str(error)}
    load_before = [round(value, 1) for value in os.getloadavg()]  # other work on the machine
    hub = BenchHub(learners)
    try:
        log(f"capacity: starting a hub for {learners} benchmark learners…")
        hub.start()
        spawns = []
        for name in hub.learners:
            spawns.append(hub.spawn(name))
            log(f"capacity: {name} spawned in {spawns[-1]:.1f} s")
        for name in hub.learners:
            hub.start_kernel(name)
        time.sleep(5)  # let the kernels finish starting and settle
        pss = [learner_pss(name) for name in hub.learners]
        overhead = hub_pss(hub, hub.learners)
        envs = {name: hub.server_env(name) for name in hub.learners}
        p95_by_n, samples, errors = checks_at_once(envs, "00", levels, rounds, log)
        heavy = None
        if heavy_stage is not None:
            for name in hub.learners:
                solve_stage_as(envs[name], name, heavy_stage)
            log(f"capacity: every learner's workspace solved for stage {heavy_stage}")
            heavy = checks_at_once(envs, heavy_stage, levels, rounds, log, solved=True)
    finally:
        hub.stop()
    per_learner = statistics.median(pss)
    total = psutil.virtual_memory().total
    by_memory = math.floor((total - overhead - SYSTEM_RESERVE_GIB * 2**30) / per_learner)
    by_cpu = learners_within(p95_by_n)
    held = min(by_memory, by_cpu) if by_cpu is not None else by_memory
    cores = os.cpu_count() or 1
    single = statistics.median(samples[min(samples)]) if samples else None
    room = learners_in_room(held, single) if single else held
    return {
        "load_average_before": load_before,
        "check_s_alone": round(single, 1) if single else None,
        "learners_in_room": room,
        "learners_measured": learners,
        "spawn_s_median": round(statistics.median(spawns), 1),
        "spawn_s_max": round(max(spawns), 1),
        "pss_per_learner_mib": round(per_learner / 2**20),
        "hub_overhead_mib": round(overhead / 2**20),
        "check_p95_s_by_learners_at_once": {str(n): round(v, 1) for n, v in p95_by_n.items()},
        "check_samples_s": {str(n): v for n, v in samples.items()},
        "check_errors_by_learners_at_once": {str(n): v for n, v in errors.items() if v},
        "machine": {"cpus": cores, "memory_gib": round(total / 2**30, 1)},
        "learners_by_memory": by_memory,
        "learners_by_check_p95": by_cpu,
        "learners_held": held,
        "kubernetes_nodes": sizing_table(held / cores, room / cores),
        **({"heavy_stage": heavy_figures(heavy_stage, *heavy, by_memory)} if heavy else {}),
    }


def heavy_figures(
    stage: str,
    p95_by_n: dict[int, float],
    samples: dict[int, list[float]],
    errors: dict[int, list[str]],
    by_memory: int,
) -> dict[str, Any]:
    """The heavy stage's check: alone, at once, and the learners it holds (memory as measured)."""
    by_cpu = learners_within(p95_by_n)
    held = min(by_memory, by_cpu) if by_cpu is not None else by_memory
    single = statistics.median(samples[min(samples)]) if samples else None
    return {
        "stage": stage,
        "check_s_alone": round(single, 1) if single else None,
        "check_p95_s_by_learners_at_once": {str(n): round(v, 1) for n, v in p95_by_n.items()},
        "check_samples_s": {str(n): v for n, v in samples.items()},
        "check_errors_by_learners_at_once": {str(n): v for n, v in errors.items() if v},
        "learners_by_check_p95": by_cpu,
        "learners_held": held,
        "learners_in_room": learners_in_room(held, single) if single else held,
    }


# ------------------------------------------------------------------------------------- make bench
def run(console=None, quick: bool = False, heavy_stage: str | None = HEAVY_STAGE) -> dict[str, Any]:
    """Everything, for `onboarding.bench`; progress lines go to `console`."""
    say = console.print if console is not None else print
    say(f"workshop: load test of the dashboard, 60 learners, {20 if quick else 60} s…")
    results: dict[str, Any] = {"load": loadtest.run(seconds=20 if quick else 60, learners=60)}
    results["capacity"] = capacity(
        learners=4 if quick else 8,
        levels=[1, 2, 4] if quick else [1, 2, 4, 8],
        rounds=1 if quick else 2,
        log=say,
        heavy_stage=heavy_stage,
    )
    return results


def add_p95_rows(table, what: str, figures: dict[str, Any]) -> None:
    """One row per level of learners at once: the p95, and how many checks could not grade."""
    errored = figures.get("check_errors_by_learners_at_once", {})
    for level, p95 in figures["check_p95_s_by_learners_at_once"].items():
        count = len(errored.get(level, []))
        table.add_row(
            f"{what}, {level} at once: p95",
            f"{p95} s" + (f" ({count} could not grade ❌)" if count else ""),
            f"< {CHECK_GOAL_S:g} s",
        )


def report(console, results: dict[str, Any]) -> None:
    from rich.table import Table

    load, hub = results["load"], results["capacity"]
    table = Table(title="Workshop hub")
    for column in ("What", "Figure", "Goal"):
        table.add_column(column)
    ok = "✅" if loadtest.meets_goals(load) else "❌"
    table.add_row(
        f"dashboard, {load['learners']} learners for {load['seconds']} s: p99 / errors",
        f"{load['p99_ms']:g} ms / {load['errors']} ({load['requests']} requests)",
        f"≤ {loadtest.GOALS['p99_ms']:g} ms, 0 {ok}",
    )
    table.add_row(
        "reports accepted (201) / in the database / lost",
        f"{load['reports_accepted']} / {load['reports_in_database']} / {load['reports_lost']}",
        "0 lost",
    )
    if "skipped" in hub:
        table.add_row("capacity", f"skipped: {hub['skipped']}", "")
    else:
        table.add_row(
            "spawn time per learner (median, max)",
            f"{hub['spawn_s_median']} s, {hub['spawn_s_max']} s",
            "",
        )
        table.add_row(
            "memory per learner (PSS: server + one kernel)", f"{hub['pss_per_learner_mib']} MiB", ""
        )
        add_p95_rows(table, "onboard check 00", hub)
        table.add_row(
            "learners checking at once with a p95 < 10 s (CPU limit; memory limit)",
            f"{hub['learners_held']} ({hub['learners_by_check_p95']}; {hub['learners_by_memory']})",
            "",
        )
        # The CPU's figure alone can run to thousands; the room holds the smaller of the two.
        by_cpu, by_memory = hub["learners_in_room"], hub["learners_by_memory"]
        table.add_row(
            f"learners in the room, at one check each per {CHECK_INTERVAL_S // 60} min "
            "(CPU limit; memory limit)",
            f"about {min(by_cpu, by_memory)} ({by_cpu}; {by_memory})",
            "",
        )
        heavy = hub.get("heavy_stage")
        if heavy:
            stage = heavy["stage"]
            add_p95_rows(table, f"onboard check {stage} (solved)", heavy)
            # Zero learners is a figure a reader would misread: the check alone misses the goal.
            too_slow = f"none: one check alone takes {heavy['check_s_alone']} s here"
            held = heavy["learners_held"]
            table.add_row(
                f"stage {stage}: learners checking at once with a p95 < 10 s (CPU limit)",
                f"{held} ({heavy['learners_by_check_p95']})" if held else too_slow,
                "",
            )
            table.add_row(
                f"stage {stage}: learners in the room, at one check each per "
                f"{CHECK_INTERVAL_S // 60} min",
                f"about {heavy['learners_in_room']}" if held else too_slow,
                "",
            )
        table.add_row(
            "load average before measuring (1, 5, 15 min)",
            " ".join(map(str, hub["load_average_before"])),
            "",
        )
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a shorter load test, 4 learners")
    parser.add_argument(
        "--heavy-stage",
        default=HEAVY_STAGE,
        metavar="NN",
        help=f"the second stage whose check is measured, solved (default {HEAVY_STAGE}, the "
        "slowest); 'none' measures stage 00 only",
    )
    options = parser.parse_args(argv)
    heavy_stage = None if options.heavy_stage.lower() == "none" else options.heavy_stage
    if heavy_stage is not None and heavy_stage not in stages_with_exercises():
        parser.error(
            f"--heavy-stage {options.heavy_stage}: no such stage with exercises; choose one of "
            f"{', '.join(stages_with_exercises())}, or none"
        )
    from rich.console import Console

    console = Console()
    results = run(console, quick=options.quick, heavy_stage=heavy_stage)
    report(console, results)
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
