"""Users and their settings: who has talked to the bot, their chat, zone, reminder lead
times, and whether they can be reached. Every column of `users` is read and written here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.core.clock import to_db

DEFAULT_REMIND = 30
DEFAULT_AFTERRUN = 15


@dataclass(frozen=True)
class Settings:
    tz: str
    tz_set: bool
    remind_minutes: int | None
    afterrun_minutes: int | None


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
            active = 1
        """,
        [user_id, chat_id, first_name[:64], language_code, stamp, stamp],
    )


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
        "SELECT tz, tz_set_at, remind_minutes, afterrun_minutes FROM users WHERE id = ?",
        [user_id],
    ).fetchone()
    if row is None:
        return Settings("UTC", False, DEFAULT_REMIND, DEFAULT_AFTERRUN)
    return Settings(row[0], row[1] is not None, row[2], row[3])


def set_remind_minutes(db: Database, user_id: int, minutes: int | None) -> None:
    db.execute("UPDATE users SET remind_minutes = ? WHERE id = ?", [minutes, user_id])


def set_afterrun_minutes(db: Database, user_id: int, minutes: int | None) -> None:
    db.execute("UPDATE users SET afterrun_minutes = ? WHERE id = ?", [minutes, user_id])


# --- the user's zone --------------------------------------------------------------------


def set_zone(db: Database, user_id: int, tz: str, now: datetime) -> None:
    """The user's zone; their active plans keep their wall time in the new zone."""
    db.execute("UPDATE users SET tz = ?, tz_set_at = ? WHERE id = ?", [tz, to_db(now), user_id])
    db.execute(
        "UPDATE plans SET tz = ?, updated_at = ? WHERE user_id = ? AND active = 1",
        [tz, to_db(now), user_id],
    )
