"""The weekly note from the coach: when it is due (DST included), its pure suggestion rule,
and end to end through the reminder rows and dispatcher: once across a restart, late or
dropped after downtime, off, moved, quiet, in the runner's language, and gone on /deleteme.

End-to-end tests start on a Sunday at 17:00 UTC without the repeating dispatcher job;
`Harness.move_to` moves the clock and runs one pass. Sessions, plans and ladder changes are
inserted as rows (the guided session has tests of its own).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot import services, storage, views
from bot.core import weekly
from bot.core.coach import Change, CheckIn, tightness
from bot.core.progress import Done, Streak
from bot.core.weekly import Facts, Suggestion, Week
from bot.sandbox.html_check import parse_html
from tests.conftest import Harness
from tests.i18n import translators

SUN_1700 = datetime(2026, 3, 8, 17, 0, tzinfo=UTC)
DUE = datetime(2026, 3, 8, 18, 0, tzinfo=UTC)  # Sunday 18:00, the default, in UTC
NEXT = DUE + timedelta(weeks=1)
LONDON = "Europe/London"
TITLE = "Your week"


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def add_session(h, user_id: int, ended: datetime, routine: str = "full", tight=(None, None)):
    """A finished guided routine, with its tightness check-ins if given."""
    with sqlite3.connect(h.config.db_path) as conn:
        conn.execute(
            "INSERT INTO sessions (user_id, chat_id, routine, status, started_at, ended_at, "
            "updated_at, phase, tight_before, tight_after) "
            "VALUES (?, ?, ?, 'completed', ?, ?, ?, 'done', ?, ?)",
            [
                user_id,
                user_id,
                routine,
                stamp(ended - timedelta(minutes=10)),
                stamp(ended),
                stamp(ended),
                *tight,
            ],
        )


def add_plan(h, user_id: int, weekdays: str, local_time: str, made: datetime) -> None:
    with sqlite3.connect(h.config.db_path) as conn:
        conn.execute(
            "INSERT INTO plans (user_id, weekdays, local_time, tz, materialised_until, "
            "created_at, updated_at) VALUES (?, ?, ?, 'UTC', '9999-12-31T00:00:00.000000Z', "
            "?, ?)",
            [user_id, weekdays, local_time, stamp(made), stamp(made)],
        )


def weekly_rows(h, user_id: int = 1001) -> list[dict]:
    return h.rows(
        "SELECT id, occurrence, due_at, status, reason, late, message_id, plan_id "
        "FROM reminders WHERE kind = 'weekly' AND user_id = ? ORDER BY occurrence",
        (user_id,),
    )


def notes(user) -> list:
    return [m for m in user.messages if TITLE in m.plain]


async def runner(h, user_id: int = 1001, language_code: str = "en"):
    """A runner who has talked to the bot and did a routine this week."""
    user = h.user(user_id, language_code=language_code)
    user.send("/runs")
    await user.expect(lambda m: "/plan" in m.plain)
    joined(h, user_id, at(1, 9))
    add_session(h, user_id, at(4, 7))
    return user


def joined(h, user_id: int, when: datetime) -> None:
    """Backdate when the runner first wrote: a first note comes six days or more after."""
    with sqlite3.connect(h.config.db_path) as conn:
        conn.execute("UPDATE users SET created_at = ? WHERE id = ?", [stamp(when), user_id])


# --- when: pure -----------------------------------------------------------------------------


def test_next_note_is_the_local_wall_time_on_each_date_across_dst():
    six = time(18, 0)
    # London: BST (UTC+1) until Sun 25 Oct 2026 02:00, GMT after.
    assert weekly.next_note(at(17, 12, month=10), 6, six, LONDON) == at(18, 17, month=10)
    assert weekly.next_note(at(18, 17, month=10), 6, six, LONDON) == at(25, 18, month=10)
    # Strictly after: at the instant itself, the next week's.
    assert weekly.next_note(DUE, 6, six, "UTC") == NEXT
    assert weekly.next_note(DUE - timedelta(seconds=1), 6, six, "UTC") == DUE
    # Another weekday and a zone east of UTC: Monday 07:15 in Tokyo is Sunday 22:15 UTC.
    assert weekly.next_note(SUN_1700, 0, time(7, 15), "Asia/Tokyo") == at(8, 22, 15)


def test_moving_the_day_never_brings_two_notes_within_six_days():
    six = time(18, 0)
    # Sent on Sunday; on Monday the runner picks Tuesday: not tomorrow, the Tuesday after.
    assert weekly.note_after(at(9, 9), DUE, 1, six, "UTC") == at(17, 18)
    # Picks Saturday 18:00: six days after the last one is too soon (strictly after only).
    assert weekly.note_after(at(9, 9), DUE, 5, six, "UTC") == at(21, 18)
    assert weekly.note_after(at(9, 9), DUE, 5, time(18, 1), "UTC") == at(14, 18, 1)
    # Never had one: the next one.
    assert weekly.note_after(at(9, 9), None, 1, six, "UTC") == at(10, 18)


def test_the_note_covers_the_seven_days_up_to_it_so_notes_meet_end_to_end():
    assert weekly.window(DUE) == (DUE - timedelta(days=7), DUE)
    assert weekly.window(NEXT)[0] == weekly.window(DUE)[1]  # Sunday evening is in the next
    # A routine on the evening of the last note's day counts; reported days at local noon.
    done = Done((at(1, 19), at(8, 17, 30)), frozenset({date(2026, 3, 1), date(2026, 3, 4)}), "UTC")
    assert weekly.routines_done(done, *weekly.window(DUE)) == 3  # Sun 19:00, Wed, Sun 17:30
    # The first note comes six days or more after the runner first wrote.
    assert weekly.note_after(at(8, 17, 30), at(8, 17), 6, time(18), "UTC") == NEXT
    assert weekly.parse_time("07:05") == time(7, 5)
    assert weekly.parse_time("nonsense") == time(18, 0)


# --- the one suggestion: pure ---------------------------------------------------------------

BUSY = Facts(
    paused=(),
    routines=3,
    runs=2,
    warmed_up=2,
    has_plan=True,
    checkins_on=True,
    checked_in=True,
)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, Suggestion("keep_up")),
        ({"paused": ("flexion", "rotations"), "warmed_up": 0}, Suggestion("paused", "flexion")),
        ({"warmed_up": 1, "routines": 0, "has_plan": False}, Suggestion("warm_up")),
        ({"routines": 0, "runs": 0, "has_plan": False}, Suggestion("nothing_done")),
        ({"routines": 0}, Suggestion("nothing_done")),  # every run warmed up by /log days
        ({"has_plan": False, "runs": 0, "checkins_on": False}, Suggestion("plan")),
        ({"checkins_on": False, "checked_in": False}, Suggestion("keep_up")),  # their choice
        ({"warmed_up": 1, "reminders_on": False}, Suggestion("warm_up_self")),
        ({"checked_in": False}, Suggestion("checkins")),
        ({"runs": 0, "warmed_up": 0}, Suggestion("keep_up")),
    ],
)
def test_the_first_rule_that_applies_makes_the_suggestion(changes, expected):
    facts = Facts(**{**BUSY.__dict__, **changes})
    assert weekly.suggest(facts) == expected


def test_only_moves_are_news_and_only_the_last_per_exercise():
    c = [
        Change("rotations", 0, 1, "easy", at(3, 8)),
        Change("flexion", 1, 1, "kept", at(4, 8)),
        Change("ninety_ninety", 1, 0, "hard", at(5, 8)),
        Change("rotations", 1, 2, "easy", at(6, 8)),
    ]
    assert weekly.last_moves(c) == [c[2], c[3]]


# --- end to end -----------------------------------------------------------------------------


async def test_the_weekly_note_arrives_once_across_a_restart(harness):
    h = harness
    await h.start_at(SUN_1700)
    user = await runner(h)
    add_session(h, user.id, at(6, 19), "pre_run")
    assert await h.move_to(at(8, 17, 59)) == 0
    [row] = weekly_rows(h)
    assert (row["occurrence"], row["due_at"], row["status"], row["plan_id"]) == (
        stamp(DUE),
        stamp(DUE),
        "pending",
        None,
    )
    assert h.rows("SELECT weekly_until FROM users") == [{"weekly_until": stamp(DUE)}]

    assert await h.move_to(DUE + timedelta(seconds=5)) == 1
    note = await user.expect(TITLE)
    assert note.plain.splitlines()[:2] == [
        "📬 Your week since Sun 1 Mar, 18:00",
        "🗓 2 routines done",
    ]
    assert note.plain.splitlines()[-1] == "Another day or time, or no more notes: /settings"
    assert note.buttons == []
    sent, following = weekly_rows(h)
    assert (sent["status"], sent["late"], sent["message_id"]) == ("sent", 0, note.message_id)
    assert (following["occurrence"], following["status"]) == (stamp(NEXT), "pending")

    for _ in range(2):  # restarts and more passes: never a second note for that Sunday
        await h.restart()
        h.stop_dispatcher()
        assert await h.move_to(DUE + timedelta(minutes=30)) == 0
    assert await h.move_to(at(9, 12)) == 0
    assert len(notes(user)) == 1
    assert [r["status"] for r in weekly_rows(h)] == ["sent", "pending"]


async def test_what_the_note_says_about_the_week(harness):
    """Routines against runs planned and warmed up, the streak, a ladder move (a decision
    to keep a dose is not one), the tightness trend and the suggestion that follows."""
    h = harness
    await h.start_at(SUN_1700)
    user = h.user()
    user.send("/runs")
    await user.expect("/plan")
    joined(h, user.id, at(1, 9))
    add_plan(h, user.id, "1,3", "07:30", at(1, 9))  # Tue and Thu, made last Sunday
    add_session(h, user.id, at(3, 7, 10), "pre_run", tight=(6, 4))  # Tue's warm-up
    add_session(h, user.id, at(4, 19), "full")  # Wed; Thu's run gets no warm-up
    add_session(h, user.id, at(17, 19, month=2), "post_run", tight=(8, 7))
    db = h.services.db
    stepped_up = Change("rotations", 0, 1, "easy", at(5, 8))
    with db.atomic():
        storage.coach.insert_change(db, user.id, stepped_up, None)
        storage.coach.insert_change(db, user.id, Change("flexion", 0, 0, "kept", at(5, 8)), None)
    assert await h.move_to(at(8, 17)) == 0
    assert await h.move_to(DUE) == 1
    note = await user.expect(TITLE)
    lines = note.plain.splitlines()
    assert lines[:4] == [
        "📬 Your week since Sun 1 Mar, 18:00",
        "🗓 2 routines done · 2 runs planned, 1 warmed up",
        views.progress.streak_text(translators()["en"], Streak(0, "run")),  # Thu: no warm-up
        "📶 Rotations: " + views.coach.change_text(translators()["en"], stepped_up, "UTC"),
    ]
    assert "stepped up" in lines[3] and "Thu 5 Mar" in lines[3]
    # Tightness as /progress words it: −1.5 per session on average (8 → 7, 6 → 4), and
    # before a routine 8 in the week of 16 Feb, 6 this week.
    assert "Hip tightness" in lines[4] and "−1.5" in lines[4]
    assert "8 → 6" in lines[5]
    assert lines[6:] == [
        "💡 Warm up before every run: tap ▶ Start warm-up on the run reminder, and it fits "
        "the minutes you have.",
        "Another day or time, or no more notes: /settings",
    ]
    assert "<i>" in note.text and "<b>Your week</b>" in note.text
    assert len(note.plain) < 600  # a phone shows it whole


async def test_after_downtime_a_note_comes_late_once_within_12_hours(harness):
    h = harness
    await h.start_at(SUN_1700)
    user = await runner(h)
    assert await h.move_to(at(8, 17, 30)) == 0
    await h.stop()  # down over 18:00, back at 20:00
    h.clock.set(at(8, 20))
    await h.start()
    h.stop_dispatcher()
    assert await h.move_to(at(8, 20)) == 1
    note = await user.expect(TITLE)
    sent, following = weekly_rows(h)
    assert (sent["status"], sent["late"], sent["message_id"]) == ("sent", 1, note.message_id)
    assert (following["occurrence"], following["status"]) == (stamp(NEXT), "pending")
    assert await h.move_to(at(8, 21)) == 0


async def test_after_a_long_downtime_the_note_is_dropped(harness):
    h = harness
    await h.start_at(SUN_1700)
    user = await runner(h)
    assert await h.move_to(at(8, 17, 30)) == 0
    await h.stop()  # back two days later
    h.clock.set(at(10, 18))
    await h.start()
    h.stop_dispatcher()
    assert await h.move_to(at(10, 18)) == 0
    dropped, following = weekly_rows(h)
    assert (dropped["status"], dropped["reason"], dropped["message_id"]) == (
        "dropped",
        "stale",
        None,
    )
    assert (following["occurrence"], following["status"]) == (stamp(NEXT), "pending")
    assert notes(user) == []


async def test_turned_off_then_moved(harness):
    h = harness
    await h.start_at(SUN_1700)
    user = await runner(h)
    assert await h.move_to(at(8, 17, 10)) == 0
    assert len(weekly_rows(h)) == 1
    db, now = h.services.db, at(8, 17, 10)

    # Off (as /settings does it): no pending note, none made by later passes, none sent.
    with db.atomic():
        storage.users.set_weekly(db, user.id, False, 6, "18:00")
        services.reminders.rebuild_user(db, user.id, now)
    assert weekly_rows(h) == []
    assert h.rows("SELECT weekly_note, weekly_until FROM users") == [
        {"weekly_note": 0, "weekly_until": ""}
    ]
    assert await h.move_to(DUE + timedelta(seconds=1)) == 0
    assert await h.move_to(NEXT + timedelta(seconds=1)) == 0
    assert weekly_rows(h) == [] and notes(user) == []

    # On again, Wednesday 07:15: the row is there at once, at the new time.
    now = NEXT + timedelta(seconds=1)
    with db.atomic():
        storage.users.set_weekly(db, user.id, True, 2, "07:15")
        services.reminders.rebuild_user(db, user.id, now)
    [row] = weekly_rows(h)
    assert (row["occurrence"], row["status"]) == (stamp(at(18, 7, 15)), "pending")
    add_session(h, user.id, at(16, 7))  # something to talk about within 28 days
    assert await h.move_to(at(18, 7, 15)) == 1
    note = await user.expect(TITLE)
    assert "since Wed 11 Mar, 07:15" in note.plain  # the 7 days up to it

    # Back to Sunday right after: not in four days, the Sunday after (6 days at least).
    now = at(18, 8)
    with db.atomic():
        storage.users.set_weekly(db, user.id, True, 6, "18:00")
        services.reminders.rebuild_user(db, user.id, now)
    assert [(r["occurrence"], r["status"]) for r in weekly_rows(h)] == [
        (stamp(at(18, 7, 15)), "sent"),
        (stamp(at(29, 18)), "pending"),
    ]


async def test_switched_off_after_the_row_is_due_it_is_dropped(harness):
    """The verdict reads the setting as the note goes out, not when the row was made."""
    h = harness
    await h.start_at(SUN_1700)
    user = await runner(h)
    assert await h.move_to(at(8, 17, 10)) == 0
    with sqlite3.connect(h.config.db_path) as conn:
        conn.execute("UPDATE users SET weekly_note = 0")
    assert await h.move_to(DUE) == 0
    [row] = weekly_rows(h)
    assert (row["status"], row["reason"]) == ("dropped", "weekly note off")
    assert notes(user) == []


async def test_dst_london_gets_18_00_local_before_and_after_the_clocks_change(harness):
    h = harness
    await h.start_at(at(17, 12, month=10))  # Sat 17 Oct 2026
    user = h.user()
    user.send("/runs")
    await user.expect("/plan")
    joined(h, user.id, at(1, 9, month=10))
    user.send(f"/timezone {LONDON}")
    await user.expect(f"Time zone set to {LONDON}")
    add_session(h, user.id, at(16, 7, month=10))
    [row] = weekly_rows(h)  # made by the zone change at once
    assert row["occurrence"] == stamp(at(18, 17, month=10))  # 18:00 BST
    assert await h.move_to(at(18, 16, 59, month=10)) == 0
    assert await h.move_to(at(18, 17, month=10)) == 1
    await user.expect(TITLE)
    assert weekly_rows(h)[1]["occurrence"] == stamp(at(25, 18, month=10))  # 18:00 GMT
    assert await h.move_to(at(25, 17, month=10)) == 0
    assert await h.move_to(at(25, 18, month=10)) == 1
    await user.expect(TITLE)
    assert [(r["occurrence"], r["status"]) for r in weekly_rows(h)] == [
        (stamp(at(18, 17, month=10)), "sent"),
        (stamp(at(25, 18, month=10)), "sent"),
        (stamp(at(1, 18, month=11)), "pending"),
    ]


async def test_a_quiet_runner_gets_no_note_and_no_more_rows_until_they_write(harness):
    h = harness
    await h.start_at(SUN_1700)
    user = h.user()
    user.send("/runs")
    await user.expect("/plan")
    joined(h, user.id, at(1, 9, month=1))
    add_session(h, user.id, at(9, 7, month=2))  # four weeks ago: this Sunday's note, no more
    assert await h.move_to(at(8, 17)) == 0
    assert await h.move_to(DUE) == 1
    assert len(notes(user)) == 1
    # A week later it has been five weeks: the note due then is not sent...
    assert await h.move_to(NEXT) == 0
    _, skipped = weekly_rows(h)
    assert (skipped["status"], skipped["reason"]) == ("skipped", "quiet")
    # ...and no further row is made (the runner is parked), until they write again.
    assert await h.move_to(NEXT + timedelta(days=30)) == 0
    assert len(weekly_rows(h)) == 2
    assert h.rows("SELECT weekly_until FROM users") == [{"weekly_until": storage.users.PARKED}]
    user.send("/routine")
    await user.expect("Pick a routine")
    assert h.rows("SELECT weekly_until FROM users") == [{"weekly_until": ""}]
    add_session(h, user.id, NEXT + timedelta(days=30))
    await h.move_to(NEXT + timedelta(days=30, minutes=1))
    assert [r["status"] for r in weekly_rows(h)] == ["sent", "skipped", "pending"]


async def test_a_runner_who_only_logs_sets_gets_a_note_that_counts_them(harness):
    """/log alone is something to talk about, and a reported day is a routine done."""
    h = harness
    await h.start_at(SUN_1700)
    user = h.user()
    user.send("/log rotations 2x10")
    await user.expect("rotations")
    joined(h, user.id, at(1, 9))
    assert h.rows("SELECT COUNT(*) AS n FROM log_entries") == [{"n": 1}]
    assert await h.move_to(at(8, 17, 30)) == 0
    assert await h.move_to(DUE) == 1
    note = await user.expect(TITLE)
    assert note.plain.splitlines()[1] == "🗓 1 routine done"
    assert "/plan" in note.plain.splitlines()[-2]  # no plan: the suggestion is to make one


def weekly_rows_all(h: Harness) -> list[dict]:
    return h.rows("SELECT user_id FROM reminders WHERE kind = 'weekly' ORDER BY user_id")


async def test_existing_runners_get_their_note_row_in_bounded_batches(harness):
    """Runners from before the note (mark ''), reachable and with it on, are picked up a
    batch at a time through the partial index; blocked and opted-out ones are not."""
    h = harness
    await h.start_at(SUN_1700)
    with sqlite3.connect(h.config.db_path) as conn:
        for uid in range(1, 6):
            conn.execute(
                "INSERT INTO users (id, chat_id, created_at, last_seen_at, active, weekly_note) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [uid, uid, stamp(at(1, 9, 1)), stamp(at(1, 9, 1)), int(uid != 4), int(uid != 5)],
            )
    for uid in range(1, 6):  # each with something to talk about
        add_session(h, uid, at(4, 7))
        plan = conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM users WHERE weekly_note = 1 AND weekly_until "
            "<= ? AND active = 1 ORDER BY weekly_until LIMIT 2",
            [stamp(SUN_1700)],
        ).fetchall()
    assert "users_weekly" in str(plan)
    db = h.services.db
    assert services.weekly.top_up(db, SUN_1700, limit=2) == 2
    assert services.weekly.top_up(db, SUN_1700, limit=2) == 2
    assert services.weekly.top_up(db, SUN_1700, limit=2) == 0
    rows = h.rows("SELECT user_id, occurrence FROM reminders WHERE kind = 'weekly' ORDER BY 1")
    assert rows == [{"user_id": u, "occurrence": stamp(DUE)} for u in (1, 2, 3)]
    # The blocked runner is parked out of the index's range (no pass reads them again) until
    # they write again.
    [parked] = h.rows("SELECT weekly_until FROM users WHERE id = 4")
    assert parked["weekly_until"] == storage.users.PARKED
    storage.users.touch_user(db, 4, 4, "Back", "en", SUN_1700)
    assert services.weekly.top_up(db, SUN_1700) == 1
    assert [r["user_id"] for r in weekly_rows_all(h)] == [1, 2, 3, 4]
    # A runner picked up again with a note still ahead keeps one: the new one replaces it.
    with sqlite3.connect(h.config.db_path) as conn:
        conn.execute("UPDATE users SET weekly_until = '', weekly_time = '19:00' WHERE id = 1")
    assert services.weekly.top_up(db, SUN_1700) == 1
    assert weekly_rows(h, 1) == [
        {**weekly_rows(h, 1)[0], "occurrence": stamp(at(8, 19)), "status": "pending"}
    ]


async def test_a_forged_reminder_button_on_a_note_changes_nothing(harness):
    h = harness
    await h.start_at(SUN_1700)
    user = await runner(h)
    await h.move_to(at(8, 17, 50))
    await h.move_to(DUE)
    note = await user.expect(TITLE)
    [sent, _] = weekly_rows(h)
    rows = h.snapshot()
    for action in ("go", "st", "skip", "snz", "later"):
        q = user.press_data(note.message_id, f"rm:{sent['id']}:{action}")
        assert (await user.answer_for(q))[0] == "That button doesn't work any more."
    assert h.snapshot() == rows
    assert h.services.errors == 0


async def test_deleteme_removes_the_weekly_rows(harness):
    h = harness
    await h.start_at(SUN_1700)
    user = await runner(h)
    await h.move_to(at(8, 17, 50))
    await h.move_to(DUE)
    await user.expect(TITLE)
    assert len(weekly_rows(h)) == 2
    user.send("/deleteme")
    prompt = await user.expect("Delete all your data?")
    user.press("Yes, delete all my data", prompt)
    await user.wait_until(lambda: "deleted everything" in prompt.plain)
    assert h.rows("SELECT * FROM reminders") == []
    assert h.rows("SELECT * FROM users") == []


# --- in the runner's language ---------------------------------------------------------------


async def test_the_note_is_worded_in_the_language_the_runner_has_when_it_is_sent(harness):
    h = harness
    await h.start_at(SUN_1700)
    user = await runner(h, language_code="es")
    assert await h.move_to(at(8, 17)) == 0
    with sqlite3.connect(h.config.db_path) as conn:  # switched to Russian meanwhile
        conn.execute("UPDATE users SET language = 'ru'")
    assert await h.move_to(DUE) == 1
    ru = translators()["ru"]
    note = await user.expect(lambda m: ru.day(date(2026, 3, 1)) in m.plain)
    week = services.weekly.gather(h.services, h.services.db, user.id, DUE, DUE)
    quick = h.services.catalogue.routine_minutes("quick")
    assert note.text == views.weekly.note(ru, week, "UTC", quick).text
    assert week.routines == 1 and week.suggestion == Suggestion("plan")


def every_week() -> list[Week]:
    """A week with every line, and one for each suggestion."""
    now = at(8, 18)
    checkins = [CheckIn(at(17, 7, month=2), 8, 7), CheckIn(at(3, 7), 6, 4)]
    full = Week(
        DUE - timedelta(days=7),
        3,
        4,
        3,
        Streak(5, "run"),
        [
            Change("rotations", 0, 1, "easy", at(5, 8)),
            Change("flexion", 1, 1, "paused", at(6, 8), paused=True),
        ],
        tightness(checkins, now, "UTC"),
        Suggestion("paused", "flexion"),
    )
    weeks = [full]
    for tip in ("warm_up", "warm_up_self", "nothing_done", "plan", "checkins", "keep_up"):
        weeks.append(Week(DUE - timedelta(days=7), 0, 0, 0, Streak(0, "week"), [],
                          None, Suggestion(tip)))  # fmt: skip
    # Tightness with only an average (one week), and only a trend (no pairs).
    one = [CheckIn(at(3, 7), 6, 5)]
    trend = [CheckIn(at(17, 7, month=2), 8, None), CheckIn(at(3, 7), 6, None)]
    for c in (one, trend):
        weeks.append(Week(DUE - timedelta(days=7), 1, 0, 0, Streak(1, "week"), [],
                          tightness(c, now, "UTC"), Suggestion("keep_up")))  # fmt: skip
    return weeks


@pytest.mark.parametrize("lang", ["en", "es", "ru"])
def test_the_note_in_every_language_has_the_same_shape(lang):
    """Until the catalogs are merged this checks the shape, not the words: as many lines as
    in English, the runner's own day and number formats, valid HTML, short for a phone."""
    t, en = translators()[lang], translators()["en"]
    for week in every_week():
        text = views.weekly.note(t, week, "UTC", 6).text
        english = views.weekly.note(en, week, "UTC", 6).text
        assert len(text.splitlines()) == len(english.splitlines()) <= 9
        assert t.day_time(week.since) in text
        assert parse_html(text).length < 700
    full = views.weekly.note(t, every_week()[0], "UTC", 6).text
    assert t.day(date(2026, 3, 5)) in full  # the ladder move's day
    short = t.content.exercises["flexion"].short
    assert short[:1].upper() + short[1:] in full  # the paused exercise, by its own name
    assert "−1.5" in full.replace(",", ".")  # the average change, in the locale's digits
