"""Reporting sets through the real bot: shortcuts, the button flow, backdating, undo,
/progress with its chart, and /history. Messages and rows are both checked."""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta

import pytest

from bot import services
from bot.core.clock import ManualClock, to_db
from bot.sandbox import FakeUser
from bot.services.progress import PROGRESS_COOLDOWN_SECONDS

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


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "a PNG signature"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    return struct.unpack(">II", data[16:24])


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
    assert "Band flexion: right side did fewer reps on 1 of the last 1 session" in text
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
    card = await user.expect("Why:")
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
