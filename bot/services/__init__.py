"""Services: one module per use case. Each commits to storage first, then talks to
Telegram through the transport; handlers call these and nothing below them."""

from bot.services import (
    admin,
    calendar,
    coach,
    plans,
    privacy,
    progress,
    reminders,
    reports,
    session,
    settings,
    state,
    users,
    weekly,
)

__all__ = [
    "admin",
    "calendar",
    "coach",
    "plans",
    "privacy",
    "progress",
    "reminders",
    "reports",
    "session",
    "settings",
    "state",
    "users",
    "weekly",
]
