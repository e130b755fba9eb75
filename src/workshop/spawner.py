"""The hub's authenticator and spawner for one machine.

**Authenticator.** JupyterHub's `SharedPasswordAuthenticator` gives the workshop what it needs at
the door (one password for learners, a separate, longer one for the instructors, who are the
hub's admin users) but it creates no Unix users. `LocalAuthenticator` does (`create_system_users`)
but checks passwords against the system. JupyterHub composes its local authenticators by
inheritance (`LocalGitHubOAuthenticator` is `LocalAuthenticator` + `GitHubOAuthenticator`), and
this is the same move: passwords from the first, `add_user` creating the Unix user from the
second. No `pre_spawn_hook` running `useradd` by hand, and the hub's own checks (a missing user
is created before its first spawn, never at an arbitrary later point) stay in force.

**Spawner.** `LocalProcessSpawner` runs each learner's server as that learner's Unix user, in
their home directory. On top of it:

- the home is made private (0700) before every start, so one learner's kernel cannot read
  another's workspace, whatever the machine's `useradd` defaults are;
- the server joins the learner's control group (memory and CPU limits; see `workshop.limits`)
  before it drops root, so its kernels and checks share the learner's budget;
- when the server stops (logout, idle culling, the hub stopping), whatever the learner still had
  running is ended, so nothing outlives the hub.
"""

from __future__ import annotations

import os
import pwd
import signal

import psutil
from jupyterhub.auth import LocalAuthenticator
from jupyterhub.authenticators.shared import SharedPasswordAuthenticator
from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid

from workshop.limits import Limiter, Limits

_limiter: Limiter | None = None


def limiter() -> Limiter:
    """One Limiter per hub process: it probes the machine once."""
    global _limiter
    if _limiter is None:
        _limiter = Limiter()
        _limiter.probe()
    return _limiter


class WorkshopAuthenticator(SharedPasswordAuthenticator, LocalAuthenticator):
    """Shared passwords at the door; a Unix user created for each learner on first login."""


class WorkshopSpawner(LocalProcessSpawner):
    """A learner's server as their own Unix user, in a private home, within their limits."""

    @property
    def limits(self) -> Limits:
        return Limits(self.mem_limit or None, self.cpu_limit or None)

    def make_preexec_fn(self, name):
        become_learner = set_user_setuid(name)
        groups, limits = limiter(), self.limits

        def preexec() -> None:
            groups.enter(name, limits)  # as root: the learner may not move itself
            become_learner()

        return preexec

    async def start(self):
        entry = pwd.getpwnam(self.user.name)
        os.chmod(entry.pw_dir, 0o700)
        limiter().prepare(self.user.name, self.limits)
        return await super().start()

    async def stop(self, now=False):
        await super().stop(now=now)
        end_learner_processes(self.user.name)
        limiter().remove(self.user.name)


def end_learner_processes(name: str, grace_s: float = 3.0) -> list[int]:
    """End every process the learner's Unix user still runs; returns their pids."""
    try:
        uid = pwd.getpwnam(name).pw_uid
    except KeyError:
        return []
    left = [
        process
        for process in psutil.process_iter(["uids"])
        if process.info["uids"] is not None and process.info["uids"].real == uid
    ]
    for process in left:
        try:
            process.send_signal(signal.SIGTERM)
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(left, timeout=grace_s)
    for process in alive:
        try:
            process.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(alive, timeout=grace_s)
    return [process.pid for process in left]
