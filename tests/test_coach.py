"""The adaptive coach end to end: ladders move on what the runner reports, pain pauses an
exercise, check-ins are kept and shown, and sessions fit the time there is. Every test acts
as a runner against the fake Bot API and then checks messages and rows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import services
from bot.core.content import load_catalogue
from bot.core.dosing import SessionPlan
from bot.core.engine import Walkthrough
from bot.sandbox import BotMessage, FakeUser
from bot.sandbox.html_check import to_plain
from bot.views.base import OLD_BUTTON, OUT_OF_DATE
from tests.conftest import MON_0600
from tests.flows import carry_on, changed, rate, routine, state

CAT = load_catalogue()
EASY = {"Hip rotations": "Easy"}


@pytest.fixture
async def bot(harness):
    """Time scale 0, and a runner who taps as fast as the bot answers (no flood guard)."""
    await harness.start()
    harness.app.update_processor.burst = 1_000_000
    return harness


def plans(h) -> list[SessionPlan]:
    return [
        SessionPlan.from_json(r["plan"]) for r in h.rows("SELECT plan FROM sessions ORDER BY id")
    ]


def versions(message: BotMessage) -> list[str]:
    """Every text the runner saw in a message: a card is edited into the live tracker."""
    return [to_plain(text, message.parse_mode) for text, _ in message.edits] + [message.plain]


def ever(user: FakeUser, needle: str) -> list[BotMessage]:
    """The messages that read `needle` at some point (edited or deleted since)."""
    return [m for m in user.messages if any(needle in text for text in versions(m))]


async def card_of(user: FakeUser, exercise: str) -> BotMessage:
    """Wait for an exercise's card: the menu tapped (or the last one) turns into it."""
    return await user.see(lambda m: exercise in m.plain and "Why:" in m.plain)


async def tap(user: FakeUser, label: str, message: BotMessage, *, exact: bool = False) -> None:
    """Press a button and wait until the chat moves on (an edit in place, or a new message)."""
    before = state(user)
    user.press(label, message, exact=exact)
    await changed(user, before)


def changes(h) -> list[dict]:
    return h.rows(
        "SELECT exercise, step_from, step_to, paused, reason, session_id FROM ladder_changes "
        "ORDER BY id"
    )


async def test_three_easy_sessions_offer_a_step_up_that_changes_the_next_dose(bot):
    user = bot.user()
    for _ in range(3):
        summary = await routine(user, "Pre-run", EASY)
        assert "complete!" in summary.plain
    assert [p.get("rotations").offer for p in plans(bot)] == [None, None, None]

    user.send("/routine")
    user.press("Pre-run", await user.expect("Pick a routine"))
    card = await card_of(user, "Hip rotations")
    assert (
        "Easy three times in a row!" in card.plain and "Step up to 2 × 12 each side" in card.plain
    )
    assert card.labels[:4] == ["⬆ Step up", "▶ Keep", "⏭ Skip", "■ Stop"]
    user.press("Step up", card)
    first = await user.see("Set 1/2 · right side")
    assert "12 slow hip circles" in first.plain
    await tap(user, "✓ Done", first)
    await carry_on(user)

    [change] = changes(bot)
    session_id = bot.rows("SELECT max(id) AS id FROM sessions")[0]["id"]
    assert change == {
        "exercise": "rotations", "step_from": 1, "step_to": 2, "paused": 0, "reason": "easy",
        "session_id": session_id,
    }  # fmt: skip
    rows = bot.rows("SELECT target_reps, actual_reps FROM sets WHERE session_id = ? "
                    "AND exercise = 'rotations'", (session_id,))  # fmt: skip
    assert rows == [{"target_reps": 12, "actual_reps": 12}] * 4
    stored = plans(bot)[-1].get("rotations")
    assert (stored.step, stored.reps, stored.offer) == (2, 12, None)

    # The next session starts at the new step and offers nothing more for now.
    await routine(user, "Pre-run")
    assert (plans(bot)[-1].get("rotations").reps, plans(bot)[-1].get("rotations").offer) == (
        12,
        None,
    )
    # /progress shows the new step and why it changed.
    user.send("/progress")
    report = await user.expect(lambda m: "Your doses" in m.plain)
    assert "Rotations · level 2 of 3: 2 × 12 each side" in report.plain
    assert "stepped up after 3 easy sessions on" in report.plain


async def test_keeping_the_dose_is_recorded_and_asks_again_only_after_three_more(bot):
    user = bot.user()
    for _ in range(3):
        await routine(user, "Pre-run", EASY)
    await routine(user, "Pre-run", EASY, card="Keep")
    assert [(c["reason"], c["step_to"]) for c in changes(bot)] == [("kept", 1)]
    assert plans(bot)[-1].get("rotations").reps == 10
    await routine(user, "Pre-run", EASY)  # one easy session since keeping: no offer
    assert plans(bot)[-1].get("rotations").offer is None


async def test_two_hard_sessions_offer_a_step_down(bot):
    user = bot.user()
    for _ in range(2):
        await routine(user, "Pre-run", {"Band hip flexion": "Hard"})
    await routine(user, "Pre-run", card="Ease back")
    [card] = ever(user, "Hard twice in a row.")
    [offer] = [text for text in versions(card) if "Hard twice in a row." in text]
    assert "Band hip flexion" in offer and "Ease back to 1 × 10 each side" in offer
    assert [(c["exercise"], c["step_to"], c["reason"]) for c in changes(bot)] == [
        ("flexion", 0, "hard")
    ]
    third = bot.rows("SELECT target_reps FROM sets WHERE exercise = 'flexion' AND session_id = 3")
    assert third == [{"target_reps": 10}] * 2  # the gentle step: one set a side


async def test_pain_twice_in_two_weeks_pauses_the_exercise_until_brought_back(bot):
    user = bot.user()
    first = await routine(user, "Post-run", {"90/90": "Pain"})
    assert "Stop that exercise" in first.plain  # the safety note

    # Next time, the card opens with the safety note and offers the gentlest step or a skip.
    user.send("/routine")
    user.press("Post-run", await user.expect("Pick a routine"))
    card = await card_of(user, "90/90")
    assert "This hurt last time." in card.plain and "1 × 20 s hold each side" in card.plain
    assert card.labels[:3] == ["🌱 Go gently", "⏭ Skip today", "■ Stop"]
    await tap(user, "Go gently", card)
    second = await carry_on(user, {"90/90": "Pain"})
    assert "pain twice in two weeks" in second.plain and "physiotherapist" in second.plain
    assert [(c["reason"], c["step_to"], c["paused"]) for c in changes(bot)] == [
        ("pain", 0, 0),
        ("paused", 0, 1),
    ]
    assert (
        bot.rows("SELECT target_seconds FROM sets WHERE session_id = 2")
        == [{"target_seconds": 20}] * 2
    )

    # Left out of routines: the post-run stretch has nothing left, the full one skips it.
    user.send("/routine")
    menu = await user.expect("Pick a routine")
    assert "Post-run" not in menu.plain
    user.press("Full", menu)
    await carry_on(user)
    assert plans(bot)[-1].ids == ("rotations", "flexion")
    # The menu became the first card: nothing that session showed mentions 90/90.
    later = user.messages[user.messages.index(menu) + 1 :]
    shown = versions(menu)[1:] + [text for m in later for text in versions(m)]
    assert not [text for text in shown if "90/90" in text]

    # Brought back (in /settings): it returns at the gentlest step.
    assert services.coach.resume(bot.services, 1001, "ninety_ninety")
    await routine(user, "Post-run")
    planned = plans(bot)[-1].get("ninety_ninety")
    assert (planned.step, planned.hold_seconds) == (0, 20)


async def test_skipping_after_pain_is_recorded_and_the_care_stays_until_a_gentle_try(bot):
    user = bot.user()
    await routine(user, "Post-run", {"90/90": "Pain"})
    user.send("/routine")
    user.press("Post-run", await user.expect("Pick a routine"))
    user.press("Skip today", await user.see("This hurt last time."))
    await user.expect("complete!")
    assert [c["reason"] for c in changes(bot)] == ["pain_skip"]
    # Skipping is no try: the next card still opens with the care, until a gentle go.
    await routine(user, "Post-run", card="Go gently")
    assert len(ever(user, "This hurt last time.")) == 2
    assert [c["reason"] for c in changes(bot)] == ["pain_skip", "pain"]
    await routine(user, "Post-run")
    assert plans(bot)[-1].get("ninety_ninety").offer is None


async def test_tightness_check_ins_are_stored_and_shown(bot):
    user = bot.user()
    user.send("/routine")
    user.press("Post-run", await user.expect("Pick a routine"))
    card = await card_of(user, "90/90")
    assert "How tight do your hips feel?" in card.plain
    user.press("6", card, exact=True)
    await user.wait_until(lambda: "Hip tightness: 6/10 ✓" in card.plain)
    assert card.labels == ["▶ Start", "⏭ Skip", "■ Stop"]
    assert bot.rows("SELECT tight_before FROM sessions") == [{"tight_before": 6}]
    await tap(user, "Start", card)
    summary = await carry_on(user)
    assert "How tight do your hips feel now?" in summary.plain
    user.press("3", summary, exact=True)
    await user.wait_until(lambda: "Hip tightness: 6 → 3 (−3) 🎉" in summary.plain)
    assert summary.labels == ["🔁 Another routine"]
    assert bot.rows("SELECT tight_before, tight_after FROM sessions") == [
        {"tight_before": 6, "tight_after": 3}
    ]


async def test_check_ins_can_be_turned_off_and_forged_taps_change_nothing(bot):
    user, other = bot.user(), bot.user(2002, "Bo")
    user.send("/routine")
    user.press("Post-run", await user.expect("Pick a routine"))
    card = await card_of(user, "90/90")
    before = bot.snapshot()
    known = {OLD_BUTTON.id, OUT_OF_DATE.id, services.session.NOT_YOURS.id}
    for data in ("k:1:b:11", "k:1:b:-1", "k:1:x:3", "k:1:a:3", "k:99:b:3", "k:1:b:²"):
        answer, _ = await user.answer_for(user.press_data(card.message_id, data))
        assert answer in known, (data, answer)
    assert bot.snapshot() == before
    other.send("/start")
    welcome = await other.expect("hip coach")
    before = bot.snapshot()  # another runner forges a tap on Ada's session, from his chat
    answer, _ = await other.answer_for(other.press_data(welcome.message_id, "k:1:b:3"))
    assert answer == "That isn't your session."
    assert bot.snapshot() == before

    user.send("/cancel")
    await user.expect("stopped")
    user.send("/settings")  # check-ins off, with the button
    listing = await user.expect("Your settings")
    user.press("Turn check-ins off", listing)
    await user.wait_until(lambda: "Tightness check-ins: off" in listing.plain)
    assert bot.rows("SELECT checkins FROM users WHERE id = 1001") == [{"checkins": 0}]
    user.send("/routine")
    user.press("Post-run", await user.expect("Pick a routine"))
    card = await card_of(user, "90/90")
    assert "How tight" not in card.plain and card.labels == ["▶ Start", "⏭ Skip", "■ Stop"]


async def test_not_quite_puts_the_point_first_next_time_and_asks_again(bot):
    user = bot.user()
    await routine(user, "Post-run", answer="Not quite")
    [answer] = bot.rows("SELECT exercise, point, answer FROM watch_answers")
    assert answer == {"exercise": "ninety_ninety", "point": 0, "answer": "not_quite"}
    user.send("/routine")
    user.press("Post-run", await user.expect("Pick a routine"))
    card = await card_of(user, "90/90")
    point = CAT.exercise("ninety_ninety").watch[0]
    assert card.plain.startswith(f"🎯 Focus today: {point}")
    user.press("Start", card)
    feel = await user.see("How did it feel?")
    await rate(user, feel, answer="Yes")
    await user.expect("complete!")
    assert [r["answer"] for r in bot.rows("SELECT answer FROM watch_answers ORDER BY id")] == [
        "not_quite", "yes",
    ]  # fmt: skip
    await routine(user, "Post-run")
    assert plans(bot)[-1].get("ninety_ninety").focus is None


@pytest.mark.parametrize("minutes", [5, 3, 8])
async def test_routine_5_fits_in_five_minutes_by_the_engine_estimate(bot, minutes):
    user = bot.user()
    user.send(f"/routine {minutes}")
    preview = await user.expect("⏱")
    assert preview.labels == ["▶ Start"]
    user.press("Start", preview)
    await carry_on(user)
    [plan] = plans(bot)
    seconds = Walkthrough(CAT, plan).seconds()
    shortest = 212  # one set a side, get-ready 3 s, reps and holds halved: cards included
    assert seconds <= max(minutes * 60, shortest)
    assert plan.ids == ("rotations", "flexion", "ninety_ninety")
    # The preview became the first card: it said so before.
    assert f"about {max(1, round(seconds / 60))} min" in versions(preview)[0]
    sets = bot.rows("SELECT exercise, side FROM sets")
    for exercise in plan.ids:  # every exercise kept at least a set on each side
        assert {s["side"] for s in sets if s["exercise"] == exercise} == {"right", "left"}


async def test_routine_with_bad_minutes_gets_one_line_and_changes_nothing(bot):
    user = bot.user()
    user.send("/start")
    await user.expect("hip coach")
    before = bot.snapshot()
    for text in (
        "/routine 0",
        "/routine 121",
        "/routine abc",
        "/routine ²",
        "/routine 99999999999999999999",
    ):
        user.send(text)
        answer = await user.expect("/routine 5")
        assert not answer.buttons
    assert bot.snapshot() == before


async def test_start_warm_up_fits_the_minutes_left_before_the_run(harness):
    await harness.start_at(MON_0600)
    harness.app.update_processor.burst = 1_000_000
    user = harness.user()
    user.send("/plan today 07:00")
    await user.expect("planned")
    # The bot was down: the reminder comes late, 4 minutes before the run.
    assert await harness.move_to(MON_0600 + timedelta(minutes=56)) == 1
    reminder = await user.expect("Run at")
    user.press("Start warm-up", reminder)
    card = await user.expect("Hip rotations")
    [plan] = plans(harness)
    seconds = Walkthrough(CAT, plan).seconds()
    assert seconds <= 4 * 60 and f"Trimmed to about {round(seconds / 60)} min." in card.plain


async def test_start_warm_up_after_the_run_began_is_the_whole_warm_up(harness):
    await harness.start_at(MON_0600)
    user = harness.user()
    user.send("/plan today 07:00")
    await user.expect("planned")
    assert await harness.move_to(MON_0600 + timedelta(minutes=30)) == 1
    reminder = await user.expect("Run at")
    harness.clock.set(MON_0600 + timedelta(minutes=65))  # tapped once the run has begun
    user.press("Start warm-up", reminder)
    card = await user.expect("Hip rotations")
    assert "Trimmed" not in card.plain
    [plan] = plans(harness)
    assert plan.minutes is None and all(e.full for e in plan.exercises)


async def test_the_coach_rows_are_in_export_and_go_with_deleteme(bot):
    from tests.test_privacy import unzip

    user = bot.user()
    await routine(user, "Post-run", {"90/90": "Pain"})  # no question after pain
    user.send("/routine")
    user.press("Post-run", await user.expect("Pick a routine"))
    card = await user.see("This hurt last time.")
    user.press("7", card, exact=True)
    await user.wait_until(lambda: "7/10" in card.plain)
    await tap(user, "Go gently", card)
    summary = await carry_on(user)
    user.press("4", summary, exact=True)
    await user.wait_until(lambda: "7 → 4" in summary.plain)

    user.send("/export")
    _, _, data = unzip(await user.expect(lambda m: m.kind == "document"))
    assert [(c["reason"], c["step_to"]) for c in data["ladder_changes"]] == [("pain", 0)]
    assert [a["answer"] for a in data["watch_answers"]] == ["yes"]
    last = data["sessions"][-1]
    assert (last["tight_before"], last["tight_after"]) == (7, 4)
    assert SessionPlan.from_json(last["plan"]).get("ninety_ninety").step == 0
    assert {"checkins", "questions", "weekly_note", "weekly_day", "weekly_time"} <= set(
        data["settings"]
    )

    user.send("/deleteme")
    prompt = await user.expect("Delete all your data?")
    user.press("Yes, delete all my data", prompt)
    await user.wait_until(lambda: "deleted everything" in prompt.plain)
    for table in ("ladder_changes", "watch_answers", "sessions", "reminders", "users"):
        assert bot.rows(f"SELECT * FROM {table}") == [], table


async def test_the_physio_note_stays_when_the_summary_is_redrawn_with_tightness(bot):
    user = bot.user()
    await routine(user, "Post-run", {"90/90": "Pain"})
    summary = await routine(user, "Post-run", {"90/90": "Pain"}, card="Go gently")
    assert "physiotherapist" in summary.plain
    user.press("5", summary, exact=True)
    await user.wait_until(lambda: "Hip tightness: 5/10 ✓" in summary.plain)
    assert "physiotherapist" in summary.plain


async def test_routine_minutes_in_the_runners_words(bot):
    user = bot.user()
    for text in ("/routine 5 minutos", "/routine 5 мин", "/routine 5m"):
        user.send(text)
        preview = await user.expect("⏱")
        assert preview.labels == ["▶ Start"]


async def test_sets_cut_short_twice_offer_a_step_down_for_that_reason(bot):
    user = bot.user()
    for _ in range(2):  # one rotations set cut short (7 of 10), rated just right
        user.send("/routine")
        user.press("Pre-run", await user.expect("Pick a routine"))
        user.press("Start", await card_of(user, "Hip rotations"))
        prompt = await user.see("Set 1/2 · right side")
        user.press("Did fewer", prompt)
        await user.wait_until(lambda p=prompt: "7" in p.labels)
        await tap(user, "7", prompt, exact=True)
        await carry_on(user)
    await routine(user, "Pre-run", card="Ease back")
    [card] = ever(user, "came up short")
    assert any(
        "Sets came up short twice in a row. Ease back to 1 × 10 each side?" in text
        for text in versions(card)
    )
    assert [(c["exercise"], c["step_to"], c["reason"]) for c in changes(bot)] == [
        ("rotations", 0, "short")
    ]
    third = bot.rows("SELECT target_reps FROM sets WHERE exercise = 'rotations' AND session_id = 3")
    assert third == [{"target_reps": 10}] * 2  # one set a side


async def test_check_in_values_reach_progress(bot):
    user = bot.user()
    for before, after in ((7, 4), (6, 4)):
        user.send("/routine")
        user.press("Post-run", await user.expect("Pick a routine"))
        card = await card_of(user, "90/90")
        user.press(str(before), card, exact=True)
        await user.wait_until(lambda c=card, b=before: f"{b}/10 ✓" in c.plain)
        await tap(user, "Start", card)
        summary = await carry_on(user)
        user.press(str(after), summary, exact=True)
        await user.wait_until(lambda s=summary: "→" in s.plain)
    assert bot.rows("SELECT tight_before, tight_after FROM sessions ORDER BY id") == [
        {"tight_before": 7, "tight_after": 4},
        {"tight_before": 6, "tight_after": 4},
    ]
    user.send("/progress")
    report = await user.expect(lambda m: "Hip tightness" in m.plain)
    assert "−2.5 per session (2 sessions)" in report.plain
    assert report.kind == "photo"  # the chart, with its tightness panel
