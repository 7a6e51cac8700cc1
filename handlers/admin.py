"""/stats for the operators listed in HIPCOACH_ADMIN_IDS; to everyone else it does not exist."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.ext import ContextTypes

from bot import messaging
from bot.ops import stats_view
from bot.services import services
from bot.storage.stats import collect_stats
from handlers.common import ERRORS_KEY, unknown_command

WINDOW_DAYS = 7


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or user.id not in svc.config.admin_ids:
        # Exactly what any unknown command gets: no hint that /stats exists.
        await unknown_command(update, context)
        return
    stats = collect_stats(svc.db, svc.clock.now() - timedelta(days=WINDOW_DAYS))
    errors = int(context.application.bot_data.get(ERRORS_KEY, 0))
    await messaging.send(context.bot, svc.db, chat.id, stats_view(stats, errors, WINDOW_DAYS))
