"""Storage: all SQL lives here, one module per concern; plain typed functions that take the
database first (sqlite-utils). Nothing here knows about Telegram or the services above."""

from bot.storage import (
    calendar,
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
    "calendar",
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
