"""The guided session, wired to storage, Telegram and timers.

Handlers and timer jobs call these functions; each one loads the session, asks the pure
engine what happens next, commits that (cursor and any sets) and only then talks to the
runner. The stored `rev` makes stale buttons and late timers harmless.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Bot
from telegram.ext import CallbackContext, JobQueue

from bot import messaging, timers, views
from bot.engine import Invalid, Outcome
from bot.services import Services, services
from bot.storage import sessions as store
from bot.storage.users import user_tz

log = logging.getLogger(__name__)

# Transitions that keep the same live message (edited silently) instead of a new one.
IN_PLACE = {"paused", "resumed", "go"}
ANSWERS = {
    "set_done": "Saved ✓",
    "paced_done": "",
    "paused": "Paused",
    "resumed": "Go!",
    "pain": "Noted. Take care.",
    "set_skipped": "Skipped",
    "skipped_exercise": "Skipped",
    "rated": "Thanks!",
}


@dataclass(frozen=True)
class SessionData:
    session_id: int
    rev: int
    action: str
    arg: int | str | None


def parse_session_data(data: str, prefix: str = "r") -> SessionData | None:
    """`r:<session>:<rev>:<action>[:<arg>]` -> SessionData; None for anything malformed."""
    parts = data.split(":")
    if len(parts) not in (4, 5) or parts[0] != prefix:
        return None
    try:
        session_id, rev = int(parts[1]), int(parts[2])
    except ValueError:
        return None
    arg: int | str | None = None
    if len(parts) == 5:
        arg = int(parts[4]) if parts[4].isdigit() else parts[4]
    return SessionData(session_id, rev, parts[3], arg)


# --- opening a routine -----------------------------------------------------------------


async def open_menu(svc: Services, bot: Bot, user_id: int, chat_id: int) -> None:
    """/routine: offer to continue an unfinished session, else the routine menu."""
    session = store.active_session(svc.db, user_id)
    if session is not None:
        routine = svc.routine(session.routine)
        view = views.continue_prompt(
            routine, session.id, session.rev, session.cursor, interrupted=False
        )
    else:
        view = views.menu(svc.catalogue)
    await messaging.send(bot, svc.db, chat_id, view)


async def begin(
    svc: Services, bot: Bot, jq: JobQueue[Any], user_id: int, chat_id: int, routine_id: str
) -> str:
    """Start a routine (unless one is active: then offer to continue it)."""
    if routine_id not in svc.catalogue.routines:
        return "That routine no longer exists."
    if store.active_session(svc.db, user_id) is not None:
        await open_menu(svc, bot, user_id, chat_id)
        return "You have a routine in progress."
    routine = svc.routine(routine_id)
    now = svc.clock.now()
    session = store.start_session(svc.db, user_id, chat_id, routine_id, routine.start(now), now)
    log.info("user %s started session %s (%s)", user_id, session.id, routine_id)
    await _show(svc, bot, jq, session, note=None)
    return ""


# --- moving a session on ---------------------------------------------------------------


async def press(
    svc: Services, bot: Bot, jq: JobQueue[Any], user_id: int, message_id: int | None, data: str
) -> str:
    """A button in a session message; returns the text for the callback answer."""
    parsed = parse_session_data(data)
    if parsed is None:
        return "That button doesn't work any more."
    session = store.get_session(svc.db, parsed.session_id)
    if session is None or session.user_id != user_id:
        return "That isn't your session."
    if not session.active:
        if message_id is not None:
            await messaging.strip_buttons(bot, session.chat_id, message_id)
        return "That session is over."
    if parsed.rev != session.rev:
        return "That button is out of date."
    routine = svc.routine(session.routine)
    now = svc.clock.now()
    if parsed.action in ("fewer", "back") and session.cursor.phase == "confirm" and message_id:
        view = views.session_view(
            routine, session.id, session.rev, session.cursor, now, picker=parsed.action == "fewer"
        )
        await messaging.edit_buttons(bot, session.chat_id, message_id, view)
        return "How many did you do?" if parsed.action == "fewer" else ""
    outcome = routine.press(session.cursor, parsed.action, parsed.arg, now)
    if isinstance(outcome, Invalid):
        return "That button is out of date."
    if not await advance(svc, bot, jq, session, outcome, pressed=message_id):
        return "That button is out of date."
    return ANSWERS.get(outcome.note or "", "")


async def advance(
    svc: Services,
    bot: Bot,
    jq: JobQueue[Any],
    session: store.Session,
    outcome: Outcome,
    *,
    pressed: int | None = None,
) -> bool:
    """Commit an outcome, then show it. False if the session had already moved on."""
    now = svc.clock.now()
    updated = store.apply_outcome(svc.db, session, outcome, now)
    if updated is None:
        return False
    if outcome.sets:
        log.info(
            "user %s session %s recorded %s",
            session.user_id,
            session.id,
            ", ".join(f"{s.exercise}/{s.side}/{s.set_no}" for s in outcome.sets),
        )
    in_place = outcome.note in IN_PLACE and updated.status == "active"
    old = {session.live_message_id, pressed} - {None}
    if in_place and session.live_message_id is not None:
        old.discard(session.live_message_id)
    closed = views.closed_view(svc.routine(session.routine), session.cursor, outcome)
    # Closing the old message is tidying up: under load it gives way to the next step.
    for message_id in old:
        if closed is not None and message_id == session.live_message_id:
            await messaging.edit(bot, session.chat_id, message_id, closed, droppable=True)
        else:
            await messaging.strip_buttons(bot, session.chat_id, message_id, droppable=True)
    if updated.status != "active":
        timers.cancel_timer(jq, session.chat_id)
        store.set_live_message(svc.db, session.id, None)
        await send_summary(svc, bot, updated, note=outcome.note)
        log.info("session %s ended: %s", session.id, updated.status)
        return True
    if in_place and session.live_message_id is not None:
        updated = _with_live(updated, session.live_message_id)
        await _refresh(svc, bot, updated)
        _schedule(svc, jq, updated)
        return True
    await _show(svc, bot, jq, updated, note=outcome.note)
    return True


def _with_live(session: store.Session, message_id: int) -> store.Session:
    return replace(session, live_message_id=message_id)


async def _show(
    svc: Services, bot: Bot, jq: JobQueue[Any], session: store.Session, note: str | None
) -> None:
    """Send the session's current step as a new (notifying) message and arm its timer."""
    routine = svc.routine(session.routine)
    view = views.session_view(
        routine, session.id, session.rev, session.cursor, svc.clock.now(), note=note
    )
    message_id = await messaging.send(bot, svc.db, session.chat_id, view)
    store.set_live_message(svc.db, session.id, message_id)
    if message_id is not None:
        session = _with_live(session, message_id)
    _schedule(svc, jq, session)


async def _refresh(svc: Services, bot: Bot, session: store.Session, *, tick: bool = False) -> None:
    """Redraw the live message in place: a silent edit. Countdown ticks may be dropped."""
    if session.live_message_id is None:
        return
    routine = svc.routine(session.routine)
    view = views.session_view(routine, session.id, session.rev, session.cursor, svc.clock.now())
    await messaging.edit(bot, session.chat_id, session.live_message_id, view, droppable=tick)


def _schedule(svc: Services, jq: JobQueue[Any], session: store.Session) -> None:
    cursor = session.cursor
    if not cursor.running or cursor.ends_at is None:
        timers.cancel_timer(jq, session.chat_id)
        return
    remaining = max(0.0, (cursor.ends_at - svc.clock.now()).total_seconds())
    step_real = timers.COUNTDOWN_STEP * svc.config.time_scale
    routine = svc.routine(session.routine)
    step = routine.step(cursor)
    if step is not None and cursor.phase == "work" and step.exercise.dose.kind == "paced":
        dose = step.exercise.dose
        step_real = ((dose.hold_seconds or 0) + dose.lower_seconds) * svc.config.time_scale
    delay = timers.next_wake(remaining, step_real)
    timers.schedule_timer(jq, on_timer, session.chat_id, delay, session.id, session.rev)


async def on_timer(context: CallbackContext[Any, Any, Any, Any]) -> None:
    """JobQueue callback: finish the phase if due, else redraw the countdown."""
    svc = services(context)
    assert context.job is not None
    session_id, rev = context.job.data
    session = store.get_session(svc.db, session_id)
    if session is None or not session.active or session.rev != rev:
        return
    routine = svc.routine(session.routine)
    outcome = routine.expire(session.cursor, svc.clock.now())
    if outcome is None:
        await _refresh(svc, context.bot, session, tick=True)
        _schedule(svc, context.job_queue, session)
        return
    await advance(svc, context.bot, context.job_queue, session, outcome)


# --- continue, start over, end ---------------------------------------------------------


async def resume_choice(
    svc: Services, bot: Bot, jq: JobQueue[Any], user_id: int, message_id: int | None, data: str
) -> str:
    """The buttons of a 'continue where you left off?' prompt."""
    parsed = parse_session_data(data, prefix="c")
    if parsed is None:
        return "That button doesn't work any more."
    session = store.get_session(svc.db, parsed.session_id)
    if session is None or session.user_id != user_id:
        return "That isn't your session."
    if message_id is not None:
        await messaging.strip_buttons(bot, session.chat_id, message_id)
    if not session.active:
        return "That session is over."
    if parsed.rev != session.rev:
        return "That button is out of date."
    now = svc.clock.now()
    routine = svc.routine(session.routine)
    if parsed.action == "go":
        outcome = Outcome(routine.restart_phase(session.cursor, now), note="continued")
        await advance(svc, bot, jq, session, outcome)
        return "Let's go!"
    if parsed.action in ("new", "end"):
        await end(svc, bot, jq, session, store.early_end_status(svc.db, session.id))
        if parsed.action == "new":
            await messaging.send(bot, svc.db, session.chat_id, views.menu(svc.catalogue))
        return "Ended"
    return "That button doesn't work any more."


async def end(
    svc: Services,
    bot: Bot,
    jq: JobQueue[Any],
    session: store.Session,
    status: store.Status,
    note: str | None = None,
) -> bool:
    """Close a session from outside the flow (cancel, start over, idle), with a summary."""
    if not store.end_session(svc.db, session, status, svc.clock.now()):
        return False
    timers.cancel_timer(jq, session.chat_id)
    if session.live_message_id is not None:
        await messaging.strip_buttons(bot, session.chat_id, session.live_message_id)
    store.set_live_message(svc.db, session.id, None)
    ended = store.get_session(svc.db, session.id)
    assert ended is not None
    await send_summary(svc, bot, ended, note=note)
    log.info("session %s ended: %s%s", session.id, status, f" ({note})" if note else "")
    return True


async def cancel(svc: Services, bot: Bot, jq: JobQueue[Any], user_id: int) -> bool:
    """/cancel: stop the active routine, keeping what was done."""
    session = store.active_session(svc.db, user_id)
    if session is None:
        return False
    return await end(svc, bot, jq, session, store.early_end_status(svc.db, session.id))


# --- summaries -------------------------------------------------------------------------


def week_start(now: datetime, tz: str) -> datetime:
    """Monday 00:00 of this week in the user's zone, as a UTC instant."""
    local = now.astimezone(ZoneInfo(tz))
    monday = (local - timedelta(days=local.weekday())).date()
    return datetime.combine(monday, datetime.min.time(), ZoneInfo(tz))


def build_summary(svc: Services, session: store.Session) -> views.Summary:
    routine = svc.routine(session.routine)
    names = {e.id: e.name for e in svc.catalogue.exercises.values()}
    skipped: list[str] = []
    for row in store.session_skips(svc.db, session.id):
        name = names.get(row["exercise"], row["exercise"])
        if row["set_no"] is None:
            skipped.append(name)
        elif row["reason"] == "skipped":
            skipped.append(f"{name} set {row['set_no']} {row['side'] or ''}".strip())
    feedback = store.session_feedback(svc.db, session.id)
    pain = [names.get(e, e) for e, r in feedback.items() if r == "pain"]
    ended = session.ended_at or svc.clock.now()
    now = svc.clock.now()
    return views.Summary(
        routine_name=routine.routine.name,
        status=session.status,
        sets_done=len(store.session_sets(svc.db, session.id)),
        sets_planned=len(routine.set_steps()),
        minutes=(ended - session.started_at).total_seconds() / 60,
        skipped=skipped,
        pain=pain,
        completed_this_week=store.completed_since(
            svc.db, session.user_id, week_start(now, user_tz(svc.db, session.user_id))
        ),
    )


async def send_summary(
    svc: Services, bot: Bot, session: store.Session, note: str | None = None
) -> None:
    await messaging.send(
        bot, svc.db, session.chat_id, views.summary(build_summary(svc, session), note)
    )


# --- after a restart, and idle sessions ------------------------------------------------


async def recover_sessions(context: CallbackContext[Any, Any, Any, Any]) -> None:
    """On start: sessions whose timer was running when the process died are offered back."""
    svc = services(context)
    count = 0
    for session in store.active_sessions(svc.db):
        if not session.cursor.running or not svc.serves(session.user_id):
            continue
        routine = svc.routine(session.routine)
        updated = store.apply_outcome(
            svc.db,
            session,
            Outcome(routine.interrupt(session.cursor), note="interrupted"),
            svc.clock.now(),
        )
        if updated is None:
            continue
        if session.live_message_id is not None:
            await messaging.strip_buttons(context.bot, session.chat_id, session.live_message_id)
        view = views.continue_prompt(
            routine, updated.id, updated.rev, updated.cursor, interrupted=True
        )
        message_id = await messaging.send(context.bot, svc.db, session.chat_id, view)
        store.set_live_message(svc.db, session.id, message_id)
        count += 1
    if count:
        log.info("offered %s interrupted session(s) back to their runners", count)


async def sweep_idle(context: CallbackContext[Any, Any, Any, Any]) -> None:
    """Close sessions nobody has touched for HIPCOACH_IDLE_TIMEOUT; their sets stay."""
    svc = services(context)
    cutoff = svc.clock.now() - timedelta(minutes=svc.config.idle_timeout_minutes)
    for session in store.idle_sessions(svc.db, cutoff):
        if not svc.serves(session.user_id):
            continue
        status = store.early_end_status(svc.db, session.id)
        await end(svc, context.bot, context.job_queue, session, status, note="idle")
