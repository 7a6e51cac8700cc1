"""The production rate limiter, recording what it did with each call to a chat: how the
call was marked (droppable, urgent or neither), whether it went out or was dropped, how
busy its chat was at each drop, and the calls that failed for good."""

from __future__ import annotations

from typing import Any

from bot.transport.ratelimit import HipcoachRateLimiter, Throttled


class RecordingLimiter(HipcoachRateLimiter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calls: list[tuple[str, str, bool]] = []  # (method, mark, sent)
        self.busy_drops: list[int] = []  # the chat's recent calls at each drop
        self.failed: list[tuple[str, str, str]] = []  # (method, mark, error's name)

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        chat_id = data.get("chat_id")
        if chat_id is None:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        marks = rate_limit_args or {}
        mark = "droppable" if marks.get("droppable") else "urgent" if marks.get("urgent") else ""
        try:
            result = await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        except Throttled:
            self.calls.append((endpoint, mark, False))
            self.busy_drops.append(self.recent_calls(int(chat_id)))
            raise
        except Exception as exc:
            self.failed.append((endpoint, mark, type(exc).__name__))
            raise
        self.calls.append((endpoint, mark, True))
        return result
