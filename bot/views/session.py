"""What the runner sees of a guided routine: welcome, menu, cards, sets, rests, summary.

Pure functions, no I/O: every message the coach sends is built here, so length limits and
callback-data sizes can be checked in unit tests for every state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from html import escape

from bot.core.content import SIDE_LABELS, Catalogue
from bot.core.engine import Cursor, Outcome, Step, Walkthrough
from bot.views import callbacks
from bot.views.base import Buttons, View

# Encodes one session button: cb("go"), cb("n", 7).
Press = Callable[..., str]

RATING_LABELS = {"easy": "😌 Easy", "right": "👍 Just right", "hard": "😤 Hard", "pain": "🤕 Pain"}
SAFETY_NOTE = (
    "🤕 <b>Stop that exercise.</b> Never push through pain. "
    "If it is still there in a few days, see a physio or doctor."
)


def side_text(side: str | None) -> str:
    return SIDE_LABELS.get(side or "", "both sides")


def duration_text(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes >= 60:
        hours, minutes = divmod(minutes, 60)
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if rest < 15 else f"{minutes} min {rest} s"


def bar(fraction: float, width: int = 10) -> str:
    filled = max(0, min(width, round(fraction * width)))
    return "▓" * filled + "░" * (width - filled)


# --- menus -----------------------------------------------------------------------------


def welcome(first_name: str, catalogue: Catalogue) -> View:
    text = (
        f"Hi {escape(first_name or 'runner')}! 👋 I'm your hip coach.\n\n"
        "Three quick moves keep a runner's hips mobile, strong and supple. "
        "I'll time every hold and rest and keep count of your sets.\n\n"
        "Tap below to start, or send /help."
    )
    return View(text, [[("▶ Start a routine", callbacks.MENU)]])


def help_text(catalogue: Catalogue, commands: list[tuple[str, str]]) -> View:
    """The command list, the same one Telegram shows in its menu."""
    lines = ["<b>What I can do</b>"]
    lines += [f"/{name} — {escape(text)}" for name, text in commands]
    lines.append(f"\nExercises adapted from {escape(catalogue.credit)}.")
    return View("\n".join(lines))


def menu(catalogue: Catalogue) -> View:
    rows = [
        [
            (
                f"{r.emoji} {r.name} · {catalogue.routine_minutes(r.id)} min".strip(),
                callbacks.routine_choice(r.id),
            )
        ]
        for r in catalogue.routines.values()
    ]
    lines = ["<b>Pick a routine</b>"]
    for r in catalogue.routines.values():
        lines.append(f"{r.emoji} <b>{escape(r.name)}</b> — {escape(r.blurb)}")
    return View("\n".join(lines), rows)


def where(walkthrough: Walkthrough, cursor: Cursor) -> str:
    """`band hip flexion, set 2/2, left side` for continue prompts."""
    step = walkthrough.position(cursor)
    if step is None:
        return "the end"
    name = step.exercise.name
    if step.kind == "set":
        return f"{name}, set {step.set_no}/{step.sets}, {side_text(step.side)}"
    return name


def continue_prompt(
    walkthrough: Walkthrough, session_id: int, rev: int, cursor: Cursor, *, interrupted: bool
) -> View:
    head = (
        "⚠️ I was restarted while you were mid-routine. Your finished sets are saved."
        if interrupted
        else "You have a routine in progress."
    )
    text = (
        f"{head}\n<b>{escape(walkthrough.routine.name)}</b> — {escape(where(walkthrough, cursor))}"
    )
    data = partial(callbacks.resume_button, session_id, rev)
    return View(
        text,
        [
            [("▶ Continue", data("go")), ("↺ Start over", data("new"))],
            [("■ End it", data("end"))],
        ],
    )


# --- the guided session ----------------------------------------------------------------

NOTES = {
    "pain": SAFETY_NOTE,
    "paused": "",
    "resumed": "",
    "skipped_exercise": "⏭ Skipped.",
    "set_skipped": "⏭ Set skipped.",
}


def session_view(
    walkthrough: Walkthrough,
    session_id: int,
    rev: int,
    cursor: Cursor,
    now: datetime,
    *,
    note: str | None = None,
    picker: bool = False,
) -> View:
    """The message for the runner's current position."""
    step = walkthrough.step(cursor)
    assert step is not None, "a finished session has a summary, not a step view"
    cb: Press = partial(callbacks.session_button, session_id, rev)
    head = NOTES.get(note or "", "")
    if step.kind == "card":
        return View(
            _join(head, card_text(walkthrough, step)),
            [[("▶ Start", cb("go")), ("⏭ Skip", cb("skipx")), ("■ Stop", cb("stop"))]],
        )
    if step.kind == "feedback":
        text = f"✓ <b>{escape(step.exercise.name)}</b> done. How did it feel?"
        rows = [
            [
                (RATING_LABELS["easy"], cb("fb", "easy")),
                (RATING_LABELS["right"], cb("fb", "right")),
            ],
            [(RATING_LABELS["hard"], cb("fb", "hard")), (RATING_LABELS["pain"], cb("fb", "pain"))],
        ]
        return View(_join(head, text), rows)
    if step.kind == "rest":
        return View(
            _join(head, rest_text(walkthrough, step, cursor, now)), _timer_buttons(cb, cursor)
        )
    return View(
        _join(head, set_text(walkthrough, step, cursor, now, note)),
        _set_buttons(cb, step, cursor, picker),
    )


def _join(*parts: str) -> str:
    return "\n\n".join(p for p in parts if p)


def card_text(walkthrough: Walkthrough, step: Step) -> str:
    ex = step.exercise
    order = list(walkthrough.routine.exercises)
    number = f"{order.index(ex.id) + 1}/{len(order)}"
    sets = walkthrough.catalogue.sets_for(walkthrough.routine, ex)
    how = "\n".join(f"{i}. {escape(t)}" for i, t in enumerate(ex.technique, 1))
    watch = "\n".join(f"• {escape(w)}" for w in ex.watch)
    return (
        f"<b>{number} · {escape(ex.name)}</b> · {ex.category}\n"
        f"<i>Works: {escape(', '.join(ex.muscles))}</i>\n\n"
        f"<b>Why:</b> {escape(ex.why)}\n\n"
        f"<b>How:</b>\n{how}\n\n"
        f"<b>Watch:</b>\n{watch}\n\n"
        f"<b>Today:</b> {escape(ex.dose.summary(sets))}"
    )


def _set_title(step: Step) -> str:
    return (
        f"<b>Set {step.set_no}/{step.sets} · {side_text(step.side)}</b> · "
        f"{escape(step.exercise.dose.target_text())}"
    )


def set_text(
    walkthrough: Walkthrough, step: Step, cursor: Cursor, now: datetime, note: str | None
) -> str:
    dose = step.exercise.dose
    lines = []
    if note == "set_done" and step.switch:
        done = "Release ✓" if dose.kind == "hold" else "Set done ✓"
        lines.append(f"{done} — switch sides 🔄")
    elif note in ("set_done", "rest_over") and not step.switch:
        lines.append("Next set ▶" if note == "rest_over" else "Set done ✓")
    elif step.switch:
        lines.append("Switch sides 🔄")
    lines.append(_set_title(step))
    phase = cursor.paused_phase if cursor.phase == "paused" else cursor.phase
    remaining = walkthrough.remaining_content(cursor, now)
    if cursor.phase == "confirm":
        if dose.kind == "paced":
            lines.append(f"Set done ✓ Did you get all {dose.reps}?")
        else:
            lines.append("Tap <b>Done</b> when you've finished.")
    elif phase == "ready":
        lines.append(f"Get in position… starting in {_secs(remaining)}")
    elif phase == "work" and dose.kind == "hold":
        total = dose.hold_seconds or 1
        lines.append(f"⏱ <b>Hold</b> — {_secs(remaining)} left\n{bar(1 - remaining / total)}")
    elif phase == "work" and dose.kind == "paced":
        per_rep = max(1, (dose.hold_seconds or 0) + dose.lower_seconds)
        elapsed = walkthrough.elapsed_content(cursor, now)
        rep = min(dose.reps or 1, int(elapsed // per_rep) + 1)
        in_rep = elapsed - (rep - 1) * per_rep
        action = (
            f"lift and hold {dose.hold_seconds} s"
            if in_rep < (dose.hold_seconds or 0)
            else "lower slowly"
        )
        lines.append(
            f"⏱ <b>Rep {rep}/{dose.reps}</b> — {action}\n{bar((rep - 1) / (dose.reps or 1))}"
        )
    if cursor.phase == "paused":
        lines.append(f"⏸ Paused — {_secs(remaining)} left")
    return "\n".join(lines)


def rest_text(walkthrough: Walkthrough, step: Step, cursor: Cursor, now: datetime) -> str:
    remaining = walkthrough.remaining_content(cursor, now)
    total = step.exercise.dose.rest_seconds or 1
    nxt = walkthrough.steps[step.index + 1]
    state = "⏸ Paused" if cursor.phase == "paused" else "⏱ Rest"
    return (
        f"Set {step.set_no} done ✓\n"
        f"{state} — {_secs(remaining)} left\n{bar(1 - remaining / total)}\n"
        f"Next: set {nxt.set_no}/{nxt.sets} · {side_text(nxt.side)}"
    )


def _secs(seconds: float) -> str:
    return f"{max(0, int(-(-seconds // 1)))} s"


def _timer_buttons(cb: Press, cursor: Cursor) -> Buttons:
    if cursor.phase == "paused":
        return [[("▶ Resume", cb("resume")), ("■ Stop", cb("stop"))]]
    return [[("⏸ Pause", cb("pause")), ("⏭ Skip", cb("skip")), ("■ Stop", cb("stop"))]]


def _set_buttons(cb: Press, step: Step, cursor: Cursor, picker: bool) -> Buttons:
    dose = step.exercise.dose
    if cursor.phase == "confirm":
        target = dose.reps or 0
        if picker:
            numbers = [(str(n), cb("n", n)) for n in range(target)]
            rows = [numbers[i : i + 5] for i in range(0, len(numbers), 5)]
            return [*rows, [("‹ Back", cb("back"))]]
        done = f"✓ All {target}" if dose.kind == "paced" else "✓ Done"
        return [
            [(done, cb("done")), ("Did fewer", cb("fewer"))],
            [("⏭ Skip set", cb("skip")), ("🤕 Pain", cb("pain")), ("■ Stop", cb("stop"))],
        ]
    rows = _timer_buttons(cb, cursor)
    if cursor.phase != "paused":
        rows.append([("🤕 Pain", cb("pain"))])
    return rows


def closed_view(walkthrough: Walkthrough, cursor: Cursor, outcome: Outcome) -> View | None:
    """How a step's message reads once the runner has moved past it (no buttons left).

    Scrolling back, a runner sees what happened to each set ("✓ Held 30 s", "✓ 7/10"),
    not a frozen countdown. None: just remove the buttons.
    """
    step = walkthrough.step(cursor)
    if step is None:
        return None
    if step.kind == "rest":
        return View(f"Set {step.set_no} done ✓ · rest over")
    if step.kind != "set":
        return None
    dose = step.exercise.dose
    title = _set_title(step)
    if outcome.sets:
        result = outcome.sets[0]
        if result.actual_seconds is not None:
            held, target = result.actual_seconds, result.target_seconds
            line = f"✓ Held {held} s" if held == target else f"✓ Held {held} of {target} s"
        else:
            line = f"✓ {result.actual_reps}/{result.target_reps}"
        return View(f"{title}\n{line}")
    if outcome.note == "paced_done":
        return View(f"{title}\n✓ {dose.reps} reps paced")
    if outcome.note == "set_skipped":
        return View(f"{title}\n⏭ Skipped")
    if outcome.note == "pain":
        return View(f"{title}\n🤕 Stopped: pain")
    if outcome.finished:
        return View(f"{title}\n■ Stopped")
    return None


# --- endings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    routine_name: str
    status: str
    sets_done: int
    sets_planned: int
    minutes: float
    skipped: list[str]
    pain: list[str]
    completed_this_week: int


def summary(s: Summary, note: str | None = None) -> View:
    if s.status == "completed":
        head = f"🎉 <b>{escape(s.routine_name)} complete!</b>"
    elif note == "idle":
        head = f"💤 I closed your <b>{escape(s.routine_name)}</b> after a quiet spell."
    else:
        head = f"■ <b>{escape(s.routine_name)} stopped.</b>"
    lines = [
        head,
        f"Sets: {s.sets_done}/{s.sets_planned} · Time: {duration_text(s.minutes * 60)}",
    ]
    if s.skipped:
        lines.append("Skipped: " + escape(", ".join(s.skipped)))
    if s.pain:
        lines.append("Pain reported: " + escape(", ".join(s.pain)))
    if s.status != "completed" and s.sets_done:
        lines.append("Every finished set is saved.")
    week = s.completed_this_week
    lines.append(f"This week: {week} routine{'s' if week != 1 else ''} done 💪")
    text = "\n".join(lines)
    if note == "pain":
        text = SAFETY_NOTE + "\n\n" + text
    return View(text, [[("🔁 Another routine", callbacks.MENU)]])
