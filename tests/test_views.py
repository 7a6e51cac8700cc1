"""Every message the coach can show fits Telegram's limits."""

from datetime import UTC, datetime, timedelta

import pytest

from bot import views
from bot.core.content import load_catalogue
from bot.core.engine import Cursor, Walkthrough

CAT = load_catalogue()
NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
BIG_ID, BIG_REV = 9_999_999_999, 9_999_999


def all_views():
    yield views.session.menu(CAT)
    yield views.session.welcome("A" * 64, CAT)
    from handlers import COMMANDS

    yield views.session.help_text(CAT, COMMANDS)
    for routine_id in CAT.routines:
        r = Walkthrough(CAT, routine_id)
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
                    for note in (None, "pain", "set_done", "rest_over"):
                        yield views.session.session_view(
                            r, BIG_ID, BIG_REV, cursor, NOW, note=note, picker=picker
                        )
        yield views.session.continue_prompt(
            r, BIG_ID, BIG_REV, Cursor(3, "confirm"), interrupted=True
        )


def test_every_view_fits_telegram_limits():
    count = 0
    for view in all_views():
        count += 1
        assert 0 < len(view.text) <= 4096
        for row in view.buttons or []:
            assert len(row) <= 5
            for label, data in row:
                assert label and len(data.encode()) <= 64, data
    assert count > 500


def test_summary_and_texts_escape_html():
    s = views.session.Summary("<Full>", "completed", 3, 4, 11.5, ["a<b"], [], 2)
    text = views.session.summary(s).text
    assert "&lt;Full&gt;" in text and "a&lt;b" in text
    assert "Sets: 3/4 · Time: 11 min" in text and "This week: 2 routines" in text
    assert "Hi &lt;script&gt;!" in views.session.welcome("<script>", CAT).text


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
    assert views.session.duration_text(seconds) == text


def test_countdown_shows_content_seconds_not_scaled_ones():
    r = Walkthrough(CAT, "post_run", time_scale=0.1)
    cursor = r.enter(1, NOW)  # 5 s get-ready at scale 0.1 = 0.5 s of real time
    text = views.session.session_view(r, 1, 1, cursor, NOW).text
    assert "starting in 5 s" in text
