"""Planned-run reminders: rows materialised ahead, one dispatcher that sends what is due.

- **Rows, not jobs.** Each plan's reminder rows exist for the next `HORIZON` (8 days). A
  plan's `materialised_until` mark says how far; the dispatcher tops up only the plans whose
  mark runs short (an indexed read), so a pass never scans all users and nothing per user is
  kept in memory. Changing a zone, lead time or plan rebuilds that user's future pending
  rows in one transaction.
- **At most once.** A due row is claimed (pending -> claimed, conditional UPDATE) before it
  is sent and marked sent with the message id after. A row claimed when the process died
  (at most the few sends in flight) is left 'claimed' and never sent again; a send Telegram
  refused or timed out is 'failed' and not retried (it may have arrived). A duplicate would
  be worse than one lost nudge.
- **After downtime** a pre-run reminder whose run has not started is sent, saying it is
  late; one whose run has started is 'dropped'. Post-run prompts more than
  `POST_RUN_STALE` past due are dropped. Users who blocked the bot (users.active = 0) get
  their due rows dropped; future rows stay, so reminders resume once they write again.
- **Quiet once done**: no pre-run reminder if a pre-run or full routine was started within
  `QUIET_WINDOW` (or the lead time, if longer) before the run; no post-run prompt if a
  post-run or full routine was started since the run began. Such rows are 'skipped'.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlite_utils import Database
from telegram import Bot
from telegram.ext import Application, CallbackContext, JobQueue

from bot import coach, messaging, plan_views
from bot.clock import from_db, to_db
from bot.planning import Rule, local_instant, next_occurrences, occurrences
from bot.services import Services, services
from bot.storage import plans as plan_store
from bot.storage import reminders as store

log = logging.getLogger(__name__)

JOB_NAME = "reminder-dispatch"
DISPATCH_INTERVAL = 5.0  # seconds: a reminder arrives within ~5 s of its due time
HORIZON = timedelta(days=8)
TOP_UP_WHEN_LEFT = timedelta(days=7)  # top a plan up once a day, not on every pass
TOP_UP_BATCH = 500
SEND_BATCH = 200
MAX_PER_PASS = 2000
SEND_CONCURRENCY = 4  # reminder sends in flight at once (see _deliver_batch)
LATE_AFTER = timedelta(seconds=60)
POST_RUN_STALE = timedelta(hours=3)
QUIET_WINDOW = timedelta(hours=2)
SNOOZE = timedelta(minutes=10)
LATER = timedelta(minutes=30)
MAX_SNOOZES = 3
LOCK_KEY = "hipcoach.reminder_lock"


# --- materialising ----------------------------------------------------------------------


def materialise(
    db: Database,
    plan: plan_store.Plan,
    settings: store.Settings,
    start: datetime,
    until: datetime,
    now: datetime,
) -> None:
    """Insert the plan's reminder rows for runs in [start, until) (existing keys kept)."""
    for run in plan_store.plan_runs(db, plan, start, until):
        if settings.remind_minutes is not None and run > now:
            due = max(run - timedelta(minutes=settings.remind_minutes), now)
            store.insert_reminder(db, plan.user_id, plan.id, run, "pre_run", due, now)
        if settings.afterrun_minutes is not None:
            end = run + timedelta(minutes=plan.rule.duration_minutes + settings.afterrun_minutes)
            store.insert_reminder(db, plan.user_id, plan.id, run, "post_run", end, now)
    plan_store.set_mark(db, plan.id, _mark(plan.rule, until))


def _mark(rule: Rule, until: datetime) -> str:
    """How far a plan is materialised; a one-off already covered never needs topping up."""
    if rule.on is not None and local_instant(rule.on, rule.at, rule.tz) < until:
        return plan_store.FOREVER
    return to_db(until)


def rebuild_user(db: Database, user_id: int, now: datetime) -> None:
    """Rebuild every future pending reminder of the user from their plans and settings.

    Rows already sent, skipped or dropped keep their key, so nothing is sent twice.
    """
    with db.atomic():
        store.delete_future_pending(db, user_id, now)
        plan_store.reset_marks(db, user_id, now)
        settings = store.get_settings(db, user_id)
        for plan in plan_store.user_plans(db, user_id):
            materialise(db, plan, settings, now, now + HORIZON, now)


def top_up(db: Database, now: datetime) -> int:
    """Extend plans whose rows end within `TOP_UP_WHEN_LEFT`; returns how many."""
    plans = plan_store.plans_to_top_up(db, now + TOP_UP_WHEN_LEFT, TOP_UP_BATCH)
    with db.atomic():
        for plan in plans:
            settings = store.get_settings(db, plan.user_id)
            start = max(from_db(plan.materialised_until), now)
            materialise(db, plan, settings, start, now + HORIZON, now)
    return len(plans)


# --- dispatching ------------------------------------------------------------------------


async def run_dispatch_pass(application: Application) -> int:
    """One pass now: top up, send what is due; returns how many reminders were sent."""
    svc = services(application)
    lock: asyncio.Lock = application.bot_data.setdefault(LOCK_KEY, asyncio.Lock())
    sent = 0
    async with lock:
        top_up(svc.db, svc.clock.now())
        handled = 0
        while handled < MAX_PER_PASS:
            batch = store.due(svc.db, svc.clock.now(), SEND_BATCH, svc.only_users)
            if not batch:
                break
            sent += await _deliver_batch(svc, application.bot, batch)
            handled += len(batch)
    return sent


async def _deliver_batch(svc: Services, bot: Bot, batch: list[store.Reminder]) -> int:
    """Deliver a batch with a few sends in flight, oldest first.

    One at a time, the network round trip would set the pace (50 ms caps delivery at 20/s,
    under Telegram's 30/s); a few in flight let the rate limiter set it. Each row is
    claimed before its send, so overlap cannot duplicate one; a crash mid-send costs at
    most the SEND_CONCURRENCY reminders in flight. Every delivery runs to its end before
    an error is raised, so no claimed row is abandoned half-way.
    """
    gate = asyncio.Semaphore(SEND_CONCURRENCY)

    async def one(reminder: store.Reminder) -> int:
        async with gate:
            return await _deliver(svc, bot, reminder)

    results = await asyncio.gather(*(one(r) for r in batch), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return sum(int(r) for r in results)  # type: ignore[arg-type]


async def dispatch_job(context: CallbackContext[Any, Any, Any, Any]) -> None:
    """The one repeating JobQueue job (`reminder-dispatch`).

    A pass stops after MAX_PER_PASS; while more is due, the next pass follows at once
    instead of at a later tick (ticks are skipped while a long pass runs).
    """
    svc = services(context)
    sent = await run_dispatch_pass(context.application)
    while store.due(svc.db, svc.clock.now(), 1, svc.only_users):
        sent += await run_dispatch_pass(context.application)
    if sent:
        log.info("sent %s reminder(s)", sent)


def schedule_dispatcher(job_queue: JobQueue[Any]) -> None:
    """Replace any earlier dispatcher job; its first pass runs right after start."""
    for job in job_queue.get_jobs_by_name(JOB_NAME):
        job.schedule_removal()
    job_queue.run_repeating(
        dispatch_job,
        interval=DISPATCH_INTERVAL,
        first=0.5,
        name=JOB_NAME,
        job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
    )


def _verdict(db: Database, r: store.Reminder, now: datetime) -> tuple[str, str] | None:
    """Why a due row must not be sent (status, reason), or None to send it."""
    if not r.user_active:
        return "dropped", "user inactive"
    if r.kind == "pre_run":
        if now >= r.occurrence:
            return "dropped", "run started"
        window = max(QUIET_WINDOW, timedelta(minutes=r.remind_minutes or 0))
        if store.did_routine_since(db, r.user_id, ("pre_run", "full"), r.occurrence - window):
            return "skipped", "already warmed up"
        return None
    if now - r.due_at > POST_RUN_STALE:
        return "dropped", "stale"
    if store.did_routine_since(db, r.user_id, ("post_run", "full"), r.occurrence):
        return "skipped", "already stretched"
    return None


async def _deliver(svc: Services, bot: Bot, r: store.Reminder) -> int:
    now = svc.clock.now()
    verdict = _verdict(svc.db, r, now)
    if verdict is not None:
        store.settle(svc.db, r.id, *verdict, now)
        log.debug("reminder %s %s: %s", r.id, *verdict)
        return 0
    if not store.claim(svc.db, r.id, now):
        return 0
    late = now - r.due_at > LATE_AFTER
    settings = store.get_settings(svc.db, r.user_id)
    if r.kind == "pre_run":
        minutes = svc.catalogue.routine_minutes("pre_run")
        view = plan_views.pre_run_reminder(r.id, r.occurrence, now, settings.tz, minutes, late=late)
    else:
        minutes = svc.catalogue.routine_minutes("post_run")
        view = plan_views.post_run_reminder(r.id, minutes, can_later=r.snoozes < MAX_SNOOZES)
    message_id = await messaging.send(bot, svc.db, r.chat_id, view)
    if message_id is None:
        store.mark_failed(svc.db, r.id, svc.clock.now())
        return 0
    store.mark_sent(svc.db, r.id, message_id, late, svc.clock.now())
    return 1


# --- what handlers ask for --------------------------------------------------------------


def settings_of(svc: Services, user_id: int) -> store.Settings:
    return store.get_settings(svc.db, user_id)


def preview(svc: Services, rule: Rule, count: int = 3) -> list[datetime]:
    """The next runs of a rule, for the confirmation message."""
    return next_occurrences(rule, svc.clock.now(), count)


def create_plan(svc: Services, user_id: int, rule: Rule) -> list[datetime]:
    """Save a plan and its reminders at once; returns its next three runs."""
    now = svc.clock.now()
    with svc.db.atomic():
        plan_id = plan_store.insert_plan(svc.db, user_id, rule, now)
        rebuild_user(svc.db, user_id, now)
    log.info("user %s planned runs (plan %s)", user_id, plan_id)
    return next_occurrences(rule, now, 3)


@dataclass(frozen=True)
class RunsOverview:
    entries: list[plan_views.RunEntry]
    plans: list[tuple[int, Rule]]
    settings: store.Settings


def runs_overview(svc: Services, user_id: int, days: int = 7) -> RunsOverview:
    now = svc.clock.now()
    end = now + timedelta(days=days)
    entries: list[plan_views.RunEntry] = []
    plans = plan_store.user_plans(svc.db, user_id)
    for plan in plans:
        skips = plan_store.skipped(svc.db, plan.id, now, end)
        for run in occurrences(plan.rule, now, end):
            entries.append(
                plan_views.RunEntry(plan.id, run, plan.rule.duration_minutes, run in skips)
            )
    entries.sort(key=lambda e: e.start)
    return RunsOverview(
        entries, [(p.id, p.rule) for p in plans], store.get_settings(svc.db, user_id)
    )


def skip_run(svc: Services, user_id: int, plan_id: int, run: datetime) -> str:
    """Skip one run: no reminders for it and it does not count as planned."""
    plan = plan_store.get_plan(svc.db, plan_id)
    if plan is None or plan.user_id != user_id:
        return "That isn't your plan."
    if not plan.active:
        return "That plan was deleted."
    now = svc.clock.now()
    if run <= now or run not in occurrences(plan.rule, run, run + timedelta(seconds=1)):
        return "That run is not ahead any more."
    with svc.db.atomic():
        fresh = plan_store.add_skip(svc.db, plan_id, run, now)
        store.skip_occurrence(svc.db, plan_id, run, now)
    return "Skipped that run." if fresh else "Already skipped."


def delete_plan(svc: Services, user_id: int, plan_id: int) -> str:
    plan = plan_store.get_plan(svc.db, plan_id)
    if plan is None or plan.user_id != user_id:
        return "That isn't your plan."
    with svc.db.atomic():
        if not plan_store.deactivate_plan(svc.db, plan_id, svc.clock.now()):
            return "That plan was already deleted."
        store.delete_plan_pending(svc.db, plan_id)
    log.info("user %s deleted plan %s", user_id, plan_id)
    return "Plan deleted."


def change_zone(svc: Services, user_id: int, tz: str) -> int:
    """Set the zone; plans keep their wall time there. Returns how many plans moved."""
    now = svc.clock.now()
    with svc.db.atomic():
        plan_store.set_zone(svc.db, user_id, tz, now)
        rebuild_user(svc.db, user_id, now)
    return len(plan_store.user_plans(svc.db, user_id))


def change_remind(svc: Services, user_id: int, minutes: int | None) -> None:
    with svc.db.atomic():
        store.set_remind_minutes(svc.db, user_id, minutes)
        rebuild_user(svc.db, user_id, svc.clock.now())


def change_afterrun(svc: Services, user_id: int, minutes: int | None) -> None:
    with svc.db.atomic():
        store.set_afterrun_minutes(svc.db, user_id, minutes)
        rebuild_user(svc.db, user_id, svc.clock.now())


# --- reminder buttons -------------------------------------------------------------------

ACTIONS = {"pre_run": ("go", "snz", "skip"), "post_run": ("st", "later", "no")}


def parse_runs_data(data: str) -> tuple[str, int, datetime | None] | None:
    """`rn:s:<plan>:<epoch>` / `rn:d:<plan>` -> (action, plan id, run)."""
    parts = data.split(":")
    try:
        if len(parts) == 4 and parts[:2] == ["rn", "s"]:
            return "s", int(parts[2]), datetime.fromtimestamp(int(parts[3]), UTC)
        if len(parts) == 3 and parts[:2] == ["rn", "d"]:
            return "d", int(parts[2]), None
    except (ValueError, OverflowError, OSError):
        return None
    return None


async def press(
    svc: Services,
    bot: Bot,
    jq: JobQueue[Any],
    user_id: int,
    chat_id: int,
    message_id: int | None,
    data: str,
) -> str:
    """A reminder button `rm:<id>:<action>`; returns the callback answer."""
    parts = data.split(":")
    if len(parts) != 3 or not parts[1].isdigit():
        return "That button doesn't work any more."
    reminder = store.get_reminder(svc.db, int(parts[1]))
    action = parts[2]
    if reminder is None or reminder.user_id != user_id:
        return "That isn't your reminder."
    if action not in ACTIONS[reminder.kind]:
        return "That button doesn't work any more."
    if reminder.status != "sent" or reminder.response is not None:
        if message_id is not None:
            await messaging.strip_buttons(bot, chat_id, message_id)
        return "That reminder is done."
    now = svc.clock.now()
    if action in ("snz", "later"):
        return await _requeue(svc, bot, chat_id, message_id, reminder, action, now)
    if not store.respond(svc.db, reminder.id, action, now):
        return "That reminder is done."
    if message_id is not None:
        await messaging.strip_buttons(bot, chat_id, message_id)
    if action == "go":
        return await coach.begin(svc, bot, jq, user_id, chat_id, "pre_run") or "Warm-up!"
    if action == "st":
        return await coach.begin(svc, bot, jq, user_id, chat_id, "post_run") or "Stretch!"
    if action == "skip":
        with svc.db.atomic():
            plan_store.add_skip(svc.db, reminder.plan_id, reminder.occurrence, now)
            store.skip_occurrence(svc.db, reminder.plan_id, reminder.occurrence, now)
        return "Skipped this run. Rest well!"
    return "OK, not today."


async def _requeue(
    svc: Services,
    bot: Bot,
    chat_id: int,
    message_id: int | None,
    reminder: store.Reminder,
    action: str,
    now: datetime,
) -> str:
    """Snooze (pre-run, 10 min, never past the run) or Later (post-run, 30 min)."""
    if reminder.snoozes >= MAX_SNOOZES:
        return "No more snoozing for this one."
    if action == "snz":
        latest = reminder.occurrence - timedelta(minutes=1)
        due = min(now + SNOOZE, latest)
        if due <= now:
            return "Your run starts in a moment: no time to snooze."
    else:
        due = now + LATER
    if not store.requeue(svc.db, reminder.id, due, now):
        return "That reminder is done."
    if message_id is not None:
        await messaging.strip_buttons(bot, chat_id, message_id)
    minutes = round((due - now).total_seconds() / 60)
    return f"OK, again in {minutes} min."
