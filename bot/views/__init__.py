"""Views: pure rendering. Every message, keyboard and file the bot sends is built here from
plain values; `callbacks` is the one home of callback data.

`chart` is not imported here: it loads matplotlib (nearly half a second), so it is imported
where a chart is drawn (bot.services.progress), not by everything that imports the views.
"""

from bot.views import (
    admin,
    base,
    calendar,
    callbacks,
    coach,
    commands,
    export,
    i18n,
    ics,
    language,
    plans,
    privacy,
    progress,
    reports,
    session,
    settings,
    weekly,
)

__all__ = [
    "admin",
    "base",
    "calendar",
    "callbacks",
    "coach",
    "commands",
    "export",
    "i18n",
    "ics",
    "language",
    "plans",
    "privacy",
    "progress",
    "reports",
    "session",
    "settings",
    "weekly",
]
