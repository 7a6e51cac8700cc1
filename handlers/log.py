"""/log: report sets done away from the guided routine, by buttons or in one line.

`/log rotations 2x10` saves at once (bot.logparse reads it); bare `/log` walks through
exercise -> side -> sets -> reps or seconds -> day, editing one message in place. Nothing is
stored until the last step, and the report is committed before the bot confirms it.

Registered in an early handler group: the steps it handles raise ApplicationHandlerStop so
its /cancel and typed numbers never reach the routine's /cancel or the catch-all text
answer; any other command ends the flow and goes on to its own handler.
"""

from __future__ import annotations

import logging
import warnings
from datetime import date
from typing import Any

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import log_views, logparse, messaging
from bot.logparse import LogEntry, ParseError
from bot.services import Services, services
from bot.storage import logs
from bot.storage.users import user_tz
from bot.views import View
from handlers.common import PRIVATE, TYPED, owned

log = logging.getLogger(__name__)

EXERCISE, SIDE, SETS, AMOUNT, DAY = range(5)
END = ConversationHandler.END
DRAFT = "log.draft"
TIMEOUT_SECONDS = 15 * 60


def _draft(context: ContextTypes.DEFAULT_TYPE) -> dict[str, Any]:
    assert context.user_data is not None
    return context.user_data.setdefault(DRAFT, {})


def _forget(context: ContextTypes.DEFAULT_TYPE) -> None:
    if context.user_data is not None:
        context.user_data.pop(DRAFT, None)


def _today(svc: Services, user_id: int) -> date:
    return logparse.local_today(svc.clock.now(), user_tz(svc.db, user_id))


def save(svc: Services, user_id: int, entry: LogEntry) -> logs.LogRecord:
    """Commit one report (performed today = now, an earlier day = that day's local noon)."""
    now = svc.clock.now()
    when = logparse.performed_at(entry.day, now, user_tz(svc.db, user_id))
    record = logs.record_log(
        svc.db, user_id, entry, svc.catalogue.exercises[entry.exercise], when, now
    )
    log.info("user %s logged %s/%s (%s sets)", user_id, entry.exercise, entry.side, record.set_rows)
    return record


# --- entry: the shortcut or the first step ----------------------------------------------


async def log_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/log [text]: save a shortcut at once, or open the button flow."""
    svc = services(context)
    assert update.effective_user is not None and update.effective_chat is not None
    user_id, chat_id = update.effective_user.id, update.effective_chat.id
    old = _draft(context).get("message_id")
    if old is not None:
        await messaging.strip_buttons(context.bot, chat_id, old)
    _forget(context)
    if context.args:
        parsed = logparse.parse_log(" ".join(context.args), svc.catalogue, _today(svc, user_id))
        if isinstance(parsed, ParseError):
            await messaging.send(context.bot, svc.db, chat_id, log_views.usage(parsed.reason))
            return END
        save(svc, user_id, parsed)
        exercise = svc.catalogue.exercises[parsed.exercise]
        view = log_views.saved(parsed, exercise, _today(svc, user_id))
        await messaging.send(context.bot, svc.db, chat_id, view)
        return END
    view = log_views.exercise_picker(svc.catalogue)
    _draft(context)["message_id"] = await messaging.send(context.bot, svc.db, chat_id, view)
    return EXERCISE


# --- the button steps --------------------------------------------------------------------


async def _step_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """The pressed button's payload, or None (answered) if it is on an old message."""
    query = update.callback_query
    assert query is not None and query.data is not None
    draft = _draft(context)
    if query.message is None or query.message.message_id != draft.get("message_id"):
        await query.answer("That button is out of date.")
        return None
    await query.answer()
    return query.data.split(":", 2)[2]


async def _show(update: Update, context: ContextTypes.DEFAULT_TYPE, view: View) -> None:
    """Edit the flow's message in place after a button; a new message after typed text."""
    svc = services(context)
    assert update.effective_chat is not None
    draft = _draft(context)
    chat_id = update.effective_chat.id
    if update.callback_query is not None and draft.get("message_id") is not None:
        await messaging.edit(context.bot, chat_id, draft["message_id"], view)
        return
    if draft.get("message_id") is not None:
        await messaging.strip_buttons(context.bot, chat_id, draft["message_id"])
    draft["message_id"] = await messaging.send(context.bot, svc.db, chat_id, view)


async def exercise_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """`lg:x:<exercise>`: one-sided exercises ask for the side next."""
    choice = await _step_query(update, context)
    if choice is None:
        return EXERCISE
    svc = services(context)
    exercise = svc.catalogue.exercises.get(choice)
    if exercise is None:
        return EXERCISE
    draft = _draft(context)
    draft["exercise"] = exercise.id
    draft["timed"] = exercise.dose.kind == "hold"
    if exercise.dose.sides:
        await _show(update, context, log_views.side_picker(exercise))
        return SIDE
    draft["side"] = "both"
    await _show(update, context, log_views.sets_picker(exercise, "both"))
    return SETS


async def side_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """`lg:s:right|left|both`."""
    choice = await _step_query(update, context)
    if choice is None:
        return SIDE
    draft = _draft(context)
    draft["side"] = choice
    exercise = services(context).catalogue.exercises[draft["exercise"]]
    await _show(update, context, log_views.sets_picker(exercise, choice))
    return SETS


async def sets_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """`lg:n:<sets>`."""
    choice = await _step_query(update, context)
    if choice is None:
        return SETS
    sets = int(choice)
    if not 1 <= sets <= logparse.MAX_SETS:
        return SETS
    draft = _draft(context)
    draft["sets"] = sets
    exercise = services(context).catalogue.exercises[draft["exercise"]]
    await _show(update, context, log_views.amount_picker(exercise, sets))
    return AMOUNT


async def _amount(update: Update, context: ContextTypes.DEFAULT_TYPE, amount: int) -> int:
    svc = services(context)
    assert update.effective_user is not None
    draft = _draft(context)
    draft["amount"] = amount
    today = _today(svc, update.effective_user.id)
    entry = _entry(draft, today)
    exercise = svc.catalogue.exercises[entry.exercise]
    await _show(update, context, log_views.day_picker(entry, exercise, today))
    return DAY


async def amount_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """`lg:a:<reps or seconds>`."""
    choice = await _step_query(update, context)
    if choice is None:
        return AMOUNT
    limit = logparse.MAX_SECONDS if _draft(context).get("timed") else logparse.MAX_REPS
    if not 1 <= int(choice) <= limit:
        return AMOUNT
    return await _amount(update, context, int(choice))


async def amount_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """A typed number at the reps/seconds step."""
    assert update.effective_message is not None and update.effective_message.text is not None
    exercise = services(context).catalogue.exercises[_draft(context)["exercise"]]
    amount = logparse.parse_amount(update.effective_message.text, exercise.dose.kind == "hold")
    if isinstance(amount, ParseError):
        await update.effective_message.reply_text(amount.reason)
        return AMOUNT
    return await _amount(update, context, amount)


def _entry(draft: dict[str, Any], day: date) -> LogEntry:
    timed = draft.get("timed")
    return LogEntry(
        exercise=draft["exercise"],
        side=draft["side"],
        sets=draft["sets"],
        reps=None if timed else draft["amount"],
        seconds=draft["amount"] if timed else None,
        day=day,
    )


async def _finish(update: Update, context: ContextTypes.DEFAULT_TYPE, day: date) -> int:
    svc = services(context)
    assert update.effective_user is not None and update.effective_message is not None
    today = _today(svc, update.effective_user.id)
    problem = logparse.check_day(day, today)
    if problem:
        await update.effective_message.reply_text(problem)
        return DAY
    entry = _entry(_draft(context), day)
    save(svc, update.effective_user.id, entry)
    await _show(
        update, context, log_views.saved(entry, svc.catalogue.exercises[entry.exercise], today)
    )
    _forget(context)
    return END


async def day_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """`lg:d:<YYYY-MM-DD>`: save."""
    choice = await _step_query(update, context)
    if choice is None:
        return DAY
    try:
        day = date.fromisoformat(choice)
    except ValueError:
        return DAY
    return await _finish(update, context, day)


async def day_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """A typed date at the last step: `3 may`, `monday`, `2025-05-03`."""
    svc = services(context)
    assert update.effective_user is not None and update.effective_message is not None
    text = update.effective_message.text or ""
    day = logparse.parse_day(text, _today(svc, update.effective_user.id))
    if isinstance(day, ParseError):
        await update.effective_message.reply_text(day.reason)
        return DAY
    return await _finish(update, context, day)


# --- leaving -----------------------------------------------------------------------------


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int | None:
    """/cancel or the Cancel button: leave without saving."""
    svc = services(context)
    assert update.effective_chat is not None
    draft = _draft(context)
    query = update.callback_query
    if query is not None:
        if query.message is None or query.message.message_id != draft.get("message_id"):
            await query.answer("That button is out of date.")
            return None  # the flow carries on where it is
        await query.answer("Cancelled")
    if draft.get("message_id") is not None and update.callback_query is not None:
        await messaging.edit(
            context.bot, update.effective_chat.id, draft["message_id"], log_views.cancelled()
        )
    else:
        if draft.get("message_id") is not None:
            await messaging.strip_buttons(
                context.bot, update.effective_chat.id, draft["message_id"]
            )
        await messaging.send(context.bot, svc.db, update.effective_chat.id, log_views.cancelled())
    _forget(context)
    return END


async def leave(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Another command mid-flow: drop the draft and let that command run."""
    await _discard(update, context)
    return END


async def timed_out(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The flow sat unfinished: take its buttons away so a late tap can't half-save."""
    await _discard(update, context)


async def _discard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    draft = _draft(context)
    if draft.get("message_id") is not None and update.effective_chat is not None:
        await messaging.strip_buttons(context.bot, update.effective_chat.id, draft["message_id"])
    _forget(context)


def build_log_conversation() -> ConversationHandler[Any]:
    """The /log flow: exercise -> side (or both) -> sets -> reps/seconds -> day."""
    with warnings.catch_warnings():
        # Buttons are tracked per chat and user, not per message: intended here.
        warnings.filterwarnings("ignore", message=".*per_message=False.*")
        return ConversationHandler(
            entry_points=[CommandHandler("log", owned(log_command), filters=PRIVATE)],
            states={
                EXERCISE: [
                    CallbackQueryHandler(owned(exercise_chosen), pattern=r"^lg:x:[a-z0-9_]{1,32}$")
                ],
                SIDE: [
                    CallbackQueryHandler(owned(side_chosen), pattern=r"^lg:s:(right|left|both)$")
                ],
                SETS: [CallbackQueryHandler(owned(sets_chosen), pattern=r"^lg:n:\d{1,2}$")],
                AMOUNT: [
                    CallbackQueryHandler(owned(amount_chosen), pattern=r"^lg:a:\d{1,3}$"),
                    MessageHandler(TYPED, owned(amount_typed)),
                ],
                DAY: [
                    CallbackQueryHandler(owned(day_chosen), pattern=r"^lg:d:\d{4}-\d\d-\d\d$"),
                    MessageHandler(TYPED, owned(day_typed)),
                ],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
            },
            fallbacks=[
                CommandHandler("cancel", owned(cancel), filters=PRIVATE),
                CallbackQueryHandler(owned(cancel), pattern=r"^lg:cancel$"),
                MessageHandler(filters.COMMAND & PRIVATE, leave),
            ],
            allow_reentry=True,
            conversation_timeout=TIMEOUT_SECONDS,
            name="log",
        )
