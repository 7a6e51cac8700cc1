"""Telegram's limits and errors: pacing, 429/5xx/timeouts/403, floods and the error handler."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict

import pytest

from bot.sandbox import FakeUser
from bot.transport.ratelimit import HipcoachRateLimiter
from tests.flows import rate

pytestmark = pytest.mark.reliability


async def quick_routine(user: FakeUser, *, wait: float = 20.0) -> None:
    """Tap through a whole Quick routine, recovering via /routine if a message was lost."""
    user.send("/routine")
    user.press("Quick", await user.expect("Pick a routine", timeout=wait))
    while True:
        msg = await user.expect(lambda m: bool(m.buttons) or "complete!" in m.plain, timeout=wait)
        if "complete!" in msg.plain:
            return
        labels = msg.labels
        if "▶ Start" in labels:
            user.press("Start", msg)
        elif "✓ Done" in labels or any(t.startswith("✓ All") for t in labels):
            user.press("✓", msg)
        elif "😌 Easy" in labels:
            await rate(user, msg, "Easy", wait=wait)


def max_in_window(times: list[float], window: float) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] > window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_pacing_per_chat_and_overall(harness):
    # Scaled-down limits (16/s overall, 8/s per chat) so the test is quick.
    harness.reconfigure(rate_limit=16.0, chat_rate_limit=8.0)
    await harness.start()
    users = [harness.user(5000 + i, f"R{i}") for i in range(3)]
    for u in users:
        u.send("/routine")
    for u in users:
        u.press("Post-run", await u.expect("Pick a routine"))
    for u in users:
        u.press("Start", await u.expect("90/90"))
    for u in users:
        await rate(u, await u.expect("How did it feel?", timeout=20), wait=20)
        await u.expect("complete!", timeout=20)
    sends = [r for r in harness.api.requests if r.chat_id and r.method != "answerCallbackQuery"]
    per_chat: dict[int, list[float]] = defaultdict(list)
    for r in sends:
        per_chat[r.chat_id].append(r.at)
    for times in per_chat.values():
        # bucket of 3, then 8/s: never more than 3 + 8 in any second (+1 for timer jitter)
        assert max_in_window(times, 1.0) <= 12
    assert max_in_window([r.at for r in sends], 1.0) <= 16 + 1  # never over the limit
    assert len(harness.rows("SELECT * FROM sets")) == 12


async def test_chaos_429_and_500_lose_nothing(harness):
    # Real backoff is 0.5 s doubling; shorter here so the test stays quick.
    harness.rate_limiter = HipcoachRateLimiter(0, 0, backoff=0.02)
    await harness.start()
    harness.api.chaos(0.2, seed=7, statuses=(429, 500, 500, 500), retry_after=1)
    user = harness.user()
    await quick_routine(user, wait=30)
    assert harness.api.chaos_served[429] >= 2 and harness.api.chaos_served[500] >= 5
    assert harness.app.bot.rate_limiter.retries == sum(harness.api.chaos_served.values())
    rows = harness.rows("SELECT exercise, side, set_no FROM sets")
    assert len(rows) == 6 and len(set(map(tuple, (r.values() for r in rows)))) == 6
    assert harness.rows("SELECT status FROM sessions") == [{"status": "completed"}]


async def test_faults_under_enforced_limits_complete_within_the_limits(harness):
    """A share of calls fail (429, 500, timeouts where repeating is safe) while the fake
    enforces Telegram-style limits: routines finish, nothing is lost, no limit is crossed."""
    harness.reconfigure(rate_limit=40.0, chat_rate_limit=8.0)
    await harness.start()
    harness.app.bot.rate_limiter.backoff = 0.02
    harness.api.enforce_limits(40.0, 8.0)
    harness.api.chaos(
        0.15,
        seed=11,
        statuses=(429, 500, 0),
        retry_after=1,
        timeout_methods=frozenset({"editMessageText", "editMessageReplyMarkup"}),
    )
    users = [harness.user(5100 + i, f"F{i}") for i in range(3)]
    await asyncio.gather(*(quick_routine(u, wait=40) for u in users))
    assert harness.api.limit_violations == 0, "the bot crossed a limit"
    assert all(harness.api.chaos_served.get(k, 0) > 0 for k in (429, 500))
    assert len(harness.rows("SELECT * FROM sets")) == 3 * 6
    dupes = harness.rows(
        "SELECT session_id, exercise, side, set_no FROM sets GROUP BY 1, 2, 3, 4 "
        "HAVING COUNT(*) > 1"
    )
    assert dupes == []
    assert harness.rows("SELECT DISTINCT status FROM sessions") == [{"status": "completed"}]


async def test_a_lost_prompt_is_recovered_with_routine(harness):
    await harness.start()
    user = harness.user()
    user.send("/routine")
    user.press("Quick", await user.expect("Pick a routine"))
    card = await user.expect("Hip rotations")
    # The next prompt times out and is never delivered (a send is not retried on a timeout,
    # since it might have arrived: a duplicate is worse than a re-offer).
    harness.api.inject_timeout("sendMessage", times=1)
    user.press("Start", card)
    await harness.api.wait_until(lambda: harness.api.faults_served == 1)
    user.send("/routine")
    prompt = await user.expect("in progress")
    assert "Hip rotations, set 1/1, right side" in prompt.plain
    user.press("Continue", prompt)
    user.press("Done", await user.expect("Set 1/1 · right side"))
    await user.expect("Set 1/1 · left side")
    assert len(harness.rows("SELECT * FROM sets")) == 1


async def test_blocked_user_is_marked_inactive_until_they_write(harness):
    await harness.start()
    user = harness.user()
    user.send("/start")
    await user.expect("hip coach")
    harness.api.block(user.id)
    user.send("/help")  # the answer fails with 403
    await harness.api.wait_until(
        lambda: harness.rows("SELECT active FROM users") == [{"active": 0}]
    )
    harness.api.unblock(user.id)
    user.send("/help")
    await user.expect("/routine")
    assert harness.rows("SELECT active FROM users") == [{"active": 1}]


async def test_a_flooding_user_does_not_slow_others(harness):
    await harness.start()
    spammer, other = harness.user(6001, "Spam"), harness.user(6002, "Calm")
    for i in range(200):
        spammer.send(f"/frobnicate {i}")
    other.send("/help")
    await other.expect("/routine", timeout=3)
    await harness.api.wait_until(lambda: not harness.api.updates)
    answers = [m for m in spammer.messages if "don't know that command" in m.plain]
    processor = harness.app.update_processor
    assert processor.dropped >= 150
    assert len(answers) <= 200 - processor.dropped


async def test_unexpected_error_is_logged_and_the_user_told(harness, monkeypatch, caplog):
    from bot import services

    async def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(services.session, "open_menu", boom)
    await harness.start()
    user = harness.user()
    with caplog.at_level(logging.ERROR):
        user.send("/routine")
        msg = await user.expect("went wrong")
    assert "progress is saved" in msg.plain
    records = [r for r in caplog.records if "unhandled error" in r.getMessage()]
    assert records and "user 1001" in records[0].getMessage()
    assert "kaboom" in records[0].getMessage()


async def test_timeouts_on_idempotent_calls_are_retried(harness):
    harness.rate_limiter = HipcoachRateLimiter(0, 0, backoff=0.02)
    await harness.start()
    harness.api.inject_timeout("editMessageReplyMarkup", times=3)
    harness.api.inject_timeout("answerCallbackQuery", times=2)
    user = harness.user()
    await quick_routine(user)
    assert harness.api.faults_served == 5
    assert len(harness.rows("SELECT * FROM sets")) == 6
    # every stale keyboard was still stripped: only the summary keeps a button
    assert [m for m in user.messages if m.buttons] == [user.last]


async def test_under_load_countdown_edits_thin_out_but_transitions_arrive(harness, monkeypatch):
    from bot.transport import timers

    monkeypatch.setattr(timers, "MIN_EDIT_INTERVAL", 0.05)
    harness.reconfigure(time_scale=0.03, rate_limit=40.0, chat_rate_limit=50.0)
    await harness.start()
    users = [harness.user(7000 + i, f"R{i}") for i in range(8)]
    for u in users:
        u.send("/routine")
    for u in users:
        u.press("Post-run", await u.expect("Pick a routine", timeout=10))
    for u in users:
        u.press("Start", await u.expect("90/90", timeout=10))
    for u in users:
        await rate(u, await u.expect("How did it feel?", timeout=30), wait=30)
    for u in users:
        await u.expect("complete!", timeout=10)
    limiter = harness.app.bot.rate_limiter
    assert limiter.dropped > 0, "countdown edits gave way under load"
    for u in users:
        switches = [m for m in u.messages if "switch sides" in (m.edits or [(m.text, None)])[0][0]]
        assert len(switches) == 2  # each side switch was announced in a message of its own
    assert len(harness.rows("SELECT * FROM sets")) == 8 * 4
