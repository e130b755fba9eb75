"""A kernel started before pytest and nbval are loaded, which nbval then uses.

Grading one notebook spends about 0.4 s reading notebooks and loading pytest and nbval before
nbval asks for its kernel, and the kernel then takes about 0.55 s to start. Started first, as a
plain child process, the kernel boots on another core while the grader loads, and nbval connects
to it instead of starting its own: a check waits for the longer of the two, not their sum.

The kernel is started the way jupyter_client starts nbval's `--nbval-current-env` kernel:

- this Python's `ipykernel_launcher` with a connection file of five free ports and a fresh key
  (`tests/onboarding/test_early_kernel.py` compares the command with ipykernel's kernel spec);
- a session of its own, so that an interrupt or a kill reaches everything the kernel started;
- JPY_PARENT_PID, so that it ends by itself if the grader dies.

Nothing here imports jupyter_client or nbval until nbval is loaded anyway: starting the kernel
costs the grader only a fork.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

PORT_NAMES = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")


def kernel_command(connection_file: Path) -> list[str]:
    """The command of ipykernel's own kernel spec for this Python."""
    return [sys.executable, "-m", "ipykernel_launcher", "-f", str(connection_file)]


def free_ports(count: int) -> list[int]:
    """Ports nobody listens on now, as jupyter_client finds them: bind to port 0, then let go."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for each in sockets:
            each.bind(("127.0.0.1", 0))
        return [each.getsockname()[1] for each in sockets]


class EarlyKernel:
    """A kernel process started now, for nbval to adopt later; stopped when the `with` ends."""

    def __init__(self, cwd: Path, env: Mapping[str, str]) -> None:
        self._stopped = False
        descriptor, name = tempfile.mkstemp(prefix="onboard-kernel-", suffix=".json")
        self.connection_file = Path(name)
        connection = {
            **dict(zip(PORT_NAMES, free_ports(len(PORT_NAMES)), strict=True)),
            "ip": "127.0.0.1",
            "transport": "tcp",
            "key": secrets.token_hex(16),
            "signature_scheme": "hmac-sha256",
            "kernel_name": "",
        }
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(connection, file)
        try:
            self.process = subprocess.Popen(
                kernel_command(self.connection_file),
                cwd=cwd,
                env={**env, "JPY_PARENT_PID": str(os.getpid())},
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError:
            self.connection_file.unlink(missing_ok=True)
            raise

    def is_alive(self) -> bool:
        return self.process.poll() is None

    def connected_client(self) -> Any:
        """A jupyter_client client on the kernel's channels, started; the caller stops them."""
        from jupyter_client.blocking import BlockingKernelClient

        client = BlockingKernelClient(connection_file=str(self.connection_file))
        client.load_connection_file()
        client.start_channels()
        return client

    def wait_until_ready(self, client: Any, timeout: float) -> None:
        """Ask for kernel_info until the kernel answers on shell and IOPub, as jupyter_client's
        `wait_for_ready` does for a kernel it started, and fail at once if the process ends.

        (jupyter_client's own wait, for a kernel it did not start, first polls heartbeats every
        0.2 s and cannot tell a dead kernel from a slow one.)
        """
        from queue import Empty

        deadline = time.monotonic() + timeout
        while True:
            client.kernel_info()
            with contextlib.suppress(Empty):
                reply = client.get_shell_msg(timeout=0.5)
                if reply["msg_type"] == "kernel_info_reply":
                    with contextlib.suppress(Empty):
                        client.get_iopub_msg(timeout=0.2)
                        return
            if not self.is_alive():
                raise RuntimeError(
                    f"The kernel stopped as it started (exit code {self.process.returncode})."
                )
            if time.monotonic() > deadline:
                raise RuntimeError(f"The kernel did not answer within {timeout:g} s of starting.")

    def signal(self, signum: int) -> None:
        """Signal the kernel's whole process group (its own session), as jupyter_client does."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)

    def stop(self) -> None:
        """Kill the kernel and whatever it started, at once, as nbval's own teardown does.

        Only once: nbval stops the kernel it adopted, and the `with` stops it again in case nbval
        never adopted it (a notebook that could not be read, say).
        """
        if self._stopped:
            return
        self._stopped = True
        self.signal(signal.SIGKILL)
        self.process.wait()
        self.connection_file.unlink(missing_ok=True)

    def __enter__(self) -> EarlyKernel:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @contextlib.contextmanager
    def adopted_by_nbval(self) -> Iterator[None]:
        """While this lasts, nbval's next kernel is this one instead of a new one."""
        import nbval.plugin

        started_by_nbval = nbval.plugin.RunningKernel
        nbval.plugin.RunningKernel = _adopting_kernel_class(self, started_by_nbval)
        try:
            yield
        finally:
            nbval.plugin.RunningKernel = started_by_nbval


def _adopting_kernel_class(early: EarlyKernel, running_kernel: type) -> type:
    """nbval's RunningKernel, connected to `early` rather than starting a kernel of its own."""

    class AdoptedKernel(running_kernel):  # type: ignore[misc, valid-type]
        def __init__(self, kernel_name: str, cwd: Any = None, startup_timeout: int = 60) -> None:
            self.kc = early.connected_client()
            try:
                early.wait_until_ready(self.kc, startup_timeout)
            except RuntimeError:
                self.kc.stop_channels()
                raise
            self._ensure_iopub_up()

        def is_alive(self) -> bool:
            return early.is_alive()

        def interrupt(self) -> None:
            early.signal(signal.SIGINT)

        def restart(self) -> None:
            raise NotImplementedError("an adopted kernel is not restarted; nbval never asks to")

        def stop(self) -> None:
            self.kc.stop_channels()
            early.stop()

        @property
        def language(self) -> str:
            return "python"

    return AdoptedKernel
