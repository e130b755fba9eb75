"""How `make bench` times a command, and how busy the machine's processors were meanwhile.

A leaf module: the bench's parts (`bench`, `bench_stages`, `bench_suite`) all time commands the
same way, and a figure from a run that failed is never kept.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

LAST_LINES = 15
"""How much of a failing command's output the error quotes: its end, where the reason is."""
PROC_STAT = Path("/proc/stat")


def timed(command: Sequence[str], env: Mapping[str, str] | None = None, expect: int = 0) -> float:
    """Seconds of one run of `command`, with `env` added to this process's environment.

    An exit code other than `expect` raises, quoting the output's last lines: a failed run's
    time means nothing.
    """
    environment = {**os.environ, **(env or {})}
    started = time.perf_counter()
    run = subprocess.run(list(command), capture_output=True, text=True, env=environment)
    elapsed = time.perf_counter() - started
    if run.returncode != expect:
        last_lines = "\n".join((run.stdout + run.stderr).strip().splitlines()[-LAST_LINES:])
        raise RuntimeError(
            f"{' '.join(command)} exited {run.returncode}, so its time means nothing:\n{last_lines}"
        )
    return elapsed


def busy_cpu_seconds(stat: Path = PROC_STAT) -> float | None:
    """CPU-seconds this machine's processors have spent not idle since it started.

    From the kernel's counters, so every process counts: also those that no parent waits for
    (a browser's renderers, a daemon), which a `getrusage` of children misses. The difference
    of two readings is the work done between them, by everything running then. None where the
    counters cannot be read (not Linux).
    """
    try:
        first = stat.read_text().splitlines()[0].split()
    except (OSError, IndexError):
        return None
    if not first or first[0] != "cpu":
        return None
    try:
        # user nice system idle iowait irq softirq steal (guest time is inside user already).
        ticks = [int(value) for value in first[1:9]]
    except ValueError:
        return None
    idle, iowait = ticks[3], ticks[4]
    return (sum(ticks) - idle - iowait) / os.sysconf("SC_CLK_TCK")


MAX_LOAD_STRETCH = 8.0
"""The most a time limit stretches with the machine's load: a hang is still caught."""


def load_stretch(load: float | None = None, cores: int | None = None) -> float:
    """How many times its time on a quiet machine a run may take now: the runnable processes
    per core (the 1-minute load average over the cores), from 1 to MAX_LOAD_STRETCH.

    A limit meant to catch a hang on a quiet machine, stretched by this, does not fail work that
    is only slow because others share the cores: a workshop room that checks all at once.
    """
    if load is None:
        try:
            load = os.getloadavg()[0]
        except OSError:  # no load average on this system: the limit stays as it is
            return 1.0
    cores = cores or os.cpu_count() or 1
    return min(MAX_LOAD_STRETCH, max(1.0, load / cores))
