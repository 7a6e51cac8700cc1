"""Opening the one SQLite database a process writes to."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from bot.storage.migrations import MIGRATIONS

BUSY_TIMEOUT_MS = 5000
# Every file the bot keeps holds runners' data: this user only, whatever the umask.
PRIVATE_FILE, PRIVATE_DIR = 0o600, 0o700
SIDE_FILES = ("-wal", "-shm", "-journal")


def private_dir(path: Path) -> None:
    """Create `path` (and missing parents) as 0700; a folder that exists keeps its mode."""
    missing: list[Path] = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)  # masked by the umask: never wider


def private_file(path: Path) -> None:
    """Create `path` empty as 0600 unless it exists; an existing one loses world access."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE))
    except FileExistsError:
        tighten(path)


def tighten(path: Path) -> None:
    """Take world access away from a file if it has any; a group bit an operator set on
    purpose (a backup group) stays. Best effort: a file we do not own is left as it is."""
    try:
        mode = path.stat().st_mode & 0o777
        if mode & 0o007:
            os.chmod(path, mode & ~0o007)
    except (FileNotFoundError, PermissionError):
        pass


def open_db(path: Path | str, *, migrate: bool = True) -> Database:
    """One writer connection per process, in WAL mode with foreign keys enforced.

    The SQLite bundled with Python 3.11 predates the fix for the WAL-reset corruption bug
    that needs several writing connections, so the whole process shares this one.
    """
    path = Path(path)
    if str(path) != ":memory:":
        # Created private before SQLite opens it: SQLite gives the -wal, -shm and -journal
        # files it creates the database file's mode, so they are private too.
        private_dir(path.parent)
        private_file(path)
        for suffix in SIDE_FILES:  # as an older run may have left them
            tighten(path.with_name(path.name + suffix))
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    db = Database(conn)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    # Deleted rows are overwritten with zeros, not just unlinked: erased data (/deleteme)
    # leaves no copy in free pages.
    db.execute("PRAGMA secure_delete = ON")
    if str(path) != ":memory:":
        db.enable_wal()
        # With WAL, NORMAL keeps every commit across a process crash (kill -9); only an OS
        # crash or power cut can lose the last transactions.
        db.execute("PRAGMA synchronous = NORMAL")
    if migrate:
        MIGRATIONS.apply(db)
    return db


def file_of(db: Database) -> Path:
    """The file behind a connection (for a second, read-only connection to it)."""
    for _, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main" and file:
            return Path(file)
    raise ValueError("an in-memory database has no file to open a reader on")


@contextmanager
def reader(path: Path) -> Iterator[Database]:
    """A read-only connection of its own, for a worker thread (open and use it there).

    Heavy reads (/export, /progress) run off the event loop; the writer connection belongs to
    the loop's thread, so they get their own. WAL lets it read a consistent snapshot while
    the bot keeps writing.
    """
    conn = sqlite3.connect(
        f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000
    )
    try:
        conn.execute("PRAGMA query_only = ON")
        yield Database(conn)
    finally:
        conn.close()


@contextmanager
def snapshot(path: Path) -> Iterator[Database]:
    """`reader` inside one read transaction: every query sees the same moment, so a report
    never mixes rows from before and after a write (/export, /progress, the weekly note,
    /calendar)."""
    with reader(path) as db, db.conn:
        db.execute("BEGIN")
        yield db


def checkpoint(db: Database) -> bool:
    """Copy the WAL into the database file and truncate it, without waiting for readers.

    False while another connection (an export, a backup, an operator's shell) still reads an
    older snapshot: the old pages stay in the WAL until a later try succeeds. SQLite answers
    "busy" in the result row rather than raising, so the row is what is checked.
    """
    db.execute("PRAGMA busy_timeout = 0")
    try:
        busy, _, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return bool(busy == 0)


def pending_migrations(db: Database) -> list[str]:
    return [m.name for m in MIGRATIONS.pending(db)]
