"""The runner's own data: /export everything, /deleteme (after a confirmation).

Every button is checked against the person pressing it, so forged or forwarded data can
never touch another user's rows. Deleting also stops whatever is scheduled for the runner
and ends any flow they are in, so nothing about them is left in memory either, and keeps
checkpointing until the database's WAL holds no older copy of their rows.

An export is read and zipped in a worker thread on a read-only connection of its own, so a
long history never holds up other runners.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from telegram import Bot
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import Application, ConversationHandler

from bot import storage, views
from bot.services import reminders, users
from bot.services.state import Context, Services
from bot.transport import messaging
from bot.views import callbacks

log = logging.getLogger(__name__)

# A /deleteme confirmation is good for this long; an old one found later asks again.
DELETE_CONFIRM_SECONDS = 10 * 60
# Telegram takes files of up to 50 MB from bots; the zip stays well under that.
EXPORT_MAX_BYTES = 45_000_000
# One export per user this often: it reads every row they have.
EXPORT_COOLDOWN_SECONDS = 30
# While a reader keeps the WAL from being truncated, try again this often.
CHECKPOINT_RETRY_SECONDS = 1.0
CHECKPOINT_JOB = "erasure-checkpoint"
# Zips up to this size stay in memory while written; bigger ones spill to a private temp file.
SPOOL_BYTES = 4_000_000

AnyApp = Application[Any, Any, Any, Any, Any, Any]


async def export(svc: Services, bot: Bot, user_id: int, chat_id: int) -> None:
    """One zip: every set as CSV, and everything kept as JSON. Their names, CSV headers and
    JSON keys are the same in every language; only the messages around them are translated."""
    t = svc.t(user_id)
    wait = svc.cooldown("export", user_id, EXPORT_COOLDOWN_SECONDS)
    if wait:
        await messaging.send(bot, svc.db, chat_id, views.progress.cooldown(t, "export", wait))
        return
    now = svc.clock.now()
    try:
        await bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)
    except TelegramError as exc:
        log.debug("chat action failed: %s", exc)
    path = storage.db.file_of(svc.db)
    try:
        data = await asyncio.to_thread(_zip_export, path, user_id, chat_id, now)
    except views.export.TooLarge:
        log.warning(
            "export for chat %s is over %s bytes zipped; not sent", chat_id, EXPORT_MAX_BYTES
        )
        limit_mb = max(1, round(EXPORT_MAX_BYTES / 1_000_000))
        await messaging.send(bot, svc.db, chat_id, views.privacy.export_too_large(t, limit_mb))
        return
    try:
        await bot.send_document(
            chat_id,
            document=data,
            filename=views.export.filenames(now)[0],
            caption=views.privacy.export_caption(t),
        )
    except TelegramError as exc:
        log.warning("export to chat %s failed: %s", chat_id, exc)
        await messaging.send(bot, svc.db, chat_id, views.privacy.export_failed(t))


def _zip_export(path: Path, user_id: int, chat_id: int, now: datetime) -> bytes:
    """In a worker thread: stream every row about the user into a zip (bot.views.export)."""
    with (
        storage.db.snapshot(path) as db,  # the CSV and the JSON show the same moment
        tempfile.SpooledTemporaryFile(SPOOL_BYTES) as out,  # a spilled file is mode 0600
    ):
        views.export.write_zip(
            out,
            now,
            user_id,
            storage.privacy.export_sets(db, user_id),
            storage.users.get_user(db, user_id),
            storage.privacy.user_tables(db, user_id, chat_id),
            max_bytes=EXPORT_MAX_BYTES,
        )
        out.seek(0)
        return out.read()


async def confirm_delete(svc: Services, bot: Bot, user_id: int, chat_id: int) -> None:
    """/deleteme: ask first; the button remembers when it was shown."""
    view = views.privacy.delete_prompt(svc.t(user_id), int(svc.clock.now().timestamp()))
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
    # Their language, read before their row goes: the last words are still in it.
    t = svc.t(user_id)
    issued = callbacks.parse_delete_button(data)
    age = svc.clock.now().timestamp() - issued if issued is not None else -1
    if not 0 <= age <= DELETE_CONFIRM_SECONDS:
        if message_id is not None:
            await messaging.strip_buttons(app.bot, chat_id, message_id)
        return views.privacy.delete_expired(t), True
    _cancel_jobs(svc, app, chat_id, user_id)
    _end_conversations(app, chat_id, user_id)
    deleted = storage.privacy.delete_user(svc.db, user_id, chat_id)
    # No user id in this line: after deletion nothing should name them, the log included
    # (the handler has dropped the user from this update's log context).
    log.info("a user deleted their data: %s rows", sum(deleted.values()))
    _erase_from_wal(svc, app)
    _run_erase_hooks(svc, user_id)
    await users.forget_chat_menu(svc, app.bot, t, user_id, chat_id)
    if message_id is not None:
        await messaging.edit(app.bot, chat_id, message_id, views.privacy.deleted(t))
    else:
        await messaging.send(app.bot, svc.db, chat_id, views.privacy.deleted(t))
    app.drop_user_data(user_id)
    app.drop_chat_data(chat_id)
    svc.charts.pop(user_id, None)
    for key in [k for k in svc.heavy_runs if k[1] == user_id]:
        del svc.heavy_runs[key]
    return views.privacy.deleted_answer(t), False


async def keep_pressed(
    svc: Services, bot: Bot, user_id: int, chat_id: int, message_id: int | None
) -> str:
    """`md:keep`: the runner changed their mind; nothing happens. Returns the button's answer."""
    t = svc.t(user_id)
    if message_id is not None:
        await messaging.edit(bot, chat_id, message_id, views.privacy.kept(t))
    return views.privacy.keep_answer(t)


def _erase_from_wal(svc: Services, app: AnyApp) -> None:
    """The WAL still holds older copies of the deleted rows: checkpoint it away now, or, while
    another connection reads (an export, a backup, an operator's shell), every second until
    it can be done."""
    if storage.db.checkpoint(svc.db):
        return
    assert app.job_queue is not None
    if app.job_queue.get_jobs_by_name(CHECKPOINT_JOB):
        return  # already retrying: the same checkpoint covers this deletion too
    log.info("erased rows wait in the WAL while another connection reads; retrying")
    app.job_queue.run_repeating(
        _retry_checkpoint,
        interval=CHECKPOINT_RETRY_SECONDS,
        first=CHECKPOINT_RETRY_SECONDS,
        name=CHECKPOINT_JOB,
        data=time.monotonic(),
    )


async def _retry_checkpoint(context: Context) -> None:
    """The repeating job behind _erase_from_wal: stops (and says so once) when it succeeds."""
    assert context.job is not None
    if storage.db.checkpoint(context.svc.db):
        started = context.job.data
        waited = time.monotonic() - started if isinstance(started, float) else 0.0
        log.info("erased rows checkpointed out of the WAL after %.0f s", waited)
        context.job.schedule_removal()


def _run_erase_hooks(svc: Services, user_id: int) -> None:
    """Whatever else holds the user's data outside the database (the playground's files)."""
    for hook in svc.on_erase:
        try:
            hook(user_id)
        except Exception:
            log.exception("an erase hook failed")


def _cancel_jobs(svc: Services, app: AnyApp, chat_id: int, user_id: int) -> None:
    """The session timer, reminders on their way out, and any other job bound to them."""
    svc.timers.cancel(chat_id)
    reminders.stop_sends(app, user_id)
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
