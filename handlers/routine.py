"""The guided routine: /routine, /cancel and the buttons of a running session.

The session's state lives in SQLite (see bot/coach.py), not in a ConversationHandler, so it
survives restarts and timer jobs can move it on: a job's return value could not change a
conversation's state, and conversation timeouts are not restored after a restart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import ContextTypes

from bot import coach
from bot.services import services


async def routine_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_user is not None and update.effective_chat is not None
    await coach.open_menu(
        services(context), context.bot, update.effective_user.id, update.effective_chat.id
    )


async def cancel_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_user is not None and update.effective_message is not None
    svc = services(context)
    if not await coach.cancel(svc, context.bot, context.job_queue, update.effective_user.id):
        await update.effective_message.reply_text("Nothing to cancel. Send /routine to start.")


async def menu_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`menu`: show the routine menu (or the continue prompt)."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    await query.answer()
    if query.message is not None:
        await coach.messaging.strip_buttons(
            context.bot, update.effective_chat.id, query.message.message_id
        )
    await coach.open_menu(
        services(context), context.bot, query.from_user.id, update.effective_chat.id
    )


async def routine_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`m:<routine>`: start that routine."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_chat is not None
    svc = services(context)
    if query.message is not None:
        await coach.messaging.strip_buttons(
            context.bot, update.effective_chat.id, query.message.message_id
        )
    answer = await coach.begin(
        svc,
        context.bot,
        context.job_queue,
        query.from_user.id,
        update.effective_chat.id,
        query.data[2:],
    )
    await query.answer(answer or None)


async def session_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`r:<session>:<rev>:<action>`: a button inside a running session."""
    await _answer(update, context, coach.press)


async def resume_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`c:<session>:<rev>:go|new|end`: the continue-where-you-left-off prompt."""
    await _answer(update, context, coach.resume_choice)


async def _answer(
    update: Update, context: ContextTypes.DEFAULT_TYPE, action: Callable[..., Awaitable[str]]
) -> None:
    """Hand the button to the coach; its reply becomes the callback answer."""
    query = update.callback_query
    assert query is not None and query.data is not None
    message_id = query.message.message_id if query.message is not None else None
    answer = await action(
        services(context),
        context.bot,
        context.job_queue,
        query.from_user.id,
        message_id,
        query.data,
    )
    await query.answer(answer or None)
