"""Reminder buttons (`rm:`) and /runs with its skip / delete buttons (`rn:`)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import messaging, plan_views
from bot import reminders as service
from bot.services import services
from bot.views import View


def _runs_view(context: ContextTypes.DEFAULT_TYPE, user_id: int) -> View:
    overview = service.runs_overview(services(context), user_id)
    s = overview.settings
    return plan_views.runs_list(overview.entries, overview.plans, s.tz, s.tz_set)


async def runs_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/runs: the next 7 days of planned runs."""
    assert update.effective_user is not None and update.effective_chat is not None
    view = _runs_view(context, update.effective_user.id)
    await messaging.send(context.bot, services(context).db, update.effective_chat.id, view)


async def runs_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`rn:s:<plan>:<run>` skips one run, `rn:d:<plan>` deletes a plan; the list redraws."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_chat is not None
    svc = services(context)
    parsed = service.parse_runs_data(query.data)
    if parsed is None:
        await query.answer("That button doesn't work any more.")
        return
    action, plan_id, run = parsed
    user_id = query.from_user.id
    if action == "s" and run is not None:
        answer = service.skip_run(svc, user_id, plan_id, run)
    else:
        answer = service.delete_plan(svc, user_id, plan_id)
    await query.answer(answer)
    if query.message is not None and answer != "That isn't your plan.":
        view = _runs_view(context, user_id)
        await messaging.edit(context.bot, update.effective_chat.id, query.message.message_id, view)


async def reminder_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`rm:<reminder>:<action>`: Start / Snooze / Skip, or Start stretch / Later / Not today."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_chat is not None
    answer = await service.press(
        services(context),
        context.bot,
        context.job_queue,
        query.from_user.id,
        update.effective_chat.id,
        query.message.message_id if query.message is not None else None,
        query.data,
    )
    await query.answer(answer or None)
