"""Stay under Telegram's flood limits and retry what a busy or flaky server refused."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

# Telegram allows about 30 messages a second overall, about one a second to one chat (short
# bursts are tolerated) and 20 a minute to one group. Stay a little below, for jitter.
OVERALL_RATE = 28
CHAT_BURST = 4
GROUP_PER_MINUTE = 19
MAX_RETRIES = 3
BACKOFF_SECONDS = (0.5, 1.0, 2.0)
MAX_CHAT_LIMITERS = 1024

log = logging.getLogger(__name__)

Callback = Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]]


class Throttle(BaseRateLimiter[int]):
    """Overall and per-chat rate limits; retries on 429, 5xx, time-outs and network errors."""

    def __init__(self, overall_rate: float = OVERALL_RATE, max_retries: int = MAX_RETRIES) -> None:
        self._overall = AsyncLimiter(overall_rate, 1)
        self._chats: dict[int | str, AsyncLimiter] = {}
        self._max_retries = max_retries
        self._resume = asyncio.Event()
        self._resume.set()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    def _chat_limiter(self, chat_id: int | str) -> AsyncLimiter:
        limiter = self._chats.get(chat_id)
        if limiter is None:
            if len(self._chats) >= MAX_CHAT_LIMITERS:
                idle = [k for k, v in self._chats.items() if v.has_capacity(v.max_rate)]
                for key in idle:
                    del self._chats[key]
            is_group = isinstance(chat_id, str) or chat_id < 0
            limiter = (
                AsyncLimiter(GROUP_PER_MINUTE, 60)
                if is_group
                else AsyncLimiter(CHAT_BURST, CHAT_BURST)
            )
            self._chats[chat_id] = limiter
        return limiter

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Run one Bot API call within the limits, retrying transient failures."""
        chat_id = data.get("chat_id")
        with contextlib.suppress(TypeError, ValueError):
            chat_id = int(chat_id)  # type: ignore[arg-type]
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        for attempt in range(retries + 1):
            try:
                return await self._run(callback, args, kwargs, chat_id)
            except RetryAfter as exc:
                if attempt == retries:
                    raise
                delay = exc.retry_after
                seconds = delay if isinstance(delay, int) else delay.total_seconds()
                log.warning("%s: flood limit, all requests wait %.1f s", endpoint, seconds)
                self._resume.clear()
                try:
                    await asyncio.sleep(seconds + 0.1)
                finally:
                    self._resume.set()
            except BadRequest:
                raise
            except NetworkError as exc:
                if attempt == retries:
                    raise
                log.warning("%s failed (%s), retry %d", endpoint, type(exc).__name__, attempt + 1)
                await asyncio.sleep(BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS) - 1)])
        raise AssertionError("unreachable")  # pragma: no cover

    async def _run(
        self, callback: Callback, args: Any, kwargs: dict[str, Any], chat_id: object
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if isinstance(chat_id, int | str):
            async with self._chat_limiter(chat_id), self._overall:
                await self._resume.wait()
                return await callback(*args, **kwargs)
        await self._resume.wait()
        return await callback(*args, **kwargs)
