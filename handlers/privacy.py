"""The runner's own data: /export everything, /deleteme after a confirmation."""

from __future__ import annotations

from telegram import Update

from bot import services
from bot.ops.logsetup import forget_update_user
from bot.services.state import Context
from handlers.common import press_of


async def export_command(update: Update, context: Context) -> None:
    """One zip: every set as CSV, and everything kept as JSON."""
    assert update.effective_user is not None and update.effective_chat is not None
    await services.privacy.export(
        context.svc, context.bot, update.effective_user.id, update.effective_chat.id
    )


async def deleteme_command(update: Update, context: Context) -> None:
    assert update.effective_user is not None and update.effective_chat is not None
    await services.privacy.confirm_delete(
        context.svc, context.bot, update.effective_user.id, update.effective_chat.id
    )


async def delete_button(update: Update, context: Context) -> None:
    """`md:del:<issued>`: delete every row about the presser and everything scheduled.

    This update's log lines, the deletion line included, no longer carry the user's id.
    """
    forget_update_user()
    press = press_of(update)
    answer, alert = await services.privacy.delete_pressed(
        context.svc, context.application, press.user_id, press.chat_id, press.message_id, press.data
    )
    await press.query.answer(answer, show_alert=alert)


async def keep_button(update: Update, context: Context) -> None:
    """`md:keep`: the runner changed their mind; nothing happens."""
    press = press_of(update)
    answer = await services.privacy.keep_pressed(
        context.svc, context.bot, press.user_id, press.chat_id, press.message_id
    )
    await press.query.answer(answer)
