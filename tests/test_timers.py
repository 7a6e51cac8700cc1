"""Timed phases at a small time scale: live countdowns, pause/resume/skip, idle timeout."""

from __future__ import annotations

import itertools

import pytest

from bot.sandbox import FakeUser
from bot.services import session
from bot.services.state import Services
from bot.transport import timers


async def start_post_run(user: FakeUser):
    user.send("/routine")
    menu = await user.expect("Pick a routine")
    user.press("Post-run", menu)
    card = await user.expect("90/90 stretch")
    user.press("Start", card)
    return await user.expect("Set 1/2 · right side")


def timer_jobs(h, user):
    return h.app.job_queue.get_jobs_by_name(timers.timer_name(user.chat_id))


async def test_live_countdown_is_edited_silently_and_not_too_often(harness, monkeypatch):
    # 30 s hold at scale 0.05 = 1.5 s; allow an edit every 0.3 s (Telegram: every 3 s).
    monkeypatch.setattr(timers, "MIN_EDIT_INTERVAL", 0.3)
    harness.reconfigure(time_scale=0.05)
    await harness.start()
    user = harness.user()
    live = await start_post_run(user)
    assert "Get in position" in live.plain
    release = await user.expect("Release ✓ — switch sides", timeout=10)
    assert "left side" in release.plain and not release.disable_notification
    assert "Hold" in live.plain or live.edit_count > 0
    edits = [r for r in harness.api.requests if r.method == "editMessageText"]
    assert len(edits) >= 3, "the countdown was redrawn in place"
    assert all(e.params.get("message_id") in (live.message_id, str(live.message_id)) for e in edits)
    gaps = [b.at - a.at for a, b in itertools.pairwise(edits)]
    assert min(gaps) >= 0.25
    # edits never notify; only the new 'Release' message does
    sends = [r for r in harness.api.requests if r.method == "sendMessage"]
    assert all(str(r.params.get("disable_notification", "false")).lower() == "false" for r in sends)
    [row] = harness.rows("SELECT actual_seconds, side FROM sets")
    assert row == {"actual_seconds": 30, "side": "right"}


async def test_pause_resume_and_skip(harness):
    harness.reconfigure(time_scale=0.2)  # 5 s ready = 1 s, 30 s hold = 6 s
    await harness.start()
    user = harness.user()
    live = await start_post_run(user)
    user.press("Pause", live)
    await user.wait_until(lambda: "Paused" in live.plain)
    [s] = harness.rows("SELECT phase, paused_phase, remaining FROM sessions")
    assert (s["phase"], s["paused_phase"]) == ("paused", "ready")
    assert 0 < s["remaining"] <= 1.0
    assert not timer_jobs(harness, user)
    assert live.labels == ["▶ Resume", "■ Stop"]
    user.press("Resume", live)
    await user.wait_until(lambda: "Hold" in live.plain, timeout=5)
    user.press("Skip", live)  # end the hold early: the seconds held are recorded
    await user.expect("switch sides")
    [row] = harness.rows("SELECT target_seconds, actual_seconds FROM sets")
    assert row["target_seconds"] == 30 and 0 <= row["actual_seconds"] < 30
    assert live.buttons == []  # the finished countdown lost its buttons


async def test_rest_counts_down_and_can_be_skipped(harness):
    harness.reconfigure(time_scale=0)
    await harness.start()
    user = harness.user()
    user.send("/routine")
    user.press("Full routine", await user.expect("Pick a routine"))
    user.press("Start", await user.expect("Hip rotations"))
    user.press("Done", await user.expect("Set 1/2 · right side"))
    user.press("Done", await user.expect("Set 1/2 · left side"))
    # at scale 0 the rest is over at once and the next set is announced
    nxt = await user.expect("Set 2/2 · right side")
    assert "Next set" in nxt.plain
    # the rest counted down in its own message, which now says it is over
    rests = [m for m in user.messages if any("Rest" in text for text, _ in m.edits)]
    assert rests and "rest over" in rests[0].plain and not rests[0].buttons
    assert "Next: set 2/2" in rests[0].edits[0][0]


async def test_idle_session_is_closed_and_keeps_its_sets(harness):
    harness.reconfigure(time_scale=0, idle_timeout_minutes=0.01)
    await harness.start()
    user = harness.user()
    user.send("/routine")
    user.press("Quick", await user.expect("Pick a routine"))
    user.press("Start", await user.expect("Hip rotations"))
    user.press("Done", await user.expect("Set 1/1 · right side"))
    await user.expect("left side")
    closed = await user.expect("quiet spell", timeout=10)
    assert "Sets: 1/6" in closed.plain
    [s] = harness.rows("SELECT status FROM sessions")
    assert s["status"] == "partial"
    assert len(harness.rows("SELECT * FROM sets")) == 1


@pytest.mark.parametrize("scale", [0.0])
async def test_cancel_command_stops_the_routine(harness, scale):
    harness.reconfigure(time_scale=scale)
    await harness.start()
    user = harness.user()
    user.send("/routine")
    user.press("Full", await user.expect("Pick a routine"))
    await user.expect("Hip rotations")
    user.send("/cancel")
    await user.expect("stopped")
    [s] = harness.rows("SELECT status FROM sessions")
    assert s["status"] == "abandoned"


async def test_timers_are_found_by_chat_without_scanning_the_job_queue(harness, monkeypatch):
    """Arming or cancelling a chat's timer is a dict lookup, whatever the number of sessions."""
    from telegram.ext import JobQueue

    await harness.start()
    armed = harness.services.timers

    def scan(*args, **kwargs):
        raise AssertionError("a timer lookup scanned every job in the queue")

    monkeypatch.setattr(JobQueue, "jobs", scan)
    monkeypatch.setattr(JobQueue, "get_jobs_by_name", scan)

    async def never(context):
        raise AssertionError("a cancelled timer fired")

    for chat_id in range(1, 2001):
        armed.arm(never, chat_id, 60.0, session_id=chat_id, rev=0)
    armed.arm(never, 7, 60.0, session_id=7, rev=1)  # re-arming replaces, never adds
    assert len(armed) == 2000
    assert timers.job_target(armed.armed(7)) == (7, 1)
    for chat_id in range(1, 2001):
        armed.cancel(chat_id)
    assert len(armed) == 0 and armed.armed(7) is None
    monkeypatch.undo()
    assert not [j for j in harness.app.job_queue.jobs() if j.name.startswith("timer:")]


async def test_each_step_reads_the_runners_language_once(harness, monkeypatch):
    """A button press, a timer firing and "Start over" each read the runner's language once
    (as they send) and pass it down, not once per message they send."""
    harness.reconfigure(time_scale=0)
    await harness.start()
    reads: list[int] = []
    real_t = Services.t

    def t(self, user_id, language_code=None):
        reads.append(user_id)
        return real_t(self, user_id, language_code)

    monkeypatch.setattr(Services, "t", t)
    counts: dict[str, list[int]] = {}
    for name in ("press", "on_timer", "resume_choice"):
        real = getattr(session, name)

        async def counted(*args, real=real, name=name):
            before = len(reads)
            result = await real(*args)
            counts.setdefault(name, []).append(len(reads) - before)
            return result

        monkeypatch.setattr(session, name, counted)
    user = harness.user()
    user.send("/routine")
    user.press("Post-run", await user.expect("Pick a routine"))
    user.press("Start", await user.expect("90/90 stretch"))  # then timers run every hold
    await user.expect("How did it feel?")
    user.send("/routine")
    user.press("Start over", await user.expect("in progress"))
    await user.expect("stopped")
    assert counts["press"] == [1]
    assert counts["resume_choice"] == [1]
    assert len(counts["on_timer"]) >= 8 and set(counts["on_timer"]) == {1}
