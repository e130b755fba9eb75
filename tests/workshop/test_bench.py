"""The arithmetic that turns the capacity measurements into how many learners a machine holds,
and how a check that could not grade is told from one that gave a failing verdict."""

from __future__ import annotations

import os
import pwd
import sys
from pathlib import Path

import pytest

from workshop import bench


def test_the_line_through_the_p95_figures_is_solved_for_the_goal():
    # p95 = 4 s + 1.5 s per learner checking at once: 4 at once take exactly 10 s.
    assert bench.learners_within({1: 5.5, 2: 7.0, 4: 10.0, 8: 16.0}) == 4
    assert bench.learners_within({1: 5.5, 2: 7.0, 4: 10.01, 8: 16.02}) == 3


def test_no_growth_means_the_cpu_is_not_the_limit_and_one_point_is_no_line():
    assert bench.learners_within({1: 5.0, 2: 5.0}) is None
    assert bench.learners_within({1: 5.0}) is None


def test_learners_in_a_room_follow_littles_law():
    # 4 checks at once, each 6 s, one per learner every 120 s: 4 * 120 / 6 = 80 learners.
    assert bench.learners_in_room(4, 6.0) == 80
    assert bench.learners_in_room(4, 6.1) == 78


def test_the_sizing_table_takes_the_smaller_of_memory_and_cpu():
    rows = bench.sizing_table(at_once_per_core=2, room_per_core=44)
    first = rows[0]
    assert first["node"] == "4 vCPU, 16 GiB"
    assert first["learners_by_memory"] == 14  # (16 - 1.5) / 1 GiB
    assert first["checking_at_once"] == 8 and first["learners_by_cpu_at_workshop_rates"] == 176
    assert first["learners"] == 14


@pytest.mark.parametrize(
    "values, fraction, expected", [([3, 1, 2], 0.95, 3), ([1, 2, 3, 4], 0.5, 2)]
)
def test_nearest_rank_percentiles(values, fraction, expected):
    assert bench.nearest_rank(values, fraction) == expected


LOAD = {
    "learners": 60, "seconds": 20, "requests": 900, "errors": 0, "requests_per_s": 45.0,
    "p50_ms": 8.0, "p95_ms": 20.0, "p99_ms": 40.0, "reports_p99_ms": 45.0,
    "reports_accepted": 400, "reports_in_database": 400, "reports_lost": 0,
    "reports_not_sent": 0, "per_endpoint": {}, "failure_reasons": [],
}  # fmt: skip
CAPACITY = {
    "load_average_before": [0.3, 0.5, 1.2], "check_s_alone": 2.3, "learners_in_room": 40,
    "learners_measured": 4, "spawn_s_median": 5.4, "spawn_s_max": 6.8,
    "pss_per_learner_mib": 180, "hub_overhead_mib": 150,
    "check_p95_s_by_learners_at_once": {"1": 2.3, "2": 2.3, "4": 4.3},
    "check_samples_s": {}, "machine": {"cpus": 2, "memory_gib": 24.0},
    "learners_by_memory": 100, "learners_by_check_p95": 8, "learners_held": 8,
    "kubernetes_nodes": bench.sizing_table(4.0, 20.0),
}  # fmt: skip


def test_the_report_shows_every_figure_the_benchmarks_produce():
    """The report reads the keys `loadtest.run` and `capacity` return (it once read a renamed one
    and `make bench` stopped with a KeyError after measuring everything)."""
    from rich.console import Console

    console = Console(record=True, width=160)
    bench.report(console, {"load": LOAD, "capacity": CAPACITY})
    text = console.export_text()
    rows = {line.split("│")[1].strip(): line.split("│")[2].strip() for line in text.splitlines()
            if line.startswith("│")}  # fmt: skip
    assert rows["load average before measuring (1, 5, 15 min)"] == "0.3 0.5 1.2"
    assert "onboard check 00, 4 at once: p95" in text and "4.3 s" in text
    assert "about 40 (40; 100)" in text


def test_the_room_holds_the_smaller_of_the_cpus_and_the_memorys_figures():
    from rich.console import Console

    console = Console(record=True, width=200)
    capacity = {**CAPACITY, "learners_in_room": 2301, "learners_by_memory": 166}
    bench.report(console, {"load": LOAD, "capacity": capacity})
    assert "about 166 (2301; 166)" in console.export_text()


def test_a_check_that_could_not_grade_is_told_from_a_failing_verdict(tmp_path):
    from tests.conftest import run_onboard

    workspace = tmp_path / "workspace"
    env = {"ONBOARD_WORKSPACE": str(workspace)}
    assert run_onboard("update", env=env).returncode == 0
    failing = run_onboard("check", "00", "--json", env=env)  # unsolved: a verdict that fails
    assert failing.returncode == 1
    assert bench.grading_error(failing.stdout) is None
    (workspace / "00_welcome.ipynb").unlink()
    ungraded = run_onboard("check", "00", "--json", env=env)
    assert ungraded.returncode == 1
    assert "00_welcome.ipynb does not exist" in bench.grading_error(ungraded.stdout)


def test_output_that_is_not_json_counts_as_a_check_that_could_not_grade():
    assert "not the JSON of --json" in bench.grading_error("Traceback (most recent call last)")


def test_the_report_counts_the_checks_that_could_not_grade():
    from rich.console import Console

    capacity = {
        **CAPACITY,
        "check_p95_s_by_learners_at_once": {"1": 2.3, "8": 67.7},
        "check_errors_by_learners_at_once": {"8": ["The kernel did not answer within 60 s."]},
    }
    console = Console(record=True, width=160)
    bench.report(console, {"load": LOAD, "capacity": capacity})
    text = console.export_text()
    assert "67.7 s (1 could not grade ❌)" in text
    assert "2.3 s (" not in text


def test_without_the_proxy_the_capacity_is_skipped_with_how_to_install_it(tmp_path, monkeypatch):
    """Said in the report, so that the figures measured before it are kept and printed."""
    from rich.console import Console

    from workshop import launcher

    monkeypatch.setattr(bench.os, "geteuid", lambda: 0)
    monkeypatch.setattr(launcher, "PROXY_IN_TOOLS", tmp_path / "no-proxy-here")
    monkeypatch.setenv("PATH", str(tmp_path))
    result = bench.capacity(learners=2, levels=[1, 2], rounds=1, log=lambda line: None)
    assert "configurable-http-proxy is missing" in result["skipped"]
    assert "npm" in result["skipped"]
    console = Console(record=True, width=200)
    bench.report(console, {"load": LOAD, "capacity": result})
    assert "skipped: configurable-http-proxy is missing" in console.export_text()


def test_make_bench_installs_the_proxy_where_npm_is_there():
    from tests.conftest import COURSE_ROOT

    makefile = (COURSE_ROOT / "Makefile").read_text()
    recipe = makefile.split("\nbench:", 1)[1].split("\n\n", 1)[0]
    assert "command -v npm" in recipe and "$(CHP)" in recipe
    assert recipe.index("$(CHP)") < recipe.index("onboarding.bench")


def test_the_report_shows_the_heavy_stage_beside_stage_00():
    from rich.console import Console

    heavy = {
        "stage": "05", "check_s_alone": 7.1,
        "check_p95_s_by_learners_at_once": {"1": 7.4, "2": 14.2},
        "check_samples_s": {}, "check_errors_by_learners_at_once": {"2": ["a reason"]},
        "learners_by_check_p95": 1, "learners_held": 1, "learners_in_room": 16,
    }  # fmt: skip
    console = Console(record=True, width=200)
    bench.report(console, {"load": LOAD, "capacity": {**CAPACITY, "heavy_stage": heavy}})
    rows = {line.split("│")[1].strip(): line.split("│")[2].strip()
            for line in console.export_text().splitlines() if line.startswith("│")}  # fmt: skip
    assert rows["onboard check 05 (solved), 1 at once: p95"] == "7.4 s"
    assert rows["onboard check 05 (solved), 2 at once: p95"] == "14.2 s (1 could not grade ❌)"
    assert rows["stage 05: learners checking at once with a p95 < 10 s (CPU limit)"] == "1 (1)"
    assert rows["stage 05: learners in the room, at one check each per 2 min"] == "about 16"


def test_a_heavy_stage_whose_check_alone_misses_the_goal_says_so_instead_of_zero():
    from rich.console import Console

    heavy = {
        "stage": "05", "check_s_alone": 20.6, "check_p95_s_by_learners_at_once": {"1": 20.6},
        "check_samples_s": {}, "learners_by_check_p95": 0, "learners_held": 0,
        "learners_in_room": 0,
    }  # fmt: skip
    console = Console(record=True, width=200)
    bench.report(console, {"load": LOAD, "capacity": {**CAPACITY, "heavy_stage": heavy}})
    text = console.export_text()
    assert text.count("none: one check alone takes 20.6 s here") == 2
    assert "about 0" not in text


def test_the_heavy_stages_figures_hold_the_smaller_of_cpu_and_memory():
    samples = {1: [7.0, 7.2], 2: [13.0, 13.6]}
    figures = bench.heavy_figures("05", {1: 7.2, 2: 13.6}, samples, {}, by_memory=100)
    # The line through (1, 7.2) and (2, 13.6) reaches 10 s at 1.4 learners: 1 at once.
    assert figures["learners_by_check_p95"] == 1 and figures["learners_held"] == 1
    # Little's law: 1 check at once, 7.1 s each, one per learner every 120 s: 16 learners.
    assert figures["check_s_alone"] == 7.1 and figures["learners_in_room"] == 16
    assert bench.heavy_figures("05", {1: 7.2, 2: 7.2}, samples, {}, 3)["learners_held"] == 3


@pytest.fixture
def learner_env(tmp_path):
    """This user's environment as a learner's server has it: the course's tools first on PATH."""
    if os.geteuid() != 0:
        pytest.skip("runs the check through runuser, which needs root (CI runs as root)")
    return pwd.getpwuid(os.geteuid()).pw_name, {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "ONBOARD_WORKSPACE": str(tmp_path / "workspace"),
    }


def test_a_stage_is_solved_as_the_learner_and_then_passes_its_check(learner_env):
    name, env = learner_env
    bench.solve_stage_as(env, name, "00")
    seconds, why = bench.timed_check(env, name, "00", solved=True)
    assert why is None and seconds > 0


def test_a_failing_check_on_a_solved_workspace_is_a_fault_not_a_figure(learner_env):
    """A check that stops early looks faster than it is: on a workspace meant to be solved, a
    failing verdict is reported with the figures."""
    from tests.conftest import run_onboard

    name, env = learner_env
    assert (
        run_onboard("update", env={"ONBOARD_WORKSPACE": env["ONBOARD_WORKSPACE"]}).returncode == 0
    )
    _, why = bench.timed_check(env, name, "00", solved=True)
    assert why == "the check of stage 00 failed on a solved workspace"
    _, why = bench.timed_check(env, name, "00")
    assert why is None  # unsolved learners are the stage 00 benchmark's, and expected to fail
