"""Reminder rows, one per (user, plan, run, kind), each sent at most once.

One row per (user, plan, occurrence, kind); a weekly note from the coach is a row of kind
'weekly' with no plan, one per (user, instant). A row moves pending -> claimed -> sent (or
failed) through conditional UPDATEs, so two dispatchers, a restart or a stale object can
never send it twice; pending rows can instead be settled as skipped or dropped, with a
reason. Only pending rows are in the `reminders_due` index.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlite_utils import Database

from bot.core.clock import from_db, to_db

Kind = Literal["pre_run", "post_run", "weekly"]


@dataclass(frozen=True)
class Reminder:
    id: int
    user_id: int
    plan_id: int | None  # None for a weekly note
    occurrence: datetime
    kind: Kind
    due_at: datetime
    status: str
    reason: str | None
    late: bool
    snoozes: int
    response: str | None
    message_id: int | None
    # From the users table, filled when read for dispatch.
    chat_id: int = 0
    user_active: bool = True
    remind_minutes: int | None = None
    tz: str = "UTC"
    weekly_note: bool = True


def _reminder(row: dict[str, Any]) -> Reminder:
    return Reminder(
        id=row["id"],
        user_id=row["user_id"],
        plan_id=row["plan_id"],
        occurrence=from_db(row["occurrence"]),
        kind=row["kind"],
        due_at=from_db(row["due_at"]),
        status=row["status"],
        reason=row["reason"],
        late=bool(row["late"]),
        snoozes=row["snoozes"],
        response=row["response"],
        message_id=row["message_id"],
        chat_id=row.get("chat_id") or 0,
        user_active=bool(row.get("user_active", 1)),
        remind_minutes=row.get("remind_minutes"),
        tz=row.get("tz") or "UTC",
        weekly_note=bool(row.get("weekly_note", 1)),
    )


# --- writing rows -----------------------------------------------------------------------


def insert_reminder(
    db: Database,
    user_id: int,
    plan_id: int,
    occurrence: datetime,
    kind: Kind,
    due_at: datetime,
    now: datetime,
) -> None:
    """A pending row, unless one exists for the same key (whatever its status)."""
    db.execute(
        "INSERT OR IGNORE INTO reminders (user_id, plan_id, occurrence, kind, due_at, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [user_id, plan_id, to_db(occurrence), kind, to_db(due_at), to_db(now), to_db(now)],
    )


def insert_weekly(db: Database, user_id: int, due: datetime, now: datetime) -> bool:
    """A pending weekly note due at `due`, unless the runner has one for that instant."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO reminders (user_id, plan_id, occurrence, kind, due_at, "
        "created_at, updated_at) VALUES (?, NULL, ?, 'weekly', ?, ?, ?)",
        [user_id, to_db(due), to_db(due), to_db(now), to_db(now)],
    )
    return cursor.rowcount == 1


def last_weekly(db: Database, user_id: int) -> datetime | None:
    """When the runner's last weekly note that went out (or may have) was due."""
    row = db.execute(
        "SELECT MAX(occurrence) FROM reminders WHERE user_id = ? AND kind = 'weekly' "
        "AND status IN ('claimed', 'sent', 'failed')",
        [user_id],
    ).fetchone()
    return from_db(row[0]) if row and row[0] else None


def delete_future_pending(db: Database, user_id: int, after: datetime) -> int:
    """Drop the user's pending rows for runs (and weekly notes) after `after`, to be
    rebuilt."""
    cursor = db.execute(
        "DELETE FROM reminders WHERE user_id = ? AND status = 'pending' AND occurrence > ?",
        [user_id, to_db(after)],
    )
    return cursor.rowcount


def delete_weekly_pending(db: Database, user_id: int, after: datetime) -> int:
    """Drop the user's pending weekly notes due after `after` (a new one replaces them)."""
    cursor = db.execute(
        "DELETE FROM reminders WHERE user_id = ? AND kind = 'weekly' AND status = 'pending' "
        "AND occurrence > ?",
        [user_id, to_db(after)],
    )
    return cursor.rowcount


def snoozed(db: Database, user_id: int, after: datetime) -> list[Reminder]:
    """The user's snoozed (or 'Later') rows still pending, for runs after `after`."""
    rows = db.query(
        "SELECT * FROM reminders WHERE user_id = ? AND status = 'pending' AND snoozes > 0 "
        "AND occurrence > ?",
        [user_id, to_db(after)],
    )
    return [_reminder(r) for r in rows]


def restore_snoozes(db: Database, rows: Iterable[Reminder]) -> None:
    """After a rebuild: each row made again for the same run and kind keeps the snooze it
    had (its due time and count); a run that moved or a reminder turned off has no row."""
    for r in rows:
        db.execute(
            "UPDATE reminders SET due_at = ?, snoozes = ? WHERE user_id = ? AND plan_id = ? "
            "AND occurrence = ? AND kind = ? AND status = 'pending'",
            [to_db(r.due_at), r.snoozes, r.user_id, r.plan_id, to_db(r.occurrence), r.kind],
        )


def delete_plan_pending(db: Database, plan_id: int) -> int:
    cursor = db.execute("DELETE FROM reminders WHERE plan_id = ? AND status = 'pending'", [plan_id])
    return cursor.rowcount


def skip_occurrence(db: Database, plan_id: int, occurrence: datetime, now: datetime) -> int:
    """Settle every pending row of one run as skipped (the runner skipped the run)."""
    cursor = db.execute(
        "UPDATE reminders SET status = 'skipped', reason = 'run skipped', updated_at = ? "
        "WHERE plan_id = ? AND occurrence = ? AND status = 'pending'",
        [to_db(now), plan_id, to_db(occurrence)],
    )
    return cursor.rowcount


# --- dispatch ---------------------------------------------------------------------------


_DUE = (
    "SELECT r.*, u.chat_id, u.active AS user_active, u.remind_minutes, u.tz, u.weekly_note "
    "FROM reminders r JOIN users u ON u.id = r.user_id "
)


def due(
    db: Database,
    now: datetime,
    limit: int,
    users: frozenset[int] | None = None,
    *,
    skip_users: Collection[int] = (),
) -> list[Reminder]:
    """Pending rows due by `now`, oldest first (read through the partial index).

    `users` limits it to those users (a playground process serves only its own);
    `skip_users` leaves out users whose reminders are already being sent.
    """
    only = ""
    params: list[object] = [to_db(now)]
    if users is not None:
        only = f" AND r.user_id IN ({', '.join('?' * len(users))})"
        params += sorted(users)
    if skip_users:
        only += " AND r.user_id NOT IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(list(skip_users)))
    rows = db.query(
        f"{_DUE}WHERE r.status = 'pending' AND r.due_at <= ?{only} ORDER BY r.due_at LIMIT ?",
        [*params, limit],
    )
    return [_reminder(r) for r in rows]


def pending(db: Database, reminder_id: int) -> Reminder | None:
    """The row as it is now, if it is still pending (and its user still exists)."""
    rows = list(db.query(f"{_DUE}WHERE r.id = ? AND r.status = 'pending'", [reminder_id]))
    return _reminder(rows[0]) if rows else None


def settle(db: Database, reminder_id: int, status: str, reason: str, now: datetime) -> bool:
    """pending -> skipped/dropped, with the reason; False if someone else moved it."""
    cursor = db.execute(
        "UPDATE reminders SET status = ?, reason = ?, updated_at = ? "
        "WHERE id = ? AND status = 'pending'",
        [status, reason, to_db(now), reminder_id],
    )
    return cursor.rowcount == 1


def claim(db: Database, reminder_id: int, now: datetime) -> bool:
    """pending -> claimed. Only the caller that gets True may send the reminder."""
    cursor = db.execute(
        "UPDATE reminders SET status = 'claimed', claimed_at = ?, updated_at = ? "
        "WHERE id = ? AND status = 'pending'",
        [to_db(now), to_db(now), reminder_id],
    )
    return cursor.rowcount == 1


def mark_sent(db: Database, reminder_id: int, message_id: int, late: bool, now: datetime) -> None:
    db.execute(
        "UPDATE reminders SET status = 'sent', message_id = ?, late = ?, sent_at = ?, "
        "updated_at = ? WHERE id = ? AND status = 'claimed'",
        [message_id, int(late), to_db(now), to_db(now), reminder_id],
    )


def mark_failed(db: Database, reminder_id: int, now: datetime) -> None:
    """Telegram refused or timed out: not retried (it may have arrived; at most once)."""
    db.execute(
        "UPDATE reminders SET status = 'failed', reason = 'send failed', updated_at = ? "
        "WHERE id = ? AND status = 'claimed'",
        [to_db(now), reminder_id],
    )


# --- the runner's answers ---------------------------------------------------------------


def get_reminder(db: Database, reminder_id: int) -> Reminder | None:
    rows = list(db.query("SELECT * FROM reminders WHERE id = ?", [reminder_id]))
    return _reminder(rows[0]) if rows else None


def respond(db: Database, reminder_id: int, response: str, now: datetime) -> bool:
    """Record the first answer to a sent reminder; False if it was answered already."""
    cursor = db.execute(
        "UPDATE reminders SET response = ?, updated_at = ? "
        "WHERE id = ? AND status = 'sent' AND response IS NULL",
        [response, to_db(now), reminder_id],
    )
    return cursor.rowcount == 1


def requeue(db: Database, reminder_id: int, due_at: datetime, now: datetime) -> bool:
    """Snooze / Later: the sent row becomes pending again, due at `due_at`."""
    cursor = db.execute(
        "UPDATE reminders SET status = 'pending', due_at = ?, snoozes = snoozes + 1, "
        "late = 0, message_id = NULL, response = NULL, updated_at = ? "
        "WHERE id = ? AND status = 'sent' AND response IS NULL",
        [to_db(due_at), to_db(now), reminder_id],
    )
    return cursor.rowcount == 1


# --- quiet once done --------------------------------------------------------------------


def did_routine_since(db: Database, user_id: int, routines: Iterable[str], since: datetime) -> bool:
    """Has the runner started (and not abandoned) one of `routines` since `since`?"""
    names = list(routines)
    marks = ", ".join("?" for _ in names)
    row = db.execute(
        f"SELECT 1 FROM sessions WHERE user_id = ? AND started_at >= ? "
        f"AND routine IN ({marks}) AND status != 'abandoned' LIMIT 1",
        [user_id, to_db(since), *names],
    ).fetchone()
    return row is not None


def active_lately(db: Database, user_id: int, since: datetime) -> bool:
    """Has the runner anything for a weekly note to talk about: a session started, a report
    made or a plan made or deleted since `since`, or an active plan?"""
    stamp = to_db(since)
    # A one-off plan stays active after its day: only a weekly plan, or a one-off on a day
    # since `since` (a day of margin for zones), is one still to talk about.
    day = (since - timedelta(days=1)).date().isoformat()
    row = db.execute(
        "SELECT EXISTS (SELECT 1 FROM sessions WHERE user_id = ? AND started_at >= ?) "
        "OR EXISTS (SELECT 1 FROM log_entries WHERE user_id = ? AND created_at >= ?) "
        "OR EXISTS (SELECT 1 FROM plans WHERE user_id = ? AND (created_at >= ? "
        "OR deleted_at >= ? OR (active = 1 AND (weekdays IS NOT NULL OR run_date >= ?))))",
        [user_id, stamp, user_id, stamp, user_id, stamp, stamp, day],
    ).fetchone()
    return bool(row[0])
