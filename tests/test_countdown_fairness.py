"""One runner flooding their own chat must not freeze another runner's countdown.

Countdown edits are dropped when the *bot* is short of capacity. Before issue 11 a message
waiting on its own chat's budget counted as "short", so one user sending /help three times
a second left everyone else's 90/90 countdown with a single edit in 25 s.
"""

from __future__ import annotations

import asyncio

import pytest

pytestmark = pytest.mark.reliability


async def test_a_busy_chat_does_not_freeze_another_chats_countdown(harness, monkeypatch):
    from bot.transport import timers

    # Scaled-down limits: the per-chat budget is 4/s (Telegram's 1/s, four times faster),
    # the overall budget is far away, so nothing but the spammer's own chat is busy.
    monkeypatch.setattr(timers, "MIN_EDIT_INTERVAL", 0.3)
    harness.reconfigure(time_scale=0.1, rate_limit=1000.0, chat_rate_limit=4.0)
    await harness.start()
    spammer, runner = harness.user(8101, "Spam"), harness.user(8102, "Calm")

    runner.send("/routine")
    runner.press("Post-run", await runner.expect("Pick a routine"))
    card = await runner.expect("90/90")
    runner.press("Start", card)
    started = harness.api.requests[-1].at

    async def flood() -> None:  # three times the chat's budget, as in the reproduction
        while True:
            spammer.send("/help")
            await asyncio.sleep(1 / 12)

    flooding = asyncio.create_task(flood())
    try:
        await runner.expect("switch sides", timeout=10)  # the first 30 s hold (3 s real)
    finally:
        flooding.cancel()
    ended = harness.api.requests[-1].at

    edits = [
        r
        for r in harness.api.requests
        if r.chat_id == runner.id and r.method == "editMessageText" and started <= r.at <= ended
    ]
    limiter = harness.app.bot.rate_limiter
    spam_sent = sum(
        1 for r in harness.api.requests if r.chat_id == spammer.id and r.method == "sendMessage"
    )
    # The flood really was held back by the spammer's own budget …
    assert spam_sent < 4.0 * (ended - started) + 4
    # … and the other runner's countdown still moved: 30 s in 5 s steps is 5 edits.
    assert len(edits) >= 4, f"{len(edits)} countdown edit(s), {limiter.dropped} dropped"
    rows = harness.rows("SELECT routine, status FROM sessions WHERE user_id = ?", [runner.id])
    assert rows == [{"routine": "post_run", "status": "active"}]
