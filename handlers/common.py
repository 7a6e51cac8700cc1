"""Handlers shared by every conversation: bookkeeping, wrong chats, and anything unexpected."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import CallbackQuery, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import ApplicationHandlerStop, filters

from bot import services
from bot.core.language import SOURCE, from_telegram
from bot.core.text import N_
from bot.ops.logsetup import redact, set_update_context
from bot.services.state import Context
from bot.transport import messaging
from bot.views.base import OLD_BUTTON, View
from bot.views.i18n import Translator

log = logging.getLogger(__name__)

# The shared answers, worded in the runner's language where they are sent.
UNKNOWN_COMMAND = N_("I don't know that command. Send /help for the list.")
UNKNOWN_TEXT = N_("I work with buttons and commands. Send /routine to start, or /help.")
UNSUPPORTED = N_("I can only read text here. Send /help to see what I do.")
SORRY = N_(
    "Sorry, something went wrong on my side. Your progress is saved — send /routine to carry on."
)

# New messages in private chats: edits of old messages never trigger anything twice.
PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
# A value typed during a conversation step (a time, a number), not a command.
TYPED = filters.TEXT & ~filters.COMMAND & PRIVATE

# A handler callback, as PTB's handlers type it.
Callback = Callable[[Update, Context], Coroutine[Any, Any, Any]]


def owned(callback: Callback) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """A conversation step that, once it has run, stops later handler groups from handling
    the same update (its /cancel or typed value goes no further)."""

    async def step(update: Update, context: Context) -> None:
        raise ApplicationHandlerStop(await callback(update, context))

    step.__name__ = callback.__name__
    step.__doc__ = callback.__doc__
    return step


@dataclass(frozen=True)
class Press:
    """A button press, as every button handler needs it."""

    query: CallbackQuery
    user_id: int  # who pressed: checked against the row the button names
    chat_id: int
    message_id: int | None  # the message the button is on (None: too old to say)
    data: str  # untrusted: decoded by bot.views.callbacks


def press_of(update: Update) -> Press:
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    message_id = query.message.message_id if query.message is not None else None
    return Press(query, query.from_user.id, update.effective_chat.id, message_id, query.data or "")


async def answer_and_redraw(
    press: Press, context: Context, answer: str | None, view: View | None
) -> None:
    """Stop the button's spinner (with the service's answer), then redraw its message in
    place when the service gave a view."""
    await press.query.answer(answer)
    if press.message_id is not None and view is not None:
        await messaging.edit(context.bot, press.chat_id, press.message_id, view)


MAX_TEXT = 4096


def translator(update: object, context: Context) -> Translator:
    """The language to answer `update` in: the user's own (their /language choice, else their
    app's), from the update's `language_code` when there is no row for them (a group, or a
    database that just failed), and English when the update has no user at all."""
    user = update.effective_user if isinstance(update, Update) else None
    svc = context.svc
    if user is None:
        return svc.translators[SOURCE]
    try:
        return svc.t(user.id, user.language_code)
    except Exception:  # on the error path the database itself may be what failed
        log.warning("no language for user %s from the database; using their app's", user.id)
        return svc.translators[from_telegram(user.language_code)]


async def tag_update(update: Update, context: Context) -> None:
    """First for every update: log lines from here on name its user and update id."""
    user = update.effective_user
    set_update_context(user.id if user else None, update.update_id)


async def remember_user(update: Update, context: Context) -> None:
    """Every private update: record who wrote (and reactivate a user who unblocked us)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or chat.type != ChatType.PRIVATE or user.is_bot:
        return
    services.users.remember(
        context.svc, user.id, chat.id, user.first_name or "", user.language_code
    )


async def not_private(update: Update, context: Context) -> None:
    """Groups get one short note to write privately; channels and the rest get nothing."""
    chat, message = update.effective_chat, update.effective_message
    in_group = chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
    if in_group and chat and message and services.users.first_group_notice(context.svc, chat.id):
        t = translator(update, context)
        await message.reply_text(
            t._(
                "I coach runners one to one. Message me privately: @{bot}",
                bot=context.bot.username,
            )
        )
    raise ApplicationHandlerStop


async def ignore(update: Update, context: Context) -> None:
    """Edited messages and the like: acting twice on one message would surprise the runner."""
    raise ApplicationHandlerStop


async def unknown_command(update: Update, context: Context) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(translator(update, context).msg(UNKNOWN_COMMAND))


async def unknown_text(update: Update, context: Context) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(translator(update, context).msg(UNKNOWN_TEXT))


async def unsupported(update: Update, context: Context) -> None:
    """Stickers, photos, voice, files, locations we did not ask for."""
    if update.effective_message is None:
        return
    await update.effective_message.reply_text(translator(update, context).msg(UNSUPPORTED))


async def stale_button(update: Update, context: Context) -> None:
    """Any button no other handler claimed: an old message, or forged data."""
    query = update.callback_query
    if query is not None:
        await query.answer(translator(update, context).msg(OLD_BUTTON))


async def on_error(update: object, context: Context) -> None:
    """Log the failure with the update that caused it, tell the runner nothing is lost, and
    stop there.

    PTB hands an update whose handler raised on to the next handler group, so a crash in a
    conversation step (group -1) also got "I don't know that command" from group 0. Raising
    ApplicationHandlerStop here ends the update: it gets exactly one answer.
    """
    if services.state.SERVICES_KEY in context.application.bot_data:
        context.svc.errors += 1
    token = context.bot.token
    update_id = update.update_id if isinstance(update, Update) else None
    user_id = (
        update.effective_user.id if isinstance(update, Update) and update.effective_user else None
    )
    log.error(
        "unhandled error for update %s (user %s): %s",
        update_id,
        user_id,
        redact(repr(context.error), token),
        exc_info=context.error,
    )
    if isinstance(update, Update):
        await _say_sorry(update, context)
    raise ApplicationHandlerStop


async def _say_sorry(update: Update, context: Context) -> None:
    """One message in a private chat; a pressed button is answered too, so its spinner stops."""
    if update.callback_query is not None:
        try:
            await update.callback_query.answer()
        except Exception:  # the handler may have answered it before failing
            log.debug("callback query %s was already answered", update.callback_query.id)
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        return
    if services.state.SERVICES_KEY in context.application.bot_data:
        text = translator(update, context).msg(SORRY)
    else:  # not started: no languages loaded, so the source text
        text = SORRY.id
    try:
        await context.bot.send_message(chat.id, html.escape(text), parse_mode=ParseMode.HTML)
    except Exception:
        log.warning("could not tell chat %s about the error", chat.id)
