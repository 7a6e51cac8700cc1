"""What /export and /deleteme show: pure rendering (the files themselves: bot.views.export)."""

from __future__ import annotations

from bot.views import callbacks
from bot.views.base import View


def kept() -> View:
    return View("Kept. Nothing changed.")


def delete_prompt(issued: int) -> View:
    text = (
        "⚠️ <b>Delete all your data?</b>\n"
        "Your sets, sessions, logs, plans, reminders and settings will be gone for good, "
        "and nothing stays scheduled. /export first if you want a copy."
    )
    return View(
        text,
        [
            [("🗑 Yes, delete all my data", callbacks.delete_button(issued))],
            [("Keep it", callbacks.KEEP)],
        ],
    )


def deleted() -> View:
    return View(
        "Done: I deleted everything I kept about you and cancelled anything scheduled. "
        "If you write again, I start from scratch."
    )


def export_failed() -> View:
    return View("Sorry, I couldn't send the files just now. Try /export again in a moment.")


def export_caption(kind: str) -> str:
    if kind == "csv":
        return "Every set you did, one row each (opens in any spreadsheet)."
    return "Everything I keep about you: settings, plans, sessions, sets."
