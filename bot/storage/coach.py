"""What the adaptive coach reads and writes: ladder changes, the outings and pain reports
its rules look at, watch-point answers, and hip tightness check-ins (on `sessions`)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.core.clock import from_db, to_db
from bot.core.coach import Change, CheckIn, Outing, WatchAnswer


def _change(row: dict[str, Any]) -> Change:
    return Change(
        exercise=row["exercise"],
        step_from=row["step_from"],
        step_to=row["step_to"],
        reason=row["reason"],
        at=from_db(row["created_at"]),
        paused=bool(row["paused"]),
    )


def insert_change(db: Database, user_id: int, change: Change, session_id: int | None) -> None:
    db.execute(
        "INSERT INTO ladder_changes (user_id, session_id, exercise, step_from, step_to, "
        "paused, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            user_id,
            session_id,
            change.exercise,
            change.step_from,
            change.step_to,
            int(change.paused),
            change.reason,
            to_db(change.at),
        ],
    )


def changes(db: Database, user_id: int, exercise: str | None = None) -> list[Change]:
    """The runner's ladder changes (of one exercise, or all), oldest first."""
    where, params = "user_id = ?", [user_id]
    if exercise is not None:
        where += " AND exercise = ?"
        params.append(exercise)  # type: ignore[arg-type]
    rows = db.query(f"SELECT * FROM ladder_changes WHERE {where} ORDER BY id", params)
    return [_change(r) for r in rows]


def changes_between(db: Database, user_id: int, start: datetime, end: datetime) -> list[Change]:
    """Changes made in [start, end), oldest first (the weekly note's 'ladder changes')."""
    rows = db.query(
        "SELECT * FROM ladder_changes WHERE user_id = ? AND created_at >= ? AND created_at < ? "
        "ORDER BY id",
        [user_id, to_db(start), to_db(end)],
    )
    return [_change(r) for r in rows]


def outings(
    db: Database, user_id: int, exercise: str, sides: int, since: datetime | None, last: int = 3
) -> list[Outing]:
    """The exercise's `last` rated guided outings since `since` (all if None), oldest first
    (the rules never look further back); pain ratings are left out (they are pain reports:
    see `pains`). `sides`: how many sides one of its sets has (1 for both at once)."""
    rows = db.query(
        """
        SELECT f.rating, f.created_at, se.plan,
               (SELECT COUNT(*) FROM skips k
                 WHERE k.session_id = f.session_id AND k.exercise = f.exercise) AS skipped,
               (SELECT COUNT(*) FROM sets s
                 WHERE s.session_id = f.session_id AND s.exercise = f.exercise) AS done,
               (SELECT COUNT(*) FROM sets s
                 WHERE s.session_id = f.session_id AND s.exercise = f.exercise
                   AND (s.actual_reps < s.target_reps
                        OR s.actual_seconds < s.target_seconds)) AS short
        FROM feedback f JOIN sessions se ON se.id = f.session_id
        WHERE f.user_id = ? AND f.exercise = ? AND f.rating != 'pain' AND f.created_at > ?
        ORDER BY f.created_at DESC, f.id DESC LIMIT ?
        """,
        [user_id, exercise, to_db(since) if since else "", last],
    )
    out = []
    for r in reversed(list(rows)):
        planned = _planned(r["plan"], exercise)
        sets = planned.get("sets", 0) if planned else 0
        out.append(
            Outing(
                at=from_db(r["created_at"]),
                rating=r["rating"],
                complete=not r["skipped"] and not r["short"] and r["done"] >= sets * sides > 0,
                short=bool(r["skipped"] or r["short"]),
                full=bool(planned and planned.get("full", False)),
            )
        )
    return out


def _planned(plan: str | None, exercise: str) -> dict[str, Any] | None:
    """The exercise's entry in a stored plan (bot.core.dosing.SessionPlan as JSON)."""
    if not plan:
        return None
    for e in json.loads(plan).get("exercises", []):
        if e.get("id") == exercise:
            return dict(e)
    return None


def paused_in(db: Database, session_id: int) -> bool:
    """Did this session pause an exercise (pain twice)?"""
    row = db.execute(
        "SELECT 1 FROM ladder_changes WHERE session_id = ? AND paused = 1 LIMIT 1", [session_id]
    ).fetchone()
    return row is not None


def outing_count(db: Database, user_id: int, exercise: str) -> int:
    """How many times the runner has rated the exercise after a guided session."""
    row = db.execute(
        "SELECT COUNT(*) FROM feedback WHERE user_id = ? AND exercise = ?", [user_id, exercise]
    ).fetchone()
    return int(row[0])


def pains(
    db: Database, user_id: int, exercise: str, since: datetime | None = None
) -> list[datetime]:
    """When the runner reported pain in the exercise, oldest first."""
    rows = db.execute(
        "SELECT created_at FROM feedback WHERE user_id = ? AND exercise = ? AND rating = 'pain' "
        "AND created_at > ? ORDER BY created_at",
        [user_id, exercise, to_db(since) if since else ""],
    ).fetchall()
    return [from_db(r[0]) for r in rows]


def answers(db: Database, user_id: int, exercise: str, last: int = 5) -> list[WatchAnswer]:
    """The latest watch-point answers for the exercise, oldest first."""
    rows = db.execute(
        "SELECT point, answer, created_at FROM watch_answers WHERE user_id = ? AND exercise = ? "
        "ORDER BY id DESC LIMIT ?",
        [user_id, exercise, last],
    ).fetchall()
    return [WatchAnswer(r[0], r[1], from_db(r[2])) for r in reversed(rows)]


def insert_answer(
    db: Database,
    user_id: int,
    session_id: int,
    exercise: str,
    point: int,
    answer: str,
    now: datetime,
) -> None:
    db.execute(
        "INSERT INTO watch_answers (user_id, session_id, exercise, point, answer, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, exercise) DO UPDATE SET "
        "point = excluded.point, answer = excluded.answer, created_at = excluded.created_at",
        [user_id, session_id, exercise, point, answer, to_db(now)],
    )


# --- hip tightness ----------------------------------------------------------------------


def set_tightness(db: Database, session_id: int, moment: str, value: int) -> None:
    """A check-in on the session: `moment` is 'before' or 'after' (a later tap corrects)."""
    column = {"before": "tight_before", "after": "tight_after"}[moment]
    db.execute(f"UPDATE sessions SET {column} = ? WHERE id = ?", [value, session_id])


def checkins(db: Database, user_id: int, since: datetime) -> list[CheckIn]:
    """Sessions since `since` with any tightness check-in, oldest first."""
    rows = db.execute(
        "SELECT started_at, tight_before, tight_after FROM sessions WHERE user_id = ? "
        "AND started_at >= ? AND (tight_before IS NOT NULL OR tight_after IS NOT NULL) "
        "ORDER BY started_at",
        [user_id, to_db(since)],
    ).fetchall()
    return [CheckIn(from_db(r[0]), r[1], r[2]) for r in rows]
