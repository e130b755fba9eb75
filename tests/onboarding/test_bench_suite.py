"""`onboarding.bench_suite`: `make test`'s time, where it goes, and the floor of any schedule.

The suite measured here is a small one written by each test, run by a real pytest, so the JUnit
plumbing is the one `make bench` uses.
"""

from __future__ import annotations

import sys

import pytest
from rich.console import Console

from onboarding import bench_suite


@pytest.fixture
def suite(tmp_path, monkeypatch):
    """Two test files: one with two tests of 0.3 s, one with a quick test."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    folder = tmp_path / "suite"
    folder.mkdir()
    (folder / "test_slow.py").write_text(
        "import time\n\n"
        "def test_one():\n    time.sleep(0.3)\n\n"
        "class TestGroup:\n    def test_two(self):\n        time.sleep(0.3)\n"
    )
    (folder / "test_quick.py").write_text("def test_quick():\n    assert True\n")
    return [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder)]


def test_each_files_tests_are_summed_and_the_costliest_comes_first(suite):
    steps = []
    figure = bench_suite.bench_suite(suite, runs=2, progress=lambda: steps.append(1))
    assert len(steps) == 2 and len(figure["all_s"]) == 2
    files = [name for name, _ in figure["by_file"]]
    assert files[0].endswith("test_slow.py") and files[1].endswith("test_quick.py")
    slow = figure["by_file"][0][1]
    assert 0.6 <= slow < 2.0, figure
    assert figure["test_seconds_s"] >= slow
    assert abs(figure["schedule_floor_s"] - figure["test_seconds_s"] / 2) <= 0.1
    # The machine's counters: pytest's start-up alone is work, and it is shared by the cores.
    assert figure["cpu_s"] > 0 and figure["cores"] >= 1
    # Each figure is rounded from the unrounded measurement, so they agree to a rounding step.
    assert abs(figure["cpu_floor_s"] - figure["cpu_s"] / figure["cores"]) <= 0.1
    assert 0 < figure["busy_share"]
    # Start-up and collection are not tests' time: the wall clock is always the larger.
    assert figure["median_s"] >= figure["test_seconds_s"]


def test_a_failing_suite_is_not_timed_and_says_why(suite, tmp_path):
    (tmp_path / "suite" / "test_broken.py").write_text("def test_broken():\n    assert 1 == 2\n")
    with pytest.raises(RuntimeError) as raised:
        bench_suite.bench_suite(suite, runs=1, progress=lambda: None)
    assert "exited 1, so its time means nothing" in str(raised.value)
    assert "test_broken" in str(raised.value)


def test_a_report_that_cannot_be_read_is_a_clear_error(tmp_path):
    broken = tmp_path / "report.xml"
    broken.write_text("<testsuites><testcase")
    with pytest.raises(RuntimeError, match="JUnit report .* could not be read"):
        bench_suite.seconds_by_file(broken)
    with pytest.raises(RuntimeError, match="could not be read"):
        bench_suite.seconds_by_file(tmp_path / "missing.xml")


def test_a_report_without_file_names_falls_back_to_class_names(tmp_path):
    report = tmp_path / "report.xml"
    report.write_text(
        '<testsuites><testsuite name="pytest">'
        '<testcase classname="tests.test_a" name="test_x" time="1.5"/>'
        '<testcase classname="tests.test_a" name="test_y" time="0.5"/>'
        '<testcase file="tests/test_b.py" classname="tests.test_b" name="test_z" time="2"/>'
        "</testsuite></testsuites>"
    )
    assert bench_suite.seconds_by_file(report) == {"tests.test_a": 2.0, "tests/test_b.py": 2.0}


@pytest.mark.parametrize(
    ("schedule_floor", "cpu_floor", "verdict"),
    [
        (150.0, 150.0, "a perfect schedule could meet the goal of 150 s"),
        (150.0, None, "a perfect schedule could meet the goal of 150 s"),
        (
            150.1,
            150.0,
            "no schedule on 2 workers can meet the goal of 150 s: more workers, overlapping "
            "the tests' waiting, might",
        ),
        (
            150.1,
            None,
            "no schedule on 2 workers can meet the goal of 150 s: more workers, overlapping "
            "the tests' waiting, might",
        ),
        (150.0, 150.1, "no schedule can meet the goal of 150 s: only less work can"),
        (400.0, 300.0, "no schedule can meet the goal of 150 s: only less work can"),
    ],
)
def test_the_floors_are_judged_against_the_goal_exactly_at_its_limit(
    schedule_floor, cpu_floor, verdict
):
    assert bench_suite.floor_verdict(schedule_floor, cpu_floor, 150.0) == verdict


def figure_with(files: int) -> dict:
    by_file = [[f"tests/test_{number:02}.py", float(files - number)] for number in range(files)]
    total = sum(seconds for _, seconds in by_file)
    return {
        "runs": 3,
        "by_file": by_file,
        "test_seconds_s": total,
        "workers": 2,
        "schedule_floor_s": total / 2,
        "cpu_s": 100.0,
        "cores": 2,
        "cpu_floor_s": 50.0,
        "busy_share": 0.8,
    }


def test_the_report_shows_the_costliest_files_with_bars_and_sums_the_rest():
    console = Console(record=True, width=120)
    bench_suite.report(console, figure_with(15), goal_s=150.0)
    text = console.export_text()
    assert "tests/test_00.py" in text and "tests/test_11.py" in text
    assert "tests/test_12.py" not in text
    assert "3 other files" in text and " 6 " in text  # 3 + 2 + 1 seconds
    assert "█" * bench_suite.BAR_WIDTH in text
    sentences = " ".join(text.split())  # the console folds long lines at its width
    assert "All tests: 120 s on 2 workers" in sentences
    assert "no schedule on 2 workers finishes in under 60 s" in sentences
    assert "busy for 100 CPU-seconds (80% of 2 cores' time)" in sentences
    assert "no schedule on 2 cores finishes in under 50 s" in sentences
    assert "So a perfect schedule could meet the goal of 150 s." in sentences


def test_without_the_machines_counters_the_report_leaves_the_cpu_line_out():
    figure = {**figure_with(15), "cpu_s": None, "cpu_floor_s": None, "busy_share": None}
    console = Console(record=True, width=120)
    bench_suite.report(console, figure, goal_s=50.0)
    sentences = " ".join(console.export_text().split())
    assert "CPU-seconds" not in sentences
    assert "no schedule on 2 workers can meet the goal of 50 s" in sentences


def test_on_an_80_column_terminal_no_file_name_loses_its_end():
    figure = figure_with(2)
    figure["by_file"][0][0] = "tests/browser/test_book_accessibility.py"
    console = Console(record=True, width=80)
    bench_suite.report(console, figure, goal_s=150.0)
    text = console.export_text()
    assert "…" not in text
    first_column = "".join(
        line.split("│")[1].strip() for line in text.splitlines() if line.startswith("│")
    )
    assert "tests/browser/test_book_accessibility.py" in first_column


def test_the_report_of_an_empty_suite_still_renders():
    console = Console(record=True, width=120)
    bench_suite.report(console, figure_with(0), goal_s=150.0)
    assert "All tests: 0 s on 2 workers" in console.export_text()


def test_a_failing_make_test_stops_the_bench_and_keeps_what_it_measured(
    tmp_path, monkeypatch, capsys
):
    """Half an hour of measuring once ended in a traceback, and every figure was lost."""
    import json

    from onboarding import bench, bench_stages, paths

    monkeypatch.setattr(paths, "course_root", lambda: tmp_path)
    monkeypatch.setattr(bench, "bench_onboard_check", lambda runs, progress: {"ratio": 0.7})
    monkeypatch.setattr(bench, "bench_check_call", lambda runs, progress: {"s": 0.1})
    monkeypatch.setattr(bench_stages, "bench_stages", lambda runs, progress: {"00": {}})
    monkeypatch.setattr(bench_stages, "bench_all", lambda runs, progress: {"median_s": 15.0})
    monkeypatch.setattr(bench, "bench_command", lambda command, runs, progress: {"median_s": 1})

    def failing_suite(command, runs, progress):
        raise RuntimeError("make test exited 2, so its time means nothing:\n[100%] 1 failed")

    monkeypatch.setattr(bench_suite, "bench_suite", failing_suite)
    assert bench.main([]) == 1
    printed = capsys.readouterr().out
    assert "make test exited 2, so its time means nothing" in printed
    assert "[100%] 1 failed" in printed
    saved = json.loads((tmp_path / bench.RESULTS / "latest.json").read_text())
    assert saved["check_all"] == {"median_s": 15.0} and "make_test_warm" not in saved


def test_a_long_file_missing_from_the_suites_order_is_named_exactly_from_its_limit():
    limit = bench_suite.LISTED_FROM_S
    figure = figure_with(0)
    figure["by_file"] = [
        ["tests/test_listed.py", 90.0],
        ["tests/test_at_the_limit.py", limit],
        ["tests/test_just_under.py", limit - 0.1],
    ]
    console = Console(record=True, width=200)
    bench_suite.report(console, figure, goal_s=150.0, listed=["tests/test_listed.py"])
    sentences = " ".join(console.export_text().split())
    assert "not in tests/longest_files_first.txt" in sentences
    assert "tests/test_at_the_limit.py" in sentences.split("not in tests/longest_files_first")[1]
    assert "test_just_under" not in sentences.split("not in tests/longest_files_first")[1]


def test_when_every_long_file_is_listed_the_report_says_nothing_of_the_order():
    figure = figure_with(3)
    console = Console(record=True, width=200)
    listed = [name for name, _ in figure["by_file"]]
    figure["by_file"] = [[name, 100.0] for name in listed]
    bench_suite.report(console, figure, goal_s=150.0, listed=list(reversed(listed)))
    assert "longest_files_first" not in console.export_text()


def test_the_courses_order_file_is_read_and_a_course_without_one_has_none(tmp_path):
    from onboarding import paths

    assert "tests/test_course_notebooks.py" in bench_suite.listed_first(paths.course_root())
    assert bench_suite.listed_first(tmp_path) == []
