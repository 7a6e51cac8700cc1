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
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)


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
    ) -> None:
        super().__init__(max_concurrent_updates)
        self.burst = burst
        self.per_second = per_second
        self.max_pending = max_pending
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
        now = time.monotonic()
        chat = self._chats.get(key)
        if chat is None:
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
            if chat.pending == 0 and chat.tokens >= self.burst - 1:
                self._chats.pop(key, None)


def _chat_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None
