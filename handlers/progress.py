"""/progress (the week, the streak, totals, balance and a chart) and /history."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from telegram import Update
from telegram.constants import ChatAction, ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import chart, log_views, messaging, progress
from bot.services import Services, services
from bot.storage import logs, plans
from bot.storage.users import user_tz
from bot.views import View

log = logging.getLogger(__name__)

CAPTION_LIMIT = 1024
WARMUP_ROUTINE = "pre_run"


def gather(svc: Services, user_id: int, now: datetime) -> progress.Progress:
    """Read what /progress needs and hand it to the pure bot.progress."""
    tz = user_tz(svc.db, user_id)
    sets = progress.set_records(logs.user_sets(svc.db, user_id), tz)
    _, week_end = progress.week_bounds(now, tz)
    runs = plans.planned_runs(
        svc.db, user_id, now - progress.STREAK_LOOKBACK, week_end + timedelta(weeks=1)
    )
    warmup_exercises = _warmup_exercises(svc)
    routines = [
        (ended, set(warmup_exercises) <= set(_routine_exercises(svc, routine)))
        for ended, routine in logs.completed_routines(svc.db, user_id)
    ]
    done = progress.done_from(routines, sets, tz, warmup_exercises)
    exercises = list(svc.catalogue.exercises)
    one_sided = [e.id for e in svc.catalogue.exercises.values() if e.dose.sides]
    return progress.build_progress(sets, done, runs, now, tz, exercises, one_sided)


def _routine_exercises(svc: Services, routine_id: str) -> tuple[str, ...]:
    routine = svc.catalogue.routines.get(routine_id)
    return routine.exercises if routine else ()


def _warmup_exercises(svc: Services) -> tuple[str, ...]:
    """What a pre-run warm-up is made of: the pre-run routine's exercises (a full or quick
    routine includes them; the post-run stretch alone does not)."""
    return _routine_exercises(svc, WARMUP_ROUTINE) or tuple(svc.catalogue.exercises)


async def progress_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    assert update.effective_user is not None and update.effective_chat is not None
    chat_id = update.effective_chat.id
    report = gather(svc, update.effective_user.id, svc.clock.now())
    if not report.has_data:
        await messaging.send(context.bot, svc.db, chat_id, log_views.no_progress())
        return
    text = log_views.progress_text(report, svc.catalogue)
    if report.chart.empty:
        await messaging.send(context.bot, svc.db, chat_id, View(text))
        return
    names = {e.id: log_views.chart_label(e) for e in svc.catalogue.exercises.values()}
    try:
        await context.bot.send_chat_action(chat_id, ChatAction.UPLOAD_PHOTO)
    except TelegramError as exc:
        log.debug("chat action failed: %s", exc)
    # Drawing takes a few hundred ms of CPU: off the event loop, so other chats keep moving.
    png = await asyncio.to_thread(chart.render, report.chart, names)
    caption = text if len(text) <= CAPTION_LIMIT else None
    if caption is None:
        await messaging.send(context.bot, svc.db, chat_id, View(text))
    try:
        await context.bot.send_photo(
            chat_id, photo=png, caption=caption, parse_mode=ParseMode.HTML, filename="progress.png"
        )
    except TelegramError as exc:
        log.warning("sending the progress chart to chat %s failed: %s", chat_id, exc)
        if caption is not None:
            await messaging.send(context.bot, svc.db, chat_id, View(text))


async def history_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    assert update.effective_user is not None and update.effective_chat is not None
    user_id = update.effective_user.id
    items = logs.history(svc.db, user_id)
    view = log_views.history(items, svc.catalogue, user_tz(svc.db, user_id), svc.clock.now())
    await messaging.send(context.bot, svc.db, update.effective_chat.id, view)
