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
- **Weekly notes** from the coach are rows too (kind 'weekly', no plan), made and worded by
  bot.services.weekly and sent here like any other reminder.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database
from telegram import Bot
from telegram.ext import Application, ExtBot, JobQueue

from bot import storage, views
from bot.core.clock import from_db, to_db
from bot.core.localtime import local_instant
from bot.core.planning import Rule
from bot.core.text import N_, Msg
from bot.services import coach, session, weekly
from bot.services.state import Context, Services, services_of
from bot.transport import messaging
from bot.transport.ratelimit import HipcoachRateLimiter
from bot.views import callbacks

log = logging.getLogger(__name__)

JOB_NAME = "reminder-dispatch"
DISPATCH_INTERVAL = 5.0  # seconds: a reminder arrives within ~5 s of its due time
HORIZON = timedelta(days=8)
TOP_UP_WHEN_LEFT = timedelta(days=7)  # top a plan up once a day, not on every pass
TOP_UP_BATCH = 500
SEND_BATCH = 200  # rows read at once
MAX_HELD = 2000  # rows a pass holds in memory at once
SEND_CONCURRENCY = 4  # reminder sends in flight at once (see Outbox)
POLL = 0.5  # seconds: while sends are in flight, how often a pass looks for newly due rows
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

    Rows already sent, skipped or dropped keep their key, so nothing is sent twice. A
    snoozed reminder whose run is still there keeps its snooze (it is not sent again at
    once). The weekly note's row is made again too (none if the runner turned it off), so
    a new day, time or zone applies at once.
    """
    with db.atomic():
        snoozed = storage.reminders.snoozed(db, user_id, now)
        storage.reminders.delete_future_pending(db, user_id, now)
        storage.plans.reset_marks(db, user_id, now)
        settings = storage.users.get_settings(db, user_id)
        # A one-off plan of a past day has no reminders to make (one day's margin: zones).
        for plan in storage.plans.user_plans(db, user_id, since=now.date() - timedelta(days=1)):
            materialise(db, plan, settings, now, now + HORIZON, now)
        storage.reminders.restore_snoozes(db, snoozed)
        weekly.schedule(db, user_id, now)


def top_up(db: Database, now: datetime) -> int:
    """Extend plans whose rows end within `TOP_UP_WHEN_LEFT`, and give runners whose weekly
    note has come their next one; returns how many plans and runners."""
    plans = storage.plans.plans_to_top_up(db, now + TOP_UP_WHEN_LEFT, TOP_UP_BATCH)
    with db.atomic():
        for plan in plans:
            settings = storage.users.get_settings(db, plan.user_id)
            start = max(from_db(plan.materialised_until), now)
            materialise(db, plan, settings, start, now + HORIZON, now)
    return len(plans) + weekly.top_up(db, now)


# --- dispatching ------------------------------------------------------------------------

OUTBOX_KEY = "hipcoach.reminder-outbox"  # the running pass's Outbox, in bot_data


async def run_dispatch_pass(application: Application[Any, Any, Any, Any, Any, Any]) -> int:
    """Top up, then send what is due, and what falls due meanwhile, until nothing is left;
    returns how many reminders were sent."""
    svc = services_of(application)
    async with svc.dispatch_lock:
        outbox = Outbox(svc, application.bot, lambda: application.running)
        application.bot_data[OUTBOX_KEY] = outbox
        try:
            await outbox.run()
        finally:
            del application.bot_data[OUTBOX_KEY]
            await outbox.close()
    return outbox.sent


def stop_sends(application: Application[Any, Any, Any, Any, Any, Any], user_id: int) -> None:
    """Cancel the user's reminders on their way out (/deleteme, before the rows go)."""
    outbox = application.bot_data.get(OUTBOX_KEY)
    if isinstance(outbox, Outbox):
        outbox.stop(user_id)


class Outbox:
    """One pass's reminders, with one sender task per runner (their private chat).

    - **Fair:** a sender sends its chat's reminders in due order. Before each it waits for
      the chat's own pacing (about one a second) holding nothing shared, and only then takes
      one of the `SEND_CONCURRENCY` send slots; so a chat with many reminders due never
      holds back another chat's.
    - **Live:** while sends are in flight the pass looks for newly due rows every `POLL`
      seconds (of runners not already being served), so a reminder falling due while
      another chat is being paced goes out at once.
    - **At most once, little at risk:** inside its slot, right before the send, a row is
      read again and claimed, so a crash costs at most the SEND_CONCURRENCY sends in flight
      and a row deleted or changed while it waited is never sent.
    - **Bounded:** at most `MAX_HELD` rows are held in memory at once.
    - **Quick to stop:** once the application stops, no new row is claimed (the rest stay
      pending for the next start), so shutdown waits only for the sends in flight.
    """

    def __init__(self, svc: Services, bot: Bot, live: Callable[[], bool]) -> None:
        self.svc = svc
        self.bot = bot
        self.live = live
        self.gate = asyncio.Semaphore(SEND_CONCURRENCY)
        self.senders: dict[int, asyncio.Task[None]] = {}  # user id -> their sender
        self.held = 0  # rows read and not handled yet
        self.sent = 0
        self.error: Exception | None = None
        self._idle = asyncio.Event()
        self._idle.set()

    async def run(self) -> None:
        """Until nothing is due and no sender is left; then raise the first error, if any."""
        loop = asyncio.get_running_loop()
        topped_up = -DISPATCH_INTERVAL
        while True:
            if loop.time() - topped_up >= DISPATCH_INTERVAL:
                top_up(self.svc.db, self.svc.clock.now())
                topped_up = loop.time()
            if self.error is None and self.live():
                self._fill()
            if not self.senders:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), POLL)
        if self.error is not None:
            raise self.error

    def _fill(self) -> None:
        """Start a sender for each runner with rows due who has none yet."""
        while self.held < MAX_HELD:
            limit = min(SEND_BATCH, MAX_HELD - self.held)
            rows = storage.reminders.due(
                self.svc.db,
                self.svc.clock.now(),
                limit,
                self.svc.only_users,
                skip_users=list(self.senders),
            )
            mine: dict[int, deque[storage.reminders.Reminder]] = {}
            for row in rows:
                mine.setdefault(row.user_id, deque()).append(row)
            for user_id, queue in mine.items():
                self.held += len(queue)
                sender = asyncio.create_task(self._send_all(queue), name=f"reminders:{user_id}")
                # A callback, not a `finally`: it runs even if cancelled before it started.
                sender.add_done_callback(functools.partial(self._finished, user_id, queue))
                self.senders[user_id] = sender
                self._idle.clear()
            if len(rows) < limit:
                return

    async def _send_all(self, queue: deque[storage.reminders.Reminder]) -> None:
        """One runner's reminders, in due order; after an error elsewhere, stop."""
        while queue and self.error is None and self.live():
            reminder = queue.popleft()
            self.held -= 1
            try:
                self.sent += await self._send_one(reminder)
            except Exception as exc:  # the pass raises it once the other senders are done
                self.error = self.error or exc

    def _finished(
        self, user_id: int, queue: deque[storage.reminders.Reminder], _: asyncio.Task[None]
    ) -> None:
        self.held -= len(queue)
        del self.senders[user_id]
        if not self.senders:
            self._idle.set()

    async def _send_one(self, reminder: storage.reminders.Reminder) -> int:
        """Wait for the chat's pacing first, then send in one of the shared slots."""
        limiter = self.bot.rate_limiter if isinstance(self.bot, ExtBot) else None
        paced = limiter if isinstance(limiter, HipcoachRateLimiter) else None
        while True:
            if paced is not None:
                await paced.until_chat_free(reminder.chat_id)
            async with self.gate:
                if not self.live():
                    return 0
                # Someone else may have used the chat's budget meanwhile: wait again, freely.
                if paced is None or paced.chat_free(reminder.chat_id):
                    return await _deliver(self.svc, self.bot, reminder.id)

    def stop(self, user_id: int) -> None:
        sender = self.senders.get(user_id)
        if sender is not None:
            sender.cancel()

    async def close(self) -> None:
        """Cancel any sender still running (the pass itself was cancelled, at shutdown)."""
        senders = list(self.senders.values())
        for sender in senders:
            sender.cancel()
        await asyncio.gather(*senders, return_exceptions=True)


async def dispatch_job(context: Context) -> None:
    """The one repeating JobQueue job (`reminder-dispatch`).

    A pass goes on while anything is due or in flight (ticks are skipped meanwhile), so a
    backlog is sent without waiting for the next tick.
    """
    sent = await run_dispatch_pass(context.application)
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
    if r.kind == "weekly":
        return weekly.verdict(db, r, now)
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


async def _deliver(svc: Services, bot: Bot, reminder_id: int) -> int:
    """Read the row again, then settle it, or claim and send it.

    Called once the chat's pacing allows a send, with no await between the read and the
    claim: a row changed or deleted while it waited is never sent. /deleteme also cancels
    a send still inside Telegram's client (`stop_sends`).
    """
    r = storage.reminders.pending(svc.db, reminder_id)
    if r is None:
        return 0
    now = svc.clock.now()
    verdict = _verdict(svc.db, r, now)
    if verdict is not None:
        storage.reminders.settle(svc.db, r.id, *verdict, now)
        log.debug("reminder %s %s: %s", r.id, *verdict)
        return 0
    if not storage.reminders.claim(svc.db, r.id, now):
        return 0
    late = now - r.due_at > LATE_AFTER
    t = svc.t(r.user_id)  # the runner's language now, not when the row was made
    if r.kind == "weekly":
        view = await weekly.note(svc, t, r, now)
    else:  # the routine's minutes at the runner's own doses
        routine = "pre_run" if r.kind == "pre_run" else "post_run"
        minutes = coach.minutes_of(svc, r.user_id, routine)
        if r.kind == "pre_run":
            view = views.plans.pre_run_reminder(
                t, r.id, r.occurrence, now, r.tz, minutes, late=late
            )
        else:
            view = views.plans.post_run_reminder(
                t, r.id, minutes, can_later=r.snoozes < MAX_SNOOZES
            )
    message_id = await messaging.send(bot, svc.db, r.chat_id, view)
    if message_id is None:
        storage.reminders.mark_failed(svc.db, r.id, svc.clock.now())
        return 0
    storage.reminders.mark_sent(svc.db, r.id, message_id, late, svc.clock.now())
    return 1


# --- reminder buttons -------------------------------------------------------------------

ACTIONS = {"pre_run": ("go", "snz", "skip"), "post_run": ("st", "later", "no"), "weekly": ()}
# The answers to reminder buttons, worded in the presser's language by `press`.
NOT_YOURS = N_("That isn't your reminder.")
DONE = N_("That reminder is done.")
WARM_UP = N_("Warm-up!")
STRETCH = N_("Stretch!")
SKIPPED = N_("Skipped this run. Rest well!")
NOT_TODAY = N_("OK, not today.")
NO_MORE_SNOOZES = N_("No more snoozing for this one.")
NO_TIME_TO_SNOOZE = N_("Your run starts in a moment: no time to snooze.")


async def press(
    svc: Services, bot: Bot, user_id: int, chat_id: int, message_id: int | None, data: str
) -> str:
    """A reminder button `rm:<id>:<action>`; returns the callback answer, worded in the
    presser's language."""
    answer = await _press(svc, bot, user_id, chat_id, message_id, data)
    return answer if isinstance(answer, str) else svc.t(user_id).msg(answer)


async def _press(
    svc: Services, bot: Bot, user_id: int, chat_id: int, message_id: int | None, data: str
) -> str | Msg:
    """What the button does; a str answer is already worded (the routine's own)."""
    parsed = callbacks.parse_reminder_button(data)
    if parsed is None:
        return views.base.OLD_BUTTON
    reminder_id, action = parsed
    reminder = storage.reminders.get_reminder(svc.db, reminder_id)
    if reminder is None or reminder.user_id != user_id:
        return NOT_YOURS
    if action not in ACTIONS[reminder.kind]:
        return views.base.OLD_BUTTON
    if reminder.status != "sent" or reminder.response is not None:
        if message_id is not None:
            await messaging.strip_buttons(bot, chat_id, message_id)
        return DONE
    now = svc.clock.now()
    if action in ("snz", "later"):
        return await _requeue(svc, bot, chat_id, message_id, reminder, action, now)
    # The answer and what it means commit together: a crash in between would leave the
    # buttons dead with the run still planned.
    with svc.db.atomic():
        answered = storage.reminders.respond(svc.db, reminder.id, action, now)
        if answered and action == "skip" and reminder.plan_id is not None:
            storage.plans.add_skip(svc.db, reminder.plan_id, reminder.occurrence, now)
            storage.reminders.skip_occurrence(svc.db, reminder.plan_id, reminder.occurrence, now)
    if not answered:
        return DONE
    if message_id is not None:
        await messaging.strip_buttons(bot, chat_id, message_id)
    if action == "go":  # a late or snoozed reminder: the warm-up fits the time left
        left = reminder.occurrence - now
        return await session.begin(svc, bot, user_id, chat_id, "pre_run", left=left) or WARM_UP
    if action == "st":
        return await session.begin(svc, bot, user_id, chat_id, "post_run") or STRETCH
    if action == "skip":
        return SKIPPED
    return NOT_TODAY


async def _requeue(
    svc: Services,
    bot: Bot,
    chat_id: int,
    message_id: int | None,
    reminder: storage.reminders.Reminder,
    action: str,
    now: datetime,
) -> Msg:
    """Snooze (pre-run, 10 min, never past the run) or Later (post-run, 30 min)."""
    if reminder.snoozes >= MAX_SNOOZES:
        return NO_MORE_SNOOZES
    if action == "snz":
        latest = reminder.occurrence - timedelta(minutes=1)
        due = min(now + SNOOZE, latest)
        if due <= now:
            return NO_TIME_TO_SNOOZE
    else:
        due = now + LATER
    if not storage.reminders.requeue(svc.db, reminder.id, due, now):
        return DONE
    if message_id is not None:
        await messaging.strip_buttons(bot, chat_id, message_id)
    minutes = round((due - now).total_seconds() / 60)
    # Translators: the answer to Snooze or Later: the reminder comes back in {minutes}.
    return N_("OK, again in {minutes} min.", minutes=minutes)
