"""The rate limiter on its own: urgent transitions first but never for good, and each
chat's sustained window (no Bot, no network: the callbacks stand in for requests)."""

from __future__ import annotations

import asyncio
import time

from bot.transport.ratelimit import URGENT, HipcoachRateLimiter


async def _call() -> bool:
    return True


async def _request(
    limiter: HipcoachRateLimiter, chat_id: int, args: dict | None, sent: list
) -> None:
    await limiter.process_request(_call, (), {}, "sendMessage", {"chat_id": chat_id}, args)
    sent.append((chat_id, time.monotonic()))


async def test_a_tap_waits_for_urgent_sends_at_most_the_head_start():
    # 30/s overall, 10/s per chat: the head start is 0.1 s. Urgent sends from many chats
    # ask for 60/s for 1.5 s, twice the budget; a tap asked for at 0.3 s still goes soon.
    limiter = HipcoachRateLimiter(overall_per_second=30, chat_per_second=10)
    sent: list[tuple[int, float]] = []
    start = time.monotonic()

    async def urgent_stream() -> None:
        tasks = []
        for i in range(90):
            tasks.append(asyncio.create_task(_request(limiter, 1000 + i, URGENT, sent)))
            await asyncio.sleep(1 / 60)
        await asyncio.gather(*tasks)

    async def tap() -> float:
        await asyncio.sleep(0.3)
        asked = time.monotonic()
        await _request(limiter, 1, None, sent)
        return time.monotonic() - asked

    stream = asyncio.create_task(urgent_stream())
    waited = await tap()
    await stream
    last_urgent = max(at for chat, at in sent if chat != 1)
    # Without the bound the tap went out only after the last urgent send (~3 s in).
    assert waited < 1.0, waited
    assert last_urgent - start > 2.0  # the urgent demand really outlasted the tap


async def test_each_chat_keeps_only_its_window_of_calls():
    limiter = HipcoachRateLimiter(overall_per_second=0, chat_per_second=100)  # window 0.6 s
    for _ in range(50):
        await limiter.process_request(_call, (), {}, "sendMessage", {"chat_id": 7}, None)
    assert limiter.recent_calls(7) == 50
    await asyncio.sleep(0.65)
    assert limiter.recent_calls(7) == 0
    assert 7 not in limiter._recent  # an idle chat's history goes
