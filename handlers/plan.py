"""/plan: a guided conversation (days, time, duration, confirm) or a one-line shortcut.

The conversation only collects a draft in `user_data`; nothing is saved before "Save", so
losing the draft on a restart loses nothing the runner confirmed. It runs in its own handler
group ahead of the command handlers, and every step it handles stops other groups from
seeing the update (so its /cancel is not also answered by the routine's /cancel).
"""

from __future__ import annotations

import warnings
from datetime import time
from typing import Any

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import messaging, plan_views, planning
from bot import reminders as service
from bot.services import services
from bot.views import View
from handlers.common import PRIVATE, TYPED, owned

DAYS, DATE, TIME, DURATION, CONFIRM = range(5)
END = ConversationHandler.END
DRAFT = "plan.draft"
TIMEOUT_SECONDS = 15 * 60


def _draft(context: ContextTypes.DEFAULT_TYPE) -> dict[str, Any]:
    assert context.user_data is not None
    return context.user_data.setdefault(DRAFT, {"days": frozenset(), "on": None, "at": None})


def _rule(context: ContextTypes.DEFAULT_TYPE, tz: str, duration: int) -> planning.Rule:
    draft = _draft(context)
    at: time = draft["at"]
    return planning.Rule(
        at=at, tz=tz, weekdays=draft["days"], on=draft["on"], duration_minutes=duration
    )


async def _reply(update: Update, context: ContextTypes.DEFAULT_TYPE, view: Any) -> None:
    assert update.effective_chat is not None
    await messaging.send(context.bot, services(context).db, update.effective_chat.id, view)


async def _edit(update: Update, context: ContextTypes.DEFAULT_TYPE, view: Any) -> None:
    """Redraw the message whose button was pressed."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    if query.message is not None:
        await messaging.edit(context.bot, update.effective_chat.id, query.message.message_id, view)


# --- steps ------------------------------------------------------------------------------


async def plan_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """`/plan` opens the conversation; `/plan <days|date> <time> [duration]` saves at once."""
    assert update.effective_user is not None
    svc = services(context)
    settings = service.settings_of(svc, update.effective_user.id)
    if context.args:
        parsed = planning.parse_plan(context.args[:4], svc.clock.now(), settings.tz)
        if isinstance(parsed, planning.Invalid):
            await _reply(update, context, plan_views.plan_rejected(parsed.message))
            return END
        upcoming = service.create_plan(svc, update.effective_user.id, parsed)
        await _reply(update, context, plan_views.plan_saved(parsed, upcoming, settings.tz_set))
        return END
    assert context.user_data is not None
    context.user_data.pop(DRAFT, None)
    await _reply(update, context, plan_views.choose_days(frozenset(), settings.tz, settings.tz_set))
    return DAYS


async def days(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Weekday toggles, Today/Tomorrow/Other date, Next."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    svc = services(context)
    settings = service.settings_of(svc, update.effective_user.id)
    draft = _draft(context)
    choice = query.data[3:]
    if choice.startswith("d:"):
        draft["days"] = frozenset(draft["days"] ^ {int(choice[2:])})
        await query.answer()
        await _edit(
            update, context, plan_views.choose_days(draft["days"], settings.tz, settings.tz_set)
        )
        return DAYS
    if choice == "date":
        await query.answer()
        await _edit(update, context, plan_views.ask_date())
        return DATE
    if choice in ("today", "tmrw"):
        today = planning.local_today(svc.clock.now(), settings.tz)
        draft["on"] = planning.parse_date("today" if choice == "today" else "tomorrow", today)
        draft["days"] = frozenset()
    elif not draft["days"]:
        await query.answer("Tap at least one day, or pick a single day.")
        return DAYS
    await query.answer()
    await _edit(
        update, context, plan_views.ask_time(plan_views.when_label(draft["days"], draft["on"]))
    )
    return TIME


async def date_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.effective_message is not None and update.effective_user is not None
    svc = services(context)
    settings = service.settings_of(svc, update.effective_user.id)
    today = planning.local_today(svc.clock.now(), settings.tz)
    on = planning.parse_date(update.effective_message.text or "", today)
    if on is None or on < today:
        await update.effective_message.reply_text(
            "Send a date that's still ahead, like 2026-12-01 (or /cancel)."
        )
        return DATE
    draft = _draft(context)
    draft["on"], draft["days"] = on, frozenset()
    await _reply(update, context, plan_views.ask_time(plan_views.when_label(frozenset(), on)))
    return TIME


async def time_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.effective_message is not None and update.effective_user is not None
    svc = services(context)
    at = planning.parse_time(update.effective_message.text or "")
    if at is None:
        await update.effective_message.reply_text("Send the time like 07:30 (or /cancel).")
        return TIME
    _draft(context)["at"] = at
    settings = service.settings_of(svc, update.effective_user.id)
    checked = planning.check_future(_rule(context, settings.tz, 45), svc.clock.now())
    if isinstance(checked, planning.Invalid):
        await update.effective_message.reply_text(f"{checked.message} (or /cancel)")
        return TIME
    await _reply(update, context, plan_views.ask_duration())
    return DURATION


async def duration_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    minutes = planning.parse_duration(query.data.rsplit(":", 1)[-1])
    await query.answer()
    return await _confirm(update, context, minutes or planning.DEFAULT_DURATION, edit=True)


async def duration_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.effective_message is not None
    minutes = planning.parse_duration(update.effective_message.text or "")
    if minutes is None:
        await update.effective_message.reply_text("Send the minutes, 5 to 600 (or /cancel).")
        return DURATION
    return await _confirm(update, context, minutes)


async def _confirm(
    update: Update, context: ContextTypes.DEFAULT_TYPE, minutes: int, *, edit: bool = False
) -> int:
    assert update.effective_user is not None
    svc = services(context)
    settings = service.settings_of(svc, update.effective_user.id)
    rule = _rule(context, settings.tz, minutes)
    _draft(context)["duration"] = minutes
    view = plan_views.confirm(rule, service.preview(svc, rule), settings.tz_set)
    await (_edit if edit else _reply)(update, context, view)
    return CONFIRM


async def save(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """`pl:save`: store the plan and its reminders."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    svc = services(context)
    settings = service.settings_of(svc, update.effective_user.id)
    rule = _rule(context, settings.tz, _draft(context).get("duration", planning.DEFAULT_DURATION))
    checked = planning.check_future(rule, svc.clock.now())
    if isinstance(checked, planning.Invalid):
        await query.answer()
        await _edit(update, context, plan_views.plan_rejected(checked.message))
        return END
    upcoming = service.create_plan(svc, update.effective_user.id, rule)
    await query.answer("Saved ✓")
    await _edit(update, context, plan_views.plan_saved(rule, upcoming, settings.tz_set))
    _forget(context)
    return END


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/cancel or ✖ Cancel inside the conversation: nothing is saved."""
    _forget(context)
    if update.callback_query is not None:
        await update.callback_query.answer("Cancelled")
        await _edit(update, context, View("No plan saved."))
    else:
        await _reply(update, context, View("OK, no plan saved."))
    return END


async def leave(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Another command mid-conversation: drop the draft and let that command run."""
    _forget(context)
    return END


def _forget(context: ContextTypes.DEFAULT_TYPE) -> None:
    if context.user_data is not None:
        context.user_data.pop(DRAFT, None)


def build_plan_conversation() -> ConversationHandler[Any]:
    """The guided /plan flow; /cancel leaves it without saving."""
    with warnings.catch_warnings():
        # Buttons are tracked per chat and user, not per message: intended here.
        warnings.filterwarnings("ignore", message=".*per_message=False.*")
        return ConversationHandler(
            entry_points=[CommandHandler("plan", owned(plan_command), filters=PRIVATE)],
            states={
                DAYS: [
                    CallbackQueryHandler(
                        owned(days), pattern=r"^pl:(d:[0-6]|today|tmrw|date|next)$"
                    )
                ],
                DATE: [MessageHandler(TYPED, owned(date_typed))],
                TIME: [MessageHandler(TYPED, owned(time_typed))],
                DURATION: [
                    CallbackQueryHandler(owned(duration_chosen), pattern=r"^pl:dur:\d{1,3}$"),
                    MessageHandler(TYPED, owned(duration_typed)),
                ],
                CONFIRM: [CallbackQueryHandler(owned(save), pattern=r"^pl:save$")],
            },
            fallbacks=[
                CommandHandler("cancel", owned(cancel), filters=PRIVATE),
                CallbackQueryHandler(owned(cancel), pattern=r"^pl:x$"),
                MessageHandler(filters.COMMAND & PRIVATE, leave),
            ],
            allow_reentry=True,
            conversation_timeout=TIMEOUT_SECONDS,
            name="plan",
        )
