"""Every message the coach can show fits Telegram's limits, in every language."""

from datetime import UTC, datetime, time, timedelta

import pytest

from bot import views
from bot.core.engine import Cursor, Walkthrough
from bot.core.planning import Rule
from tests.i18n import t, translators

LANGS = ("en", "es", "ru")
EN = t("en")
CAT = EN.content
NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
BIG_ID, BIG_REV = 9_999_999_999, 9_999_999


def all_views(tr):
    from bot.views.commands import COMMANDS

    yield views.session.menu(tr)
    yield views.session.welcome(tr, "A" * 64)
    yield views.session.welcome(tr, "")
    yield views.session.help_text(tr, COMMANDS)
    for routine_id in tr.content.routines:
        r = Walkthrough(tr.content, routine_id)
        for step in r.steps:
            for phase in ("card", "ready", "work", "confirm", "rest", "feedback", "paused"):
                cursor = Cursor(
                    step.index,
                    phase,
                    ends_at=NOW + timedelta(seconds=10),
                    paused_phase="work" if phase == "paused" else None,
                    remaining=10.0,
                )
                for picker in (False, True):
                    for note in (None, "pain", "set_done", "rest_over", "skipped_exercise"):
                        yield views.session.session_view(
                            tr, r, BIG_ID, BIG_REV, cursor, NOW, note=note, picker=picker
                        )
                # The live tracker with the exercise's sets so far ("Done: 10 · 7").
                yield views.session.session_view(
                    tr, r, BIG_ID, BIG_REV, cursor, NOW, done=DONE[step.exercise.dose.kind]
                )
        for interrupted in (True, False):
            yield views.session.continue_prompt(
                tr, r, BIG_ID, BIG_REV, Cursor(3, "confirm"), interrupted=interrupted
            )
    for status, note in (("completed", None), ("partial", "idle"), ("partial", "pain")):
        yield views.session.summary(tr, summary_of(status=status), note)


# A few sets' results per kind of dose, as the live tracker lists them; the longest case
# too (ten sets of two sides at three-digit reps) so the "Done" line is measured.
DONE: dict[str, tuple[views.session.Result, ...]] = {
    "reps": ((10, None), (7, None), (0, None)),
    "paced": tuple((999, None) for _ in range(20)),
    "hold": ((None, 30), (None, 12)),
}


def summary_of(**changes):
    base = {
        "routine_name": "<Full>",
        "status": "completed",
        "sets_done": 3,
        "sets_planned": 4,
        "minutes": 11.5,
        "skipped": [
            views.session.Skip("a<b"),
            views.session.Skip("Flex", 2, "left"),
            views.session.Skip("Both", 1),
        ],
        "pain": ["Flex"],
        "completed_this_week": 2,
    }
    return views.session.Summary(**{**base, **changes})


@pytest.mark.parametrize("lang", LANGS)
def test_every_view_fits_telegram_limits(lang):
    count = 0
    for view in all_views(translators()[lang]):
        count += 1
        assert 0 < len(view.text) <= 4096
        for row in view.buttons or []:
            assert len(row) <= 5
            for label, data in row:
                assert label and len(data.encode()) <= 64, data
                assert fits_a_phone(label, row), label
    assert count > 500


def fits_a_phone(label: str, row: list) -> bool:
    """A button sharing its row has a third of the width or so; one alone, the whole."""
    return len(label) <= (45 if len(row) == 1 else 16)


@pytest.mark.parametrize("lang", LANGS)
def test_plan_buttons_fit_a_phone(lang):
    """A reminder's buttons have a row each (their words are long in Spanish and Russian);
    a delete button too long for a phone (a plan of many days) ends in "…", its plan shown
    whole on the line above."""
    tr = translators()[lang]
    reminder = views.plans.pre_run_reminder(
        tr, BIG_ID, NOW + timedelta(minutes=30), NOW, "UTC", 9, late=True
    )
    busy = Rule(time(7, 30), "UTC", frozenset(range(6)), duration_minutes=120)
    weekends = Rule(time(9, 0), "UTC", frozenset({5, 6}), duration_minutes=90)
    page = views.plans.RunsPage([], [(1, busy), (2, weekends)], total=2)
    runs = views.plans.runs_list(tr, page, "UTC", True)
    for view in (reminder, runs):
        for row in view.buttons or []:
            assert all(fits_a_phone(label, row) for label, _ in row), row
    [[(delete_busy, _)], _] = runs.buttons or []
    assert delete_busy.endswith("…")
    assert delete_busy[:-1] in tr._("🗑 Delete {plan}", plan=views.plans.rule_text(tr, busy))
    assert f"• {views.plans.rule_text(tr, busy)}" in runs.text


@pytest.mark.parametrize("lang", ["es", "ru"])
def test_views_have_the_same_shape_in_every_language(lang):
    """Same buttons (callback data), same number of lines: only the words change."""
    for english, other in zip(all_views(EN), all_views(translators()[lang]), strict=True):
        assert english.text.count("\n") == other.text.count("\n")
        assert [[d for _, d in row] for row in english.buttons or []] == [
            [d for _, d in row] for row in other.buttons or []
        ]


@pytest.mark.parametrize("lang", ["es", "ru"])
def test_exercise_and_routine_words_come_from_the_runners_content(lang):
    tr = translators()[lang]
    r = Walkthrough(tr.content, "full")
    card = views.session.session_view(tr, r, 1, 1, r.start(NOW), NOW).text
    rotations = tr.content.exercise("rotations")
    assert rotations.name in card and rotations.technique[0] in card
    assert CAT.exercise("rotations").name not in card
    first_set = views.session.session_view(tr, r, 1, 1, r.enter(1, NOW), NOW).text
    assert f"10 {rotations.dose.cue}" in first_set
    menu = views.session.menu(tr).text
    assert all(routine.name in menu for routine in tr.content.routines.values())
    assert tr.content.source.title in views.session.help_text(tr, []).text  # the credit stays


def test_summary_and_texts_escape_html():
    text = views.session.summary(EN, summary_of()).text
    assert "&lt;Full&gt;" in text and "a&lt;b" in text
    assert "Sets: 3/4 · Time: 11 min" in text and "This week: 2 routines" in text
    assert "Skipped: a&lt;b, Flex (set 2, left side), Both (set 1)" in text
    assert "Hi &lt;script&gt;!" in views.session.welcome(EN, "<script>").text
    one = views.session.summary(EN, summary_of(completed_this_week=1)).text
    assert "This week: 1 routine done" in one


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (59, "59 s"),
        (60, "1 min"),
        (95, "1 min 35 s"),
        (3600, "1 h"),
        (75280, "20 h 54 min"),
    ],
)
def test_duration_text(seconds, text):
    assert views.session.duration_text(EN, seconds) == text


def test_dose_words():
    rotations, flexion, ninety = (CAT.exercise(e).dose for e in CAT.routine("full").exercises)
    summary = views.session.dose_summary
    assert summary(EN, rotations, 2) == "2 × 10 each side, 30 s rest"
    assert summary(EN, flexion, 2) == "2 × 15 each side, 3 s hold at the top, 45 s rest"
    assert summary(EN, ninety, 2) == "2 × 30 s hold each side, 15 s rest"
    assert summary(EN, ninety, 1) == "1 × 30 s hold each side"
    assert summary(EN, rotations.model_copy(update={"sides": ()}), None) == "2 × 10, 30 s rest"
    assert views.session.target_text(EN, rotations) == "10 slow hip circles"
    assert views.session.target_text(EN, ninety) == "hold 30 s"
    assert [views.session.side_text(EN, s) for s in ("right", "left", None)] == [
        "right side",
        "left side",
        "both sides",
    ]


@pytest.mark.parametrize("lang", ["es", "ru"])
def test_dose_words_in_other_languages_keep_the_numbers(lang):
    tr = translators()[lang]
    rotations = tr.content.exercise("rotations").dose
    assert views.session.target_text(tr, rotations) == f"10 {rotations.cue}"
    assert "2" in views.session.dose_summary(tr, rotations, 2)
    assert "30" in views.session.dose_summary(tr, rotations, 2)
    assert views.session.duration_text(tr, 95).startswith("1")


def test_countdown_shows_content_seconds_not_scaled_ones():
    r = Walkthrough(CAT, "post_run", time_scale=0.1)
    cursor = r.enter(1, NOW)  # 5 s get-ready at scale 0.1 = 0.5 s of real time
    text = views.session.session_view(EN, r, 1, 1, cursor, NOW).text
    assert "starting in 5 s" in text


def test_the_live_tracker_lists_the_sets_done_and_pings_under_a_running_timer():
    """The exercise's message is edited in place, so it carries what was done so far; under
    a running get-ready, hold, paced set or rest it says the bot will ping, so the runner may
    look away."""
    assert views.session.done_text(EN, ()) == ""
    assert views.session.done_text(EN, DONE["reps"]) == "<i>Done: 10 · 7 · 0</i>"
    assert views.session.done_text(EN, DONE["hold"]) == "<i>Done: 30 s · 12 s</i>"
    r = Walkthrough(CAT, "full")
    later = NOW + timedelta(seconds=20)
    ping = "🔔 I'll ping you when it's over."
    pinged = {}
    phases = {
        "reps": ("confirm",),
        "paced": ("ready", "work", "confirm"),
        "hold": ("ready", "work"),
    }
    for step in r.steps:
        kind = step.exercise.dose.kind
        if step.kind not in ("set", "rest"):
            continue
        running = ("rest",) if step.kind == "rest" else phases[kind]
        pausable = step.kind == "rest" or kind != "reps"  # a reps set runs no timer
        for phase in (*running, "paused") if pausable else running:
            paused = ("rest" if step.kind == "rest" else "work") if phase == "paused" else None
            cursor = Cursor(step.index, phase, ends_at=later, paused_phase=paused, remaining=5)
            view = views.session.session_view(EN, r, 1, 1, cursor, NOW, done=((10, None),))
            assert view.text.endswith("<i>Done: 10</i>"), view.text
            pinged[kind, phase] = ping in view.text
    assert {key for key, yes in pinged.items() if yes} == {
        ("reps", "rest"),
        ("paced", "ready"),
        ("hold", "ready"),
        ("paced", "work"),
        ("paced", "rest"),
        ("hold", "work"),
        ("hold", "rest"),
    }
