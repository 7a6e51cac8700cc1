"""Planned runs and reminders end to end: the real bot, the fake Bot API, a movable clock.

Every test starts on Monday 2 March 2026, 06:00 UTC (`Harness.start_at`), without the
repeating dispatcher job: `Harness.move_to` moves the clock and runs one pass, so nothing
waits for real minutes and a pass's result is deterministic; one test checks the job itself
delivers on time.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.core.clock import to_db
from bot.sandbox import BotMessage, FakeUser
from bot.services.reminders import JOB_NAME, run_dispatch_pass
from bot.storage.plans import planned_runs
from tests.i18n import translators


def at(hour: int, minute: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def reminder_messages(user: FakeUser, text: str = "Run at") -> list[BotMessage]:
    return [m for m in user.messages if text in m.plain]


async def plan(user: FakeUser, args: str) -> BotMessage:
    user.send(f"/plan {args}")
    return await user.expect("planned")


@pytest.fixture
async def rbot(harness):
    await harness.start_at()
    return harness


# --- planning ---------------------------------------------------------------------------


async def test_shortcut_plan_then_reminder_and_start_opens_the_warm_up(rbot):
    user = rbot.user()
    saved = await plan(user, "mon,wed,fri 07:30")
    assert "Mon, Wed, Fri at 07:30 · 45 min" in saved.plain
    assert "Next: Mon 2 Mar, 07:30 · Wed 4 Mar, 07:30 · Fri 6 Mar, 07:30" in saved.plain
    assert "UTC until you set your zone" in saved.plain
    [p] = rbot.rows("SELECT * FROM plans")
    assert (p["weekdays"], p["local_time"], p["tz"], p["duration_minutes"]) == (
        "0,2,4",
        "07:30",
        "UTC",
        45,
    )
    rows = rbot.rows(
        "SELECT kind, occurrence, due_at FROM reminders WHERE kind != 'weekly' ORDER BY due_at"
    )
    assert len(rows) == 8  # Mon, Wed, Fri, Mon within the 8-day horizon, pre + post each
    assert rows[0] == {
        "kind": "pre_run",
        "occurrence": "2026-03-02T07:30:00.000000Z",
        "due_at": "2026-03-02T07:00:00.000000Z",
    }
    assert rows[1]["due_at"] == "2026-03-02T08:30:00.000000Z"  # 45 min run + 15 min

    assert await rbot.move_to(at(6, 59)) == 0
    assert await rbot.move_to(at(7, 0) + timedelta(seconds=3)) == 1
    reminder = await user.expect("Run at 07:30")
    assert reminder.plain == "🏃 Run at 07:30 (in 30 min). Warm up your hips: ~9 min."
    assert reminder.labels == ["▶ Start warm-up", "⏰ Snooze 10 min", "⏭ Skip this run"]
    assert not reminder.disable_notification
    [row] = rbot.rows("SELECT * FROM reminders WHERE status != 'pending'")
    assert (row["status"], row["message_id"], row["late"]) == ("sent", reminder.message_id, 0)

    user.press("Start warm-up", reminder)
    await user.expect("Hip rotations")
    [session] = rbot.rows("SELECT routine, status FROM sessions")
    assert session == {"routine": "pre_run", "status": "active"}
    await user.wait_until(lambda: reminder.buttons == [])
    assert rbot.rows("SELECT response FROM reminders WHERE status = 'sent'") == [{"response": "go"}]
    assert await rbot.move_to(at(7, 10)) == 0  # nothing is sent twice


async def test_plan_through_the_conversation(rbot):
    user = rbot.user()
    user.send("/plan")
    days = await user.expect("When do you run?")
    assert "UTC until you set your zone" in days.plain
    assert "at least one day" in (await user.answer_for(user.press("Next", days)))[0]
    assert (await user.answer_for(user.press("Mon", days)))[0] is None
    await user.wait_until(lambda: "✓ Mon" in days.labels)
    user.press("Wed", days)
    await user.wait_until(lambda: "✓ Wed" in days.labels)
    user.press("Next", days)
    await user.wait_until(lambda: "What time" in days.plain)
    user.send("7:61")
    await user.expect("like 07:30")
    user.send("07:30")
    duration = await user.expect("How long is the run?")
    user.press("60 min", duration)
    await user.wait_until(lambda: "Save" in str(duration.labels))
    assert "Mon, Wed at 07:30 · 60 min" in duration.plain
    assert "Next: Mon 2 Mar, 07:30 · Wed 4 Mar, 07:30 · Mon 9 Mar, 07:30" in duration.plain
    assert rbot.rows("SELECT * FROM plans") == []  # nothing saved before Save
    user.press("Save", duration)
    await user.wait_until(lambda: "planned" in duration.plain)
    assert duration.buttons == []
    [p] = rbot.rows("SELECT weekdays, local_time, duration_minutes, run_date FROM plans")
    assert p == {"weekdays": "0,2", "local_time": "07:30", "duration_minutes": 60, "run_date": None}
    assert len(rbot.rows("SELECT * FROM reminders WHERE kind != 'weekly'")) == 6

    # A single day, a typed duration; then /cancel leaves without saving.
    user.send("/plan")
    days = await user.expect("When do you run?")
    user.press("Tomorrow", days)
    await user.wait_until(lambda: "What time on Tue 3 Mar" in days.plain)
    user.send("18:00")
    await user.expect("How long")
    user.send("50")
    confirm = await user.expect("Tue 3 Mar at 18:00 · 50 min")
    user.press("Save", confirm)
    await user.wait_until(lambda: "planned" in confirm.plain)
    assert rbot.rows("SELECT run_date, weekdays FROM plans WHERE id = 2") == [
        {"run_date": "2026-03-03", "weekdays": None}
    ]
    user.send("/plan")
    await user.expect("When do you run?")
    user.send("/cancel")
    await user.expect("no plan saved")
    user.send("/runs")  # proves /cancel was answered once, by the conversation
    await user.expect("Your runs")
    assert not any("Nothing to cancel" in m.plain for m in user.messages)
    assert len(rbot.rows("SELECT * FROM plans")) == 2


async def test_bad_plans_are_refused_and_nothing_is_saved(rbot):
    user = rbot.user()
    for bad in ("funday 25:99", "2020-01-01 10:00", "today 05:00", "mon", "mon 07:30 9999"):
        user.send(f"/plan {bad}")
        answer = await user.expect("Nothing saved")
        assert "passed" in answer.plain or "/plan mon,wed,fri 07:30" in answer.plain
    assert rbot.rows("SELECT * FROM plans") == []
    assert rbot.rows("SELECT * FROM reminders") == []
    saved = await plan(user, "today 18:00")
    assert "Run planned: Mon 2 Mar at 18:00" in saved.plain


# --- reminder buttons -------------------------------------------------------------------


async def test_snooze_skip_and_the_post_run_prompt(rbot):
    user = rbot.user()
    await plan(user, "mon,wed 07:30")
    await rbot.move_to(at(7, 0))
    first = await user.expect("Run at 07:30 (in 30 min)")
    q = user.press("Snooze", first)
    assert (await user.answer_for(q))[0] == "OK, again in 10 min."
    await user.wait_until(lambda: first.buttons == [])
    assert await rbot.move_to(at(7, 9)) == 0
    assert await rbot.move_to(at(7, 10) + timedelta(seconds=1)) == 1
    second = await user.expect("Run at 07:30 (in 20 min)")
    [row] = rbot.rows("SELECT status, snoozes, message_id FROM reminders WHERE status = 'sent'")
    assert row == {"status": "sent", "snoozes": 1, "message_id": second.message_id}

    # After the run (07:30 + 45 + 15): the stretch prompt; Start opens the post-run routine.
    assert await rbot.move_to(at(8, 30)) == 1
    prompt = await user.expect("How was the run?")
    assert prompt.plain == "👟 How was the run? 90/90 stretch, ~3 min."
    assert prompt.labels == ["▶ Start stretch", "Later", "Not today"]
    assert (await user.answer_for(user.press("Later", prompt)))[0] == "OK, again in 30 min."
    assert await rbot.move_to(at(9, 0) + timedelta(seconds=1)) == 1
    again = await user.expect("How was the run?")
    user.press("Start stretch", again)
    await user.expect("90/90")
    assert rbot.rows("SELECT routine FROM sessions") == [{"routine": "post_run"}]

    # Wednesday: skip this run -> no post-run prompt, and it no longer counts as planned.
    assert await rbot.move_to(at(7, 0, day=4)) == 1
    wed = await user.expect("Run at 07:30")
    go = next(d for row in wed.buttons for t, d in row if "Start" in t)
    q = user.press("Skip this run", wed)
    assert "Skipped" in (await user.answer_for(q))[0]
    assert await rbot.move_to(at(9, 0, day=4)) == 0
    [post] = rbot.rows(
        "SELECT status, reason FROM reminders WHERE kind = 'post_run' "
        "AND occurrence = '2026-03-04T07:30:00.000000Z'"
    )
    assert post == {"status": "skipped", "reason": "run skipped"}
    runs = planned_runs(rbot.services.db, user.id, at(0), at(0, day=6))
    assert runs == [at(7, 30)]
    # Old buttons: answered, nothing changes.
    await user.wait_until(lambda: wed.buttons == [])
    q = user.press_data(wed.message_id, go)
    assert (await user.answer_for(q))[0] == "That reminder is done."
    assert len(rbot.rows("SELECT * FROM sessions")) == 1


async def test_skip_this_run_commits_all_or_nothing(rbot):
    user = rbot.user()
    await plan(user, "mon,wed 07:30")
    await rbot.move_to(at(7, 0))
    reminder = await user.expect("Run at 07:30")
    # A crash between the answer and the skip: the skip's insert fails (a temporary trigger
    # on the bot's own connection, gone with it; nothing in the database file).
    db = rbot.services.db
    db.execute(
        "CREATE TEMP TRIGGER crash_on_skip BEFORE INSERT ON plan_skips "
        "BEGIN SELECT RAISE(ABORT, 'simulated crash'); END"
    )
    user.press("Skip this run", reminder)
    await user.expect("went wrong")
    monday = "2026-03-02T07:30:00.000000Z"
    assert rbot.rows("SELECT response FROM reminders WHERE status = 'sent'") == [{"response": None}]
    assert rbot.rows("SELECT * FROM plan_skips") == []
    assert rbot.rows(
        "SELECT status FROM reminders WHERE kind = 'post_run' AND occurrence = ?", (monday,)
    ) == [{"status": "pending"}]
    assert reminder.labels == ["▶ Start warm-up", "⏰ Snooze 10 min", "⏭ Skip this run"]

    db.execute("DROP TRIGGER temp.crash_on_skip")
    q = user.press("Skip this run", reminder)  # the same button works: nothing was half-done
    assert (await user.answer_for(q))[0] == "Skipped this run. Rest well!"
    assert rbot.rows("SELECT response FROM reminders WHERE status = 'sent'") == [
        {"response": "skip"}
    ]
    assert rbot.rows("SELECT occurrence FROM plan_skips") == [{"occurrence": monday}]
    assert await rbot.move_to(at(8, 30)) == 0  # no post-run prompt for a skipped run
    assert planned_runs(rbot.services.db, user.id, at(0), at(0, day=3)) == []


async def test_foreign_and_forged_reminder_buttons_change_nothing(rbot):
    user = rbot.user()
    await plan(user, "today 07:30")
    await rbot.move_to(at(7, 0))
    reminder = await user.expect("Run at")
    go = next(d for row in reminder.buttons for t, d in row if "Start" in t)
    mallory = rbot.user(2002, "Mallory")
    mallory.send("/runs")
    hello = await mallory.expect("No runs planned")
    rows = rbot.snapshot()
    q = mallory.press_data(hello.message_id, go)
    assert (await mallory.answer_for(q))[0] == "That isn't your reminder."
    for junk in ("rm:x:go", "rm:1:zap", "rm:999:go", "rn:d:1", "rn:s:1:99999999999999", "tz:Nope"):
        q = mallory.press_data(hello.message_id, junk)
        assert (await mallory.answer_for(q))[0]
    assert rbot.snapshot() == rows
    assert rbot.services.errors == 0


async def test_quiet_once_done(rbot):
    user = rbot.user()
    await plan(user, "today 07:30")
    user.send("/routine")
    user.press("Pre-run", await user.expect("Pick a routine"))
    await user.see(lambda m: "Hip rotations" in m.plain and "Why:" in m.plain)  # menu -> card
    assert await rbot.move_to(at(7, 0)) == 0
    [pre] = rbot.rows("SELECT status, reason FROM reminders WHERE kind = 'pre_run'")
    assert pre == {"status": "skipped", "reason": "already warmed up"}
    assert reminder_messages(user) == []


# --- settings ---------------------------------------------------------------------------


async def test_time_zone_change_moves_every_future_reminder(rbot):
    user = rbot.user()
    await plan(user, "mon,wed 09:30")
    user.send("/timezone America/New_Yrok")
    unknown = await user.expect("I don't know the time zone")
    user.press("America/New_York", unknown)
    done = await user.expect("Time zone set to America/New_York")
    assert "it's 01:00 there" in done.plain
    assert done.reply_markup == {"remove_keyboard": True}
    pre = rbot.rows(
        "SELECT occurrence, due_at FROM reminders WHERE kind = 'pre_run' ORDER BY due_at"
    )
    # 09:30 in New York: UTC-5 until 8 March, then UTC-4 (wall time kept across DST).
    assert [r["occurrence"][:16] for r in pre] == [
        "2026-03-02T14:30",
        "2026-03-04T14:30",
        "2026-03-09T13:30",
    ]
    assert rbot.rows("SELECT tz FROM plans") == [{"tz": "America/New_York"}]
    assert await rbot.move_to(at(9, 0)) == 0  # the old UTC time passes quietly
    assert await rbot.move_to(at(14, 0)) == 1
    await user.expect("Run at 09:30 (in 30 min)")

    # Lead time: every future pending reminder moves at once; off removes them.
    user.send("/remind 60")
    await user.expect("60 min before each run")
    pre = rbot.rows("SELECT due_at, status FROM reminders WHERE kind = 'pre_run' ORDER BY id")
    assert [(r["due_at"][:16], r["status"]) for r in pre] == [
        ("2026-03-02T14:00", "sent"),
        ("2026-03-04T13:30", "pending"),
        ("2026-03-09T12:30", "pending"),
    ]
    user.send("/remind 2")
    await user.expect("from 5 to 240")
    user.send("/remind off")
    await user.expect("reminders are off")
    assert rbot.rows("SELECT * FROM reminders WHERE kind = 'pre_run' AND status = 'pending'") == []
    user.send("/afterrun off")
    await user.expect("prompts are off")
    assert rbot.rows("SELECT kind FROM reminders WHERE status = 'pending'") == [{"kind": "weekly"}]
    assert rbot.rows("SELECT remind_minutes, afterrun_minutes FROM users") == [
        {"remind_minutes": None, "afterrun_minutes": None}
    ]


async def test_time_zone_from_a_shared_location(rbot):
    user = rbot.user()
    user.send_location(27.7172, 85.3240)  # not asked for: changes nothing
    await user.expect("send /timezone first")
    user.send("/timezone")
    prompt = await user.expect("Share location")
    keyboard = prompt.reply_markup["keyboard"]
    assert keyboard[0][0] == {"text": "📍 Share location", "request_location": True}
    user.send_location(27.7172, 85.3240)
    await user.expect(lambda m: "Time zone set to Asia/Kat" in m.plain)
    [u] = rbot.rows("SELECT tz, tz_set_at FROM users")
    assert u["tz"] in ("Asia/Kathmandu", "Asia/Katmandu") and u["tz_set_at"]
    saved = await plan(user, "tomorrow 06:00")
    assert "UTC" not in saved.plain
    [p] = rbot.rows("SELECT tz FROM plans")
    assert p["tz"] == u["tz"]
    [pre] = rbot.rows("SELECT occurrence FROM reminders WHERE kind = 'pre_run'")
    assert pre["occurrence"] == "2026-03-03T00:15:00.000000Z"  # +05:45


# --- reliability ------------------------------------------------------------------------


async def test_restart_sends_the_late_one_once_and_drops_the_stale_one(harness):
    h = harness
    await h.start_at()
    user = h.user()
    await plan(user, "today 06:40")  # A: pre due 06:10, run starts during the downtime
    await plan(user, "today 07:30")  # B: pre due 07:00, run still ahead after the downtime
    await plan(user, "today 07:20")  # C: pre due 06:50, "crashed" right after claiming it
    await h.stop()
    with sqlite3.connect(h.config.db_path) as conn:
        conn.execute(
            "UPDATE reminders SET status = 'claimed' WHERE kind = 'pre_run' AND plan_id = 3"
        )
    h.clock.set(at(7, 5))

    await h.start()  # the dispatcher job's first pass runs right after start
    late = await user.expect("Run at 07:30")
    assert late.plain.startswith("⏰ Sorry, this comes late")
    assert "(in 25 min)" in late.plain
    h.stop_dispatcher()
    assert await run_dispatch_pass(h.app) == 0
    for _ in range(2):  # more restarts, more passes: still nothing twice
        await h.restart()
        h.stop_dispatcher()
        assert await run_dispatch_pass(h.app) == 0
    assert await h.move_to(at(7, 40)) == 1  # A's stretch prompt (06:40 + 45 + 15)
    await user.expect("How was the run?")

    pre = {
        r["plan_id"]: r
        for r in h.rows(
            "SELECT plan_id, status, reason, late, message_id FROM reminders WHERE kind = 'pre_run'"
        )
    }
    assert (pre[1]["status"], pre[1]["reason"]) == ("dropped", "run started")
    assert (pre[2]["status"], pre[2]["late"], pre[2]["message_id"]) == ("sent", 1, late.message_id)
    assert pre[3]["status"] == "claimed"  # at most once: never sent after the crash
    # 0 duplicates, 0 lost: one message per sent row, and nothing due is still pending.
    sent = h.rows("SELECT message_id FROM reminders WHERE status = 'sent'")
    shown = [m for m in user.messages if "Run at" in m.plain or "How was the run" in m.plain]
    assert sorted(m.message_id for m in shown) == sorted(r["message_id"] for r in sent)
    assert len(shown) == len(sent) == 2
    assert (
        h.rows(
            "SELECT * FROM reminders WHERE status = 'pending' AND due_at <= ?",
            ("2026-03-02T07:40:00.000000Z",),
        )
        == []
    )


async def test_dispatcher_job_delivers_within_15_seconds(harness):
    h = harness
    await h.start_at(dispatcher=True)
    user = h.user()
    await plan(user, "today 07:30")
    assert [j.name for j in h.app.job_queue.jobs() if j.name == JOB_NAME] == [JOB_NAME]
    h.clock.set(at(7, 0))
    await user.expect("Run at 07:30", timeout=15)
    assert len(reminder_messages(user)) == 1


async def test_blocked_user_gets_nothing_until_they_write_again(rbot):
    user = rbot.user()
    await plan(user, "mon,wed 07:30")
    rbot.api.block(user.id)
    assert await rbot.move_to(at(7, 0)) == 0
    assert rbot.rows("SELECT active FROM users") == [{"active": 0}]
    assert await rbot.move_to(at(8, 30)) == 0
    rows = rbot.rows(
        "SELECT kind, status, reason FROM reminders WHERE due_at <= ? ORDER BY id",
        ("2026-03-02T08:30:00.000000Z",),
    )
    assert rows == [
        {"kind": "pre_run", "status": "failed", "reason": "send failed"},
        {"kind": "post_run", "status": "dropped", "reason": "user inactive"},
    ]
    rbot.api.unblock(user.id)
    user.send("/runs")
    await user.expect("Your runs")
    assert rbot.rows("SELECT active FROM users") == [{"active": 1}]
    assert await rbot.move_to(at(7, 0, day=4)) == 1
    await user.expect("Run at 07:30")


async def test_runs_list_skips_one_run_and_deletes_a_plan(rbot):
    user = rbot.user()
    await plan(user, "tue,thu 18:00")
    await plan(user, "2026-03-20 09:00")  # beyond 7 days: listed as a plan only
    user.send("/runs")
    listing = await user.expect("Your runs, next 7 days")
    assert "Tue 3 Mar, 18:00 · 45 min" in listing.plain
    assert "Thu 5 Mar, 18:00" in listing.plain
    assert "Fri 20 Mar at 09:00" in listing.plain
    user.press("Skip Tue 3 Mar, 18:00", listing)
    await user.wait_until(lambda: "skipped" in listing.plain)
    assert "Tue 3 Mar, 18:00 · 45 min — skipped" in listing.plain
    skipped = rbot.rows(
        "SELECT kind, status FROM reminders WHERE occurrence = '2026-03-03T18:00:00.000000Z'"
    )
    assert {(r["kind"], r["status"]) for r in skipped} == {
        ("pre_run", "skipped"),
        ("post_run", "skipped"),
    }
    assert await rbot.move_to(at(17, 30, day=3)) == 0
    user.press("Delete Tue, Thu", listing)
    await user.wait_until(lambda: "Tue, Thu" not in listing.plain)
    assert rbot.rows("SELECT id, active FROM plans ORDER BY id") == [
        {"id": 1, "active": 0},
        {"id": 2, "active": 1},
    ]
    assert rbot.rows("SELECT * FROM reminders WHERE plan_id = 1 AND status = 'pending'") == []
    assert await rbot.move_to(at(17, 30, day=5)) == 0
    # The command menu offers the new commands.
    names = [c["command"] for c in next(iter(rbot.api.commands.values()))]
    assert {"plan", "runs", "timezone", "remind", "afterrun"} <= set(names)


async def test_a_send_that_may_have_arrived_is_never_retried(rbot):
    user = rbot.user()
    await plan(user, "today 07:30")
    # Telegram delivers the message but the answer is lost: the row is 'failed', not resent.
    rbot.api.inject_fault("sendMessage", status=0, description="timeout", executed=True)
    assert await rbot.move_to(at(7, 0)) == 0
    await user.expect("Run at 07:30")
    assert await rbot.move_to(at(7, 5)) == 0
    assert len(reminder_messages(user)) == 1
    [row] = rbot.rows("SELECT status, reason FROM reminders WHERE kind = 'pre_run'")
    assert row == {"status": "failed", "reason": "send failed"}


# --- in the runner's language -----------------------------------------------------------


async def test_a_spanish_runner_plans_in_spanish_and_reminders_follow_their_language(rbot):
    """Spanish words in /plan and Spanish formats in the answers; a reminder is worded in
    the language the runner has when it is sent (here switched to Russian meanwhile)."""
    from bot import services, views
    from bot.core.planning import Rule
    from bot.views.base import NOT_NOW, SHARE_LOCATION

    es, ru = translators()["es"], translators()["ru"]
    user = rbot.api.user(3003, "Lucía", language_code="es-MX")
    user.send("/plan lun,Mié 07:30 60 min")
    saved = await user.expect(lambda m: "lun, mié" in m.plain)
    rule = Rule(at=time(7, 30), tz="UTC", weekdays=frozenset({0, 2}), duration_minutes=60)
    upcoming = [at(7, 30), at(7, 30, day=4), at(7, 30, day=9)]
    assert saved.text == views.plans.plan_saved(es, rule, upcoming, False).text
    assert "lun, 2 mar, 7:30 · mié, 4 mar, 7:30" in saved.plain  # Spanish formats (CLDR)
    [p] = rbot.rows("SELECT weekdays, local_time, duration_minutes FROM plans")
    assert p == {"weekdays": "0,2", "local_time": "07:30", "duration_minutes": 60}

    warm_up = rbot.services.catalogue.routine_minutes("pre_run")
    assert await rbot.move_to(at(7, 0)) == 1
    monday = await user.expect(lambda m: "7:30" in m.plain)
    [sent] = rbot.rows("SELECT id FROM reminders WHERE status = 'sent'")
    expected = views.plans.pre_run_reminder(
        es, sent["id"], at(7, 30), at(7), "UTC", warm_up, late=False
    )
    assert (monday.text, monday.buttons) == (expected.text, expected.buttons)
    assert "07:30" not in monday.plain
    q = user.press(es._("⏰ Snooze 10 min"), monday)
    assert (await user.answer_for(q))[0] == es._("OK, again in {minutes} min.", minutes=10)

    # The runner switches to Russian before the snoozed reminder comes back.
    user.send("/language")
    picker = await user.expect(lambda m: "Русский" in m.labels)
    user.press("Русский", picker)
    await user.wait_until(lambda: rbot.rows("SELECT language FROM users") == [{"language": "ru"}])
    assert await rbot.move_to(at(7, 10) + timedelta(seconds=1)) == 1
    again = await user.expect(lambda m: "07:30" in m.plain)
    expected = views.plans.pre_run_reminder(
        ru, sent["id"], at(7, 30), at(7, 10) + timedelta(seconds=1), "UTC", warm_up, late=False
    )
    assert (again.text, again.buttons) == (expected.text, expected.buttons)

    # /runs, a skip and the settings answer in Russian too.
    user.send("/runs")
    wednesday = ru.day_time(at(7, 30, day=4))
    listing = await user.expect(lambda m: wednesday in m.plain)
    assert wednesday == "ср, 4 мар., 07:30"
    q = user.press(ru._("⏭ Skip {when}", when=wednesday), listing)
    assert (await user.answer_for(q))[0] == ru.msg(services.plans.SKIPPED)
    assert rbot.rows("SELECT occurrence FROM plan_skips") == [
        {"occurrence": "2026-03-04T07:30:00.000000Z"}
    ]
    user.send("/remind 2")
    usage = await user.expect(lambda m: "/remind N" in m.plain)
    assert usage.text == views.plans.setting_usage(ru, "remind", 30, 5, 240).text
    user.send("/timezone")
    prompt = await user.expect(lambda m: "/timezone Europe" in m.plain)
    keyboard = prompt.reply_markup["keyboard"]
    assert keyboard[0][0] == {"text": ru.msg(SHARE_LOCATION), "request_location": True}
    user.send(keyboard[1][0]["text"])
    assert keyboard[1][0]["text"] == ru.msg(NOT_NOW)
    gone = await user.expect(ru.msg(views.plans.ZONE_LATER))
    assert gone.reply_markup == {"remove_keyboard": True}
    assert rbot.rows("SELECT tz FROM users") == [{"tz": "UTC"}]


async def test_the_guided_plan_in_russian(rbot):
    """Localized weekday buttons (CLDR), a typed Russian day word, and the rows it saves."""
    from bot import views
    from bot.core.planning import Rule

    ru = translators()["ru"]
    user = rbot.api.user(3004, "Оля", language_code="ru")
    user.send("/plan")
    days = await user.expect(lambda m: "Пн" in m.labels)
    assert days.labels[:7] == ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"]
    user.press("Ср", days)
    await user.wait_until(lambda: "✓ Ср" in days.labels)
    user.press("Пт", days)
    await user.wait_until(lambda: "✓ Пт" in days.labels)
    user.press(ru._("Next ➡"), days)
    asked = views.plans.ask_time(ru, "ср, пт").text
    await user.wait_until(lambda: days.text == asked)
    user.send("7.30")
    duration = await user.expect(ru._("How long is the run? Tap one, or send the minutes."))
    user.press(ru._("{minutes} min", minutes="60"), duration)
    rule = Rule(at=time(7, 30), tz="UTC", weekdays=frozenset({2, 4}), duration_minutes=60)
    upcoming = [at(7, 30, day=4), at(7, 30, day=6), at(7, 30, day=11)]
    expected = views.plans.confirm(ru, rule, upcoming, False)
    await user.wait_until(lambda: duration.text == expected.text)
    assert "ср, пт" in duration.plain and "ср, 4 мар., 07:30" in duration.plain
    assert rbot.rows("SELECT * FROM plans") == []
    user.press(ru._("✓ Save"), duration)
    await user.wait_until(
        lambda: duration.text == views.plans.plan_saved(ru, rule, upcoming, False).text
    )

    # A single day typed in Russian at the date step.
    user.send("/plan")
    days = await user.expect(lambda m: "Пн" in m.labels)
    user.press(ru._("Other date"), days)
    await user.wait_until(lambda: days.text == views.plans.ask_date(ru).text)
    user.send("Завтра")
    await user.expect(lambda m: m.text == views.plans.ask_time(ru, "вт, 3 мар.").text)
    user.send("18:00")
    await user.expect(ru._("How long is the run? Tap one, or send the minutes."))
    user.send("50 мин")
    confirm = await user.expect(
        lambda m: "вт, 3 мар. в 18:00" in m.plain or "18:00 · 50" in m.plain
    )
    user.press(ru._("✓ Save"), confirm)
    await user.wait_until(lambda: len(rbot.rows("SELECT * FROM plans")) == 2)
    assert rbot.rows("SELECT weekdays, run_date, local_time, duration_minutes FROM plans") == [
        {"weekdays": "2,4", "run_date": None, "local_time": "07:30", "duration_minutes": 60},
        {"weekdays": None, "run_date": "2026-03-03", "local_time": "18:00", "duration_minutes": 50},
    ]


async def test_a_snoozed_reminder_keeps_its_snooze_through_a_rebuild(rbot):
    """A settings change rebuilds future reminders; a snoozed one is not sent again at once
    (it kept its snooze), and the weekly note's settings leave run reminders alone."""
    user = rbot.user()
    await plan(user, "mon,wed 07:30")
    await rbot.move_to(at(7, 0))
    first = await user.expect("Run at 07:30 (in 30 min)")
    await user.answer_for(user.press("Snooze", first))
    rbot.clock.set(at(7, 1))
    user.send("/remind 45")  # a rebuild of every future row
    await user.expect("45 min")
    user.send("/settings")
    listing = await user.expect("Your settings")
    user.press("Weekly note", listing)
    await user.wait_until(lambda: "Sat" in " ".join(listing.labels))
    await user.answer_for(user.press("Sat", listing, exact=True))
    [row] = rbot.rows(
        "SELECT due_at, snoozes FROM reminders WHERE kind = 'pre_run' AND status = 'pending' "
        "AND occurrence = ?",
        (to_db(at(7, 30)),),
    )
    assert (row["due_at"][:16], row["snoozes"]) == (to_db(at(7, 10))[:16], 1)
    assert await rbot.move_to(at(7, 2)) == 0  # not again at once
    assert await rbot.move_to(at(7, 10) + timedelta(seconds=1)) == 1
    await user.expect("Run at 07:30 (in 20 min)")
