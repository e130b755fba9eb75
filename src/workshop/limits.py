"""Per-learner memory and CPU limits on one machine, with what this machine can enforce.

A learner's server, its kernels and every `onboard check` it runs share one budget when the
kernel's control groups are writable (a root hub on a normal Linux host or VM):

- cgroup v2 (`/sys/fs/cgroup/cgroup.controllers`): `memory.max` and `cpu.max` on one group per
  learner;
- cgroup v1 (separate `memory` and `cpu` hierarchies): `memory.limit_in_bytes` and
  `cpu.cfs_quota_us`.

The hub creates `onboard-workshop/<learner>` under its own group, and the spawner moves the
learner's server into it before it drops root; everything the server starts inherits it. Where
neither hierarchy is writable (some containers), the only thing left is `RLIMIT_AS` per
*process*: one kernel cannot take more than the limit, but a learner with three kernels can take
three times it, and CPU is not limited at all. `describe()` says which case applies; the launcher
prints it so the instructor knows what is enforced.
"""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
GROUP = "onboard-workshop"
CPU_PERIOD_US = 100_000


@dataclass(frozen=True)
class Limits:
    memory_bytes: int | None
    cpus: float | None


def _own_group(hierarchy: str) -> str:
    """This process's group in a v1 hierarchy ("memory") or in v2 (""), from /proc/self/cgroup."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return "/"
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if hierarchy == "" and controllers == "":
            return path
        if hierarchy and hierarchy in controllers.split(","):
            return path
    return "/"


def _writable(folder: Path) -> bool:
    return folder.is_dir() and os.access(folder, os.W_OK)


class Limiter:
    """Creates, fills and removes the learners' groups; see the module's docstring."""

    def __init__(self, root: Path = CGROUP_ROOT):
        self.root = root
        self.mode = "rlimit"
        self.bases: dict[str, Path] = {}
        v2 = root / "cgroup.controllers"
        if v2.exists():
            base = root / _own_group("").lstrip("/") / GROUP
            controllers = v2.read_text().split()
            if {"memory", "cpu"} <= set(controllers) and _writable(base.parent):
                self.mode, self.bases = "cgroup2", {"": base}
        elif _writable(root / "memory") and _writable(root / "cpu"):
            self.mode = "cgroup1"
            self.bases = {
                name: root / name / _own_group(name).lstrip("/") / GROUP
                for name in ("memory", "cpu")
            }

    def probe(self) -> str | None:
        """Try the groups once; on failure fall back to RLIMIT_AS and say why (None when fine)."""
        if self.mode == "rlimit":
            return None
        try:
            self.prepare("probe", Limits(None, None))
            self.remove("probe")
        except OSError as error:
            reason = f"{self.mode} is present but not usable here ({error})"
            self.mode, self.bases = "rlimit", {}
            return reason
        return None

    def describe(self, limits: Limits) -> str:
        memory = (
            f"{limits.memory_bytes / 2**30:g} GiB" if limits.memory_bytes else "no memory limit"
        )
        cpus = f"{limits.cpus:g} CPU" if limits.cpus else "no CPU limit"
        if self.mode == "rlimit":
            return (
                f"limits per learner: {memory} per process (RLIMIT_AS) only; no writable cgroups "
                "here, so the total per learner and the CPU share are not enforced"
            )
        return f"limits per learner, enforced by {self.mode}: {memory}, {cpus}"

    def groups(self, name: str) -> list[Path]:
        return [base / name for base in self.bases.values()]

    def prepare(self, name: str, limits: Limits) -> None:
        """Create the learner's group(s) and write the limits (in the hub, as root)."""
        if self.mode == "cgroup2":
            base = self.bases[""]
            base.mkdir(parents=True, exist_ok=True)
            # A v2 group hands controllers to its children only once they are enabled on it.
            (base.parent / "cgroup.subtree_control").write_text("+memory +cpu")
            (base / "cgroup.subtree_control").write_text("+memory +cpu")
            group = base / name
            group.mkdir(exist_ok=True)
            (group / "memory.max").write_text(str(limits.memory_bytes or "max"))
            quota = int(limits.cpus * CPU_PERIOD_US) if limits.cpus else "max"
            (group / "cpu.max").write_text(f"{quota} {CPU_PERIOD_US}")
        elif self.mode == "cgroup1":
            for base in self.bases.values():
                (base / name).mkdir(parents=True, exist_ok=True)
            memory = self.bases["memory"] / name
            (memory / "memory.limit_in_bytes").write_text(str(limits.memory_bytes or -1))
            cpu = self.bases["cpu"] / name
            (cpu / "cpu.cfs_period_us").write_text(str(CPU_PERIOD_US))
            quota = int(limits.cpus * CPU_PERIOD_US) if limits.cpus else -1
            (cpu / "cpu.cfs_quota_us").write_text(str(quota))

    def enter(self, name: str, limits: Limits) -> None:
        """Put the calling process into the learner's group(s): run in the child, before setuid."""
        if self.mode == "rlimit":
            if limits.memory_bytes:
                resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
            return
        for group in self.groups(name):
            (group / "cgroup.procs").write_text(str(os.getpid()))

    def members(self, name: str) -> set[int]:
        pids: set[int] = set()
        for group in self.groups(name):
            try:
                pids.update(int(pid) for pid in (group / "cgroup.procs").read_text().split())
            except OSError:
                pass
        return pids

    def remove(self, name: str) -> None:
        """Delete the learner's (empty) group(s); a group with processes left stays."""
        for group in self.groups(name):
            for folder in (group, group.parent):  # the parent only goes once it is empty
                try:
                    folder.rmdir()
                except OSError:
                    break
