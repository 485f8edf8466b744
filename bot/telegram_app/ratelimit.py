"""Every Bot API call goes through here: Telegram's flood limits and all retries, in one layer.

`RateLimiter` is python-telegram-bot's `AIORateLimiter` (the overall limit, the 429 pause
with its retries) plus what it lacks: pacing per chat, private chats included, and retries of
5xx answers, time-outs and network errors. Nothing else in the bot repeats a request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import AIORateLimiter

# Telegram allows about 30 messages a second overall. The bot sends at most 28 a second, at
# most 2 at once: requests may reach Telegram a whole second late (a busy machine, a slow
# network) before what arrives together could add up to 30. The margin is in the burst, not
# the rate: the old limiter allowed 28 at once and failed on a busy machine.
OVERALL_RATE = 28.0
OVERALL_BURST = 2
# 5xx answers, time-outs and network errors: retried this often, after these pauses.
MAX_RETRIES = 3
BACKOFF_SECONDS = (0.5, 1.0, 2.0)
# Idle chats are forgotten once more than this many are remembered.
MAX_CHATS = 1024

log = logging.getLogger(__name__)

# Takes one send from the budget all instances share: 0.0 when taken, else seconds to wait.
TakeToken = Callable[[float, float], Awaitable[float]]

Result = bool | dict[str, Any] | list[dict[str, Any]]
Callback = Callable[..., Coroutine[Any, Any, Result]]


@dataclass(frozen=True)
class Pace:
    """How fast one chat may receive: `burst` messages at once, then `per_second` on average."""

    burst: float
    per_second: float


# About one message a second to one private chat, short bursts tolerated; 20 a minute to a group.
PRIVATE_CHAT = Pace(burst=4, per_second=1.0)
GROUP_CHAT = Pace(burst=5, per_second=18 / 60)


class _ChatPacer:
    """One chat's leaky bucket, charged when a request leaves; one request at a time."""

    def __init__(self, pace: Pace) -> None:
        self.pace = pace
        self.turn = asyncio.Lock()
        self._level = 0.0
        self._at = 0.0

    def _leaked(self, now: float) -> float:
        return max(0.0, self._level - (now - self._at) * self.pace.per_second)

    def wait_seconds(self, now: float) -> float:
        """Seconds until one more message fits the pace (0: now)."""
        excess = self._leaked(now) + 1 - self.pace.burst
        return max(0.0, excess / self.pace.per_second)

    def charge(self, now: float) -> None:
        """Count a message leaving now."""
        self._level = self._leaked(now) + 1
        self._at = now

    def idle(self, now: float) -> bool:
        """Nothing waiting and the bucket empty: the pacer can be forgotten."""
        return not self.turn.locked() and self._leaked(now) == 0


class RateLimiter(AIORateLimiter):
    """AIORateLimiter with per-chat pacing and retries of transient failures.

    AIORateLimiter takes its per-group limiter before the overall one; a long overall queue
    can then release one chat's messages closer together than the chat's own limit. Here each
    chat sends one request at a time, waits for its pace before joining the overall queue and
    is charged when the request leaves, so every chat keeps its pace however long the queue.
    """

    def __init__(self, max_retries: int = MAX_RETRIES, shared: TakeToken | None = None) -> None:
        super().__init__(
            overall_max_rate=OVERALL_BURST,
            overall_time_period=OVERALL_BURST / OVERALL_RATE,
            group_max_rate=0,  # groups are paced per chat below
            max_retries=max_retries,
        )
        self._retries = max_retries
        self._chats: dict[int | str, _ChatPacer] = {}
        self._shared = shared
        # One waiter per process asks the database; the others queue here, not on the row.
        self._shared_turn = asyncio.Lock()

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        """Send one request at its chat's pace and the overall rate; retry transient failures."""
        pacer = self._pacer(data.get("chat_id"))
        async with pacer.turn if pacer else contextlib.nullcontext():
            for attempt in range(self._retries + 1):
                try:
                    return await self._attempt(
                        pacer, callback, args, kwargs, endpoint, data, rate_limit_args
                    )
                except BadRequest:
                    raise
                except NetworkError as exc:
                    if attempt == self._retries:
                        raise
                    log.warning(
                        "%s: %s (%s), retry %d",
                        endpoint,
                        "no answer" if _answer_lost(exc) else "server error",
                        type(exc).__name__,
                        attempt + 1,
                    )
                    await asyncio.sleep(BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS) - 1)])
        raise AssertionError("unreachable")  # pragma: no cover

    async def _attempt(
        self,
        pacer: _ChatPacer | None,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        loop = asyncio.get_running_loop()
        if pacer is None:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        # One wait is enough: this request holds the chat's turn, so its bucket only drains.
        await asyncio.sleep(pacer.wait_seconds(loop.time()))

        async def leave(*call_args: Any, **call_kwargs: Any) -> Result:
            # Runs once this process's limiter lets the request go: then the budget that all
            # instances share (Telegram's limit is per bot), then charge the chat.
            await self._take_shared()
            pacer.charge(loop.time())
            return await callback(*call_args, **call_kwargs)

        return await super().process_request(leave, args, kwargs, endpoint, data, rate_limit_args)

    async def _take_shared(self) -> None:
        """Wait for a send from the shared budget; without the database, this process's rate."""
        if self._shared is None:
            return
        try:
            async with self._shared_turn:
                # Polling a row, not an event: the other instances are other processes.
                while (wait := await self._shared(OVERALL_RATE, OVERALL_BURST)) > 0:  # noqa: ASYNC110
                    await asyncio.sleep(wait)
        except Exception as exc:
            # Nothing can be claimed while the database is away either: the own limit suffices.
            log.warning("shared send budget unavailable (%s)", type(exc).__name__)

    def _pacer(self, chat_id: object) -> _ChatPacer | None:
        if chat_id is None:
            return None
        key: int | str = str(chat_id)
        with contextlib.suppress(TypeError, ValueError):
            key = int(str(chat_id))
        pacer = self._chats.get(key)
        if pacer is None:
            if len(self._chats) >= MAX_CHATS:
                now = asyncio.get_running_loop().time()
                for idle in [k for k, p in self._chats.items() if p.idle(now)]:
                    del self._chats[idle]
            # Positive ids are users' private chats; groups, channels and @names are not.
            private = isinstance(key, int) and key > 0
            pacer = _ChatPacer(PRIVATE_CHAT if private else GROUP_CHAT)
            self._chats[key] = pacer
        return pacer


def _answer_lost(exc: NetworkError) -> bool:
    """True unless Telegram answered (a 5xx): the request may have been carried out."""
    return isinstance(exc, TimedOut) or exc.__cause__ is not None
