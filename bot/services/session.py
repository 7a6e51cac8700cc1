"""The guided session use case: open, move on, time, end, recover.

Handlers and timer jobs call these functions; each one loads the session, asks the pure
engine what happens next, commits that (cursor and any sets) and only then talks to the
runner. The stored `rev` makes stale buttons and late timers harmless.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from telegram import Bot

from bot import storage, views
from bot.core import dosing
from bot.core.engine import Invalid, Outcome, Walkthrough
from bot.core.language import SOURCE
from bot.core.localtime import week_start
from bot.core.text import N_, Msg
from bot.services import coach
from bot.services.state import Context, Services
from bot.storage.sessions import Session
from bot.transport import messaging, timers
from bot.views import callbacks
from bot.views.base import OLD_BUTTON, OUT_OF_DATE, SAVED, View
from bot.views.i18n import Translator

log = logging.getLogger(__name__)

# Transitions that keep the same live message (edited silently) instead of a new one.
IN_PLACE = {"paused", "resumed", "go", "asked"}
# A check-in after a session is taken this long after it ends.
CHECKIN_AFTER_HOURS = 12
# The short answer a button press gets (Telegram's toast), by what the press did.
ANSWERS: dict[str, Msg] = {
    "set_done": SAVED,
    "paused": N_("Paused"),
    "resumed": N_("Go!"),
    "pain": N_("Noted. Take care."),
    "set_skipped": N_("Skipped"),
    "skipped_exercise": N_("Skipped"),
    "rated": N_("Thanks!"),
    "asked": N_("Thanks!"),
    "stepped": N_("New dose saved"),
    "check_yes": N_("Nice!"),
    "check_nq": N_("I'll put it first next time."),
    "pain_paused": N_("Noted. Take care."),
}
NOT_YOURS = N_("That isn't your session.")
OVER = N_("That session is over.")
NO_SUCH_ROUTINE = N_("That routine no longer exists.")
IN_PROGRESS = N_("You have a routine in progress.")
HOW_MANY = N_("How many did you do?")
LETS_GO = N_("Let's go!")
# `/routine 5` trims this routine (all three exercises) to the minutes given.
FIT_ROUTINE = "full"
ENDED = N_("Ended")


# --- opening a routine -----------------------------------------------------------------


async def open_menu(svc: Services, bot: Bot, user_id: int, chat_id: int) -> None:
    """/routine: offer to continue an unfinished session, else the routine menu."""
    session = storage.sessions.active_session(svc.db, user_id)
    await messaging.send(bot, svc.db, chat_id, _menu(svc, user_id, session, svc.t(user_id)))


def _menu(svc: Services, user_id: int, active: Session | None, t: Translator) -> View:
    """The routine menu at the runner's own doses, or the offer to continue `active`."""
    if active is None:
        return views.session.menu(t, coach.routine_minutes(svc, user_id))
    return views.session.continue_prompt(
        t, walk(svc, active, t.lang), active.id, active.rev, active.cursor, interrupted=False
    )


def walk(svc: Services, session: Session, lang: str = SOURCE) -> Walkthrough:
    """The session's own plan unrolled, worded in `lang`."""
    return svc.walkthrough(session.plan or session.routine_id, lang)


async def menu_pressed(
    svc: Services, bot: Bot, user_id: int, chat_id: int, message_id: int | None
) -> None:
    """The "Start a routine" / "Another routine" button: the menu replaces its buttons."""
    if message_id is not None:
        await messaging.strip_buttons(bot, chat_id, message_id)
    await open_menu(svc, bot, user_id, chat_id)


async def choose(
    svc: Services, bot: Bot, user_id: int, chat_id: int, message_id: int | None, data: str
) -> str:
    """A routine tapped in the menu (`m:<routine>`, or `m:<routine>:<minutes>` from a
    fitted preview); returns the callback answer."""
    if message_id is not None:
        await messaging.strip_buttons(bot, chat_id, message_id)
    choice = callbacks.parse_routine_choice(data)
    if choice is None:
        return svc.t(user_id).msg(OLD_BUTTON)
    routine_id, minutes = choice
    return await begin(svc, bot, user_id, chat_id, routine_id, minutes)


async def offer_fitted(svc: Services, bot: Bot, user_id: int, chat_id: int, minutes: int) -> None:
    """`/routine 5`: the full routine trimmed to 5 minutes, shown before it starts."""
    t = svc.t(user_id)
    active = storage.sessions.active_session(svc.db, user_id)
    if active is not None:
        await messaging.send(bot, svc.db, chat_id, _menu(svc, user_id, active, t))
        return
    plan = coach.plan_session(svc, user_id, FIT_ROUTINE, minutes)
    if plan is None:
        await messaging.send(bot, svc.db, chat_id, _all_paused(svc, t, FIT_ROUTINE))
        return
    view = views.session.fitted_preview(t, svc.walkthrough(plan, t.lang), minutes)
    await messaging.send(bot, svc.db, chat_id, view)


def _all_paused(svc: Services, t: Translator, routine_id: str) -> View:
    names = [t.content.exercise(e).name for e in svc.catalogue.routine(routine_id).exercises]
    return views.session.all_paused(t, names)


async def begin(
    svc: Services,
    bot: Bot,
    user_id: int,
    chat_id: int,
    routine_id: str,
    minutes: int | None = None,
    *,
    left: timedelta | None = None,
) -> str:
    """Start a routine at the runner's own doses, trimmed to `minutes` if given, or to the
    time `left` (before a run) when it is shorter than the routine (unless one is active:
    then offer to continue it)."""
    t = svc.t(user_id)
    if routine_id not in svc.catalogue.routines:
        return t.msg(NO_SUCH_ROUTINE)
    active = storage.sessions.active_session(svc.db, user_id)
    if active is not None:
        await messaging.send(bot, svc.db, chat_id, _menu(svc, user_id, active, t))
        return t.msg(IN_PROGRESS)
    plan = coach.plan_session(svc, user_id, routine_id, minutes)
    if plan is None:
        await messaging.send(bot, svc.db, chat_id, _all_paused(svc, t, routine_id))
        return ""
    seconds = left.total_seconds() if left is not None else 0
    if 0 < seconds < svc.walkthrough(plan).seconds():  # a late or snoozed warm-up
        plan = dosing.fit(svc.catalogue, plan, int(seconds))
    now = svc.clock.now()
    walkthrough = svc.walkthrough(plan)
    session = storage.sessions.start_session(
        svc.db, user_id, chat_id, plan, walkthrough.start(now), now
    )
    log.info("user %s started session %s (%s)", user_id, session.id, routine_id)
    await _show(svc, bot, session, t, note=None)
    return ""


# --- moving a session on ---------------------------------------------------------------


def _pressed(svc: Services, user_id: int, session_id: int | None) -> Session | Msg:
    """The session a button names, if it decoded and is the presser's own; else the one
    short answer (the button is old or forged, or it is somebody else's session)."""
    if session_id is None:
        return OLD_BUTTON
    session = storage.sessions.get_session(svc.db, session_id)
    if session is None or session.user_id != user_id:
        return NOT_YOURS
    return session


async def press(svc: Services, bot: Bot, user_id: int, message_id: int | None, data: str) -> str:
    """A button in a session message; returns the text for the callback answer."""
    t = svc.t(user_id)
    parsed = callbacks.parse_session_button(data)
    session = _pressed(svc, user_id, parsed.session_id if parsed else None)
    if not isinstance(session, Session):
        return t.msg(session)
    assert parsed is not None
    if not session.active:
        if message_id is not None:
            await messaging.strip_buttons(bot, session.chat_id, message_id)
        return t.msg(OVER)
    if parsed.rev != session.rev:
        return t.msg(OUT_OF_DATE)
    walkthrough = walk(svc, session, t.lang)
    now = svc.clock.now()
    if parsed.action in ("fewer", "back") and session.cursor.phase == "confirm" and message_id:
        view = views.session.session_view(
            t,
            walkthrough,
            session.id,
            session.rev,
            session.cursor,
            now,
            picker=parsed.action == "fewer",
            tight_before=session.tight_before,
        )
        await messaging.edit_buttons(bot, session.chat_id, message_id, view)
        return t.msg(HOW_MANY) if parsed.action == "fewer" else ""
    outcome = walkthrough.press(session.cursor, parsed.action, parsed.arg, now)
    if isinstance(outcome, Invalid):
        return t.msg(OUT_OF_DATE)
    if not await advance(svc, bot, session, outcome, t, pressed=message_id):
        return t.msg(OUT_OF_DATE)
    answer = ANSWERS.get(outcome.note or "")
    return t.msg(answer) if answer is not None else ""


async def advance(
    svc: Services,
    bot: Bot,
    session: Session,
    outcome: Outcome,
    t: Translator,
    *,
    pressed: int | None = None,
) -> bool:
    """Commit an outcome, then show it in `t`'s language. False if the session had already
    moved on."""
    now = svc.clock.now()
    if outcome.feedback is not None and outcome.feedback[1] == "pain":
        exercise = outcome.feedback[0]
        if coach.pause_if_twice(svc, session.user_id, exercise, now):
            change = coach.pause_change(svc, session.user_id, exercise, now)
            outcome = replace(outcome, change=change, note="pain_paused")
    updated = storage.sessions.apply_outcome(svc.db, session, outcome, now)
    if updated is None:
        return False
    if outcome.change is not None:
        change = outcome.change
        log.info(
            "user %s %s: step %s -> %s (%s)",
            session.user_id, change.exercise, change.step_from, change.step_to, change.reason,
        )  # fmt: skip
    if outcome.sets:
        log.info(
            "user %s session %s recorded %s",
            session.user_id,
            session.id,
            ", ".join(f"{s.exercise}/{s.side}/{s.set_no}" for s in outcome.sets),
        )
    in_place = outcome.note in IN_PLACE and updated.status == "active"
    old = {m for m in (session.live_message_id, pressed) if m is not None}
    if in_place and session.live_message_id is not None:
        old.discard(session.live_message_id)
    closed = views.session.closed_view(t, walk(svc, session, t.lang), session.cursor, outcome)
    # Closing the old message is tidying up: under load it gives way to the next step.
    for message_id in old:
        if closed is not None and message_id == session.live_message_id:
            await messaging.edit(bot, session.chat_id, message_id, closed, droppable=True)
        else:
            await messaging.strip_buttons(bot, session.chat_id, message_id, droppable=True)
    if updated.status != "active":
        svc.timers.cancel(session.chat_id)
        storage.sessions.set_live_message(svc.db, session.id, None)
        await send_summary(svc, bot, updated, t, note=outcome.note)
        log.info("session %s ended: %s", session.id, updated.status)
        return True
    if in_place and session.live_message_id is not None:
        updated = replace(updated, live_message_id=session.live_message_id)
        await _refresh(svc, bot, updated, t)
        _schedule(svc, updated)
        return True
    await _show(svc, bot, updated, t, note=outcome.note)
    return True


async def _show(svc: Services, bot: Bot, session: Session, t: Translator, note: str | None) -> None:
    """Send the session's current step as a new (notifying) message and arm its timer."""
    view = views.session.session_view(
        t,
        walk(svc, session, t.lang),
        session.id,
        session.rev,
        session.cursor,
        svc.clock.now(),
        note=note,
        tight_before=session.tight_before,
    )
    message_id = await messaging.send(bot, svc.db, session.chat_id, view)
    storage.sessions.set_live_message(svc.db, session.id, message_id)
    if message_id is not None:
        session = replace(session, live_message_id=message_id)
    _schedule(svc, session)


async def _refresh(
    svc: Services, bot: Bot, session: Session, t: Translator, *, tick: bool = False
) -> None:
    """Redraw the live message in place: a silent edit. Countdown ticks may be dropped."""
    if session.live_message_id is None:
        return
    view = views.session.session_view(
        t,
        walk(svc, session, t.lang),
        session.id,
        session.rev,
        session.cursor,
        svc.clock.now(),
        tight_before=session.tight_before,
    )
    await messaging.edit(bot, session.chat_id, session.live_message_id, view, droppable=tick)


def _schedule(svc: Services, session: Session) -> None:
    cursor = session.cursor
    if not cursor.running or cursor.ends_at is None:
        svc.timers.cancel(session.chat_id)
        return
    remaining = max(0.0, (cursor.ends_at - svc.clock.now()).total_seconds())
    step_real = timers.COUNTDOWN_STEP * svc.config.time_scale
    step = walk(svc, session).step(cursor)
    if step is not None and cursor.phase == "work" and step.exercise.dose.kind == "paced":
        dose = step.exercise.dose
        step_real = ((dose.hold_seconds or 0) + dose.lower_seconds) * svc.config.time_scale
    delay = timers.next_wake(remaining, step_real)
    svc.timers.arm(on_timer, session.chat_id, delay, session.id, session.rev)


async def on_timer(context: Context) -> None:
    """JobQueue callback: finish the phase if due, else redraw the countdown."""
    svc = context.svc
    assert context.job is not None
    session_id, rev = timers.job_target(context.job)
    session = storage.sessions.get_session(svc.db, session_id)
    if session is None or not session.active or session.rev != rev:
        return
    outcome = walk(svc, session).expire(session.cursor, svc.clock.now())
    t = svc.t(session.user_id)  # read as it fires: the runner may have changed it
    if outcome is None:
        await _refresh(svc, context.bot, session, t, tick=True)
        _schedule(svc, session)
        return
    await advance(svc, context.bot, session, outcome, t)


# --- continue, start over, end ---------------------------------------------------------


async def resume_choice(
    svc: Services, bot: Bot, user_id: int, message_id: int | None, data: str
) -> str:
    """The buttons of a 'continue where you left off?' prompt."""
    t = svc.t(user_id)
    parsed = callbacks.parse_resume_button(data)
    session = _pressed(svc, user_id, parsed.session_id if parsed else None)
    if not isinstance(session, Session):
        return t.msg(session)
    assert parsed is not None
    if message_id is not None:
        await messaging.strip_buttons(bot, session.chat_id, message_id)
    if not session.active:
        return t.msg(OVER)
    if parsed.rev != session.rev:
        return t.msg(OUT_OF_DATE)
    now = svc.clock.now()
    if parsed.action == "go":
        outcome = Outcome(walk(svc, session).restart_phase(session.cursor, now), note="continued")
        await advance(svc, bot, session, outcome, t)
        return t.msg(LETS_GO)
    await end(svc, bot, session, t)
    if parsed.action == "new":
        await messaging.send(bot, svc.db, session.chat_id, _menu(svc, user_id, None, t))
    return t.msg(ENDED)


async def end(
    svc: Services, bot: Bot, session: Session, t: Translator, note: str | None = None
) -> bool:
    """Close a session from outside the flow (cancel, start over, idle), with a summary:
    partial if any set was saved, else abandoned."""
    ended = storage.sessions.end_session(svc.db, session, svc.clock.now())
    if ended is None:
        return False
    svc.timers.cancel(session.chat_id)
    if session.live_message_id is not None:
        await messaging.strip_buttons(bot, session.chat_id, session.live_message_id)
    storage.sessions.set_live_message(svc.db, session.id, None)
    await send_summary(svc, bot, ended, t, note=note)
    log.info("session %s ended: %s%s", session.id, ended.status, f" ({note})" if note else "")
    return True


async def cancel(svc: Services, bot: Bot, user_id: int) -> bool:
    """/cancel: stop the active routine, keeping what was done."""
    session = storage.sessions.active_session(svc.db, user_id)
    if session is None:
        return False
    return await end(svc, bot, session, svc.t(user_id))


# --- summaries -------------------------------------------------------------------------


def build_summary(svc: Services, session: Session, t: Translator) -> views.session.Summary:
    """What the session came to, with names in the language of `t`."""
    walkthrough = walk(svc, session, t.lang)
    names = {e.id: e.name for e in t.content.exercises.values()}
    skipped: list[views.session.Skip] = []
    for row in storage.sessions.session_skips(svc.db, session.id):
        name = names.get(row["exercise"], row["exercise"])
        if row["set_no"] is None:
            skipped.append(views.session.Skip(name))
        elif row["reason"] == "skipped":
            skipped.append(views.session.Skip(name, row["set_no"], row["side"]))
    feedback = storage.sessions.session_feedback(svc.db, session.id)
    pain = [names.get(e, e) for e, r in feedback.items() if r == "pain"]
    now = svc.clock.now()
    ended = session.ended_at or now
    tz = storage.users.user_tz(svc.db, session.user_id)
    return views.session.Summary(
        routine_name=walkthrough.routine.name,
        status=session.status,
        sets_done=len(storage.sessions.session_sets(svc.db, session.id)),
        sets_planned=len(walkthrough.set_steps()),
        minutes=(ended - session.started_at).total_seconds() / 60,
        skipped=skipped,
        pain=pain,
        completed_this_week=storage.sessions.completed_since(
            svc.db, session.user_id, week_start(now, tz)
        ),
        checkin=session.plan is not None and session.plan.checkin,
        session_id=session.id,
        tight_before=session.tight_before,
        tight_after=session.tight_after,
    )


async def send_summary(
    svc: Services, bot: Bot, session: Session, t: Translator, note: str | None = None
) -> None:
    view = views.session.summary(t, build_summary(svc, session, t), note)
    await messaging.send(bot, svc.db, session.chat_id, view)


# --- after a restart, and idle sessions ------------------------------------------------


async def recover_sessions(context: Context) -> None:
    """On start: sessions whose timer was running when the process died are offered back."""
    svc = context.svc
    count = 0
    for session in storage.sessions.active_sessions(svc.db):
        if not session.cursor.running or not svc.serves(session.user_id):
            continue
        updated = storage.sessions.apply_outcome(
            svc.db,
            session,
            Outcome(walk(svc, session).interrupt(session.cursor), note="interrupted"),
            svc.clock.now(),
        )
        if updated is None:
            continue
        if session.live_message_id is not None:
            await messaging.strip_buttons(context.bot, session.chat_id, session.live_message_id)
        t = svc.t(session.user_id)
        view = views.session.continue_prompt(
            t,
            walk(svc, session, t.lang),
            updated.id,
            updated.rev,
            updated.cursor,
            interrupted=True,
        )
        message_id = await messaging.send(context.bot, svc.db, session.chat_id, view)
        storage.sessions.set_live_message(svc.db, session.id, message_id)
        count += 1
    if count:
        log.info("offered %s interrupted session(s) back to their runners", count)


async def sweep_idle(context: Context) -> None:
    """Close sessions nobody has touched for HIPCOACH_IDLE_TIMEOUT; their sets stay."""
    svc = context.svc
    cutoff = svc.clock.now() - timedelta(minutes=svc.config.idle_timeout_minutes)
    for session in storage.sessions.idle_sessions(svc.db, cutoff):
        if not svc.serves(session.user_id):
            continue
        await end(svc, context.bot, session, svc.t(session.user_id), note="idle")


# --- hip tightness check-ins -----------------------------------------------------------


def _ending_note(svc: Services, session: Session) -> str | None:
    """What the summary said above itself when the session ended, from the rows: the physio
    note if it paused an exercise, else the safety note if pain was reported."""
    if storage.coach.paused_in(svc.db, session.id):
        return "pain_paused"
    if "pain" in storage.sessions.session_feedback(svc.db, session.id).values():
        return "pain"
    return None


async def checkin_pressed(
    svc: Services, bot: Bot, user_id: int, message_id: int | None, data: str
) -> str:
    """A 0-10 tap on the first card (before) or the summary (after): stored on the session,
    then that message is redrawn with the value. Returns the callback answer."""
    t = svc.t(user_id)
    parsed = callbacks.parse_checkin_button(data)
    session = _pressed(svc, user_id, parsed.session_id if parsed else None)
    if not isinstance(session, Session):
        return t.msg(session)
    assert parsed is not None
    if session.plan is None or not session.plan.checkin or message_id is None:
        return t.msg(OLD_BUTTON)
    now = svc.clock.now()
    if parsed.moment == "before":
        on_card = session.cursor.step == 0 and session.cursor.phase == "card"
        if not session.active or not on_card or message_id != session.live_message_id:
            return t.msg(OUT_OF_DATE)
    else:
        ended = session.ended_at
        recent = ended is not None and now - ended < timedelta(hours=CHECKIN_AFTER_HOURS)
        if session.active or session.status == "abandoned" or not recent:
            return t.msg(OUT_OF_DATE)
    storage.coach.set_tightness(svc.db, session.id, parsed.moment, parsed.value)
    if parsed.moment == "before":
        session = replace(session, tight_before=parsed.value)
        await _refresh(svc, bot, session, t)
    else:
        session = replace(session, tight_after=parsed.value)
        note = _ending_note(svc, session)  # the redrawn summary keeps its pain or physio note
        view = views.session.summary(t, build_summary(svc, session, t), note)
        await messaging.edit(bot, session.chat_id, message_id, view)
    return t.msg(SAVED)
