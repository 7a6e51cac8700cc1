"""The coaching engine: a pure state machine for one guided routine.

A session's plan (bot.core.dosing) unrolls into a fixed list of steps (card, sets, rests,
feedback and, now and then, a watch-point question, per exercise). The runner's position
is a `Cursor` (step + phase + timer), which is what the database stores. Every button
press and every timer expiry is a pure function from the old cursor to an `Outcome`: the
new cursor plus what to record (and, for an accepted ladder offer, the new plan). Nothing
here does I/O or reads the clock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from bot.core.coach import Answer, Change
from bot.core.content import CARD_SECONDS, Catalogue, Exercise
from bot.core.dosing import PlannedExercise, SessionPlan, at_step, plan_for

StepKind = Literal["card", "set", "rest", "feedback", "check"]
Phase = Literal["card", "ready", "work", "confirm", "rest", "feedback", "check", "paused", "done"]
Rating = Literal["easy", "right", "hard", "pain"]
TIMED_PHASES: frozenset[str] = frozenset({"ready", "work", "rest"})
# A timer that fires this close to its deadline counts as on time (scheduler jitter).
EARLY_FIRE = timedelta(milliseconds=50)
RATINGS: tuple[Rating, ...] = ("easy", "right", "hard", "pain")
# A watch-point question's buttons: yes, not quite, or no answer.
CHECK_ANSWERS: dict[str, Answer | None] = {"yes": "yes", "nq": "not_quite", "skip": None}


@dataclass(frozen=True)
class Step:
    index: int
    kind: StepKind
    exercise: Exercise
    set_no: int = 0
    sets: int = 0
    side: str | None = None
    switch: bool = False  # the runner changes sides to start this step


@dataclass(frozen=True)
class Cursor:
    step: int
    phase: Phase
    ends_at: datetime | None = None  # when the running timer expires (real time)
    paused_phase: Phase | None = None
    remaining: float | None = None  # real seconds left on a paused timer

    @property
    def running(self) -> bool:
        return self.phase in TIMED_PHASES


@dataclass(frozen=True)
class SetResult:
    exercise: str
    side: str
    set_no: int
    target_reps: int | None = None
    actual_reps: int | None = None
    target_seconds: int | None = None
    actual_seconds: int | None = None


@dataclass(frozen=True)
class SkipNote:
    exercise: str
    reason: Literal["skipped", "pain"]
    set_no: int | None = None
    side: str | None = None


@dataclass(frozen=True)
class Outcome:
    cursor: Cursor
    sets: tuple[SetResult, ...] = ()
    skips: tuple[SkipNote, ...] = ()
    feedback: tuple[str, Rating] | None = None
    note: str | None = None  # what just happened, for the view: "pain", "set_done", ...
    finished: Literal["completed", "partial"] | None = None
    plan: SessionPlan | None = None  # the session's new plan (a ladder offer taken)
    change: Change | None = None  # a ladder change or decision to record
    answer: tuple[str, int, Answer] | None = None  # (exercise, watch point, answer)


@dataclass(frozen=True)
class Invalid:
    """The press does not apply to where the runner is; nothing changes."""

    reason: str


class Walkthrough:
    """One session's plan unrolled into steps, with the transitions between them.

    `walkthrough.routine` is the content model (name, blurb); `walkthrough.plan` the
    session's own doses; `walkthrough.exercises` the content exercises at those doses, in
    the catalogue's language.
    """

    def __init__(
        self, catalogue: Catalogue, plan: SessionPlan | str, time_scale: float = 1.0
    ) -> None:
        """`plan`: the session's plan, or a routine id for the routine at the article's
        doses."""
        self.catalogue = catalogue
        self.plan = plan_for(catalogue, plan) if isinstance(plan, str) else plan
        self.routine = catalogue.routine(self.plan.routine)
        self.scale = time_scale
        self.exercises: dict[str, Exercise] = {
            e.id: self._dosed(e) for e in self.plan.exercises if e.id in catalogue.exercises
        }
        self.steps: tuple[Step, ...] = tuple(self._unroll())

    def _dosed(self, planned: PlannedExercise) -> Exercise:
        exercise = self.catalogue.exercise(planned.id)
        return exercise.model_copy(update={"dose": planned.dose(exercise.dose)})

    def _unroll(self) -> list[Step]:
        steps: list[Step] = []

        def add(kind: StepKind, exercise: Exercise, **kw: object) -> None:
            steps.append(Step(len(steps), kind, exercise, **kw))  # type: ignore[arg-type]

        for planned in self.plan.exercises:
            exercise = self.exercises.get(planned.id)
            if exercise is None:  # gone from the content since the session started
                continue
            sets = exercise.dose.sets
            add("card", exercise)
            for set_no in range(1, sets + 1):
                for i, side in enumerate(exercise.dose.side_list()):
                    add("set", exercise, set_no=set_no, sets=sets, side=side, switch=i > 0)
                if set_no < sets:
                    add("rest", exercise, set_no=set_no, sets=sets)
            add("feedback", exercise)
            if planned.question is not None:
                add("check", exercise)
        return steps

    def planned(self, step: Step) -> PlannedExercise:
        planned = self.plan.get(step.exercise.id)
        assert planned is not None
        return planned

    @property
    def order(self) -> tuple[str, ...]:
        """The exercises of this session, in order (for "2/3" on a card)."""
        return tuple(self.exercises)

    def seconds(self) -> float:
        """The engine's own estimate of the session, in content seconds: each card, every
        timed phase, and the self-paced reps at their `rep_seconds`."""
        total = 0.0
        for step in self.steps:
            dose = step.exercise.dose
            if step.kind == "card":
                total += CARD_SECONDS
            elif step.kind == "rest":
                total += dose.rest_seconds
            elif step.kind == "set":
                total += dose.work_seconds() + (dose.ready_seconds if dose.timed else 0)
        return total

    # --- queries -----------------------------------------------------------------------

    def step(self, cursor: Cursor) -> Step | None:
        return self.steps[cursor.step] if cursor.step < len(self.steps) else None

    def set_steps(self) -> list[Step]:
        return [s for s in self.steps if s.kind == "set"]

    def content_seconds(self, step: Step, phase: Phase) -> float:
        """How long a timed phase lasts, in the content's own seconds."""
        dose = step.exercise.dose
        if phase == "ready":
            return dose.ready_seconds
        if phase == "work":
            return dose.work_seconds()
        if phase == "rest":
            return dose.rest_seconds
        return 0

    def real_seconds(self, step: Step, phase: Phase) -> float:
        return self.content_seconds(step, phase) * self.scale

    def remaining_content(self, cursor: Cursor, now: datetime) -> float:
        """Seconds left on the running or paused timer, in content seconds (for display)."""
        if cursor.phase == "paused":
            real = cursor.remaining or 0.0
        elif cursor.ends_at is not None:
            real = max(0.0, (cursor.ends_at - now).total_seconds())
        else:
            return 0.0
        return real / self.scale if self.scale > 0 else 0.0

    def elapsed_content(self, cursor: Cursor, now: datetime) -> float:
        step = self.step(cursor)
        phase = cursor.paused_phase if cursor.phase == "paused" else cursor.phase
        if step is None or phase is None:
            return 0.0
        total = self.content_seconds(step, phase)
        return max(0.0, total - self.remaining_content(cursor, now))

    def position(self, cursor: Cursor) -> Step | None:
        """The set (or, failing that, the step) the runner is at, for 'continue' prompts."""
        step = self.step(cursor)
        if step is None:
            return None
        if step.kind == "set":
            return step
        for later in self.steps[step.index :]:
            if later.kind == "set" and later.exercise.id == step.exercise.id:
                return later
        return step

    # --- transitions -------------------------------------------------------------------

    def start(self, now: datetime) -> Cursor:
        return self.enter(0, now)

    def enter(self, index: int, now: datetime) -> Cursor:
        """The cursor at the first phase of step `index` (or done past the last)."""
        if index >= len(self.steps):
            return Cursor(index, "done")
        step = self.steps[index]
        if step.kind == "card":
            return Cursor(index, "card")
        if step.kind == "feedback":
            return Cursor(index, "feedback")
        if step.kind == "check":
            return Cursor(index, "check")
        if step.kind == "rest":
            return self._timer(index, "rest", now)
        if not step.exercise.dose.timed:
            return Cursor(index, "confirm")
        if step.exercise.dose.ready_seconds > 0:
            return self._timer(index, "ready", now)
        return self._timer(index, "work", now)

    def _timer(self, index: int, phase: Phase, now: datetime) -> Cursor:
        seconds = self.real_seconds(self.steps[index], phase)
        return Cursor(index, phase, ends_at=now + timedelta(seconds=seconds))

    def restart_phase(self, cursor: Cursor, now: datetime) -> Cursor:
        """Resume after an interruption: a timed set restarts from its get-ready."""
        if cursor.phase == "paused":
            return self.enter(cursor.step, now)
        if cursor.running:
            return self.enter(cursor.step, now)
        return cursor

    def interrupt(self, cursor: Cursor) -> Cursor:
        """Freeze a running timer (the process stopped); Continue restarts the set."""
        if not cursor.running:
            return cursor
        step = self.steps[cursor.step]
        return Cursor(
            cursor.step,
            "paused",
            paused_phase=cursor.phase,
            remaining=self.real_seconds(step, cursor.phase),
        )

    def _next(self, cursor: Cursor, now: datetime, **kw: object) -> Outcome:
        new = self.enter(cursor.step + 1, now)
        finished = "completed" if new.phase == "done" else None
        return Outcome(new, finished=finished, **kw)  # type: ignore[arg-type]

    def _after_exercise(self, cursor: Cursor) -> int:
        """Index of the first step after the current exercise (its feedback included)."""
        current = self.steps[cursor.step].exercise.id
        i = cursor.step
        while i < len(self.steps) and self.steps[i].exercise.id == current:
            i += 1
        return i

    def _remaining_sets(self, cursor: Cursor, reason: Literal["skipped", "pain"]) -> list[SkipNote]:
        current = self.steps[cursor.step]
        notes = []
        for s in self.steps[cursor.step : self._after_exercise(cursor)]:
            if s.kind == "set":
                notes.append(SkipNote(current.exercise.id, reason, s.set_no, s.side))
        return notes

    def _stop(self, cursor: Cursor) -> Outcome:
        return Outcome(replace(cursor, phase="done", ends_at=None), finished="partial")

    def press(
        self, cursor: Cursor, action: str, arg: int | str | None, now: datetime
    ) -> Outcome | Invalid:
        """Apply a button press. Returns Invalid when the button does not fit the phase."""
        step = self.step(cursor)
        if step is None or cursor.phase == "done":
            return Invalid("over")
        if action == "stop":
            return self._stop(cursor)
        phase = cursor.phase
        if action == "pain" and step.kind in ("set", "rest"):
            new = self.enter(self._after_exercise(cursor), now)
            return Outcome(
                new,
                skips=tuple(self._remaining_sets(cursor, "pain")),
                feedback=(step.exercise.id, "pain"),
                note="pain",
                finished="completed" if new.phase == "done" else None,
            )
        if phase == "card":
            return self._card(cursor, step, action, now)
        elif phase == "confirm":
            target = step.exercise.dose.reps or 0
            if action == "done":
                return self._record_reps(cursor, step, target, now)
            if action == "n" and isinstance(arg, int) and 0 <= arg <= target:
                return self._record_reps(cursor, step, arg, now)
            if action == "skip":
                note = SkipNote(step.exercise.id, "skipped", step.set_no, step.side)
                return self._next(cursor, now, skips=(note,), note="set_skipped")
        elif phase in TIMED_PHASES:
            if action == "pause":
                remaining = (
                    max(0.0, (cursor.ends_at - now).total_seconds()) if cursor.ends_at else 0
                )
                return Outcome(
                    Cursor(cursor.step, "paused", paused_phase=phase, remaining=remaining),
                    note="paused",
                )
            if action == "skip":
                return self._finish_phase(cursor, now, skipped=True)
        elif phase == "paused":
            if action == "resume":
                resumed = Cursor(
                    cursor.step,
                    cursor.paused_phase or "ready",
                    ends_at=now + timedelta(seconds=cursor.remaining or 0.0),
                )
                return Outcome(resumed, note="resumed")
        elif phase == "feedback" and action == "fb" and arg in RATINGS:
            rating: Rating = arg
            if rating == "pain":  # no question after pain: on to the next exercise
                new = self.enter(self._after_exercise(cursor), now)
                return Outcome(
                    new,
                    feedback=(step.exercise.id, rating),
                    note="pain",
                    finished="completed" if new.phase == "done" else None,
                )
            after = self.steps[cursor.step + 1] if cursor.step + 1 < len(self.steps) else None
            asked = after is not None and after.kind == "check"
            return self._next(
                cursor, now, feedback=(step.exercise.id, rating), note="asked" if asked else "rated"
            )
        elif phase == "check" and action == "ck" and isinstance(arg, str) and arg in CHECK_ANSWERS:
            answer = CHECK_ANSWERS[arg]
            point = self.planned(step).question
            recorded = (step.exercise.id, point, answer) if answer and point is not None else None
            return self._next(cursor, now, answer=recorded, note=f"check_{arg}")
        return Invalid("stale")

    def _card(self, cursor: Cursor, step: Step, action: str, now: datetime) -> Outcome | Invalid:
        """Start or skip the exercise, answering the card's offer if it has one: a step up
        (`up`), a step down (`down`), the gentlest step after pain (`gentle`), or the dose
        as it is (`keep`, or `go` when nothing is offered)."""
        planned = self.planned(step)
        offer = planned.offer
        exercise = self.catalogue.exercise(planned.id)
        if action == "skipx":
            change = (
                self._change(planned, planned.step, "pain_skip", now) if offer == "pain" else None
            )
            new = self.enter(self._after_exercise(cursor), now)
            return Outcome(
                new,
                skips=(SkipNote(step.exercise.id, "skipped"),),
                note="skipped_exercise",
                finished="completed" if new.phase == "done" else None,
                change=change,
            )
        targets: dict[str, tuple[int, str]] = {}
        if offer == "up":
            targets = {"up": (planned.step + 1, "easy"), "keep": (planned.step, "kept")}
        elif offer in ("hard", "short"):
            targets = {"down": (planned.step - 1, offer), "keep": (planned.step, "kept")}
        elif offer == "pain":
            targets = {"gentle": (0, "pain")}
        elif action == "go":
            return self._next(cursor, now, note="started")
        if action not in targets:
            return Invalid("stale")
        to, reason = targets[action]
        moved = replace(
            at_step(exercise, to, planned.sets if not planned.full else None),
            question=planned.question,
            focus=planned.focus,
        )
        plan = self.plan.with_exercise(moved)
        walkthrough = Walkthrough(self.catalogue, plan, self.scale)
        return Outcome(
            walkthrough.enter(cursor.step + 1, now),
            note="started" if to == planned.step else "stepped",
            plan=plan,
            change=self._change(planned, moved.step, reason, now),
        )

    @staticmethod
    def _change(planned: PlannedExercise, to: int, reason: str, now: datetime) -> Change:
        return Change(planned.id, planned.step, to, reason, now)  # type: ignore[arg-type]

    def _record_reps(self, cursor: Cursor, step: Step, actual: int, now: datetime) -> Outcome:
        result = SetResult(
            step.exercise.id,
            step.side or "both",
            step.set_no,
            target_reps=step.exercise.dose.reps,
            actual_reps=actual,
        )
        return self._next(cursor, now, sets=(result,), note="set_done")

    def expire(self, cursor: Cursor, now: datetime) -> Outcome | None:
        """The running timer fired; None if it is not due yet (a countdown tick)."""
        if not cursor.running or cursor.ends_at is None or now < cursor.ends_at - EARLY_FIRE:
            return None
        return self._finish_phase(cursor, now, skipped=False)

    def _finish_phase(self, cursor: Cursor, now: datetime, *, skipped: bool) -> Outcome:
        step = self.steps[cursor.step]
        dose = step.exercise.dose
        if cursor.phase == "ready":
            return Outcome(self._timer(cursor.step, "work", now), note="go")
        if cursor.phase == "rest":
            return self._next(cursor, now, note="rest_over")
        # work
        if dose.kind == "paced":
            return Outcome(Cursor(cursor.step, "confirm"), note="paced_done")
        held = dose.hold_seconds or 0
        if skipped:
            held = min(held, round(self.elapsed_content(cursor, now)))
        result = SetResult(
            step.exercise.id,
            step.side or "both",
            step.set_no,
            target_seconds=dose.hold_seconds,
            actual_seconds=held,
        )
        return self._next(cursor, now, sets=(result,), note="set_done")
