"""The runner's own data: /undo the last report, /export everything, /deleteme.

Both destructive commands ask first (`md:` buttons); every button is checked against the
person pressing it, so forged or forwarded data can never touch another user's rows.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes, ConversationHandler

from bot import export, log_views, logparse, messaging, timers
from bot.services import services
from bot.storage import logs
from bot.storage.users import user_tz

log = logging.getLogger(__name__)

# A /deleteme confirmation is good for this long; an old one found later asks again.
DELETE_CONFIRM_SECONDS = 10 * 60


# --- /undo -------------------------------------------------------------------------------


async def undo_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    assert update.effective_user is not None and update.effective_chat is not None
    user_id = update.effective_user.id
    record = logs.last_log(svc.db, user_id)
    if record is None:
        view = log_views.nothing_to_undo()
    else:
        today = logparse.local_today(svc.clock.now(), user_tz(svc.db, user_id))
        exercise = svc.catalogue.exercises.get(record.exercise)
        view = log_views.undo_prompt(record, exercise, today)
    await messaging.send(context.bot, svc.db, update.effective_chat.id, view)


async def undo_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`md:undo:<log id>`: remove that report, if it is the presser's."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_chat is not None
    svc = services(context)
    chat_id = update.effective_chat.id
    user_id = query.from_user.id
    log_id = int(query.data.rsplit(":", 1)[1])
    record = logs.get_log(svc.db, log_id)
    if record is None or record.user_id != user_id:
        if query.message is not None:
            await messaging.strip_buttons(context.bot, chat_id, query.message.message_id)
        await query.answer("Already removed." if record is None else "That isn't yours.")
        return
    if not logs.delete_log(svc.db, user_id, log_id):
        await query.answer("Already removed.")
        return
    log.info("user %s undid log %s (%s sets)", user_id, log_id, record.set_rows)
    today = logparse.local_today(svc.clock.now(), user_tz(svc.db, user_id))
    view = log_views.undone(record, svc.catalogue.exercises.get(record.exercise), today)
    await query.answer("Removed")
    if query.message is not None:
        await messaging.edit(context.bot, chat_id, query.message.message_id, view)
    else:
        await messaging.send(context.bot, svc.db, chat_id, view)


async def keep_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`md:keep`: the runner changed their mind; nothing happens."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    await query.answer("Nothing changed.")
    if query.message is not None:
        await messaging.edit(
            context.bot,
            update.effective_chat.id,
            query.message.message_id,
            log_views.kept(),
        )


# --- /export -----------------------------------------------------------------------------


async def export_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Two files: every set as CSV, and everything kept as JSON."""
    svc = services(context)
    assert update.effective_user is not None and update.effective_chat is not None
    user_id, chat_id = update.effective_user.id, update.effective_chat.id
    now = svc.clock.now()
    csv_name, json_name = export.filenames(now)
    files = [
        (csv_name, export.sets_csv(logs.export_sets(svc.db, user_id)), "csv"),
        (
            json_name,
            export.data_json(logs.dump_user(svc.db, user_id, chat_id), user_id, now),
            "json",
        ),
    ]
    for name, data, kind in files:
        try:
            await context.bot.send_document(
                chat_id, document=data, filename=name, caption=log_views.export_caption(kind)
            )
        except TelegramError as exc:
            log.warning("export to chat %s failed: %s", chat_id, exc)
            await messaging.send(context.bot, svc.db, chat_id, log_views.export_failed())
            return


# --- /deleteme ---------------------------------------------------------------------------


async def deleteme_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    assert update.effective_chat is not None
    view = log_views.delete_prompt(int(svc.clock.now().timestamp()))
    await messaging.send(context.bot, svc.db, update.effective_chat.id, view)


async def delete_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`md:del:<issued>`: delete every row about the presser and everything scheduled."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_chat is not None
    svc = services(context)
    chat_id, user_id = update.effective_chat.id, query.from_user.id
    message_id = query.message.message_id if query.message is not None else None
    issued = int(query.data.rsplit(":", 1)[1])
    if not 0 <= svc.clock.now().timestamp() - issued <= DELETE_CONFIRM_SECONDS:
        if message_id is not None:
            await messaging.strip_buttons(context.bot, chat_id, message_id)
        await query.answer("That confirmation expired. Send /deleteme again.", show_alert=True)
        return
    _cancel_jobs(context.application, chat_id, user_id)
    _end_conversations(context.application, chat_id, user_id)
    deleted = logs.delete_user(svc.db, user_id, chat_id)
    # No user id in this line: after deletion nothing should name them, the log included.
    log.info("a user deleted their data: %s rows", sum(deleted.values()))
    await query.answer("Deleted")
    if message_id is not None:
        await messaging.edit(context.bot, chat_id, message_id, log_views.deleted())
    else:
        await messaging.send(context.bot, svc.db, chat_id, log_views.deleted())
    # Last: touching context.user_data after this would create a fresh, empty entry.
    context.application.drop_user_data(user_id)
    context.application.drop_chat_data(chat_id)


def _cancel_jobs(
    application: Application[Any, Any, Any, Any, Any, Any], chat_id: int, user_id: int
) -> None:
    """The session timer, and any other job bound to the chat or user."""
    assert application.job_queue is not None
    timers.cancel_timer(application.job_queue, chat_id)
    for job in application.job_queue.jobs():
        if job.chat_id == chat_id or job.user_id == user_id:
            job.schedule_removal()


def _end_conversations(
    application: Application[Any, Any, Any, Any, Any, Any], chat_id: int, user_id: int
) -> None:
    """End every conversation the user is in (/log, /plan, any added later).

    PTB has no public call to end someone's conversation from outside it, so their keys and
    timeout jobs are removed from each ConversationHandler's own tables.
    """
    for handlers in application.handlers.values():
        for handler in handlers:
            if not isinstance(handler, ConversationHandler):
                continue
            conversations = handler._conversations
            for key in [k for k in conversations if chat_id in k or user_id in k]:
                del conversations[key]
            for key in [k for k in handler.timeout_jobs if chat_id in k or user_id in k]:
                handler.timeout_jobs.pop(key).schedule_removal()
