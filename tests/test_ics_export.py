"""/calendar's file (bot.views.ics), parsed back with icalendar: every run at its exact instant
in its own zone (also across a DST change), with its alarm, warm-up and stretch, UIDs that
never change, titles kept exactly, every word in the runner's language, and a file other
readers (recurring-ical-events, our own importer) accept."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import icalendar
import pytest
import recurring_ical_events

from bot.core import ics_import
from bot.core.ics_import import OWN_UID_SUFFIX
from bot.views import ics
from bot.views.ics import CalendarOptions, CalendarRun
from tests.i18n import t

NOW = datetime(2026, 10, 20, 18, 0, tzinfo=UTC)
LONDON = "Europe/London"
# British Summer Time ends on Sunday 25 October 2026 at 02:00 BST (01:00 UTC). The UTC
# instants here are worked out by hand, not by the code under test.
BEFORE = CalendarRun(1, datetime(2026, 10, 24, 6, 30, tzinfo=UTC), 45, LONDON, None)  # 07:30 BST
AFTER = CalendarRun(1, datetime(2026, 10, 26, 7, 30, tzinfo=UTC), 45, LONDON, None)  # 07:30 GMT
# 00:30 BST for two hours: the clocks go back meanwhile, so it ends at 01:30 GMT (01:30 UTC).
ACROSS = CalendarRun(2, datetime(2026, 10, 24, 23, 30, tzinfo=UTC), 120, LONDON, "Night run")
NEW_YORK = CalendarRun(3, datetime(2026, 10, 27, 11, 0, tzinfo=UTC), 60, "America/New_York", None)
IN_UTC = CalendarRun(4, datetime(2026, 10, 28, 6, 0, tzinfo=UTC), 30, "UTC", None)
RUNS = [AFTER, NEW_YORK, BEFORE, IN_UTC, ACROSS]  # out of order on purpose
OPTIONS = CalendarOptions(remind_minutes=30, warmup_minutes=9, stretch_after=15, stretch_minutes=3)
OFF = CalendarOptions(remind_minutes=None, warmup_minutes=9, stretch_after=None, stretch_minutes=3)


def render(
    runs: list[CalendarRun] = RUNS,
    options: CalendarOptions = OPTIONS,
    lang: str = "en",
    now: datetime = NOW,
) -> bytes:
    return ics.calendar_file(t(lang), runs, options, now=now)


def events(data: bytes) -> dict[str, Any]:
    """The file's events by UID."""
    parsed = icalendar.Calendar.from_ical(data)
    out = {str(e["UID"]): e for e in parsed.walk("VEVENT")}
    assert len(out) == len(parsed.walk("VEVENT")), "UIDs are unique within the file"
    return out


def instant(event: Any, name: str) -> datetime:
    return event.decoded(name).astimezone(UTC)


def uid(kind: str, run: CalendarRun, day: str) -> str:
    return f"{kind}-{run.plan_id}-{day}{OWN_UID_SUFFIX}"


def test_every_run_at_its_exact_instants_in_its_own_zone_across_dst() -> None:
    found = events(render())
    for run, day, wall in [
        (BEFORE, "20261024", "20261024T073000"),
        (AFTER, "20261026", "20261026T073000"),
        (ACROSS, "20261025", "20261025T003000"),
        (NEW_YORK, "20261027", "20261027T070000"),
    ]:
        event = found[uid("run", run, day)]
        assert event["DTSTART"].params["TZID"] == run.tz
        assert event["DTSTART"].to_ical().decode() == wall
        assert instant(event, "DTSTART") == run.start
        assert instant(event, "DTEND") == run.start + timedelta(minutes=run.minutes)
        assert str(event["TRANSP"]) == "OPAQUE" and event["SEQUENCE"] == 0
    # The same wall time on both sides of the change, one hour apart in UTC.
    assert found[uid("run", BEFORE, "20261024")].decoded("DTSTART").strftime("%H:%M") == "07:30"
    assert found[uid("run", AFTER, "20261026")].decoded("DTSTART").strftime("%H:%M") == "07:30"
    # Two hours from 00:30 BST end at 01:30 GMT, not at 02:30 (wall-clock arithmetic). 01:30
    # happens twice that night and a reader takes the first (BST), so the end is in UTC.
    across = found[uid("run", ACROSS, "20261025")]
    assert across["DTEND"].to_ical().decode() == "20261025T013000Z"
    assert instant(across, "DTEND") == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    # A run in UTC is written in UTC (Z), with no VTIMEZONE needed.
    utc = found[uid("run", IN_UTC, "20261028")]
    assert utc["DTSTART"].to_ical().decode() == "20261028T060000Z"
    assert len([u for u in found if u.startswith("run-")]) == len(RUNS)


def test_each_zone_used_has_its_vtimezone() -> None:
    parsed = icalendar.Calendar.from_ical(render())
    assert sorted(str(tz["TZID"]) for tz in parsed.walk("VTIMEZONE")) == [
        "America/New_York",
        LONDON,
    ]
    assert parsed.get_missing_tzids() == set()
    # London's rules hold both offsets, so a reader without zone data gets the change right.
    london = next(tz for tz in parsed.timezones if tz.tz_name == LONDON)
    offsets = {str(sub["TZNAME"]) for sub in london.subcomponents}
    assert offsets == {"BST", "GMT"}
    # A reader that builds the zone from the VTIMEZONE alone (not from tzdata) agrees.
    zone = london.to_tz()
    assert datetime(2026, 10, 24, 7, 30, tzinfo=zone).astimezone(UTC) == BEFORE.start
    assert datetime(2026, 10, 26, 7, 30, tzinfo=zone).astimezone(UTC) == AFTER.start


def test_alarm_at_the_reminder_lead_and_none_when_reminders_are_off() -> None:
    for event in (e for u, e in events(render()).items() if u.startswith("run-")):
        [alarm] = event.walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert alarm.decoded("TRIGGER") == -timedelta(minutes=30)
        assert alarm["TRIGGER"].params.get("RELATED", "START") == "START"
        assert str(alarm["DESCRIPTION"]) == "Warm up your hips: ~9 min"
        assert str(event["DESCRIPTION"]) == "hipcoach reminds you to warm up 30 min before."
    for u, event in events(render(options=OFF)).items():
        assert event.walk("VALARM") == [], u
        if u.startswith("run-"):
            assert "DESCRIPTION" not in event


def test_warm_up_ends_where_the_run_begins() -> None:
    found = events(render())
    warmups = {u: e for u, e in found.items() if u.startswith("warmup-")}
    assert len(warmups) == len(RUNS)
    for u, warmup in warmups.items():
        run = found[u.replace("warmup-", "run-", 1)]
        assert instant(warmup, "DTEND") == instant(run, "DTSTART")
        assert instant(warmup, "DTSTART") == instant(run, "DTSTART") - timedelta(minutes=9)
        assert warmup["DTSTART"].params.get("TZID") == run["DTSTART"].params.get("TZID")
        assert str(warmup["TRANSP"]) == "TRANSPARENT"
        assert str(warmup["SUMMARY"]) == "🔥 Hip warm-up (~9 min)"
        assert "/routine" in str(warmup["DESCRIPTION"])


def test_stretch_after_the_prompt_and_none_when_it_is_off() -> None:
    found = events(render())
    stretches = {u: e for u, e in found.items() if u.startswith("stretch-")}
    assert len(stretches) == len(RUNS)
    for u, stretch in stretches.items():
        run = found[u.replace("stretch-", "run-", 1)]
        begins = instant(run, "DTEND") + timedelta(minutes=15)
        assert instant(stretch, "DTSTART") == begins
        assert instant(stretch, "DTEND") == begins + timedelta(minutes=3)
        assert str(stretch["TRANSP"]) == "TRANSPARENT"
        # The name comes from the content: the post-run routine is the 90/90 stretch.
        assert str(stretch["SUMMARY"]) == "🧘 90/90 stretch (~3 min)"
    assert not [u for u in events(render(options=OFF)) if u.startswith("stretch-")]
    # The stretch after the run across the DST change: 01:30 GMT + 15 min, the second 01:45
    # of that night (so in UTC); the warm-up before it, at 00:21 BST, keeps its zone.
    across = found[uid("stretch", ACROSS, "20261025")]
    assert across["DTSTART"].to_ical().decode() == "20261025T014500Z"
    warmup = found[uid("warmup", ACROSS, "20261025")]
    assert warmup["DTSTART"].to_ical().decode() == "20261025T002100"


def test_uids_stay_the_same_when_the_file_is_made_again() -> None:
    first = render()
    later = NOW + timedelta(days=3, hours=5)
    again = render(now=later)
    assert events(first).keys() == events(again).keys()
    assert all(u.endswith(OWN_UID_SUFFIX) for u in events(first))
    assert uid("run", BEFORE, "20261024") in events(first)
    assert uid("warmup", ACROSS, "20261025") in events(first)  # the run's own local day
    for data, when in ((first, NOW), (again, later)):
        assert {instant(e, "DTSTAMP") for e in events(data).values()} == {when}
    # A run already gone from the next file leaves the others' UIDs alone.
    fewer = events(render(runs=[r for r in RUNS if r is not BEFORE]))
    assert fewer.keys() == events(first).keys() - {
        uid(k, BEFORE, "20261024") for k in ("run", "warmup", "stretch")
    }


def test_imported_titles_are_kept_exactly() -> None:
    titles = [
        'Intervals, 6×800 m; "hard" <b>&</b> fast',
        "Tempo\\run: 5 km\nthen cool-down",
        "Парковый забег 🌲 " + "очень длинное название " * 5,
    ]
    runs = [
        CalendarRun(10 + i, datetime(2026, 10, 21 + i, 6, 0, tzinfo=UTC), 40, LONDON, title)
        for i, title in enumerate(titles)
    ]
    found = events(render(runs))
    got = [str(found[uid("run", r, r.start.strftime("%Y%m%d"))]["SUMMARY"]) for r in runs]
    assert got == [f"🏃 {title}" for title in titles]
    untitled = events(render([BEFORE]))[uid("run", BEFORE, "20261024")]
    assert str(untitled["SUMMARY"]) == "🏃 Run"


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "es",
            [
                "X-WR-CALNAME:hipcoach: carreras y calentamientos",
                "🏃 Carrera",
                "🔥 Calentamiento de cadera (~9 min)",
                "🧘 Estiramiento 90/90 (~3 min)",
                "Calienta la cadera: ~9 min",
            ],
        ),
        (
            "ru",
            [
                "X-WR-CALNAME:hipcoach: пробежки и разминки",
                "🏃 Пробежка",
                "🔥 Разминка таза (~9 мин)",
                "🧘 Растяжка 90/90 (~3 мин)",
                "Разомни таз: ~9 мин",
            ],
        ),
    ],
)
def test_the_file_speaks_the_runners_language(lang: str, words: list[str]) -> None:
    texts = set(_texts(render(lang=lang)))
    for word in words:
        assert word in texts, (word, sorted(texts))
    # Not one text left as in English (imported titles are the runner's own).
    english = set(_texts(render(lang="en")))
    assert english & texts == {"🏃 Night run"}


def _texts(data: bytes) -> list[str]:
    """What the runner reads: the calendar's name, and each event's and alarm's words."""
    parsed = icalendar.Calendar.from_ical(data)
    out = [f"X-WR-CALNAME:{parsed['X-WR-CALNAME']}"]
    for event in parsed.walk("VEVENT"):
        out += [str(event["SUMMARY"]), str(event.get("DESCRIPTION", ""))]
        out += [str(alarm["DESCRIPTION"]) for alarm in event.walk("VALARM")]
    return [text for text in out if text]


def test_a_well_formed_file_other_readers_accept() -> None:
    data = render()
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")  # CRLF line ends only
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))  # folded
    data.decode("utf-8")
    parsed = icalendar.Calendar.from_ical(data)
    for name, value in [
        ("VERSION", "2.0"),
        ("CALSCALE", "GREGORIAN"),
        ("METHOD", "PUBLISH"),
        ("X-WR-CALNAME", "hipcoach: runs and warm-ups"),
    ]:
        assert str(parsed[name]) == value
    assert str(parsed["PRODID"]).startswith("-//hipcoach//")
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in data
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in data
    assert b"COMMENT" not in data  # no English note about the zones' range
    # Events in order of time, each run followed by its warm-up (and stretch).
    starts = [instant(e, "DTSTART") for e in parsed.walk("VEVENT") if str(e["UID"])[:4] == "run-"]
    assert starts == sorted(r.start for r in RUNS)
    # recurring-ical-events sees every event once, at the same instants.
    seen = recurring_ical_events.of(parsed).between(NOW, NOW + timedelta(weeks=8))
    assert sorted(str(e["UID"]) for e in seen) == sorted(events(data))
    assert {str(e["UID"]): e.decoded("DTSTART") for e in seen} == {
        u: e.decoded("DTSTART") for u, e in events(data).items()
    }


def test_our_own_file_sent_back_offers_nothing_to_import() -> None:
    result = ics_import.read_calendar(render(), NOW, LONDON)
    assert isinstance(result, ics_import.Unreadable)
    assert result.message == ics_import.NOTHING_AHEAD


def test_no_runs_gives_a_valid_calendar_with_no_events() -> None:
    """RFC 5545 wants one component: the runner's zone, so a subscribed calendar reads the
    feed (and drops runs deleted since) instead of rejecting it."""
    data = render(runs=[], options=replace(OPTIONS, tz=LONDON))
    parsed = icalendar.Calendar.from_ical(data)
    assert parsed.walk("VEVENT") == []
    assert [str(z["TZID"]) for z in parsed.walk("VTIMEZONE")] == [LONDON]
    assert str(parsed["VERSION"]) == "2.0" and "PRODID" in parsed


def test_a_one_off_run_keeps_its_uid_when_it_moves_and_a_change_raises_its_sequence() -> None:
    """An imported run is a one-off plan that a later import may move to another day: its
    UID is the plan's alone, and SEQUENCE grows with the plan's last change, so a calendar
    that imports the new file updates the event instead of adding a second one."""
    made = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    first = CalendarRun(7, datetime(2026, 10, 22, 6, 0, tzinfo=UTC), 40, LONDON, "Tempo",
                        one_off=True, updated=made)  # fmt: skip
    moved = replace(first, start=first.start + timedelta(days=2), updated=made + timedelta(days=3))
    before, after = events(render([first])), events(render([moved]))
    assert (
        before.keys()
        == after.keys()
        == {f"{kind}-7{OWN_UID_SUFFIX}" for kind in ("run", "warmup", "stretch")}
    )
    run_before, run_after = before[f"run-7{OWN_UID_SUFFIX}"], after[f"run-7{OWN_UID_SUFFIX}"]
    assert run_after["SEQUENCE"] > run_before["SEQUENCE"] > 0
    assert instant(run_after, "LAST-MODIFIED") == made + timedelta(days=3)


def test_the_file_name_carries_the_day() -> None:
    assert ics.filename(NOW) == "hipcoach-runs-2026-10-20.ics"
