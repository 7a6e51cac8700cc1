"""Runs in a calendar file (RFC 5545), found with icalendar and recurring-ical-events.

Pure: bytes in, occurrences out. Nothing here parses the format by hand; this module only
decides which occurrences of the next eight weeks to offer, and how each one keeps its time:
- a timed event keeps its instant, written as wall time in its own IANA zone when it has
  one (TZID=Europe/Berlin, or a Windows name Outlook writes), else in UTC;
- a floating time means the calendar's zone (X-WR-TIMEZONE), else the runner's own;
- an all-day event has a day but no time: the runner picks one time for the whole batch.

Every bound is here (size, events, occurrences), so a hostile file costs bounded work.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import MAXYEAR, UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from typing import Any

import recurring_ical_events
from dateutil.rrule import rrulestr  # type: ignore[import-untyped]
from icalendar import Calendar, Component, Event, vRecur
from icalendar.timezone.tzid import tzid_from_dt
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from bot.core.clock import from_db, to_db
from bot.core.language import fold
from bot.core.localtime import local_day, local_instant
from bot.core.planning import DEFAULT_DURATION, MAX_DURATION, MIN_DURATION, find_zone
from bot.core.report_words import LOCAL_WORDS
from bot.core.text import N_, Msg

# The window an import looks at, from now.
WINDOW_DAYS = 56
# A training calendar is a few kB; a whole personal calendar of many years stays under this.
MAX_BYTES = 1_000_000
# UIDs of the events hipcoach's own /calendar writes end in this: a runner who sends our
# file back is not offered their own runs, warm-ups and stretches as new runs.
OWN_UID_SUFFIX = "@hipcoach"
MAX_TITLE = 80
# The key of a one-time event's only occurrence: matched by UID alone, wherever it moves.
ONCE = "once"
# Longer UIDs (legal, but no app writes them) are kept as a hash: each occurrence carries one.
MAX_UID = 255
# How much of a title or category is read for run words: a name, not an essay.
MAX_MATCHED = 200

NOT_A_CALENDAR = N_(
    "That file isn't a calendar. Send an <b>.ics</b> file: export it from your calendar app "
    "(Google Calendar: Settings → Import &amp; export)."
)
TOO_BIG = N_("That calendar is too big (over {limit} MB). Export just your training calendar.")
MALFORMED = N_("I couldn't read that calendar: the file is damaged or not in iCalendar format.")
TOO_MANY = N_(
    "That calendar has too many events to go through. Export just your training calendar."
)
NOTHING_AHEAD = N_("That calendar has nothing in the next 8 weeks, so there is nothing to add.")


@dataclass(frozen=True)
class Found:
    """One occurrence of an event in the window."""

    uid: str  # the event's UID (a stable stand-in when the file has none)
    key: str  # which occurrence of a recurring event: RECURRENCE-ID or start as
    # `YYYYMMDDTHHMMSSZ` / `YYYYMMDD`; ONCE for a one-time event (matched by UID alone)
    title: str  # SUMMARY, one line, at most MAX_TITLE characters ('' when none)
    start: datetime | None  # aware UTC start of a timed event
    day: date | None  # the date of an all-day event (start is None)
    tz: str  # the IANA zone whose wall time the plan keeps (the runner's for floating/all-day)
    minutes: int  # duration, within bot.core.planning's MIN_DURATION..MAX_DURATION
    run: bool  # its title or categories look like a run, in any language the bot speaks

    @property
    def all_day(self) -> bool:
        return self.start is None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["start"] = to_db(self.start) if self.start else None
        data["day"] = self.day.isoformat() if self.day else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Found:
        return cls(
            uid=str(data["uid"]),
            key=str(data["key"]),
            title=str(data["title"]),
            start=from_db(data["start"]) if data["start"] else None,
            day=date.fromisoformat(data["day"]) if data["day"] else None,
            tz=str(data["tz"]),
            minutes=int(data["minutes"]),
            run=bool(data["run"]),
        )


def dump(found: list[Found]) -> str:
    return json.dumps([f.to_json() for f in found], ensure_ascii=False, separators=(",", ":"))


def load(text: str) -> list[Found]:
    return [Found.from_json(item) for item in json.loads(text)]


@dataclass(frozen=True)
class Read:
    """What a file holds: the occurrences in the window, and what a later import of the same
    calendar needs to see what was deleted since."""

    found: list[Found]
    uids: frozenset[str]  # every event's UID (cancelled ones and those outside the window too)
    calendar: str | None  # which calendar: a hash of PRODID and X-WR-CALNAME (None: unnamed)
    zone: str | None  # the calendar's own zone (X-WR-TIMEZONE, else its events' most common)


@dataclass(frozen=True)
class Unreadable:
    """A file nothing can be added from; `message` says why (worded by the views)."""

    message: Msg


# Bounds beyond the file size. A component is any BEGIN block; an occurrence is one in the
# window. A rule's work is counted in steps of its frequency from its DTSTART to the
# window's end, times the instants each step can make (BYHOUR=6,18 makes two a day).
MAX_COMPONENTS = 5000
MAX_OCCURRENCES = 1000
MAX_DEPTH = 4  # VCALENDAR > VEVENT > VALARM, VCALENDAR > VTIMEZONE > STANDARD
RULE_STEPS = 150_000
# ... and the steps inside the window: each one becomes an occurrence, the costly part.
WINDOW_STEPS = 3 * MAX_OCCURRENCES
# A rule with day filters (BYMONTHDAY=30;BYMONTH=2) may never match, and dateutil then walks
# on to the year 9999 looking for one: seconds per rule. Such a rule is first tried on the
# calendar's last PROBE_YEARS years, and dropped if it finds nothing there. PROBE_STEPS
# bounds the total of those tries (a daily rule's try costs ~2900 steps, a yearly one 8).
PROBE_YEARS = 8
PROBE_STEPS = 60_000
_DAY_FILTERS = ("BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYSETPOS", "BYEASTER")
_STEP = {
    "YEARLY": timedelta(days=365),
    "MONTHLY": timedelta(days=28),
    "WEEKLY": timedelta(weeks=1),
    "DAILY": timedelta(days=1),
    "HOURLY": timedelta(hours=1),
    "MINUTELY": timedelta(minutes=1),
    "SECONDLY": timedelta(seconds=1),
}
_PROBE_STEPS_A_YEAR = {"YEARLY": 1, "MONTHLY": 12, "WEEKLY": 53}  # finer: a step a day
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_RUNNER = "\U0001f3c3"  # 🏃, also inside 🏃‍♀️ and 🏃🏽
_UTC_NAMES = frozenset({"", "UTC", "Z", "GMT", "Etc/UTC", "Etc/GMT", "Etc/UCT", "Etc/Zulu"})
_WORD = re.compile(r"[^\W_]+")


class _TooMany(Exception):
    """More in the file than any training calendar needs."""


def read_calendar(data: bytes, now: datetime, runner_tz: str) -> list[Found] | Unreadable:
    """Every occurrence starting in [now, now + WINDOW_DAYS) (all-day ones from the runner's
    today), in order of start; runs and other events alike (`Found.run` tells them apart)."""
    read = read_file(data, now, runner_tz)
    return read if isinstance(read, Unreadable) else read.found


def read_file(data: bytes, now: datetime, runner_tz: str) -> Read | Unreadable:
    """`read_calendar`, with what the file says about itself (bot.core.importing)."""
    if len(data) > MAX_BYTES:
        return Unreadable(Msg(TOO_BIG.id, {"limit": MAX_BYTES // 1_000_000}))
    text = _decode(data)
    if text is None:
        return Unreadable(NOT_A_CALENDAR)
    try:
        read = _read(text, now.astimezone(UTC), runner_tz)
    except _TooMany:
        return Unreadable(TOO_MANY)
    except (Exception, RecursionError):  # whatever a library makes of a hostile file
        return Unreadable(MALFORMED)
    return read if read.found else Unreadable(NOTHING_AHEAD)


def _decode(data: bytes) -> str | None:
    """The file as text, if it starts like a calendar. UTF-8 (with or without a BOM) first,
    UTF-16 when its BOM says so, else Windows-1252 as old Outlook exports are written."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "cp1252", "latin-1")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        text = text.lstrip("\ufeff \t\r\n")
        if "\x00" in text or text[:15].upper() != "BEGIN:VCALENDAR":
            return None
        return text
    return None


def _read(text: str, now: datetime, runner_tz: str) -> Read:
    calendar = Calendar.from_ical(text)
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise ValueError("not a VCALENDAR")
    _check_shape(calendar)
    end = now + timedelta(days=WINDOW_DAYS)
    _check_zones(calendar, end)
    events = [c for c in calendar.subcomponents if c.name == "VEVENT"]
    uids = {_uid(e) for e in events} - {""}
    # A one-time event is matched by its UID alone, so a moved one is updated in place; an
    # occurrence of a recurring one by its UID and RECURRENCE-ID.
    recurring = {_uid(e) for e in events if {"RRULE", "RDATE", "RECURRENCE-ID"} & set(e)}
    calendar.subcomponents = _bounded(calendar.subcomponents, now, end)
    query = recurring_ical_events.of(calendar, skip_bad_series=True)
    # A day's margin on both sides catches floating and all-day times; exact filter below.
    occurrences = query.between(now - timedelta(days=1), end + timedelta(days=1))
    if len(occurrences) > MAX_OCCURRENCES * 2:
        raise _TooMany
    today = local_day(now, runner_tz)
    last_day = today + timedelta(days=WINDOW_DAYS)
    zones: dict[str, str] = {}
    found: list[tuple[datetime, Found]] = []
    seen: set[tuple[str, str]] = set()
    for event in occurrences:
        item = _found(event, runner_tz, zones, recurring)
        if item is None or (item.uid, item.key) in seen:  # an event written twice: once
            continue
        seen.add((item.uid, item.key))
        if item.start is not None and now <= item.start < end:
            found.append((item.start, item))
        elif item.day is not None and today <= item.day < last_day:
            found.append((local_instant(item.day, time(), runner_tz), item))
    if len(found) > MAX_OCCURRENCES:
        raise _TooMany
    found.sort(key=lambda pair: (pair[0], pair[1].uid, pair[1].key))
    return Read(
        [item for _, item in found],
        frozenset(u for u in uids if not u.endswith(OWN_UID_SUFFIX)),
        _calendar_id(calendar),
        _calendar_zone(calendar, [f.tz for _, f in found if f.start is not None]),
    )


def _uid(event: Component) -> str:
    """The event's UID as kept: a hash when it is too long to carry on every occurrence."""
    uid = str(event.get("UID", "")).strip()
    if len(uid) > MAX_UID:
        return "uid-" + hashlib.sha1(uid.encode()).hexdigest()
    return uid


def _calendar_id(calendar: Calendar) -> str | None:
    """Which calendar a file is (Google's "Training", an app's plan): named ones only, so two
    unnamed files are never taken for one."""
    name = str(calendar.get("X-WR-CALNAME", "")).strip()
    if not name:
        return None
    product = str(calendar.get("PRODID", "")).strip()
    return hashlib.sha1(f"{product}\n{name}".encode()).hexdigest()


def _calendar_zone(calendar: Calendar, zones: list[str]) -> str | None:
    """The zone the calendar's times are in: its X-WR-TIMEZONE, else its events' most common
    real zone."""
    named = find_zone(str(calendar.get("X-WR-TIMEZONE", "")))
    if named:
        return named
    real = [z for z in zones if z != "UTC"]
    return max(set(real), key=real.count) if real else None


def _check_zones(calendar: Calendar, end: datetime) -> None:
    """A time zone's rules change its offset once a year at most (RFC 5545 writes them
    YEARLY): a finer rule is no real zone, and expanding it could take minutes."""
    steps = 0
    for zone in calendar.walk("VTIMEZONE"):
        for part in zone.subcomponents:
            rules = part.get("RRULE", [])
            for rule in rules if isinstance(rules, list) else [rules]:
                if _freq(rule) != "YEARLY":
                    raise ValueError("a time zone rule more often than yearly")
                start = _naive(part.get("DTSTART")) or datetime(1970, 1, 1)
                steps += _rule_steps(rule, start, end)
                if steps > RULE_STEPS:
                    raise _TooMany
            dates = part.get("RDATE", [])
            steps += len(dates) if isinstance(dates, list) else 1
            if steps > RULE_STEPS:
                raise _TooMany


def _check_shape(calendar: Calendar) -> None:
    """Few enough components, nested no deeper than real calendars nest them (walked
    without recursion: a hostile file may nest thousands deep)."""
    count = 0
    stack: list[tuple[Component, int]] = [(calendar, 1)]
    while stack:
        component, depth = stack.pop()
        count += 1
        if count > MAX_COMPONENTS:
            raise _TooMany
        if depth > MAX_DEPTH:
            raise ValueError("nested too deep")
        stack.extend((sub, depth + 1) for sub in component.subcomponents)


def _bounded(components: list[Component], now: datetime, end: datetime) -> list[Component]:
    """The components whose rules cost bounded work to expand up to `end`: a rule that can
    never match is left out; too much work in all is too many events."""
    kept: list[Component] = []
    steps = in_window = probes = 0
    for component in components:
        rules = component.get("RRULE", []) if component.name == "VEVENT" else []
        rules = rules if isinstance(rules, list) else [rules]
        start = _naive(component.get("DTSTART"))
        if start is None:
            if not rules:
                kept.append(component)
            continue
        usable = True
        for rule in rules:
            steps += _rule_steps(rule, start, end)
            in_window += _rule_steps(rule, max(start, _naive_dt(now)), end)
            if any(part in rule for part in _DAY_FILTERS):
                probes += _PROBE_STEPS_A_YEAR.get(_freq(rule), 366) * PROBE_YEARS
                usable = usable and probes <= PROBE_STEPS and _matches_at_all(rule, start)
            if steps > RULE_STEPS or in_window > WINDOW_STEPS or probes > PROBE_STEPS:
                raise _TooMany
        if usable:
            kept.append(component)
    return kept


def _naive(prop: Any) -> datetime | None:
    """DTSTART as a naive datetime (UTC if it had a zone), for counting rule steps."""
    value = getattr(prop, "dt", None)
    if isinstance(value, datetime):
        return _naive_dt(value)
    if isinstance(value, date):
        return datetime.combine(value, time())
    return None


def _naive_dt(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def _freq(rule: Any) -> str:
    freq = rule.get("FREQ", [""])
    return str(freq[0] if isinstance(freq, list) and freq else freq).upper()


def _rule_steps(rule: Any, start: datetime, end: datetime) -> int:
    """How many steps dateutil takes from `start` to `end`, times the instants a step makes."""
    step = _STEP.get(_freq(rule))
    if step is None:
        return 1
    interval = max(int((rule.get("INTERVAL") or [1])[0]), 1)
    span = _naive_dt(end) - start
    periods = max(span // (step * interval), 0) + 1
    per_step = 1
    for part in ("BYHOUR", "BYMINUTE", "BYSECOND", "BYDAY", "BYMONTHDAY", "BYYEARDAY"):
        per_step *= max(len(rule.get(part) or []), 1)
    return periods * per_step


def _matches_at_all(rule: Any, start: datetime) -> bool:
    """Whether a rule with day filters ever matches: tried, without COUNT or UNTIL, over the
    last PROBE_YEARS years before dateutil's end of time, so the try itself is bounded."""
    probe = vRecur({k: v for k, v in rule.items() if k not in ("COUNT", "UNTIL")})
    first = start.replace(year=MAXYEAR - PROBE_YEARS, month=1, day=1)
    try:
        found = next(iter(rrulestr(probe.to_ical().decode(), dtstart=first)), None)
    except (ValueError, TypeError, OverflowError):
        return False
    return found is not None


def _found(
    event: Component, runner_tz: str, zones: dict[str, str], recurring: set[str]
) -> Found | None:
    """One occurrence as hipcoach keeps it, or None for what is not offered (cancelled,
    our own events, no start)."""
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return None
    start = getattr(event.get("DTSTART"), "dt", None)
    if not isinstance(start, date):
        return None
    title = _title(str(event.get("SUMMARY", "")))
    uid = _uid(event) or _stand_in(title, start)
    if uid.endswith(OWN_UID_SUFFIX):
        return None
    recurrence = getattr(event.get("RECURRENCE-ID"), "dt", None)
    if uid in recurring:
        key = _key(recurrence if isinstance(recurrence, date) else start, runner_tz)
    else:
        key = ONCE
    run = _looks_like_run(title, tuple(c[:MAX_MATCHED] for c in _categories(event)[:10]))
    if not isinstance(start, datetime):
        return Found(uid, key, title, None, start, runner_tz, DEFAULT_DURATION, run)
    if start.tzinfo is None:
        tz, instant = runner_tz, local_instant(start.date(), start.time(), runner_tz)
    else:
        tz, instant = _zone_of(start, zones), start.astimezone(UTC)
    return Found(uid, key, title, instant, None, tz, _minutes(event), run)


def _key(when: date, runner_tz: str) -> str:
    if not isinstance(when, datetime):
        return when.strftime("%Y%m%d")
    if when.tzinfo is None:
        when = local_instant(when.date(), when.time(), runner_tz)
    return when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _stand_in(title: str, start: date) -> str:
    """A UID for an event without one, the same on every read of the same file."""
    return "nouid-" + hashlib.sha1(f"{title}\n{start.isoformat()}".encode()).hexdigest()


def _zone_of(start: datetime, zones: dict[str, str]) -> str:
    """The IANA zone a timed start keeps its wall time in: its own, when it is a real one
    (a Windows name maps to one), else UTC (the instant stays exact either way)."""
    tzid = tzid_from_dt(start) or ""
    if start.utcoffset() == timedelta(0) and tzid in _UTC_NAMES:
        return "UTC"
    if tzid not in zones:
        name = WINDOWS_TO_OLSON.get(tzid, tzid)
        zones[tzid] = (find_zone(name) if "/" in name else None) or "UTC"
    return zones[tzid]


def _minutes(event: Component) -> int:
    """The event's length in minutes (DTEND or DURATION, else the default), kept within
    what a plan allows."""
    if not isinstance(event, Event) or not ("DTEND" in event or "DURATION" in event):
        return DEFAULT_DURATION
    try:
        length = event.duration
    except Exception:  # no end and no duration, or a broken one
        return DEFAULT_DURATION
    minutes = int(length.total_seconds() // 60) if length else DEFAULT_DURATION
    return min(max(minutes, MIN_DURATION), MAX_DURATION)


def _title(summary: str) -> str:
    """SUMMARY on one line: no control or direction characters, at most MAX_TITLE long."""
    text = " ".join(_CONTROL.sub(" ", summary).split())
    return text if len(text) <= MAX_TITLE else text[: MAX_TITLE - 1].rstrip() + "…"


def _categories(event: Component) -> list[str]:
    if not isinstance(event, Event):
        return []
    try:
        return [str(c) for c in event.categories]
    except Exception:  # a broken CATEGORIES line only loses its words
        return []


@cache
def _run_phrases() -> tuple[tuple[str, ...], ...]:
    """Every language's run words, each phrase as its folded words (`tirada larga` -> two);
    a word ending in `*` keeps it (fold would read `*` as a times sign)."""
    return tuple(
        tuple(
            fold(word.rstrip("*")) + ("*" if word.endswith("*") else "") for word in phrase.split()
        )
        for words in LOCAL_WORDS.values()
        for phrase in words.runs.split(",")
    )


@lru_cache(maxsize=256)
def _looks_like_run(title: str, categories: tuple[str, ...]) -> bool:
    """Once per title: a recurring event's occurrences share it."""
    return looks_like_run(title, categories)


def looks_like_run(title: str, categories: Iterable[str] = ()) -> bool:
    """Whether an event's title or categories name a run, in any language the bot speaks
    at once (a Spanish runner's app may well write English): whole folded words or phrases
    from bot.core.report_words, `word*` matching any ending; 🏃 counts too."""
    texts = [text[:MAX_MATCHED] for text in (title, *categories)]
    if any(_RUNNER in text for text in texts):
        return True
    for text in texts:
        words = _WORD.findall(fold(text))
        if any(_at(words, i, phrase) for phrase in _run_phrases() for i in range(len(words))):
            return True
    return False


def _at(words: list[str], i: int, phrase: tuple[str, ...]) -> bool:
    if i + len(phrase) > len(words):
        return False
    for word, want in zip(words[i : i + len(phrase)], phrase, strict=False):
        if want.endswith("*"):
            if not word.startswith(want[:-1]):
                return False
        elif word != want:
            return False
    return True
