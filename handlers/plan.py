"""/plan: a guided conversation (days, time, duration, confirm) or a one-line shortcut.

The conversation only collects a draft; nothing is saved before "Save". It runs in its own
handler group ahead of the command handlers (see handlers.conversation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta

from telegram import Update
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler

from bot import services, views
from bot.core import planning
from bot.services.state import Context
from bot.transport import messaging
from bot.views import callbacks
from bot.views.base import CANCELLED, SAVED, View
from handlers import conversation
from handlers.common import TYPED, owned, translator
from handlers.conversation import END, build_conversation, discard, draft_key, forget

DAYS, DATE, TIME, DURATION, CONFIRM = range(5)
DRAFT = draft_key("plan")


@dataclass
class PlanDraft:
    """What the /plan steps have collected so far."""

    message_id: int | None = None  # the latest message with the flow's buttons
    days: frozenset[int] = field(default_factory=frozenset)
    on: date | None = None
    at: time | None = None
    duration: int = planning.DEFAULT_DURATION

    def rule(self, tz: str, duration: int | None = None) -> planning.Rule:
        assert self.at is not None, "the time step comes before the rule is needed"
        return planning.Rule(
            at=self.at,
            tz=tz,
            weekdays=self.days,
            on=self.on,
            duration_minutes=duration or self.duration,
        )


def _draft(context: Context) -> PlanDraft:
    return conversation.draft(context, DRAFT, PlanDraft)


def _user_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


async def _reply(update: Update, context: Context, view: View) -> None:
    """A new message; if it has buttons, it becomes the flow's message."""
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    message_id = await messaging.send(context.bot, context.svc.db, chat_id, view)
    if view.buttons:
        draft = _draft(context)
        if draft.message_id is not None:
            await messaging.strip_buttons(context.bot, chat_id, draft.message_id)
        draft.message_id = message_id


async def _edit(update: Update, context: Context, view: View) -> None:
    """Redraw the message whose button was pressed (the flow's message while it has buttons)."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    if query.message is not None:
        await messaging.edit(context.bot, update.effective_chat.id, query.message.message_id, view)
        _draft(context).message_id = query.message.message_id if view.buttons else None


# --- steps ------------------------------------------------------------------------------


async def plan_command(update: Update, context: Context) -> int:
    """`/plan` opens the conversation; `/plan <days|date> <time> [duration]` saves at once."""
    svc = context.svc
    user_id = _user_id(update)
    settings = services.plans.settings_of(svc, user_id)
    t = translator(update, context)
    await discard(update, context, DRAFT)
    if services.plans.at_cap(svc, user_id):  # say so now, not after the runner taps through
        await _reply(update, context, views.plans.plan_limit(t, planning.MAX_PLANS))
        return END
    if context.args:
        args = context.args[: planning.MAX_ARGS + 1]  # one too many is refused, not cut
        parsed = planning.parse_plan(args, svc.clock.now(), settings.tz, t.words)
        if isinstance(parsed, planning.Invalid):
            await _reply(update, context, views.plans.plan_rejected(t, parsed.message))
            return END
        view, _ = services.plans.save_plan(svc, user_id, parsed, t)
        await _reply(update, context, view)
        return END
    view = views.plans.choose_days(t, frozenset(), settings.tz, settings.tz_set)
    await _reply(update, context, view)
    return DAYS


async def days(update: Update, context: Context) -> int:
    """Weekday toggles, Today/Tomorrow/Other date, Next."""
    query = update.callback_query
    assert query is not None and query.data is not None
    svc = context.svc
    settings = services.plans.settings_of(svc, _user_id(update))
    t = translator(update, context)
    draft = _draft(context)
    choice = callbacks.parse_plan_days(query.data)
    if isinstance(choice, int):
        draft.days = frozenset(draft.days ^ {choice})
        await query.answer()
        view = views.plans.choose_days(t, draft.days, settings.tz, settings.tz_set)
        await _edit(update, context, view)
        return DAYS
    if choice == "date":
        await query.answer()
        await _edit(update, context, views.plans.ask_date(t))
        return DATE
    if choice in ("today", "tmrw"):
        today = services.plans.today_for(svc, _user_id(update))
        draft.on = today + timedelta(days=1 if choice == "tmrw" else 0)
        draft.days = frozenset()
    elif not draft.days:
        await query.answer(t.msg(views.plans.NEED_A_DAY))
        return DAYS
    await query.answer()
    when = views.plans.when_label(t, draft.days, draft.on)
    await _edit(update, context, views.plans.ask_time(t, when))
    return TIME


async def date_typed(update: Update, context: Context) -> int:
    assert update.effective_message is not None
    t = translator(update, context)
    today = services.plans.today_for(context.svc, _user_id(update))
    on = planning.parse_date(update.effective_message.text or "", today, t.words)
    if on is None or on < today:
        await update.effective_message.reply_text(t.msg(views.plans.DATE_AGAIN))
        return DATE
    problem = planning.check_day(on, today)  # a year away is said now, not after the time
    if problem is not None:
        await update.effective_message.reply_text(views.plans.step_problem(t, problem.message))
        return DATE
    draft = _draft(context)
    draft.on, draft.days = on, frozenset()
    when = views.plans.when_label(t, frozenset(), on)
    await _reply(update, context, views.plans.ask_time(t, when))
    return TIME


async def time_typed(update: Update, context: Context) -> int:
    assert update.effective_message is not None
    svc = context.svc
    t = translator(update, context)
    at = planning.parse_time(update.effective_message.text or "")
    if at is None:
        await update.effective_message.reply_text(t.msg(views.plans.TIME_AGAIN))
        return TIME
    draft = _draft(context)
    draft.at = at
    settings = services.plans.settings_of(svc, _user_id(update))
    checked = planning.check_future(draft.rule(settings.tz), svc.clock.now())
    if isinstance(checked, planning.Invalid):
        await update.effective_message.reply_text(views.plans.step_problem(t, checked.message))
        return TIME
    await _reply(update, context, views.plans.ask_duration(t))
    return DURATION


async def duration_chosen(update: Update, context: Context) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    minutes = callbacks.parse_plan_duration(
        query.data, planning.MIN_DURATION, planning.MAX_DURATION
    )
    await query.answer()
    return await _confirm(update, context, minutes or planning.DEFAULT_DURATION, edit=True)


async def duration_typed(update: Update, context: Context) -> int:
    assert update.effective_message is not None
    minutes = planning.parse_duration(update.effective_message.text or "")
    if minutes is None:
        again = views.plans.duration_again(
            translator(update, context), planning.MIN_DURATION, planning.MAX_DURATION
        )
        await update.effective_message.reply_text(again)
        return DURATION
    return await _confirm(update, context, minutes)


async def _confirm(update: Update, context: Context, minutes: int, *, edit: bool = False) -> int:
    svc = context.svc
    settings = services.plans.settings_of(svc, _user_id(update))
    draft = _draft(context)
    draft.duration = minutes
    rule = draft.rule(settings.tz)
    t = translator(update, context)
    view = views.plans.confirm(t, rule, services.plans.preview(svc, rule), settings.tz_set)
    await (_edit if edit else _reply)(update, context, view)
    return CONFIRM


async def save(update: Update, context: Context) -> int:
    """`pl:save`: store the plan and its reminders."""
    query = update.callback_query
    assert query is not None
    svc = context.svc
    user_id = _user_id(update)
    rule = _draft(context).rule(services.plans.settings_of(svc, user_id).tz)
    t = translator(update, context)
    view, saved = services.plans.save_plan(svc, user_id, rule, t)
    await query.answer(t.msg(SAVED) if saved else None)
    await _edit(update, context, view)
    forget(context, DRAFT)
    return END


async def cancel(update: Update, context: Context) -> int:
    """/cancel or ✖ Cancel inside the conversation: nothing is saved."""
    t = translator(update, context)
    if update.callback_query is not None:
        await update.callback_query.answer(t.msg(CANCELLED))
        await _edit(update, context, View(t.msg(views.plans.NO_PLAN_SAVED)))
        forget(context, DRAFT)
    else:
        await discard(update, context, DRAFT)
        await _reply(update, context, View(t.msg(views.plans.OK_NO_PLAN_SAVED)))
    return END


def build_plan_conversation() -> ConversationHandler[Context]:
    """The guided /plan flow; /cancel leaves it without saving."""
    return build_conversation(
        name="plan",
        command="plan",
        entry=plan_command,
        states={
            DAYS: [CallbackQueryHandler(owned(days), pattern=callbacks.PLAN_DAYS)],
            DATE: [MessageHandler(TYPED, owned(date_typed))],
            TIME: [MessageHandler(TYPED, owned(time_typed))],
            DURATION: [
                CallbackQueryHandler(owned(duration_chosen), pattern=callbacks.PLAN_DURATION),
                MessageHandler(TYPED, owned(duration_typed)),
            ],
            CONFIRM: [CallbackQueryHandler(owned(save), pattern=callbacks.PLAN_SAVE)],
        },
        cancel=cancel,
        cancel_pattern=callbacks.PLAN_CANCEL,
    )
