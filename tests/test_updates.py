"""The update processor: a chat that floods the bot queues behind itself only."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Chat, Message, Update
from telegram.ext import BaseUpdateProcessor

from bot.telegram_app.updates import ChatOrderedProcessor


def _update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE)
    return Update(update_id, message=Message(update_id, None, chat, text="hi"))  # type: ignore[arg-type]


async def _run(processor: BaseUpdateProcessor, update: Update, work: asyncio.Future[None]) -> None:
    async def handle() -> None:
        await work

    await processor.process_update(update, handle())


# 12,000: found by probe23. PTB takes its own limit (it was 10,000 updates) before the chat's
# turn, so once one chat had that many waiting, every other patient's update, an urgent one too,
# waited behind the whole flood (about a second per update: hours).
@pytest.mark.parametrize("flood_size", [300, 12_000])
async def test_a_flooding_chat_leaves_the_slots_to_others(flood_size: int) -> None:
    processor = ChatOrderedProcessor(max_concurrent_updates=4)
    loop = asyncio.get_running_loop()
    stuck: asyncio.Future[None] = loop.create_future()  # the flood's first update never ends
    flood = [
        asyncio.create_task(_run(processor, _update(i, chat_id=1), stuck))
        for i in range(flood_size)
    ]
    quiet_done: asyncio.Future[None] = loop.create_future()
    quiet_done.set_result(None)
    quiet = asyncio.create_task(_run(processor, _update(1000, chat_id=2), quiet_done))
    # Only the event loop's own scheduling is involved: no wall-clock time.
    for _ in range(50):
        await asyncio.sleep(0)
        if quiet.done():
            break
    assert quiet.done(), "another patient waited behind the flooding chat"
    stuck.set_result(None)
    await asyncio.gather(*flood)


async def test_one_chat_is_handled_in_order() -> None:
    processor = ChatOrderedProcessor(max_concurrent_updates=8)
    seen: list[int] = []

    async def handle(number: int) -> None:
        await asyncio.sleep(0)
        seen.append(number)

    await asyncio.gather(
        *(processor.process_update(_update(i, chat_id=7), handle(i)) for i in range(20))
    )
    assert seen == list(range(20))
