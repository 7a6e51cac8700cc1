"""Planned runs: a local wall time + IANA zone per plan, and skipped occurrences.

Occurrences are never stored here: they are computed from the rule (bot.core.planning).
`materialised_until` marks how far ahead the plan's reminder rows exist
(bot.services.reminders).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlite_utils import Database

from bot.core.clock import from_db, to_db
from bot.core.planning import Rule, decode_weekdays, encode_weekdays, occurrences

# The mark of a one-off plan whose only occurrence has its reminders: never topped up again.
FOREVER = "9999-12-31T00:00:00.000000Z"


@dataclass(frozen=True)
class Plan:
    id: int
    user_id: int
    rule: Rule
    active: bool
    materialised_until: str
    created_at: datetime
    deleted_at: datetime | None
    # Imported from a calendar file (bot.storage.calendar): 'ics', the event and occurrence.
    source: str | None = None
    source_uid: str | None = None
    source_key: str | None = None
    title: str | None = None
    source_calendar: str | None = None
    updated_at: datetime | None = None


def plan_from_row(row: dict[str, Any]) -> Plan:
    """A `plans` row as a Plan (bot.storage.calendar reads the same rows)."""
    hours, minutes = (int(x) for x in row["local_time"].split(":"))
    rule = Rule(
        at=time(hours, minutes),
        tz=row["tz"],
        weekdays=decode_weekdays(row["weekdays"]),
        on=date.fromisoformat(row["run_date"]) if row["run_date"] else None,
        duration_minutes=row["duration_minutes"],
    )
    return Plan(
        id=row["id"],
        user_id=row["user_id"],
        rule=rule,
        active=bool(row["active"]),
        materialised_until=row["materialised_until"],
        created_at=from_db(row["created_at"]),
        deleted_at=from_db(row["deleted_at"]) if row["deleted_at"] else None,
        source=row.get("source"),
        source_uid=row.get("source_uid"),
        source_key=row.get("source_key"),
        title=row.get("title"),
        source_calendar=row.get("source_calendar"),
        updated_at=from_db(row["updated_at"]) if row.get("updated_at") else None,
    )


def insert_plan(db: Database, user_id: int, rule: Rule, now: datetime) -> int:
    """A new plan, with no reminders yet (its mark starts at `now`)."""
    cursor = db.execute(
        "INSERT INTO plans (user_id, weekdays, run_date, local_time, tz, duration_minutes, "
        "materialised_until, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            user_id,
            encode_weekdays(rule.weekdays) if rule.weekly else None,
            rule.on.isoformat() if rule.on else None,
            rule.at.strftime("%H:%M"),
            rule.tz,
            rule.duration_minutes,
            to_db(now),
            to_db(now),
            to_db(now),
        ],
    )
    return int(cursor.lastrowid or 0)


def get_plan(db: Database, plan_id: int) -> Plan | None:
    rows = list(db.query("SELECT * FROM plans WHERE id = ?", [plan_id]))
    return plan_from_row(rows[0]) if rows else None


# Which plans: every active one (reminders, /calendar), or those made with /plan (the cap,
# /runs' list of plans; imported runs are listed and removed together).
_KINDS = {"all": "", "hand": " AND source IS NULL"}


def user_plans(
    db: Database,
    user_id: int,
    *,
    offset: int = 0,
    limit: int | None = None,
    kind: str = "all",
    since: date | None = None,
) -> list[Plan]:
    """The user's active plans, oldest first (or one page of them); with `since`, one-off
    plans before that date are left out (imported runs pile up as they pass)."""
    after = "" if since is None else " AND (run_date IS NULL OR run_date >= ?)"
    rows = db.query(
        f"SELECT * FROM plans WHERE user_id = ? AND active = 1{_KINDS[kind]}{after} "
        "ORDER BY id LIMIT ? OFFSET ?",
        [
            user_id,
            *([] if since is None else [since.isoformat()]),
            -1 if limit is None else limit,
            offset,
        ],
    )
    return [plan_from_row(r) for r in rows]


def count_plans(db: Database, user_id: int, *, before: int | None = None) -> int:
    """How many active plans the user made with /plan (with a lower id than `before`, if
    given); imported runs have a cap of their own (bot.services.calendar)."""
    sql = f"SELECT COUNT(*) FROM plans WHERE user_id = ? AND active = 1{_KINDS['hand']}"
    params = [user_id]
    if before is not None:
        sql += " AND id < ?"
        params.append(before)
    return int(db.execute(sql, params).fetchone()[0])


def deactivate_plan(db: Database, plan_id: int, now: datetime) -> bool:
    """Delete a plan softly: its past runs still count for streaks, no new ones come."""
    cursor = db.execute(
        "UPDATE plans SET active = 0, deleted_at = ?, updated_at = ? WHERE id = ? AND active = 1",
        [to_db(now), to_db(now), plan_id],
    )
    return cursor.rowcount == 1


def set_mark(db: Database, plan_id: int, until: str) -> None:
    db.execute("UPDATE plans SET materialised_until = ? WHERE id = ?", [until, plan_id])


def reset_marks(db: Database, user_id: int, now: datetime) -> None:
    """Forget how far the user's reminders reach, so they are rebuilt from `now`."""
    db.execute(
        "UPDATE plans SET materialised_until = ? WHERE user_id = ? AND active = 1",
        [to_db(now), user_id],
    )


def plans_to_top_up(db: Database, before: datetime, limit: int) -> list[Plan]:
    """Active plans whose reminders end before `before` (via the partial index)."""
    rows = db.query(
        "SELECT * FROM plans WHERE active = 1 AND materialised_until < ? "
        "ORDER BY materialised_until LIMIT ?",
        [to_db(before), limit],
    )
    return [plan_from_row(r) for r in rows]


def add_skip(db: Database, plan_id: int, occurrence: datetime, now: datetime) -> bool:
    """Skip one run of a plan; False if it was skipped already."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO plan_skips (plan_id, occurrence, created_at) VALUES (?, ?, ?)",
        [plan_id, to_db(occurrence), to_db(now)],
    )
    return cursor.rowcount == 1


def skipped(db: Database, plan_id: int, start: datetime, end: datetime) -> set[datetime]:
    rows = db.query(
        "SELECT occurrence FROM plan_skips WHERE plan_id = ? AND occurrence >= ? "
        "AND occurrence < ?",
        [plan_id, to_db(start), to_db(end)],
    )
    return {from_db(r["occurrence"]) for r in rows}


def plan_runs(db: Database, plan: Plan, start: datetime, end: datetime) -> list[datetime]:
    """A plan's runs in [start, end), minus skipped ones, while the plan existed."""
    start = max(start, plan.created_at)
    if plan.deleted_at is not None:
        end = min(end, plan.deleted_at)
    if end <= start:
        return []
    skips = skipped(db, plan.id, start, end)
    return [t for t in occurrences(plan.rule, start, end) if t not in skips]


def planned_runs(db: Database, user_id: int, start: datetime, end: datetime) -> list[datetime]:
    """UTC start instants of the user's planned runs in [start, end), skipped ones excluded.

    Deleted plans still count before they were deleted, and no plan counts before it was
    made, so a streak is judged against what the runner had planned at the time.
    """
    rows = db.query(
        "SELECT * FROM plans WHERE user_id = ? AND created_at < ? "
        "AND (deleted_at IS NULL OR deleted_at > ?)",
        [user_id, to_db(end), to_db(start)],
    )
    runs: set[datetime] = set()
    for row in rows:
        runs.update(plan_runs(db, plan_from_row(row), start, end))
    return sorted(runs)
