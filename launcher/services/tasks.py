"""TaskRunner: the one owner of background asyncio tasks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

log = logging.getLogger("launcher.tasks")


class TaskRunner:
    """Keeps strong references to tasks, runs "latest wins" keys, routes errors.

    ``spawn(coro, key="refresh")`` cancels the previous task with the same key, so a
    refresh started while another runs replaces it.
    """

    def __init__(self, on_error: Callable[[BaseException], None]) -> None:
        self._on_error = on_error
        self._tasks: set[asyncio.Task[Any]] = set()
        self._latest: dict[str, asyncio.Task[Any]] = {}

    def spawn(self, coro: Coroutine[Any, Any, Any], *, key: str | None = None) -> asyncio.Task[Any]:
        """Schedule *coro*; with *key*, cancel the running task of that key first."""
        if key is not None and (old := self._latest.get(key)) is not None:
            old.cancel()
        task = asyncio.get_running_loop().create_task(coro, name=key)
        self._tasks.add(task)
        if key is not None:
            self._latest[key] = task
        task.add_done_callback(self._on_done)
        return task

    @property
    def active(self) -> int:
        """How many tasks are still running."""
        return len(self._tasks)

    def _on_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        name = task.get_name()
        if self._latest.get(name) is task:
            del self._latest[name]
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            self._on_error(exc)

    async def aclose(self) -> None:
        """Cancel every task and wait for them to finish."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
