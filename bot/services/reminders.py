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
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database
from telegram import Bot
from telegram.ext import Application, JobQueue

from bot import storage, views
from bot.core.clock import from_db, to_db
from bot.core.planning import Rule, local_instant
from bot.services import session
from bot.services.state import Context, Services, services_of
from bot.transport import messaging
from bot.views import callbacks

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


# --- materialising ----------------------------------------------------------------------


def materialise(
    db: Database,
    plan: storage.plans.Plan,
    settings: storage.users.Settings,
    start: datetime,
    until: datetime,
    now: datetime,
) -> None:
    """Insert the plan's reminder rows for runs in [start, until) (existing keys kept)."""
    for run in storage.plans.plan_runs(db, plan, start, until):
        if settings.remind_minutes is not None and run > now:
            due = max(run - timedelta(minutes=settings.remind_minutes), now)
            storage.reminders.insert_reminder(db, plan.user_id, plan.id, run, "pre_run", due, now)
        if settings.afterrun_minutes is not None:
            end = run + timedelta(minutes=plan.rule.duration_minutes + settings.afterrun_minutes)
            storage.reminders.insert_reminder(db, plan.user_id, plan.id, run, "post_run", end, now)
    storage.plans.set_mark(db, plan.id, _mark(plan.rule, until))


def _mark(rule: Rule, until: datetime) -> str:
    """How far a plan is materialised; a one-off already covered never needs topping up."""
    if rule.on is not None and local_instant(rule.on, rule.at, rule.tz) < until:
        return storage.plans.FOREVER
    return to_db(until)


def rebuild_user(db: Database, user_id: int, now: datetime) -> None:
    """Rebuild every future pending reminder of the user from their plans and settings.

    Rows already sent, skipped or dropped keep their key, so nothing is sent twice.
    """
    with db.atomic():
        storage.reminders.delete_future_pending(db, user_id, now)
        storage.plans.reset_marks(db, user_id, now)
        settings = storage.users.get_settings(db, user_id)
        for plan in storage.plans.user_plans(db, user_id):
            materialise(db, plan, settings, now, now + HORIZON, now)


def top_up(db: Database, now: datetime) -> int:
    """Extend plans whose rows end within `TOP_UP_WHEN_LEFT`; returns how many."""
    plans = storage.plans.plans_to_top_up(db, now + TOP_UP_WHEN_LEFT, TOP_UP_BATCH)
    with db.atomic():
        for plan in plans:
            settings = storage.users.get_settings(db, plan.user_id)
            start = max(from_db(plan.materialised_until), now)
            materialise(db, plan, settings, start, now + HORIZON, now)
    return len(plans)


# --- dispatching ------------------------------------------------------------------------


async def run_dispatch_pass(application: Application[Any, Any, Any, Any, Any, Any]) -> int:
    """One pass now: top up, send what is due; returns how many reminders were sent."""
    svc = services_of(application)
    sent = 0
    async with svc.dispatch_lock:
        top_up(svc.db, svc.clock.now())
        handled = 0
        while handled < MAX_PER_PASS:
            batch = storage.reminders.due(svc.db, svc.clock.now(), SEND_BATCH, svc.only_users)
            if not batch:
                break
            sent += await _deliver_batch(svc, application.bot, batch)
            handled += len(batch)
    return sent


async def _deliver_batch(svc: Services, bot: Bot, batch: list[storage.reminders.Reminder]) -> int:
    """Deliver a batch with a few sends in flight, oldest first.

    One at a time, the network round trip would set the pace (50 ms caps delivery at 20/s,
    under Telegram's 30/s); a few in flight let the rate limiter set it. Each row is
    claimed before its send, so overlap cannot duplicate one; a crash mid-send costs at
    most the SEND_CONCURRENCY reminders in flight. Every delivery runs to its end before
    an error is raised, so no claimed row is abandoned half-way.
    """
    gate = asyncio.Semaphore(SEND_CONCURRENCY)

    async def one(reminder: storage.reminders.Reminder) -> int:
        async with gate:
            return await _deliver(svc, bot, reminder)

    results = await asyncio.gather(*(one(r) for r in batch), return_exceptions=True)
    sent = 0
    for result in results:
        if isinstance(result, BaseException):
            raise result
        sent += result
    return sent


async def dispatch_job(context: Context) -> None:
    """The one repeating JobQueue job (`reminder-dispatch`).

    A pass stops after MAX_PER_PASS; while more is due, the next pass follows at once
    instead of at a later tick (ticks are skipped while a long pass runs).
    """
    svc = context.svc
    sent = await run_dispatch_pass(context.application)
    while storage.reminders.due(svc.db, svc.clock.now(), 1, svc.only_users):
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


def _verdict(db: Database, r: storage.reminders.Reminder, now: datetime) -> tuple[str, str] | None:
    """Why a due row must not be sent (status, reason), or None to send it."""
    if not r.user_active:
        return "dropped", "user inactive"
    if r.kind == "pre_run":
        if now >= r.occurrence:
            return "dropped", "run started"
        window = max(QUIET_WINDOW, timedelta(minutes=r.remind_minutes or 0))
        if storage.reminders.did_routine_since(
            db, r.user_id, ("pre_run", "full"), r.occurrence - window
        ):
            return "skipped", "already warmed up"
        return None
    if now - r.due_at > POST_RUN_STALE:
        return "dropped", "stale"
    if storage.reminders.did_routine_since(db, r.user_id, ("post_run", "full"), r.occurrence):
        return "skipped", "already stretched"
    return None


async def _deliver(svc: Services, bot: Bot, r: storage.reminders.Reminder) -> int:
    now = svc.clock.now()
    verdict = _verdict(svc.db, r, now)
    if verdict is not None:
        storage.reminders.settle(svc.db, r.id, *verdict, now)
        log.debug("reminder %s %s: %s", r.id, *verdict)
        return 0
    if not storage.reminders.claim(svc.db, r.id, now):
        return 0
    late = now - r.due_at > LATE_AFTER
    settings = storage.users.get_settings(svc.db, r.user_id)
    if r.kind == "pre_run":
        minutes = svc.catalogue.routine_minutes("pre_run")
        view = views.plans.pre_run_reminder(
            r.id, r.occurrence, now, settings.tz, minutes, late=late
        )
    else:
        minutes = svc.catalogue.routine_minutes("post_run")
        view = views.plans.post_run_reminder(r.id, minutes, can_later=r.snoozes < MAX_SNOOZES)
    message_id = await messaging.send(bot, svc.db, r.chat_id, view)
    if message_id is None:
        storage.reminders.mark_failed(svc.db, r.id, svc.clock.now())
        return 0
    storage.reminders.mark_sent(svc.db, r.id, message_id, late, svc.clock.now())
    return 1


# --- reminder buttons -------------------------------------------------------------------

ACTIONS = {"pre_run": ("go", "snz", "skip"), "post_run": ("st", "later", "no")}


async def press(
    svc: Services, bot: Bot, user_id: int, chat_id: int, message_id: int | None, data: str
) -> str:
    """A reminder button `rm:<id>:<action>`; returns the callback answer."""
    parsed = callbacks.parse_reminder_button(data)
    if parsed is None:
        return "That button doesn't work any more."
    reminder_id, action = parsed
    reminder = storage.reminders.get_reminder(svc.db, reminder_id)
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
    if not storage.reminders.respond(svc.db, reminder.id, action, now):
        return "That reminder is done."
    if message_id is not None:
        await messaging.strip_buttons(bot, chat_id, message_id)
    if action == "go":
        return await session.begin(svc, bot, user_id, chat_id, "pre_run") or "Warm-up!"
    if action == "st":
        return await session.begin(svc, bot, user_id, chat_id, "post_run") or "Stretch!"
    if action == "skip":
        with svc.db.atomic():
            storage.plans.add_skip(svc.db, reminder.plan_id, reminder.occurrence, now)
            storage.reminders.skip_occurrence(svc.db, reminder.plan_id, reminder.occurrence, now)
        return "Skipped this run. Rest well!"
    return "OK, not today."


async def _requeue(
    svc: Services,
    bot: Bot,
    chat_id: int,
    message_id: int | None,
    reminder: storage.reminders.Reminder,
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
    if not storage.reminders.requeue(svc.db, reminder.id, due, now):
        return "That reminder is done."
    if message_id is not None:
        await messaging.strip_buttons(bot, chat_id, message_id)
    minutes = round((due - now).total_seconds() / 60)
    return f"OK, again in {minutes} min."
