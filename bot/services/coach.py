"""The adaptive coach's use cases: plan a session from what the runner reported, pause an
exercise after pain twice, and bring it back.

The rules are bot.core.coach (pure); this module reads their inputs from storage and
records their results. A session's plan is made once, when it starts (bot.core.dosing).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from sqlite_utils import Database

from bot import storage
from bot.core import coach, dosing
from bot.core.content import Exercise
from bot.core.dosing import SessionPlan
from bot.services.state import Services

log = logging.getLogger(__name__)


def standings(svc: Services, db: Database, user_id: int) -> dict[str, coach.Standing]:
    """Every exercise's standing for the runner (its ladder step, paused or not)."""
    by_exercise: dict[str, list[coach.Change]] = {}
    for change in storage.coach.changes(db, user_id):
        by_exercise.setdefault(change.exercise, []).append(change)
    return {
        e.id: coach.standing(by_exercise.get(e.id, []), e.ladder.start)
        for e in svc.catalogue.exercises.values()
    }


def paused(svc: Services, user_id: int) -> list[str]:
    """The exercises left out of the runner's routines, in the catalogue's order."""
    return [e for e, s in standings(svc, svc.db, user_id).items() if s.paused]


def resume(svc: Services, user_id: int, exercise_id: str) -> bool:
    """Bring a paused exercise back, at its gentlest step; False if it was not paused."""
    exercise = svc.catalogue.exercises.get(exercise_id)
    if exercise is None:
        return False
    now = svc.clock.now()
    with svc.db.atomic():
        standing = standings(svc, svc.db, user_id)[exercise_id]
        if not standing.paused:
            return False
        change = coach.Change(exercise_id, standing.step, 0, "resumed", now)
        storage.coach.insert_change(svc.db, user_id, change, None)
    log.info("user %s brought %s back", user_id, exercise_id)
    return True


def pause_if_twice(svc: Services, user_id: int, exercise_id: str, now: datetime) -> bool:
    """Called as a pain report is about to be stored: True (and the exercise is paused in
    the same outcome by the caller) if it is the second within two weeks."""
    exercise = svc.catalogue.exercises.get(exercise_id)
    if exercise is None:
        return False
    standing = standings(svc, svc.db, user_id)[exercise_id]
    if standing.paused:
        return False
    return coach.pause_after(storage.coach.pains(svc.db, user_id, exercise_id), now, standing)


def pause_change(svc: Services, user_id: int, exercise_id: str, now: datetime) -> coach.Change:
    standing = standings(svc, svc.db, user_id)[exercise_id]
    return coach.Change(exercise_id, standing.step, standing.step, "paused", now, paused=True)


def plan_session(
    svc: Services, user_id: int, routine_id: str, minutes: int | None = None
) -> SessionPlan | None:
    """The session the runner gets now: each exercise at their ladder step, minus paused
    ones (None if that leaves nothing), with the card's offer, a watch-point question and
    the focus point, then trimmed to `minutes` if given."""
    settings = storage.users.get_settings(svc.db, user_id)
    standing = standings(svc, svc.db, user_id)
    routine = svc.catalogue.routine(routine_id)
    exercises = []
    for exercise_id in routine.exercises:
        s = standing[exercise_id]
        if s.paused:
            continue
        exercise = svc.catalogue.exercise(exercise_id)
        planned = dosing.at_step(exercise, s.step, routine.sets)
        exercises.append(_coached(svc, user_id, exercise, planned, s, settings.questions))
    if not exercises:
        return None
    plan = SessionPlan(routine_id, tuple(exercises), checkin=settings.checkins)
    if minutes is not None:
        plan = dosing.fit(svc.catalogue, plan, minutes * 60)
    return plan


def _coached(
    svc: Services,
    user_id: int,
    exercise: Exercise,
    planned: dosing.PlannedExercise,
    standing: coach.Standing,
    questions: bool,
) -> dosing.PlannedExercise:
    """The card's offer, focus and question for one exercise, from the runner's history."""
    db = svc.db
    sides = len(exercise.dose.side_list())
    outings = storage.coach.outings(db, user_id, exercise.id, sides, standing.since)
    pains = storage.coach.pains(db, user_id, exercise.id, standing.pain_settled)
    offer = coach.advise(standing, exercise.ladder.top, outings, pains)
    if offer is not None and offer != "pain" and not planned.full:
        offer = None  # a one-set round is no test of the whole dose
    answers = storage.coach.answers(db, user_id, exercise.id)
    question = None
    if questions:
        count = storage.coach.outing_count(db, user_id, exercise.id)
        question = coach.question(count, answers, len(exercise.questions))
    return replace(planned, offer=offer, question=question, focus=coach.focus(answers))


def routine_minutes(svc: Services, user_id: int, db: Database | None = None) -> dict[str, int]:
    """Each routine's estimate at the runner's own doses (for the menu); a routine whose
    every exercise is paused has none."""
    out = {}
    steps = {e: s.step for e, s in standings(svc, db or svc.db, user_id).items() if not s.paused}
    for routine_id, routine in svc.catalogue.routines.items():
        kept = [e for e in routine.exercises if e in steps]
        if not kept:
            continue
        plan = dosing.plan_for(svc.catalogue, routine_id, steps)
        plan = replace(plan, exercises=tuple(e for e in plan.exercises if e.id in steps))
        out[routine_id] = dosing.minutes(dosing.plan_seconds(svc.catalogue, plan))
    return out


def minutes_of(svc: Services, user_id: int, routine_id: str, db: Database | None = None) -> int:
    """One routine's estimate at the runner's doses; the article's when all of it is paused
    (a reminder or a calendar still names a length)."""
    own = routine_minutes(svc, user_id, db).get(routine_id)
    return own or svc.catalogue.routine_minutes(routine_id)
