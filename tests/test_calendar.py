"""Calendars end to end: a runner sends an .ics file, adds its runs, and gets them back with
/calendar; the real bot against the fake Bot API, with a movable clock.

The clock starts on Monday 1 March 2027, 06:00 UTC, so the eight weeks an import looks at
cross Europe's spring-forward change (28 March 2027): a Madrid run at 07:00 is 06:00 UTC
before it and 05:00 UTC after (the offsets are written out here, not computed, as the
oracle).
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from bot.core.clock import to_db
from bot.sandbox import BotMessage, FakeUser

START = datetime(2027, 3, 1, 6, 0, tzinfo=UTC)

GOOGLE = """BEGIN:VCALENDAR
PRODID:-//Google Inc//Google Calendar 70.9054//EN
VERSION:2.0
CALSCALE:GREGORIAN
METHOD:PUBLISH
X-WR-CALNAME:Training
X-WR-TIMEZONE:Europe/Madrid
BEGIN:VTIMEZONE
TZID:Europe/Madrid
X-LIC-LOCATION:Europe/Madrid
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
DTSTART;TZID=Europe/Madrid:20270302T070000
DTEND;TZID=Europe/Madrid:20270302T075000
RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20270420T060000Z
EXDATE;TZID=Europe/Madrid:20270316T070000
DTSTAMP:20270220T120000Z
UID:easy-tuesday@google.com
SUMMARY:Easy run
END:VEVENT
BEGIN:VEVENT
DTSTART:20270306T080000Z
DTEND:20270306T093000Z
DTSTAMP:20270220T120000Z
UID:long-run-1@google.com
SUMMARY:Long run 18 km
END:VEVENT
BEGIN:VEVENT
DTSTART;VALUE=DATE:20270321
DTEND;VALUE=DATE:20270322
DTSTAMP:20270220T120000Z
UID:race@google.com
SUMMARY:Carrera 10K
END:VEVENT
BEGIN:VEVENT
DTSTART;TZID=Europe/Madrid:20270303T100000
DTEND;TZID=Europe/Madrid:20270303T110000
DTSTAMP:20270220T120000Z
UID:dentist@google.com
SUMMARY:Dentist
END:VEVENT
END:VCALENDAR
"""

# The Tuesday runs at 07:00 Madrid: CET (+01:00) until 28 March, CEST (+02:00) after; the
# 16th is an EXDATE. The Saturday long run is a UTC time; the race is all-day.
TUESDAYS = [
    datetime(2027, 3, 2, 6, 0, tzinfo=UTC),
    datetime(2027, 3, 9, 6, 0, tzinfo=UTC),
    datetime(2027, 3, 23, 6, 0, tzinfo=UTC),
    datetime(2027, 3, 30, 5, 0, tzinfo=UTC),
    datetime(2027, 4, 6, 5, 0, tzinfo=UTC),
    datetime(2027, 4, 13, 5, 0, tzinfo=UTC),
    datetime(2027, 4, 20, 5, 0, tzinfo=UTC),
]
LONG_RUN = datetime(2027, 3, 6, 8, 0, tzinfo=UTC)
RACE_AT_8 = datetime(2027, 3, 21, 7, 0, tzinfo=UTC)  # 08:00 CET


def ics(text: str = GOOGLE) -> bytes:
    return text.replace("\n", "\r\n").encode()


@pytest.fixture
async def cal(harness):
    await harness.start_at(START)
    return harness


async def madrid_runner(h, user_id: int = 1001) -> FakeUser:
    user = h.user(user_id)
    user.send("/timezone Europe/Madrid")
    await user.expect("Europe/Madrid")
    return user


async def send_file(user: FakeUser, data: bytes, name: str = "training.ics") -> BotMessage:
    before = len(user.messages)
    user.send_document(name, data, mime_type="text/calendar")
    await user.wait_until(lambda: len(user.messages) > before)
    return user.messages[-1]


def plan_starts(h) -> list[datetime]:
    """Every imported run's start, computed from its row the way the bot does."""
    from bot.core.localtime import local_instant
    from bot.storage.plans import plan_from_row

    rows = h.rows("SELECT * FROM plans WHERE active = 1 AND source = 'ics'")
    starts = []
    for row in rows:
        plan = plan_from_row(row)
        assert plan.rule.on is not None
        starts.append(local_instant(plan.rule.on, plan.rule.at, plan.rule.tz))
    return sorted(starts)


async def shows(user: FakeUser, text: str) -> BotMessage:
    """The latest message, once it reads `text` (import steps edit one message in place)."""
    await user.wait_until(lambda: bool(user.messages) and text in user.messages[-1].plain)
    return user.messages[-1]


async def add_all_at_eight(user: FakeUser, summary: BotMessage) -> BotMessage:
    user.press("Add all", summary)
    asked = await shows(user, "What time")
    user.press("08:00", asked)
    await user.wait_until(lambda: "What time" not in user.messages[-1].plain)
    return user.messages[-1]


# --- import -----------------------------------------------------------------------------


async def test_a_google_calendar_becomes_runs_with_reminders_and_comes_back(cal):
    user = await madrid_runner(cal)
    summary = await send_file(user, ics())
    assert "9 runs found" in summary.plain
    assert "Tue 07:00 ×7 · Easy run" in summary.plain
    assert "Sat 09:00 ×1 · Long run 18 km" in summary.plain
    assert "All day ×1 · Carrera 10K" in summary.plain
    assert "Dentist" not in summary.plain
    labels = [label for row in summary.buttons for label, _ in row]
    assert labels == ["✅ Add all 9", "☑️ Choose", "📋 All 10 events", "✖ Cancel"]
    [pending] = cal.rows("SELECT status, scope FROM calendar_imports")
    assert pending == {"status": "pending", "scope": "runs"}
    assert cal.rows("SELECT COUNT(*) AS n FROM plans") == [{"n": 0}]

    result = await add_all_at_eight(user, summary)
    assert "Added 9 runs" in result.plain
    assert plan_starts(cal) == sorted([*TUESDAYS, LONG_RUN, RACE_AT_8])
    tuesday = cal.rows(
        "SELECT local_time, tz, duration_minutes, title, source_uid FROM plans "
        "WHERE source_uid = 'easy-tuesday@google.com' ORDER BY run_date"
    )
    assert {(r["local_time"], r["tz"], r["duration_minutes"]) for r in tuesday} == {
        ("07:00", "Europe/Madrid", 50)
    }
    [race] = cal.rows("SELECT local_time, tz, duration_minutes FROM plans WHERE title LIKE 'Car%'")
    assert race == {"local_time": "08:00", "tz": "Europe/Madrid", "duration_minutes": 45}
    assert cal.rows("SELECT status FROM calendar_imports") == [{"status": "added"}]

    # Reminders follow them: built 8 days ahead, a warm-up nudge 30 min before each run.
    rows = cal.rows(
        "SELECT kind, occurrence, due_at FROM reminders WHERE kind = 'pre_run' ORDER BY due_at"
    )
    expected = [TUESDAYS[0], LONG_RUN, TUESDAYS[1]]  # the 9th is at the 8 days' edge
    assert [(r["occurrence"], r["due_at"]) for r in rows] == [
        (to_db(run), to_db(run - timedelta(minutes=30))) for run in expected[: len(rows)]
    ]
    assert len(rows) >= 2
    [post] = cal.rows("SELECT due_at FROM reminders WHERE kind = 'post_run' AND occurrence = ?",
                      (to_db(LONG_RUN),))  # fmt: skip
    assert post["due_at"] == to_db(LONG_RUN + timedelta(minutes=90 + 15))

    user.send("/runs")
    runs = await user.expect("Your runs")
    assert "Tue 2 Mar, 07:00 · 50 min · Easy run" in runs.plain
    assert "Sat 6 Mar, 09:00 · 90 min · Long run 18 km" in runs.plain
    assert "📅 9 runs from your calendar" in runs.plain

    # /calendar: the same runs, parsed back with icalendar, each with its warm-up.
    user.send("/calendar")
    sent = await user.expect(lambda m: m.kind == "document")
    assert sent.filename and sent.filename.endswith(".ics")
    parsed = icalendar.Calendar.from_ical(sent.file_data)
    events = list(parsed.walk("VEVENT"))
    runs_out = sorted(
        e.decoded("DTSTART").astimezone(UTC) for e in events if str(e["UID"]).startswith("run-")
    )
    assert runs_out == plan_starts(cal)
    warmups = [e for e in events if str(e["UID"]).startswith("warmup-")]
    assert len(warmups) == 9
    assert all(e.decoded("DTEND").astimezone(UTC) in runs_out for e in warmups)
    # Each run warns at the reminder lead (30 min), and a stretch follows 15 min after its
    # end (the after-run prompt's default): the long run's at 09:30 + 15 min.
    alarms = [a for e in events if str(e["UID"]).startswith("run-") for a in e.walk("VALARM")]
    assert len(alarms) == 9
    assert {a.decoded("TRIGGER") for a in alarms} == {-timedelta(minutes=30)}
    assert all("Warm up your hips" in str(a["DESCRIPTION"]) for a in alarms)
    stretches = {
        e.decoded("DTSTART").astimezone(UTC) for e in events if str(e["UID"]).startswith("stretch-")
    }
    assert len(stretches) == 9
    assert LONG_RUN + timedelta(minutes=90 + 15) in stretches
    titles = {str(e["SUMMARY"]) for e in events if str(e["UID"]).startswith("run-")}
    assert any("Long run 18 km" in title for title in titles)


async def test_sending_the_same_file_again_adds_nothing_and_a_changed_one_updates(cal):
    user = await madrid_runner(cal)
    await add_all_at_eight(user, await send_file(user, ics()))
    first = cal.rows("SELECT id, source_key FROM plans WHERE active = 1 ORDER BY id")

    cal.clock.set(START + timedelta(seconds=30))  # past the import cooldown
    again = await send_file(user, ics())
    result = await add_all_at_eight(user, again)
    assert "9 were already added" in result.plain
    assert "Added" not in result.plain
    assert cal.rows("SELECT id, source_key FROM plans WHERE active = 1 ORDER BY id") == first

    # The runner's calendar changed: the 23 March run moved to 08:00 (a RECURRENCE-ID
    # override) and the 6 April one was cancelled (EXDATE).
    changed = GOOGLE.replace(
        "EXDATE;TZID=Europe/Madrid:20270316T070000",
        "EXDATE;TZID=Europe/Madrid:20270316T070000,20270406T070000",
    ).replace(
        "END:VCALENDAR",
        "BEGIN:VEVENT\nDTSTART;TZID=Europe/Madrid:20270323T080000\n"
        "DTEND;TZID=Europe/Madrid:20270323T085000\nRECURRENCE-ID;TZID=Europe/Madrid:"
        "20270323T070000\nDTSTAMP:20270221T120000Z\nUID:easy-tuesday@google.com\n"
        "SUMMARY:Easy run\nEND:VEVENT\nEND:VCALENDAR",
    )
    cal.clock.set(START + timedelta(seconds=60))
    result = await add_all_at_eight(user, await send_file(user, ics(changed)))
    assert "Updated 1 run" in result.plain
    assert "Removed 1 run no longer in the calendar" in result.plain
    expected = sorted(
        [t for t in TUESDAYS if t.day != 6 and t.day != 23]
        + [datetime(2027, 3, 23, 7, 0, tzinfo=UTC), LONG_RUN, RACE_AT_8]
    )
    assert plan_starts(cal) == expected
    moved = cal.rows(
        "SELECT id, local_time FROM plans WHERE active = 1 AND source_key = '20270323T060000Z'"
    )
    assert len(moved) == 1 and moved[0]["local_time"] == "08:00"
    assert moved[0]["id"] in {r["id"] for r in first}  # updated in place, not added again
    assert cal.rows(
        "SELECT COUNT(*) AS n FROM reminders WHERE plan_id IN "
        "(SELECT id FROM plans WHERE active = 0) AND status = 'pending'"
    ) == [{"n": 0}]


async def test_hand_made_plans_are_left_alone_and_not_doubled(cal):
    user = await madrid_runner(cal)
    user.send("/plan tue 07:00")
    await user.expect("planned")
    sql = "SELECT id, weekdays, run_date, local_time, tz, duration_minutes, active FROM plans"
    [hand] = cal.rows(sql)
    await add_all_at_eight(user, await send_file(user, ics()))
    # The Tuesday runs are already a /plan plan: not added twice (one reminder per run).
    assert plan_starts(cal) == sorted([LONG_RUN, RACE_AT_8])
    assert cal.rows(sql + " WHERE source IS NULL") == [hand]  # its reminders were rebuilt
    last = user.messages[-1].plain
    assert "7 are already among your /plan runs" in last
    dupes = cal.rows(
        "SELECT occurrence, COUNT(*) AS n FROM reminders WHERE kind = 'pre_run' "
        "GROUP BY occurrence HAVING n > 1"
    )
    assert dupes == []
    # Removing the calendar's runs leaves the /plan plan.
    user.send("/runs")
    runs = await user.expect("Your runs")
    user.press("Remove calendar runs", runs)
    await user.wait_until(lambda: "from your calendar" not in user.messages[-1].plain)
    assert cal.rows("SELECT COUNT(*) AS n FROM plans WHERE active = 1 AND source = 'ics'") == [
        {"n": 0}
    ]
    assert cal.rows("SELECT id FROM plans WHERE active = 1") == [{"id": hand["id"]}]


async def test_choose_and_all_events(cal):
    user = await madrid_runner(cal)
    summary = await send_file(user, ics())
    user.press("All 10 events", summary)
    await user.wait_until(lambda: "10 events" in user.messages[-1].plain)
    assert "Wed 10:00 ×1 · Dentist" in user.messages[-1].plain
    user.press("Choose", user.messages[-1])
    await user.wait_until(lambda: "Tick the runs" in user.messages[-1].plain)
    chooser = user.messages[-1]
    user.press("Dentist", chooser)
    await user.wait_until(
        lambda: any("⬜" in b for row in user.messages[-1].buttons for b, _ in row)
    )
    user.press("All day", user.messages[-1])
    await user.wait_until(lambda: "Add 8 runs" in str(user.messages[-1].buttons))
    user.press("Add 8 runs", user.messages[-1])
    result = await shows(user, "Added")
    assert "Added 8 runs" in result.plain
    assert plan_starts(cal) == sorted([*TUESDAYS, LONG_RUN])


async def test_a_restart_between_the_file_and_add_all_loses_nothing(cal):
    user = await madrid_runner(cal)
    summary = await send_file(user, ics())
    await cal.restart()
    user.press("Add all", summary)
    asked = await shows(user, "What time")
    user.press("Leave all-day ones out", asked)
    result = await shows(user, "Added")
    assert "Added 8 runs" in result.plain
    assert "1 all-day one left out" in result.plain


async def test_a_new_file_of_the_same_calendar_moves_and_removes_what_changed(cal):
    """The runner edits their calendar and sends it again: the long run moved to Sunday is
    updated in place; the race deleted from it, and the Tuesday runs after the series was
    cut short (UNTIL), are removed with their reminders."""
    user = await madrid_runner(cal)
    await add_all_at_eight(user, await send_file(user, ics()))
    [long_run] = cal.rows("SELECT id FROM plans WHERE source_uid = 'long-run-1@google.com'")
    race_start = GOOGLE.index("BEGIN:VEVENT\nDTSTART;VALUE=DATE")
    race_end = GOOGLE.index("END:VEVENT\n", race_start) + len("END:VEVENT\n")
    edited = (
        (GOOGLE[:race_start] + GOOGLE[race_end:])
        .replace("DTSTART:20270306T080000Z", "DTSTART:20270307T080000Z")
        .replace("DTEND:20270306T093000Z", "DTEND:20270307T093000Z")
        .replace("UNTIL=20270420T060000Z", "UNTIL=20270324T060000Z")
    )
    cal.clock.set(START + timedelta(seconds=30))
    summary = await send_file(user, ics(edited))
    user.press("Add all", summary)
    result = await shows(user, "Updated")
    assert "Updated 1 run" in result.plain
    assert "Removed 5 runs no longer in the calendar" in result.plain  # 4 Tuesdays, the race
    moved = datetime(2027, 3, 7, 8, 0, tzinfo=UTC)
    assert plan_starts(cal) == [TUESDAYS[0], moved, TUESDAYS[1], TUESDAYS[2]]
    assert cal.rows("SELECT id FROM plans WHERE active = 1 AND source_key = 'once'") == [
        {"id": long_run["id"]}
    ]
    pending = cal.rows(
        "SELECT COUNT(*) AS n FROM reminders WHERE status = 'pending' AND plan_id IN "
        "(SELECT id FROM plans WHERE active = 0)"
    )
    assert pending == [{"n": 0}]


async def test_a_runner_without_a_zone_is_told_the_times_are_utc(cal):
    user = cal.user(3003)
    summary = await send_file(user, ics())
    assert "Tue 06:00 ×3 · Easy run" in summary.plain  # UTC, before the change
    assert "These times are UTC" in summary.plain
    assert "/timezone Europe/Madrid" in summary.plain  # the calendar's own zone


async def test_an_event_written_twice_without_a_uid_is_added_once(cal):
    user = await madrid_runner(cal)
    twice = (
        "BEGIN:VEVENT\nDTSTART:20270305T070000Z\nDURATION:PT40M\nSUMMARY:Tempo run\nEND:VEVENT\n"
    )
    data = ics(f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//app//EN\n{twice}{twice}END:VCALENDAR\n")
    summary = await send_file(user, data)
    assert "1 run found" in summary.plain
    user.press("Add", summary)
    result = await shows(user, "Added")
    assert "Added 1 run" in result.plain
    assert len(plan_starts(cal)) == 1


# --- bad input --------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)


@pytest.mark.parametrize(
    ("data", "answer"),
    [
        (PNG, "isn't a calendar"),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:2027XX\r\n", "couldn't read"),
        (
            ics(GOOGLE.replace("2027", "2025").replace("UNTIL=20250420", "UNTIL=20250420")),
            "nothing in the next 8 weeks",
        ),
    ],
)
async def test_bad_files_get_one_line_and_save_nothing(cal, data, answer):
    user = await madrid_runner(cal)
    before, count = cal.snapshot(), len(user.messages)
    reply = await send_file(user, data, "calendar.ics")
    assert answer in reply.plain
    assert not reply.buttons
    assert len(user.messages) == count + 1
    assert cal.snapshot() == before


async def test_a_file_with_no_runs_says_so_in_one_line_and_saves_nothing(cal):
    """Only a dentist's appointment: one line, and the choice to take every event; no plan
    until the runner taps it."""
    user = await madrid_runner(cal)
    dentist = GOOGLE[GOOGLE.index("BEGIN:VEVENT\nDTSTART;TZID=Europe/Madrid:20270303") :]
    data = ics(GOOGLE[: GOOGLE.index("BEGIN:VEVENT")] + dentist)
    count = len(user.messages)
    reply = await send_file(user, data)
    assert reply.plain == "📅 No runs among the 1 event in the next 8 weeks."
    assert [label for row in reply.buttons for label, _ in row] == [
        "📋 Use the 1 event",
        "✖ Cancel",
    ]
    assert len(user.messages) == count + 1
    assert cal.rows("SELECT COUNT(*) AS n FROM plans") == [{"n": 0}]
    assert cal.rows("SELECT status, scope FROM calendar_imports") == [
        {"status": "pending", "scope": "runs"}
    ]


async def test_a_huge_file_is_refused_before_it_is_downloaded(cal):
    user = await madrid_runner(cal)
    before = cal.snapshot()
    reply = await send_file(user, b"BEGIN:VCALENDAR\r\n" + b"X" * 1_200_000, "big.ics")
    assert "too big" in reply.plain
    assert not [r for r in cal.api.requests if r.method == "getFile"]
    assert cal.snapshot() == before


async def test_forged_and_stale_import_buttons_change_nothing(cal):
    user = await madrid_runner(cal)
    other = await madrid_runner(cal, 2002)
    summary = await send_file(user, ics())
    [row] = cal.rows("SELECT id FROM calendar_imports")
    before = cal.snapshot()
    for data in (
        f"ic:{row['id']}:add:1",
        f"ic:{row['id']}:g",
        f"ic:{row['id']}:t:2460",
        f"ic:{row['id']}:t:760",
        f"ic:{row['id'] + 1}:add",
        f"ic:{row['id']}:zz",
        f"ic:{row['id']}:g:²",
    ):
        answer = await user.answer_for(user.press_data(summary.message_id, data))
        assert answer[0] == "That button doesn't work any more."
    # Another runner's import: refused the same way.
    own = other.messages[-1].message_id  # the forged data, on a message of their own chat
    answer = await other.answer_for(other.press_data(own, f"ic:{row['id']}:add"))
    assert answer[0] == "That button doesn't work any more."
    assert cal.snapshot() == before
    # After Cancel, its buttons say it is over.
    user.press("Cancel", summary)
    await user.wait_until(lambda: "nothing from that calendar" in user.messages[-1].plain)
    after_cancel = cal.snapshot()
    answer = await user.answer_for(user.press_data(summary.message_id, f"ic:{row['id']}:add"))
    assert "already dealt with" in (answer[0] or "")
    assert cal.snapshot() == after_cancel
    assert cal.rows("SELECT COUNT(*) AS n FROM plans") == [{"n": 0}]


# --- /calendar link ---------------------------------------------------------------------


async def test_a_link_needs_webhook_mode(cal):
    user = await madrid_runner(cal)
    user.send("/calendar link")
    reply = await user.expect("webhook")
    assert "deploy guide" in reply.plain
    assert cal.rows("SELECT * FROM calendar_feeds") == []


async def test_link_revoke_and_deleteme(harness):
    harness.reconfigure(
        webhook_url="https://bot.example.com/hipcoach/hook", webhook_secret="s3cret-for-tests"
    )
    await harness.start_at(START)
    from bot.services import calendar

    user = await madrid_runner(harness)
    user.send("/plan tue 07:00")
    await user.expect("planned")
    user.send("/calendar link")
    reply = await user.expect("calendar link")
    [url] = [w for w in reply.plain.split() if w.startswith("https://")]
    assert url.startswith("https://bot.example.com/hipcoach/calendar/") and url.endswith(".ics")
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    [row] = harness.rows("SELECT * FROM calendar_feeds")
    assert token not in str(row)  # only a nonce and the token's hash are stored
    user.send("/calendar link")
    again = await user.expect(
        lambda m: m.message_id != reply.message_id and "calendar link" in m.plain
    )
    assert url in again.plain  # the same link, shown again
    data = await calendar.feed(harness.services, token)
    assert data is not None
    starts = [
        e.decoded("DTSTART").astimezone(UTC)
        for e in icalendar.Calendar.from_ical(data).walk("VEVENT")
        if str(e["UID"]).startswith("run-")
    ]
    assert starts[:2] == [TUESDAYS[0], TUESDAYS[1]]
    wrong = token[:-1] + ("B" if token.endswith("A") else "A")
    assert await calendar.feed(harness.services, wrong) is None
    user.send("/calendar revoke")
    await user.expect("turned off")
    assert await calendar.feed(harness.services, token) is None
    assert harness.rows("SELECT * FROM calendar_feeds") == []
    user.send("/calendar link")
    new = await user.expect(lambda m: "calendar link" in m.plain and url not in m.plain)
    assert "https://" in new.plain
    # /export says there is a link, and since when, but holds nothing that opens it.
    user.send("/export")
    export = await user.expect(lambda m: m.kind == "document")
    with zipfile.ZipFile(io.BytesIO(export.file_data or b"")) as archive:
        [name] = [n for n in archive.namelist() if n.endswith(".json")]
        kept = json.loads(archive.read(name))
    feeds = kept["calendar_feeds"] if "calendar_feeds" in kept else kept["tables"]["calendar_feeds"]
    assert [sorted(row) for row in feeds] == [["created_at", "user_id"]]
    user.send("/deleteme")
    confirm = await user.expect(lambda m: bool(m.buttons) and "delete" in m.plain.lower())
    user.press("Delete", confirm)
    await user.wait_until(lambda: harness.rows("SELECT * FROM calendar_feeds") == [])
