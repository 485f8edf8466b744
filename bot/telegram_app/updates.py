"""Handle many chats at once while keeping each chat's own updates in order."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# PTB's own limit is taken before `do_process_update`, so it would count updates that merely wait
# for their chat: a chat with that many waiting stalled every other chat. PTB already holds a task
# per fetched update, so the limit never bounded memory either; it is set out of reach.
NO_PENDING_LIMIT = sys.maxsize


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Concurrent across chats, sequential within one chat (replies keep the user's order).

    PTB holds its own semaphore while calling `do_process_update`, so that one sets no limit;
    the real concurrency limit is taken only after the chat's turn has come. Otherwise a chat
    flooding the bot would fill every slot with updates that merely wait for their own chat,
    and every other patient would wait behind them.
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(NO_PENDING_LIMIT)
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's previous update without holding a slot, then process this one."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            async with self._slots:
                await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._users[chat.id] = self._users.get(chat.id, 0) + 1
        try:
            async with lock, self._slots:
                await coroutine
        finally:
            self._users[chat.id] -= 1
            if not self._users[chat.id]:
                del self._users[chat.id], self._locks[chat.id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
