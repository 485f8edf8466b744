"""The job queue stops without cancelling a tick it started while stopping."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from telegram.ext import ApplicationBuilder

from bot.telegram_app.context import TickQueue


async def test_a_tick_started_while_the_queue_stops_is_not_cancelled(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A job started during the stop's wait was cancelled by APScheduler: an ERROR at exit.

    The two-instance test (a tick every 0.2 s) saw it once on a loaded machine.
    """
    queue = TickQueue()
    app = ApplicationBuilder().token("1:test").job_queue(queue).build()
    release, started = asyncio.Event(), asyncio.Event()

    async def next_tick(_: Any) -> None:
        await asyncio.sleep(0.01)  # a database query

    async def tick(_: Any) -> None:
        started.set()
        await release.wait()
        # The scheduler wakes for the next tick while the stop waits for this one.
        queue.run_once(next_tick, when=0)

    queue.set_application(app)  # type: ignore[arg-type]
    await queue.start()
    queue.run_once(tick, when=0)
    await asyncio.wait_for(started.wait(), 5)
    stopping = asyncio.create_task(queue.stop())
    await asyncio.sleep(0)  # the stop begins its wait
    release.set()
    with caplog.at_level(logging.INFO, logger="apscheduler"):
        await asyncio.wait_for(stopping, 5)
    assert "Scheduler has been shut down" in caplog.text
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
