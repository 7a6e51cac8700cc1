"""A bot process that stops mid-session loses nothing and offers to continue."""

from __future__ import annotations

from datetime import UTC, datetime

from bot import storage
from bot.core.content import load_catalogue
from bot.core.dosing import plan_for
from bot.core.engine import Cursor, Outcome, SetResult
from bot.sandbox import BotMessage
from bot.storage.db import open_db
from bot.storage.sessions import Session
from tests.flows import rate

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def is_card(message: BotMessage) -> bool:
    return "Why:" in message.plain and "▶ Start" in message.labels


async def test_restart_between_sets_offers_to_continue_and_finishes(harness):
    await harness.start()
    user = harness.user()
    user.send("/routine")
    user.press("Pre-run", await user.expect("Pick a routine"))
    user.press("Skip", await user.see(lambda m: is_card(m) and "Hip rotations" in m.plain))
    user.press("Start", await user.see(lambda m: is_card(m) and "Band hip flexion" in m.plain))
    for set_no, side in ((1, "right"), (1, "left"), (2, "right")):
        confirm = await user.see(
            lambda m, s=f"Set {set_no}/2 · {side} side": s in m.plain and "all 15" in m.plain
        )
        user.press("All 15", confirm)
    await user.see(lambda m: "Set 2/2 · left side" in m.plain and "all 15" in m.plain)
    before = harness.rows("SELECT * FROM sets ORDER BY id")
    assert len(before) == 3

    await harness.restart()
    user.send("/routine")
    prompt = await user.expect("in progress")
    assert "Band hip flexion and hold, set 2/2, left side" in prompt.plain
    user.press("Continue", prompt)
    confirm = await user.see("all 15")
    user.press("All 15", confirm)
    await rate(user, await user.see("How did it feel?"))
    summary = await user.see("complete!")
    assert "Sets: 4/8" in summary.plain and "Skipped: Hip rotations" in summary.plain
    after = harness.rows("SELECT * FROM sets ORDER BY id")
    assert after[:3] == before  # nothing confirmed was lost or rewritten
    assert len(after) == 4
    assert harness.rows("SELECT status FROM sessions") == [{"status": "completed"}]


async def test_restart_mid_timer_offers_the_session_back_on_start(harness):
    harness.reconfigure(time_scale=1.0)  # the get-ready countdown is still running at restart
    await harness.start()
    user = harness.user()
    user.send("/routine")
    user.press("Post-run", await user.expect("Pick a routine"))
    user.press("Start", await user.see(is_card))
    live = await user.see("Get in position")

    harness.reconfigure(time_scale=0)
    await harness.restart()
    offer = await user.expect("I was restarted")
    assert "90/90 stretch, set 1/2, right side" in offer.plain
    assert live.buttons == []  # the dead countdown can no longer be pressed
    [s] = harness.rows("SELECT phase, paused_phase FROM sessions")
    assert (s["phase"], s["paused_phase"]) == ("paused", "ready")

    # A second restart does not send the offer again.
    await harness.restart()
    user.send("/routine")
    prompt = await user.expect("in progress")
    assert sum("I was restarted" in m.plain for m in user.messages) == 1
    user.press("Continue", prompt)
    await rate(user, await user.see("How did it feel?"))
    summary = await user.see("complete!")
    assert "Sets: 4/4" in summary.plain
    assert len(harness.rows("SELECT * FROM sets")) == 4


async def test_start_over_closes_the_old_session(harness):
    await harness.start()
    user = harness.user()
    user.send("/routine")
    user.press("Full", await user.expect("Pick a routine"))
    user.press("Start", await user.see(is_card))
    user.press("Done", await user.see("Set 1/2 · right side"))
    await user.see("left side")
    await harness.restart()
    user.send("/routine")
    user.press("Start over", await user.expect("in progress"))
    await user.expect("stopped")
    user.press("Quick", await user.expect("Pick a routine"))
    await user.see(lambda m: is_card(m) and "Today: 1 × 10 each side" in m.plain)
    rows = harness.rows("SELECT routine, status FROM sessions ORDER BY id")
    assert rows == [
        {"routine": "full", "status": "partial"},
        {"routine": "quick", "status": "active"},
    ]


def test_a_session_closed_early_is_partial_with_a_set_else_abandoned(tmp_path):
    """Every way a session closes before its last step (a new start, /cancel or Start over
    or idle, Stop) follows one rule: partial if a set was saved, else abandoned."""
    db = open_db(tmp_path / "hipcoach.db")
    storage.users.touch_user(db, 1, 1, "Ann", "en", NOW)
    card = Cursor(0, "card")
    quick = plan_for(load_catalogue(), "quick")

    def start() -> Session:
        return storage.sessions.start_session(db, 1, 1, quick, card, NOW)

    def status(session: Session) -> str:
        return db.execute("SELECT status FROM sessions WHERE id = ?", [session.id]).fetchone()[0]

    first = start()
    second = start()  # a new start closes the active one
    assert status(first) == "abandoned"
    done = SetResult("rotations", "right", 1, target_reps=10, actual_reps=10)
    with_set = storage.sessions.apply_outcome(db, second, Outcome(card, sets=(done,)), NOW)
    assert with_set is not None
    ended = storage.sessions.end_session(db, with_set, NOW)
    assert ended == storage.sessions.get_session(db, second.id)  # no second read needed
    assert ended is not None and ended.status == "partial"
    assert storage.sessions.end_session(db, with_set, NOW) is None  # it had moved on
    third = start()
    stop = Outcome(Cursor(0, "done"), finished="partial")
    stopped = storage.sessions.apply_outcome(db, third, stop, NOW)
    assert stopped is not None and stopped.status == status(third) == "abandoned"
    fourth = start()
    stopped = storage.sessions.apply_outcome(db, fourth, Outcome(card, sets=(done,)), NOW)
    assert stopped is not None
    stopped = storage.sessions.apply_outcome(db, stopped, stop, NOW)
    assert stopped is not None and stopped.status == status(fourth) == "partial"
    start()
    assert status(fourth) == "partial"  # already closed: a new start leaves it be
