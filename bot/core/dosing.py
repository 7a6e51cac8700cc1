"""A session's own plan: which exercises, at which dose, with which offers and questions.

The plan is made once, when a session starts (from the runner's ladder steps, the coach's
advice and the minutes they have), and stored with the session as JSON, so the steps a
restart rebuilds are exactly the ones the runner began; an accepted step-up changes it.
`fit` trims a plan to a time budget: rests and sets first, then get-ready countdowns, then
reps and holds down to half, never below one set per side.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace

from bot.core.coach import Offer
from bot.core.content import Catalogue, Dose, Exercise, dose_seconds

# How far `fit` may go: rests, get-ready, and the reps or hold of one set.
MIN_REST, MIN_READY = 10, 3
MIN_REPS, MIN_HOLD = 5, 15
HOLD_STEP = 5


@dataclass(frozen=True)
class PlannedExercise:
    """One exercise of a session at its dose; the other numbers come from the content."""

    id: str
    step: int  # the ladder step the dose comes from
    sets: int
    reps: int | None
    hold_seconds: int | None
    rest_seconds: int
    ready_seconds: int
    full: bool = True  # the ladder step's whole dose (not trimmed, not a one-set round)
    offer: Offer | None = None  # what the card offers (see bot.core.coach.advise)
    question: int | None = None  # the watch point asked about after it
    focus: int | None = None  # the watch point put first on its card

    def dose(self, base: Dose) -> Dose:
        """`base` (the exercise's content dose, in any language) at this plan's numbers."""
        return base.model_copy(
            update={
                "sets": self.sets,
                "reps": self.reps,
                "hold_seconds": self.hold_seconds,
                "rest_seconds": self.rest_seconds,
                "ready_seconds": self.ready_seconds,
            }
        )


@dataclass(frozen=True)
class SessionPlan:
    routine: str
    exercises: tuple[PlannedExercise, ...]
    checkin: bool = False  # ask hip tightness before (first card) and after (summary)
    minutes: int | None = None  # trimmed to fit this many minutes

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SessionPlan:
        data = json.loads(text)
        exercises = tuple(PlannedExercise(**e) for e in data.pop("exercises"))
        return cls(exercises=exercises, **data)

    def get(self, exercise_id: str) -> PlannedExercise | None:
        return next((e for e in self.exercises if e.id == exercise_id), None)

    def with_exercise(self, new: PlannedExercise) -> SessionPlan:
        return replace(self, exercises=tuple(new if e.id == new.id else e for e in self.exercises))

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(e.id for e in self.exercises)


def at_step(exercise: Exercise, step: int, sets: int | None = None) -> PlannedExercise:
    """The exercise at ladder `step` (clamped); `sets` caps its sets (a one-set round)."""
    step = max(0, min(step, exercise.ladder.top))
    dose = exercise.dose_at(step)
    n = min(sets, dose.sets) if sets else dose.sets
    return PlannedExercise(
        id=exercise.id,
        step=step,
        sets=n,
        reps=dose.reps,
        hold_seconds=dose.hold_seconds,
        rest_seconds=dose.rest_seconds,
        ready_seconds=dose.ready_seconds,
        full=n == dose.sets,
    )


def plan_for(
    catalogue: Catalogue, routine_id: str, steps: dict[str, int] | None = None
) -> SessionPlan:
    """The routine at the runner's ladder `steps` (the article's dose where none is given)."""
    routine = catalogue.routine(routine_id)
    exercises = []
    for exercise_id in routine.exercises:
        exercise = catalogue.exercise(exercise_id)
        step = (steps or {}).get(exercise_id, exercise.ladder.start)
        exercises.append(at_step(exercise, step, routine.sets))
    return SessionPlan(routine_id, tuple(exercises))


def plan_seconds(catalogue: Catalogue, plan: SessionPlan) -> int:
    return sum(dose_seconds(e.dose(catalogue.exercise(e.id).dose)) for e in plan.exercises)


def minutes(seconds: float) -> int:
    return max(1, round(seconds / 60))


def fit(catalogue: Catalogue, plan: SessionPlan, budget_seconds: int) -> SessionPlan:
    """The plan trimmed to fit `budget_seconds` if it can be (check `plan_seconds`): rests
    halved, then sets taken off the exercise with the most, then shorter get-readies, then
    reps and holds shortened in turn, down to half the dose. Every exercise keeps at least
    one set on each side; a trimmed exercise no longer counts as its full dose."""
    items = list(plan.exercises)

    def total() -> int:
        return plan_seconds(catalogue, replace(plan, exercises=tuple(items)))

    if total() <= budget_seconds:
        return plan
    # Never below half the runner's own dose (their ladder step), not the article's.
    bases = {e.id: catalogue.exercise(e.id).dose_at(e.step) for e in items}

    def trim(i: int, **changes: int) -> None:
        offer: Offer | None = "pain" if items[i].offer == "pain" else None
        items[i] = replace(items[i], full=False, offer=offer, **changes)  # type: ignore[arg-type]

    for i, e in enumerate(items):
        if e.sets > 1 and e.rest_seconds > MIN_REST:
            trim(i, rest_seconds=max(MIN_REST, e.rest_seconds // 2))
    while total() > budget_seconds and (i := _set_to_drop(items, catalogue, budget_seconds)) >= 0:
        trim(i, sets=items[i].sets - 1)
    for i, e in enumerate(items):
        if total() > budget_seconds and e.ready_seconds > MIN_READY:
            trim(i, ready_seconds=MIN_READY)
    while total() > budget_seconds:
        shortened = False
        for i in _longest_first(items, catalogue):
            e, base = items[i], bases[items[i].id]
            if base.kind == "hold" and e.hold_seconds is not None:
                floor = max(MIN_HOLD, math.ceil((base.hold_seconds or 0) / 2))
                if e.hold_seconds - HOLD_STEP >= floor:
                    trim(i, hold_seconds=e.hold_seconds - HOLD_STEP)
                    shortened = True
            elif e.reps is not None:
                floor = max(MIN_REPS, math.ceil((base.reps or 0) / 2))
                if e.reps - 1 >= floor:
                    trim(i, reps=e.reps - 1)
                    shortened = True
            if shortened:
                break
        if not shortened:
            break
    return replace(plan, exercises=tuple(items), minutes=budget_seconds // 60)


def _longest_first(items: Iterable[PlannedExercise], catalogue: Catalogue) -> list[int]:
    """Indexes of the exercises, the one taking longest first (it has most to give)."""
    items = list(items)
    return sorted(
        range(len(items)),
        key=lambda i: -dose_seconds(items[i].dose(catalogue.exercise(items[i].id).dose)),
    )


def _set_to_drop(items: list[PlannedExercise], catalogue: Catalogue, budget: int) -> int:
    """Which exercise gives up a set: one whose set brings the plan under budget with the
    most time kept, else the one with most sets (the quickest set among equals); -1: none
    has a set to spare."""
    totals = {}
    for i, e in enumerate(items):
        if e.sets > 1:
            fewer = [*items[:i], replace(e, sets=e.sets - 1), *items[i + 1 :]]
            totals[i] = sum(dose_seconds(x.dose(catalogue.exercise(x.id).dose)) for x in fewer)
    if not totals:
        return -1
    fitting = [i for i, t in totals.items() if t <= budget]
    if fitting:
        return max(fitting, key=lambda i: totals[i])
    return max(totals, key=lambda i: (items[i].sets, totals[i]))
