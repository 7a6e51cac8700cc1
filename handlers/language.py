"""/language: the runner picks the language the coach speaks."""

from __future__ import annotations

from telegram import Update

from bot import services
from bot.services.state import Context
from handlers.common import press_of


async def language_command(update: Update, context: Context) -> None:
    assert update.effective_user is not None and update.effective_chat is not None
    await services.users.show_languages(
        context.svc, context.bot, update.effective_user.id, update.effective_chat.id
    )


async def language_button(update: Update, context: Context) -> None:
    """`lang:<code>`: save it; the message and the menu switch to it."""
    press = press_of(update)
    answer = await services.users.language_pressed(
        context.svc, context.bot, press.user_id, press.chat_id, press.message_id, press.data
    )
    await press.query.answer(answer)
