"""`onboarding.timing`: how `make bench` times a command and reads the machine's busy time."""

from __future__ import annotations

import os
import sys

import pytest

from onboarding import timing


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_a_command_is_timed_with_the_environment_it_is_given():
    seconds = timing.timed(
        python("import os, time; assert os.environ['BENCH_PROBE'] == 'yes'; time.sleep(0.3)"),
        env={"BENCH_PROBE": "yes"},
    )
    assert 0.3 <= seconds < 5.0


def test_an_expected_exit_code_other_than_zero_is_a_result():
    assert timing.timed(python("raise SystemExit(1)"), expect=1) > 0


def test_a_failed_run_is_not_timed_and_quotes_the_end_of_its_output():
    lines = "".join(f"print('line {number}')\n" for number in range(40))
    with pytest.raises(RuntimeError) as raised:
        timing.timed(python(lines + "raise SystemExit(3)"))
    message = str(raised.value)
    assert "exited 3, so its time means nothing" in message
    assert "line 39" in message and f"line {39 - timing.LAST_LINES + 1}" in message
    assert f"line {39 - timing.LAST_LINES}\n" not in message


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the counters are Linux's")
def test_busy_time_grows_by_the_work_done_between_two_readings():
    before = timing.busy_cpu_seconds()
    spin = "import time\nend = time.process_time() + 0.5\nwhile time.process_time() < end: pass"
    timing.timed(python(spin))
    after = timing.busy_cpu_seconds()
    assert before is not None and after is not None
    assert after - before >= 0.5


@pytest.mark.parametrize(
    "content",
    ["", "intr 1 2 3\n", "cpu  12 x 3 4 5 6 7 8\n"],
    ids=["empty", "no cpu line first", "not numbers"],
)
def test_counters_that_cannot_be_read_give_no_figure(tmp_path, content):
    stat = tmp_path / "stat"
    stat.write_text(content)
    assert timing.busy_cpu_seconds(stat) is None
    assert timing.busy_cpu_seconds(tmp_path / "missing") is None


def test_idle_and_waiting_for_the_disk_are_not_busy(tmp_path):
    stat = tmp_path / "stat"
    # user nice system idle iowait irq softirq steal
    stat.write_text("cpu  300 0 100 5000 700 0 0 0 0 0\ncpu0 150 0 50 2500 350 0 0 0 0 0\n")
    # 300 user + 100 system ticks; the length of a tick is the kernel's to say.
    assert timing.busy_cpu_seconds(stat) == pytest.approx(400 / os.sysconf("SC_CLK_TCK"))


@pytest.mark.parametrize(
    ("load", "cores", "stretch"),
    [
        (0.3, 2, 1.0),  # a quiet machine: the limit as written
        (2.0, 2, 1.0),  # one runnable process per core: still as written
        (6.0, 2, 3.0),  # three per core: three times as long
        (16.0, 2, timing.MAX_LOAD_STRETCH),  # exactly at the cap
        (100.0, 2, timing.MAX_LOAD_STRETCH),  # beyond it: a hang is still caught
    ],
)
def test_a_limit_stretches_with_the_load_per_core(load, cores, stretch):
    assert timing.load_stretch(load, cores) == stretch
