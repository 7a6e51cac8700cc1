"""The coach's rules as pure functions over a history (bot.core.coach), the ladders in the
content, and sessions trimmed to a time budget (bot.core.dosing)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core import coach
from bot.core.coach import Change, CheckIn, Outing, Standing, WatchAnswer
from bot.core.content import CatalogueError, load_catalogue, load_catalogues
from bot.core.dosing import SessionPlan, at_step, fit, plan_for, plan_seconds
from bot.core.engine import Cursor, Walkthrough

CAT = load_catalogue()
T0 = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def outing(n: float, rating: str = "easy", *, complete=True, short=False, full=True) -> Outing:
    return Outing(day(n), rating, complete, short, full)  # type: ignore[arg-type]


START = Standing(1)


# --- standing and advice ------------------------------------------------------------------


def test_standing_is_the_last_change_and_its_last_move():
    assert coach.standing([], 1) == Standing(1)
    moves = [
        Change("rotations", 1, 2, "easy", day(1)),
        Change("rotations", 2, 2, "kept", day(5)),
    ]
    s = coach.standing(moves, 1)
    assert (s.step, s.paused, s.since, s.last_move) == (2, False, day(5), moves[0])
    paused = coach.standing([*moves, Change("rotations", 2, 2, "paused", day(6), True)], 1)
    assert paused.paused and paused.last_move is not None and paused.last_move.reason == "paused"


@pytest.mark.parametrize(
    ("history", "offer"),
    [
        ([], None),
        ([outing(1), outing(2)], None),  # two easy sessions are not yet a run of three
        ([outing(1), outing(2), outing(3)], "up"),
        ([outing(1), outing(2, "right"), outing(3), outing(4)], None),  # broken run
        ([outing(1), outing(2), outing(3, complete=False)], None),  # a set not done
        ([outing(1), outing(2), outing(3, full=False)], None),  # a one-set round
        ([outing(1, "hard"), outing(2, "hard")], "hard"),
        ([outing(1, "right", short=True), outing(2, "hard")], "hard"),
        ([outing(1, "right", short=True), outing(2, "easy", short=True)], "short"),
        ([outing(1, "hard"), outing(2, "right")], None),
        ([outing(1, "hard"), outing(2), outing(3), outing(4)], "up"),
    ],
)
def test_advice_from_the_outings_since_the_last_change(history, offer):
    assert coach.advise(START, 3, history, []) == offer


def test_advice_respects_the_ends_of_the_ladder_and_the_last_change():
    easy = [outing(1), outing(2), outing(3)]
    hard = [outing(1, "hard"), outing(2, "hard")]
    assert coach.advise(Standing(3), 3, easy, []) is None  # already at the top
    assert coach.advise(Standing(0), 3, hard, []) is None  # already the gentlest
    since = Standing(1, since=day(2.5))  # kept the dose after two of them
    assert coach.advise(since, 3, easy, []) is None
    assert coach.advise(since, 3, [*easy, outing(4), outing(5)], []) == "up"


def test_pain_comes_first_until_the_next_change_and_nothing_while_paused():
    easy = [outing(1), outing(2), outing(3)]
    assert coach.advise(START, 3, easy, [day(3.5)]) == "pain"
    gentle = coach.standing([Change("x", 1, 0, "pain", day(4))], 1)
    assert coach.advise(gentle, 3, easy, [day(3.5)]) is None  # a gentle try settles it
    skipped = coach.standing([Change("x", 1, 1, "pain_skip", day(4))], 1)
    assert coach.advise(skipped, 3, easy, [day(3.5)]) == "pain"  # a skip is no try
    assert coach.advise(Standing(1, paused=True), 3, easy, [day(3.5)]) is None


def test_a_second_pain_within_two_weeks_pauses_unless_brought_back_since():
    now = day(20)
    assert not coach.pause_after([], now, START)
    assert coach.pause_after([day(7)], now, START)  # 13 days before
    assert not coach.pause_after([day(5)], now, START)  # 15 days before
    back = coach.standing([Change("x", 1, 0, "resumed", day(10))], 1)
    assert not coach.pause_after([day(8)], now, back)
    assert coach.pause_after([day(8), day(12)], now, back)
    # A later move (a step up) does not bring pains from before the comeback back.
    moved = coach.standing(
        [Change("x", 1, 0, "resumed", day(10)), Change("x", 0, 1, "easy", day(15))], 1
    )
    assert not coach.pause_after([day(8)], now, moved)


# --- questions ------------------------------------------------------------------------------


def test_questions_come_in_the_first_sessions_then_now_and_then():
    asked = [n for n in range(20) if coach.question(n, [], 2) is not None]
    assert asked == [0, 1, 2, 6, 10, 14, 18]
    # Every watch point in turn, after the first sessions too.
    assert [coach.question(n, [], 2) for n in asked] == [0, 1, 0, 1, 0, 1, 0]
    assert [coach.question(n, [], 1) for n in asked] == [0] * 7


def test_not_quite_is_the_focus_and_is_asked_again_until_yes():
    nq = [WatchAnswer(1, "not_quite", day(1))]
    assert coach.focus(nq) == 1 and coach.question(5, nq, 2) == 1
    fixed = [*nq, WatchAnswer(1, "yes", day(2))]
    assert coach.focus(fixed) is None and coach.question(5, fixed, 2) is None


# --- tightness ------------------------------------------------------------------------------


def test_tightness_average_change_and_weekly_trend():
    now = day(56)  # a Monday: the window starts seven weeks before it
    checkins = [
        CheckIn(day(0), 7, 5),  # nine weeks back: out of the window
        CheckIn(day(7), 7, 5),
        CheckIn(day(8), 6, None),
        CheckIn(day(35), 5, 4),
        CheckIn(day(56), 4, 2),
    ]
    t = coach.tightness(checkins, now, "UTC")
    assert t.sessions == 3 and t.average_change == pytest.approx((-2 - 1 - 2) / 3)
    assert len(t.weeks) == 8 and t.weeks[-1].weekday() == 0
    assert t.weekly_before[0] == pytest.approx(6.5) and t.weekly_before[-1] == 4
    assert t.trend == (pytest.approx(6.5), 4, 8)
    assert coach.tightness([], now, "UTC").empty


# --- the ladders in the content -------------------------------------------------------------


def test_every_ladder_starts_at_the_article_dose_and_climbs():
    for exercise in CAT.exercises.values():
        ladder = exercise.ladder
        assert exercise.dose_at(ladder.start) == exercise.dose
        work = [(d.sets * d.work_seconds()) for d in map(exercise.dose_at, range(ladder.top + 1))]
        assert work == sorted(work) and len(set(work)) == len(work), exercise.id
        assert len(exercise.questions) == len(exercise.watch)
    rotations = CAT.exercise("rotations")
    assert [(d.sets, d.reps) for d in map(rotations.dose_at, range(4))] == [
        (1, 10), (2, 10), (2, 12), (3, 12),
    ]  # fmt: skip


def test_translations_have_the_same_questions(tmp_path: Path):
    for lang, catalogue in load_catalogues().items():
        for key, exercise in catalogue.exercises.items():
            assert len(exercise.questions) == len(CAT.exercise(key).questions), lang
            assert exercise.ladder == CAT.exercise(key).ladder


def test_a_ladder_that_gets_easier_fails_loudly(tmp_path: Path):
    source = Path(__file__).parent.parent / "data" / "exercises.toml"
    text = source.read_text(encoding="utf-8").replace(
        "{ reps = 12 },            # 2 × 12", "{ reps = 8 },             # a typo"
    )
    bad = tmp_path / "exercises.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError, match="ladder"):
        load_catalogue(bad)


# --- fitting the time you have --------------------------------------------------------------


@pytest.mark.parametrize("routine", sorted(CAT.routines))
def test_the_engine_estimate_matches_the_plan_estimate(routine):
    plan = plan_for(CAT, routine)
    assert (
        Walkthrough(CAT, plan).seconds() == plan_seconds(CAT, plan) == CAT.routine_seconds(routine)
    )


@pytest.mark.parametrize("minutes", range(1, 14))
def test_fit_keeps_a_set_a_side_and_fits_when_it_can(minutes):
    full = plan_for(CAT, "full")
    fitted = fit(CAT, full, minutes * 60)
    seconds = Walkthrough(CAT, fitted).seconds()
    shortest = plan_seconds(CAT, fit(CAT, full, 1))
    assert seconds <= max(minutes * 60, shortest)
    assert fitted.ids == full.ids and all(e.sets >= 1 for e in fitted.exercises)
    if seconds <= minutes * 60 and minutes * 60 < plan_seconds(CAT, full):
        assert fitted.minutes == minutes and not all(e.full for e in fitted.exercises)
    for e in fitted.exercises:
        base = CAT.exercise(e.id).dose
        if e.reps is not None:
            assert e.reps >= max(5, (base.reps or 0) // 2)
        if e.hold_seconds is not None and base.kind == "hold":
            assert e.hold_seconds >= 15
    assert SessionPlan.from_json(fitted.to_json()) == fitted


def test_a_fitted_plan_unrolls_one_set_per_side_for_five_minutes():
    walk = Walkthrough(CAT, fit(CAT, plan_for(CAT, "full"), 300))
    sets = [s for s in walk.steps if s.kind == "set"]
    assert {(s.exercise.id, s.side) for s in sets} == {
        (e, side) for e in ("rotations", "flexion", "ninety_ninety") for side in ("right", "left")
    }
    assert walk.seconds() <= 300


def test_taking_a_step_up_on_the_card_changes_the_plan_and_records_why():
    plan = plan_for(CAT, "pre_run")
    offered = plan.with_exercise(
        plan.exercises[0].__class__(**{**plan.exercises[0].__dict__, "offer": "up"})
    )
    walk = Walkthrough(CAT, offered)
    outcome = walk.press(Cursor(0, "card"), "up", None, T0)
    assert outcome.plan is not None and outcome.change is not None  # type: ignore[union-attr]
    assert outcome.plan.get("rotations").reps == 12  # type: ignore[union-attr]
    assert (outcome.change.step_from, outcome.change.step_to, outcome.change.reason) == (
        1,
        2,
        "easy",
    )  # type: ignore[union-attr]
    assert walk.press(Cursor(0, "card"), "go", None, T0).__class__.__name__ == "Invalid"
    assert walk.press(Cursor(0, "card"), "gentle", None, T0).__class__.__name__ == "Invalid"


def test_fit_never_cuts_below_half_the_runners_own_dose():
    top = SessionPlan(
        "full",
        tuple(
            at_step(CAT.exercise(e), CAT.exercise(e).ladder.top)
            for e in ("rotations", "flexion", "ninety_ninety")
        ),
    )
    tight = fit(CAT, top, 60)
    by_id = {e.id: e for e in tight.exercises}
    assert by_id["rotations"].reps == 6  # half of 12, not of the article's 10
    assert by_id["ninety_ninety"].hold_seconds == 25  # half of 45, rounded up to a 5 s step
