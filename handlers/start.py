"""/start and /help: who the coach is and what it can do."""

from __future__ import annotations

from telegram import Update

from bot import views
from bot.services.state import Context
from bot.transport import messaging
from bot.views.commands import COMMANDS


async def start(update: Update, context: Context) -> None:
    assert update.effective_user is not None and update.effective_chat is not None
    user = update.effective_user
    view = views.session.welcome(context.svc.t(user.id), user.first_name or "")
    await messaging.send(context.bot, context.svc.db, update.effective_chat.id, view)


async def help_command(update: Update, context: Context) -> None:
    assert update.effective_user is not None and update.effective_chat is not None
    view = views.session.help_text(context.svc.t(update.effective_user.id), COMMANDS)
    await messaging.send(context.bot, context.svc.db, update.effective_chat.id, view)
