"""Users: who has talked to the bot, their chat, zone and whether they can be reached."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.clock import to_db


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


def set_active(db: Database, user_id: int, active: bool) -> None:
    db.execute("UPDATE users SET active = ? WHERE id = ?", [int(active), user_id])


def user_tz(db: Database, user_id: int) -> str:
    user = get_user(db, user_id)
    return user["tz"] if user else "UTC"


def note_group(db: Database, chat_id: int, now: datetime) -> bool:
    """Remember a group was told to go private; True only the first time."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO group_notices (chat_id, created_at) VALUES (?, ?)",
        [chat_id, to_db(now)],
    )
    return cursor.rowcount == 1
