"""What the runner sees of a guided routine: welcome, menu, cards, sets, rests, summary.

Pure functions, no I/O: every message the coach sends is built here, so length limits and
callback-data sizes can be checked in unit tests for every state. Each takes the runner's
Translator first; exercise and routine words come from the walkthrough, which the service
builds from the session's plan in the runner's language (`svc.walkthrough(plan, t.lang)`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from html import escape

from bot.core import dosing
from bot.core.content import Dose
from bot.core.engine import Cursor, Step, Walkthrough
from bot.core.text import N_, Msg
from bot.views import callbacks
from bot.views.base import Buttons, View
from bot.views.commands import command_menu
from bot.views.i18n import Translator

# Encodes one session button: cb("go"), cb("n", 7).
Press = Callable[..., str]

SIDES = {"right": N_("right side"), "left": N_("left side")}
BOTH_SIDES = N_("both sides")
CATEGORIES = {
    "mobility": N_("mobility"),
    "strength": N_("strength"),
    "flexibility": N_("flexibility"),
}
RATING_LABELS = {
    "easy": N_("😌 Easy"),
    "right": N_("👍 Just right"),
    "hard": N_("😤 Hard"),
    "pain": N_("🤕 Pain"),
}
SAFETY_NOTE = N_(
    "🤕 <b>Stop that exercise.</b> Never push through pain. "
    "If it is still there in a few days, see a physio or doctor."
)
PHYSIO_NOTE = N_(
    "🩺 <b>That's pain twice in two weeks.</b> Please see a physiotherapist. I'll leave this "
    "exercise out of your routines until you bring it back in /settings."
)
TIGHTNESS_RANGE = range(0, 11)
# One set's result on the live tracker: (reps done, seconds held); one of them is None.
Result = tuple[int | None, int | None]


# --- words for doses and times (other views may use these too) -----------------------


def side_text(t: Translator, side: str | None) -> str:
    """`right side`, `left side`, or `both sides` for an exercise done on both at once."""
    return t.msg(SIDES.get(side or "", BOTH_SIDES))


def duration_text(t: Translator, seconds: float) -> str:
    """`45 s`, `1 min 35 s`, `20 h 54 min`: how long something took."""
    seconds = round(seconds)
    if seconds < 60:
        return t._("{seconds} s", seconds=seconds)
    minutes, rest = divmod(seconds, 60)
    if minutes >= 60:
        hours, minutes = divmod(minutes, 60)
        if minutes:
            return t._("{hours} h {minutes} min", hours=hours, minutes=minutes)
        return t._("{hours} h", hours=hours)
    if rest < 15:
        return t._("{minutes} min", minutes=minutes)
    return t._("{minutes} min {seconds} s", minutes=minutes, seconds=rest)


def dose_summary(t: Translator, dose: Dose, sets: int | None = None, *, rest: bool = True) -> str:
    """The dose in one line: `2 × 10 each side, 30 s rest` (without the rest: `rest=False`,
    where doses are compared, as a ladder's steps never change it)."""
    n = sets or dose.sets
    if dose.kind == "hold":
        parts = [
            t._("{sets} × {seconds} s hold each side", sets=n, seconds=dose.hold_seconds)
            if dose.sides
            else t._("{sets} × {seconds} s hold", sets=n, seconds=dose.hold_seconds)
        ]
    else:
        parts = [
            # Translators: sets × reps, e.g. "2 × 10 each side".
            t._("{sets} × {reps} each side", sets=n, reps=dose.reps)
            if dose.sides
            else t._("{sets} × {reps}", sets=n, reps=dose.reps)
        ]
        if dose.kind == "paced":
            parts.append(t._("{seconds} s hold at the top", seconds=dose.hold_seconds))
    if n > 1 and rest:
        parts.append(t._("{seconds} s rest", seconds=dose.rest_seconds))
    return ", ".join(parts)


def target_text(t: Translator, dose: Dose) -> str:
    """`10 slow hip circles`, `hold 30 s`: one set on one side. Pass the dose of the
    exercise in the runner's language (its `cue` is translated content)."""
    if dose.kind == "hold":
        return t._("hold {seconds} s", seconds=dose.hold_seconds)
    # Translators: {cue} is the content's cue, written to follow the count ("slow hip circles").
    return t._("{reps} {cue}", reps=dose.reps, cue=dose.cue)


def bar(fraction: float, width: int = 10) -> str:
    filled = max(0, min(width, round(fraction * width)))
    return "▓" * filled + "░" * (width - filled)


# --- menus -----------------------------------------------------------------------------


def welcome(t: Translator, first_name: str) -> View:
    hello = (
        t._("Hi {name}! 👋 I'm your hip coach.", name=escape(first_name))
        if first_name
        else t._("Hi! 👋 I'm your hip coach.")
    )
    text = "\n\n".join(
        [
            hello,
            t._(
                "Three quick moves keep a runner's hips mobile, strong and supple. "
                "I'll time every hold and rest and keep count of your sets."
            ),
            t._("Tap below to start, or send /help."),
        ]
    )
    return View(text, [[(t._("▶ Start a routine"), callbacks.MENU)]])


def help_text(t: Translator, commands: Sequence[tuple[str, Msg]]) -> View:
    """The command list, the same one Telegram shows in its menu."""
    # The heading is the /help command's own description (bot.views.commands).
    heading = t._("What I can do")
    lines = [f"<b>{escape(heading)}</b>"]
    lines += [f"/{name} — {escape(text)}" for name, text in command_menu(t, commands)]
    # Translators: {credit} is the article's title, author and magazine, kept as published.
    lines.append("\n" + t._("Exercises adapted from {credit}.", credit=escape(t.content.credit)))
    return View("\n".join(lines))


def menu(t: Translator, minutes_of: Mapping[str, int] | None = None) -> View:
    """The routines, in the runner's language, each with its estimated time: `minutes_of`
    the runner's own doses (a routine missing from it has every exercise paused)."""
    catalogue = t.content
    rows = []
    for r in catalogue.routines.values():
        if minutes_of is not None and r.id not in minutes_of:
            continue
        minutes = minutes_of[r.id] if minutes_of is not None else catalogue.routine_minutes(r.id)
        # Translators: a routine's button: its name and estimated minutes.
        label = t._("{name} · {minutes} min", name=r.name, minutes=minutes)
        rows.append([(f"{r.emoji} {label}".strip(), callbacks.routine_choice(r.id))])
    lines = [t._("<b>Pick a routine</b>")]
    for r in catalogue.routines.values():
        if minutes_of is not None and r.id not in minutes_of:
            continue
        lines.append(f"{r.emoji} <b>{escape(r.name)}</b> — {escape(r.blurb)}".strip())
    return View("\n".join(lines), rows)


def where(t: Translator, walkthrough: Walkthrough, cursor: Cursor) -> str:
    """`Band hip flexion and hold, set 2/2, left side` for continue prompts."""
    step = walkthrough.position(cursor)
    if step is None:
        # Translators: where a runner is in their routine, when they are past the last step.
        return t._("the end")
    name = step.exercise.name
    if step.kind == "set":
        return t._(
            "{exercise}, set {set_no}/{sets}, {side}",
            exercise=name,
            set_no=step.set_no,
            sets=step.sets,
            side=side_text(t, step.side),
        )
    return name


def continue_prompt(
    t: Translator,
    walkthrough: Walkthrough,
    session_id: int,
    rev: int,
    cursor: Cursor,
    *,
    interrupted: bool,
) -> View:
    head = (
        t._("⚠️ I was restarted while you were mid-routine. Your finished sets are saved.")
        if interrupted
        else t._("You have a routine in progress.")
    )
    position = escape(where(t, walkthrough, cursor))
    text = f"{head}\n<b>{escape(walkthrough.routine.name)}</b> — {position}"
    data = partial(callbacks.resume_button, session_id, rev)
    return View(
        text,
        [
            [(t._("▶ Continue"), data("go")), (t._("↺ Start over"), data("new"))],
            [(t._("■ End it"), data("end"))],
        ],
    )


# --- the guided session ----------------------------------------------------------------


def _note(t: Translator, note: str | None) -> str:
    """What just happened, above the step it led to ("" for nothing worth saying)."""
    if note == "pain":
        return t.msg(SAFETY_NOTE)
    if note == "pain_paused":
        return t.msg(PHYSIO_NOTE)
    if note == "skipped_exercise":
        # Translators: a whole exercise was skipped (its next one follows).
        return t.p_("exercise", "⏭ Skipped.")
    if note == "set_skipped":
        return t._("⏭ Set skipped.")
    return ""


def session_view(
    t: Translator,
    walkthrough: Walkthrough,
    session_id: int,
    rev: int,
    cursor: Cursor,
    now: datetime,
    *,
    note: str | None = None,
    picker: bool = False,
    tight_before: int | None = None,
    done: Sequence[Result] = (),
) -> View:
    """The message for the runner's current position: an exercise's card, then the same
    message as its live tracker. The first card of a session with check-ins asks for hip
    tightness (`tight_before` once given). `done`: this exercise's sets so far."""
    step = walkthrough.step(cursor)
    assert step is not None, "a finished session has a summary, not a step view"
    cb: Press = partial(callbacks.session_button, session_id, rev)
    head = _note(t, note)
    if step.kind == "card":
        checkin = walkthrough.plan.checkin and step.index == 0
        text = _join(head, card_text(t, walkthrough, step))
        rows: Buttons = []
        if checkin and tight_before is None:
            text = _join(
                text,
                t._(
                    "📏 How tight do your hips feel? Tap 0 (loose) to 10 (very tight), "
                    "or just start."
                ),
            )
            rows += tightness_rows(partial(callbacks.checkin_button, session_id, "b"))
        elif checkin and tight_before is not None:
            text = _join(text, t._("📏 Hip tightness: {value}/10 ✓", value=tight_before))
        # The card's own buttons first: Start stays where the thumb expects it.
        return View(text, _card_buttons(t, cb, walkthrough.planned(step).offer) + rows)
    if step.kind == "check":
        point = walkthrough.planned(step).question or 0
        questions = step.exercise.questions
        question = questions[min(point, len(questions) - 1)]
        over = t._("✓ <b>{exercise}</b> done.", exercise=escape(step.exercise.name))
        return View(
            _join(head, over, f"💭 {escape(question)}"),
            [
                [(t._("👍 Yes"), cb("ck", "yes")), (t._("🤏 Not quite"), cb("ck", "nq"))],
                [(t._("⏭ Skip"), cb("ck", "skip"))],
            ],
        )
    if step.kind == "feedback":
        text = t._(
            "✓ <b>{exercise}</b> done. How did it feel?", exercise=escape(step.exercise.name)
        )

        def rate(rating: str) -> tuple[str, str]:
            return (t.msg(RATING_LABELS[rating]), cb("fb", rating))

        return View(
            _join(head, text), [[rate("easy"), rate("right")], [rate("hard"), rate("pain")]]
        )
    tally = done_text(t, done)
    if step.kind == "rest":
        return View(
            _join(head, rest_text(t, walkthrough, step, cursor, now), tally),
            _timer_buttons(t, cb, cursor),
        )
    return View(
        _join(head, set_text(t, walkthrough, step, cursor, now, note), tally),
        _set_buttons(t, cb, step, cursor, picker),
    )


def done_text(t: Translator, done: Sequence[Result]) -> str:
    """`Done: 10 · 10 · 8` or `Done: 30 s · 30 s`: the exercise's sets so far, in order."""
    if not done:
        return ""
    # Translators: the sets of this exercise done so far, e.g. "Done: 10 · 10 · 8".
    return t._("<i>Done: {results}</i>", results=escape(results_text(t, done)))


def results_text(t: Translator, done: Sequence[Result]) -> str:
    """`10 · 10 · 8` or `30 s · 30 s`: sets in order (plain text)."""
    return " · ".join(
        t._("{seconds} s", seconds=seconds) if seconds is not None else str(reps or 0)
        for reps, seconds in done
    )


def _ping(t: Translator) -> str:
    """Under a running hold, paced set or rest: the runner may look away."""
    return t._("🔔 I'll ping you when it's over.")


def _join(*parts: str) -> str:
    return "\n\n".join(p for p in parts if p)


def tightness_rows(data: Callable[[int], str]) -> Buttons:
    """0 to 10 on two rows of a phone's width; `data(value)` is each button's payload."""
    numbers = [(str(n), data(n)) for n in TIGHTNESS_RANGE]
    return [numbers[:6], numbers[6:]]


def _card_buttons(t: Translator, cb: Press, offer: str | None) -> Buttons:
    """Start / Skip / Stop, or the offer's two answers in Start's place."""
    skip, stop = (t._("⏭ Skip"), cb("skipx")), (t._("■ Stop"), cb("stop"))
    if offer == "up":
        return [[(t._("⬆ Step up"), cb("up")), (t._("▶ Keep"), cb("keep"))], [skip, stop]]
    if offer in ("hard", "short"):
        return [[(t._("⬇ Ease back"), cb("down")), (t._("▶ Keep"), cb("keep"))], [skip, stop]]
    if offer == "pain":
        return [[(t._("🌱 Go gently"), cb("gentle")), (t._("⏭ Skip today"), cb("skipx"))], [stop]]
    return [[(t._("▶ Start"), cb("go")), skip, stop]]


def _offer_text(t: Translator, walkthrough: Walkthrough, step: Step) -> str:
    """What the card offers, above the exercise (HTML)."""
    planned = walkthrough.planned(step)
    exercise = walkthrough.catalogue.exercise(step.exercise.id)
    if planned.offer == "up":
        dose = escape(dose_summary(t, exercise.dose_at(planned.step + 1), rest=False))
        return t._(
            "💪 <b>Easy three times in a row!</b> Step up to {dose}, or keep today's dose?",
            dose=dose,
        )
    if planned.offer in ("hard", "short"):
        dose = escape(dose_summary(t, exercise.dose_at(planned.step - 1), rest=False))
        if planned.offer == "hard":
            return t._("😤 <b>Hard twice in a row.</b> Ease back to {dose}?", dose=dose)
        return t._("<b>Sets came up short twice in a row.</b> Ease back to {dose}?", dose=dose)
    if planned.offer == "pain":
        dose = escape(dose_summary(t, exercise.dose_at(0), rest=False))
        return t._(
            "🤕 <b>This hurt last time.</b> Never push through pain; if it keeps coming back, "
            "see a physio or doctor. Go gently with {dose}, or skip it today.",
            dose=dose,
        )
    return ""


def card_text(t: Translator, walkthrough: Walkthrough, step: Step) -> str:
    """The exercise: what it works, why, how, what to watch and today's dose; above it,
    the coach's offer and the point to focus on, if any."""
    ex = step.exercise
    planned = walkthrough.planned(step)
    order = list(walkthrough.order)
    number = f"{order.index(ex.id) + 1}/{len(order)}"
    how = "\n".join(f"{i}. {escape(line)}" for i, line in enumerate(ex.technique, 1))
    points = list(ex.watch)
    if planned.focus is not None and planned.focus < len(points):
        points.insert(0, points.pop(planned.focus))
    watch = "\n".join(f"• {escape(w)}" for w in points)
    category = t.msg(CATEGORIES[ex.category])
    top = []
    if planned.offer:
        top += [_offer_text(t, walkthrough, step), ""]
    if planned.focus is not None and planned.focus < len(ex.watch):
        # Translators: the watch point the runner said "not quite" to last time.
        top += [t._("🎯 <b>Focus today:</b> {point}", point=escape(ex.watch[planned.focus])), ""]
    # Translators: today's dose, e.g. "Today: 2 × 10 each side, 30 s rest".
    today = t._("<b>Today:</b> {dose}", dose=escape(dose_summary(t, ex.dose)))
    if walkthrough.plan.minutes is not None and not planned.full:
        # Translators: after today's dose, when the session was shortened to fit the time
        # there is; {minutes} is the whole session's new estimate.
        estimate = dosing.minutes(walkthrough.seconds())
        today += "\n" + t._("<i>Trimmed to about {minutes} min.</i>", minutes=estimate)
    return "\n".join(
        [
            *top,
            f"<b>{number} · {escape(ex.name)}</b> · {escape(category)}",
            # Translators: the muscles an exercise works, e.g. "Works: Hip flexors (psoas)".
            t._("<i>Works: {muscles}</i>", muscles=escape(", ".join(ex.muscles))),
            "",
            t._("<b>Why:</b> {why}", why=escape(ex.why)),
            "",
            t._("<b>How:</b>"),
            how,
            "",
            # Translators: heading of the points to watch out for while doing the exercise.
            t._("<b>Watch:</b>"),
            watch,
            "",
            today,
        ]
    )


def _set_title(t: Translator, step: Step) -> str:
    return t._(
        "<b>Set {set_no}/{sets} · {side}</b> · {target}",
        set_no=step.set_no,
        sets=step.sets,
        side=side_text(t, step.side),
        target=escape(target_text(t, step.exercise.dose)),
    )


def set_text(
    t: Translator,
    walkthrough: Walkthrough,
    step: Step,
    cursor: Cursor,
    now: datetime,
    note: str | None,
) -> str:
    dose = step.exercise.dose
    lines = []
    if cursor.phase == "confirm" and dose.kind == "paced":
        pass  # "Set done ✓ Did you get all 15?" comes first, below the title
    elif note == "set_done" and step.switch:
        if dose.kind == "hold":
            # Translators: a timed stretch is over; the runner now does the other side.
            lines.append(t._("Release ✓ — switch sides 🔄"))
        else:
            lines.append(t._("Set done ✓ — switch sides 🔄"))
    elif note == "rest_over" and not step.switch:
        lines.append(t._("Next set ▶"))
    elif note == "set_done" and not step.switch:
        lines.append(t._("Set done ✓"))
    elif step.switch:
        lines.append(t._("Switch sides 🔄"))
    lines.append(_set_title(t, step))
    phase = cursor.paused_phase if cursor.phase == "paused" else cursor.phase
    remaining = walkthrough.remaining_content(cursor, now)
    left = _secs(remaining)
    if cursor.phase == "confirm":
        if dose.kind == "paced":
            reps = dose.reps or 0
            # The moment to act comes first: it is what a notification shows.
            lines.insert(
                0,
                t.n_("Set done ✓ Did you get all {n}?", "Set done ✓ Did you get all {n}?", reps),
            )
        else:
            # Translators: <b>Done</b> is the "✓ Done" button below the message.
            lines.append(t._("Tap <b>Done</b> when you've finished."))
    elif phase == "ready":
        # Translators: a get-ready countdown in seconds ("s"), as it stood when drawn.
        lines.append(
            t.n_("Get in position… starting in {n} s", "Get in position… starting in {n} s", left)
        )
    elif phase == "work" and dose.kind == "hold":
        total = dose.hold_seconds or 1
        # Translators: a countdown in seconds ("s") while the runner holds the stretch.
        hold = t.n_("⏱ <b>Hold</b> — {n} s left", "⏱ <b>Hold</b> — {n} s left", left)
        lines.append(f"{hold}\n{bar(1 - remaining / total)}")
    elif phase == "work" and dose.kind == "paced":
        per_rep = max(1, (dose.hold_seconds or 0) + dose.lower_seconds)
        elapsed = walkthrough.elapsed_content(cursor, now)
        reps = dose.reps or 1
        rep = min(reps, int(elapsed // per_rep) + 1)
        # Redrawn only now and then: the rhythm, and about where the runner should be.
        line = t._(
            "⏱ <b>Rep {rep}/{reps}</b> · lift, hold {hold} s, lower for {lower} s",
            rep=rep,
            reps=reps,
            hold=dose.hold_seconds or 0,
            lower=dose.lower_seconds,
        )
        lines.append(f"{line}\n{bar((rep - 1) / reps)}")
    if cursor.phase in ("ready", "work"):
        # Also under a get-ready: if its "go" edit gives way under load, this still reads
        # true while the runner holds.
        lines.append(_ping(t))
    if cursor.phase == "paused":
        lines.append(t.n_("⏸ Paused — {n} s left", "⏸ Paused — {n} s left", left))
    return "\n".join(lines)


def rest_text(
    t: Translator, walkthrough: Walkthrough, step: Step, cursor: Cursor, now: datetime
) -> str:
    remaining = walkthrough.remaining_content(cursor, now)
    total = step.exercise.dose.rest_seconds or 1
    nxt = walkthrough.steps[step.index + 1]
    left = _secs(remaining)
    state = (
        t.n_("⏸ Paused — {n} s left", "⏸ Paused — {n} s left", left)
        if cursor.phase == "paused"
        else t.n_("⏱ Rest — {n} s left", "⏱ Rest — {n} s left", left)
    )
    return "\n".join(
        [
            # Translators: {set_no} is the set's number: "Set 1 done ✓".
            t._("Set {set_no} done ✓", set_no=step.set_no),
            state,
            bar(1 - remaining / total),
            *([] if cursor.phase == "paused" else [_ping(t)]),
            t._(
                "Next: set {set_no}/{sets} · {side}",
                set_no=nxt.set_no,
                sets=nxt.sets,
                side=side_text(t, nxt.side),
            ),
        ]
    )


def _secs(seconds: float) -> int:
    """Whole seconds left on a countdown, rounded up (it shows 1 until it is over)."""
    return max(0, int(-(-seconds // 1)))


def _timer_buttons(t: Translator, cb: Press, cursor: Cursor) -> Buttons:
    if cursor.phase == "paused":
        return [[(t._("▶ Resume"), cb("resume")), (t._("■ Stop"), cb("stop"))]]
    return [
        [
            (t._("⏸ Pause"), cb("pause")),
            (t._("⏭ Skip"), cb("skip")),
            (t._("■ Stop"), cb("stop")),
        ]
    ]


def _set_buttons(t: Translator, cb: Press, step: Step, cursor: Cursor, picker: bool) -> Buttons:
    dose = step.exercise.dose
    if cursor.phase == "confirm":
        target = dose.reps or 0
        if picker:
            numbers = [(str(n), cb("n", n)) for n in range(target)]
            rows = [numbers[i : i + 5] for i in range(0, len(numbers), 5)]
            return [*rows, [(t._("‹ Back"), cb("back"))]]
        done = t.n_("✓ All {n}", "✓ All {n}", target) if dose.kind == "paced" else t._("✓ Done")
        return [
            [(done, cb("done")), (t._("Did fewer"), cb("fewer"))],
            [
                (t._("⏭ Skip set"), cb("skip")),
                (t.msg(RATING_LABELS["pain"]), cb("pain")),
                (t._("■ Stop"), cb("stop")),
            ],
        ]
    rows = _timer_buttons(t, cb, cursor)
    if cursor.phase != "paused":
        rows.append([(t.msg(RATING_LABELS["pain"]), cb("pain"))])
    return rows


# --- endings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Skip:
    """Something the runner skipped: a whole exercise (no set_no) or one set."""

    exercise: str  # its name, in the runner's language
    set_no: int | None = None
    side: str | None = None  # "right", "left", None for both at once


@dataclass(frozen=True)
class Summary:
    routine_name: str
    status: str
    sets_done: int
    sets_planned: int
    minutes: float
    skipped: list[Skip]
    pain: list[str]
    completed_this_week: int
    # Hip tightness: asked after the session when the plan has check-ins (`session_id`
    # goes in the buttons); the values given so far.
    checkin: bool = False
    session_id: int = 0
    tight_before: int | None = None
    tight_after: int | None = None
    # Each exercise's sets, in order, and how it felt: the record a runner scrolls back to
    # (the exercise's own messages are deleted once it is over).
    exercises: Sequence[ExerciseResult] = ()


@dataclass(frozen=True)
class ExerciseResult:
    name: str  # in the runner's language
    sets: Sequence[Result]
    rating: str | None = None  # "easy", "right", "hard", "pain"


def _exercise_line(t: Translator, result: ExerciseResult) -> str:
    """`• Hip rotations: 10 · 10 · 10 · 10 — 👍 Just right`"""
    line = f"• {escape(result.name)}: {escape(results_text(t, result.sets))}"
    if result.rating in RATING_LABELS:
        line += f" — {escape(t.msg(RATING_LABELS[result.rating]))}"
    return line


def _skip_text(t: Translator, skip: Skip) -> str:
    if skip.set_no is None:
        return skip.exercise
    if skip.side is None:
        return t._("{exercise} (set {set_no})", exercise=skip.exercise, set_no=skip.set_no)
    return t._(
        "{exercise} (set {set_no}, {side})",
        exercise=skip.exercise,
        set_no=skip.set_no,
        side=side_text(t, skip.side),
    )


def summary(t: Translator, s: Summary, note: str | None = None) -> View:
    name = escape(s.routine_name)
    if s.status == "completed":
        head = t._("🎉 <b>{routine} complete!</b>", routine=name)
    elif note == "idle":
        head = t._("💤 I closed your <b>{routine}</b> after a quiet spell.", routine=name)
    else:
        head = t._("■ <b>{routine} stopped.</b>", routine=name)
    lines = [
        head,
        t._(
            "Sets: {done}/{planned} · Time: {duration}",
            done=s.sets_done,
            planned=s.sets_planned,
            duration=duration_text(t, s.minutes * 60),
        ),
    ]
    lines += [_exercise_line(t, e) for e in s.exercises if e.sets]
    if s.skipped:
        skipped = ", ".join(_skip_text(t, skip) for skip in s.skipped)
        # Translators: {items} lists skipped exercises and sets ("Band flexion (set 2)").
        lines.append(t._("Skipped: {items}", items=escape(skipped)))
    if s.pain:
        lines.append(t._("Pain reported: {exercises}", exercises=escape(", ".join(s.pain))))
    if s.status != "completed" and s.sets_done:
        lines.append(t._("Every finished set is saved."))
    lines.append(
        t.n_(
            "This week: {n} routine done 💪",
            "This week: {n} routines done 💪",
            s.completed_this_week,
        )
    )
    rows: Buttons = []
    if s.checkin and s.status != "abandoned":
        lines.append("")
        lines.append(_tightness_after(t, s))
        if s.tight_after is None:
            rows += tightness_rows(partial(callbacks.checkin_button, s.session_id, "a"))
    text = "\n".join(lines)
    if note == "pain":
        text = t.msg(SAFETY_NOTE) + "\n\n" + text
    elif note == "pain_paused":
        text = t.msg(PHYSIO_NOTE) + "\n\n" + text
    return View(text, [*rows, [(t._("🔁 Another routine"), callbacks.MENU)]])


def _tightness_after(t: Translator, s: Summary) -> str:
    """The question after a session, or the answer with the change since before."""
    if s.tight_after is None:
        return t._("📏 How tight do your hips feel now? Tap 0 (loose) to 10 (very tight).")
    if s.tight_before is None:
        return t._("📏 Hip tightness: {value}/10 ✓", value=s.tight_after)
    change = s.tight_after - s.tight_before
    if change < 0:
        # Translators: hip tightness before → after a routine, and how much looser.
        return t._(
            "📏 Hip tightness: {before} → {after} (−{change}) 🎉",
            before=s.tight_before, after=s.tight_after, change=-change,
        )  # fmt: skip
    if change > 0:
        return t._(
            "📏 Hip tightness: {before} → {after} (+{change})",
            before=s.tight_before, after=s.tight_after, change=change,
        )  # fmt: skip
    return t._(
        "📏 Hip tightness: {before} → {after} (no change)",
        before=s.tight_before,
        after=s.tight_after,
    )


# --- sessions that fit the time you have -----------------------------------------------


def fitted_preview(t: Translator, walkthrough: Walkthrough, minutes: int) -> View:
    """`/routine 5`: the session built for 5 minutes, its estimate, and a Start button."""
    estimate = dosing.minutes(walkthrough.seconds())
    if estimate <= minutes and walkthrough.plan.minutes is None:
        head = t._(
            "⏱ <b>{routine}</b> fits in {minutes} min: about {estimate} min.",
            routine=escape(walkthrough.routine.name), minutes=minutes, estimate=estimate,
        )  # fmt: skip
    elif estimate <= minutes:
        head = t._(
            "⏱ <b>A {minutes}-minute session</b>, about {estimate} min by my count:",
            minutes=minutes, estimate=estimate,
        )  # fmt: skip
    else:
        head = t._(
            "⏱ The shortest I can make it, keeping a set on each side: about {estimate} min.",
            estimate=estimate,
        )
    lines = [head]
    for exercise in walkthrough.exercises.values():
        lines.append(f"• {escape(exercise.name)}: {escape(dose_summary(t, exercise.dose))}")
    start = callbacks.routine_choice(walkthrough.routine.id, minutes)
    return View("\n".join(lines), [[(t._("▶ Start"), start)]])


def fit_usage(t: Translator, low: int, high: int) -> View:
    """`/routine` followed by something that is not a number of minutes."""
    return View(
        t._(
            "Send /routine alone to pick a routine, or with the minutes you have: "
            "/routine 5 ({low}–{high}).",
            low=low,
            high=high,
        )
    )


def all_paused(t: Translator, names: Sequence[str]) -> View:
    """The routine's every exercise is paused after pain."""
    return View(
        t._(
            "⏸ {exercises}: paused after pain. Bring it back in /settings when it feels right, "
            "or pick another /routine.",
            exercises=escape(", ".join(names)),
        )
    )
