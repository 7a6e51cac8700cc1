"""Users and their settings: who has talked to the bot, their chat, zone, reminder lead
times, and whether they can be reached. Every column of `users` is read and written here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.core.clock import from_db, to_db

DEFAULT_REMIND = 30
DEFAULT_AFTERRUN = 15
DEFAULT_WEEKLY_DAY = 6  # Sunday (Mon=0)
DEFAULT_WEEKLY_TIME = "18:00"


@dataclass(frozen=True)
class Settings:
    tz: str
    tz_set: bool
    remind_minutes: int | None
    afterrun_minutes: int | None
    # The coach (issue 13): tightness check-ins, watch-point questions, the weekly note.
    checkins: bool = True
    questions: bool = True
    weekly_note: bool = True
    weekly_day: int = DEFAULT_WEEKLY_DAY
    weekly_time: str = DEFAULT_WEEKLY_TIME  # 'HH:MM', local


def touch_user(
    db: Database,
    user_id: int,
    chat_id: int,
    first_name: str,
    language_code: str | None,
    now: datetime,
) -> None:
    """Create the user on first contact; refresh name and last-seen, and reactivate, after."""
    stamp = to_db(now)
    db.execute(
        """
        INSERT INTO users (id, chat_id, first_name, language_code, created_at, last_seen_at)
        VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET
            chat_id = excluded.chat_id,
            first_name = excluded.first_name,
            language_code = excluded.language_code,
            last_seen_at = excluded.last_seen_at,
            -- a runner parked out of the weekly notes (blocked, or quiet) is back in
            weekly_until = CASE WHEN users.active = 0 OR users.weekly_until = ?
                                THEN '' ELSE users.weekly_until END,
            active = 1
        """,
        [user_id, chat_id, first_name[:64], language_code, stamp, stamp, PARKED],
    )


def joined_at(db: Database, user_id: int) -> datetime | None:
    """When the runner first wrote (their first weekly note comes a week or so after)."""
    row = db.execute("SELECT created_at FROM users WHERE id = ?", [user_id]).fetchone()
    return from_db(row[0]) if row else None


def get_user(db: Database, user_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM users WHERE id = ?", [user_id]))
    return rows[0] if rows else None


def language_of(db: Database, user_id: int) -> tuple[str | None, str | None]:
    """(the language chosen with /language or None, the Telegram app's language_code)."""
    row = db.execute("SELECT language, language_code FROM users WHERE id = ?", [user_id]).fetchone()
    return (row[0], row[1]) if row else (None, None)


def set_language(db: Database, user_id: int, language: str) -> None:
    db.execute("UPDATE users SET language = ? WHERE id = ?", [language, user_id])


def set_active(db: Database, user_id: int, active: bool) -> None:
    db.execute("UPDATE users SET active = ? WHERE id = ?", [int(active), user_id])


def user_tz(db: Database, user_id: int) -> str:
    row = db.execute("SELECT tz FROM users WHERE id = ?", [user_id]).fetchone()
    return row[0] if row else "UTC"


def note_group(db: Database, chat_id: int, now: datetime) -> bool:
    """Remember a group was told to go private; True only the first time."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO group_notices (chat_id, created_at) VALUES (?, ?)",
        [chat_id, to_db(now)],
    )
    return cursor.rowcount == 1


# --- settings ---------------------------------------------------------------------------


def get_settings(db: Database, user_id: int) -> Settings:
    row = db.execute(
        "SELECT tz, tz_set_at, remind_minutes, afterrun_minutes, checkins, questions, "
        "weekly_note, weekly_day, weekly_time FROM users WHERE id = ?",
        [user_id],
    ).fetchone()
    if row is None:
        return Settings("UTC", False, DEFAULT_REMIND, DEFAULT_AFTERRUN)
    return Settings(
        row[0], row[1] is not None, row[2], row[3], bool(row[4]), bool(row[5]), bool(row[6]),
        row[7], row[8],
    )  # fmt: skip


def set_checkins(db: Database, user_id: int, on: bool) -> None:
    db.execute("UPDATE users SET checkins = ? WHERE id = ?", [int(on), user_id])


def set_questions(db: Database, user_id: int, on: bool) -> None:
    db.execute("UPDATE users SET questions = ? WHERE id = ?", [int(on), user_id])


def set_weekly(db: Database, user_id: int, on: bool, day: int, time: str) -> None:
    """The weekly note: on or off, its local weekday (Mon=0) and 'HH:MM'. The caller
    rebuilds the note's row (bot.services.reminders)."""
    db.execute(
        "UPDATE users SET weekly_note = ?, weekly_day = ?, weekly_time = ? WHERE id = ?",
        [int(on), day, time, user_id],
    )


def set_remind_minutes(db: Database, user_id: int, minutes: int | None) -> None:
    db.execute("UPDATE users SET remind_minutes = ? WHERE id = ?", [minutes, user_id])


def set_afterrun_minutes(db: Database, user_id: int, minutes: int | None) -> None:
    db.execute("UPDATE users SET afterrun_minutes = ? WHERE id = ?", [minutes, user_id])


# --- the user's zone --------------------------------------------------------------------


def set_zone(db: Database, user_id: int, tz: str, now: datetime) -> None:
    """The user's zone; the plans they made keep their wall time in the new zone (a run
    imported from a calendar keeps the time its calendar gave it)."""
    db.execute("UPDATE users SET tz = ?, tz_set_at = ? WHERE id = ?", [tz, to_db(now), user_id])
    db.execute(
        "UPDATE plans SET tz = ?, updated_at = ? WHERE user_id = ? AND active = 1 "
        "AND source IS NULL",
        [tz, to_db(now), user_id],
    )


# --- the weekly note's mark (bot.services.weekly) ---------------------------------------


# The mark of a runner who blocked the bot or has nothing to talk about: out of the top-up's
# range until they write again (touch_user puts it back to '').
PARKED = "9999-12-31T00:00:00.000000Z"


def weekly_to_make(db: Database, now: datetime, limit: int) -> list[tuple[int, bool]]:
    """(runner, reachable) for runners due a new weekly note row: the note on and their mark
    passed ('' : none made yet). Read through the partial index `users_weekly`."""
    rows = db.execute(
        "SELECT id, active FROM users WHERE weekly_note = 1 AND weekly_until <= ? "
        "ORDER BY weekly_until LIMIT ?",
        [to_db(now), limit],
    ).fetchall()
    return [(r[0], bool(r[1])) for r in rows]


def set_weekly_until(db: Database, user_id: int, until: str) -> None:
    """The instant of the runner's next note row (to_db), or '' to have one made."""
    db.execute("UPDATE users SET weekly_until = ? WHERE id = ?", [until, user_id])
