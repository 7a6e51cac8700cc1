"""Reporting sets through the real bot: shortcuts, the button flow, backdating, undo,
/progress with its chart, and /history, in English, Spanish and Russian. Messages and rows
are both checked."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from bot import services, views
from bot.core.clock import ManualClock, to_db
from bot.core.language import LANGUAGES
from bot.core.reports import Report, SavedReport, parse_day, vocabulary
from bot.core.text import N_
from bot.sandbox import FakeUser
from bot.sandbox.html_check import parse_html
from bot.services.progress import PROGRESS_COOLDOWN_SECONDS
from tests.i18n import translators
from tests.tagged import tag_languages, tagged
from tests.test_progress import png_size

# A Wednesday morning; the runner's zone stays UTC unless a test sets another.
NOW = datetime(2025, 5, 14, 9, 30, tzinfo=UTC)


@pytest.fixture
async def clocked(harness):
    harness.clock = ManualClock(NOW)
    await harness.start()
    return harness


def log_rows(h, user_id: int = 1001):
    return h.rows("SELECT * FROM log_entries WHERE user_id = ? ORDER BY id", (user_id,))


def set_rows(h, user_id: int = 1001):
    return h.rows("SELECT * FROM sets WHERE user_id = ? ORDER BY id", (user_id,))


async def log(user: FakeUser, text: str, expect: str = "Logged"):
    user.send(text)
    return await user.expect(expect)


# --- text shortcuts ------------------------------------------------------------------------


async def test_shortcut_logs_both_sides_as_sets(clocked):
    user = clocked.user()
    msg = await log(user, "/log rotations 2x10")
    assert "Hip rotations · 2 × 10 each side · today" in msg.plain
    assert "/undo" in msg.plain
    [entry] = log_rows(clocked)
    assert (entry["exercise"], entry["side"], entry["sets"], entry["reps"]) == (
        "rotations",
        "both",
        2,
        10,
    )
    assert entry["day"] == "2025-05-14" and entry["performed_at"] == to_db(NOW)
    sets = set_rows(clocked)
    assert [(s["side"], s["set_no"]) for s in sets] == [
        ("right", 1),
        ("right", 2),
        ("left", 1),
        ("left", 2),
    ]
    for s in sets:
        assert s["source"] == "log" and s["session_id"] is None and s["log_id"] == entry["id"]
        assert (s["target_reps"], s["actual_reps"], s["actual_seconds"]) == (10, 10, None)
        assert s["performed_at"] == to_db(NOW)


@pytest.mark.parametrize(
    ("text", "exercise", "side", "rows", "reps", "seconds"),
    [
        ("/log flexion 2x15 left", "flexion", "left", 2, 15, None),
        ("/log 90/90 2x30s", "ninety_ninety", "both", 4, None, 30),
        ("/log band 1x12 right", "flexion", "right", 1, 12, None),
        ("/log Hip Circles 3 x 8", "rotations", "both", 6, 8, None),
    ],
)
async def test_shortcut_forms(clocked, text, exercise, side, rows, reps, seconds):
    user = clocked.user()
    await log(user, text)
    [entry] = log_rows(clocked)
    assert (entry["exercise"], entry["side"]) == (exercise, side)
    sets = set_rows(clocked)
    assert len(sets) == rows
    assert {(s["actual_reps"], s["actual_seconds"]) for s in sets} == {(reps, seconds)}
    if seconds:
        assert {s["target_seconds"] for s in sets} == {30}


async def test_shortcut_backdates_to_yesterday_in_the_users_zone(clocked):
    # 23:30 UTC on the 14th is already the 15th in Auckland: "yesterday" is the 14th there.
    clocked.clock.set(datetime(2025, 5, 14, 23, 30, tzinfo=UTC))
    user = clocked.user()
    user.send("/start")
    await user.expect("hip coach")
    clocked.services.db.execute("UPDATE users SET tz = 'Pacific/Auckland' WHERE id = ?", [user.id])
    msg = await log(user, "/log yesterday flexion 1x12")
    assert "yesterday" in msg.plain
    [entry] = log_rows(clocked)
    assert entry["day"] == "2025-05-14"
    # Stored at local noon of that day, in UTC (Auckland is UTC+12 in May).
    assert entry["performed_at"] == to_db(datetime(2025, 5, 14, 0, 0, tzinfo=UTC))
    assert {s["performed_at"] for s in set_rows(clocked)} == {entry["performed_at"]}


@pytest.mark.parametrize(
    "text",
    ["/log banana 2x10", "/log rotations", "/log rotations 2x30s", "/log tomorrow rotations 1x5"],
)
async def test_unparseable_shortcut_shows_the_forms_and_saves_nothing(clocked, text):
    user = clocked.user()
    user.send(text)
    msg = await user.expect("Try /log rotations 2x10")
    assert "\n" not in msg.plain, "one line"
    assert "/log 90/90 2x30s" in msg.plain
    assert log_rows(clocked) == [] and set_rows(clocked) == []


# --- the button flow -----------------------------------------------------------------------


async def test_button_flow_with_backdating(clocked):
    user = clocked.user()
    user.send("/log")
    picker = await user.expect("which exercise?")
    user.press("Band hip flexion", picker)
    await user.wait_until(lambda: "which side?" in picker.plain)
    user.press("Right", picker)
    await user.wait_until(lambda: "How many sets?" in picker.plain)
    user.press("2", picker)
    await user.wait_until(lambda: "How many reps" in picker.plain)
    user.press("12", picker)
    await user.wait_until(lambda: "When?" in picker.plain)
    assert "2 × 12 right side" in picker.plain
    user.press("Yesterday", picker)
    await user.wait_until(lambda: "Logged" in picker.plain)
    assert "Band hip flexion and hold · 2 × 12 right side · yesterday" in picker.plain
    assert not picker.buttons
    [entry] = log_rows(clocked)
    assert (entry["exercise"], entry["side"], entry["sets"], entry["reps"], entry["day"]) == (
        "flexion",
        "right",
        2,
        12,
        "2025-05-13",
    )
    assert entry["performed_at"] == to_db(datetime(2025, 5, 13, 12, 0, tzinfo=UTC))
    assert len(set_rows(clocked)) == 2


async def test_button_flow_typed_amount_and_date(clocked):
    user = clocked.user()
    user.send("/log")
    picker = await user.expect("which exercise?")
    user.press("90/90 stretch", picker)
    await user.wait_until(lambda: "which side?" in picker.plain)
    user.press("Both sides", picker)
    await user.wait_until(lambda: "How many sets?" in picker.plain)
    user.press("1", picker)
    await user.wait_until(lambda: "How many seconds" in picker.plain)
    user.send("lots")
    await user.expect("Send one number")
    user.send("40")
    when = await user.expect("When?")
    assert not picker.buttons, "the old step lost its buttons"
    user.send("next year")
    await user.expect("couldn't read that date")
    user.send("3 may")
    await user.expect("Logged")
    [entry] = log_rows(clocked)
    assert (entry["seconds"], entry["day"], entry["side"]) == (40, "2025-05-03", "both")
    assert {s["actual_seconds"] for s in set_rows(clocked)} == {40}
    assert not when.buttons


async def test_cancel_leaves_the_flow_and_saves_nothing(clocked):
    user = clocked.user()
    user.send("/log")
    picker = await user.expect("which exercise?")
    user.press("Hip rotations", picker)
    await user.wait_until(lambda: "which side?" in picker.plain)
    user.send("/cancel")
    await user.expect("Logging cancelled")
    assert not picker.buttons
    assert log_rows(clocked) == []
    # The routine's /cancel did not answer as well.
    assert not any("Nothing to cancel" in m.plain for m in user.messages)
    # Out of the flow, typed text gets the usual answer again.
    user.send("12")
    await user.expect("I work with buttons")


async def test_cancel_button_and_stale_buttons(clocked):
    user = clocked.user()
    user.send("/log")
    first = await user.expect("which exercise?")
    user.send("/log")
    second = await user.expect("which exercise?")
    assert not first.buttons, "a new /log retires the old picker"
    query = user.press_data(first.message_id, "lg:x:rotations")
    text, _ = await user.answer_for(query)
    assert "out of date" in text
    user.press("Cancel", second)
    await user.wait_until(lambda: "cancelled" in second.plain)
    assert log_rows(clocked) == []


async def test_another_command_ends_the_flow(clocked):
    user = clocked.user()
    user.send("/log")
    picker = await user.expect("which exercise?")
    user.press("Hip rotations", picker)
    await user.wait_until(lambda: "which side?" in picker.plain)
    user.send("/history")
    await user.expect("No sessions or logs yet")
    assert not picker.buttons
    query = user.press_data(picker.message_id, "lg:s:left")
    text, _ = await user.answer_for(query)
    assert "doesn't work" in text
    assert log_rows(clocked) == []


# --- the daily cap -------------------------------------------------------------------------


def add_reports_made_at(h, user_id: int, stamps: list[datetime]) -> None:
    """One-set reports made at these instants, as /log would have stored them."""
    db = h.services.db
    with db.atomic():
        for when in stamps:
            report_id = db.execute(
                "INSERT INTO log_entries (user_id, exercise, side, sets, reps, day, "
                "performed_at, created_at) VALUES (?, 'rotations', 'right', 1, 10, ?, ?, ?)",
                [user_id, when.date().isoformat(), to_db(when), to_db(when)],
            ).lastrowid
            db.execute(
                "INSERT INTO sets (user_id, exercise, side, set_no, target_reps, actual_reps, "
                "source, log_id, performed_at, created_at) "
                "VALUES (?, 'rotations', 'right', 1, 10, 10, 'log', ?, ?, ?)",
                [user_id, report_id, to_db(when), to_db(when)],
            )


async def test_reports_stop_at_the_daily_cap_of_the_runners_own_day(clocked):
    cap = services.reports.MAX_REPORTS_PER_DAY
    user = clocked.user()
    user.send("/start")
    await user.expect("hip coach")
    # 21:30 in Auckland; its day began at 12:00 UTC yesterday.
    clocked.services.db.execute("UPDATE users SET tz = 'Pacific/Auckland' WHERE id = ?", [user.id])
    midnight = datetime(2025, 5, 13, 12, 0, tzinfo=UTC)
    yesterday = [midnight - timedelta(minutes=m + 1) for m in range(5)]  # do not count
    today = [midnight + timedelta(minutes=m) for m in range(cap - 2)]
    add_reports_made_at(clocked, user.id, yesterday + today)

    # One button flow opened below the cap...
    user.send("/log")
    picker = await user.expect("which exercise?")
    await log(user, "/log rotations 2x10")  # ...and a shortcut, which ends the flow
    await log(user, "/log flexion 1x12 left")  # the last one today: the cap-th
    assert len(log_rows(clocked)) == 5 + cap

    user.send("/log 90/90 2x30s")
    msg = await user.expect(f"That's {cap} logs today")
    assert "Nothing was saved" in msg.plain
    user.send("/log")
    await user.expect(f"That's {cap} logs today")
    assert not picker.buttons and not any("which exercise" in m.plain for m in user.messages[-2:])
    assert len(log_rows(clocked)) == 5 + cap
    assert len(set_rows(clocked)) == 5 + cap - 2 + 4 + 1

    # The runner's next day (00:30 in Auckland) starts a fresh count.
    clocked.clock.set(datetime(2025, 5, 14, 12, 30, tzinfo=UTC))
    await log(user, "/log 90/90 2x30s")
    assert len(log_rows(clocked)) == 5 + cap + 1


async def test_the_button_flow_saves_nothing_past_the_cap(clocked):
    cap = services.reports.MAX_REPORTS_PER_DAY
    user = clocked.user()
    user.send("/log")
    picker = await user.expect("which exercise?")
    user.press("Hip rotations", picker)
    await user.wait_until(lambda: "which side?" in picker.plain)
    user.press("Both sides", picker)
    await user.wait_until(lambda: "How many sets?" in picker.plain)
    user.press("2", picker)
    await user.wait_until(lambda: "How many reps" in picker.plain)
    user.press("10", picker)
    await user.wait_until(lambda: "When?" in picker.plain)
    # Meanwhile the day's reports reach the cap (another device, a script).
    add_reports_made_at(clocked, user.id, [NOW - timedelta(minutes=m) for m in range(cap)])
    user.press("Today", picker)
    await user.wait_until(lambda: f"That's {cap} logs today" in picker.plain)
    assert not picker.buttons
    assert len(log_rows(clocked)) == cap


# --- undo ----------------------------------------------------------------------------------


async def test_undo_removes_exactly_the_last_log_after_confirming(clocked):
    user = clocked.user()
    await log(user, "/log rotations 2x10")
    await log(user, "/log flexion 1x15 left")
    last_id = log_rows(clocked)[-1]["id"]
    user.send("/undo")
    prompt = await user.expect("Remove your last log?")
    assert "Band hip flexion and hold · 1 × 15 left side · today" in prompt.plain
    assert "(1 set)" in prompt.plain
    assert len(set_rows(clocked)) == 5, "nothing removed before confirming"
    user.press("Remove", prompt)
    await user.wait_until(lambda: "Removed" in prompt.plain)
    assert [e["exercise"] for e in log_rows(clocked)] == ["rotations"]
    assert {s["exercise"] for s in set_rows(clocked)} == {"rotations"}
    assert len(set_rows(clocked)) == 4
    # Pressing the stale confirm again changes nothing.
    query = user.press_data(prompt.message_id, f"md:undo:{last_id}")
    text, _ = await user.answer_for(query)
    assert text == "Already removed."
    assert len(set_rows(clocked)) == 4


async def test_undo_keep_and_nothing_to_undo(clocked):
    user = clocked.user()
    user.send("/undo")
    await user.expect("Nothing to undo")
    await log(user, "/log rotations 1x10")
    user.send("/undo")
    prompt = await user.expect("Remove your last log?")
    user.press("Keep", prompt)
    await user.wait_until(lambda: "Nothing changed" in prompt.plain)
    assert len(log_rows(clocked)) == 1


async def test_undo_never_touches_another_users_log(clocked):
    ada, bob = clocked.user(1001, "Ada"), clocked.user(1002, "Bob")
    await log(ada, "/log rotations 2x10")
    [ada_entry] = log_rows(clocked, 1001)
    await log(bob, "/log flexion 1x12")
    bob.send("/undo")
    prompt = await bob.expect("Remove your last log?")
    query = bob.press_data(prompt.message_id, f"md:undo:{ada_entry['id']}")
    text, _ = await bob.answer_for(query)
    assert text == "That isn't yours."
    assert len(set_rows(clocked, 1001)) == 4 and len(log_rows(clocked, 1001)) == 1
    assert len(log_rows(clocked, 1002)) == 1


# --- progress and history ------------------------------------------------------------------


async def test_progress_sends_a_chart_and_counts_backdated_weeks(clocked):
    user = clocked.user()
    # Two routines' worth of logs last week (on different days), two this week.
    await log(user, "/log monday rotations 2x10")
    for text in (
        "/log 2025-05-05 rotations 2x10",
        "/log 2025-05-07 flexion 2x15",
        "/log 2025-05-07 flexion 2x12 left",
        "/log flexion 2x15 right",
    ):
        await log(user, text)
    user.send("/progress")
    photo = await user.expect(lambda m: m.kind == "photo")
    assert photo.file_data is not None
    width, height = png_size(photo.file_data)
    assert width >= 800 and 800 <= height <= 2500
    assert 10_000 < len(photo.file_data) < 2_000_000
    text = photo.plain
    assert "This week: 2 routines done" in text
    assert "Streak: 2 weeks with 2+ routines" in text
    assert "Hip rotations: 4 · 8" in text
    assert "Band hip flexion and hold: 2 · 8" in text
    assert "Band flexion: right side did fewer reps last session" in text
    assert "Rotations: even on the last 2 sessions" in text
    assert "upload_photo" in user.chat.actions


async def test_progress_without_data_is_friendly_text(clocked):
    user = clocked.user()
    user.send("/progress")
    msg = await user.expect("Nothing to show yet")
    assert msg.kind == "text"
    assert not any(m.kind == "photo" for m in user.messages)


async def test_history_lists_sessions_and_logs_newest_first(clocked):
    user = clocked.user()
    user.send("/routine")
    menu = await user.expect("Pick a routine")
    user.press("Quick", menu)
    card = await user.see("Why:")  # the menu turns into the first card
    user.press("Stop", card)
    await user.expect("stopped")
    clocked.clock.advance(timedelta(minutes=5))
    await log(user, "/log yesterday rotations 2x10")
    await log(user, "/log 90/90 1x30")
    user.send("/history")
    msg = await user.expect("Your last")
    lines = msg.plain.splitlines()[1:]
    assert lines[0].startswith("Today · ✍️ 90/90 1 × 30 s each side")
    assert lines[-1].startswith("Yesterday · ✍️ rotations 2 × 10 each side")
    assert len(lines) == 2, "a routine stopped before any set holds nothing to list"


async def test_progress_streak_counts_planned_runs_that_got_a_warm_up(clocked):
    user = clocked.user()
    user.send("/start")
    await user.expect("hip coach")
    # Runs every Mon/Wed/Fri at 07:00 since April (as /plan stores them).
    stamp = "2025-04-01T00:00:00.000000Z"
    clocked.services.db.execute(
        "INSERT INTO plans (user_id, weekdays, local_time, tz, materialised_until, created_at, "
        "updated_at) VALUES (?, '0,2,4', '07:00', 'UTC', '2999-01-01T00:00:00.000000Z', ?, ?)",
        [user.id, stamp, stamp],
    )
    await log(user, "/log monday rotations 2x10")  # Monday's run
    await log(user, "/log 90/90 2x30s")  # a stretch is no warm-up...
    user.send("/progress")
    first = await user.expect(lambda m: m.kind == "photo")
    assert "2 routines done · 3 runs planned" in first.plain
    assert "Streak: starts with a pre-run routine" in first.plain
    await log(user, "/log flexion 2x15")  # ...but the band work today is
    clocked.clock.advance(timedelta(seconds=PROGRESS_COOLDOWN_SECONDS))  # a fresh /progress
    user.send("/progress")
    second = await user.expect(lambda m: m.kind == "photo")
    assert "Streak: 2 planned runs in a row warmed up" in second.plain


# --- in the runner's language --------------------------------------------------------------

TODAY = NOW.date()
R = Report


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


@pytest.fixture
async def tagged_bot(clocked):
    """The bot with every Spanish and Russian message tagged `[es]` / `[ru]`."""
    tag_languages(clocked, "es", "ru")
    return clocked


@pytest.mark.parametrize(
    ("lang", "text", "expected", "rows"),
    [
        ("es", "/log ayer flexión 2x15 izquierda", R("flexion", "left", 2, 15, None, ago(1)), 2),
        ("es", "/log Rotaciones de cadera 2 × 10", R("rotations", "both", 2, 10, None, ago(0)), 4),
        ("ru", "/log подъемы 2х15 левой вчера", R("flexion", "left", 2, 15, None, ago(1)), 2),
        ("ru", "/log растяжка 2x30 сек", R("ninety_ninety", "both", 2, None, 30, ago(0)), 4),
        # English works for every runner.
        ("ru", "/log rotations 1x8 right", R("rotations", "right", 1, 8, None, ago(0)), 1),
    ],
)  # fmt: skip
async def test_shortcut_in_the_runners_language(tagged_bot, lang, text, expected, rows):
    user = tagged_bot.user(language_code=lang)
    user.send(text)
    msg = await user.expect(f"[{lang}] ✓ Logged")
    t = tagged_bot.services.translators[lang]
    assert msg.text == views.reports.saved(t, expected, TODAY).text
    assert t.content.exercises[expected.exercise].name in msg.plain
    [entry] = log_rows(tagged_bot)
    assert (entry["exercise"], entry["side"], entry["sets"], entry["day"]) == (
        expected.exercise,
        expected.side,
        expected.sets,
        expected.day.isoformat(),
    )
    assert (entry["reps"], entry["seconds"]) == (expected.reps, expected.seconds)
    assert len(set_rows(tagged_bot)) == rows


@pytest.mark.parametrize(("lang", "name"), [("es", "rotaciones"), ("ru", "вращения")])
async def test_unparseable_shortcut_answers_in_the_runners_language(tagged_bot, lang, name):
    user = tagged_bot.user(language_code=lang)
    user.send(f"/log {name}")
    msg = await user.expect(f"[{lang}] How many did you do?")
    assert "\n" not in msg.plain
    assert f"/log {name} 2x10" in msg.plain, "examples name the exercises in the language"
    assert log_rows(tagged_bot) == [] and set_rows(tagged_bot) == []


async def test_button_flow_in_russian(tagged_bot):
    t = tagged_bot.services.translators["ru"]
    names = t.content.exercises
    user = tagged_bot.user(language_code="ru")
    user.send("/log")
    picker = await user.expect("[ru] ✍️ Log sets")
    assert [row[0][0] for row in picker.buttons[:-1]] == [e.name for e in names.values()]
    user.press(names["ninety_ninety"].name, picker)
    await user.wait_until(lambda: "[ru] ✍️ " in picker.plain and "which side?" in picker.plain)
    user.press(t.p_("side", "Left"), picker)
    await user.wait_until(lambda: "How many sets?" in picker.plain)
    assert f"{names['ninety_ninety'].name} · [ru] left side" in picker.plain
    user.press("2", picker)
    await user.wait_until(lambda: "[ru n=2]" in picker.plain)
    assert "How many seconds in each set?" in picker.plain
    assert [label for label, _ in picker.buttons[0]] == [
        "[ru] 15 s",
        "[ru] 20 s",
        "[ru] 30 s",
        "[ru] 45 s",
    ]
    user.send("много")
    await user.expect("[ru] Send one number")
    user.send("40 сек")
    when = await user.expect("[ru] When?")
    labels = [label for row in when.buttons[:-1] for label, _ in row]
    assert labels[:2] == ["[ru] today", "[ru] yesterday"]
    assert labels[2] == views.reports.upper_first(t.day(TODAY - timedelta(days=2)))
    user.send("скоро")
    await user.expect("[ru] I couldn't read that date")
    user.send("3 мая")
    done = await user.expect("[ru] ✓ Logged")
    assert (
        f"{names['ninety_ninety'].name} · [ru] [ru] 2 × 40 s left side · {t.day(date(2025, 5, 3))}"
        in done.plain
    )
    [entry] = log_rows(tagged_bot)
    assert (entry["exercise"], entry["side"], entry["sets"], entry["seconds"], entry["day"]) == (
        "ninety_ninety", "left", 2, 40, "2025-05-03",
    )  # fmt: skip
    assert {s["actual_seconds"] for s in set_rows(tagged_bot)} == {40}


async def test_each_step_speaks_the_language_chosen_meanwhile(tagged_bot):
    """The language is read when a message is worded: a /language switch mid-flow shows at
    the next step."""
    user = tagged_bot.user(language_code="en")
    user.send("/log")
    picker = await user.expect("which exercise?")
    assert "[es]" not in picker.plain and "Hip rotations" in picker.buttons[0][0][0]
    tagged_bot.services.db.execute("UPDATE users SET language = 'es' WHERE id = ?", [user.id])
    user.press("Hip rotations", picker)
    await user.wait_until(lambda: "[es]" in picker.plain)
    rotations = translators()["es"].content.exercises["rotations"].name
    assert rotations in picker.plain
    user.send("/log")
    await user.expect("[es] ✍️ Log sets")
    text, _ = await user.answer_for(user.press_data(picker.message_id, "lg:x:rotations"))
    assert text == "[es] That button is out of date."


async def test_undo_and_the_daily_cap_in_spanish(tagged_bot):
    user = tagged_bot.user(language_code="es")
    await log(user, "/log flexión 1x15 izq", "[es] ✓ Logged")
    user.send("/undo")
    prompt = await user.expect("[es n=1] Remove your last log?")
    assert "(1 set)" in prompt.plain
    user.press("[es] 🗑 Remove it", prompt)
    await user.wait_until(lambda: "[es] ↩ Removed" in prompt.plain)
    assert log_rows(tagged_bot) == [] and set_rows(tagged_bot) == []
    user.send("/undo")
    await user.expect("[es] Nothing to undo")
    cap = services.reports.MAX_REPORTS_PER_DAY
    add_reports_made_at(tagged_bot, user.id, [NOW - timedelta(minutes=m) for m in range(cap)])
    user.send("/log rotaciones 2x10")
    await user.expect(f"[es n={cap}] That's {cap} logs today")
    assert len(log_rows(tagged_bot)) == cap


# --- the views, in every language -----------------------------------------------------------


def every_view(t) -> list[views.base.View]:
    """Each /log and /undo view, with representative data."""
    content = t.content.exercises
    entry = Report("flexion", "left", 2, 12, None, TODAY - timedelta(days=1))
    held = Report("ninety_ninety", "both", 1, None, 30, TODAY - timedelta(days=3))
    record = SavedReport(7, 1001, entry, NOW, NOW, 2)
    return [
        views.reports.exercise_picker(t),
        views.reports.side_picker(t, content["flexion"]),
        views.reports.sets_picker(t, content["flexion"], "right"),
        views.reports.sets_picker(t, content["rotations"], "both"),
        views.reports.amount_picker(t, content["flexion"], 1),
        views.reports.amount_picker(t, content["ninety_ninety"], 3),
        views.reports.day_picker(t, entry, TODAY),
        views.reports.saved(t, held, TODAY),
        views.reports.daily_cap(t, 50),
        views.reports.cancelled(t),
        views.reports.usage(t, N_("How many did you do?")),
        views.reports.undo_prompt(t, record, TODAY),
        views.reports.nothing_to_undo(t),
        views.reports.undone(t, record, TODAY),
    ]


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_views_word_everything_in_the_language(lang):
    t, english = tagged(lang), translators()["en"]
    english_names = {e.name for e in english.content.exercises.values()}
    # Labels that are not messages: numbers, exercise names, days as the calendar words them.
    data_labels = {e.name for e in t.content.exercises.values()} | {
        views.reports.upper_first(t.day(TODAY - timedelta(days=n))) for n in range(2, 7)
    }
    for view, source in zip(every_view(t), every_view(english), strict=True):
        assert f"[{lang}" in view.text, view.text
        assert not any(name in view.text for name in english_names), view.text
        parse_html(view.text)  # well-formed Telegram HTML: raises HtmlParseError if not
        # The same buttons in the same places (same callback data), each worded.
        assert [[d for _, d in row] for row in view.buttons or []] == [
            [d for _, d in row] for row in source.buttons or []
        ]
        for row in view.buttons or []:
            for label, _ in row:
                assert label.isdigit() or label in data_labels or label.startswith(f"[{lang}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_date_hint_parses_in_the_language(lang):
    """`When? ... (e.g. 3 may)`: the example date the runner reads is one the bot reads."""
    t = translators()[lang]
    vocab = vocabulary(lang, t.content, translators()["en"].content, t.words)
    entry = Report("rotations", "both", 2, 10, None, TODAY)
    when = html.unescape(views.reports.day_picker(t, entry, TODAY).text.splitlines()[-1])
    [example] = re.findall(r"\([^)0-9]*([0-9][^)]*)\)", when)  # (e.g. 3 may), (p. ej., 3 de mayo)
    assert isinstance(parse_day(example, vocab, TODAY), date), when
