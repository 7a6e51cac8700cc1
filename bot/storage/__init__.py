"""Storage: all SQL lives here, one module per concern; plain typed functions that take the
database first (sqlite-utils). Nothing here knows about Telegram or the services above."""

from bot.storage import (
    coach,
    db,
    migrations,
    plans,
    privacy,
    reminders,
    reports,
    sessions,
    stats,
    users,
)

__all__ = [
    "coach",
    "db",
    "migrations",
    "plans",
    "privacy",
    "reminders",
    "reports",
    "sessions",
    "stats",
    "users",
]
