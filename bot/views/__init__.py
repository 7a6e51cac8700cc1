"""Views: pure rendering. Every message, keyboard and file the bot sends is built here from
plain values; `callbacks` is the one home of callback data."""

from bot.views import (
    admin,
    base,
    callbacks,
    chart,
    commands,
    export,
    i18n,
    language,
    plans,
    privacy,
    progress,
    reports,
    session,
)

__all__ = [
    "admin",
    "base",
    "callbacks",
    "chart",
    "commands",
    "export",
    "i18n",
    "language",
    "plans",
    "privacy",
    "progress",
    "reports",
    "session",
]
