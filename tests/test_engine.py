"""The pure coaching engine: steps, transitions, timers, pause, skip, pain, stale presses."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.content import load_catalogue
from bot.core.engine import Cursor, Invalid, Outcome, Walkthrough

T0 = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
CAT = load_catalogue()


def routine(name="full", scale=1.0):
    return Walkthrough(CAT, name, scale)


def kinds(r):
    return [(s.kind, s.exercise.id, s.set_no, s.side) for s in r.steps]


def test_full_routine_unrolls_sets_sides_and_rests():
    r = routine()
    sets = r.set_steps()
    assert len(sets) == 12  # 3 exercises x 2 sets x 2 sides
    assert kinds(r)[:7] == [
        ("card", "rotations", 0, None),
        ("set", "rotations", 1, "right"),
        ("set", "rotations", 1, "left"),
        ("rest", "rotations", 1, None),
        ("set", "rotations", 2, "right"),
        ("set", "rotations", 2, "left"),
        ("feedback", "rotations", 0, None),
    ]
    assert [s.switch for s in sets[:2]] == [False, True]
    assert len(routine("quick").set_steps()) == 6
    assert {s.exercise.id for s in routine("pre_run").set_steps()} == {"rotations", "flexion"}
    assert {s.exercise.id for s in routine("post_run").set_steps()} == {"ninety_ninety"}


def walk_to(r, kind, exercise):
    return next(s.index for s in r.steps if s.kind == kind and s.exercise.id == exercise)


def test_reps_done_and_did_fewer_record_sets():
    r = routine()
    c = r.enter(1, T0)
    assert c.phase == "confirm"
    out = r.press(c, "done", None, T0)
    assert isinstance(out, Outcome)
    assert out.sets[0].actual_reps == 10 and out.sets[0].side == "right"
    out2 = r.press(out.cursor, "n", 7, T0)
    assert out2.sets[0].actual_reps == 7 and out2.sets[0].side == "left"
    assert out2.cursor.phase == "rest"
    assert isinstance(r.press(out.cursor, "n", 11, T0), Invalid)  # more than the target


def test_hold_runs_ready_then_work_then_records_and_switches_sides():
    r = routine("post_run")
    start = r.enter(walk_to(r, "set", "ninety_ninety"), T0)
    assert start.phase == "ready" and start.ends_at == T0 + timedelta(seconds=5)
    assert r.expire(start, T0 + timedelta(seconds=2)) is None  # a countdown tick
    go = r.expire(start, T0 + timedelta(seconds=5))
    assert go.note == "go" and go.cursor.phase == "work"
    assert go.cursor.ends_at == T0 + timedelta(seconds=35)
    done = r.expire(go.cursor, T0 + timedelta(seconds=35))
    assert done.sets[0].actual_seconds == 30 and done.sets[0].side == "right"
    nxt = r.step(done.cursor)
    assert (nxt.side, nxt.switch, done.cursor.phase) == ("left", True, "ready")


def test_pause_resume_keeps_remaining_time():
    r = routine("post_run")
    c = Cursor(1, "work", ends_at=T0 + timedelta(seconds=30))
    paused = r.press(c, "pause", None, T0 + timedelta(seconds=10)).cursor
    assert (paused.phase, paused.paused_phase, paused.remaining) == ("paused", "work", 20.0)
    assert r.remaining_content(paused, T0 + timedelta(hours=1)) == 20.0
    assert isinstance(r.press(paused, "skip", None, T0), Invalid)
    resumed = r.press(paused, "resume", None, T0 + timedelta(minutes=5)).cursor
    assert resumed.phase == "work"
    assert resumed.ends_at == T0 + timedelta(minutes=5, seconds=20)


def test_skip_a_hold_records_the_seconds_actually_held():
    r = routine("post_run")
    c = Cursor(1, "work", ends_at=T0 + timedelta(seconds=30))
    out = r.press(c, "skip", None, T0 + timedelta(seconds=12))
    assert out.sets[0].actual_seconds == 12 and out.sets[0].target_seconds == 30


def test_paced_set_asks_for_confirmation_after_the_clock():
    r = routine()
    i = walk_to(r, "set", "flexion")
    c = r.enter(i, T0)
    work = r.expire(c, c.ends_at).cursor
    assert work.ends_at - c.ends_at == timedelta(seconds=15 * 5)
    confirm = r.expire(work, work.ends_at)
    assert confirm.cursor.phase == "confirm" and not confirm.sets
    out = r.press(confirm.cursor, "done", None, work.ends_at)
    assert out.sets[0].actual_reps == 15 and out.sets[0].exercise == "flexion"


def test_skip_exercise_and_pain_jump_to_the_next_card():
    r = routine()
    card = r.enter(0, T0)
    out = r.press(card, "skipx", None, T0)
    assert r.step(out.cursor).exercise.id == "flexion" and out.cursor.phase == "card"
    assert out.skips[0].set_no is None
    in_set = r.enter(walk_to(r, "set", "flexion") + 1, T0)  # flexion set 1, left
    pain = r.press(in_set, "pain", None, T0)
    assert pain.feedback == ("flexion", "pain") and pain.note == "pain"
    assert r.step(pain.cursor).exercise.id == "ninety_ninety"
    assert len(pain.skips) == 3 and {s.reason for s in pain.skips} == {"pain"}


def test_feedback_and_completion():
    r = routine("post_run")
    fb = r.enter(len(r.steps) - 1, T0)
    assert isinstance(r.press(fb, "fb", "meh", T0), Invalid)
    out = r.press(fb, "fb", "right", T0)
    assert out.finished == "completed" and out.feedback == ("ninety_ninety", "right")
    assert isinstance(r.press(out.cursor, "done", None, T0), Invalid)


def test_stop_ends_partial_and_wrong_buttons_are_invalid():
    r = routine()
    assert r.press(r.enter(1, T0), "stop", None, T0).finished == "partial"
    assert isinstance(r.press(r.enter(0, T0), "done", None, T0), Invalid)
    assert isinstance(r.press(r.enter(1, T0), "pause", None, T0), Invalid)


def test_interrupt_then_restart_replays_the_set_from_get_ready():
    r = routine("post_run")
    c = Cursor(1, "work", ends_at=T0 + timedelta(seconds=3))
    frozen = r.interrupt(c)
    assert frozen.phase == "paused" and frozen.paused_phase == "work"
    again = r.restart_phase(frozen, T0)
    assert again.phase == "ready" and again.step == 1


@pytest.mark.parametrize("name", ["full", "pre_run", "post_run", "quick"])
def test_time_scale_zero_runs_every_routine_to_the_end(name):
    r = routine(name, scale=0.0)
    c, recorded = r.start(T0), 0
    for _ in range(500):
        if c.phase == "done":
            break
        if c.running:
            out = r.expire(c, T0)
        elif c.phase == "card":
            out = r.press(c, "go", None, T0)
        elif c.phase == "confirm":
            out = r.press(c, "done", None, T0)
        else:
            out = r.press(c, "fb", "right", T0)
        recorded += len(out.sets)
        c = out.cursor
    assert c.phase == "done" and recorded == len(r.set_steps())


def test_every_language_unrolls_the_same_steps_and_timings():
    """A runner who switches language mid-session keeps their place: only the words differ."""
    from tests.i18n import translators

    for routine_id in CAT.routines:
        shapes = {
            lang: [
                (s.kind, s.exercise.id, s.set_no, s.sets, s.side, s.switch, r.real_seconds(s, p))
                for r in [Walkthrough(tr.content, routine_id)]
                for s in r.steps
                for p in ("ready", "work", "rest")
            ]
            for lang, tr in translators().items()
        }
        assert shapes["es"] == shapes["en"] == shapes["ru"]
