"""Counts for the operator's /stats: how many runners, and how much they train.

Tables added by later features (plans, reminders) are counted only when they exist, so this
works on any database version.
"""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.core.clock import to_db
from bot.core.stats import Stats


def _count(db: Database, sql: str, params: list[object] | None = None) -> int:
    return int(db.execute(sql, params or []).fetchone()[0])


def _count_plans(db: Database) -> int | None:
    if "plans" not in db.table_names():
        return None
    columns = db["plans"].columns_dict
    where = ["1"] + [c for c in ("active = 1", "deleted_at IS NULL") if c.split()[0] in columns]
    return _count(db, f"SELECT count(*) FROM plans WHERE {' AND '.join(where)}")


def _count_reminders_sent(db: Database) -> int | None:
    if "reminders" not in db.table_names():
        return None
    columns = db["reminders"].columns_dict
    if "status" in columns:
        return _count(db, "SELECT count(*) FROM reminders WHERE status = 'sent'")
    if "sent_at" in columns:
        return _count(db, "SELECT count(*) FROM reminders WHERE sent_at IS NOT NULL")
    return _count(db, "SELECT count(*) FROM reminders")


def collect_stats(db: Database, since: datetime) -> Stats:
    """Every count, with activity measured from `since` (an instant, compared in UTC)."""
    stamp = to_db(since)
    return Stats(
        users=_count(db, "SELECT count(*) FROM users"),
        blocked=_count(db, "SELECT count(*) FROM users WHERE active = 0"),
        active=_count(db, "SELECT count(*) FROM users WHERE last_seen_at >= ?", [stamp]),
        sessions=_count(db, "SELECT count(*) FROM sessions WHERE started_at >= ?", [stamp]),
        sets=_count(db, "SELECT count(*) FROM sets WHERE performed_at >= ?", [stamp]),
        plans=_count_plans(db),
        reminders_sent=_count_reminders_sent(db),
    )
