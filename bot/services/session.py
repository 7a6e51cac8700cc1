"""The guided session use case: open, move on, time, end, recover.

Handlers and timer jobs call these functions; each one loads the session, asks the pure
engine what happens next, commits that (cursor and any sets) and only then talks to the
runner. The stored `rev` makes stale buttons and late timers harmless.

A calm chat: a new, notifying message only when a timer ends something the runner must
notice (a hold, a rest, a paced set) or an exercise starts; whatever a tap causes is an edit
of the message tapped, and countdowns are a few droppable edits. Each exercise's messages
are its `trail`, deleted in one call when the exercise is over, so a finished routine
leaves its summary in the chat.
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

# Timer-driven transitions the runner must notice now: a new, notifying message. The same
# notes caused by a tap (Skip) are edits of the message tapped.
NOTIFY = frozenset({"set_done", "rest_over", "paced_done"})
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
# A button of a step the session has moved past (an older message, or a double tap).
STEP_OVER = N_("That step is over.")
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
    await _send_menu(svc, bot, user_id, chat_id, session, svc.t(user_id))


async def _send_menu(
    svc: Services, bot: Bot, user_id: int, chat_id: int, active: Session | None, t: Translator
) -> None:
    """The menu, or the offer to continue `active`: that prompt joins the session's trail,
    so it goes with the exercise's messages."""
    message_id = await messaging.send(bot, svc.db, chat_id, _menu(svc, user_id, active, t))
    if active is not None and message_id is not None:
        storage.sessions.add_to_trail(svc.db, active.id, message_id)


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
    fitted preview): the menu turns into the first exercise's card. Returns the callback
    answer."""
    choice = callbacks.parse_routine_choice(data)
    if choice is None:
        if message_id is not None:
            await messaging.strip_buttons(bot, chat_id, message_id)
        return svc.t(user_id).msg(OLD_BUTTON)
    routine_id, minutes = choice
    return await begin(svc, bot, user_id, chat_id, routine_id, minutes, into=message_id)


async def offer_fitted(svc: Services, bot: Bot, user_id: int, chat_id: int, minutes: int) -> None:
    """`/routine 5`: the full routine trimmed to 5 minutes, shown before it starts."""
    t = svc.t(user_id)
    active = storage.sessions.active_session(svc.db, user_id)
    if active is not None:
        await _send_menu(svc, bot, user_id, chat_id, active, t)
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
    into: int | None = None,
) -> str:
    """Start a routine at the runner's own doses, trimmed to `minutes` if given, or to the
    time `left` (before a run) when it is shorter than the routine (unless one is active:
    then offer to continue it). `into`: the menu message tapped, which becomes the first
    card (else it is sent)."""
    t = svc.t(user_id)
    if routine_id not in svc.catalogue.routines:
        await _strip(bot, chat_id, into)
        return t.msg(NO_SUCH_ROUTINE)
    active = storage.sessions.active_session(svc.db, user_id)
    if active is not None:
        await _strip(bot, chat_id, into)
        await _send_menu(svc, bot, user_id, chat_id, active, t)
        return t.msg(IN_PROGRESS)
    plan = coach.plan_session(svc, user_id, routine_id, minutes)
    if plan is None:
        await _strip(bot, chat_id, into)
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
    await _show(svc, bot, session, t, note=None, into=into)
    return ""


async def _strip(bot: Bot, chat_id: int, message_id: int | None) -> None:
    if message_id is not None:
        await messaging.strip_buttons(bot, chat_id, message_id)


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
    if parsed.rev != session.rev and not _behind_by_a_dropped_edit(session, parsed, message_id):
        return t.msg(STEP_OVER)  # a free answer: the old message is left as it is
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
        return t.msg(STEP_OVER)
    if not await advance(svc, bot, session, outcome, t, pressed=message_id):
        return t.msg(STEP_OVER)
    answer = ANSWERS.get(outcome.note or "")
    return t.msg(answer) if answer is not None else ""


# The buttons a get-ready and its hold share: still meant for the hold when the edit that
# ended the get-ready gave way under load.
HOLD_BUTTONS = frozenset({"pause", "skip", "stop", "pain"})


def _behind_by_a_dropped_edit(
    session: Session, parsed: callbacks.SessionButton, message_id: int | None
) -> bool:
    """The live message still shows the get-ready (its "go" edit was dropped), so its
    buttons are one revision behind the hold they now stand for."""
    return (
        parsed.rev == session.rev - 1
        and message_id is not None
        and message_id == session.live_message_id
        and session.cursor.phase == "work"
        and parsed.action in HOLD_BUTTONS
    )


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
    if updated.status != "active":
        svc.timers.cancel(session.chat_id)
        # The card that carried an earlier pain or physio note is deleted: the summary says it.
        note = outcome.note if outcome.note in ("pain", "pain_paused") else None
        await send_summary(svc, bot, updated, t, note=note or _ending_note(svc, updated))
        await _tidy(svc, bot, updated)
        log.info("session %s ended: %s", session.id, updated.status)
        return True
    by_timer = pressed is None
    new_exercise = updated.cursor.phase == "card" and updated.cursor.step != session.cursor.step
    if new_exercise:
        card = await _show(svc, bot, updated, t, note=outcome.note, urgent=by_timer)
        await _tidy(svc, bot, updated, keep=card)
    elif by_timer and outcome.note in NOTIFY:
        await _show(svc, bot, updated, t, note=outcome.note, urgent=True)
    else:
        target = pressed if pressed is not None else session.live_message_id
        if target is not None and target != session.live_message_id:
            storage.sessions.set_live_message(svc.db, session.id, target)
        updated = replace(updated, live_message_id=target)
        # A get-ready ending is a countdown edit: the first thing dropped under load.
        shown = await _refresh(svc, bot, updated, t, note=outcome.note, tick=by_timer)
        if not shown and not by_timer:
            await _show(svc, bot, updated, t, note=outcome.note)
    # Armed once the step is shown, so one session's messages never overtake each other;
    # the delay counts from the committed `ends_at`, so a slow send does not push it back.
    _schedule(svc, updated)
    return True


async def _show(
    svc: Services,
    bot: Bot,
    session: Session,
    t: Translator,
    note: str | None,
    *,
    urgent: bool = False,
    into: int | None = None,
) -> int | None:
    """Show the session's current step as a new, notifying message (or in `into`, the
    message tapped), which becomes the live one; returns its id."""
    view = _view(svc, session, t, note)
    message_id = None
    if into is not None and await messaging.edit(bot, session.chat_id, into, view):
        message_id = into
    else:
        message_id = await messaging.send(bot, svc.db, session.chat_id, view, urgent=urgent)
    storage.sessions.set_live_message(svc.db, session.id, message_id)
    return message_id


def _view(svc: Services, session: Session, t: Translator, note: str | None = None) -> View:
    walkthrough = walk(svc, session, t.lang)
    step = walkthrough.step(session.cursor)
    done: tuple[views.session.Result, ...] = ()
    if step is not None and step.kind != "card":
        done = tuple(
            (row["actual_reps"], row["actual_seconds"])
            for row in storage.sessions.session_sets(svc.db, session.id)
            if row["exercise"] == step.exercise.id
        )
    return views.session.session_view(
        t,
        walkthrough,
        session.id,
        session.rev,
        session.cursor,
        svc.clock.now(),
        note=note,
        tight_before=session.tight_before,
        done=done,
    )


async def _refresh(
    svc: Services,
    bot: Bot,
    session: Session,
    t: Translator,
    *,
    note: str | None = None,
    tick: bool = False,
) -> bool:
    """Redraw the live message in place: a silent edit. Countdown marks may be dropped."""
    if session.live_message_id is None:
        return False
    view = _view(svc, session, t, note)
    return await messaging.edit(bot, session.chat_id, session.live_message_id, view, droppable=tick)


async def _tidy(svc: Services, bot: Bot, session: Session, keep: int | None = None) -> None:
    """An exercise is over: delete its messages in one call (all but `keep`). Between
    exercises this gives way under load, and what is left goes with the next exercise's;
    the session's last one (nothing follows it) waits its turn instead."""
    old = storage.sessions.take_trail(svc.db, session.id, keep)
    final = not session.active
    if old and not await messaging.delete_many(bot, session.chat_id, old, droppable=not final):
        storage.sessions.give_back_trail(svc.db, session.id, old)


def _schedule(svc: Services, session: Session) -> None:
    """Arm the chat's timer for the next countdown mark or the end of the running phase."""
    cursor = session.cursor
    if not cursor.running or cursor.ends_at is None:
        svc.timers.cancel(session.chat_id)
        return
    remaining = max(0.0, (cursor.ends_at - svc.clock.now()).total_seconds())
    scale = svc.config.time_scale
    walkthrough = walk(svc, session)
    step = walkthrough.step(cursor)
    delay = remaining
    if step is not None and scale > 0:
        total = walkthrough.content_seconds(step, cursor.phase)
        delay = timers.next_wake(remaining / scale, total, scale)
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
        # A tap may have moved the session on while the redraw was on its way: its own
        # step is shown and its timer armed, and this older one must not replace them.
        fresh = storage.sessions.get_session(svc.db, session.id)
        if fresh is None or fresh.rev != session.rev:
            if fresh is not None and fresh.active:
                await _refresh(svc, context.bot, fresh, t)  # the redraw may have landed last
            return
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
    if not session.active or parsed.rev != session.rev:
        await _strip(bot, session.chat_id, message_id)
        return t.msg(OVER if not session.active else OUT_OF_DATE)
    now = svc.clock.now()
    if parsed.action == "go":  # the prompt becomes the live message
        outcome = Outcome(walk(svc, session).restart_phase(session.cursor, now), note="continued")
        await advance(svc, bot, session, outcome, t, pressed=message_id)
        return t.msg(LETS_GO)
    await end(svc, bot, session, t)  # the prompt is in the trail: deleted with the rest
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
    await send_summary(svc, bot, ended, t, note=note or _ending_note(svc, ended))
    await _tidy(svc, bot, ended)
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
    sets = storage.sessions.session_sets(svc.db, session.id)
    exercises = [
        views.session.ExerciseResult(
            names.get(exercise, exercise),
            [(r["actual_reps"], r["actual_seconds"]) for r in sets if r["exercise"] == exercise],
            feedback.get(exercise),
        )
        for exercise in walkthrough.order
    ]
    return views.session.Summary(
        routine_name=walkthrough.routine.name,
        status=session.status,
        sets_done=len(sets),
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
        exercises=exercises,
    )


async def send_summary(
    svc: Services, bot: Bot, session: Session, t: Translator, note: str | None = None
) -> None:
    """The summary: a silent message (the runner has just tapped, or has gone quiet)."""
    view = views.session.summary(t, build_summary(svc, session, t), note)
    await messaging.send(bot, svc.db, session.chat_id, view, notify=False)


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
