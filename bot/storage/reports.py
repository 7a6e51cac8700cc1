"""Reported sets and the history that /progress and /history read.

Logged sets go into the same `sets` table as guided ones (source 'log', no session), each
pointing at the `log_entries` row of the report that made them, so progress, history and
export treat both alike and /undo removes exactly one report.

"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from sqlite_utils import Database

from bot.core.clock import from_db, to_db
from bot.core.content import Exercise
from bot.core.progress import HistoryItem
from bot.core.reports import Report, SavedReport, Side


def set_rows(entry: Report, exercise: Exercise) -> list[dict[str, Any]]:
    """The `sets` rows one report stands for: 'both' on a one-sided exercise means each side,
    in the order the guided routine does them; targets come from the prescribed dose."""
    sides: list[str]
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


def _saved(row: dict[str, Any]) -> SavedReport:
    return SavedReport(
        id=row["id"],
        user_id=row["user_id"],
        report=Report(
            exercise=row["exercise"],
            side=cast(Side, row["side"]),
            sets=row["sets"],
            reps=row["reps"],
            seconds=row["seconds"],
            day=date.fromisoformat(row["day"]),
        ),
        performed_at=from_db(row["performed_at"]),
        created_at=from_db(row["created_at"]),
        set_rows=row["set_rows"],
    )


_SELECT_REPORT = (
    "SELECT l.*, (SELECT COUNT(*) FROM sets WHERE log_id = l.id) AS set_rows FROM log_entries l "
)


def save_report(
    db: Database,
    user_id: int,
    entry: Report,
    exercise: Exercise,
    performed_at: datetime,
    now: datetime,
) -> SavedReport:
    """Store one report and its sets in one transaction (committed before we confirm)."""
    with db.atomic():
        report_id = (
            db.table("log_entries")
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
            db.table("sets").insert(
                {
                    **row,
                    "user_id": user_id,
                    "session_id": None,
                    "log_id": report_id,
                    "source": "log",
                    "performed_at": to_db(performed_at),
                    "created_at": to_db(now),
                }
            )
    assert isinstance(report_id, int)
    record = get_report(db, report_id)
    assert record is not None
    return record


def reports_made_since(db: Database, user_id: int, since: datetime, limit: int) -> int:
    """How many of the user's last `limit` reports were made at or after `since` (counting
    stops at `limit`, so the query reads at most that many index entries)."""
    row = db.execute(
        "SELECT COUNT(*) FROM (SELECT created_at FROM log_entries WHERE user_id = ? "
        "ORDER BY id DESC LIMIT ?) WHERE created_at >= ?",
        [user_id, limit, to_db(since)],
    ).fetchone()
    return int(row[0])


def get_report(db: Database, report_id: int) -> SavedReport | None:
    rows = list(db.query(_SELECT_REPORT + "WHERE l.id = ?", [report_id]))
    return _saved(rows[0]) if rows else None


def last_report(db: Database, user_id: int) -> SavedReport | None:
    """The user's most recent report (by when it was made, not the day it was for)."""
    rows = list(
        db.query(_SELECT_REPORT + "WHERE l.user_id = ? ORDER BY l.id DESC LIMIT 1", [user_id])
    )
    return _saved(rows[0]) if rows else None


def delete_report(db: Database, user_id: int, report_id: int) -> bool:
    """Remove one report and its sets, only if it belongs to `user_id`."""
    with db.atomic():
        db.execute(
            "DELETE FROM sets WHERE log_id = ? AND user_id = ? "
            "AND EXISTS (SELECT 1 FROM log_entries WHERE id = ? AND user_id = ?)",
            [report_id, user_id, report_id, user_id],
        )
        cursor = db.execute(
            "DELETE FROM log_entries WHERE id = ? AND user_id = ?", [report_id, user_id]
        )
    return cursor.rowcount == 1


# --- what progress and history read ------------------------------------------------------


def user_sets(
    db: Database, user_id: int, since: datetime | None = None, *, reported_only: bool = False
) -> list[dict[str, Any]]:
    """Every set (guided and logged; only logged ones if `reported_only`) since `since`,
    oldest first."""
    sql = (
        "SELECT exercise, side, actual_reps, actual_seconds, performed_at, session_id, log_id, "
        "source FROM sets WHERE user_id = ?"
    )
    if reported_only:
        sql += " AND session_id IS NULL"
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
                routine_id=row["routine"],
                status=row["status"],
                sets_done=row["n"],
            )
        )
    reports = db.query(
        _SELECT_REPORT + "WHERE l.user_id = ? ORDER BY l.performed_at DESC, l.id DESC LIMIT ?",
        [user_id, limit],
    )
    for row in reports:
        record = _saved(row)
        items.append(HistoryItem(at=record.performed_at, kind="report", report=record))
    items.sort(key=lambda i: i.at, reverse=True)
    return items[:limit]
