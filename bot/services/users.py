"""Who the bot talks to: first contact, coming back after a block, groups told to go private,
and the language they are spoken to in."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot import storage, views
from bot.core.language import LANGUAGES
from bot.services.state import Services
from bot.transport import messaging
from bot.views.commands import ADMIN_COMMANDS, COMMANDS
from bot.views.i18n import Translator

log = logging.getLogger(__name__)


def remember(
    svc: Services, user_id: int, chat_id: int, first_name: str, language_code: str | None
) -> None:
    """Every private update: record who wrote (and reactivate a user who unblocked us)."""
    storage.users.touch_user(svc.db, user_id, chat_id, first_name, language_code, svc.clock.now())


def first_group_notice(svc: Services, chat_id: int) -> bool:
    """True only the first time a group writes: it gets one note, then silence."""
    return storage.users.note_group(svc.db, chat_id, svc.clock.now())


# --- /language --------------------------------------------------------------------------


async def show_languages(svc: Services, bot: Bot, user_id: int, chat_id: int) -> None:
    await messaging.send(bot, svc.db, chat_id, views.language.picker(svc.t(user_id)))


async def language_pressed(
    svc: Services, bot: Bot, user_id: int, chat_id: int, message_id: int | None, data: str
) -> str:
    """`lang:<code>`: store the choice, then word the picker's message and the chat's command
    menu in it. Returns the button's answer (a forged code changes nothing)."""
    code = views.callbacks.parse_language_button(data)
    if code is None or code not in LANGUAGES:
        return svc.t(user_id).msg(views.base.OLD_BUTTON)
    t = await choose_language(svc, bot, user_id, chat_id, code)
    if message_id is not None:
        await messaging.edit(bot, chat_id, message_id, views.language.changed(t))
    return views.language.answer(t)


async def choose_language(
    svc: Services, bot: Bot, user_id: int, chat_id: int, code: str
) -> Translator:
    """Store the runner's language (one the bot speaks) and word their chat's command menu
    in it (/language and /settings alike); returns its Translator."""
    with svc.db.atomic():
        storage.users.set_language(svc.db, user_id, code)
    t = svc.translators[code]
    await _chat_menu(svc, bot, t, user_id, chat_id)
    return t


async def _chat_menu(svc: Services, bot: Bot, t: Translator, user_id: int, chat_id: int) -> None:
    """Telegram words the menu by the app's language; this chat gets the chosen one."""
    commands = COMMANDS + (ADMIN_COMMANDS if user_id in svc.config.admin_ids else [])
    menu = views.commands.command_menu(t, commands)
    try:
        await bot.set_my_commands(
            [BotCommand(name, text) for name, text in menu], scope=BotCommandScopeChat(chat_id)
        )
    except TelegramError as exc:
        log.info("no menu for chat %s in its language (%s)", chat_id, exc)


async def forget_chat_menu(
    svc: Services, bot: Bot, t: Translator, user_id: int, chat_id: int
) -> None:
    """After /deleteme: the menu Telegram keeps for this chat (its language) goes too; an
    operator keeps /stats in theirs, in the language `t` they had (their row is gone)."""
    if user_id in svc.config.admin_ids:
        await _chat_menu(svc, bot, t, user_id, chat_id)
        return
    try:
        await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id))
    except TelegramError as exc:
        log.info("chat menu not removed (%s)", exc)
