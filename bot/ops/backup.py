"""`hipcoach backup PATH`: a consistent, checked copy of the live database."""

from __future__ import annotations

import os
import sqlite3
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Config
from bot.storage.db import BUSY_TIMEOUT_MS, private_dir, private_file


class OpsError(Exception):
    """An operation could not be done; the message says what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    tables: int


def backup(db_path: Path, target: Path, *, now: datetime | None = None) -> BackupResult:
    """Copy the live database with SQLite's online backup API, then check the copy.

    One backup step copies every page inside one read transaction, so the copy is a
    consistent snapshot even while the bot writes (WAL readers never block the writer). The
    copy is written beside the target and renamed into place only once it passed
    `PRAGMA integrity_check`, so a failed run never leaves a half-written backup behind.
    """
    if not db_path.is_file():
        raise OpsError(f"no database at {db_path}: check HIPCOACH_DB")
    if target.is_dir():
        stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
        target = target / f"hipcoach-{stamp}.db"
    if target.resolve() == db_path.resolve():
        raise OpsError("the backup target is the live database itself: choose another path")
    private_dir(target.parent)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    # The copy holds every runner's data: readable by the bot's user only, whatever the
    # umask (its journal, while it is written, takes the same mode).
    private_file(partial)
    try:
        n_tables = _copy(db_path, partial)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
    return BackupResult(target, target.stat().st_size, n_tables)


def _copy(db_path: Path, partial: Path) -> int:
    """The backup itself, checked; returns the copy's number of tables."""
    source = sqlite3.connect(str(db_path), timeout=BUSY_TIMEOUT_MS / 1000)
    copy = sqlite3.connect(str(partial))
    try:
        source.backup(copy)  # pages=-1: all pages in one step, one snapshot
        copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal
        result = [row[0] for row in copy.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            raise OpsError(f"the copy failed its integrity check: {'; '.join(result[:3])}")
        tables = copy.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
        return int(tables.fetchone()[0])
    except sqlite3.Error as exc:
        raise OpsError(f"backup of {db_path} failed: {exc}") from exc
    finally:
        copy.close()
        source.close()


def backup_command(config: Config, target: Path) -> int:
    """`hipcoach backup PATH`: one line on success, one line naming the fix on failure."""
    try:
        result = backup(config.db_path, target)
    except (OpsError, OSError) as exc:
        print(f"hipcoach: backup failed: {exc}", file=sys.stderr)
        return 1
    print(
        f"backup ok: {result.path} ({result.size / 1024:.0f} KB, {result.tables} tables, "
        "integrity ok)"
    )
    return 0
