"""Timed phases at a small time scale: live countdowns, pause/resume/skip, idle timeout."""

from __future__ import annotations

import asyncio
import itertools
import re

import pytest

from bot.sandbox import BotMessage, FakeRequest, FakeUser
from bot.services import session
from bot.services.state import Services
from bot.transport import timers
from tests import conftest


def is_card(message: BotMessage) -> bool:
    return "Why:" in message.plain and "▶ Start" in message.labels


async def start_post_run(user: FakeUser):
    """Pick Post-run and Start: the menu turns into the card, then into the live tracker."""
    user.send("/routine")
    menu = await user.expect("Pick a routine")
    user.press("Post-run", menu)
    card = await user.see(is_card)
    assert "90/90 stretch" in card.plain
    user.press("Start", card)
    live = await user.see("Set 1/2 · right side")
    assert live is card is user.messages[-1]
    return live


async def into_first_rest(user: FakeUser) -> BotMessage:
    """A Full routine up to its first rest: Start, then Done on both sides of set 1.
    Returns the card, which is now the live message showing the rest."""
    user.send("/routine")
    user.press("Full routine", await user.expect("Pick a routine"))
    card = await user.see(lambda m: "Hip rotations" in m.plain and "▶ Start" in m.labels)
    user.press("Start", card)
    user.press("Done", await user.see("Set 1/2 · right side"))
    user.press("Done", await user.see("Set 1/2 · left side"))
    return card


def timer_jobs(h, user):
    return h.app.job_queue.get_jobs_by_name(timers.timer_name(user.chat_id))


def first_text(message: BotMessage) -> str:
    """What a message said when it was sent (before any edit)."""
    return message.edits[0][0] if message.edits else message.text


def held(text: str) -> int | None:
    """The seconds a hold countdown shows, or None if `text` is not one."""
    found = re.search(r"Hold</b> — (\d+) s left", text)
    return int(found.group(1)) if found else None


async def test_live_countdown_is_redrawn_only_at_its_marks(harness):
    scale = 0.1  # 5 s get-ready = 0.5 s, 30 s hold = 3 s
    harness.reconfigure(time_scale=scale)
    await harness.start()
    user = harness.user()
    live = await start_post_run(user)
    assert "Get in position" in live.plain
    release = await user.expect(lambda m: "Release ✓ — switch sides" in first_text(m), timeout=10)
    assert "left side" in first_text(release)
    assert not release.disable_notification  # the moment to move: a notifying message
    marks = timers.countdown_marks(30)
    assert marks == (15.0, 5.0)  # halfway, and 5 s before the end
    assert timers.countdown_marks(5) == ()  # a get-ready is too short for any

    # The live message: menu, card, get-ready (the Start tap), then the countdown's own
    # edits: the hold starting, then one per mark, and nothing after the hold's end.
    versions = [text for text, _ in live.edits] + [live.text]
    shown = [held(text) for text in versions[3:]]
    assert len(shown) == 1 + len(marks) and None not in shown, versions
    assert shown[0] >= 29  # the hold's start
    for value, mark, later in zip(shown[1:], marks, [*marks[1:], 0.0], strict=True):
        assert later < value <= mark  # drawn at its mark (or a little after it)

    requests = harness.api.requests
    i_release = next(
        i
        for i, r in enumerate(requests)
        if r.method == "sendMessage"
        and r.chat_id == user.id
        and "Release" in str(r.params.get("text", ""))
    )
    edits = [
        r
        for r in requests[:i_release]
        if r.method == "editMessageText" and str(r.params.get("message_id")) == str(live.message_id)
    ]
    countdown = edits[2:]  # after the menu -> card and card -> get-ready taps
    assert len(countdown) == 1 + len(marks)
    # Edits never notify, and nothing was sent between Start and the hold's end.
    started = requests.index(edits[1])
    sends = [r for r in requests[started:i_release] if r.method == "sendMessage"]
    assert sends == []
    assert str(requests[i_release].params.get("disable_notification")).lower() == "false"
    # No two redraws of the live message closer than the marks allow.
    moments = [e.at for e in edits[1:]] + [requests[i_release].at]
    gaps = [b - a for a, b in itertools.pairwise(moments)]
    assert min(gaps) >= (timers.MIN_GAP - timers.MARK_SLACK) * scale, gaps
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
    hold_pause = next(d for row in live.buttons for text, d in row if "Pause" in text)
    user.press("Skip", live)  # end the hold early: the seconds held are recorded
    # A tap moves the live message on in place: no new message, no notification.
    assert await user.see("switch sides") is live
    assert len(user.messages) == 1
    [row] = harness.rows("SELECT target_seconds, actual_seconds FROM sets")
    assert row["target_seconds"] == 30 and 0 <= row["actual_seconds"] < 30
    # The finished countdown's buttons are answered for free, and change nothing (the
    # left side's get-ready runs on; the snapshot check is in test_routine_flow, at scale 0).
    assert "⏸ Pause" in live.labels  # the left side's own
    q = user.press_data(live.message_id, hold_pause)
    assert (await user.answer_for(q))[0] == "That step is over."
    [s] = harness.rows("SELECT phase FROM sessions")
    assert s["phase"] != "paused" and len(harness.rows("SELECT * FROM sets")) == 1


async def test_rest_counts_down_and_a_new_message_says_it_is_over(harness):
    harness.reconfigure(time_scale=0)
    await harness.start()
    user = harness.user()
    card = await into_first_rest(user)
    # at scale 0 the rest is over at once and the next set is announced: a new message
    nxt = await user.see("Set 2/2 · right side")
    assert "Next set" in nxt.plain and not nxt.disable_notification
    assert nxt is not card and user.messages == [card, nxt]
    # the rest counted down in the live message, which is then left as it was
    assert "Rest" in card.plain and "Next: set 2/2" in card.plain
    assert "Done: 10 · 10" in card.plain
    q = user.press("Skip", card)
    assert (await user.answer_for(q))[0] == "That step is over."
    assert not nxt.edits and len(harness.rows("SELECT * FROM sets")) == 2


async def test_a_rest_can_be_skipped_in_place(harness):
    harness.reconfigure(time_scale=0.2)  # the 30 s rest = 6 s
    await harness.start()
    user = harness.user()
    card = await into_first_rest(user)
    rest = await user.see("⏱ Rest")
    assert timer_jobs(harness, user)
    user.press("Skip", rest)
    nxt = await user.see("Set 2/2 · right side")
    assert nxt is rest is card and len(user.messages) == 1  # the tap's edit, no new message
    assert "✓ Done" in nxt.labels and not timer_jobs(harness, user)
    [s] = harness.rows("SELECT phase FROM sessions")
    assert s["phase"] == "confirm"
    assert len(harness.rows("SELECT * FROM sets")) == 2


class SlowFirstRelease(FakeRequest):
    """Telegram takes 0.3 s to receive the first "Release" message (a slow network or a
    queue); every other call is as quick as ever."""

    slowed = False

    async def do_request(self, url, method, request_data=None, *args, **kwargs):
        text = str((request_data.json_parameters if request_data else {}).get("text", ""))
        if url.endswith("/sendMessage") and "Release" in text and not SlowFirstRelease.slowed:
            SlowFirstRelease.slowed = True
            await asyncio.sleep(0.3)
        return await super().do_request(url, method, request_data, *args, **kwargs)


async def test_transitions_arrive_in_order_when_a_send_is_slow(harness, monkeypatch):
    """The next phase must not overtake the message that announces this one: at time scale
    0 every timer fires at once, so a slow "Release" must still come before what follows,
    and the live message must be the newest step's."""
    monkeypatch.setattr(conftest, "FakeRequest", SlowFirstRelease)
    monkeypatch.setattr(SlowFirstRelease, "slowed", False)
    harness.reconfigure(time_scale=0)
    await harness.start()
    user = harness.user()
    await start_post_run(user)
    await user.wait_until(
        lambda: any("How did it feel?" in m.plain for m in user.messages), timeout=5
    )
    await user.wait_until(lambda: len(user.messages) >= 6, timeout=5)
    # Each message as it was sent, by the moment it announced.
    moments = ["Release ✓", "Set 1 done ✓", "Next set ▶", "Release ✓", "How did it feel?"]
    sent = [first_text(m) for m in user.messages[1:]]
    assert [next((e for e in moments if e in text), text) for text in sent] == moments
    [s] = harness.rows("SELECT live_message_id, phase FROM sessions")
    assert s == {"live_message_id": user.messages[-1].message_id, "phase": "feedback"}


async def test_idle_session_is_closed_and_keeps_its_sets(harness):
    harness.reconfigure(time_scale=0, idle_timeout_minutes=0.01)
    await harness.start()
    user = harness.user()
    user.send("/routine")
    user.press("Quick", await user.expect("Pick a routine"))
    user.press("Start", await user.see(is_card))
    user.press("Done", await user.see("Set 1/1 · right side"))
    await user.see("left side")
    closed = await user.expect("quiet spell", timeout=10)
    assert closed.disable_notification  # nobody is waiting for it
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
    card = await user.see(is_card)
    user.send("/cancel")
    await user.expect("stopped")
    await user.wait_until(lambda: card.deleted)  # the unstarted card goes with the session
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
    user.press("Start", await user.see(is_card))  # then timers run every hold
    await user.see("How did it feel?")
    user.send("/routine")
    user.press("Start over", await user.expect("in progress"))
    await user.expect("stopped")
    assert counts["press"] == [1]
    assert counts["resume_choice"] == [1]
    assert len(counts["on_timer"]) >= 8 and set(counts["on_timer"]) == {1}
