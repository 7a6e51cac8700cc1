"""The runner's own data: /export everything, /deleteme (after a confirmation).

Every button is checked against the person pressing it, so forged or forwarded data can
never touch another user's rows. Deleting also stops whatever is scheduled for the runner
and ends any flow they are in, so nothing about them is left in memory either.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import Application, ConversationHandler

from bot import storage, views
from bot.services.state import Services
from bot.transport import messaging
from bot.views import callbacks

log = logging.getLogger(__name__)

# A /deleteme confirmation is good for this long; an old one found later asks again.
DELETE_CONFIRM_SECONDS = 10 * 60

AnyApp = Application[Any, Any, Any, Any, Any, Any]


async def export(svc: Services, bot: Bot, user_id: int, chat_id: int) -> None:
    """Two files: every set as CSV, and everything kept as JSON."""
    now = svc.clock.now()
    csv_name, json_name = views.export.filenames(now)
    dump = storage.privacy.dump_user(svc.db, user_id, chat_id)
    files = [
        (csv_name, views.export.sets_csv(storage.privacy.export_sets(svc.db, user_id)), "csv"),
        (json_name, views.export.data_json(dump, user_id, now), "json"),
    ]
    for name, data, kind in files:
        try:
            await bot.send_document(
                chat_id, document=data, filename=name, caption=views.privacy.export_caption(kind)
            )
        except TelegramError as exc:
            log.warning("export to chat %s failed: %s", chat_id, exc)
            await messaging.send(bot, svc.db, chat_id, views.privacy.export_failed())
            return


async def confirm_delete(svc: Services, bot: Bot, chat_id: int) -> None:
    """/deleteme: ask first; the button remembers when it was shown."""
    view = views.privacy.delete_prompt(int(svc.clock.now().timestamp()))
    await messaging.send(bot, svc.db, chat_id, view)


async def delete_pressed(
    svc: Services,
    app: AnyApp,
    user_id: int,
    chat_id: int,
    message_id: int | None,
    data: str,
) -> tuple[str, bool]:
    """`md:del:<issued>`: delete every row about the presser and everything scheduled.

    Returns the callback answer and whether it must show as an alert.
    """
    issued = callbacks.parse_delete_button(data)
    age = svc.clock.now().timestamp() - issued if issued is not None else -1
    if not 0 <= age <= DELETE_CONFIRM_SECONDS:
        if message_id is not None:
            await messaging.strip_buttons(app.bot, chat_id, message_id)
        return "That confirmation expired. Send /deleteme again.", True
    _cancel_jobs(svc, app, chat_id, user_id)
    _end_conversations(app, chat_id, user_id)
    deleted = storage.privacy.delete_user(svc.db, user_id, chat_id)
    # No user id in this line: after deletion nothing should name them, the log included.
    log.info("a user deleted their data: %s rows", sum(deleted.values()))
    if message_id is not None:
        await messaging.edit(app.bot, chat_id, message_id, views.privacy.deleted())
    else:
        await messaging.send(app.bot, svc.db, chat_id, views.privacy.deleted())
    app.drop_user_data(user_id)
    app.drop_chat_data(chat_id)
    return "Deleted", False


async def keep_pressed(bot: Bot, chat_id: int, message_id: int | None) -> None:
    """`md:keep`: the runner changed their mind; nothing happens."""
    if message_id is not None:
        await messaging.edit(bot, chat_id, message_id, views.privacy.kept())


def _cancel_jobs(svc: Services, app: AnyApp, chat_id: int, user_id: int) -> None:
    """The session timer, and any other job bound to the chat or user."""
    svc.timers.cancel(chat_id)
    assert app.job_queue is not None
    for job in app.job_queue.jobs():
        if job.chat_id == chat_id or job.user_id == user_id:
            job.schedule_removal()


def _end_conversations(app: AnyApp, chat_id: int, user_id: int) -> None:
    """End every conversation the user is in (/log, /plan, any added later).

    PTB has no public call to end someone's conversation from outside it, so their keys and
    timeout jobs are removed from each ConversationHandler's own tables.
    """
    for handlers in app.handlers.values():
        for handler in handlers:
            if not isinstance(handler, ConversationHandler):
                continue
            conversations = handler._conversations
            for key in [k for k in conversations if chat_id in k or user_id in k]:
                del conversations[key]
            for key in [k for k in handler.timeout_jobs if chat_id in k or user_id in k]:
                handler.timeout_jobs.pop(key).schedule_removal()
