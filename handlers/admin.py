"""/stats for the operators listed in HIPCOACH_ADMIN_IDS; to everyone else it does not exist."""

from __future__ import annotations

from telegram import Update

from bot import services
from bot.services.state import Context
from bot.transport import messaging
from handlers.common import unknown_command


async def stats_command(update: Update, context: Context) -> None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or not services.admin.is_admin(context.svc, user.id):
        # Exactly what any unknown command gets: no hint that /stats exists.
        await unknown_command(update, context)
        return
    view = services.admin.stats_view(context.svc, user.id)
    await messaging.send(context.bot, context.svc.db, chat.id, view)
