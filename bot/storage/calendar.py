"""Calendars: imported runs (plans with a `source`), pending imports, and live links.

An imported run is a one-off plan like any other (reminders, streaks and /runs read it the
same way); `source_uid` + `source_key` say which event occurrence it came from, so a second
import of the same file updates it instead of adding it twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlite_utils import Database

from bot.core.clock import from_db, to_db
from bot.core.ics_import import Found, Read, dump, load
from bot.core.planning import Rule
from bot.storage.plans import Plan, plan_from_row

ICS = "ics"


# --- imported plans ---------------------------------------------------------------------


def imported_plans(db: Database, user_id: int, since: date) -> list[Plan]:
    """The runner's active imported runs on `since` or later."""
    rows = db.query(
        "SELECT * FROM plans WHERE user_id = ? AND active = 1 AND source = ? AND run_date >= ? "
        "ORDER BY id",
        [user_id, ICS, since.isoformat()],
    )
    return [plan_from_row(r) for r in rows]


def count_imported_ahead(db: Database, user_id: int, since: date) -> int:
    """Active imported runs on `since` or later (a past one-off no longer takes a place)."""
    row = db.execute(
        "SELECT COUNT(*) FROM plans WHERE user_id = ? AND active = 1 AND source = ? "
        "AND run_date >= ?",
        [user_id, ICS, since.isoformat()],
    ).fetchone()
    return int(row[0])


def insert_imported(
    db: Database,
    user_id: int,
    rule: Rule,
    found: Found,
    calendar: str | None,
    now: datetime,
) -> int:
    cursor = db.execute(
        "INSERT INTO plans (user_id, run_date, local_time, tz, duration_minutes, "
        "materialised_until, created_at, updated_at, source, source_uid, source_key, title, "
        "source_calendar) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            user_id,
            rule.on.isoformat() if rule.on else None,
            rule.at.strftime("%H:%M"),
            rule.tz,
            rule.duration_minutes,
            to_db(now),
            to_db(now),
            to_db(now),
            ICS,
            found.uid,
            found.key,
            found.title or None,
            calendar,
        ],
    )
    return int(cursor.lastrowid or 0)


def update_imported(db: Database, plan_id: int, rule: Rule, title: str, now: datetime) -> None:
    """The event moved or changed: the plan follows (its reminders are rebuilt after)."""
    db.execute(
        "UPDATE plans SET run_date = ?, local_time = ?, tz = ?, duration_minutes = ?, "
        "title = ?, materialised_until = ?, updated_at = ? WHERE id = ?",
        [
            rule.on.isoformat() if rule.on else None,
            rule.at.strftime("%H:%M"),
            rule.tz,
            rule.duration_minutes,
            title or None,
            to_db(now),
            to_db(now),
            plan_id,
        ],
    )


def remove_imported(db: Database, user_id: int, since: date, now: datetime) -> int:
    """Delete (softly) every imported run on `since` or later; returns how many."""
    cursor = db.execute(
        "UPDATE plans SET active = 0, deleted_at = ?, updated_at = ? "
        "WHERE user_id = ? AND active = 1 AND source = ? AND run_date >= ?",
        [to_db(now), to_db(now), user_id, ICS, since.isoformat()],
    )
    return cursor.rowcount


# --- pending imports --------------------------------------------------------------------


@dataclass(frozen=True)
class PendingImport:
    id: int
    user_id: int
    found: list[Found]
    scope: str  # 'runs' | 'all'
    dropped: frozenset[int]  # groups left out with Choose
    status: str
    created_at: datetime
    uids: frozenset[str] = frozenset()  # every event UID in the file
    calendar: str | None = None  # which calendar the file is (bot.core.ics_import.Read)
    zone: str | None = None  # the calendar's own zone


def _pending(row: dict[str, Any]) -> PendingImport:
    return PendingImport(
        id=row["id"],
        user_id=row["user_id"],
        found=load(row["found"]),
        scope=row["scope"],
        dropped=frozenset(int(x) for x in json.loads(row["dropped"])),
        status=row["status"],
        created_at=from_db(row["created_at"]),
        uids=frozenset(json.loads(row["uids"])),
        calendar=row["source_calendar"],
        zone=row["zone"],
    )


def start_import(db: Database, user_id: int, read: Read, scope: str, now: datetime) -> int:
    """A new pending import; the runner's older imports go (only the latest file counts)."""
    db.execute("DELETE FROM calendar_imports WHERE user_id = ?", [user_id])
    cursor = db.execute(
        "INSERT INTO calendar_imports (user_id, found, uids, source_calendar, zone, scope, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            user_id,
            dump(read.found),
            json.dumps(sorted(read.uids), ensure_ascii=False),
            read.calendar,
            read.zone,
            scope,
            to_db(now),
            to_db(now),
        ],
    )
    return int(cursor.lastrowid or 0)


def get_import(db: Database, import_id: int) -> PendingImport | None:
    rows = list(db.query("SELECT * FROM calendar_imports WHERE id = ?", [import_id]))
    return _pending(rows[0]) if rows else None


def set_choice(
    db: Database, import_id: int, scope: str, dropped: frozenset[int], now: datetime
) -> None:
    db.execute(
        "UPDATE calendar_imports SET scope = ?, dropped = ?, updated_at = ? WHERE id = ?",
        [scope, json.dumps(sorted(dropped)), to_db(now), import_id],
    )


def finish_import(db: Database, import_id: int, status: str, now: datetime) -> bool:
    """Close a pending import ('added' or 'cancelled'); False if it was closed already.
    What it found is let go: the plans hold what was added."""
    cursor = db.execute(
        "UPDATE calendar_imports SET status = ?, found = '[]', uids = '[]', updated_at = ? "
        "WHERE id = ? AND status = 'pending'",
        [status, to_db(now), import_id],
    )
    return cursor.rowcount == 1


# --- live links -------------------------------------------------------------------------


@dataclass(frozen=True)
class Feed:
    user_id: int
    nonce: str
    created_at: datetime


def get_feed(db: Database, user_id: int) -> Feed | None:
    row = db.execute(
        "SELECT user_id, nonce, created_at FROM calendar_feeds WHERE user_id = ?", [user_id]
    ).fetchone()
    return Feed(row[0], row[1], from_db(row[2])) if row else None


def set_feed(db: Database, user_id: int, nonce: str, token_hash: str, now: datetime) -> None:
    db.execute(
        "INSERT INTO calendar_feeds (user_id, nonce, token_hash, created_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(user_id) DO UPDATE SET nonce = excluded.nonce, "
        "token_hash = excluded.token_hash, created_at = excluded.created_at",
        [user_id, nonce, token_hash, to_db(now)],
    )


def feed_by_hash(db: Database, token_hash: str) -> Feed | None:
    row = db.execute(
        "SELECT user_id, nonce, created_at FROM calendar_feeds WHERE token_hash = ?",
        [token_hash],
    ).fetchone()
    return Feed(row[0], row[1], from_db(row[2])) if row else None


def delete_feed(db: Database, user_id: int) -> bool:
    cursor = db.execute("DELETE FROM calendar_feeds WHERE user_id = ?", [user_id])
    return cursor.rowcount == 1
