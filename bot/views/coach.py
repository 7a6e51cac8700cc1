"""Words for the adaptive coach, shared by /progress and the weekly note: ladder levels, a
step's dose, why a change was made, and tightness numbers."""

from __future__ import annotations

from bot.core.coach import Change
from bot.core.content import Exercise
from bot.core.localtime import local_day
from bot.core.text import N_
from bot.views.i18n import Translator
from bot.views.session import dose_summary

# Why the runner moved on a ladder (a `ladder_changes.reason`), after "since 3 Dec:".
REASONS = {
    # Translators: why the runner's dose went up: three easy sessions in a row.
    "easy": N_("stepped up after 3 easy sessions"),
    "hard": N_("stepped down after hard sessions"),
    "short": N_("stepped down after sets cut short"),
    "pain": N_("gentlest step after pain"),
    "pain_skip": N_("skipped after pain"),
    "kept": N_("kept the dose"),
    "paused": N_("paused after pain twice"),
    "resumed": N_("brought back"),
}


def level_text(t: Translator, exercise: Exercise, step: int) -> str:
    """`gentle`, or `level 2 of 3` counting from the article's dose (level 1)."""
    start = exercise.ladder.start
    if step < start:
        # Translators: the easiest dose of an exercise, below the article's (level 1).
        return t._("gentle")
    # Translators: where the runner is on an exercise's ladder of doses.
    return t._(
        "level {level} of {levels}",
        level=t.number(step - start + 1),
        levels=t.number(exercise.ladder.top - start + 1),
    )


def step_dose(t: Translator, exercise: Exercise, step: int) -> str:
    """The dose at ladder `step`, in one line: `2 × 12 each side` (a ladder's steps never
    change the rest). Pass the exercise from the runner's content (`t.content`)."""
    return dose_summary(t, exercise.dose_at(step), rest=False)


def change_text(t: Translator, change: Change, tz: str) -> str:
    """`stepped up after 3 easy sessions on Thu 3 Dec`: why, and the runner's local day."""
    # Translators: {reason} is why a dose changed ("stepped up after 3 easy sessions").
    return t._(
        "{reason} on {day}",
        reason=t.msg(REASONS[change.reason]),
        day=t.day(local_day(change.at, tz)),
    )


def tightness_value(t: Translator, value: float) -> str:
    """A tightness average, `4.5` (`4,5` in Spanish), without a trailing `.0`."""
    return t.number(round(value, 1))


def signed(t: Translator, value: float) -> str:
    """A change with its sign: `−1.5`, `+2`, `0`."""
    text = tightness_value(t, abs(value))
    if round(value, 1) == 0:
        return text
    return ("−" if value < 0 else "+") + text
