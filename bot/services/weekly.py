"""The weekly note from the coach: its reminder row, whether it goes out, and what it says.

A note is a `reminders` row of kind 'weekly' (no plan), sent by the one dispatcher with the
same guarantees as a run reminder (bot.services.reminders): claimed before it is sent, never
twice, late-marked, or dropped after a long downtime. Each runner with the note on has one
row ahead; `users.weekly_until` is its instant, so the dispatcher's top-up reads only the
runners whose note has come (an indexed read) and makes their next one. The rules (when,
which week, which suggestion) are pure: bot.core.weekly.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from sqlite_utils import Database

from bot import storage, views
from bot.core import coach, progress, weekly
from bot.core.clock import to_db
from bot.core.localtime import local_instant, week_bounds
from bot.services import coach as coaching
from bot.services.state import Services
from bot.views.base import View
from bot.views.i18n import Translator

log = logging.getLogger(__name__)

TOP_UP_BATCH = 500  # runners given their next note per dispatcher pass
WARMUP_ROUTINE = "pre_run"
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
        storage.reminders.last_weekly(db, user_id),
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
                if reachable:
                    schedule(db, user_id, now)
                else:  # blocked the bot: parked until they write again
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
    """The week the note due at `due` covers, read at `now`, in the runner's zone."""
    settings = storage.users.get_settings(db, user_id)
    tz = settings.tz
    first, last = weekly.covered_days(due, tz)
    start = weekly.window_start(due, tz)
    end = min(now, local_instant(last + timedelta(days=1), time(), tz))

    # Routines come from sessions; of the sets, only reported ones add days (Done).
    lookback = now - progress.STREAK_LOOKBACK
    sets = progress.set_records(
        storage.reports.user_sets(db, user_id, lookback, reported_only=True), tz
    )
    warmup_exercises = _routine_exercises(svc, WARMUP_ROUTINE) or tuple(svc.catalogue.exercises)
    routines = [
        (ended, set(warmup_exercises) <= set(_routine_exercises(svc, routine_id)))
        for ended, routine_id in storage.reports.completed_routines(db, user_id)
    ]
    done = progress.done_from(routines, sets, tz, warmup_exercises)
    planned = storage.plans.planned_runs(db, user_id, lookback, now + timedelta(weeks=1))
    runs = [r for r in planned if start <= r < end]

    since = week_bounds(now, tz, coach.TIGHTNESS_WEEKS - 1)[0]
    checkins = storage.coach.checkins(db, user_id, since)
    tightness = coach.tightness(checkins, now, tz) if checkins else None
    facts = weekly.Facts(
        paused=coaching.paused(svc, user_id),
        routines=sum(first <= d <= last for d in done.days()),
        runs=len(runs),
        warmed_up=sum(done.warmed_up(r) for r in runs),
        has_plan=storage.plans.count_plans(db, user_id) > 0,
        checkins_on=settings.checkins,
        checked_in=bool(checkins),
    )
    return weekly.Week(
        first_day=first,
        last_day=last,
        routines=facts.routines,
        runs=facts.runs,
        warmed_up=facts.warmed_up,
        streak=progress.streak(done, planned, now),
        changes=weekly.last_moves(storage.coach.changes_between(db, user_id, start, end)),
        tightness=tightness if tightness is not None and not tightness.empty else None,
        suggestion=weekly.suggest(facts),
    )


def note(svc: Services, t: Translator, r: storage.reminders.Reminder, now: datetime) -> View:
    """The note for a claimed row, worded by `t`: the runner's language as it is sent."""
    week = gather(svc, svc.db, r.user_id, r.due_at, now)
    quick = svc.catalogue.routine_minutes(QUICK_ROUTINE)
    log.info("weekly note for user %s: suggestion %s", r.user_id, week.suggestion.tip)
    return views.weekly.note(t, week, r.tz, quick)


def _routine_exercises(svc: Services, routine_id: str) -> tuple[str, ...]:
    """A routine's exercises, as /progress reads them (bot.services.progress)."""
    routine = svc.catalogue.routines.get(routine_id)
    return routine.exercises if routine else ()
