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

from bot.plan_views import NOT_NOW
from handlers import admin, common, mydata, plan, progress, routine, settings, start
from handlers import log as log_flow
from handlers import reminders as reminder_buttons

PRIVATE = common.PRIVATE

COMMANDS = [
    ("routine", "Start or continue a hip routine"),
    ("plan", "Plan your runs"),
    ("runs", "Upcoming runs: skip one or delete a plan"),
    ("timezone", "Set your time zone"),
    ("remind", "Minutes of notice before a run"),
    ("afterrun", "Stretch prompt after a run"),
    ("log", "Log sets you did: /log rotations 2x10"),
    ("progress", "Your week, streak and chart"),
    ("history", "Your last sessions and logs"),
    ("undo", "Remove the last thing you logged"),
    ("export", "Download all your data"),
    ("deleteme", "Delete all your data"),
    ("help", "What I can do"),
    ("cancel", "Leave what you're doing"),
]
# Shown only in the menus of the chats of HIPCOACH_ADMIN_IDS.
ADMIN_COMMANDS = [("stats", "Users, sessions, reminders and errors")]


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Every handler, in the order Telegram updates should meet them."""
    ordered: list[tuple[int, BaseHandler[Any, Any, Any]]] = [
        # Before anything else: log lines from here on carry the user and update ids.
        (-100, TypeHandler(Update, common.tag_update)),
        # Bookkeeping first, for every private update: who wrote, reactivate after a block.
        (-10, TypeHandler(Update, common.remember_user)),
        # Only private chats are coached: one note to a group, silence to channels.
        (-5, MessageHandler(~filters.ChatType.PRIVATE, common.not_private)),
        (-5, MessageHandler(filters.UpdateType.EDITED, common.ignore)),
        # Conversations that read typed input, each in its own group ahead of the commands:
        # a step they handle stops there, so their /cancel and typed values go no further,
        # and any other command ends them and runs as usual.
        (-2, log_flow.build_log_conversation()),  # /log: exercise, side, sets, reps, day
        (-1, plan.build_plan_conversation()),  # /plan: days, time, length, confirm
        # Commands and buttons of the guided routine.
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
        (0, CommandHandler("runs", reminder_buttons.runs_command, filters=PRIVATE)),
        (0, CommandHandler("timezone", settings.timezone_command, filters=PRIVATE)),
        (0, CommandHandler("remind", settings.remind_command, filters=PRIVATE)),
        (0, CommandHandler("afterrun", settings.afterrun_command, filters=PRIVATE)),
        (0, MessageHandler(filters.LOCATION & PRIVATE, settings.location_shared)),
        (0, MessageHandler(filters.Text([NOT_NOW]) & PRIVATE, settings.not_now)),
        (0, CallbackQueryHandler(settings.zone_button, pattern=r"^tz:")),
        (0, CallbackQueryHandler(reminder_buttons.reminder_button, pattern=r"^rm:")),
        (0, CallbackQueryHandler(reminder_buttons.runs_button, pattern=r"^rn:")),
        # Reporting sets, progress, history and the user's own data.
        (0, CommandHandler("progress", progress.progress_command, filters=PRIVATE)),
        (0, CommandHandler("history", progress.history_command, filters=PRIVATE)),
        (0, CommandHandler("undo", mydata.undo_command, filters=PRIVATE)),
        (0, CommandHandler("export", mydata.export_command, filters=PRIVATE)),
        (0, CommandHandler("deleteme", mydata.deleteme_command, filters=PRIVATE)),
        (0, CallbackQueryHandler(mydata.undo_button, pattern=r"^md:undo:\d{1,18}$")),
        (0, CallbackQueryHandler(mydata.delete_button, pattern=r"^md:del:\d{1,12}$")),
        (0, CallbackQueryHandler(mydata.keep_button, pattern=r"^md:keep$")),
        # Operators only (HIPCOACH_ADMIN_IDS), not in the menu; others get the unknown answer.
        (0, CommandHandler("stats", admin.stats_command, filters=PRIVATE)),
        # Anything else gets a short answer and changes nothing.
        (0, MessageHandler(filters.COMMAND & PRIVATE, common.unknown_command)),
        (0, MessageHandler(filters.TEXT & PRIVATE, common.unknown_text)),
        (0, MessageHandler(PRIVATE, common.unsupported)),
        (0, CallbackQueryHandler(common.stale_button)),
    ]
    for group, handler in ordered:
        application.add_handler(handler, group=group)
    application.add_error_handler(common.on_error)
