"""Planned runs and the settings around them: the use cases behind /plan, /runs,
/timezone, /remind and /afterrun.

Every change is committed together with a rebuild of the runner's future reminders
(bot.services.reminders), so the next reminder already follows it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot import storage, views
from bot.core.localtime import local_today
from bot.core.planning import Rule, next_occurrences, occurrences
from bot.services import reminders
from bot.services.state import Services
from bot.views import callbacks

log = logging.getLogger(__name__)
NOT_YOURS = "That isn't your plan."


def settings_of(svc: Services, user_id: int) -> storage.users.Settings:
    return storage.users.get_settings(svc.db, user_id)


def today_for(svc: Services, user_id: int) -> date:
    """Today's date in the runner's zone."""
    return local_today(svc.clock.now(), settings_of(svc, user_id).tz)


def preview(svc: Services, rule: Rule, count: int = 3) -> list[datetime]:
    """The next runs of a rule, for the confirmation message."""
    return next_occurrences(rule, svc.clock.now(), count)


def create_plan(svc: Services, user_id: int, rule: Rule) -> list[datetime]:
    """Save a plan and its reminders at once; returns its next three runs."""
    now = svc.clock.now()
    with svc.db.atomic():
        plan_id = storage.plans.insert_plan(svc.db, user_id, rule, now)
        reminders.rebuild_user(svc.db, user_id, now)
    log.info("user %s planned runs (plan %s)", user_id, plan_id)
    return next_occurrences(rule, now, 3)


@dataclass(frozen=True)
class RunsOverview:
    entries: list[views.plans.RunEntry]
    plans: list[tuple[int, Rule]]
    settings: storage.users.Settings


def runs_overview(svc: Services, user_id: int, days: int = 7) -> RunsOverview:
    now = svc.clock.now()
    end = now + timedelta(days=days)
    entries: list[views.plans.RunEntry] = []
    plans = storage.plans.user_plans(svc.db, user_id)
    for plan in plans:
        skips = storage.plans.skipped(svc.db, plan.id, now, end)
        for run in occurrences(plan.rule, now, end):
            entries.append(
                views.plans.RunEntry(plan.id, run, plan.rule.duration_minutes, run in skips)
            )
    entries.sort(key=lambda e: e.start)
    return RunsOverview(
        entries, [(p.id, p.rule) for p in plans], storage.users.get_settings(svc.db, user_id)
    )


def skip_run(svc: Services, user_id: int, plan_id: int, run: datetime) -> str:
    """Skip one run: no reminders for it and it does not count as planned."""
    plan = storage.plans.get_plan(svc.db, plan_id)
    if plan is None or plan.user_id != user_id:
        return NOT_YOURS
    if not plan.active:
        return "That plan was deleted."
    now = svc.clock.now()
    if run <= now or run not in occurrences(plan.rule, run, run + timedelta(seconds=1)):
        return "That run is not ahead any more."
    with svc.db.atomic():
        fresh = storage.plans.add_skip(svc.db, plan_id, run, now)
        storage.reminders.skip_occurrence(svc.db, plan_id, run, now)
    return "Skipped that run." if fresh else "Already skipped."


def delete_plan(svc: Services, user_id: int, plan_id: int) -> str:
    plan = storage.plans.get_plan(svc.db, plan_id)
    if plan is None or plan.user_id != user_id:
        return NOT_YOURS
    with svc.db.atomic():
        if not storage.plans.deactivate_plan(svc.db, plan_id, svc.clock.now()):
            return "That plan was already deleted."
        storage.reminders.delete_plan_pending(svc.db, plan_id)
    log.info("user %s deleted plan %s", user_id, plan_id)
    return "Plan deleted."


def change_zone(svc: Services, user_id: int, tz: str) -> int:
    """Set the zone; plans keep their wall time there. Returns how many plans moved."""
    now = svc.clock.now()
    with svc.db.atomic():
        storage.users.set_zone(svc.db, user_id, tz, now)
        reminders.rebuild_user(svc.db, user_id, now)
    return len(storage.plans.user_plans(svc.db, user_id))


def change_remind(svc: Services, user_id: int, minutes: int | None) -> None:
    with svc.db.atomic():
        storage.users.set_remind_minutes(svc.db, user_id, minutes)
        reminders.rebuild_user(svc.db, user_id, svc.clock.now())


def change_afterrun(svc: Services, user_id: int, minutes: int | None) -> None:
    with svc.db.atomic():
        storage.users.set_afterrun_minutes(svc.db, user_id, minutes)
        reminders.rebuild_user(svc.db, user_id, svc.clock.now())


def runs_view(svc: Services, user_id: int) -> views.base.View:
    """/runs: the next 7 days of planned runs, with skip and delete buttons."""
    overview = runs_overview(svc, user_id)
    s = overview.settings
    return views.plans.runs_list(overview.entries, overview.plans, s.tz, s.tz_set)


def runs_pressed(svc: Services, user_id: int, data: str) -> tuple[str, bool]:
    """A /runs button (`rn:`): (the callback answer, whether to redraw the list)."""
    parsed = callbacks.parse_runs_button(data)
    if parsed is None:
        return "That button doesn't work any more.", False
    if parsed.run is not None:
        answer = skip_run(svc, user_id, parsed.plan_id, parsed.run)
    else:
        answer = delete_plan(svc, user_id, parsed.plan_id)
    return answer, answer != NOT_YOURS
