"""/log and /undo: report sets done away from the guided routine, or take one back.

`/log rotations 2x10` saves at once (bot.core.reports reads it); bare `/log` walks through
exercise -> side -> sets -> reps or seconds -> day, editing one message in place. Nothing is
stored until the last step, and the report is committed before the bot confirms it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from telegram import Update
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler

from bot import services, views
from bot.core import reports
from bot.core.reports import ParseError, Report
from bot.services.state import Context
from bot.transport import messaging
from bot.views import callbacks
from bot.views.base import CANCELLED, OUT_OF_DATE, View
from handlers.common import TYPED, owned, press_of, translator
from handlers.conversation import END, build_conversation, discard, draft, draft_key, forget

EXERCISE, SIDE, SETS, AMOUNT, DAY = range(5)
DRAFT = draft_key("log")


@dataclass
class ReportDraft:
    """What the /log buttons have collected so far."""

    message_id: int | None = None
    exercise: str = ""
    timed: bool = False
    side: Literal["right", "left", "both"] = "both"
    sets: int = 0
    amount: int = 0

    def report(self, day: date) -> Report:
        return Report(
            exercise=self.exercise,
            side=self.side,
            sets=self.sets,
            reps=None if self.timed else self.amount,
            seconds=self.amount if self.timed else None,
            day=day,
        )


def _ids(update: Update) -> tuple[int, int]:
    assert update.effective_user is not None and update.effective_chat is not None
    return update.effective_user.id, update.effective_chat.id


# --- entry: the shortcut or the first step ----------------------------------------------


async def log_command(update: Update, context: Context) -> int:
    """/log [text]: save a shortcut at once (or answer with the accepted forms), or open the
    button flow."""
    user_id, chat_id = _ids(update)
    await discard(update, context, DRAFT)
    t = translator(update, context)
    if context.args:
        today = services.reports.today(context.svc, user_id)
        parsed = reports.parse_report(" ".join(context.args), t.vocabulary, today)
        if isinstance(parsed, ParseError):
            view = views.reports.usage(t, parsed.reason)
        else:
            view = services.reports.save(context.svc, user_id, parsed, t)
        await messaging.send(context.bot, context.svc.db, chat_id, view)
        return END
    cap = services.reports.daily_cap(context.svc, user_id, t)
    if cap is not None:
        await messaging.send(context.bot, context.svc.db, chat_id, cap)
        return END
    message_id = await messaging.send(
        context.bot, context.svc.db, chat_id, views.reports.exercise_picker(t)
    )
    draft(context, DRAFT, ReportDraft).message_id = message_id
    return EXERCISE


# --- the button steps --------------------------------------------------------------------


async def _step_query(update: Update, context: Context, answer: str | None = None) -> str | None:
    """The pressed button's data, answered; None if it is on an old message."""
    query = update.callback_query
    assert query is not None and query.data is not None
    flow_message = draft(context, DRAFT, ReportDraft).message_id
    if query.message is None or query.message.message_id != flow_message:
        await query.answer(translator(update, context).msg(OUT_OF_DATE))
        return None
    await query.answer(answer)
    return query.data


async def _show(update: Update, context: Context, view: View) -> None:
    """Edit the flow's message in place after a button; a new message after typed text."""
    _, chat_id = _ids(update)
    collected = draft(context, DRAFT, ReportDraft)
    if update.callback_query is not None and collected.message_id is not None:
        await messaging.edit(context.bot, chat_id, collected.message_id, view)
        return
    if collected.message_id is not None:
        await messaging.strip_buttons(context.bot, chat_id, collected.message_id)
    collected.message_id = await messaging.send(context.bot, context.svc.db, chat_id, view)


async def exercise_chosen(update: Update, context: Context) -> int:
    """`lg:x:<exercise>`: one-sided exercises ask for the side next."""
    data = await _step_query(update, context)
    choice = callbacks.parse_report_text("x", data) if data else None
    exercise = context.svc.catalogue.exercises.get(choice) if choice else None
    if exercise is None:
        return EXERCISE
    collected = draft(context, DRAFT, ReportDraft)
    collected.exercise = exercise.id
    collected.timed = exercise.dose.kind == "hold"
    t = translator(update, context)
    if exercise.dose.sides:
        await _show(update, context, views.reports.side_picker(t, exercise))
        return SIDE
    collected.side = "both"
    await _show(update, context, views.reports.sets_picker(t, exercise, "both"))
    return SETS


async def side_chosen(update: Update, context: Context) -> int:
    """`lg:s:right|left|both`."""
    data = await _step_query(update, context)
    side = callbacks.parse_report_side(data) if data else None
    if side is None:
        return SIDE
    collected = draft(context, DRAFT, ReportDraft)
    collected.side = side
    exercise = context.svc.catalogue.exercises[collected.exercise]
    t = translator(update, context)
    await _show(update, context, views.reports.sets_picker(t, exercise, side))
    return SETS


async def sets_chosen(update: Update, context: Context) -> int:
    """`lg:n:<sets>`."""
    data = await _step_query(update, context)
    sets = callbacks.parse_report_number("n", data, 1, reports.MAX_SETS) if data else None
    if sets is None:
        return SETS
    collected = draft(context, DRAFT, ReportDraft)
    collected.sets = sets
    exercise = context.svc.catalogue.exercises[collected.exercise]
    t = translator(update, context)
    await _show(update, context, views.reports.amount_picker(t, exercise, sets))
    return AMOUNT


async def _amount(update: Update, context: Context, amount: int) -> int:
    user_id, _ = _ids(update)
    collected = draft(context, DRAFT, ReportDraft)
    collected.amount = amount
    today = services.reports.today(context.svc, user_id)
    t = translator(update, context)
    await _show(update, context, views.reports.day_picker(t, collected.report(today), today))
    return DAY


async def amount_chosen(update: Update, context: Context) -> int:
    """`lg:a:<reps or seconds>`."""
    data = await _step_query(update, context)
    limit = reports.MAX_SECONDS if draft(context, DRAFT, ReportDraft).timed else reports.MAX_REPS
    amount = callbacks.parse_report_number("a", data, 1, limit) if data else None
    if amount is None:
        return AMOUNT
    return await _amount(update, context, amount)


async def amount_typed(update: Update, context: Context) -> int:
    """A typed number at the reps/seconds step."""
    assert update.effective_message is not None and update.effective_message.text is not None
    t = translator(update, context)
    timed = draft(context, DRAFT, ReportDraft).timed
    amount = reports.parse_amount(update.effective_message.text, t.vocabulary, timed)
    if isinstance(amount, ParseError):
        await update.effective_message.reply_text(t.msg(amount.reason))
        return AMOUNT
    return await _amount(update, context, amount)


async def _finish(update: Update, context: Context, day: date) -> int:
    user_id, _ = _ids(update)
    assert update.effective_message is not None
    t = translator(update, context)
    problem = reports.check_day(day, services.reports.today(context.svc, user_id))
    if problem:
        await update.effective_message.reply_text(t.msg(problem))
        return DAY
    report = draft(context, DRAFT, ReportDraft).report(day)
    await _show(update, context, services.reports.save(context.svc, user_id, report, t))
    forget(context, DRAFT)
    return END


async def day_chosen(update: Update, context: Context) -> int:
    """`lg:d:<YYYY-MM-DD>`: save."""
    data = await _step_query(update, context)
    day = callbacks.parse_report_day(data) if data else None
    if day is None:
        return DAY
    return await _finish(update, context, day)


async def day_typed(update: Update, context: Context) -> int:
    """A typed date at the last step: `3 may`, `monday`, `2025-05-03`."""
    user_id, _ = _ids(update)
    assert update.effective_message is not None
    text = update.effective_message.text or ""
    t = translator(update, context)
    day = reports.parse_day(text, t.vocabulary, services.reports.today(context.svc, user_id))
    if isinstance(day, ParseError):
        await update.effective_message.reply_text(t.msg(day.reason))
        return DAY
    return await _finish(update, context, day)


async def cancel(update: Update, context: Context) -> int | None:
    """/cancel or the Cancel button: leave without saving."""
    _, chat_id = _ids(update)
    collected = draft(context, DRAFT, ReportDraft)
    query = update.callback_query
    t = translator(update, context)
    if query is not None and await _step_query(update, context, t.msg(CANCELLED)) is None:
        return None  # an old message's Cancel: the flow carries on where it is
    view = views.reports.cancelled(t)
    if collected.message_id is not None and query is not None:
        await messaging.edit(context.bot, chat_id, collected.message_id, view)
    else:
        if collected.message_id is not None:
            await messaging.strip_buttons(context.bot, chat_id, collected.message_id)
        await messaging.send(context.bot, context.svc.db, chat_id, view)
    forget(context, DRAFT)
    return END


def build_report_conversation() -> ConversationHandler[Context]:
    """The /log flow: exercise -> side (or both) -> sets -> reps/seconds -> day."""
    return build_conversation(
        name="log",
        command="log",
        entry=log_command,
        states={
            EXERCISE: [
                CallbackQueryHandler(owned(exercise_chosen), pattern=callbacks.REPORT_EXERCISE)
            ],
            SIDE: [CallbackQueryHandler(owned(side_chosen), pattern=callbacks.REPORT_SIDE)],
            SETS: [CallbackQueryHandler(owned(sets_chosen), pattern=callbacks.REPORT_SETS)],
            AMOUNT: [
                CallbackQueryHandler(owned(amount_chosen), pattern=callbacks.REPORT_AMOUNT),
                MessageHandler(TYPED, owned(amount_typed)),
            ],
            DAY: [
                CallbackQueryHandler(owned(day_chosen), pattern=callbacks.REPORT_DAY),
                MessageHandler(TYPED, owned(day_typed)),
            ],
        },
        cancel=cancel,
        cancel_pattern=callbacks.REPORT_CANCEL_PATTERN,
    )


# --- /undo -------------------------------------------------------------------------------


async def undo_command(update: Update, context: Context) -> None:
    user_id, chat_id = _ids(update)
    await services.reports.offer_undo(context.svc, context.bot, user_id, chat_id)


async def undo_button(update: Update, context: Context) -> None:
    """`md:undo:<report>`: remove that report, if it is the presser's."""
    press = press_of(update)
    answer = await services.reports.undo_pressed(
        context.svc, context.bot, press.user_id, press.chat_id, press.message_id, press.data
    )
    await press.query.answer(answer)
