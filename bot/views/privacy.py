"""What /export and /deleteme show: pure rendering (the files themselves: bot.views.export)."""

from __future__ import annotations

from bot.views import callbacks
from bot.views.base import View
from bot.views.i18n import Translator


def kept(t: Translator) -> View:
    return View(t._("Kept. Nothing changed."))


def keep_answer(t: Translator) -> str:
    """The toast on the "Keep it" button."""
    return t._("Nothing changed.")


def delete_prompt(t: Translator, issued: int) -> View:
    text = t._(
        "⚠️ <b>Delete all your data?</b>\n"
        "Your sets, sessions, logs, plans, reminders and settings will be gone for good, "
        "and nothing stays scheduled. /export first if you want a copy."
    )
    return View(
        text,
        [
            [(t._("🗑 Yes, delete all my data"), callbacks.delete_button(issued))],
            [(t._("Keep it"), callbacks.KEEP)],
        ],
    )


def deleted(t: Translator) -> View:
    return View(
        t._(
            "Done: I deleted everything I kept about you and cancelled anything scheduled. "
            "If you write again, I start from scratch."
        )
    )


def deleted_answer(t: Translator) -> str:
    """The toast on the confirmation button once the data is gone."""
    # Translators: a short toast shown once all the runner's data is deleted.
    return t._("Deleted")


def delete_expired(t: Translator) -> str:
    """The alert on a confirmation button pressed too late."""
    return t._("That confirmation expired. Send /deleteme again.")


def export_failed(t: Translator) -> View:
    return View(t._("Sorry, I couldn't send the file just now. Try /export again in a moment."))


def export_caption(t: Translator) -> str:
    return t._(
        "Your data: every set as CSV (opens in any spreadsheet) and everything I keep about "
        "you as JSON."
    )


def export_too_large(t: Translator, limit_mb: int) -> View:
    return View(
        t._(
            "Your data is too big to send as one Telegram file (over {limit_mb} MB zipped), "
            "so I couldn't export it here. Ask the bot's operator for a copy.",
            limit_mb=t.number(limit_mb),
        )
    )
