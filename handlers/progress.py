"""/progress (the week, the streak, totals, balance and a chart) and /history."""

from __future__ import annotations

from telegram import Update

from bot import services
from bot.services.state import Context


async def progress_command(update: Update, context: Context) -> None:
    assert update.effective_user is not None and update.effective_chat is not None
    await services.progress.send_progress(
        context.svc, context.bot, update.effective_user.id, update.effective_chat.id
    )


async def history_command(update: Update, context: Context) -> None:
    assert update.effective_user is not None and update.effective_chat is not None
    await services.progress.send_history(
        context.svc, context.bot, update.effective_user.id, update.effective_chat.id
    )
