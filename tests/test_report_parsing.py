"""The /log text parser: examples from the issue, then properties over generated input."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.content import load_catalogue
from bot.core.reports import (
    MAX_DAYS_BACK,
    MAX_REPS,
    MAX_SECONDS,
    MAX_SETS,
    USAGE,
    ParseError,
    Report,
    parse_amount,
    parse_day,
    parse_report,
    performed_at,
)

CATALOGUE = load_catalogue()
TODAY = date(2025, 5, 14)  # a Wednesday
EXERCISES = list(CATALOGUE.exercises.values())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rotations 2x10", Report("rotations", "both", 2, 10, None, TODAY)),
        ("flexion 2x15 left", Report("flexion", "left", 2, 15, None, TODAY)),
        ("90/90 2x30s", Report("ninety_ninety", "both", 2, None, 30, TODAY)),
        (
            "yesterday flexion 1x12",
            Report("flexion", "both", 1, 12, None, TODAY - timedelta(days=1)),
        ),
        ("hip rotations 2 × 10", Report("rotations", "both", 2, 10, None, TODAY)),
        ("rotation 1x8 right", Report("rotations", "right", 1, 8, None, TODAY)),
        ("band 2x15", Report("flexion", "both", 2, 15, None, TODAY)),
        ("Rotatoins 2x10", Report("rotations", "both", 2, 10, None, TODAY)),
        ("90-90 2x30", Report("ninety_ninety", "both", 2, None, 30, TODAY)),
        ("stretch 1x1min", Report("ninety_ninety", "both", 1, None, 60, TODAY)),
        ("rotations 12", Report("rotations", "both", 1, 12, None, TODAY)),
        ("2 sets of 15 flexion each side", Report("flexion", "both", 2, 15, None, TODAY)),
        ("monday rotations 2x10", Report("rotations", "both", 2, 10, None, date(2025, 5, 12))),
        ("3 may band 1x15 l", Report("flexion", "left", 1, 15, None, date(2025, 5, 3))),
        (
            "2025-05-01 90/90 2x45s",
            Report("ninety_ninety", "both", 2, None, 45, date(2025, 5, 1)),
        ),
        ("4 days ago circles 2x10", Report("rotations", "both", 2, 10, None, date(2025, 5, 10))),
        ("flexion 1x12 on 20.12", Report("flexion", "both", 1, 12, None, date(2024, 12, 20))),
    ],
)
def test_examples(text, expected):
    assert parse_report(text, CATALOGUE, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "Which exercise"),
        ("2x10", "Which exercise"),
        ("rotations", "How many"),
        ("banana 2x10", "didn't catch"),
        ("rotations 2x10 please", "didn't catch"),
        ("rotations flexion 2x10", "One exercise"),
        ("rotations 2x10 3x10", "One amount"),
        ("rotations 2x10 left right", "Left, right or both"),
        ("rotations 2x30s", "in reps"),
        ("90/90 2x15 reps", "in seconds"),
        ("rotations 11x10", "Sets go from 1"),
        ("rotations 1x101", "more than 100 reps"),
        ("90/90 1x601s", "more than 600 seconds"),
        ("rotations 1x0", "Zero"),
        ("tomorrow rotations 1x10", "future"),
        ("2025-05-15 rotations 1x10", "future"),
        ("2024-01-01 rotations 1x10", "more than a year"),
        ("2025-02-30 rotations 1x10", "couldn't read that date"),
        ("yesterday monday rotations 1x10", "One date"),
        ("x" * 300, "too long"),
        # Numbers are ASCII digits: `\d` matched these and int() read them (٢x١٠ was 2x10).
        ("rotations ٢x١٠", "didn't catch"),
        ("rotations ²x10", "didn't catch"),
        ("rotations 2x10 ٣ may", "didn't catch"),
        # Past 19 digits a number reads as huge, never as an error or a partial match.
        ("rotations 99999999999999999999x10", "Sets go from 1"),
        ("rotations 1x" + "9" * 150, "more than 100 reps"),
    ],
)
def test_errors_say_what_was_wrong(text, reason):
    result = parse_report(text, CATALOGUE, TODAY)
    assert isinstance(result, ParseError)
    assert reason in result.reason
    assert result.line.endswith(USAGE) and "\n" not in result.line


def test_typed_day_and_amount_for_the_button_flow():
    assert parse_day("Yesterday", TODAY) == TODAY - timedelta(days=1)
    assert parse_day("sat", TODAY) == date(2025, 5, 10)
    assert isinstance(parse_day("soon", TODAY), ParseError)
    assert parse_amount("12", seconds=False) == 12
    assert parse_amount("45s", seconds=True) == 45
    assert parse_amount("1 min", seconds=True) == 60
    assert isinstance(parse_amount("12s", seconds=False), ParseError)
    assert isinstance(parse_amount("0", seconds=False), ParseError)
    assert isinstance(parse_amount("2x10", seconds=False), ParseError)
    assert isinstance(parse_amount("١٢", seconds=False), ParseError)
    assert isinstance(parse_amount("9" * 30, seconds=False), ParseError)
    assert isinstance(parse_day("٣ may", TODAY), ParseError)


def test_performed_at_is_now_today_and_local_noon_before():
    now = datetime(2025, 5, 14, 23, 30, tzinfo=UTC)
    assert performed_at(date(2025, 5, 15), now, "Pacific/Auckland") == now
    assert performed_at(date(2025, 5, 14), now, "Pacific/Auckland") == datetime(
        2025, 5, 14, 0, 0, tzinfo=UTC
    )
    assert performed_at(date(2025, 3, 30), now, "Europe/London") == datetime(
        2025, 3, 30, 11, 0, tzinfo=UTC
    )


# --- properties ----------------------------------------------------------------------------


def names_for(exercise) -> list[str]:
    return sorted({exercise.name, exercise.short, *exercise.aliases})


@st.composite
def reports(draw):
    """A well-formed report in any order, case and spacing, and what it must parse to."""
    exercise = draw(st.sampled_from(EXERCISES))
    name = draw(st.sampled_from(names_for(exercise)))
    timed = exercise.dose.kind == "hold"
    sets = draw(st.integers(1, MAX_SETS))
    amount = draw(st.integers(1, MAX_SECONDS if timed else MAX_REPS))
    unit = draw(st.sampled_from(["s", " sec", " seconds", ""] if timed else ["", " reps"]))
    times = draw(st.sampled_from(["x", "X", " x ", "×", "*"]))
    side = draw(st.sampled_from(["both", "left", "right", None]))
    back = draw(st.integers(0, 30))
    day = TODAY - timedelta(days=back)
    day_word = draw(
        st.sampled_from(
            [
                day.isoformat(),
                f"{back} days ago",
                f"{day.day} {day:%B}",
                f"{day:%b} {day.day}",
            ]
            + (["today"] if back == 0 else [])
            + (["yesterday"] if back == 1 else [])
        )
    )
    parts = [name, f"{sets}{times}{amount}{unit}"]
    if side is not None:
        parts.append(side)
    with_day = draw(st.booleans())
    if with_day:
        parts.append(day_word)
    order = draw(st.permutations(parts))
    text = draw(st.sampled_from([" ", "  ", ", "])).join(order)
    text = text.upper() if draw(st.booleans()) else text
    expected = Report(
        exercise.id,
        side or "both",
        sets,
        None if timed else amount,
        amount if timed else None,
        day if with_day else TODAY,
    )
    return text, expected


@settings(max_examples=300, deadline=None)
@given(reports())
def test_well_formed_reports_parse_exactly(case):
    text, expected = case
    assert parse_report(text, CATALOGUE, TODAY) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_any_text_gives_an_entry_or_an_error_never_an_exception(text):
    result = parse_report(text, CATALOGUE, TODAY)
    assert isinstance(result, Report | ParseError)
    if isinstance(result, Report):
        assert result.exercise in CATALOGUE.exercises
        assert 1 <= result.sets <= MAX_SETS
        assert (result.reps is None) != (result.seconds is None)
        assert 1 <= (result.reps or result.seconds or 0) <= MAX_SECONDS
        assert TODAY - timedelta(days=MAX_DAYS_BACK) <= result.day <= TODAY


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=("Nd",)), max_size=80))
def test_nothing_without_a_number_is_ever_saved(text):
    # Without a digit there is no amount, so nothing can be logged by accident.
    assert isinstance(parse_report(text, CATALOGUE, TODAY), ParseError)


@settings(max_examples=200, deadline=None)
@given(reports(), st.sampled_from(["banana", "zzz", "qwerty", "pizza"]))
def test_an_unknown_word_anywhere_spoils_the_whole_line(case, junk):
    text, _ = case
    words = text.split(" ")
    words.insert(len(words) // 2, junk)
    assert isinstance(parse_report(" ".join(words), CATALOGUE, TODAY), ParseError)
