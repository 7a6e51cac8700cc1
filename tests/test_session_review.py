"""Regressions from the issue-15 review: a hold's buttons still work when the edit that
ended its get-ready gave way; the summary keeps an earlier pain or physio note; a 'continue?'
prompt goes with the routine's messages."""

from __future__ import annotations

from tests.flows import carry_on, routine
from tests.test_timers import start_post_run


async def test_pain_on_a_hold_whose_get_ready_edit_was_dropped(harness):
    harness.reconfigure(time_scale=0.5)  # get-ready 2.5 s, hold 15 s
    await harness.start()
    user = harness.user()
    live = await start_post_run(user)
    # The edit that would turn "Get in position" into "Hold" fails, as a dropped one does.
    harness.api.inject_fault("editMessageText", status=400, description="Bad Request: gone")
    await user.wait_until(
        lambda: harness.rows("SELECT phase FROM sessions")[0]["phase"] == "work", timeout=10
    )
    assert "Get in position" in live.plain  # still the get-ready's text and buttons
    query = user.press("Pain", live)
    answer, _ = await user.answer_for(query)
    assert answer == "Noted. Take care."
    summary = await user.see("Pain reported: 90/90 stretch")
    assert "Never push through pain" in summary.plain
    assert harness.rows("SELECT exercise, rating FROM feedback") == [
        {"exercise": "ninety_ninety", "rating": "pain"}
    ]
    assert harness.rows("SELECT status FROM sessions")[0]["status"] == "completed"


async def test_the_summary_keeps_the_physio_note_after_its_card_is_deleted(bot):
    user = bot.user()
    for start in ("Start", "Go gently"):  # pain on the hip rotations twice: it pauses them
        user.send("/routine")
        user.press("Pre-run", await user.expect("Pick a routine"))
        user.press(start, await user.see("Why:"))
        user.press("Pain", await user.see("· right side ·"))
        card = await user.see("Band hip flexion")
        user.press("Stop", card)
        summary = await user.see("stopped")
    assert card.deleted
    assert "physiotherapist" in summary.plain and "Pain reported: Hip rotations" in summary.plain


async def test_a_continue_prompt_goes_with_the_routines_messages(bot):
    user = bot.user()
    user.send("/routine")
    user.press("Post-run", await user.expect("Pick a routine"))
    card = await user.see("Why:")
    user.send("/routine")  # mid-routine: the bot offers to continue
    prompt = await user.expect("You have a routine in progress")
    user.press("Start", card)  # ... but the runner carries on where they were
    summary = await carry_on(user)
    assert "complete!" in summary.plain
    await user.wait_until(lambda: prompt.deleted)
    visible = [m for m in user.messages if not m.deleted]
    assert visible == [summary]


async def test_routine_still_runs_end_to_end(bot):
    summary = await routine(bot.user(), "Quick")
    assert "complete!" in summary.plain
