"""One runner flooding their own chat must not freeze another runner's countdown.

Countdown edits are dropped when the *bot* is short of capacity. Before issue 11 a message
waiting on its own chat's budget counted as "short", so one user sending /help three times
a second left everyone else's 90/90 countdown with a single edit in 25 s. Since issue 15 a
countdown is redrawn only at a few marks (halfway, and 5 s before the end), so losing one
would leave the runner with a frozen bar: every mark must still arrive.
"""

from __future__ import annotations

import asyncio
import re

import pytest

from bot.sandbox import BotMessage

pytestmark = pytest.mark.reliability

BACKLOG = 6  # /help messages the spammer keeps waiting in their own chat


def first_text(message: BotMessage) -> str:
    return message.edits[0][0] if message.edits else message.text


def held(text: str) -> int | None:
    """The seconds a hold countdown shows, or None if `text` is not one."""
    found = re.search(r"Hold</b> — (\d+) s left", text)
    return int(found.group(1)) if found else None


async def test_a_busy_chat_does_not_freeze_another_chats_countdown(harness):
    from bot.transport import timers

    # Scaled-down limits: the per-chat budget is 4/s (Telegram's 1/s, four times faster),
    # the overall budget is far away, so nothing but the spammer's own chat is busy. At
    # time scale 0.1 the 30 s hold takes 3 s and its marks are 1 s apart.
    harness.reconfigure(time_scale=0.1, rate_limit=1000.0, chat_rate_limit=4.0)
    await harness.start()
    spammer, runner = harness.user(8101, "Spam"), harness.user(8102, "Calm")

    runner.send("/routine")
    runner.press("Post-run", await runner.expect("Pick a routine"))
    card = await runner.see(lambda m: "Why:" in m.plain and "▶ Start" in m.labels)

    sent = 0

    def spam(n: int) -> None:
        nonlocal sent
        for _ in range(n):
            spammer.send("/help")
        sent += n

    async def flood() -> None:
        """Keep BACKLOG unanswered /help in the spammer's chat: one more per answer."""
        answered = 0
        while True:
            await spammer.wait_until(lambda n=answered: len(spammer.messages) > n, timeout=30)
            fresh = len(spammer.messages) - answered
            answered += fresh
            spam(fresh)

    spam(BACKLOG)
    flooding = asyncio.create_task(flood())
    try:
        # The spammer's chat is past its burst and waits on its own budget …
        await spammer.wait_until(lambda: len(spammer.messages) >= BACKLOG, timeout=10)
        runner.press("Start", card)
        started = harness.api.requests[-1].at
        release = await runner.expect(
            lambda m: "Release ✓ — switch sides" in first_text(m), timeout=10
        )
        ended = harness.api.requests[-1].at
        backlog = sent - len(spammer.messages)
    finally:
        flooding.cancel()

    spam_sent = [
        r
        for r in harness.api.requests
        if r.chat_id == spammer.id and r.method == "sendMessage" and started <= r.at <= ended
    ]
    # The flood really was held back by the spammer's own budget, and never ran dry …
    assert len(spam_sent) < 4.0 * (ended - started) + 4
    assert backlog > 0
    # … and the other runner's countdown was drawn at every mark: the hold's start (the
    # get-ready's end), then halfway and 5 s before the end.
    marks = timers.countdown_marks(30)
    versions = [text for text, _ in card.edits] + [card.text]
    shown = [held(text) for text in versions]
    drawn = [s for s in shown if s is not None]
    limiter = harness.app.bot.rate_limiter
    assert len(drawn) == 1 + len(marks), f"{drawn}, {limiter.dropped} dropped"
    for value, mark, later in zip(drawn[1:], marks, [*marks[1:], 0.0], strict=True):
        assert later < value <= mark
    assert not release.disable_notification
    rows = harness.rows("SELECT routine, status FROM sessions WHERE user_id = ?", [runner.id])
    assert rows == [{"routine": "post_run", "status": "active"}]
