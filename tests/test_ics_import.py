"""The calendar-file reader (bot.core.ics_import) on files shaped like real exports, on
hostile ones, and across DST changes against dateutil's zones (an oracle independent of
the zoneinfo the code uses)."""

from __future__ import annotations

import time as clock
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from dateutil import tz as dateutil_tz

from bot.core import ics_import
from bot.core.ics_import import Found, Unreadable, dump, load, looks_like_run, read_calendar
from bot.core.planning import MAX_DURATION, MIN_DURATION

FIXTURES = Path(__file__).parent / "fixtures" / "ics"
NOW = datetime(2026, 10, 1, tzinfo=UTC)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def read(data: bytes, now: datetime = NOW, tz: str = "Europe/Madrid") -> list[Found]:
    found = read_calendar(data, now, tz)
    assert isinstance(found, list), found
    return found


def unreadable(data: bytes, now: datetime = NOW) -> str:
    started = clock.perf_counter()
    result = read_calendar(data, now, "Europe/Madrid")
    assert clock.perf_counter() - started < 2
    assert isinstance(result, Unreadable), result
    return result.message.id


def cal(*lines: str) -> bytes:
    body = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", *lines, "END:VCALENDAR"]
    return ("\r\n".join(body) + "\r\n").encode()


def event(*lines: str, uid: str = "e@x", start: str = "DTSTART:20261020T060000Z") -> list[str]:
    head = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261001T000000Z", start, "SUMMARY:Run"]
    return [*head, *lines, "END:VEVENT"]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_google_export() -> None:
    found = read(fixture("google.ics"))
    series = [f for f in found if f.title == "Series en pista"]
    # Weekly Tuesday 07:30 Madrid until mid-December; Oct 13 is an EXDATE, Oct 20 moved.
    assert [f.start for f in series][:3] == [utc(2026, 10, 6, 5, 30), utc(2026, 10, 27, 6, 30),
                                             utc(2026, 11, 3, 6, 30)]  # fmt: skip
    assert all(f.tz == "Europe/Madrid" and f.minutes == 60 and f.run for f in series)
    moved = next(f for f in found if f.title.startswith("Series en pista ("))
    assert moved.start == utc(2026, 10, 22, 5, 30)
    assert moved.key == "20261020T053000Z"  # the occurrence it replaces
    assert moved.uid == series[0].uid
    # UTC times in a calendar with X-WR-TIMEZONE keep Madrid's wall time across the DST end.
    long_runs = [f for f in found if f.title == "Tirada larga"]
    first_four = [
        utc(2026, 10, 11, 7),
        utc(2026, 10, 18, 7),
        utc(2026, 10, 25, 8),
        utc(2026, 11, 1, 8),
    ]
    assert [f.start for f in long_runs][:4] == first_four
    assert {f.tz for f in long_runs} == {"Europe/Madrid"} and long_runs[0].minutes == 120
    race = next(f for f in found if f.all_day)
    assert (race.day, race.key, race.tz, race.run) == (date(2026, 10, 18), "once",
                                                        "Europe/Madrid", True)  # fmt: skip
    brunch = next(f for f in found if f.title.startswith("Brunch"))
    assert not brunch.run
    assert not any(f.title == "Rodaje suave" for f in found)  # STATUS:CANCELLED
    starts = [f.start or datetime.combine(f.day, datetime.min.time(), dateutil_tz.gettz(
        "Europe/Madrid")) for f in found]  # type: ignore[arg-type]  # fmt: skip
    assert starts == sorted(starts)
    assert all(NOW <= f.start < NOW + timedelta(days=56) for f in found if f.start)


def test_apple_export_new_york_across_november_dst() -> None:
    found = read(fixture("apple.ics"), now=utc(2026, 10, 15))
    runs = [f for f in found if f.run]
    ny = dateutil_tz.gettz("America/New_York")
    for f in runs:
        local = f.start.astimezone(ny)  # type: ignore[union-attr]
        assert (local.hour, local.minute, local.weekday() in (1, 3)) == (6, 30, True)
        assert f.tz == "America/New_York" and f.minutes == 45
    assert runs[0].start == utc(2026, 10, 20, 10, 30)  # EDT
    assert utc(2026, 11, 3, 11, 30) in [f.start for f in runs]  # EST after Nov 1
    assert runs[0].title == "Easy run 🏃\u200d♀️"
    meeting = next(f for f in found if f.title == "Team meeting")
    assert not meeting.run


def test_outlook_export_windows_zones_and_cp1252() -> None:
    found = read(fixture("outlook.ics"), now=utc(2026, 10, 15))
    club = [f for f in found if f.title == "Lauftreff Café Grün"]
    assert club and all(f.tz == "Europe/Berlin" and f.run for f in club)  # CATEGORIES:Running
    assert club[0].start == utc(2026, 10, 21, 16) and club[2].start == utc(2026, 11, 4, 17)
    review = next(f for f in found if f.title == "Quarterly review")
    assert (review.tz, review.start, review.run) == ("America/Los_Angeles", utc(2026, 10, 23, 16),
                                                     False)  # fmt: skip


def test_training_app_utc_and_duration() -> None:
    found = read(fixture("training_app.ics"), now=utc(2026, 10, 15))
    by_title = {f.title: f for f in found}
    assert by_title["Tempo 8 km"].minutes == 50 and by_title["Tempo 8 km"].tz == "UTC"
    assert by_title["Intervals 6x800"].minutes == 65 and by_title["Intervals 6x800"].run
    assert by_title["Long run 28 km"].minutes == MAX_DURATION
    assert by_title["Mobility"].minutes == MIN_DURATION and by_title["Mobility"].run
    assert by_title["Strength: hips and glutes"].minutes == 45  # no end: the default
    assert not by_title["Strength: hips and glutes"].run
    assert "Buy new running shoes" not in by_title  # a VTODO


def test_russian_spanish_floating_own_and_no_uid() -> None:
    found = read(fixture("multilingual.ics"), now=utc(2026, 10, 15))
    runs = {f.title: f for f in found if f.run}
    assert set(runs) == {"Лёгкая пробежка", "ДЛИТЕЛЬНАЯ 25 км", "Rodaje suave", "Parkrun sin UID"}
    assert runs["Лёгкая пробежка"].tz == "Europe/Moscow"
    floating = runs["Rodaje suave"]
    assert (floating.tz, floating.start) == ("Europe/Madrid", utc(2026, 10, 23, 16))
    assert all(not f.uid.endswith("@hipcoach") for f in found)
    stand_in = runs["Parkrun sin UID"].uid
    assert stand_in.startswith("nouid-")
    again = read(fixture("multilingual.ics"), now=utc(2026, 10, 16))
    assert stand_in in {f.uid for f in again}


def test_floating_time_in_kathmandu() -> None:
    data = cal(*event(start="DTSTART:20261020T060000"))
    (found,) = read(data, now=utc(2026, 10, 15), tz="Asia/Kathmandu")
    assert (found.start, found.tz, found.key) == (utc(2026, 10, 20, 0, 15), "Asia/Kathmandu",
                                                  "once")  # a one-time event  # fmt: skip


def test_custom_vtimezone_keeps_the_instant_in_utc() -> None:
    (found,) = read(fixture("custom_zone.ics"), now=utc(2026, 10, 15))
    assert (found.start, found.tz, found.minutes) == (utc(2026, 10, 21, 3, 30), "UTC", 60)


@pytest.mark.parametrize(
    ("zone", "now", "first"),
    [
        ("Europe/Berlin", utc(2027, 3, 10), datetime(2027, 3, 16, 7)),
        ("America/New_York", utc(2026, 10, 20), datetime(2026, 10, 20, 7)),
        ("Australia/Lord_Howe", utc(2026, 9, 20), datetime(2026, 9, 22, 7)),
    ],
)
def test_weekly_across_dst_against_dateutil(zone: str, now: datetime, first: datetime) -> None:
    data = cal(*event("RRULE:FREQ=WEEKLY;BYDAY=TU", start=f"DTSTART;TZID={zone}:"
                      f"{first:%Y%m%dT%H%M%S}"))  # fmt: skip
    found = read(data, now=now)
    oracle = dateutil_tz.gettz(zone)
    expected = [(first + timedelta(weeks=i)).replace(tzinfo=oracle).astimezone(UTC)
                for i in range(8)]  # fmt: skip
    assert [f.start for f in found] == expected
    assert len({e.utcoffset() for e in (x.astimezone(oracle) for x in expected)}) == 2
    assert {f.tz for f in found} == {zone}


def test_lord_howe_half_hour_known_values() -> None:
    data = cal(*event("RRULE:FREQ=WEEKLY;COUNT=3", start="DTSTART;TZID=Australia/Lord_Howe:"
                      "20260929T070000"))  # fmt: skip
    found = read(data, now=utc(2026, 9, 20))
    # +10:30 until Sunday Oct 4 2026 02:00, then +11:00.
    assert [f.start for f in found] == [utc(2026, 9, 28, 20, 30), utc(2026, 10, 5, 20),
                                        utc(2026, 10, 12, 20)]  # fmt: skip


def test_keys_and_round_trip() -> None:
    found = read(fixture("google.ics"))
    assert load(dump(found)) == found
    keys = [(f.uid, f.key) for f in found]
    assert len(keys) == len(set(keys))
    assert read(fixture("google.ics")) == found


def test_titles_one_line_and_cut() -> None:
    long_title = "Long run " + "x" * 200
    data = cal(*event("SUMMARY:ignored"), "BEGIN:VEVENT", "UID:t@x", "DTSTAMP:20261001T000000Z",
               "DTSTART:20261021T060000Z", f"SUMMARY:{long_title}", "END:VEVENT",
               "BEGIN:VEVENT", "UID:c@x", "DTSTAMP:20261001T000000Z",
               "DTSTART:20261022T060000Z", "SUMMARY:Run\\n\u202eclub", "END:VEVENT")  # fmt: skip
    found = {f.uid: f for f in read(data)}
    assert len(found["t@x"].title) == ics_import.MAX_TITLE and found["t@x"].title.endswith("…")
    assert found["c@x"].title == "Run club"


@pytest.mark.parametrize(
    ("title", "run"),
    [
        ("Easy run", True), ("Tempo 8 km", True), ("Intervals 6x800", True), ("parkrun", True),
        ("Half-marathon", True), ("10K race", True), ("Tirada larga", True), ("Rodaje 8 km", True),
        ("Cambios de ritmo", True), ("Media maratón", True), ("Пробежку перенести", True),
        ("Длительная", True), ("Фартлек", True), ("🏃🏽 club", True), ("Полумарафон", True),
        ("Brunch", False), ("Runway show", False), ("Team meeting", False), ("Кроссфит", False),
        ("Reunión", False), ("Dentist", False), ("", False),
    ],
)  # fmt: skip
def test_looks_like_run(title: str, run: bool) -> None:
    assert looks_like_run(title, []) is run


def test_categories_count() -> None:
    assert looks_like_run("Club night", ["Sport", "Running"])
    assert not looks_like_run("Club night", ["Sport"])


def test_size_and_not_a_calendar() -> None:
    assert unreadable(b"BEGIN:VCALENDAR\r\n" + b"X" * ics_import.MAX_BYTES) == ics_import.TOO_BIG.id
    big = read_calendar(b"x" * (ics_import.MAX_BYTES + 1), NOW, "UTC")
    assert isinstance(big, Unreadable) and big.message.params == {"limit": 1}
    for data in (b"", b"\x89PNG\r\n\x1a\n" + bytes(100), bytes(range(256)) * 40,
                 b"Subject: hello\r\n", b"BEGIN:VCALENDAR\r\n\x00\x01garbage"):  # fmt: skip
        assert unreadable(data) == ics_import.NOT_A_CALENDAR.id


def test_encodings() -> None:
    data = cal(*event(start="DTSTART:20261020T060000Z"))
    for encoded in (data.decode().encode("utf-16"), b"\xef\xbb\xbf" + data, b"\r\n  " + data):
        assert [f.start for f in read(encoded)] == [utc(2026, 10, 20, 6)]


def test_malformed() -> None:
    deep = cal("BEGIN:VEVENT\r\n" * 5000 + "END:VEVENT\r\n" * 5000)
    for data in (
        deep,
        cal(*event(start="DTSTART:20261399T060000Z")),
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n",
    ):
        assert unreadable(data) == ics_import.MALFORMED.id


def test_nothing_ahead() -> None:
    assert unreadable(cal()) == ics_import.NOTHING_AHEAD.id
    past = cal(*event(start="DTSTART:20250101T060000Z"))
    assert unreadable(past) == ics_import.NOTHING_AHEAD.id
    ours = cal(*event(uid="run-1@hipcoach"))
    assert unreadable(ours) == ics_import.NOTHING_AHEAD.id
    never = cal(*event("RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"))  # dateutil would walk to 9999
    assert unreadable(never) == ics_import.NOTHING_AHEAD.id


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=SECONDLY", "FREQ=MINUTELY", "FREQ=HOURLY",
        "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=YEARLY;BYHOUR=" + ",".join(map(str, range(24))) + ";BYMINUTE="
        + ",".join(map(str, range(60))) + ";BYSECOND=" + ",".join(map(str, range(60))),
    ],
)  # fmt: skip
def test_too_many(rule: str) -> None:
    data = cal(*event(f"RRULE:{rule}", start="DTSTART:20261001T060000Z"))
    assert unreadable(data) == ics_import.TOO_MANY.id


def test_too_many_events_and_rules() -> None:
    old = cal(*event("RRULE:FREQ=DAILY", start="DTSTART:00010101T060000Z"))  # 10,000 years
    assert unreadable(old) == ics_import.TOO_MANY.id
    lines = [line for i in range(1001) for line in event(uid=f"e{i}@x")]
    assert unreadable(cal(*lines)) == ics_import.TOO_MANY.id
    lines = [line for i in range(ics_import.MAX_COMPONENTS) for line in event(uid=f"e{i}@x")]
    assert unreadable(cal(*lines)) == ics_import.TOO_MANY.id
    never = [line for i in range(500) for line in event("RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
                                                         uid=f"n{i}@x")]  # fmt: skip
    assert unreadable(cal(*never)) == ics_import.TOO_MANY.id


def test_hostile_but_readable_files_are_bounded() -> None:
    huge_count = cal(*event("RRULE:FREQ=DAILY;COUNT=1000000000"))
    exdates = [f"EXDATE:2026{m:02d}{d:02d}T060000Z" for m in range(1, 10) for d in range(1, 29)]
    many_exdates = cal(*event("RRULE:FREQ=DAILY", *exdates * 30))
    end_before = cal(*event("DTEND:20261019T060000Z"))
    huge_line = cal(*event("DESCRIPTION:" + "a" * 900_000))
    for data in (huge_count, many_exdates, end_before, huge_line):
        started = clock.perf_counter()
        found = read(data)
        assert clock.perf_counter() - started < 2
        assert found and all(MIN_DURATION <= f.minutes <= MAX_DURATION for f in found)
    assert len(read(huge_count)) == 56 - 19


# --- found in review: what a re-import needs, and more hostile shapes ------------------------


def test_a_file_says_which_calendar_it_is_its_uids_and_its_zone() -> None:
    data = cal(
        "X-WR-CALNAME:Training",
        "X-WR-TIMEZONE:Europe/Madrid",
        *event(uid="ahead@x"),
        *event("STATUS:CANCELLED", uid="cancelled@x"),
        *event(uid="later@x", start="DTSTART:20270601T060000Z"),
        *event(uid="own@hipcoach"),
    )
    read = ics_import.read_file(data, NOW, "UTC")
    assert isinstance(read, ics_import.Read)
    assert [f.uid for f in read.found] == ["ahead@x"]
    assert read.uids == {"ahead@x", "cancelled@x", "later@x"}  # a re-import sees them gone
    assert read.zone == "Europe/Madrid"
    assert read.calendar is not None
    unnamed = ics_import.read_file(cal(*event()), NOW, "UTC")
    assert isinstance(unnamed, ics_import.Read) and unnamed.calendar is None
    assert unnamed.zone is None


def test_a_one_time_event_is_keyed_by_uid_alone_and_a_repeat_counts_once() -> None:
    twice = cal(*event(uid=""), *event(uid=""))  # written twice, no UID
    found = read(twice)
    assert len(found) == 1 and found[0].key == ics_import.ONCE
    moved = read(cal(*event(start="DTSTART:20261021T070000Z")))
    assert (moved[0].uid, moved[0].key) == ("e@x", ics_import.ONCE)


def test_a_huge_uid_is_kept_as_a_hash() -> None:
    uid = "x" * 100_000
    found = read(cal(*event("RRULE:FREQ=DAILY;COUNT=20", uid=uid)))
    assert len(found) == 20
    assert {f.uid for f in found} == {found[0].uid} and len(found[0].uid) <= ics_import.MAX_UID
    assert len(dump(found)) < 20_000


def test_a_long_title_is_read_fast() -> None:
    summary = "SUMMARY:" + " ".join(["tempo"] * 5000)
    lines = [line for line in event("RRULE:FREQ=DAILY") if not line.startswith("SUMMARY")]
    started = clock.perf_counter()
    found = read(
        cal(*lines[:-1], summary, "CATEGORIES:" + ",".join(["x" * 500] * 50), "END:VEVENT")
    )
    assert clock.perf_counter() - started < 1
    assert len(found) == 37 and found[0].run  # daily from 20 October to the window's end


@pytest.mark.parametrize("freq", ["DAILY", "HOURLY", "MINUTELY"])
def test_a_time_zone_rule_finer_than_yearly_is_refused(freq: str) -> None:
    zone = [
        "BEGIN:VTIMEZONE", "TZID:Hostile", "BEGIN:STANDARD", "DTSTART:19000101T000000",
        f"RRULE:FREQ={freq}", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "END:STANDARD",
        "END:VTIMEZONE",
    ]  # fmt: skip
    data = cal(*zone, *event("RRULE:FREQ=DAILY", start="DTSTART;TZID=Hostile:20261020T070000"))
    assert unreadable(data) == ics_import.MALFORMED.id
