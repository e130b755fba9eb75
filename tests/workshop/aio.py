"""Run a coroutine to its end from a test, whatever the test's thread is already running."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def run(make: Callable[[], Awaitable[T]]) -> T:
    """`asyncio.run(make())` in a thread of its own.

    In the full suite a worker may already have an event loop running on its main thread (the
    browser tests' session-wide Playwright), where `asyncio.run` refuses to start.
    """

    async def main() -> T:
        return await make()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main()).result()
