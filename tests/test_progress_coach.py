"""/progress as the coach's report (issue 13): each exercise's step on its ladder and its
last change, a paused exercise and how to bring it back, and hip tightness (the average
change per session and the eight-week trend) in the text and the chart. The pure parts with
a fixed clock; then the real bot over rows a runner's sessions would have left."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import matplotlib.text
import pytest

from bot import storage, views
from bot.core.clock import ManualClock, to_db
from bot.core.coach import Change, CheckIn, Standing, Tightness, standing, tightness
from bot.core.progress import build_progress, done_from
from bot.services.progress import CAPTION_LIMIT, PROGRESS_COOLDOWN_SECONDS
from bot.views import chart
from tests.i18n import translators
from tests.tagged import tagged
from tests.test_progress import CATALOGUE, EN, EXERCISES, ONE_SIDED, a_week, png_size

NOW = datetime(2025, 5, 14, 9, 30, tzinfo=UTC)  # a Wednesday; the chart's weeks: 24 Mar-12 May


def day(d: str, hm: str = "07:00") -> datetime:
    return datetime.fromisoformat(f"{d}T{hm}").replace(tzinfo=UTC)


# Check-ins (before, after) as a runner's sessions leave them. Pairs with both: -1, -2, -1,
# -2, -2, -1 -> -1.5 on average over 6 sessions; before a routine, 6 in the week of 24 Mar
# and 4.5 this week (5 and 4).
CHECKINS = [
    ("2025-03-10", 9, 1),  # before the eight weeks: left out
    ("2025-03-25", 6, 5),
    ("2025-04-01", 6, 4),
    ("2025-04-15", 5, 4),
    ("2025-04-29", 5, 3),
    ("2025-05-06", 5, None),  # the after check-in skipped
    ("2025-05-12", 5, 3),
    ("2025-05-13", 4, 3),
]

# Rotations stepped up; flexion up, then down, then kept (a decision, not a move); 90/90
# eased after pain, then paused after a second pain.
CHANGES = [
    Change("rotations", 1, 2, "easy", day("2025-05-11", "08:00")),
    Change("flexion", 1, 2, "easy", day("2025-04-20")),
    Change("flexion", 2, 1, "hard", day("2025-05-04")),
    Change("flexion", 1, 1, "kept", day("2025-05-10")),
    Change("ninety_ninety", 1, 0, "pain", day("2025-05-01")),
    Change("ninety_ninety", 0, 0, "paused", day("2025-05-12", "18:00"), paused=True),
]


def standings_of(changes: list[Change]) -> dict[str, Standing]:
    """What bot.services.coach.standings makes of the changes."""
    return {
        e.id: standing([c for c in changes if c.exercise == e.id], e.ladder.start)
        for e in CATALOGUE.exercises.values()
    }


def checkins() -> list[CheckIn]:
    return [CheckIn(day(d), b, a) for d, b, a in CHECKINS]


# --- the pure parts ------------------------------------------------------------------------


def test_build_progress_carries_standings_in_content_order_and_the_tightness():
    tight = tightness(checkins(), NOW, "UTC")
    assert tight.sessions == 6 and tight.average_change == -1.5
    standings = standings_of(CHANGES)
    shuffled = dict(reversed(standings.items()))
    p = build_progress([], done_from([], [], "UTC", []), [], NOW, "UTC", EXERCISES, ONE_SIDED,
                       standings=shuffled, tightness=tight)  # fmt: skip
    assert list(p.standings) == EXERCISES
    assert p.tightness is tight and p.tz == "UTC"
    # Check-ins alone are something to show, and to draw (the tightness panel only).
    assert p.has_data and not p.chart.empty and not p.chart.has_sets
    assert p.chart.weeks[0] == date(2025, 3, 24) == tight.weeks[0]
    assert p.chart.tight_before == [6, 6, None, 5, None, 5, 5, 4.5]
    assert p.chart.tight_after == [5, 4, None, 4, None, 3, None, 3]


def test_without_check_ins_nothing_about_tightness_is_shown_or_drawn():
    empty = tightness([], NOW, "UTC")
    p, _ = a_week()
    p2 = build_progress([], done_from([], [], "UTC", []), [], NOW, "UTC", EXERCISES, ONE_SIDED,
                        tightness=empty)  # fmt: skip
    assert p2.tightness is None and not p2.has_data and p2.chart.empty
    assert p2.chart.tight_before == [] == p2.chart.tight_after
    assert "Hip tightness" not in views.progress.progress_text(EN, p)


def test_standing_lines_say_level_dose_and_the_last_move():
    ex = EN.content.exercises
    s = standings_of(CHANGES)
    assert views.progress.standing_text(EN, ex["rotations"], s["rotations"], "UTC") == (
        "Rotations · level 2 of 3: 2 × 12 each side\n"
        "   ↳ stepped up after 3 easy sessions on Sun 11 May"
    )
    # 'kept' records a decision, not a move: the last change shown is the step down.
    assert views.progress.standing_text(EN, ex["flexion"], s["flexion"], "UTC") == (
        "Band flexion · level 1 of 3: 2 × 15 each side, 3 s hold at the top\n"
        "   ↳ stepped down after hard sessions on Sun 4 May"
    )
    # The paused day is the runner's: 18:00 UTC on 12 May is already the 13th in Auckland.
    assert (
        views.progress.standing_text(
            EN, ex["ninety_ninety"], s["ninety_ninety"], "Pacific/Auckland"
        )
        == "90/90 · ⏸ paused after pain since Tue 13 May: /settings brings it back"
    )
    fresh = Standing(ex["rotations"].ladder.start)
    assert views.progress.standing_text(EN, ex["rotations"], fresh, "UTC") == (
        "Rotations · level 1 of 3: 2 × 10 each side"
    )
    gentle = Standing(0, False, NOW, Change("flexion", 1, 0, "pain", NOW))
    assert views.progress.standing_text(EN, ex["flexion"], gentle, "UTC").startswith(
        "Band flexion · gentle: 1 × 10 each side, 3 s hold at the top\n   ↳ gentlest step after"
    )


def test_tightness_lines_average_change_and_eight_week_trend():
    tight = tightness(checkins(), NOW, "UTC")
    assert views.progress.tightness_text(EN, tight) == (
        "🧘 <b>Hip tightness</b> (0–10): −1.5 per session (6 sessions)\n"
        "Before a routine: 6 → 4.5 over 8 weeks"
    )
    # Spanish and Russian write the decimal comma (Babel), whatever the words.
    assert "−1,5" in views.progress.tightness_text(translators()["es"], tight)
    assert "6 → 4,5" in views.progress.tightness_text(translators()["ru"], tight)
    # The trend spans the first and last weeks with a check-in before a routine.
    two_weeks = tightness(
        [CheckIn(day("2025-05-06"), 7, 7), CheckIn(day("2025-05-13"), 5, 6)], NOW, "UTC"
    )
    assert views.progress.tightness_text(EN, two_weeks) == (
        "🧘 <b>Hip tightness</b> (0–10): +0.5 per session (2 sessions)\n"
        "Before a routine: 7 → 5 over 2 weeks"
    )
    # One session, one week: no trend yet; the singular.
    one = tightness([CheckIn(day("2025-05-13"), 6, 6)], NOW, "UTC")
    assert views.progress.tightness_text(EN, one) == (
        "🧘 <b>Hip tightness</b> (0–10): 0 per session (1 session)"
    )
    # Only "before" check-ins: no change to average, but the trend already.
    before_only = Tightness(0, None, one.weeks, [6.0] + [None] * 6 + [5.0], [None] * 8)
    assert views.progress.tightness_text(EN, before_only).splitlines() == [
        "🧘 <b>Hip tightness</b> (0–10): rate it before and after a routine to see the change",
        "Before a routine: 6 → 5 over 8 weeks",
    ]


def chart_texts(fig) -> list[str]:
    return [a.get_text() for a in fig.findobj(matplotlib.text.Text) if a.get_text()]


def names_in(t) -> dict[str, str]:
    return {e.id: views.progress.chart_label(e) for e in t.content.exercises.values()}


def test_the_chart_has_a_tightness_panel_only_with_check_ins():
    p, now = a_week()
    tight = tightness(
        [CheckIn(now - timedelta(weeks=w), 6 - w % 2, 4) for w in range(8)], now, "Europe/London"
    )
    with_tight = build_progress(
        [], done_from([], [], "UTC", []), [], now, "Europe/London", EXERCISES, ONE_SIDED,
        tightness=tight,
    ).chart  # fmt: skip
    both = replace(
        p.chart, tight_before=with_tight.tight_before, tight_after=with_tight.tight_after
    )
    assert len(chart.figure(EN, p.chart, names_in(EN)).axes) == 2  # sets, left/right
    fig = chart.figure(EN, both, names_in(EN))
    assert len(fig.axes) == 3
    texts = chart_texts(fig)
    assert "Hip tightness · last 8 weeks" in texts
    assert "Before a routine" in texts and "After a routine" in texts
    assert [tick.get_text() for tick in fig.axes[2].get_yticklabels()] == ["0", "5", "10"]
    # The latest weekly value ends each line.
    assert "6" in texts and "4" in texts
    only = chart.figure(EN, with_tight, names_in(EN))
    assert len(only.axes) == 1 and "Hip tightness · last 8 weeks" in chart_texts(only)
    png = chart.render(EN, both, names_in(EN))
    width, height = png_size(png)
    assert width == 1080 and 1500 < height < 2500


@pytest.mark.parametrize("lang", ["es", "ru"])
def test_the_coach_lines_and_panel_speak_the_runners_language(lang):
    """Every new line is worded by the catalog (tagged) or is the runner's own content and
    numbers; the chart's new labels too."""
    t = tagged(lang)
    p, _ = a_week()
    tight = tightness(checkins(), NOW, "UTC")
    standings = standings_of(CHANGES)
    full = replace(p, standings=standings, tightness=tight, tz="UTC")
    text = views.progress.progress_text(t, full)
    tail = text.split(f"[{lang}] <b>Your doses</b>\n")[1].splitlines()
    short = {e: views.progress.upper_first(x.short) for e, x in t.content.exercises.items()}
    assert tail[0].startswith(f"{short['rotations']} · [{lang}] level 2 of 3: [{lang}] 2 × 12")
    assert (
        tail[1]
        == f"   ↳ [{lang}] [{lang}] stepped up after 3 easy sessions on {t.day(date(2025, 5, 11))}"
    )
    assert tail[4] == (
        f"[{lang}] {short['ninety_ninety']} · ⏸ paused after pain since "
        f"{t.day(date(2025, 5, 12))}: /settings brings it back"
    )
    assert tail[6].startswith(f"[{lang} n=6] 🧘 <b>Hip tightness</b>")
    assert tail[7].startswith(f"[{lang} n=8] Before a routine:")
    # No English exercise name or date shows through.
    assert "May" not in "\n".join(tail) and CATALOGUE.exercises["flexion"].short not in text
    data = replace(p.chart, tight_before=tight.weekly_before, tight_after=tight.weekly_after)
    texts = chart_texts(chart.figure(t, data, names_in(t)))
    assert f"[{lang} n=8] Hip tightness · last 8 weeks" in texts
    assert f"[{lang}] Before a routine" in texts and f"[{lang}] After a routine" in texts


def test_a_typical_report_fits_a_caption_in_every_language():
    """Sets, balance for all three exercises, two changes and a pause, and tightness: a
    full report still goes out as the chart's caption, with room to spare (a longer one is
    sent as a text of its own)."""
    p, _ = a_week()
    tight = tightness(checkins(), NOW, "UTC")
    full = replace(p, standings=standings_of(CHANGES), tightness=tight, tz="UTC")
    for lang, t in translators().items():
        assert len(views.progress.progress_text(t, full)) <= CAPTION_LIMIT - 50, lang


# --- through the bot -----------------------------------------------------------------------


@pytest.fixture
async def clocked(harness):
    harness.clock = ManualClock(NOW)
    await harness.start()
    return harness


def add_session(h, user_id: int, started: datetime, before: int | None, after: int | None,
                status: str = "completed", sets: bool = True) -> int:  # fmt: skip
    """A guided session as the flow leaves it: its check-ins and a set on each side."""
    db = h.services.db
    ended = started + timedelta(minutes=6)
    with db.atomic():
        session_id = db.execute(
            "INSERT INTO sessions (user_id, chat_id, routine, status, started_at, ended_at, "
            "updated_at, phase, tight_before, tight_after) "
            "VALUES (?, ?, 'full', ?, ?, ?, ?, 'done', ?, ?)",
            [user_id, user_id, status, to_db(started), to_db(ended), to_db(ended), before, after],
        ).lastrowid
        for side in ("right", "left") if sets else ():
            db.execute(
                "INSERT INTO sets (user_id, session_id, exercise, side, set_no, target_reps, "
                "actual_reps, performed_at, created_at) VALUES (?, ?, 'rotations', ?, 1, 10, "
                "10, ?, ?)",
                [user_id, session_id, side, to_db(started), to_db(started)],
            )
    return int(session_id)


def add_changes(h, user_id: int, changes: list[Change]) -> None:
    db = h.services.db
    with db.atomic():
        for c in changes:
            db.execute(
                "INSERT INTO ladder_changes (user_id, session_id, exercise, step_from, step_to, "
                "paused, reason, created_at) VALUES (?, NULL, ?, ?, ?, ?, ?, ?)",
                [user_id, c.exercise, c.step_from, c.step_to, int(c.paused), c.reason,
                 to_db(c.at)],
            )  # fmt: skip


async def progress(h, user):
    """Ask for /progress (past the cooldown) and return the photo the bot sent."""
    h.clock.advance(timedelta(seconds=PROGRESS_COOLDOWN_SECONDS))
    user.send("/progress")
    return await user.expect(lambda m: m.kind == "photo")


async def test_progress_shows_each_step_its_last_change_and_the_tightness(clocked):
    user = clocked.user()
    user.send("/progress")
    await user.expect("Nothing to show yet")  # the runner's row now exists
    for d, before, after in CHECKINS:
        add_session(clocked, user.id, day(d), before, after)
    add_session(clocked, user.id, day("2025-05-07"), None, None)  # check-ins turned off
    add_changes(clocked, user.id, CHANGES)
    before = clocked.snapshot()
    photo = await progress(clocked, user)
    assert clocked.snapshot() == before, "/progress only reads"
    assert photo.text and len(photo.text) <= CAPTION_LIMIT
    lines = photo.plain.splitlines()
    doses = lines[lines.index("Your doses") + 1 :]
    assert doses[:5] == [
        "Rotations · level 2 of 3: 2 × 12 each side",
        "   ↳ stepped up after 3 easy sessions on Sun 11 May",
        "Band flexion · level 1 of 3: 2 × 15 each side, 3 s hold at the top",
        "   ↳ stepped down after hard sessions on Sun 4 May",
        "90/90 · ⏸ paused after pain since Mon 12 May: /settings brings it back",
    ]
    assert doses[5:] == [
        "",
        "🧘 Hip tightness (0–10): −1.5 per session (6 sessions)",
        "Before a routine: 6 → 4.5 over 8 weeks",
    ]
    width, height = png_size(photo.file_data)
    assert width == 1080 and height > 1500  # three panels
    _, data, _ = clocked.services.charts[user.id]
    assert data.tight_before == [6, 6, None, 5, None, 5, 5, 4.5]


async def test_the_chart_is_redrawn_when_a_check_in_arrives(clocked):
    user = clocked.user()
    user.send("/progress")
    await user.expect("Nothing to show yet")
    add_session(clocked, user.id, day("2025-05-05"), 6, 4)
    today = add_session(clocked, user.id, day("2025-05-14", "07:00"), 5, None)
    first = await progress(clocked, user)
    assert "−2 per session (1 session)" in first.plain
    drawn = user.chat.actions.count("upload_photo")
    same = await progress(clocked, user)
    assert same.file_data == first.file_data
    assert user.chat.actions.count("upload_photo") == drawn, "the same data: the cached chart"
    # The runner checks in after today's routine (as the session flow stores it).
    with clocked.services.db.atomic():
        storage.coach.set_tightness(clocked.services.db, today, "after", 2)
    redrawn = await progress(clocked, user)
    assert "−2.5 per session (2 sessions)" in redrawn.plain
    assert redrawn.file_data != first.file_data
    assert user.chat.actions.count("upload_photo") == drawn + 1
    assert clocked.services.charts[user.id][1].tight_after[-1] == 2


async def test_check_ins_without_sets_still_make_a_report(clocked):
    """A routine stopped before its first set, with only the check-in before it: /progress
    has something to show, and the chart is the tightness panel alone."""
    user = clocked.user()
    user.send("/progress")
    await user.expect("Nothing to show yet")
    add_session(clocked, user.id, day("2025-05-13"), 7, None, status="partial", sets=False)
    photo = await progress(clocked, user)
    assert (
        "🧘 Hip tightness (0–10): rate it before and after a routine to see the change"
        in photo.plain
    )
    assert "Before a routine:" not in photo.plain  # one week: no trend yet
    width, height = png_size(photo.file_data)
    assert width == 1080 and height < 800  # one panel
