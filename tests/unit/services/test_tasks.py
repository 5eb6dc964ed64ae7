from __future__ import annotations

import asyncio

from launcher.services.tasks import TaskRunner


async def test_latest_wins_errors_routed_and_close() -> None:
    errors: list[BaseException] = []
    results: list[int] = []
    runner = TaskRunner(errors.append)

    async def refresh(n: int) -> None:
        await asyncio.sleep(0.02)
        results.append(n)

    first = runner.spawn(refresh(1), key="refresh")
    second = runner.spawn(refresh(2), key="refresh")
    await asyncio.gather(first, second, return_exceptions=True)
    assert first.cancelled() and results == [2]

    async def boom() -> None:
        raise ValueError("x")

    runner.spawn(boom())
    await asyncio.sleep(0.01)
    assert [type(e) for e in errors] == [ValueError]
    runner.spawn(asyncio.sleep(10))
    assert runner.active == 1
    await runner.aclose()
    assert runner.active == 0
