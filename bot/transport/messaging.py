"""Sending to Telegram without letting its errors lose the runner's progress.

State is committed before anything is sent, so a failed send only costs a message: these
helpers log it and carry on. A 403 means the user blocked the bot, so they are marked
inactive until they write again.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlite_utils import Database
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.storage.users import set_active
from bot.transport.ratelimit import DROPPABLE, URGENT, Throttled
from bot.views.base import View

log = logging.getLogger(__name__)


async def send(
    bot: Bot, db: Database, chat_id: int, view: View, *, notify: bool = True, urgent: bool = False
) -> int | None:
    """Send a new message; returns its id, or None if Telegram refused.

    `urgent`: a timer-driven moment the runner must notice now; it goes first when the bot
    is short of capacity.
    """
    try:
        message = await bot.send_message(
            chat_id,
            view.text,
            parse_mode=ParseMode.HTML,
            reply_markup=view.markup(),
            disable_notification=not notify,
            **_limit_args(bot, urgent=urgent),
        )
    except Forbidden:
        log.info("chat %s blocked the bot; marking inactive", chat_id)
        set_active(db, chat_id, False)
        return None
    except TelegramError as exc:
        log.warning("send to chat %s failed: %s", chat_id, exc)
        return None
    return message.message_id


async def edit(
    bot: Bot, chat_id: int, message_id: int, view: View, *, droppable: bool = False
) -> bool:
    """Edit a message in place (silent by nature); 'not modified' counts as success.

    A droppable edit (a countdown tick) is skipped when the bot is short of capacity.
    """
    try:
        await bot.edit_message_text(
            view.text,
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=view.inline_markup(),
            **_limit_args(bot, droppable=droppable),
        )
    except Throttled:
        return False
    except BadRequest as exc:
        if "not modified" in str(exc).lower():
            return True
        log.warning("edit of message %s in chat %s failed: %s", message_id, chat_id, exc)
        return False
    except TelegramError as exc:
        log.warning("edit of message %s in chat %s failed: %s", message_id, chat_id, exc)
        return False
    return True


async def edit_buttons(bot: Bot, chat_id: int, message_id: int, view: View) -> bool:
    """Swap only the keyboard (a number picker): the text the runner reads stays put."""
    try:
        await bot.edit_message_reply_markup(
            chat_id=chat_id, message_id=message_id, reply_markup=view.inline_markup()
        )
    except TelegramError as exc:
        if "not modified" in str(exc).lower():
            return True
        log.warning("keyboard edit of %s in chat %s failed: %s", message_id, chat_id, exc)
        return False
    return True


def _limit_args(bot: Bot, *, droppable: bool = False, urgent: bool = False) -> dict[str, Any]:
    """rate_limit_args only exist on bots with a rate limiter (ExtBot with one set)."""
    if not (isinstance(bot, ExtBot) and bot.rate_limiter is not None):
        return {}
    if droppable:
        return {"rate_limit_args": DROPPABLE}
    if urgent:
        return {"rate_limit_args": URGENT}
    return {}


async def strip_buttons(bot: Bot, chat_id: int, message_id: int) -> None:
    """Remove an old message's buttons so they cannot be pressed again."""
    try:
        await bot.edit_message_reply_markup(
            chat_id=chat_id, message_id=message_id, reply_markup=None
        )
    except TelegramError as exc:
        # Already without buttons, deleted, or too old: nothing to undo.
        log.debug("could not strip buttons of %s/%s: %s", chat_id, message_id, exc)


async def delete_many(bot: Bot, chat_id: int, message_ids: list[int], *, droppable: bool) -> bool:
    """Delete up to 100 messages in one call (tidying up a finished exercise).

    False when it was skipped for want of capacity, so the caller can try again later;
    True once done, or when Telegram refused (already gone, or too old to delete).
    """
    if not message_ids:
        return True
    try:
        await bot.delete_messages(
            chat_id, message_ids[:100], **_limit_args(bot, droppable=droppable)
        )
    except (Throttled, RetryAfter):
        log.debug("left %s message(s) in %s: no spare capacity", len(message_ids), chat_id)
        return False
    except TelegramError as exc:
        log.debug("could not delete messages in %s: %s", chat_id, exc)
    return True
