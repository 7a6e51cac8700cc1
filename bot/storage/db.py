"""Opening the one SQLite database a process writes to."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database

from bot.storage.migrations import MIGRATIONS

BUSY_TIMEOUT_MS = 5000


def open_db(path: Path | str, *, migrate: bool = True) -> Database:
    """One writer connection per process, in WAL mode with foreign keys enforced.

    The SQLite bundled with Python 3.11 predates the fix for the WAL-reset corruption bug
    that needs several writing connections, so the whole process shares this one.
    """
    path = Path(path)
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    db = Database(conn)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    if str(path) != ":memory:":
        db.enable_wal()
        # With WAL, NORMAL keeps every commit across a process crash (kill -9); only an OS
        # crash or power cut can lose the last transactions.
        db.execute("PRAGMA synchronous = NORMAL")
    if migrate:
        MIGRATIONS.apply(db)
    return db


def pending_migrations(db: Database) -> list[str]:
    return [m.name for m in MIGRATIONS.pending(db)]
