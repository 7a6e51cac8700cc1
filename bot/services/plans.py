"""Planned runs and the settings around them: the use cases behind /plan, /runs,
/timezone, /remind and /afterrun.

Every change is committed together with a rebuild of the runner's future reminders
(bot.services.reminders), so the next reminder already follows it.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from bot import storage, views
from bot.core.localtime import local_day
from bot.core.planning import (
    MAX_PLANS,
    Invalid,
    Rule,
    check_future,
    next_occurrences,
    occurrences,
)
from bot.core.text import N_, Msg
from bot.services import reminders
from bot.services.state import Services
from bot.views import callbacks
from bot.views.i18n import Translator

log = logging.getLogger(__name__)
# The answers to /runs buttons, worded in the runner's language by `runs_pressed`.
NOT_YOURS = N_("That isn't your plan.")
PLAN_GONE = N_("That plan was deleted.")
RUN_GONE = N_("That run is not ahead any more.")
SKIPPED = N_("Skipped that run.")
ALREADY_SKIPPED = N_("Already skipped.")
ALREADY_DELETED = N_("That plan was already deleted.")
DELETED = N_("Plan deleted.")


def settings_of(svc: Services, user_id: int) -> storage.users.Settings:
    return storage.users.get_settings(svc.db, user_id)


def today_for(svc: Services, user_id: int) -> date:
    """Today's date in the runner's zone."""
    return local_day(svc.clock.now(), storage.users.user_tz(svc.db, user_id))


def preview(svc: Services, rule: Rule, count: int = 3) -> list[datetime]:
    """The next runs of a rule, for the confirmation message."""
    return next_occurrences(rule, svc.clock.now(), count)


def at_cap(svc: Services, user_id: int) -> bool:
    """Does the runner have as many plans as we keep (`MAX_PLANS`)?"""
    return storage.plans.count_plans(svc.db, user_id) >= MAX_PLANS


def save_plan(
    svc: Services, user_id: int, rule: Rule, t: Translator
) -> tuple[views.base.View, bool]:
    """/plan's last step (the shortcut, or "Save"): the plan and its reminders are saved at
    once, unless its run has passed meanwhile or the runner already has `MAX_PLANS`
    (another flow, another device). Returns what to show, and whether it was saved.

    The cap keeps each rebuild small and bounds how many reminders one runner has due at
    once; databases from before it may hold more, and still work (see `runs_view`).
    """
    now = svc.clock.now()
    checked = check_future(rule, now)
    if isinstance(checked, Invalid):
        return views.plans.plan_rejected(t, checked.message), False
    with svc.db.atomic():
        if at_cap(svc, user_id):  # checked again inside the transaction that saves
            return views.plans.plan_limit(t, MAX_PLANS), False
        plan_id = storage.plans.insert_plan(svc.db, user_id, rule, now)
        reminders.rebuild_user(svc.db, user_id, now)
    log.info("user %s planned runs (plan %s)", user_id, plan_id)
    upcoming = next_occurrences(rule, now, 3)
    return views.plans.plan_saved(t, rule, upcoming, settings_of(svc, user_id).tz_set), True


def next_runs(svc: Services, user_id: int, days: int = 7) -> list[views.plans.RunEntry]:
    """Every run of the runner's plans in the next `days`, skipped ones marked, in order."""
    now = svc.clock.now()
    end = now + timedelta(days=days)
    entries: list[views.plans.RunEntry] = []
    for plan in storage.plans.user_plans(svc.db, user_id, since=now.date() - timedelta(days=1)):
        skips = storage.plans.skipped(svc.db, plan.id, now, end)
        for run in occurrences(plan.rule, now, end):
            entries.append(
                views.plans.RunEntry(
                    plan.id, run, plan.rule.duration_minutes, run in skips, plan.title
                )
            )
    entries.sort(key=lambda e: e.start)
    return entries


def skip_run(svc: Services, user_id: int, plan_id: int, run: datetime) -> Msg:
    """Skip one run: no reminders for it and it does not count as planned."""
    plan = storage.plans.get_plan(svc.db, plan_id)
    if plan is None or plan.user_id != user_id:
        return NOT_YOURS
    if not plan.active:
        return PLAN_GONE
    now = svc.clock.now()
    if run <= now or run not in occurrences(plan.rule, run, run + timedelta(seconds=1)):
        return RUN_GONE
    with svc.db.atomic():
        fresh = storage.plans.add_skip(svc.db, plan_id, run, now)
        storage.reminders.skip_occurrence(svc.db, plan_id, run, now)
    return SKIPPED if fresh else ALREADY_SKIPPED


def delete_plan(svc: Services, user_id: int, plan_id: int) -> Msg:
    plan = storage.plans.get_plan(svc.db, plan_id)
    if plan is None or plan.user_id != user_id:
        return NOT_YOURS
    with svc.db.atomic():
        if not storage.plans.deactivate_plan(svc.db, plan_id, svc.clock.now()):
            return ALREADY_DELETED
        storage.reminders.delete_plan_pending(svc.db, plan_id)
    log.info("user %s deleted plan %s", user_id, plan_id)
    return DELETED


def change_zone(svc: Services, user_id: int, tz: str) -> int:
    """Set the zone; plans keep their wall time there. Returns how many plans moved."""
    now = svc.clock.now()
    with svc.db.atomic():
        storage.users.set_zone(svc.db, user_id, tz, now)
        reminders.rebuild_user(svc.db, user_id, now)
    return len(storage.plans.user_plans(svc.db, user_id, kind="hand"))


def change_remind(svc: Services, user_id: int, minutes: int | None) -> None:
    with svc.db.atomic():
        storage.users.set_remind_minutes(svc.db, user_id, minutes)
        reminders.rebuild_user(svc.db, user_id, svc.clock.now())


def change_afterrun(svc: Services, user_id: int, minutes: int | None) -> None:
    with svc.db.atomic():
        storage.users.set_afterrun_minutes(svc.db, user_id, minutes)
        reminders.rebuild_user(svc.db, user_id, svc.clock.now())


def runs_view(svc: Services, user_id: int, page: int = 0) -> views.base.View:
    """/runs, one page: the next 7 days (first page) and `PLANS_PER_PAGE` plans, each with
    its delete button, so every plan stays reachable however many there are."""
    per_page = views.plans.PLANS_PER_PAGE
    total = storage.plans.count_plans(svc.db, user_id)
    pages = max(1, -(-total // per_page))
    page = min(max(page, 0), pages - 1)
    plans = storage.plans.user_plans(
        svc.db, user_id, offset=page * per_page, limit=per_page, kind="hand"
    )
    entries = next_runs(svc, user_id) if page == 0 else []
    s = settings_of(svc, user_id)
    imported = storage.calendar.count_imported_ahead(svc.db, user_id, today_for(svc, user_id))
    shown = views.plans.RunsPage(
        entries, [(p.id, p.rule) for p in plans], page, pages, total, imported
    )
    return views.plans.runs_list(svc.t(user_id), shown, s.tz, s.tz_set)


def runs_pressed(svc: Services, user_id: int, data: str) -> tuple[str, views.base.View | None]:
    """A /runs button (`rn:`): the callback answer (in the presser's language), and the
    list to redraw (or None).

    After a skip the first page is redrawn (its skip buttons are there); after a delete,
    the page the plan was on.
    """
    t = svc.t(user_id)
    parsed = callbacks.parse_runs_button(data)
    if parsed is None:
        return t.msg(views.base.OLD_BUTTON), None
    answer: Msg
    if parsed.run is not None:
        answer, page = skip_run(svc, user_id, parsed.plan_id, parsed.run), 0
    else:
        answer = delete_plan(svc, user_id, parsed.plan_id)
        before = storage.plans.count_plans(svc.db, user_id, before=parsed.plan_id)
        page = before // views.plans.PLANS_PER_PAGE
    if answer == NOT_YOURS:
        return t.msg(answer), None
    return t.msg(answer), runs_view(svc, user_id, page)


def runs_page_pressed(
    svc: Services, user_id: int, data: str
) -> tuple[str | None, views.base.View | None]:
    """‹ › in /runs (`rn:p:<page>`): the presser's own plans, that page (clamped)."""
    page = callbacks.parse_runs_page(data)
    if page is None:
        return svc.t(user_id).msg(views.base.OLD_BUTTON), None
    return None, runs_view(svc, user_id, page)
