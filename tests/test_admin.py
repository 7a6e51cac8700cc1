"""/stats: counts for the operators in HIPCOACH_ADMIN_IDS, the unknown-command answer for
everyone else, never in the public menu; and the counts themselves on any database version."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.core.clock import to_db
from bot.storage.db import open_db
from bot.storage.stats import collect_stats
from tests.tagged import tag_languages

ADMIN, RUNNER = 1001, 2002
UNKNOWN = "I don't know that command. Send /help for the list."


def seed_training(db, user_id: int, now: datetime) -> None:
    """One session with two sets this week, and an old session with one set."""
    for session_id, when, n_sets in ((501, now, 2), (502, now - timedelta(days=10), 1)):
        db["sessions"].insert(
            {
                "id": session_id,
                "user_id": user_id,
                "chat_id": user_id,
                "routine": "quick",
                "status": "completed",
                "started_at": to_db(when),
                "updated_at": to_db(when),
                "phase": "done",
            }
        )
        for set_no in range(1, n_sets + 1):
            db["sets"].insert(
                {
                    "user_id": user_id,
                    "session_id": session_id,
                    "exercise": "rotations",
                    "set_no": set_no,
                    "performed_at": to_db(when),
                    "created_at": to_db(when),
                }
            )


async def test_admin_sees_the_counts(harness):
    harness.reconfigure(admin_ids=frozenset({ADMIN}))
    await harness.start()
    runner = harness.user(RUNNER, "Runner")
    runner.send("/start")
    await runner.expect("hip coach")
    seed_training(harness.services.db, RUNNER, harness.services.clock.now())

    admin = harness.user(ADMIN, "Op")
    admin.send("/stats")
    stats = await admin.expect("hipcoach stats")
    lines = stats.plain.splitlines()
    assert "Users: 2 (0 blocked the bot)" in lines
    assert "Active, last 7 days: 2" in lines
    assert "Sessions, last 7 days: 1 · sets: 2" in lines  # the 10-day-old session is not
    assert "Errors since start: 0" in lines
    # What it counted is what the database holds.
    assert len(harness.rows("SELECT id FROM users")) == 2
    assert len(harness.rows("SELECT id FROM sets")) == 3


async def test_only_admin_chats_get_stats_in_their_menu(harness):
    harness.reconfigure(admin_ids=frozenset({ADMIN}))
    await harness.start()
    menus = {
        json.loads(scope)["type"] + str(json.loads(scope).get("chat_id", "")): [
            c["command"] for c in commands
        ]
        for (scope, _), commands in harness.api.commands.items()
    }
    assert "stats" not in menus["default"]
    assert menus[f"chat{ADMIN}"] == [*menus["default"], "stats"]


async def test_everyone_else_gets_the_unknown_command_answer(harness):
    harness.reconfigure(admin_ids=frozenset({ADMIN}))
    await harness.start()
    runner = harness.user(RUNNER, "Runner")
    runner.send("/stats")
    answer = await runner.expect(lambda m: True)
    runner.send("/nosuchcommand")
    baseline = await runner.expect(lambda m: True)
    assert answer.plain == baseline.plain == UNKNOWN
    assert answer.buttons == baseline.buttons
    assert not any("stats" in m.plain for m in runner.messages)
    # /stats is not in the menu Telegram shows to users (only in the admin's own chat).
    menus = [m for (scope, _), m in harness.api.commands.items() if str(ADMIN) not in scope]
    assert menus and all(c["command"] != "stats" for menu in menus for c in menu)


async def test_stats_are_worded_in_the_operators_language(harness):
    """/stats is a Telegram message like any other: in the operator's language, each count
    of days with its plural; a runner in that language still gets only the unknown-command
    answer, in their language."""
    harness.reconfigure(admin_ids=frozenset({ADMIN}))
    await harness.start()
    tag_languages(harness, "ru")
    admin = harness.api.user(ADMIN, "Op", language_code="ru")
    admin.send("/stats")
    stats = await admin.expect("hipcoach stats")
    assert stats.plain.splitlines() == [
        "📊 hipcoach stats",
        "[ru] Users: 1 (0 blocked the bot)",
        "[ru n=7] Active, last 7 days: 1",
        "[ru n=7] Sessions, last 7 days: 0 · sets: 0",
        "[ru] Planned runs: 0 · reminders sent: 0",
        "[ru] Errors since start: 0",
    ]
    runner = harness.api.user(RUNNER, "Runner", language_code="ru")
    runner.send("/stats")
    answer = await runner.expect(lambda m: True)
    assert answer.plain == f"[ru] {UNKNOWN}"
    assert [r["language_code"] for r in harness.rows("SELECT * FROM users ORDER BY id")] == [
        "ru",
        "ru",
    ]


async def test_no_admins_means_nobody(bot):
    admin = bot.user(ADMIN, "Op")
    admin.send("/stats")
    assert (await admin.expect(lambda m: True)).plain == UNKNOWN


async def test_errors_since_start_are_counted(harness):
    harness.reconfigure(admin_ids=frozenset({ADMIN}))
    await harness.start()
    runner = harness.user(RUNNER, "Runner")
    # The unknown-command reply fails once in a way nothing retries: an unexpected error.
    harness.api.inject_fault(
        "sendMessage", status=400, description="Bad Request: boom", chat_id=RUNNER
    )
    runner.send("/nosuchcommand")
    await runner.expect("something went wrong")
    admin = harness.user(ADMIN, "Op")
    admin.send("/stats")
    stats = await admin.expect("hipcoach stats")
    assert "Errors since start: 1" in stats.plain.splitlines()


def test_counts_plans_and_reminders_only_when_their_tables_exist(tmp_path):
    now = datetime(2025, 6, 4, 12, tzinfo=UTC)
    db = open_db(tmp_path / "x.db")
    try:
        db.execute("PRAGMA foreign_keys = OFF")
        for table in ("reminders", "plans"):  # as a database from before those features
            if table in db.table_names():
                db[table].drop()
        before = collect_stats(db, now - timedelta(days=7))
        assert (before.plans, before.reminders_sent) == (None, None)
        assert (before.users, before.sessions, before.sets) == (0, 0, 0)

        db["plans"].insert_all(
            [{"id": 1, "active": 1}, {"id": 2, "active": 0}, {"id": 3, "active": 1}]
        )
        db["reminders"].insert_all(
            [{"id": i, "status": s} for i, s in enumerate(["sent", "pending", "sent", "failed"])]
        )
        after = collect_stats(db, now - timedelta(days=7))
        assert (after.plans, after.reminders_sent) == (2, 2)
    finally:
        db.close()
