"""The runner's own data through the real bot: /export files match the database, and
/deleteme leaves no row naming them while another runner's rows stay exactly as they were."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from bot.sandbox import FakeUser
from bot.transport import timers
from bot.views.export import CSV_COLUMNS
from tests.test_routine_flow import choose, finish_exercise

# Ids that no counter, message id or timestamp in these tests can collide with.
ADA, BOB = 770_001_234, 770_005_678


async def quick_routine(user: FakeUser) -> None:
    """The one-set-of-each routine, rated 'hard' for every exercise."""
    card = await choose(user, "Quick")
    for i in range(3):
        if i:
            card = await user.expect("Why:")
        await finish_exercise(user, card, rating="Hard")
    await user.expect("complete!")


async def log(user: FakeUser, text: str) -> None:
    user.send(text)
    await user.expect("Logged")


def add_plan_rows(h, user_id: int) -> None:
    """A plan with a skipped run and a sent reminder, as the planned-runs feature stores them."""
    stamp = "2025-05-01T00:00:00.000000Z"
    db = h.services.db
    with db.atomic():
        plan_id = db.execute(
            "INSERT INTO plans (user_id, weekdays, local_time, tz, materialised_until, "
            "created_at, updated_at) VALUES (?, '0,2', '07:00', 'UTC', "
            "'2999-01-01T00:00:00.000000Z', ?, ?)",
            [user_id, stamp, stamp],
        ).lastrowid
        db.execute(
            "INSERT INTO plan_skips (plan_id, occurrence, created_at) VALUES (?, ?, ?)",
            [plan_id, "2025-05-05T07:00:00.000000Z", stamp],
        )
        db.execute(
            "INSERT INTO reminders (user_id, plan_id, occurrence, kind, due_at, status, "
            "created_at, updated_at) VALUES (?, ?, ?, 'pre_run', ?, 'sent', ?, ?)",
            [user_id, plan_id, "2025-05-07T07:00:00.000000Z", stamp, stamp, stamp],
        )


def add_future_feature_rows(h, user_id: int) -> None:
    """Tables a later feature might add: one with user_id, a child without it."""
    db = h.services.db
    with db.atomic():
        db.execute(
            "CREATE TABLE IF NOT EXISTS badges (id INTEGER PRIMARY KEY, "
            "user_id INTEGER NOT NULL REFERENCES users(id), name TEXT)"
        )
        db.execute(
            "CREATE TABLE IF NOT EXISTS badge_notes (id INTEGER PRIMARY KEY, "
            "badge_id INTEGER NOT NULL REFERENCES badges(id), note TEXT)"
        )
        badge = db.execute(
            "INSERT INTO badges (user_id, name) VALUES (?, 'first week')", [user_id]
        ).lastrowid
        db.execute("INSERT INTO badge_notes (badge_id, note) VALUES (?, 'well done')", [badge])


def tables(h) -> list[str]:
    return [r["name"] for r in h.rows("SELECT name FROM sqlite_master WHERE type = 'table'")]


def cells_naming(h, user_id: int) -> list[tuple[str, str, Any]]:
    """Every (table, column, value) anywhere in the database equal to the id."""
    hits = []
    for table in tables(h):
        for row in h.rows(f"SELECT * FROM [{table}]"):
            for column, value in row.items():
                if value == user_id or value == str(user_id):
                    hits.append((table, column, value))
    return hits


def snapshot(h, user_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row in every table that names the user in any column."""
    out = {}
    for table in tables(h):
        rows = h.rows(f"SELECT * FROM [{table}]")
        out[table] = [r for r in rows if user_id in r.values() or str(user_id) in r.values()]
    return out


# --- export --------------------------------------------------------------------------------


async def test_export_sends_a_csv_and_a_json_that_match_the_database(bot):
    ada, bob = bot.user(ADA, "Ada"), bot.user(BOB, "Bob")
    await quick_routine(ada)
    await log(ada, "/log flexion 2x15 left")
    await log(ada, "/log yesterday 90/90 1x40s")
    await log(bob, "/log rotations 2x10")
    add_plan_rows(bot, ADA)
    ada.send("/export")
    csv_doc = await ada.expect(lambda m: m.kind == "document")
    json_doc = await ada.expect(lambda m: m.kind == "document")
    assert csv_doc.filename.endswith(".csv") and json_doc.filename.endswith(".json")
    assert "spreadsheet" in csv_doc.plain

    # The CSV: one row per set, in time order, every column matching the database.
    reader = csv.DictReader(io.StringIO(csv_doc.file_data.decode("utf-8")))
    assert reader.fieldnames[: len(CSV_COLUMNS)] == CSV_COLUMNS
    rows = list(reader)
    expected = bot.rows(
        "SELECT s.*, se.routine, f.rating FROM sets s "
        "LEFT JOIN sessions se ON se.id = s.session_id "
        "LEFT JOIN feedback f ON f.session_id = s.session_id AND f.exercise = s.exercise "
        "WHERE s.user_id = ? ORDER BY s.performed_at, s.id",
        (ADA,),
    )
    assert len(rows) == len(expected) == 6 + 2 + 2
    for got, want in zip(rows, expected, strict=True):
        assert got["timestamp"] == want["performed_at"]
        assert got["routine"] == (want["routine"] or "log")
        assert (got["exercise"], got["side"], got["set"]) == (
            want["exercise"],
            want["side"],
            str(want["set_no"]),
        )
        target = want["target_reps"] if want["target_reps"] is not None else want["target_seconds"]
        actual = want["actual_reps"] if want["actual_reps"] is not None else want["actual_seconds"]
        assert (got["target"], got["actual"]) == (str(target), str(actual))
        assert got["feedback"] == (want["rating"] or "")
    assert {r["feedback"] for r in rows if r["routine"] == "quick"} == {"hard"}
    assert {r["routine"] for r in rows} == {"quick", "log"}

    # The JSON: settings and every table's rows, exactly as stored, and nobody else's.
    data = json.loads(json_doc.file_data)
    assert data["user_id"] == ADA
    assert data["settings"] == bot.rows("SELECT * FROM users WHERE id = ?", (ADA,))[0]
    for table in ("sessions", "sets", "feedback", "skips", "log_entries", "plans", "reminders"):
        mine = bot.rows(f"SELECT * FROM {table} WHERE user_id = ? ORDER BY id", (ADA,))
        assert sorted(data[table], key=lambda r: r["id"]) == mine, table
    assert len(data["log_entries"]) == 2 and len(data["plans"]) == 1
    assert len(data["plan_skips"]) == 1, "rows hanging off the user's plan come along"
    assert str(BOB) not in json_doc.file_data.decode()


async def test_export_with_no_data_still_sends_both_files(bot):
    user = bot.user(ADA)
    user.send("/export")
    csv_doc = await user.expect(lambda m: m.kind == "document")
    json_doc = await user.expect(lambda m: m.kind == "document")
    assert csv_doc.file_data.decode().strip() == ",".join([*CSV_COLUMNS, "unit"])
    data = json.loads(json_doc.file_data)
    assert data["sets"] == [] and data["settings"]["id"] == ADA


# --- deleteme ------------------------------------------------------------------------------


async def test_deleteme_removes_every_row_and_everything_scheduled(bot):
    h = bot
    ada, bob = h.user(ADA, "Ada"), h.user(BOB, "Bob")
    await quick_routine(bob)
    await log(bob, "/log flexion 2x12 right")
    add_plan_rows(h, BOB)
    add_future_feature_rows(h, BOB)
    await log(ada, "/log rotations 2x10")
    add_plan_rows(h, ADA)
    add_future_feature_rows(h, ADA)
    # Real-time timers from here on, so Ada's countdown is still pending when she confirms.
    h.reconfigure(time_scale=1.0)
    await h.restart()
    card = await choose(ada, "Post-run")
    ada.send("/deleteme")
    prompt = await ada.expect("Delete all your data?")
    assert h.rows("SELECT COUNT(*) AS n FROM sets WHERE user_id = ?", (ADA,))[0]["n"] == 4
    ada.press("Start", card)
    await ada.expect("Get in position")
    assert h.app.job_queue.get_jobs_by_name(timers.timer_name(ada.chat_id))
    # And in the middle of the /log flow when she confirms.
    ada.send("/log")
    picker = await ada.expect("which exercise?")
    assert h.app.user_data[ADA]
    bob_before = snapshot(h, BOB)
    assert all(bob_before[t] for t in ("users", "sessions", "sets", "plans", "badges"))

    ada.press("Yes, delete all my data", prompt)
    await ada.wait_until(lambda: "deleted everything" in prompt.plain)
    assert not prompt.buttons

    assert cells_naming(h, ADA) == []
    assert h.rows("SELECT COUNT(*) AS n FROM badge_notes")[0]["n"] == 1, "Bob's note stays"
    assert snapshot(h, BOB) == bob_before
    assert not h.app.job_queue.get_jobs_by_name(timers.timer_name(ada.chat_id))
    assert ADA not in h.app.user_data and ADA not in h.app.chat_data
    # The /log flow she was in is over: its buttons no longer do anything.
    query = ada.press_data(picker.message_id, "lg:x:rotations")
    text, _ = await ada.answer_for(query)
    assert "doesn't work" in text
    # Writing again starts from scratch: a fresh users row, nothing else.
    assert {t for t, _, _ in cells_naming(h, ADA)} == {"users"}


async def test_deleteme_keep_and_expired_confirmations_delete_nothing(bot):
    ada = bot.user(ADA, "Ada")
    await log(ada, "/log rotations 2x10")
    ada.send("/deleteme")
    prompt = await ada.expect("Delete all your data?")
    ada.press("Keep it", prompt)
    await ada.wait_until(lambda: "Nothing changed" in prompt.plain)
    ada.send("/deleteme")
    old = await ada.expect("Delete all your data?")
    query = ada.press_data(old.message_id, "md:del:1000")  # issued long ago
    text, alert = await ada.answer_for(query)
    assert "expired" in text and alert
    assert len(bot.rows("SELECT * FROM sets WHERE user_id = ?", (ADA,))) == 4
    assert len(bot.rows("SELECT * FROM users WHERE id = ?", (ADA,))) == 1
