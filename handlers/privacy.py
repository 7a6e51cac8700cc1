"""The runner's own data: /export everything, /deleteme after a confirmation."""

from __future__ import annotations

from telegram import Update

from bot import services
from bot.services.state import Context


async def export_command(update: Update, context: Context) -> None:
    """Two files: every set as CSV, and everything kept as JSON."""
    assert update.effective_user is not None and update.effective_chat is not None
    await services.privacy.export(
        context.svc, context.bot, update.effective_user.id, update.effective_chat.id
    )


async def deleteme_command(update: Update, context: Context) -> None:
    assert update.effective_chat is not None
    await services.privacy.confirm_delete(context.svc, context.bot, update.effective_chat.id)


async def delete_button(update: Update, context: Context) -> None:
    """`md:del:<issued>`: delete every row about the presser and everything scheduled."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_chat is not None
    message_id = query.message.message_id if query.message is not None else None
    answer, alert = await services.privacy.delete_pressed(
        context.svc,
        context.application,
        query.from_user.id,
        update.effective_chat.id,
        message_id,
        query.data,
    )
    await query.answer(answer, show_alert=alert)


async def keep_button(update: Update, context: Context) -> None:
    """`md:keep`: the runner changed their mind; nothing happens."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    await query.answer("Nothing changed.")
    message_id = query.message.message_id if query.message is not None else None
    await services.privacy.keep_pressed(context.bot, update.effective_chat.id, message_id)
