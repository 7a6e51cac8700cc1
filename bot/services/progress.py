"""/progress (the week, the streak, totals, balance, the coach's doses and hip tightness,
and a chart) and /history.

Storage is read here and handed to the pure bot.core.progress. Both the reading (a worker
thread with its own read-only connection) and the drawing happen off the event loop, so one
runner's long history never holds up another runner's timers; each runner's chart is kept
until the data it shows or the language it speaks changes, and a short cooldown spaces out
repeated requests.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from pathlib import Path

from sqlite_utils import Database
from telegram import Bot
from telegram.constants import ChatAction, ParseMode
from telegram.error import TelegramError

from bot import storage, views
from bot.core import coach, progress
from bot.core.localtime import week_bounds
from bot.core.progress import ChartData
from bot.services import coach as coaching
from bot.services.state import Services
from bot.transport import messaging
from bot.views.base import View
from bot.views.i18n import Translator

log = logging.getLogger(__name__)

CAPTION_LIMIT = 1024
WARMUP_ROUTINE = "pre_run"
# One /progress per user this often: it reads every set they have.
PROGRESS_COOLDOWN_SECONDS = 15
# Charts kept in memory (one per user, about 100 KB each); the least recently used go first.
CHART_CACHE_SIZE = 200


def gather(svc: Services, db: Database, user_id: int, now: datetime) -> progress.Progress:
    """Read what /progress needs from `db` and hand it to the pure bot.core.progress."""
    tz = storage.users.user_tz(db, user_id)
    sets = progress.set_records(storage.reports.user_sets(db, user_id), tz)
    _, week_end = week_bounds(now, tz)
    runs = storage.plans.planned_runs(
        db, user_id, now - progress.STREAK_LOOKBACK, week_end + timedelta(weeks=1)
    )
    done = done_of(svc, db, user_id, tz, sets)
    exercises = list(svc.catalogue.exercises)
    one_sided = [e.id for e in svc.catalogue.exercises.values() if e.dose.sides]
    standings = coaching.standings(svc, db, user_id)
    since = coach.tightness_since(now, tz)
    tightness = coach.tightness(storage.coach.checkins(db, user_id, since), now, tz)
    return progress.build_progress(
        sets, done, runs, now, tz, exercises, one_sided, standings=standings, tightness=tightness
    )


def done_of(
    svc: Services, db: Database, user_id: int, tz: str, sets: list[progress.SetRecord]
) -> progress.Done:
    """The runner's finished routines (which of them were warm-ups) and reported days, for
    the streak and the week (/progress and the weekly note read it alike)."""
    warmup = warmup_exercises(svc)
    routines = [
        (ended, set(warmup) <= set(_routine_exercises(svc, routine_id)))
        for ended, routine_id in storage.reports.completed_routines(db, user_id)
    ]
    return progress.done_from(routines, sets, tz, warmup)


def _routine_exercises(svc: Services, routine_id: str) -> tuple[str, ...]:
    routine = svc.catalogue.routines.get(routine_id)
    return routine.exercises if routine else ()


def warmup_exercises(svc: Services) -> tuple[str, ...]:
    """What a pre-run warm-up is made of: the pre-run routine's exercises (a full or quick
    routine includes them; the post-run stretch alone does not)."""
    return _routine_exercises(svc, WARMUP_ROUTINE) or tuple(svc.catalogue.exercises)


def _gather_apart(svc: Services, path: Path, user_id: int, now: datetime) -> progress.Progress:
    """In a worker thread, on a read-only connection of its own."""
    with storage.db.snapshot(path) as db:
        return gather(svc, db, user_id, now)


async def send_progress(svc: Services, bot: Bot, user_id: int, chat_id: int) -> None:
    t = svc.t(user_id)
    wait = svc.cooldown("progress", user_id, PROGRESS_COOLDOWN_SECONDS)
    if wait:
        await messaging.send(bot, svc.db, chat_id, views.progress.cooldown(t, "progress", wait))
        return
    path = storage.db.file_of(svc.db)
    report = await asyncio.to_thread(_gather_apart, svc, path, user_id, svc.clock.now())
    if not report.has_data:
        await messaging.send(bot, svc.db, chat_id, views.progress.no_progress(t))
        return
    text = views.progress.progress_text(t, report)
    if report.chart.empty:
        await messaging.send(bot, svc.db, chat_id, View(text))
        return
    png = await _chart(svc, bot, t, user_id, chat_id, report.chart)
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


async def _chart(
    svc: Services, bot: Bot, t: Translator, user_id: int, chat_id: int, data: ChartData
) -> bytes:
    """The user's chart: the one drawn last time if it shows the same data in the same
    language (a /language switch redraws it), else a new one."""
    cached = svc.charts.get(user_id)
    if cached is not None and cached[:2] == (t.lang, data):
        svc.charts.move_to_end(user_id)
        return cached[2]
    names = {e.id: views.progress.chart_label(e) for e in t.content.exercises.values()}
    try:
        await bot.send_chat_action(chat_id, ChatAction.UPLOAD_PHOTO)
    except TelegramError as exc:
        log.debug("chat action failed: %s", exc)
    # Drawing takes a few hundred ms of CPU: off the event loop, so other chats keep moving.
    png = await asyncio.to_thread(_draw, t, data, names)
    svc.charts[user_id] = (t.lang, data, png)
    svc.charts.move_to_end(user_id)
    while len(svc.charts) > CHART_CACHE_SIZE:
        svc.charts.popitem(last=False)
    return png


def _draw(t: Translator, data: ChartData, names: dict[str, str]) -> bytes:
    """In a worker thread. matplotlib is imported here, with the first chart drawn, so
    importing the bot (or running `hipcoach doctor`) never waits for it."""
    from bot.views import chart

    return chart.render(t, data, names)


async def send_history(svc: Services, bot: Bot, user_id: int, chat_id: int) -> None:
    items = storage.reports.history(svc.db, user_id)
    tz = storage.users.user_tz(svc.db, user_id)
    view = views.progress.history(svc.t(user_id), items, tz, svc.clock.now())
    await messaging.send(bot, svc.db, chat_id, view)
