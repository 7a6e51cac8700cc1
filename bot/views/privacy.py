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
    return View("Sorry, I couldn't send the file just now. Try /export again in a moment.")


def export_caption() -> str:
    return (
        "Your data: every set as CSV (opens in any spreadsheet) and everything I keep about "
        "you as JSON."
    )


def export_too_large(limit_mb: int) -> View:
    return View(
        f"Your data is too big to send as one Telegram file (over {limit_mb} MB zipped), "
        "so I couldn't export it here. Ask the bot's operator for a copy."
    )


def export_cooldown(seconds: int) -> View:
    return View(f"Just did that — try /export again in {seconds} s.")
