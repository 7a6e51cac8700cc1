"""Operations: `hipcoach backup` while the bot writes, `hipcoach doctor` against a reachable
fake Bot API and broken set-ups, and the user/update ids on log lines."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import sys

from telegram import Update
from telegram.ext import TypeHandler

from bot.cli import main
from bot.core.clock import to_db
from bot.ops.backup import backup
from bot.ops.doctor import run_checks
from bot.ops.logsetup import UpdateContextFilter
from bot.sandbox import FakeBotAPI, FakeBotAPIServer
from bot.storage.db import open_db

from .conftest import TOKEN


def open_copy(path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    return conn


# --- backup -------------------------------------------------------------------------------


async def test_backup_while_the_bot_writes(bot, tmp_path):
    runner = bot.user(4242, "Runner")
    runner.send("/start")
    await runner.expect("hip coach")
    db = bot.services.db
    # Enough pages that the copy takes a while; then keep committing while it runs.
    with db.conn:
        db.conn.executemany(
            "INSERT INTO group_notices (chat_id, created_at) VALUES (?, ?)",
            [(-i, to_db(bot.services.clock.now())) for i in range(1, 40_001)],
        )
    committed = 40_000
    (tmp_path / "b").mkdir()
    copy_task = asyncio.create_task(asyncio.to_thread(backup, bot.config.db_path, tmp_path / "b"))
    while not copy_task.done():
        committed += 1
        with db.conn:
            db.execute("INSERT INTO group_notices VALUES (?, ?)", [-committed, "x"])
        await asyncio.sleep(0)
    result = await copy_task

    assert result.path.parent == tmp_path / "b" and result.path.name.startswith("hipcoach-")
    assert oct(result.path.stat().st_mode & 0o777) == "0o600"
    assert not list((tmp_path / "b").glob(".*partial"))
    conn = open_copy(result.path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        [(users,)] = conn.execute("SELECT count(*) FROM users WHERE id = 4242")
        [(notices,)] = conn.execute("SELECT count(*) FROM group_notices")
        [(top,)] = conn.execute("SELECT max(-chat_id) FROM group_notices")
    finally:
        conn.close()
    # A snapshot at one commit: every row up to some point, none after it.
    assert users == 1 and 40_000 <= notices <= committed and top == notices
    # The live database is untouched and still writable by the bot.
    db.execute("INSERT INTO group_notices VALUES (?, ?)", [1, "after"])
    assert bot.rows("SELECT count(*) AS n FROM group_notices")[0]["n"] == committed + 1


def test_backup_command(tmp_path, monkeypatch, capsys):
    live = tmp_path / "live.db"
    open_db(live).close()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HIPCOACH_DB", str(live))
    assert main(["backup", str(tmp_path / "out" / "copy.db")]) == 0
    assert "backup ok" in capsys.readouterr().out
    open_copy(tmp_path / "out" / "copy.db").close()

    assert main(["backup", str(live)]) == 1  # never over the live database
    assert "live database" in capsys.readouterr().err
    monkeypatch.setenv("HIPCOACH_DB", str(tmp_path / "missing.db"))
    assert main(["backup", str(tmp_path / "x.db")]) == 1
    assert "HIPCOACH_DB" in capsys.readouterr().err
    assert not (tmp_path / "missing.db").exists()


# --- doctor -------------------------------------------------------------------------------


def env_for(db_path, api_url: str, **extra: str) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api_url,
        "HIPCOACH_DB": str(db_path),
        **extra,
    }


def by_name(checks) -> dict[str, tuple[str, str]]:
    return {c.name: (c.status, c.detail) for c in checks}


async def test_doctor_all_good_against_a_reachable_api(tmp_path):
    db_path = tmp_path / "bot.db"
    open_db(db_path).close()
    api = FakeBotAPI(TOKEN)
    server = FakeBotAPIServer(api)
    base_url = await server.start()
    try:
        checks = await run_checks(env_for(db_path, base_url), dotenv=None)
        webhook = await run_checks(
            env_for(
                db_path,
                base_url,
                HIPCOACH_WEBHOOK_URL="https://bot.example.com/hook",
                HIPCOACH_WEBHOOK_SECRET="s3cret-Value_42",
            ),
            dotenv=None,
        )
    finally:
        await server.stop()
    found = by_name(checks)
    assert list(found) == ["config", "content", "database", "migrations", "bot api"]
    assert all(status == "ok" for status, _ in found.values()), checks
    assert "@hipcoach_bot" in found["bot api"][1]
    assert [r.method for r in api.requests].count("getMe") >= 1
    # Webhook mode also asks Telegram where it delivers: not set yet is a note, not a failure.
    wh = by_name(webhook)
    assert wh["webhook"][0] == "warn" and "not set" in wh["webhook"][1]
    assert not any(c.failed for c in webhook)
    assert all(TOKEN not in c.line() and "s3cret" not in c.line() for c in checks + webhook)


async def test_doctor_finds_an_unreachable_api_and_database_problems(tmp_path):
    db_path = tmp_path / "bot.db"
    db = open_db(db_path)
    last = "SELECT max(rowid) FROM _sqlite_migrations"
    db.execute(f"DELETE FROM _sqlite_migrations WHERE rowid = ({last})")
    db.conn.commit()
    db.close()
    checks = by_name(
        await run_checks(env_for(db_path, "http://127.0.0.1:1/bot"), dotenv=None, api_timeout=2)
    )
    assert checks["bot api"][0] == "PROBLEM" and "127.0.0.1:1" in checks["bot api"][1]
    assert checks["migrations"][0] == "PROBLEM" and "1 pending" in checks["migrations"][1]
    assert checks["database"][0] == "ok"

    db = open_db(db_path, migrate=False)  # as if a newer version had run here
    db["_sqlite_migrations"].insert(
        {"migration_set": "hipcoach", "name": "9999_future", "applied_at": "x"}
    )
    db.close()
    checks = by_name(await run_checks(env_for(db_path, "http://127.0.0.1:1/bot"), dotenv=None))
    assert checks["migrations"][0] == "PROBLEM" and "9999_future" in checks["migrations"][1]

    broken = by_name(
        await run_checks(
            {**env_for(db_path, "http://x.invalid/bot"), "HIPCOACH_PORT": "eighty"}, dotenv=None
        )
    )
    assert broken["config"][0] == "PROBLEM" and "HIPCOACH_PORT" in broken["config"][1]
    assert broken["content"][0] == "ok" and "database" not in broken


async def test_doctor_command_with_a_wrong_token(tmp_path):
    api = FakeBotAPI(TOKEN)
    server = FakeBotAPIServer(api)
    base_url = await server.start()
    wrong = "999999:WRONG-token-that-telegram-rejects"
    env = {**os.environ, **env_for(tmp_path / "new" / "bot.db", base_url)}
    env["TELEGRAM_BOT_TOKEN"] = wrong
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "doctor",
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), timeout=30)
    finally:
        await server.stop()
    text = out.decode() + err.decode()
    assert proc.returncode == 1, text
    lines = out.decode().splitlines()
    assert any(line.startswith("PROBLEM") and "rejected the token" in line for line in lines)
    assert any(line.startswith("ok") and "not created yet" in line for line in lines)
    assert wrong not in text and wrong.split(":")[1] not in text
    assert not (tmp_path / "new").exists()  # doctor looks, it never creates


# --- log lines carry the update ------------------------------------------------------------


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[tuple[str, str]] = []
        self.addFilter(UpdateContextFilter())

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((record.getMessage(), record.update_ctx))


async def test_log_lines_name_the_update_but_not_in_jobs(bot):
    probe_log = logging.getLogger("tests.probe")
    job_ran = asyncio.Event()

    async def in_job(context) -> None:
        probe_log.warning("probe from a job")
        job_ran.set()

    async def in_handler(update: Update, context) -> None:
        probe_log.warning("probe from a handler")
        # Scheduled from inside the update: the job's task inherits its context.
        context.job_queue.run_once(in_job, 0, name="probe")

    bot.app.add_handler(TypeHandler(Update, in_handler), group=50)
    capture = Capture()
    probe_log.addHandler(capture)
    try:
        user = bot.user(4242, "Runner")
        user.send("/help")
        await user.expect("routine")
        await asyncio.wait_for(job_ran.wait(), 5)
    finally:
        probe_log.removeHandler(capture)
    update_id = bot.api.update_log[-1]["update_id"]
    lines = dict(capture.lines)
    assert lines["probe from a handler"] == f" [user=4242 update={update_id}]"
    assert lines["probe from a job"] == ""
