"""Guided sessions: the stored cursor, and the sets, skips and feedback they produce.

Every change to a session goes through `apply_outcome`, which checks the session's `rev` so
a stale button or a late timer can never move a session twice, and writes the cursor and
everything the step produced in one transaction, before the bot tells the runner.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from sqlite_utils import Database

from bot.core.clock import from_db, to_db
from bot.core.dosing import SessionPlan
from bot.core.engine import TIMED_PHASES, Cursor, Outcome, SetResult
from bot.storage import coach

Status = Literal["active", "completed", "partial", "abandoned"]
# How a session closed before its last step ends: partial if any set was saved, else
# abandoned (the one place this rule is written; `sessions` is the row being updated).
ENDED_EARLY = (
    "CASE WHEN EXISTS (SELECT 1 FROM sets WHERE session_id = sessions.id) "
    "THEN 'partial' ELSE 'abandoned' END"
)


@dataclass(frozen=True)
class Session:
    id: int
    user_id: int
    chat_id: int
    routine_id: str
    status: Status
    started_at: datetime
    ended_at: datetime | None
    updated_at: datetime
    cursor: Cursor
    rev: int
    live_message_id: int | None
    # The session's own plan; None for one started before plans were stored (the
    # routine's default then).
    plan: SessionPlan | None = None
    tight_before: int | None = None
    tight_after: int | None = None
    # The current exercise's messages in the chat (the live one included), oldest first.
    trail: tuple[int, ...] = ()

    @property
    def active(self) -> bool:
        return self.status == "active"


@functools.lru_cache(maxsize=1024)
def _plan(text: str) -> SessionPlan:
    """A stored plan, parsed once: a session is read on every countdown tick and button,
    and its plan (frozen) only changes when an offer is taken."""
    return SessionPlan.from_json(text)


def _session(row: dict[str, Any]) -> Session:
    cursor = Cursor(
        step=row["step"],
        phase=row["phase"],
        ends_at=from_db(row["ends_at"]) if row["ends_at"] else None,
        paused_phase=row["paused_phase"],
        remaining=row["remaining"],
    )
    return Session(
        id=row["id"],
        user_id=row["user_id"],
        chat_id=row["chat_id"],
        routine_id=row["routine"],
        status=row["status"],
        started_at=from_db(row["started_at"]),
        ended_at=from_db(row["ended_at"]) if row["ended_at"] else None,
        updated_at=from_db(row["updated_at"]),
        cursor=cursor,
        rev=row["rev"],
        live_message_id=row["live_message_id"],
        plan=_plan(row["plan"]) if row.get("plan") else None,
        tight_before=row.get("tight_before"),
        tight_after=row.get("tight_after"),
        trail=tuple(json.loads(row.get("trail") or "[]")),
    )


def _cursor_columns(cursor: Cursor) -> dict[str, Any]:
    return {
        "step": cursor.step,
        "phase": cursor.phase,
        "ends_at": to_db(cursor.ends_at) if cursor.ends_at else None,
        "paused_phase": cursor.paused_phase,
        "remaining": cursor.remaining,
    }


def get_session(db: Database, session_id: int) -> Session | None:
    rows = list(db.query("SELECT * FROM sessions WHERE id = ?", [session_id]))
    return _session(rows[0]) if rows else None


def active_session(db: Database, user_id: int) -> Session | None:
    rows = list(
        db.query("SELECT * FROM sessions WHERE user_id = ? AND status = 'active'", [user_id])
    )
    return _session(rows[0]) if rows else None


def active_sessions(db: Database) -> list[Session]:
    return [_session(r) for r in db.query("SELECT * FROM sessions WHERE status = 'active'")]


def idle_sessions(db: Database, idle_since: datetime) -> list[Session]:
    """Active sessions waiting on the runner (no timer running) since before `idle_since`."""
    timed = sorted(TIMED_PHASES)
    rows = db.query(
        "SELECT * FROM sessions WHERE status = 'active' AND updated_at < ? "
        f"AND phase NOT IN ({', '.join('?' * len(timed))})",
        [to_db(idle_since), *timed],
    )
    return [_session(r) for r in rows]


def start_session(
    db: Database, user_id: int, chat_id: int, plan: SessionPlan, cursor: Cursor, now: datetime
) -> Session:
    """Open a new session with its plan; any session still active for the user is closed
    first."""
    with db.atomic():
        db.execute(
            f"UPDATE sessions SET status = {ENDED_EARLY}, ended_at = ?, updated_at = ?, "
            "rev = rev + 1 WHERE user_id = ? AND status = 'active'",
            [to_db(now), to_db(now), user_id],
        )
        row = {
            "user_id": user_id,
            "chat_id": chat_id,
            "routine": plan.routine,
            "plan": plan.to_json(),
            "status": "active",
            "started_at": to_db(now),
            "updated_at": to_db(now),
            "rev": 0,
            **_cursor_columns(cursor),
        }
        session_id = db.table("sessions").insert(row).last_pk
    assert isinstance(session_id, int)
    session = get_session(db, session_id)
    assert session is not None
    return session


def apply_outcome(
    db: Database, session: Session, outcome: Outcome, now: datetime
) -> Session | None:
    """Store the new cursor and what the step produced, atomically.

    Returns the updated session, or None if the session moved on meanwhile (stale rev) or
    is no longer active; in that case nothing is written.
    """
    stamp = to_db(now)
    status: Status = outcome.finished or "active"
    with db.atomic():
        cursor = db.execute(
            "UPDATE sessions SET step = :step, phase = :phase, ends_at = :ends_at, "
            "paused_phase = :paused_phase, remaining = :remaining, rev = rev + 1, "
            "updated_at = :now, status = :status, ended_at = :ended "
            "WHERE id = :id AND rev = :rev AND status = 'active'",
            {
                **_cursor_columns(outcome.cursor),
                "now": stamp,
                "status": status,
                "ended": stamp if outcome.finished else None,
                "id": session.id,
                "rev": session.rev,
            },
        )
        if cursor.rowcount != 1:
            return None
        for result in outcome.sets:
            _insert_set(db, session, result, stamp)
        for skip in outcome.skips:
            db.table("skips").insert(
                {
                    "user_id": session.user_id,
                    "session_id": session.id,
                    "exercise": skip.exercise,
                    "side": skip.side,
                    "set_no": skip.set_no,
                    "reason": skip.reason,
                    "created_at": stamp,
                }
            )
        if outcome.plan is not None:
            db.execute(
                "UPDATE sessions SET plan = ? WHERE id = ?", [outcome.plan.to_json(), session.id]
            )
        if outcome.change is not None:
            coach.insert_change(db, session.user_id, outcome.change, session.id)
        if outcome.answer is not None:
            exercise, point, answer = outcome.answer
            coach.insert_answer(db, session.user_id, session.id, exercise, point, answer, now)
        if status == "partial":  # stopped early: settled once this step's sets are in
            [(status,)] = db.execute(
                f"UPDATE sessions SET status = {ENDED_EARLY} WHERE id = ? RETURNING status",
                [session.id],
            ).fetchall()
        if outcome.feedback:
            exercise, rating = outcome.feedback
            db.execute(
                "INSERT INTO feedback (user_id, session_id, exercise, rating, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (session_id, exercise) "
                "DO UPDATE SET rating = excluded.rating, created_at = excluded.created_at",
                [session.user_id, session.id, exercise, rating, stamp],
            )
    return replace(
        session,
        cursor=outcome.cursor,
        rev=session.rev + 1,
        status=status,
        updated_at=now,
        ended_at=now if outcome.finished else None,
        plan=outcome.plan or session.plan,
    )


def _insert_set(db: Database, session: Session, result: SetResult, stamp: str) -> None:
    # The unique key (session, exercise, side, set) makes a replayed step harmless.
    db.execute(
        "INSERT INTO sets (user_id, session_id, exercise, side, set_no, target_reps, "
        "actual_reps, target_seconds, actual_seconds, source, performed_at, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'guided', ?, ?) "
        "ON CONFLICT (session_id, exercise, side, set_no) DO NOTHING",
        [
            session.user_id,
            session.id,
            result.exercise,
            result.side,
            result.set_no,
            result.target_reps,
            result.actual_reps,
            result.target_seconds,
            result.actual_seconds,
            stamp,
            stamp,
        ],
    )


def end_session(db: Database, session: Session, now: datetime) -> Session | None:
    """Close a session before its last step (/cancel, start over, idle timeout) if it is
    still as the caller saw it: returns it ended, or None if it had moved on."""
    with db.atomic():  # RETURNING is a read too: sqlite-utils would not commit it alone
        rows = db.execute(
            f"UPDATE sessions SET status = {ENDED_EARLY}, ended_at = ?, updated_at = ?, "
            "phase = 'done', ends_at = NULL, rev = rev + 1 "
            "WHERE id = ? AND rev = ? AND status = 'active' RETURNING status",
            [to_db(now), to_db(now), session.id, session.rev],
        ).fetchall()
    if not rows:
        return None
    return replace(
        session,
        status=rows[0][0],
        ended_at=now,
        updated_at=now,
        cursor=replace(session.cursor, phase="done", ends_at=None),
        rev=session.rev + 1,
    )


# At most this many messages are remembered (one deleteMessages call takes up to 100).
TRAIL_MAX = 100


def set_live_message(db: Database, session_id: int, message_id: int | None) -> None:
    """Remember which message carries the session's live buttons (not a cursor change), and
    add it to the current exercise's trail."""
    with db.atomic():
        db.execute("UPDATE sessions SET live_message_id = ? WHERE id = ?", [message_id, session_id])
        if message_id is not None:
            add_to_trail(db, session_id, message_id)


def add_to_trail(db: Database, session_id: int, message_id: int) -> None:
    """A message about the session that is not its live one (a 'continue?' prompt): it is
    deleted with the current exercise's messages."""
    with db.atomic():
        rows = db.execute("SELECT trail FROM sessions WHERE id = ?", [session_id]).fetchall()
        trail = json.loads(rows[0][0]) if rows else []
        if message_id not in trail:
            trail = [*trail, message_id][-TRAIL_MAX:]
            db.execute(
                "UPDATE sessions SET trail = ? WHERE id = ?", [json.dumps(trail), session_id]
            )


def take_trail(db: Database, session_id: int, keep: int | None = None) -> list[int]:
    """The exercise is over: its messages to delete (all but `keep`), and a new trail that
    holds only `keep`."""
    with db.atomic():
        rows = db.execute("SELECT trail FROM sessions WHERE id = ?", [session_id]).fetchall()
        trail = [m for m in (json.loads(rows[0][0]) if rows else []) if m != keep]
        new = [keep] if keep is not None else []
        db.execute("UPDATE sessions SET trail = ? WHERE id = ?", [json.dumps(new), session_id])
    return trail


def give_back_trail(db: Database, session_id: int, message_ids: list[int]) -> None:
    """Deleting them did not happen (no spare capacity): they go with the next exercise's."""
    with db.atomic():
        rows = db.execute("SELECT trail FROM sessions WHERE id = ?", [session_id]).fetchall()
        trail = json.loads(rows[0][0]) if rows else []
        merged = [m for m in message_ids if m not in trail] + trail
        db.execute(
            "UPDATE sessions SET trail = ? WHERE id = ?",
            [json.dumps(merged[-TRAIL_MAX:]), session_id],
        )


def session_sets(db: Database, session_id: int) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM sets WHERE session_id = ? ORDER BY id", [session_id]))


def session_skips(db: Database, session_id: int) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM skips WHERE session_id = ? ORDER BY id", [session_id]))


def session_feedback(db: Database, session_id: int) -> dict[str, str]:
    rows = db.query("SELECT exercise, rating FROM feedback WHERE session_id = ?", [session_id])
    return {r["exercise"]: r["rating"] for r in rows}


def completed_since(db: Database, user_id: int, since: datetime) -> int:
    """Routines finished since `since` (a UTC instant)."""
    row = db.execute(
        "SELECT COUNT(*) FROM sessions WHERE user_id = ? AND status = 'completed' "
        "AND ended_at >= ?",
        [user_id, to_db(since)],
    ).fetchone()
    return int(row[0])
