"""Keeping inside Telegram's limits, and riding out its errors.

PTB's AIORateLimiter paces groups but not private chats, and retries nothing by default.
This limiter paces every chat (about one message a second, with a small burst) and the bot
as a whole (about 30 a second), retries 429s after `retry_after`, and retries network errors
and 5xx answers with backoff. Countdown edits are marked droppable: they go through only
while there is spare capacity, so when many sessions run at once the live countdowns thin
out first and transitions and reminders keep their pace. Timer-driven session messages (a
hold ends, a rest ends) are marked urgent: when the bot's budget is short they go before
everything else, since a late "release" is worse than a late answer to a tap.

Each chat also has a sustained budget (Telegram's ~20 messages a minute per chat, sends and
edits alike): every call counts against it, and droppable edits go only while the chat is
well under it.

"Short of capacity" means the bot's overall budget, never one chat's: a runner who floods
their own chat waits on their own budget, and nobody else's countdown notices.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter, deque
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

Result = bool | dict[str, Any] | list[dict[str, Any]]

# Safe to repeat if a timed-out attempt did reach Telegram: the result is the same.
IDEMPOTENT = frozenset(
    {
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
        "deleteMessage",
        "deleteMessages",
        "answerCallbackQuery",
        "setMyCommands",
        "deleteMyCommands",
        "getMe",
        "getFile",
        "setWebhook",
        "deleteWebhook",
        "sendChatAction",
    }
)
DROPPABLE = {"droppable": True}
URGENT = {"urgent": True}
# Telegram's sustained limit in one chat, per minute at one message a second: sends and
# edits alike. Droppable edits go only while a chat's last minute is under 3/4 of it.
CHAT_PER_MINUTE = 20
DROPPABLE_SHARE = 0.75
# Urgent requests go first, but nothing else waits more than this for them (seconds at
# Telegram's one message a second per chat).
URGENT_HEAD_START = 1.0
# The longest a droppable request may wait for the bot's overall budget.
DROPPABLE_WAIT = 0.25


def _retry_seconds(exc: RetryAfter) -> float:
    """RetryAfter's public attribute is changing type (PTB 22.2 deprecation); read it once."""
    value = getattr(exc, "_retry_after", None)
    if value is None:  # pragma: no cover - older/newer PTB
        value = exc.retry_after
    return value if isinstance(value, int | float) else value.total_seconds()


async def _until_capacity(limiter: AsyncLimiter) -> None:
    """Wait until `limiter` could give a token, without taking it."""
    step = limiter.time_period / limiter.max_rate  # the time one token takes to drain
    # A leaky bucket frees capacity with time alone: there is no event to wait on.
    while not limiter.has_capacity():  # noqa: ASYNC110
        await asyncio.sleep(step / 4)


class Throttled(Exception):
    """A droppable request (a countdown edit) was skipped to save capacity."""


class HipcoachRateLimiter(BaseRateLimiter[dict[str, Any]]):
    def __init__(
        self,
        overall_per_second: float = 30.0,
        chat_per_second: float = 1.0,
        chat_burst: int = 3,
        group_per_minute: float = 20.0,
        max_retries: int = 4,
        backoff: float = 0.5,
        chat_per_minute: int = CHAT_PER_MINUTE,
    ) -> None:
        # Telegram counts calls in any one-second window. A leaky bucket of size B draining
        # at R lets B + R through in a second, so both are sized to stay under the limit
        # with a small margin for network jitter: B + R = 96 % of it.
        self.overall = None
        if overall_per_second > 0:
            burst = max(1.0, overall_per_second / 50)
            rate = max(overall_per_second * 0.96 - burst, overall_per_second / 2)
            self.overall = AsyncLimiter(burst, burst / rate)
        self.chat_per_second = chat_per_second
        self.chat_burst = max(1, chat_burst)
        self.group_per_minute = group_per_minute
        self.max_retries = max_retries
        self.backoff = backoff
        self._chats: dict[int | str, AsyncLimiter] = {}
        # Each chat's recent calls (monotonic times) over its sustained window: a minute at
        # one message a second, shorter in proportion when chat_per_second is higher.
        self._recent: dict[int | str, deque[float]] = {}
        self._window = 60.0 / chat_per_second if chat_per_second > 0 else 0.0
        self._droppable_ceiling = max(1, int(chat_per_minute * DROPPABLE_SHARE))
        # The longest anything else waits for urgent requests to go first: a second at one
        # message a second per chat, shorter in proportion (the benchmarks run 10x).
        self._head_start = URGENT_HEAD_START / max(chat_per_second, 1.0)
        self._urgent = 0  # urgent requests waiting for the overall budget
        self._no_urgent = asyncio.Event()
        self._no_urgent.set()
        self._resume = asyncio.Event()
        self._resume.set()
        self._waiting = 0  # priority requests queued for the overall budget right now
        self._soft_waiting = 0  # droppable requests waiting (at most one)
        # Priority requests waiting on each chat's budget: that chat's countdown gives way.
        self._chat_waiting: Counter[AsyncLimiter] = Counter()
        self.dropped = 0
        self.retries = 0

    async def initialize(self) -> None:
        """Nothing to set up: limiters are created per chat on demand."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def until_chat_free(self, chat_id: int) -> None:
        """Wait, taking nothing, until a message to `chat_id` would not wait for its chat.

        For a sender that holds a shared slot (the reminder dispatcher's few sends in
        flight): it waits here first, so one chat's pacing never holds back other chats.
        """
        chat = self._chat_limiter(chat_id)
        await self._resume.wait()
        if chat is not None:
            await _until_capacity(chat)

    def chat_free(self, chat_id: int) -> bool:
        """Would a message to `chat_id` go now, without waiting for its chat or a 429?"""
        chat = self._chat_limiter(chat_id)
        return self._resume.is_set() and (chat is None or chat.has_capacity())

    def _chat_limiter(self, chat_id: int | str) -> AsyncLimiter | None:
        if chat_id not in self._chats:
            if len(self._chats) > 4096:
                # Forget idle chats (a full bucket means nothing is owed).
                for key, limiter in list(self._chats.items()):
                    if limiter.has_capacity(limiter.max_rate):
                        del self._chats[key]
            group = isinstance(chat_id, str) or chat_id < 0
            if group:
                if self.group_per_minute <= 0:
                    return None
                limiter = AsyncLimiter(self.group_per_minute, 60.0)
            else:
                if self.chat_per_second <= 0:
                    return None
                # 90 % of the rate: jitter between our clock and the arrival at Telegram
                # must not tip a full bucket over.
                rate = self.chat_per_second * 0.9
                limiter = AsyncLimiter(self.chat_burst, self.chat_burst / rate)
            self._chats[chat_id] = limiter
        return self._chats[chat_id]

    def recent_calls(self, chat_id: int | str) -> int:
        """Calls made to `chat_id` within its sustained window (a minute at 1/s)."""
        recent = self._recent.get(chat_id)
        if not recent:
            return 0
        horizon = time.monotonic() - self._window
        while recent and recent[0] < horizon:
            recent.popleft()
        if not recent:
            del self._recent[chat_id]
            return 0
        return len(recent)

    def _count(self, chat_id: int | str | None) -> None:
        """Remember a call to `chat_id`; only the window's worth is kept, so a chat's
        history stays small and an idle chat's goes."""
        if chat_id is None or self._window <= 0:
            return
        self.recent_calls(chat_id)  # trims
        self._recent.setdefault(chat_id, deque()).append(time.monotonic())
        if len(self._recent) > 4096:  # forget chats whose last call left the window
            horizon = time.monotonic() - self._window
            for key in [k for k, calls in self._recent.items() if calls[-1] < horizon]:
                del self._recent[key]

    async def _acquire_droppable(
        self, chat: AsyncLimiter | None, chat_id: int | str | None = None
    ) -> None:
        """Let a droppable request through only if it delays nothing that matters.

        It never waits behind a priority request for the overall budget, never waits on a
        chat's budget, and waits at most `DROPPABLE_WAIT` (one at a time) for the overall
        budget; otherwise it is dropped (Throttled). Requests waiting on their own chat's
        budget do not count: one busy chat must not freeze every other chat's countdown.
        """
        crowded = self._waiting or self._soft_waiting >= 1 or not self._resume.is_set()
        if crowded or (chat is not None and (self._chat_waiting[chat] or not chat.has_capacity())):
            self.dropped += 1
            raise Throttled
        if chat_id is not None and self.recent_calls(chat_id) >= self._droppable_ceiling:
            self.dropped += 1
            raise Throttled
        if self.overall is not None:
            if self.overall.has_capacity():
                await self.overall.acquire()
            else:
                self._soft_waiting += 1
                try:
                    await asyncio.wait_for(self.overall.acquire(), DROPPABLE_WAIT)
                except TimeoutError:
                    self.dropped += 1
                    raise Throttled from None
                finally:
                    self._soft_waiting -= 1
        if chat is not None:
            await chat.acquire()

    async def _acquire(
        self,
        chat: AsyncLimiter | None,
        droppable: bool,
        urgent: bool = False,
        chat_id: int | str | None = None,
    ) -> None:
        """Take the budget a request needs, as close as possible to sending it.

        The chat's budget is waited for first but consumed last, right after the overall
        one: a token taken long before its request leaves would let sends bunch up, and
        Telegram counts when they arrive.
        """
        if droppable:
            await self._acquire_droppable(chat, chat_id)
            self._count(chat_id)
            return
        if chat is not None:
            self._chat_waiting[chat] += 1
        try:
            await self._resume.wait()
            if chat is not None:
                await _until_capacity(chat)
            if self.overall is not None:
                if urgent:
                    self._urgent += 1
                    self._no_urgent.clear()
                else:
                    # Timer-driven transitions go first, for a while: a steady stream of
                    # them must not hold taps and reminders back for good.
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._no_urgent.wait(), self._head_start)
                self._waiting += 1  # only pressure on the overall budget crowds the bot
                try:
                    await self.overall.acquire()
                finally:
                    self._waiting -= 1
                    if urgent:
                        self._urgent -= 1
                        if not self._urgent:
                            self._no_urgent.set()
            if chat is not None:
                await chat.acquire()
            self._count(chat_id)
        finally:
            if chat is not None:
                self._chat_waiting[chat] -= 1
                if not self._chat_waiting[chat]:
                    del self._chat_waiting[chat]

    async def _pause_all(self, seconds: float) -> None:
        """Telegram said 429: nobody sends until it has passed."""
        self._resume.clear()
        try:
            await asyncio.sleep(seconds)
        finally:
            self._resume.set()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> Result:
        droppable = bool(rate_limit_args and rate_limit_args.get("droppable"))
        urgent = bool(rate_limit_args and rate_limit_args.get("urgent"))
        chat_id = data.get("chat_id")
        with contextlib.suppress(TypeError, ValueError):
            chat_id = int(chat_id)  # type: ignore[arg-type]
        chat = self._chat_limiter(chat_id) if chat_id is not None else None
        # Methods without a chat (answerCallbackQuery, setMyCommands) are not messages and
        # are not paced: a button's spinner should stop at once.
        paced = chat_id is not None
        for attempt in range(self.max_retries + 1):
            if paced:
                await self._acquire(chat, droppable, urgent, chat_id)
            else:
                await self._resume.wait()  # a 429 pauses everything
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if droppable or attempt == self.max_retries:
                    raise
                seconds = _retry_seconds(exc)
                log.warning("429 on %s: pausing all sends for %.1f s", endpoint, seconds)
                self.retries += 1
                await self._pause_all(seconds + 0.1)
            except BadRequest:
                raise
            except TimedOut:
                # The request may have reached Telegram: only repeat what is safe to repeat.
                if endpoint not in IDEMPOTENT or attempt == self.max_retries:
                    raise
                self.retries += 1
                await asyncio.sleep(self.backoff * 2**attempt)
            except NetworkError as exc:
                if attempt == self.max_retries:
                    raise
                log.warning("%s failed (%s); retrying", endpoint, exc)
                self.retries += 1
                await asyncio.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover
