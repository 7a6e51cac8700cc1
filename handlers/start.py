"""/start and /help: who the coach is and what it can do."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import messaging, views
from bot.services import services


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    assert update.effective_user is not None and update.effective_chat is not None
    view = views.welcome(update.effective_user.first_name or "", svc.catalogue)
    await messaging.send(context.bot, svc.db, update.effective_chat.id, view)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    from handlers import COMMANDS  # the package imports this module first

    svc = services(context)
    assert update.effective_chat is not None
    view = views.help_text(svc.catalogue, COMMANDS)
    await messaging.send(context.bot, svc.db, update.effective_chat.id, view)
