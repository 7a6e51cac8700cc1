"""Services: one module per use case. Each commits to storage first, then talks to
Telegram through the transport; handlers call these and nothing below them."""

from bot.services import (
    admin,
    plans,
    privacy,
    progress,
    reminders,
    reports,
    session,
    state,
    users,
)

__all__ = [
    "admin",
    "plans",
    "privacy",
    "progress",
    "reminders",
    "reports",
    "session",
    "state",
    "users",
]
