"""Reported sets, history, export and deletion: everything a runner owns, read or removed.

Logged sets go into the same `sets` table as guided ones (source 'log', no session), each
pointing at the `log_entries` row of the report that made them, so progress, history and
export treat both alike and /undo removes exactly one report.

Export and deletion discover the tables that hold a user's rows from the schema (a
`user_id` column, a private `chat_id`, or a foreign key into such a table), so tables that
other features add later are covered without touching this module.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlite_utils import Database

from bot.clock import from_db, to_db
from bot.content import Exercise
from bot.logparse import LogEntry, Side

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LogRecord:
    id: int
    user_id: int
    exercise: str
    side: Side
    sets: int
    reps: int | None
    seconds: int | None
    day: date
    performed_at: datetime
    created_at: datetime
    set_rows: int

    @property
    def entry(self) -> LogEntry:
        return LogEntry(self.exercise, self.side, self.sets, self.reps, self.seconds, self.day)


def set_rows(entry: LogEntry, exercise: Exercise) -> list[dict[str, Any]]:
    """The `sets` rows one report stands for: 'both' on a one-sided exercise means each side,
    in the order the guided routine does them; targets come from the prescribed dose."""
    if exercise.dose.sides:
        sides = list(exercise.dose.sides) if entry.side == "both" else [entry.side]
    else:
        sides = ["both"]
    timed = entry.seconds is not None
    rows = []
    for side in sides:
        for set_no in range(1, entry.sets + 1):
            rows.append(
                {
                    "exercise": exercise.id,
                    "side": side,
                    "set_no": set_no,
                    "target_reps": None if timed else exercise.dose.reps,
                    "actual_reps": entry.reps,
                    "target_seconds": exercise.dose.hold_seconds if timed else None,
                    "actual_seconds": entry.seconds,
                }
            )
    return rows


def _record(row: dict[str, Any]) -> LogRecord:
    return LogRecord(
        id=row["id"],
        user_id=row["user_id"],
        exercise=row["exercise"],
        side=cast(Side, row["side"]),
        sets=row["sets"],
        reps=row["reps"],
        seconds=row["seconds"],
        day=date.fromisoformat(row["day"]),
        performed_at=from_db(row["performed_at"]),
        created_at=from_db(row["created_at"]),
        set_rows=row["set_rows"],
    )


_SELECT_LOG = (
    "SELECT l.*, (SELECT COUNT(*) FROM sets WHERE log_id = l.id) AS set_rows FROM log_entries l "
)


def record_log(
    db: Database,
    user_id: int,
    entry: LogEntry,
    exercise: Exercise,
    performed_at: datetime,
    now: datetime,
) -> LogRecord:
    """Store one report and its sets in one transaction (committed before we confirm)."""
    with db.atomic():
        log_id = (
            db["log_entries"]
            .insert(
                {
                    "user_id": user_id,
                    "exercise": entry.exercise,
                    "side": entry.side,
                    "sets": entry.sets,
                    "reps": entry.reps,
                    "seconds": entry.seconds,
                    "day": entry.day.isoformat(),
                    "performed_at": to_db(performed_at),
                    "created_at": to_db(now),
                }
            )
            .last_pk
        )
        for row in set_rows(entry, exercise):
            db["sets"].insert(
                {
                    **row,
                    "user_id": user_id,
                    "session_id": None,
                    "log_id": log_id,
                    "source": "log",
                    "performed_at": to_db(performed_at),
                    "created_at": to_db(now),
                }
            )
    record = get_log(db, log_id)
    assert record is not None
    return record


def get_log(db: Database, log_id: int) -> LogRecord | None:
    rows = list(db.query(_SELECT_LOG + "WHERE l.id = ?", [log_id]))
    return _record(rows[0]) if rows else None


def last_log(db: Database, user_id: int) -> LogRecord | None:
    """The user's most recent report (by when it was made, not the day it was for)."""
    rows = list(db.query(_SELECT_LOG + "WHERE l.user_id = ? ORDER BY l.id DESC LIMIT 1", [user_id]))
    return _record(rows[0]) if rows else None


def delete_log(db: Database, user_id: int, log_id: int) -> bool:
    """Remove one report and its sets, only if it belongs to `user_id`."""
    with db.atomic():
        db.execute(
            "DELETE FROM sets WHERE log_id = ? AND user_id = ? "
            "AND EXISTS (SELECT 1 FROM log_entries WHERE id = ? AND user_id = ?)",
            [log_id, user_id, log_id, user_id],
        )
        cursor = db.execute(
            "DELETE FROM log_entries WHERE id = ? AND user_id = ?", [log_id, user_id]
        )
    return cursor.rowcount == 1


# --- what progress and history read ------------------------------------------------------


def user_sets(db: Database, user_id: int, since: datetime | None = None) -> list[dict[str, Any]]:
    """Every set (guided and logged) since `since`, oldest first."""
    sql = (
        "SELECT exercise, side, actual_reps, actual_seconds, performed_at, session_id, log_id, "
        "source FROM sets WHERE user_id = ?"
    )
    params: list[Any] = [user_id]
    if since is not None:
        sql += " AND performed_at >= ?"
        params.append(to_db(since))
    return list(db.query(sql + " ORDER BY performed_at, id", params))


def completed_routines(db: Database, user_id: int) -> list[tuple[datetime, str]]:
    """(when it ended, which routine) for each finished guided routine."""
    rows = db.query(
        "SELECT ended_at, routine FROM sessions WHERE user_id = ? AND status = 'completed' "
        "AND ended_at IS NOT NULL ORDER BY ended_at",
        [user_id],
    )
    return [(from_db(r["ended_at"]), r["routine"]) for r in rows]


@dataclass(frozen=True)
class HistoryItem:
    """One line of /history: a guided session or a report."""

    at: datetime
    kind: str  # 'session' | 'log'
    routine: str | None = None
    status: str | None = None
    sets_done: int = 0
    log: LogRecord | None = None


def history(db: Database, user_id: int, limit: int = 10) -> list[HistoryItem]:
    """The last `limit` sessions and reports, newest first (sessions never started are left
    out: they hold nothing)."""
    items: list[HistoryItem] = []
    sessions = db.query(
        "SELECT s.routine, s.status, s.started_at, "
        "(SELECT COUNT(*) FROM sets WHERE session_id = s.id) AS n FROM sessions s "
        "WHERE s.user_id = ? AND s.status != 'abandoned' ORDER BY s.started_at DESC LIMIT ?",
        [user_id, limit],
    )
    for row in sessions:
        items.append(
            HistoryItem(
                at=from_db(row["started_at"]),
                kind="session",
                routine=row["routine"],
                status=row["status"],
                sets_done=row["n"],
            )
        )
    logs = db.query(
        _SELECT_LOG + "WHERE l.user_id = ? ORDER BY l.performed_at DESC, l.id DESC LIMIT ?",
        [user_id, limit],
    )
    for row in logs:
        record = _record(row)
        items.append(HistoryItem(at=record.performed_at, kind="log", log=record))
    items.sort(key=lambda i: i.at, reverse=True)
    return items[:limit]


# --- the user's own data: export and deletion --------------------------------------------


def export_sets(db: Database, user_id: int) -> list[dict[str, Any]]:
    """Every set as one flat row: the CSV a runner can open in a spreadsheet."""
    return list(
        db.query(
            """
            SELECT s.performed_at AS timestamp,
                   COALESCE(se.routine, 'log') AS routine,
                   s.exercise, s.side, s.set_no AS "set",
                   COALESCE(s.target_reps, s.target_seconds) AS target,
                   COALESCE(s.actual_reps, s.actual_seconds) AS actual,
                   COALESCE(f.rating, '') AS feedback,
                   CASE WHEN s.actual_seconds IS NOT NULL OR s.target_seconds IS NOT NULL
                        THEN 'seconds' ELSE 'reps' END AS unit
            FROM sets s
            LEFT JOIN sessions se ON se.id = s.session_id
            LEFT JOIN feedback f ON f.session_id = s.session_id AND f.exercise = s.exercise
            WHERE s.user_id = ?
            ORDER BY s.performed_at, s.id
            """,
            [user_id],
        )
    )


def _tables(db: Database) -> list[str]:
    return [t for t in db.table_names() if not t.startswith(("sqlite_", "_"))]


def owned_rows(db: Database) -> dict[str, str]:
    """table -> WHERE clause (params :user, :chat) selecting the rows about one user.

    A table is the user's through `users.id`, a `user_id` column, a `chat_id` column (their
    private chat), or a foreign key into rows already selected (e.g. a plan's skipped dates).
    """
    tables = _tables(db)
    base: dict[str, str] = {}
    for table in tables:
        columns = db[table].columns_dict
        if table == "users":
            base[table] = "id = :user"
        elif "user_id" in columns:
            base[table] = "user_id = :user"
        elif "chat_id" in columns:
            base[table] = "chat_id = :chat"
    clauses = dict(base)
    for _ in range(len(tables)):
        changed = False
        for table in tables:
            if table == "users":
                continue
            parts = [base[table]] if table in base else []
            for fk in db[table].foreign_keys:
                parent = clauses.get(fk.other_table)
                if parent is not None and fk.other_table != table:
                    parts.append(
                        f"[{fk.column}] IN (SELECT [{fk.other_column}] "
                        f"FROM [{fk.other_table}] WHERE {parent})"
                    )
            clause = " OR ".join(f"({p})" for p in parts)
            if parts and clauses.get(table) != clause:
                clauses[table] = clause
                changed = True
        if not changed:
            break
    return clauses


def _children_first(db: Database, tables: list[str]) -> list[str]:
    """Order tables so every table comes before the tables it references."""
    refs = {t: {fk.other_table for fk in db[t].foreign_keys} - {t} for t in tables}
    order: list[str] = []
    remaining = set(tables)
    while remaining:
        # A table is ready once nothing still remaining references it.
        ready = sorted(t for t in remaining if not any(t in refs[o] for o in remaining))
        if not ready:  # a reference cycle: foreign keys with ON DELETE CASCADE settle it
            ready = sorted(remaining)
        order.extend(ready)
        remaining -= set(ready)
    return order


def dump_user(db: Database, user_id: int, chat_id: int) -> dict[str, Any]:
    """Everything kept about the user: their settings row and their rows in every table."""
    params = {"user": user_id, "chat": chat_id}
    clauses = owned_rows(db)
    settings = list(db.query(f"SELECT * FROM users WHERE {clauses['users']}", params))
    out: dict[str, Any] = {"settings": settings[0] if settings else None}
    for table in sorted(clauses):
        if table == "users":
            continue
        out[table] = list(db.query(f"SELECT * FROM [{table}] WHERE {clauses[table]}", params))
    return out


def delete_user(db: Database, user_id: int, chat_id: int) -> dict[str, int]:
    """Delete every row about the user, children first, in one transaction; freed pages are
    zeroed (secure_delete) and the WAL checkpointed so the file keeps no copy either.
    Returns rows deleted per table."""
    params = {"user": user_id, "chat": chat_id}
    clauses = owned_rows(db)
    deleted: dict[str, int] = {}
    previous = db.execute("PRAGMA secure_delete").fetchone()[0]
    db.execute("PRAGMA secure_delete = ON")
    try:
        with db.atomic():
            for table in _children_first(db, list(clauses)):
                cursor = db.execute(f"DELETE FROM [{table}] WHERE {clauses[table]}", params)
                if cursor.rowcount:
                    deleted[table] = cursor.rowcount
    finally:
        db.execute(f"PRAGMA secure_delete = {int(previous)}")
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except Exception as exc:  # a busy reader only delays the checkpoint
        log.debug("checkpoint after deleting user data deferred: %s", exc)
    return deleted
