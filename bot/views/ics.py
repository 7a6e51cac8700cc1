"""The runner's runs as a calendar file (RFC 5545): what /calendar sends and the feed serves.

Pure: runs in, bytes out, written with icalendar (never by hand). Each run is an event at its
wall time in its plan's zone (with that zone's VTIMEZONE), with an alarm at the reminder
lead; a short warm-up event ends where the run begins, and a stretch event follows it when
the after-run prompt is on. UIDs are made of the plan and the run's local day only, so a
calendar that imports the file again, or refreshes the feed, updates events instead of
adding them twice; they end in OWN_UID_SUFFIX, so the file sent back is not imported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Alarm, Calendar, Event, Timezone, vDuration

from bot.core.ics_import import OWN_UID_SUFFIX
from bot.views.i18n import Translator

PRODID = "-//hipcoach//hipcoach//EN"
# How often a subscribed calendar should fetch the feed again.
REFRESH = timedelta(hours=1)
# The routine after a run, from the content (its name, in the runner's language).
STRETCH_ROUTINE = "post_run"
# SEQUENCE counts minutes since this instant: it grows whenever a plan changes, so a
# calendar that imports the file again takes the change (RFC 5545 3.8.7.4).
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class CalendarRun:
    plan_id: int
    start: datetime  # aware UTC start of the run
    minutes: int  # the run's length
    tz: str  # the plan's IANA zone: DTSTART/DTEND are written in it (with its VTIMEZONE)
    title: str | None  # an imported event's title; None: "Run" in the runner's language
    one_off: bool = False  # a plan of one run (imported runs are): its UID has no day
    updated: datetime = EPOCH  # when the plan last changed: SEQUENCE and LAST-MODIFIED


@dataclass(frozen=True)
class CalendarOptions:
    remind_minutes: int | None  # the reminder lead; None = reminders off (no alarm)
    warmup_minutes: int  # the runner's pre-run routine, rounded up, >= 1
    stretch_after: int | None  # minutes after the run's end the stretch prompt comes; None: off
    stretch_minutes: int  # the runner's post-run stretch, rounded up, >= 1
    tz: str = "UTC"  # the runner's zone: its VTIMEZONE keeps a file with no runs valid


def filename(now: datetime) -> str:
    return f"hipcoach-runs-{now.strftime('%Y-%m-%d')}.ics"


def calendar_file(
    t: Translator, runs: Sequence[CalendarRun], options: CalendarOptions, *, now: datetime
) -> bytes:
    """A whole VCALENDAR (UTF-8, CRLF, folded lines); no runs gives one with no events."""
    cal = Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("METHOD", "PUBLISH")
    cal.add("X-WR-CALNAME", t._("hipcoach: runs and warm-ups"))
    # Both spellings of "fetch me hourly": RFC 7986's and the one Outlook and Apple read.
    cal.add("REFRESH-INTERVAL", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    cal.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    stamp = now.astimezone(UTC)
    seen: set[str] = set()
    days: list[date] = []
    for run in sorted(runs, key=lambda r: (r.start, r.plan_id)):
        zone = _zone(run.tz)
        day = run.start.astimezone(zone).date()
        # A weekly plan's run is its plan and day; a one-off plan is its run, whatever day
        # an import moves it to.
        key = f"{run.plan_id}{'' if run.one_off else day.strftime('-%Y%m%d')}{OWN_UID_SUFFIX}"
        if key in seen:  # one run a plan a day: a repeat would only duplicate its UID
            continue
        seen.add(key)
        days.append(day)
        sequence = max(0, int((run.updated - EPOCH).total_seconds() // 60))
        for event in _events(t, run, zone, key, options):
            event.add("DTSTAMP", stamp)
            event.add("LAST-MODIFIED", run.updated.astimezone(UTC))
            event.add("SEQUENCE", sequence)
            cal.add_component(event)
    if not days:
        # A calendar needs one component (RFC 5545): with no runs, the runner's zone. A
        # subscribed calendar then empties instead of keeping runs that were deleted.
        cal.add_component(_zone_only(options.tz, stamp.date()))
        days = [stamp.date()]
    # Each zone's rules for the days the file covers (and a margin), not since 1970.
    cal.add_missing_timezones(min(days) - timedelta(days=7), max(days) + timedelta(days=7))
    for timezone in cal.timezones:
        timezone.pop("COMMENT", None)  # an English note about that range, for no one
    return cal.to_ical()


def _zone_only(tz: str, day: date) -> Timezone:
    """The VTIMEZONE of `tz` around `day` (UTC's is a fixed offset)."""
    return Timezone.from_tzinfo(
        _zone(tz), first_date=day - timedelta(days=7), last_date=day + timedelta(days=7)
    )


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _events(
    t: Translator, run: CalendarRun, zone: ZoneInfo, key: str, options: CalendarOptions
) -> list[Event]:
    """The run, the warm-up before it and, when the after-run prompt is on, the stretch."""
    start = run.start.astimezone(UTC)  # arithmetic on instants; written in `zone` at the end
    end = start + timedelta(minutes=run.minutes)
    # Translators: a planned run, as an event in the runner's calendar app.
    summary = f"🏃 {run.title}" if run.title else t._("🏃 Run")
    event = _event(f"run-{key}", summary, start, end, zone=zone, busy=True)
    if options.remind_minutes is not None:
        lead = t.number(options.remind_minutes)
        # Translators: the description of a run in the runner's calendar app.
        about = t._("hipcoach reminds you to warm up {minutes} min before.", minutes=lead)
        event.add("DESCRIPTION", about)
        alarm = Alarm()
        alarm.add("ACTION", "DISPLAY")
        # Translators: a calendar app's alert before a run; {minutes} is the warm-up's length.
        text = t._("Warm up your hips: ~{minutes} min", minutes=t.number(options.warmup_minutes))
        alarm.add("DESCRIPTION", text)
        alarm.add("TRIGGER", -timedelta(minutes=options.remind_minutes))
        event.add_component(alarm)
    # Translators: an event in the runner's calendar app, right before a run.
    title = t._("🔥 Hip warm-up (~{minutes} min)", minutes=t.number(options.warmup_minutes))
    before = start - timedelta(minutes=options.warmup_minutes)
    warm_up = _event(f"warmup-{key}", title, before, start, zone=zone, busy=False)
    # Translators: the description of the warm-up event in the runner's calendar app.
    warm_up.add("DESCRIPTION", t._("Start it in Telegram: send /routine."))
    events = [event, warm_up]
    if options.stretch_after is not None:
        begins = end + timedelta(minutes=options.stretch_after)
        ends = begins + timedelta(minutes=options.stretch_minutes)
        name, minutes = _stretch_name(t), t.number(options.stretch_minutes)
        # Translators: an event in the runner's calendar app after a run; {name} is the
        # stretch's name ("90/90 stretch"), {minutes} its length.
        title = t._("🧘 {name} (~{minutes} min)", name=name, minutes=minutes)
        stretch = _event(f"stretch-{key}", title, begins, ends, zone=zone, busy=False)
        # Translators: the description of the stretch event in the runner's calendar app.
        stretch.add("DESCRIPTION", t._("hipcoach asks after your run. Or send /routine."))
        events.append(stretch)
    return events


def _event(
    uid: str, summary: str, start: datetime, end: datetime, *, zone: ZoneInfo, busy: bool
) -> Event:
    """Times are instants (UTC), written as wall time in `zone`."""
    event = Event()
    event.add("UID", uid)
    event.add("SUMMARY", summary)
    event.add("DTSTART", _wall(start, zone))
    event.add("DTEND", _wall(end, zone))
    event.add("TRANSP", "OPAQUE" if busy else "TRANSPARENT")
    return event


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    """The instant as wall time in `zone`; in UTC when that wall time happens twice (the hour
    the clocks go back) and this is the second time: a reader takes the first (RFC 5545)."""
    local = instant.astimezone(zone)
    return local if local.replace(fold=0).astimezone(UTC) == instant else instant.astimezone(UTC)


def _stretch_name(t: Translator) -> str:
    """The exercise's name when the routine is one exercise (90/90 stretch), else the
    routine's (Post-run stretch)."""
    routine = t.content.routines[STRETCH_ROUTINE]
    if len(routine.exercises) == 1:
        return t.content.exercises[routine.exercises[0]].name
    return routine.name
