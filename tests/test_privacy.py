"""The runner's own data through the real bot: /export files match the database, and
/deleteme leaves no row naming them while another runner's rows stay exactly as they were."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import sqlite3
import time
import zipfile
from pathlib import Path
from typing import Any

from apscheduler.events import EVENT_JOB_REMOVED, JobEvent

from bot.config import Config
from bot.ops.logsetup import UpdateContextFilter
from bot.playground import Playground
from bot.sandbox import BotMessage, FakeUser
from bot.services import privacy
from bot.services.reminders import run_dispatch_pass
from bot.transport import timers
from bot.views.export import CSV_COLUMNS
from tests.tagged import tag_languages
from tests.test_report_flow import log
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


def versions(message: BotMessage) -> list[str]:
    """Every text a message has had (a session edits its live message in place)."""
    return [text for text, _ in message.edits] + [message.text]


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


def unzip(doc) -> tuple[str, str, dict[str, Any]]:
    """The /export document: (CSV text, JSON text, parsed JSON), checking the zip's layout."""
    assert doc.kind == "document" and doc.filename.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(doc.file_data)) as archive:
        names = archive.namelist()
        assert len(names) == 2 and names[0].endswith(".csv") and names[1].endswith(".json")
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in archive.infolist())
        assert archive.testzip() is None
        csv_text = archive.read(names[0]).decode("utf-8")
        json_text = archive.read(names[1]).decode("utf-8")
    return csv_text, json_text, json.loads(json_text)


async def test_export_sends_a_csv_and_a_json_that_match_the_database(bot):
    ada, bob = bot.user(ADA, "Ada"), bot.user(BOB, "Bob")
    await quick_routine(ada)
    await log(ada, "/log flexion 2x15 left")
    await log(ada, "/log yesterday 90/90 1x40s")
    await log(bob, "/log rotations 2x10")
    add_plan_rows(bot, ADA)
    ada.send("/export")
    doc = await ada.expect(lambda m: m.kind == "document")
    assert "spreadsheet" in doc.plain
    csv_text, json_text, data = unzip(doc)

    # The CSV: one row per set, in time order, every column matching the database.
    reader = csv.DictReader(io.StringIO(csv_text))
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
    assert data["user_id"] == ADA
    assert data["settings"] == bot.rows("SELECT * FROM users WHERE id = ?", (ADA,))[0]
    for table in ("sessions", "sets", "feedback", "skips", "log_entries", "plans", "reminders"):
        mine = bot.rows(f"SELECT * FROM {table} WHERE user_id = ? ORDER BY id", (ADA,))
        assert sorted(data[table], key=lambda r: r["id"]) == mine, table
    assert len(data["log_entries"]) == 2 and len(data["plans"]) == 1
    # Bookkeeping comes along as stored, like the live message's id: no secret, and about her
    # own chat. A finished session's trail (its last exercise's message ids) is empty, since
    # those messages were deleted when it ended.
    [session] = data["sessions"]
    assert {"live_message_id", "trail"} <= set(session) and session["trail"] == "[]"
    assert len(data["plan_skips"]) == 1, "rows hanging off the user's plan come along"
    assert str(BOB) not in json_text


async def test_export_speaks_the_runners_language_and_keeps_its_choice(bot):
    """The caption is in the runner's language; the file names, CSV headers and JSON keys
    stay English; the language they chose with /language is in the export (users row)."""
    tag_languages(bot, "es", "ru")
    ada = bot.api.user(ADA, "Ada", language_code="es-MX")
    await log(ada, "/log rotations 2x10")
    ada.send("/export")
    doc = await ada.expect(lambda m: m.kind == "document")
    assert doc.plain.startswith("[es] Your data:")
    assert doc.filename.startswith("hipcoach-export-") and doc.filename.endswith(".zip")
    csv_text, _, data = unzip(doc)
    assert csv_text.splitlines()[0] == ",".join([*CSV_COLUMNS, "unit"])
    assert (data["settings"]["language"], data["settings"]["language_code"]) == (None, "es-MX")

    ada.send("/language")
    picker = await ada.expect(lambda m: "Русский" in str(m.buttons))
    ada.press("Русский", picker)
    await ada.wait_until(lambda: "[ru]" in picker.plain)
    privacy_wait = await export_again(bot, ada)
    assert privacy_wait.plain.startswith("[ru n=")  # the cooldown, worded in Russian
    bot.services.heavy_runs.clear()  # past the cooldown
    ada.send("/export")
    doc = await ada.expect(lambda m: m.kind == "document")
    assert doc.plain.startswith("[ru] Your data:")
    _, _, data = unzip(doc)
    row = bot.rows("SELECT * FROM users WHERE id = ?", (ADA,))[0]
    assert data["settings"] == row and row["language"] == "ru"
    assert list(data) == ["user_id", "exported_at", "settings", *list(data)[3:]]
    assert all(key.isascii() for key in data) and all(key.isascii() for key in row)


async def export_again(bot, user: FakeUser):
    """/export within the cooldown: its one-line answer."""
    user.send("/export")
    return await user.expect(lambda m: m.kind == "text" and "/export" in m.plain)


async def test_export_with_no_data_still_sends_both_files(bot):
    user = bot.user(ADA)
    user.send("/export")
    csv_text, _, data = unzip(await user.expect(lambda m: m.kind == "document"))
    assert csv_text.strip() == ",".join([*CSV_COLUMNS, "unit"])
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
    # One dispatcher pass now, so both runners' weekly note rows exist before the snapshots
    # (the repeating job's first pass would race them).
    h.stop_dispatcher()
    await run_dispatch_pass(h.app)
    assert h.rows("SELECT COUNT(*) AS n FROM reminders WHERE kind = 'weekly'")[0]["n"] == 2
    card = await choose(ada, "Post-run")
    ada.send("/deleteme")
    prompt = await ada.expect("Delete all your data?")
    assert h.rows("SELECT COUNT(*) AS n FROM sets WHERE user_id = ?", (ADA,))[0]["n"] == 4
    ada.press("Start", card)
    # The card turns into the live tracker in place (below the prompt, which came later).
    await ada.wait_until(lambda: any("Get in position" in text for text in versions(card)))
    assert h.app.job_queue.get_jobs_by_name(timers.timer_name(ada.chat_id))
    # The running exercise's messages are bookkeeping on her session row (`trail`, message
    # ids in her own chat): they go with it.
    trail = h.rows("SELECT trail FROM sessions WHERE user_id = ? AND status = 'active'", (ADA,))
    assert trail == [{"trail": json.dumps([card.message_id])}]
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


async def test_deleteme_speaks_the_runners_language_to_the_last_word(bot):
    """Prompt, buttons, answers and the closing message are all in the runner's language,
    the closing one included, though it is sent once their row (and language) is gone."""
    tag_languages(bot, "es")
    ada = bot.api.user(ADA, "Ada", language_code="es-AR")
    await log(ada, "/log rotations 2x10")
    ada.send("/deleteme")
    prompt = await ada.expect("Delete all your data?")
    assert prompt.plain.startswith("[es] ⚠️")
    labels = prompt.labels
    assert labels == ["[es] 🗑 Yes, delete all my data", "[es] Keep it"]
    query = ada.press("Keep it", prompt)
    assert await ada.answer_for(query) == ("[es] Nothing changed.", False)
    await ada.wait_until(lambda: prompt.plain == "[es] Kept. Nothing changed.")

    ada.send("/deleteme")
    old = await ada.expect("Delete all your data?")
    text, alert = await ada.answer_for(ada.press_data(old.message_id, "md:del:1000"))
    assert (text, alert) == ("[es] That confirmation expired. Send /deleteme again.", True)
    assert len(bot.rows("SELECT * FROM users WHERE id = ?", (ADA,))) == 1

    ada.send("/deleteme")
    prompt = await ada.expect("Delete all your data?")
    query = ada.press("Yes, delete all my data", prompt)
    assert await ada.answer_for(query) == ("[es] Deleted", False)
    await ada.wait_until(lambda: "deleted everything" in prompt.plain)
    print(f"closing message: {prompt.plain[:30]!r}")
    assert prompt.plain.startswith("[es] Done: I deleted everything")
    assert cells_naming(bot, ADA) == []


# --- erasure leaves no trace: the WAL, the log, the playground's files -----------------------


async def delete_everything(user: FakeUser) -> None:
    user.send("/deleteme")
    prompt = await user.expect("Delete all your data?")
    user.press("Yes, delete all my data", prompt)
    await user.wait_until(lambda: "deleted everything" in prompt.plain)


async def test_deleteme_erases_the_wal_too_once_a_reader_lets_go(bot, monkeypatch):
    name = "Quorvelline"  # a first name that is nowhere else
    ada = bot.user(ADA, name)
    await log(ada, "/log rotations 2x10")
    db_file = bot.config.db_path
    wal = db_file.with_name(db_file.name + "-wal")

    def holding_the_name() -> list[str]:
        return [p.name for p in (db_file, wal) if name.encode() in p.read_bytes()]

    # Her row in the database file (checkpointed) and again in the WAL (seen again).
    assert bot.services.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
    await log(ada, "/log flexion 1x12 left")
    assert holding_the_name() == [db_file.name, wal.name]

    # An operator's sqlite3 shell (or a backup) in the middle of a read; the retries come
    # quickly here, so the test need not wait a whole second for the next one.
    monkeypatch.setattr(privacy, "CHECKPOINT_RETRY_SECONDS", 0.05)
    reader = sqlite3.connect(db_file)
    reader.execute("BEGIN")
    assert reader.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 1
    await delete_everything(ada)
    assert cells_naming(bot, ADA) == []
    # The rows are gone, but older copies of their pages wait until the reader is done.
    assert holding_the_name(), "the reader keeps the checkpoint from finishing"
    [retry] = bot.app.job_queue.get_jobs_by_name(privacy.CHECKPOINT_JOB)
    finished = asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_removed(event: JobEvent) -> None:
        if event.job_id == retry.job.id:
            loop.call_soon_threadsafe(finished.set)

    bot.app.job_queue.scheduler.add_listener(on_removed, EVENT_JOB_REMOVED)
    reader.rollback()
    reader.close()
    released = time.monotonic()
    await asyncio.wait_for(finished.wait(), 5)
    took = time.monotonic() - released
    assert holding_the_name() == [], f"still there {took:.1f} s after the reader let go"
    assert wal.stat().st_size == 0
    print(f"erased from the WAL {took:.2f} s after the reader let go")


class LogLines(logging.Handler):
    """Log lines as production formats them, with the update context the filter adds."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []
        self.addFilter(UpdateContextFilter())
        self.setFormatter(logging.Formatter("%(name)s: %(message)s%(update_ctx)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


async def test_the_deletion_is_logged_without_naming_the_user(bot, caplog):
    """At the production level (INFO), every line logged while the confirmation is handled,
    the deletion line included, carries the update id only. (Lines of her earlier updates
    did name her, as every update's lines do: deploy/README.md says how long the journal
    keeps them. At DEBUG, PTB's own lines print whole updates.)"""
    caplog.set_level(logging.INFO)
    lines = LogLines()
    logging.getLogger().addHandler(lines)
    try:
        ada = bot.user(ADA, "Ada")
        await log(ada, "/log rotations 2x10")
        assert any("logged rotations" in x and f"[user={ADA} update=" in x for x in lines.lines)
        ada.send("/deleteme")
        prompt = await ada.expect("Delete all your data?")
        lines.lines.clear()
        ada.press("Yes, delete all my data", prompt)
        await ada.wait_until(lambda: "deleted everything" in prompt.plain)
        await bot.app.update_queue.join()
    finally:
        logging.getLogger().removeHandler(lines)
    [deletion] = [x for x in lines.lines if "deleted their data" in x]
    assert " [update=" in deletion and "user=" not in deletion
    assert all(str(ADA) not in x and "Ada" not in x for x in lines.lines), lines.lines


async def test_deleteme_in_the_playground_removes_the_files_it_saved(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = Config(db_path=tmp_path / "play.db", time_scale=0.0)
    folder = tmp_path / "playground-files"
    folder.mkdir()
    theirs = folder / "bea-1-progress.png"  # another runner's
    theirs.write_bytes(b"not Ada's")

    async def say(pg: Playground, line: str) -> list[Any]:
        reply = await pg.handle(line)
        await pg.settle(reply.update_id)
        return pg.changes()

    async with Playground(config, "ada", scripted=True) as pg:
        await say(pg, "/log rotations 2x10")
        [export] = [c for c in await say(pg, "/export") if c.saved_to]
        assert (tmp_path / export.saved_to).is_file()
        assert export.saved_to.endswith(".zip")
    async with Playground(config, "ADA", scripted=True) as pg:  # the same runner, later
        [photo] = [c for c in await say(pg, "/progress") if c.saved_to]
        saved = {Path(export.saved_to).name, Path(photo.saved_to).name}
        assert {p.name for p in folder.iterdir()} == saved | {theirs.name}
        await say(pg, "/deleteme")
        changes = await say(pg, "1")  # 🗑 Yes, delete all my data
        assert any("deleted everything" in (c.message.text if c.message else "") for c in changes)
    assert [p.name for p in folder.iterdir()] == [theirs.name]
    assert theirs.read_bytes() == b"not Ada's"
