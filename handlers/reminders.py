"""Reminder buttons (`rm:`) and /runs with its skip / delete buttons (`rn:`)."""

from __future__ import annotations

from telegram import Update

from bot import services
from bot.services.state import Context
from bot.transport import messaging


async def runs_command(update: Update, context: Context) -> None:
    """/runs: the next 7 days of planned runs."""
    assert update.effective_user is not None and update.effective_chat is not None
    view = services.plans.runs_view(context.svc, update.effective_user.id)
    await messaging.send(context.bot, context.svc.db, update.effective_chat.id, view)


async def runs_button(update: Update, context: Context) -> None:
    """`rn:s:<plan>:<run>` skips one run, `rn:d:<plan>` deletes a plan; the list redraws."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_chat is not None
    user_id = query.from_user.id
    answer, redraw = services.plans.runs_pressed(context.svc, user_id, query.data)
    await query.answer(answer)
    if query.message is not None and redraw:
        view = services.plans.runs_view(context.svc, user_id)
        await messaging.edit(context.bot, update.effective_chat.id, query.message.message_id, view)


async def reminder_button(update: Update, context: Context) -> None:
    """`rm:<reminder>:<action>`: Start / Snooze / Skip, or Start stretch / Later / Not today."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_chat is not None
    answer = await services.reminders.press(
        context.svc,
        context.bot,
        query.from_user.id,
        update.effective_chat.id,
        query.message.message_id if query.message is not None else None,
        query.data,
    )
    await query.answer(answer or None)
