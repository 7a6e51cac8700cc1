"""The guided routine: /routine, /cancel and the buttons of a running session.

The session's state lives in SQLite (see bot.services.session), not in a
ConversationHandler, so it survives restarts and timer jobs can move it on: a job's return
value could not change a conversation's state, and conversation timeouts are not restored
after a restart.
"""

from __future__ import annotations

from telegram import Update

from bot import services, views
from bot.core import planning
from bot.services.state import Context
from bot.transport import messaging
from bot.views.callbacks import MAX_MINUTES
from handlers.common import press_of, translator


async def routine_command(update: Update, context: Context) -> None:
    """`/routine`: the menu; `/routine 5` (or `5m`, `5 min`): a session that fits 5 minutes."""
    assert update.effective_user is not None and update.effective_chat is not None
    svc, user_id, chat_id = context.svc, update.effective_user.id, update.effective_chat.id
    if not context.args:
        await services.session.open_menu(svc, context.bot, user_id, chat_id)
        return
    minutes = _minutes(context.args)
    if minutes is None:
        view = views.session.fit_usage(translator(update, context), 1, MAX_MINUTES)
        await messaging.send(context.bot, svc.db, chat_id, view)
        return
    await services.session.offer_fitted(svc, context.bot, user_id, chat_id, minutes)


def _minutes(args: list[str]) -> int | None:
    """`5`, `5m`, `5 min`, `5 minutos`, `5 мин` -> 5 (1 to MAX_MINUTES); else None."""
    return planning.parse_duration(" ".join(args), 1, MAX_MINUTES)


async def cancel_command(update: Update, context: Context) -> None:
    assert update.effective_user is not None and update.effective_message is not None
    user_id = update.effective_user.id
    if not await services.session.cancel(context.svc, context.bot, user_id):
        t = translator(update, context)
        await update.effective_message.reply_text(t._("Nothing to cancel. Send /routine to start."))


async def menu_button(update: Update, context: Context) -> None:
    """`menu`: show the routine menu (or the continue prompt)."""
    press = press_of(update)
    await press.query.answer()
    await services.session.menu_pressed(
        context.svc, context.bot, press.user_id, press.chat_id, press.message_id
    )


async def routine_chosen(update: Update, context: Context) -> None:
    """`m:<routine>`: start that routine."""
    press = press_of(update)
    answer = await services.session.choose(
        context.svc, context.bot, press.user_id, press.chat_id, press.message_id, press.data
    )
    await press.query.answer(answer or None)


async def session_button(update: Update, context: Context) -> None:
    """`r:<session>:<rev>:<action>`: a button inside a running session."""
    press = press_of(update)
    answer = await services.session.press(
        context.svc, context.bot, press.user_id, press.message_id, press.data
    )
    await press.query.answer(answer or None)


async def resume_button(update: Update, context: Context) -> None:
    """`c:<session>:<rev>:go|new|end`: the continue-where-you-left-off prompt."""
    press = press_of(update)
    answer = await services.session.resume_choice(
        context.svc, context.bot, press.user_id, press.message_id, press.data
    )
    await press.query.answer(answer or None)


async def checkin_button(update: Update, context: Context) -> None:
    """`k:<session>:<b|a>:<0-10>`: hip tightness before or after a session."""
    press = press_of(update)
    answer = await services.session.checkin_pressed(
        context.svc, context.bot, press.user_id, press.message_id, press.data
    )
    await press.query.answer(answer or None)
