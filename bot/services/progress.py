"""/progress (the week, the streak, totals, balance and a chart) and /history.

Storage is read here and handed to the pure bot.core.progress; the chart is drawn off the
event loop, so one runner's picture never holds up another runner's timers.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from telegram import Bot
from telegram.constants import ChatAction, ParseMode
from telegram.error import TelegramError

from bot import storage, views
from bot.core import progress
from bot.core.localtime import week_bounds
from bot.services.state import Services
from bot.transport import messaging
from bot.views.base import View

log = logging.getLogger(__name__)

CAPTION_LIMIT = 1024
WARMUP_ROUTINE = "pre_run"


def gather(svc: Services, user_id: int, now: datetime) -> progress.Progress:
    """Read what /progress needs and hand it to the pure bot.core.progress."""
    tz = storage.users.user_tz(svc.db, user_id)
    sets = progress.set_records(storage.reports.user_sets(svc.db, user_id), tz)
    _, week_end = week_bounds(now, tz)
    runs = storage.plans.planned_runs(
        svc.db, user_id, now - progress.STREAK_LOOKBACK, week_end + timedelta(weeks=1)
    )
    warmup_exercises = _warmup_exercises(svc)
    routines = [
        (ended, set(warmup_exercises) <= set(_routine_exercises(svc, routine_id)))
        for ended, routine_id in storage.reports.completed_routines(svc.db, user_id)
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


async def send_progress(svc: Services, bot: Bot, user_id: int, chat_id: int) -> None:
    report = gather(svc, user_id, svc.clock.now())
    if not report.has_data:
        await messaging.send(bot, svc.db, chat_id, views.progress.no_progress())
        return
    text = views.progress.progress_text(report, svc.catalogue)
    if report.chart.empty:
        await messaging.send(bot, svc.db, chat_id, View(text))
        return
    names = {e.id: views.progress.chart_label(e) for e in svc.catalogue.exercises.values()}
    try:
        await bot.send_chat_action(chat_id, ChatAction.UPLOAD_PHOTO)
    except TelegramError as exc:
        log.debug("chat action failed: %s", exc)
    # Drawing takes a few hundred ms of CPU: off the event loop, so other chats keep moving.
    png = await asyncio.to_thread(views.chart.render, report.chart, names)
    caption = text if len(text) <= CAPTION_LIMIT else None
    if caption is None:
        await messaging.send(bot, svc.db, chat_id, View(text))
    try:
        await bot.send_photo(
            chat_id, photo=png, caption=caption, parse_mode=ParseMode.HTML, filename="progress.png"
        )
    except TelegramError as exc:
        log.warning("sending the progress chart to chat %s failed: %s", chat_id, exc)
        if caption is not None:
            await messaging.send(bot, svc.db, chat_id, View(text))


async def send_history(svc: Services, bot: Bot, user_id: int, chat_id: int) -> None:
    items = storage.reports.history(svc.db, user_id)
    tz = storage.users.user_tz(svc.db, user_id)
    view = views.progress.history(items, svc.catalogue, tz, svc.clock.now())
    await messaging.send(bot, svc.db, chat_id, view)
