"""Fair update processing: chats run side by side, each chat in order, floods are dropped.

PTB processes updates one at a time by default, so one user hammering buttons would delay
everybody. Here updates from different chats run concurrently, updates from one chat still
run in the order they came (a session never sees two presses at once), and a chat that
sends faster than any person taps has the excess dropped before it costs anything.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)

MAX_TRACKED = 4096  # chats remembered before idle ones are forgotten


@dataclass
class _Chat:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    pending: int = 0
    tokens: float = 0.0
    stamp: float = 0.0
    flooding: bool = False


class FairUpdateProcessor(BaseUpdateProcessor):
    def __init__(
        self,
        max_concurrent_updates: int = 1024,
        *,
        burst: int = 20,
        per_second: float = 3.0,
        max_pending: int = 20,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self.burst = burst
        self.per_second = per_second
        self.max_pending = max_pending
        self.clock = clock
        self.dropped = 0
        self._chats: dict[int, _Chat] = {}

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    def _admit(self, chat: _Chat, now: float) -> bool:
        """Token bucket: a burst of taps is fine, a sustained flood is not."""
        chat.tokens = min(self.burst, chat.tokens + (now - chat.stamp) * self.per_second)
        chat.stamp = now
        if chat.pending >= self.max_pending or chat.tokens < 1:
            return False
        chat.tokens -= 1
        return True

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_key(update)
        if key is None:
            await coroutine
            return
        now = self.clock()
        chat = self._chats.get(key)
        if chat is None:
            if len(self._chats) >= MAX_TRACKED:
                self._forget_idle(now)
            chat = self._chats[key] = _Chat(tokens=self.burst, stamp=now)
        if not self._admit(chat, now):
            self.dropped += 1
            if not chat.flooding:
                log.warning("chat %s is flooding; dropping its excess updates", key)
                chat.flooding = True
            if hasattr(coroutine, "close"):
                coroutine.close()
            return
        chat.flooding = False
        chat.pending += 1
        try:
            async with chat.lock:
                await coroutine
        finally:
            chat.pending -= 1

    def _forget_idle(self, now: float) -> None:
        """Drop chats with nothing pending whose bucket has refilled: they owe nothing."""
        for key, chat in list(self._chats.items()):
            refilled = chat.tokens + (now - chat.stamp) * self.per_second
            if chat.pending == 0 and refilled >= self.burst:
                del self._chats[key]


def _chat_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None
