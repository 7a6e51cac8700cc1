"""Telegram's limits and errors: pacing, 429/5xx/timeouts/403, floods and the error handler."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict

import pytest

from bot.sandbox import BotMessage, FakeUser
from bot.sandbox.html_check import to_plain
from bot.transport.ratelimit import HipcoachRateLimiter
from tests.flows import rate, routine
from tests.i18n import t
from tests.recording import RecordingLimiter

pytestmark = pytest.mark.reliability
# What the flow marks droppable: countdown edits (a get-ready's end too) and tidy-ups.
DROPPABLE_CALLS = {("editMessageText", "droppable"), ("deleteMessages", "droppable")}


async def quick_routine(user: FakeUser, *, wait: float = 20.0) -> None:
    """Tap through a whole Quick routine, acting on the newest message each time it changes
    (a step is a new message or an edit of the live one)."""
    summary = await routine(user, "Quick", wait=wait)
    assert "complete!" in summary.plain


def first_line(message: BotMessage) -> str:
    """What a notification shows of a message: its first line as first sent."""
    text = message.edits[0][0] if message.edits else message.text
    return to_plain(text, message.parse_mode).split("\n")[0]


def max_in_window(times: list[float], window: float) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] > window:
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
        u.press("Start", await u.see("Why:"))  # the menu became the exercise's card
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
    limiter = harness.rate_limiter = RecordingLimiter(0, 0, backoff=0.02)
    await harness.start()
    harness.api.chaos(0.2, seed=7, statuses=(429, 500, 500, 500), retry_after=1)
    user = harness.user()
    await quick_routine(user, wait=30)
    await harness.api.wait_until(
        lambda: all(q.answered for q in harness.api.callback_queries.values())
    )
    assert harness.api.chaos_served[429] >= 2 and harness.api.chaos_served[500] >= 5
    # Every fault was retried, but a 429 on a droppable call (a get-ready's end, a tidy-up):
    # that one is let go, since a late countdown is worth nothing.
    assert {(method, mark) for method, mark, _ in limiter.failed} <= DROPPABLE_CALLS
    assert {error for _, _, error in limiter.failed} <= {"RetryAfter"}
    assert limiter.retries + len(limiter.failed) == sum(harness.api.chaos_served.values())
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
        timeout_methods=frozenset({"editMessageText", "editMessageReplyMarkup", "deleteMessages"}),
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
    user.press("Start", await user.see("Hip rotations"))
    user.press("Done", await user.see("Set 1/1 · right side"))
    user.press("Done", await user.see("Set 1/1 · left side"))
    feedback = await user.see("How did it feel?")
    # The next exercise's card times out and is never delivered (a send is not retried on a
    # timeout, since it might have arrived: a duplicate is worse than a re-offer).
    harness.api.inject_timeout("sendMessage", times=1)
    await rate(user, feedback)
    await harness.api.wait_until(lambda: harness.api.faults_served == 1)
    # Committed before it was sent: the session stands at the next card.
    assert harness.rows("SELECT phase FROM sessions") == [{"phase": "card"}]
    flexion = t("en").content.exercise("flexion").name
    user.send("/routine")
    prompt = await user.expect("in progress")
    assert f"Quick round — {flexion}" in prompt.plain
    user.press("Continue", prompt)
    card = await user.see(f"2/3 · {flexion}")
    assert card.message_id == prompt.message_id  # the prompt became the card
    user.press("Start", card)
    user.press("All", await user.expect("Did you get all"))
    await user.see("Set 1/1 · left side")
    assert len(harness.rows("SELECT * FROM sets")) == 3
    assert harness.rows("SELECT status FROM sessions") == [{"status": "active"}]


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
    harness.api.inject_timeout("editMessageText", times=3)
    harness.api.inject_timeout("deleteMessages", times=1)
    harness.api.inject_timeout("answerCallbackQuery", times=2)
    user = harness.user()
    await quick_routine(user)
    assert harness.api.faults_served == 6
    assert len(harness.rows("SELECT * FROM sets")) == 6
    # every exercise's messages were still deleted when it ended (the one timed-out
    # deleteMessages was repeated): only the summary is left
    deletes = [r for r in harness.api.requests if r.method == "deleteMessages"]
    assert len(deletes) == 3 + 1
    assert [m for m in user.messages if not m.deleted] == [user.last]
    assert "complete!" in user.last.plain


async def test_under_load_countdown_edits_thin_out_but_transitions_arrive(harness):
    """Many Post-run stretches at once on a tight overall budget: countdown edits and
    tidy-ups (droppable) give way, the transitions a runner must notice (urgent) all
    arrive, each a new notifying message, and every set is stored."""
    harness.reconfigure(time_scale=0.02)
    harness.rate_limiter = RecordingLimiter(20.0, 50.0)
    await harness.start()
    users = [harness.user(7000 + i, f"R{i}") for i in range(8)]
    for u in users:
        u.send("/routine")
    for u in users:
        u.press("Post-run", await u.expect("Pick a routine", timeout=10))
    for u in users:
        u.press("Start", await u.see("Why:", timeout=10))
    for u in users:
        await rate(u, await u.expect("How did it feel?", timeout=30), wait=30)
    for u in users:
        await u.expect("complete!", timeout=10)
    # Every tap answered: each session's last tidy-up has been tried (it comes before).
    await harness.api.wait_until(
        lambda: all(q.answered for q in harness.api.callback_queries.values())
    )
    limiter = harness.rate_limiter
    calls = limiter.calls
    dropped = [(method, mark) for method, mark, sent in calls if not sent]
    assert limiter.dropped > 0 and len(dropped) == limiter.dropped
    # Only countdown edits and tidy-ups give way ...
    assert set(dropped) <= DROPPABLE_CALLS
    countdown = [
        sent for method, mark, sent in calls if (method, mark) == ("editMessageText", "droppable")
    ]
    assert countdown.count(False) > 0
    # ... each session's messages are deleted in one call when it ends: that last tidy-up
    # waits its turn instead of being dropped, as nothing follows it to carry the ids ...
    deletes = [(mark, sent) for method, mark, sent in calls if method == "deleteMessages"]
    assert deletes == [("", True)] * len(users)
    # ... while every timer-driven transition is urgent and arrives as a notifying message.
    urgent = [(method, sent) for method, mark, sent in calls if mark == "urgent"]
    assert urgent == [("sendMessage", True)] * 5 * len(users)
    for u in users:
        _menu, *moments, summary = u.messages
        assert [first_line(m) for m in moments] == [
            "Release ✓ — switch sides 🔄",
            "Set 1 done ✓",
            "Next set ▶",
            "Release ✓ — switch sides 🔄",
            "✓ 90/90 stretch done. How did it feel?",
        ]
        assert not any(m.disable_notification for m in moments)
        assert summary.disable_notification and "complete!" in summary.plain
    assert len(harness.rows("SELECT * FROM sets")) == 8 * 4
