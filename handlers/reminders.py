"""Reminder buttons (`rm:`) and /runs with its skip / delete buttons (`rn:`).

/runs comes in pages (`rn:p:<page>`), so it always fits in one message.
"""

from __future__ import annotations

from telegram import Update

from bot import services
from bot.services.state import Context
from bot.transport import messaging
from handlers.common import answer_and_redraw, press_of


async def runs_command(update: Update, context: Context) -> None:
    """/runs: the next 7 days of planned runs."""
    assert update.effective_user is not None and update.effective_chat is not None
    view = services.plans.runs_view(context.svc, update.effective_user.id)
    await messaging.send(context.bot, context.svc.db, update.effective_chat.id, view)


async def runs_button(update: Update, context: Context) -> None:
    """`rn:s:<plan>:<run>` skips one run, `rn:d:<plan>` deletes a plan; the list redraws."""
    press = press_of(update)
    answer, view = services.plans.runs_pressed(context.svc, press.user_id, press.data)
    await answer_and_redraw(press, context, answer, view)


async def runs_page_button(update: Update, context: Context) -> None:
    """`rn:p:<page>`: another page of the presser's /runs."""
    press = press_of(update)
    answer, view = services.plans.runs_page_pressed(context.svc, press.user_id, press.data)
    await answer_and_redraw(press, context, answer, view)


async def reminder_button(update: Update, context: Context) -> None:
    """`rm:<reminder>:<action>`: Start / Snooze / Skip, or Start stretch / Later / Not today."""
    press = press_of(update)
    answer = await services.reminders.press(
        context.svc, context.bot, press.user_id, press.chat_id, press.message_id, press.data
    )
    await press.query.answer(answer or None)
