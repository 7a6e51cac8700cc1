"""Telegram-facing handlers, registered in one ordered list.

Handlers parse an update and call a service (bot.services); they never touch storage.
Callback patterns come from bot.views.callbacks, the one home of callback data.
"""

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

from bot.views import callbacks
from bot.views.base import NOT_NOW
from bot.views.i18n import Translator
from handlers import (
    admin,
    calendar,
    common,
    language,
    plan,
    privacy,
    progress,
    reminders,
    reports,
    routine,
    settings,
    start,
)

PRIVATE = common.PRIVATE

__all__ = ["register"]


def register(
    application: Application[Any, Any, Any, Any, Any, Any], translators: dict[str, Translator]
) -> None:
    """Every handler, in the order Telegram updates should meet them."""
    # The reply keyboard's "Not now" button sends its label, in whichever language it showed.
    not_now = filters.Text(sorted({t.msg(NOT_NOW) for t in translators.values()}))
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
        (-2, reports.build_report_conversation()),  # /log: exercise, side, sets, reps, day
        (-1, plan.build_plan_conversation()),  # /plan: days, time, length, confirm
        # Commands and buttons of the guided routine.
        (0, CommandHandler("start", start.start, filters=PRIVATE)),
        (0, CommandHandler("help", start.help_command, filters=PRIVATE)),
        (0, CommandHandler("routine", routine.routine_command, filters=PRIVATE)),
        (0, CommandHandler("cancel", routine.cancel_command, filters=PRIVATE)),
        # Buttons: the routine menu, the running session, the continue prompt.
        (0, CallbackQueryHandler(routine.menu_button, pattern=callbacks.MENU_PATTERN)),
        (0, CallbackQueryHandler(routine.routine_chosen, pattern=callbacks.ROUTINE_PATTERN)),
        (0, CallbackQueryHandler(routine.session_button, pattern=callbacks.SESSION_PATTERN)),
        (0, CallbackQueryHandler(routine.resume_button, pattern=callbacks.RESUME_PATTERN)),
        # Hip tightness, 0-10, on a session's first card and its summary.
        (0, CallbackQueryHandler(routine.checkin_button, pattern=callbacks.CHECKIN_PATTERN)),
        # Planned runs, time zone and reminder settings; reminder buttons.
        (0, CommandHandler("runs", reminders.runs_command, filters=PRIVATE)),
        # /settings: every preference in one message, its buttons (`st:`) edit it in place.
        (0, CommandHandler("settings", settings.settings_command, filters=PRIVATE)),
        (0, CallbackQueryHandler(settings.settings_button, pattern=callbacks.SETTINGS_PATTERN)),
        (0, CommandHandler("timezone", settings.timezone_command, filters=PRIVATE)),
        (0, CommandHandler("remind", settings.remind_command, filters=PRIVATE)),
        (0, CommandHandler("afterrun", settings.afterrun_command, filters=PRIVATE)),
        (0, MessageHandler(filters.LOCATION & PRIVATE, settings.location_shared)),
        (0, MessageHandler(not_now & PRIVATE, settings.not_now)),
        (0, CallbackQueryHandler(settings.zone_button, pattern=callbacks.ZONE_PATTERN)),
        (0, CallbackQueryHandler(reminders.reminder_button, pattern=callbacks.REMINDER_PATTERN)),
        (0, CallbackQueryHandler(reminders.runs_button, pattern=callbacks.RUNS_PATTERN)),
        (0, CallbackQueryHandler(reminders.runs_page_button, pattern=callbacks.RUNS_PAGE_PATTERN)),
        # Calendars: /calendar (file, link, revoke), an .ics file sent, its buttons.
        (0, CommandHandler("calendar", calendar.calendar_command, filters=PRIVATE)),
        (0, MessageHandler(filters.Document.ALL & PRIVATE, calendar.document_received)),
        (0, CallbackQueryHandler(calendar.import_button, pattern=callbacks.IMPORT_PATTERN)),
        (
            0,
            CallbackQueryHandler(
                calendar.remove_imported_button, pattern=callbacks.REMOVE_IMPORTED_PATTERN
            ),
        ),
        # The language the coach speaks.
        (0, CommandHandler("language", language.language_command, filters=PRIVATE)),
        (0, CallbackQueryHandler(language.language_button, pattern=callbacks.LANGUAGE_PATTERN)),
        # Reporting sets, progress, history and the user's own data.
        (0, CommandHandler("progress", progress.progress_command, filters=PRIVATE)),
        (0, CommandHandler("history", progress.history_command, filters=PRIVATE)),
        (0, CommandHandler("undo", reports.undo_command, filters=PRIVATE)),
        (0, CommandHandler("export", privacy.export_command, filters=PRIVATE)),
        (0, CommandHandler("deleteme", privacy.deleteme_command, filters=PRIVATE)),
        (0, CallbackQueryHandler(reports.undo_button, pattern=callbacks.UNDO_PATTERN)),
        (0, CallbackQueryHandler(privacy.delete_button, pattern=callbacks.DELETE_PATTERN)),
        (0, CallbackQueryHandler(privacy.keep_button, pattern=callbacks.KEEP_PATTERN)),
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
