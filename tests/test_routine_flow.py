"""A runner does whole routines through the real bot; messages and rows are both checked."""

from __future__ import annotations

import json
import re

import pytest

from bot import services, views
from bot.sandbox import BotMessage, FakeUser
from tests.flows import changed, rate, state
from tests.i18n import translators


def is_card(message: BotMessage) -> bool:
    return "·" in message.plain and "Why:" in message.plain and "▶ Start" in message.labels


def first_text(message: BotMessage) -> str:
    """What a message said when it was sent (before any edit)."""
    return message.edits[0][0] if message.edits else message.text


async def choose(user: FakeUser, routine_label: str) -> BotMessage:
    """Pick a routine in the menu: the menu message turns into the first exercise's card."""
    user.send("/routine")
    menu = await user.expect("Pick a routine")
    user.press(routine_label, menu)
    card = await user.see(is_card)
    assert card.message_id == menu.message_id
    return card


async def finish_exercise(user: FakeUser, card: BotMessage, rating: str = "Just right") -> None:
    """From an exercise card, do every set as prescribed and rate it, acting on the newest
    message each time it changes (a tap edits it in place; a timer may send a new one)."""
    acted = state(user)
    user.press("Start", card)
    while True:
        msg = await changed(user, acted)
        acted = state(user)
        labels = msg.labels
        if "✓ Done" in labels or any(t.startswith("✓ All") for t in labels):
            user.press("✓", msg)
        elif any("Just right" in t for t in labels):
            await rate(user, msg, rating)
            return
        # timed steps (ready/hold/rest) move on by themselves at time scale 0


ROUTINES = [
    ("Full routine", "full", 12, ["rotations", "flexion", "ninety_ninety"]),
    ("Pre-run", "pre_run", 8, ["rotations", "flexion"]),
    ("Post-run", "post_run", 4, ["ninety_ninety"]),
    ("Quick", "quick", 6, ["rotations", "flexion", "ninety_ninety"]),
]


@pytest.mark.parametrize(("label", "routine", "n_sets", "exercises"), ROUTINES)
async def test_whole_routine_records_every_set(bot, label, routine, n_sets, exercises):
    user = bot.user()
    card = await choose(user, label)
    for i, _exercise in enumerate(exercises):
        if i:
            card = await user.see(is_card)
        await finish_exercise(user, card)
    summary = await user.see("complete!")
    assert summary.disable_notification  # the runner has just tapped: no ping
    assert f"Sets: {n_sets}/{n_sets}" in summary.plain
    assert "This week: 1 routine" in summary.plain

    [session] = bot.rows("SELECT * FROM sessions")
    assert (session["routine"], session["status"]) == (routine, "completed")
    assert session["ended_at"] is not None
    sets = bot.rows("SELECT * FROM sets ORDER BY id")
    assert len(sets) == n_sets
    assert [s["exercise"] for s in sets] == sorted(
        (s["exercise"] for s in sets), key=exercises.index
    )
    for s in sets:
        if s["exercise"] == "ninety_ninety":
            assert (s["target_seconds"], s["actual_seconds"]) == (30, 30)
        else:
            assert s["actual_reps"] == s["target_reps"] in (10, 15)
        assert s["side"] in ("right", "left")
        assert s["performed_at"].endswith("Z")
    feedback = bot.rows("SELECT exercise, rating FROM feedback")
    assert sorted(f["exercise"] for f in feedback) == sorted(exercises)
    assert {f["rating"] for f in feedback} == {"right"}
    # Old buttons are gone: every exercise's messages were deleted as it ended, so the
    # summary (with "Another routine") is all the bot left in the chat.
    await user.wait_until(lambda: [m for m in user.messages if not m.deleted] == [summary])
    assert len(user.messages) > len(exercises)


async def test_card_shows_the_exercise(bot):
    user = bot.user()
    card = await choose(user, "Full routine")
    text = card.plain
    for part in ("Hip rotations", "mobility", "Works: Hip flexors", "Why:", "How:", "Watch:"):
        assert part in text
    assert "Today: 2 × 10 each side, 30 s rest" in text
    # The card's buttons, then hip tightness 0-10 on two rows (a new runner has check-ins on).
    assert card.labels == ["▶ Start", "⏭ Skip", "■ Stop"] + [str(n) for n in range(11)]
    assert [len(row) for row in card.buttons] == [3, 6, 5]
    # The runner has just tapped the menu: the card is that message, edited in place.
    assert card.edit_count == 1 and "Pick a routine" in card.edits[0][0]
    assert len(user.messages) == 1


async def test_did_fewer_records_the_number_picked(bot):
    user = bot.user()
    card = await choose(user, "Quick")
    user.press("Start", card)
    prompt = await user.see("Set 1/1 · right side")
    user.press("Did fewer", prompt)
    await user.wait_until(lambda: "7" in prompt.labels)
    assert prompt.plain.startswith("Set 1/1 · right side")  # only the keyboard changed
    user.press("7", prompt)
    left = await user.see("Set 1/1 · left side")
    # The same live message moves on to the other side and keeps the tally.
    assert left is prompt and "Done: 7" in left.plain and "✓ Done" in left.labels
    assert [m.message_id for m in user.messages] == [card.message_id]
    [row] = bot.rows("SELECT actual_reps, target_reps, side FROM sets")
    assert row == {"actual_reps": 7, "target_reps": 10, "side": "right"}


async def test_stop_keeps_finished_sets_and_says_so(bot):
    user = bot.user()
    card = await choose(user, "Full routine")
    user.press("Start", card)
    prompt = await user.see("Set 1/2 · right side")
    user.press("Done", prompt)
    left = await user.see("Set 1/2 · left side")
    user.press("Stop", left)
    summary = await user.see("stopped")
    assert "Sets: 1/12" in summary.plain and "saved" in summary.plain
    assert summary.disable_notification
    [session] = bot.rows("SELECT status FROM sessions")
    assert session["status"] == "partial"
    assert len(bot.rows("SELECT * FROM sets")) == 1


async def test_skip_exercise_and_pain_are_recorded(bot):
    user = bot.user()
    card = await choose(user, "Full routine")
    user.press("Skip", card)
    card2 = await user.see(lambda m: is_card(m) and "Band hip flexion" in m.plain)
    user.press("Start", card2)
    confirm = await user.see("Did you get all 15?")
    user.press("Pain", confirm)
    card3 = await user.see(lambda m: is_card(m) and "Never push through pain" in m.plain)
    assert "90/90 stretch" in card3.plain  # the safety note rides on the next card
    user.press("Stop", card3)
    summary = await user.see("stopped")
    assert "Skipped: Hip rotations" in summary.plain
    assert "Pain reported: Band hip flexion" in summary.plain
    assert bot.rows("SELECT exercise, rating FROM feedback") == [
        {"exercise": "flexion", "rating": "pain"}
    ]
    skips = bot.rows("SELECT exercise, reason, set_no FROM skips ORDER BY id")
    assert skips[0] == {"exercise": "rotations", "reason": "skipped", "set_no": None}
    assert {(s["exercise"], s["reason"]) for s in skips[1:]} == {("flexion", "pain")}
    assert len(skips) == 1 + 4
    assert bot.rows("SELECT * FROM sets") == []


async def test_stale_and_foreign_buttons_change_nothing(bot):
    user = bot.user()
    card = await choose(user, "Quick")
    user.press("Start", card)
    prompt = await user.see("Set 1/1 · right side")
    done_data = next(d for row in prompt.buttons for t, d in row if t == "✓ Done")
    user.press("Done", prompt)
    await user.see("left side")
    # The same Done again (a double tap, or an old message): answered, nothing recorded.
    before = bot.snapshot()
    q = user.press_data(prompt.message_id, done_data)
    assert (await user.answer_for(q))[0] == "That step is over."
    assert len(bot.rows("SELECT * FROM sets")) == 1
    assert bot.snapshot() == before
    # Someone else's session id, garbage, and an unknown prefix.
    mallory = bot.user(2002, "Mallory")
    mallory.send("/start")
    hello = await mallory.expect("hip coach")
    q = mallory.press_data(hello.message_id, done_data.replace(":done", ":stop"))
    assert (await mallory.answer_for(q))[0] == "That isn't your session."
    for junk in ("r:x:y:z", "r:1", "zzz", "m:nope", "c:1:2:go"):
        q = mallory.press_data(hello.message_id, junk)
        answer = (await mallory.answer_for(q))[0]
        assert answer and len(answer) < 60
    [session] = bot.rows("SELECT status FROM sessions")
    assert session["status"] == "active"
    assert len(bot.rows("SELECT * FROM sets")) == 1


async def test_a_button_on_an_older_session_message_is_answered_for_free(bot):
    """A hold's end is a new message; the message before it keeps its (now stale) Pause.
    Tapping it gets only a callback answer: no edit, no new message, no row changed."""
    user = bot.user()
    card = await choose(user, "Post-run")
    user.press("Start", card)
    feel = await user.see("How did it feel?")  # the holds and rests run by themselves
    release = next(m for m in user.messages if "Release ✓ — switch sides" in first_text(m))
    older = user.messages[user.messages.index(release) - 1]
    assert older is card and "Hold" in older.plain and "⏸ Pause" in older.labels
    assert not release.disable_notification and not feel.disable_notification
    before, calls = bot.snapshot(), len(bot.api.requests)
    versions = older.edit_count, feel.edit_count
    q = user.press("Pause", older)
    assert await user.answer_for(q) == ("That step is over.", False)
    assert bot.snapshot() == before
    assert (older.edit_count, feel.edit_count) == versions and user.last is feel
    made = [r.method for r in bot.api.requests[calls:] if r.method != "getUpdates"]
    assert made == ["answerCallbackQuery"]
    # The session goes on as if nothing had happened.
    await rate(user, feel)
    summary = await user.see("complete!")
    assert "Sets: 4/4" in summary.plain


async def test_a_finished_exercises_messages_go_when_the_next_card_arrives(bot):
    user = bot.user()
    card = await choose(user, "Full routine")
    await finish_exercise(user, card)
    card2 = await user.see(is_card)
    assert "Band hip flexion" in card2.plain
    assert not card2.disable_notification  # a new exercise: a new, notifying message
    first = user.messages[:-1]  # the menu turned card turned tracker, then its later steps
    assert len(first) >= 2 and card in first
    await user.wait_until(lambda: all(m.deleted for m in first))
    [tidy] = [r for r in bot.api.requests if r.method == "deleteMessages"]
    ids = tidy.params["message_ids"]
    assert (json.loads(ids) if isinstance(ids, str) else ids) == [m.message_id for m in first]
    assert not card2.deleted and user.last is card2
    assert user.chat is not None and not user.chat.deleted_user_messages  # /routine stays
    # The running exercise's messages stay: its card (now the tracker) and what follows.
    user.press("Start", card2)
    confirm = await user.see("Did you get all 15?")  # a paced set's end: a new message
    assert confirm is not card2 and not card2.deleted and not confirm.deleted
    assert [r.method for r in bot.api.requests].count("deleteMessages") == 1
    assert [m for m in user.messages if not m.deleted] == [card2, confirm]
    assert [(s["exercise"], s["side"]) for s in bot.rows("SELECT * FROM sets ORDER BY id")] == [
        ("rotations", "right"),
        ("rotations", "left"),
        ("rotations", "right"),
        ("rotations", "left"),
    ]


async def test_finished_session_buttons_say_it_is_over(bot):
    user = bot.user()
    card = await choose(user, "Post-run")
    stop_data = next(d for row in card.buttons for t, d in row if "Stop" in t)
    user.press("Stop", card)
    await user.see("stopped")
    # A tap that crossed the tidy-up (the card is deleted once the session is over).
    q = user.press_data(card.message_id, stop_data)
    assert (await user.answer_for(q))[0] == "That session is over."
    [session] = bot.rows("SELECT status FROM sessions")
    assert session["status"] == "abandoned"


async def test_commands_garbage_and_media_get_short_answers(bot):
    user = bot.user()
    user.send("/start")
    welcome = await user.expect("hip coach")
    assert "Start a routine" in welcome.buttons[0][0][0]
    user.send("/help")
    help_msg = await user.expect("/routine")
    assert "Women's Running" in help_msg.plain
    user.send("/frobnicate now")
    await user.expect("don't know that command")
    user.send("asdf " * 2000)
    await user.expect("buttons and commands")
    user.send_sticker()
    await user.expect("only read text")
    user.send_photo()
    await user.expect("only read text")
    user.send("/cancel")
    await user.expect("Nothing to cancel")
    assert bot.rows("SELECT * FROM sessions") == []
    assert [r["id"] for r in bot.rows("SELECT id FROM users")] == [user.id]


async def test_group_chat_gets_one_note(bot):
    group = bot.api.group(-500, "Running club")
    member = group.member(bot.user(3003, "Grace"))
    member.send("/routine")
    member.send("/routine")
    await bot.api.wait_until(lambda: len(group.messages) >= 1)
    member.send("/start")  # a third update proves the second was handled silently
    await member.wait_until(lambda: bot.api.updates == [] and len(group.messages) == 1)
    assert "privately" in group.messages[0].plain
    assert bot.rows("SELECT chat_id FROM group_notices") == [{"chat_id": -500}]
    assert bot.rows("SELECT * FROM sessions") == []


async def test_command_menu_is_published(bot):
    from bot.views.commands import COMMANDS

    names = [c["command"] for c in next(iter(bot.api.commands.values()))]
    assert names == [name for name, _ in COMMANDS]
    assert names[0] == "routine" and {"help", "cancel"} <= set(names)
    assert "stats" not in names  # admin-only, not advertised


# --- in the runner's language --------------------------------------------------------------


def _plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


async def _press(user: FakeUser, label: str, message: BotMessage) -> str | None:
    """Tap the button labelled exactly `label`; the callback answer (toast) it got."""
    return (await user.answer_for(user.press(label, message, exact=True)))[0]


async def test_a_spanish_runner_does_a_whole_routine_in_spanish(bot):
    es = translators()["es"]
    english = translators()["en"].content
    user = bot.api.user(4004, "Lucía", language_code="es-MX")
    user.send("/start")
    welcome = await user.expect(lambda m: bool(m.buttons))
    assert es._("Hi {name}! 👋 I'm your hip coach.", name="Lucía") in welcome.plain
    await _press(user, es._("▶ Start a routine"), welcome)
    menu = await user.expect(_plain(es._("<b>Pick a routine</b>")))
    assert all(r.name in menu.plain for r in es.content.routines.values())
    quick = es.content.routine("quick")
    user.press(quick.name, menu)
    answers = []
    start = es._("▶ Start")
    for exercise_id in quick.exercises:
        exercise = es.content.exercise(exercise_id)
        card = await user.see(lambda m, n=exercise.name: n in m.plain and start in m.labels)
        assert exercise.technique[0] in card.plain and exercise.watch[0] in card.plain
        assert es.msg(views.session.CATEGORIES[exercise.category]) in card.plain
        assert card.labels[:3] == [start, es._("⏭ Skip"), es._("■ Stop")]
        await _press(user, start, card)
        if exercise.dose.kind != "hold":  # a hold runs by itself at time scale 0
            done = (
                es.n_("✓ All {n}", "✓ All {n}", exercise.dose.reps or 0)
                if exercise.dose.kind == "paced"
                else es._("✓ Done")
            )
            for side in exercise.dose.side_list():
                said = views.session.side_text(es, side)
                prompt = await user.see(lambda m, d=done, s=said: d in m.labels and s in m.plain)
                assert views.session.target_text(es, exercise.dose) in prompt.plain
                answers.append(await _press(user, done, prompt))
        feel = es._("✓ <b>{exercise}</b> done. How did it feel?", exercise=exercise.name)
        rate = await user.see(_plain(feel))
        answers.append(await _press(user, es.msg(views.session.RATING_LABELS["right"]), rate))
        # A new runner's first sessions ask one watch-point question, in the same message.
        await user.wait_until(lambda r=rate: es._("👍 Yes") in r.labels)
        assert exercise.questions[0] in rate.plain
        answers.append(await _press(user, es._("👍 Yes"), rate))
    complete = es._("🎉 <b>{routine} complete!</b>", routine=quick.name)
    summary = await user.see(_plain(complete))
    week = es.n_("This week: {n} routine done 💪", "This week: {n} routines done 💪", 1)
    assert week in summary.plain
    assert summary.labels == [str(n) for n in range(11)] + [es._("🔁 Another routine")]
    saved, thanks, nice = (
        es.msg(services.session.ANSWERS[n]) for n in ("set_done", "asked", "check_yes")
    )
    assert answers == [saved, saved, thanks, nice] * 2 + [thanks, nice]
    # Hip tightness after the session, in Spanish too.
    answers.append(await _press(user, "3", summary))
    await user.wait_until(lambda: summary.labels == [es._("🔁 Another routine")])
    assert es._("📏 Hip tightness: {value}/10 ✓", value=3) in summary.plain
    # Not a word of the English content reached this runner, in any version of a message.
    everything = "\n".join(
        [m.plain for m in user.messages]
        + [_plain(text) for m in user.messages for text, _ in m.edits]
    )
    for exercise in english.exercises.values():
        assert exercise.name not in everything and exercise.dose.cue not in everything
    [session] = bot.rows("SELECT routine, status, tight_before, tight_after FROM sessions")
    assert session == {
        "routine": "quick",
        "status": "completed",
        "tight_before": None,
        "tight_after": 3,
    }
    assert len(bot.rows("SELECT * FROM sets")) == 6
    assert {r["rating"] for r in bot.rows("SELECT rating FROM feedback")} == {"right"}
    assert [r["answer"] for r in bot.rows("SELECT answer FROM watch_answers")] == ["yes"] * 3


async def test_a_session_continues_in_the_language_the_runner_switches_to(bot):
    ru, es = translators()["ru"], translators()["es"]
    user = bot.api.user(5005, "Оля", language_code="ru")
    user.send("/routine")
    menu = await user.expect(_plain(ru._("<b>Pick a routine</b>")))
    user.press(ru.content.routine("full").name, menu)
    rotations_ru, rotations_es = (t.content.exercise("rotations") for t in (ru, es))
    ru_done, es_done = ru._("✓ Done"), es._("✓ Done")
    card = await user.see(lambda m: rotations_ru.name in m.plain and ru._("▶ Start") in m.labels)
    await _press(user, ru._("▶ Start"), card)
    right_side, left_side = (views.session.side_text(ru, s) for s in ("right", "left"))
    right = await user.see(lambda m: ru_done in m.labels and right_side in m.plain)
    assert views.session.target_text(ru, rotations_ru.dose) in right.plain
    assert await _press(user, ru_done, right) == ru.msg(services.session.ANSWERS["set_done"])
    left = await user.see(lambda m: ru_done in m.labels and left_side in m.plain)
    assert left is right  # a tap moves the live message on in place

    user.send("/language")
    picker = await user.expect(lambda m: "Español" in m.labels)
    await _press(user, "Español", picker)
    # The same session goes on, now worded in Spanish: the answer to the (Russian) button
    # already on screen, the rest it turns into and the set after the rest (time scale 0).
    saved = es.msg(services.session.ANSWERS["set_done"])
    assert await _press(user, ru_done, left) == saved
    second = await user.see(lambda m: es_done in m.labels)
    assert second is not left and not second.disable_notification  # the rest is over: a ping
    assert views.session.target_text(es, rotations_es.dose) in second.plain
    assert views.session.side_text(es, "right") in second.plain
    assert rotations_ru.dose.cue not in second.plain
    # The old live message was redrawn in Spanish as the rest, and is then left alone; its
    # buttons answer in Spanish that the step is over.
    assert es._("Set {set_no} done ✓", set_no=1) in left.plain
    assert _plain(views.session.done_text(es, [(10, None), (10, None)])) in left.plain
    stale = await _press(user, es._("⏸ Pause"), left)
    assert stale == es.msg(services.session.STEP_OVER)
    user.send("/cancel")
    stopped = es._("■ <b>{routine} stopped.</b>", routine=es.content.routine("full").name)
    summary = await user.see(_plain(stopped))
    assert es._("Every finished set is saved.") in summary.plain

    [session] = bot.rows("SELECT routine, status FROM sessions")
    assert session == {"routine": "full", "status": "partial"}
    assert [(s["exercise"], s["side"]) for s in bot.rows("SELECT * FROM sets ORDER BY id")] == [
        ("rotations", "right"),
        ("rotations", "left"),
    ]
    assert bot.rows("SELECT language FROM users WHERE id = 5005") == [{"language": "es"}]
