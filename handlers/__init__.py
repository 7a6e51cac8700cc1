"""Telegram-facing handlers, registered in one ordered list."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers import common, routine, start

# New messages in private chats: edits of old messages never trigger a command twice.
PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE

COMMANDS = [
    ("routine", "Start or continue a hip routine"),
    # (planned-run commands: insert here)
    # (reporting and progress commands: insert here)
    ("help", "What I can do"),
    ("cancel", "Leave what you're doing"),
]


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Every handler, in the order Telegram updates should meet them."""
    ordered: list[tuple[int, BaseHandler[Any, Any, Any]]] = [
        # Bookkeeping first, for every private update: who wrote, reactivate after a block.
        (-10, TypeHandler(Update, common.remember_user)),
        # Only private chats are coached: one note to a group, silence to channels.
        (-5, MessageHandler(~filters.ChatType.PRIVATE, common.not_private)),
        (-5, MessageHandler(filters.UpdateType.EDITED, common.ignore)),
        # Commands.
        (0, CommandHandler("start", start.start, filters=PRIVATE)),
        (0, CommandHandler("help", start.help_command, filters=PRIVATE)),
        (0, CommandHandler("routine", routine.routine_command, filters=PRIVATE)),
        (0, CommandHandler("cancel", routine.cancel_command, filters=PRIVATE)),
        # Buttons: the routine menu, the running session, the continue prompt.
        (0, CallbackQueryHandler(routine.menu_button, pattern=r"^menu$")),
        (0, CallbackQueryHandler(routine.routine_chosen, pattern=r"^m:[a-z_]{1,32}$")),
        (0, CallbackQueryHandler(routine.session_button, pattern=r"^r:")),
        (0, CallbackQueryHandler(routine.resume_button, pattern=r"^c:")),
        # Planned runs, time zone and reminder settings; reminder buttons.
        # (planned runs: insert here)
        # Reporting sets, progress, history and the user's own data.
        # (reporting and progress: insert here)
        # Anything else gets a short answer and changes nothing.
        (0, MessageHandler(filters.COMMAND & PRIVATE, common.unknown_command)),
        (0, MessageHandler(filters.TEXT & PRIVATE, common.unknown_text)),
        (0, MessageHandler(PRIVATE, common.unsupported)),
        (0, CallbackQueryHandler(common.stale_button)),
    ]
    for group, handler in ordered:
        application.add_handler(handler, group=group)
    application.add_error_handler(common.on_error)
