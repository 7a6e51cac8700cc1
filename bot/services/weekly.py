"""The weekly note from the coach: its reminder row, whether it goes out, and what it says.

A note is a `reminders` row of kind 'weekly' (no plan), sent by the one dispatcher with the
same guarantees as a run reminder (bot.services.reminders): claimed before it is sent, never
twice, late-marked, or dropped after a long downtime. Each runner with the note on has one
row ahead; `users.weekly_until` is its instant, so the dispatcher's top-up reads only the
runners whose note has come (an indexed read) and makes their next one; a runner who blocked
the bot or has nothing to talk about is parked instead, until they write again. The rules
(when, which week, which suggestion) are pure: bot.core.weekly.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from pathlib import Path

from sqlite_utils import Database

from bot import storage, views
from bot.core import coach, progress, weekly
from bot.core.clock import to_db
from bot.services import coach as coaching
from bot.services import progress as reading
from bot.services.state import Services
from bot.views.base import View
from bot.views.i18n import Translator

log = logging.getLogger(__name__)

TOP_UP_BATCH = 500  # runners given their next note per dispatcher pass
QUICK_ROUTINE = "quick"


# --- the row ----------------------------------------------------------------------------


def schedule(db: Database, user_id: int, now: datetime) -> datetime | None:
    """Make the runner's next note row (replacing a future pending one) and move their mark
    to it; None if the note is off. Call inside a transaction."""
    settings = storage.users.get_settings(db, user_id)
    storage.reminders.delete_weekly_pending(db, user_id, now)
    if not settings.weekly_note:
        storage.users.set_weekly_until(db, user_id, "")
        return None
    due = weekly.note_after(
        now,
        storage.reminders.last_weekly(db, user_id) or storage.users.joined_at(db, user_id),
        settings.weekly_day,
        weekly.parse_time(settings.weekly_time, storage.users.DEFAULT_WEEKLY_TIME),
        settings.tz,
    )
    storage.reminders.insert_weekly(db, user_id, due, now)
    storage.users.set_weekly_until(db, user_id, to_db(due))
    return due


def top_up(db: Database, now: datetime, limit: int = TOP_UP_BATCH) -> int:
    """Give the next note to runners whose note has come (or who never had one); returns
    how many. Bounded: the rest wait for the next pass."""
    users = storage.users.weekly_to_make(db, now, limit)
    if users:
        with db.atomic():
            for user_id, reachable in users:
                if reachable and storage.reminders.active_lately(db, user_id, now - weekly.QUIET):
                    schedule(db, user_id, now)
                else:  # blocked the bot, or nothing to talk about: parked until they write
                    storage.users.set_weekly_until(db, user_id, storage.users.PARKED)
        log.debug("weekly notes scheduled for %s runner(s)", len(users))
    return len(users)


def verdict(db: Database, r: storage.reminders.Reminder, now: datetime) -> tuple[str, str] | None:
    """Why a due note must not go out (status, reason), or None to send it. (An unreachable
    runner is settled before, with every other reminder.)"""
    if not r.weekly_note:
        return "dropped", "weekly note off"
    if now - r.due_at > weekly.STALE:
        return "dropped", "stale"
    if not storage.reminders.active_lately(db, r.user_id, now - weekly.QUIET):
        return "skipped", "quiet"  # nothing to talk about: never a note for its own sake
    return None


# --- what it says -----------------------------------------------------------------------


def gather(svc: Services, db: Database, user_id: int, due: datetime, now: datetime) -> weekly.Week:
    """The 7 days up to the note due at `due`, read from `db` at `now`."""
    settings = storage.users.get_settings(db, user_id)
    tz = settings.tz
    start, end = weekly.window(due)
    end = min(end, now)
    # Routines come from sessions; of the sets, only reported ones add days (Done).
    lookback = now - progress.STREAK_LOOKBACK
    sets = progress.set_records(
        storage.reports.user_sets(db, user_id, lookback, reported_only=True), tz
    )
    done = reading.done_of(svc, db, user_id, tz, sets)
    planned = storage.plans.planned_runs(db, user_id, lookback, now + timedelta(weeks=1))
    runs = [r for r in planned if start <= r < end]
    checkins = storage.coach.checkins(db, user_id, coach.tightness_since(now, tz))
    tightness = coach.tightness(checkins, now, tz) if checkins else None
    standings = coaching.standings(svc, db, user_id)
    recent = now - weekly.PAUSE_NEWS
    facts = weekly.Facts(
        paused=[
            e for e, s in standings.items()
            if s.paused and s.last_move is not None and s.last_move.at >= recent
        ],
        routines=weekly.routines_done(done, start, end),
        runs=len(runs),
        warmed_up=sum(done.warmed_up(r) for r in runs),
        has_plan=any(r >= now for r in planned),
        checkins_on=settings.checkins,
        checked_in=bool(checkins),
        reminders_on=settings.remind_minutes is not None,
    )  # fmt: skip
    return weekly.Week(
        since=start,
        routines=facts.routines,
        runs=facts.runs,
        warmed_up=facts.warmed_up,
        streak=progress.streak(done, planned, now),
        changes=weekly.last_moves(storage.coach.changes_between(db, user_id, start, end)),
        tightness=tightness if tightness is not None and not tightness.empty else None,
        suggestion=weekly.suggest(facts),
    )


def _gather_apart(
    svc: Services, path: Path, user_id: int, due: datetime, now: datetime
) -> weekly.Week:
    """In a worker thread, on a read-only connection of its own (as /progress reads)."""
    with storage.db.snapshot(path) as db:
        return gather(svc, db, user_id, due, now)


async def note(svc: Services, t: Translator, r: storage.reminders.Reminder, now: datetime) -> View:
    """The note for a claimed row, worded by `t`: the runner's language as it is sent. Its
    reads (up to a year of routines and runs) happen off the event loop, so a Sunday
    evening's notes never hold up anyone's timers."""
    quick = coaching.minutes_of(svc, r.user_id, QUICK_ROUTINE)
    path = storage.db.file_of(svc.db)
    week = await asyncio.to_thread(_gather_apart, svc, path, r.user_id, r.due_at, now)
    log.info("weekly note for user %s: suggestion %s", r.user_id, week.suggestion.tip)
    return views.weekly.note(t, week, r.tz, quick)
