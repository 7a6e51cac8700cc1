"""The coaching engine: a pure state machine for one guided routine.

A routine unrolls into a fixed list of steps (card, set, rest, feedback per exercise). The
runner's position is a `Cursor` (step + phase + timer), which is what the database stores.
Every button press and every timer expiry is a pure function from the old cursor to an
`Outcome`: the new cursor plus what to record. Nothing here does I/O or reads the clock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from bot.core.content import Catalogue, Exercise

StepKind = Literal["card", "set", "rest", "feedback"]
Phase = Literal["card", "ready", "work", "confirm", "rest", "feedback", "paused", "done"]
Rating = Literal["easy", "right", "hard", "pain"]
TIMED_PHASES: frozenset[str] = frozenset({"ready", "work", "rest"})
# A timer that fires this close to its deadline counts as on time (scheduler jitter).
EARLY_FIRE = timedelta(milliseconds=50)
RATINGS: tuple[Rating, ...] = ("easy", "right", "hard", "pain")


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


@dataclass(frozen=True)
class Invalid:
    """The press does not apply to where the runner is; nothing changes."""

    reason: str


class Walkthrough:
    """One routine (the content) unrolled into steps, with the transitions between them.

    `walkthrough.routine` is the content model (name, exercises); the id string is
    `walkthrough.routine.id`.
    """

    def __init__(self, catalogue: Catalogue, routine_id: str, time_scale: float = 1.0) -> None:
        self.catalogue = catalogue
        self.routine = catalogue.routine(routine_id)
        self.scale = time_scale
        self.steps: tuple[Step, ...] = tuple(self._unroll())

    def _unroll(self) -> list[Step]:
        steps: list[Step] = []

        def add(kind: StepKind, exercise: Exercise, **kw: object) -> None:
            steps.append(Step(len(steps), kind, exercise, **kw))  # type: ignore[arg-type]

        for exercise_id in self.routine.exercises:
            exercise = self.catalogue.exercise(exercise_id)
            sets = self.catalogue.sets_for(self.routine, exercise)
            add("card", exercise)
            for set_no in range(1, sets + 1):
                for i, side in enumerate(exercise.dose.side_list()):
                    add("set", exercise, set_no=set_no, sets=sets, side=side, switch=i > 0)
                if set_no < sets:
                    add("rest", exercise, set_no=set_no, sets=sets)
            add("feedback", exercise)
        return steps

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
            if action == "go":
                return self._next(cursor, now, note="started")
            if action == "skipx":
                new = self.enter(self._after_exercise(cursor), now)
                return Outcome(
                    new,
                    skips=(SkipNote(step.exercise.id, "skipped"),),
                    note="skipped_exercise",
                    finished="completed" if new.phase == "done" else None,
                )
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
            return self._next(
                cursor,
                now,
                feedback=(step.exercise.id, rating),
                note="pain" if rating == "pain" else "rated",
            )
        return Invalid("stale")

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
