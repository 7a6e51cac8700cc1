"""Planned runs as pure data: parsing `/plan` input and computing occurrences.

A plan is a local wall time ("07:30") in an IANA zone, either on some weekdays or on one
date. Occurrences are computed per local date, so a weekly 07:30 run stays at 07:30 local on
both sides of every DST change, in any zone (Asia/Kathmandu +05:45, Australia/Lord_Howe's
30-minute DST shift included).

The rule for local times that do not exist or exist twice (PEP 495 `fold=0`):
- a time inside a spring-forward gap is shifted forward by the length of the gap
  (02:30 on a day the clocks jump 02:00 -> 03:00 becomes 03:30);
- a time that occurs twice when the clocks go back means its first occurrence (the one
  still on summer time).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.core.numbers import parse_int

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DEFAULT_DURATION = 45
MIN_DURATION, MAX_DURATION = 5, 600
# Active plans per runner: more than any training week needs, and it bounds the work of a
# rebuild (/plan, /timezone) and how many reminders one runner can have due at once.
MAX_PLANS = 12
_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_GROUPS = {
    "daily": range(7),
    "everyday": range(7),
    "weekdays": range(5),
    "weekends": range(5, 7),
    "weekend": range(5, 7),
}
# ASCII digits only ([0-9], never \d): '٧' is a digit to `re` and to int(), not to us.
_TIME_RE = re.compile(r"^([01]?[0-9]|2[0-3])[:.h]([0-5][0-9])$")
_DURATION_RE = re.compile(r"^([0-9]{1,3})\s*(m|min|mins|minutes)?$")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MAX_DAYS_AHEAD = 366

ACCEPTED = (
    "I understand:\n"
    "<code>/plan mon,wed,fri 07:30</code> — every week\n"
    "<code>/plan 2026-12-01 18:00</code>, <code>/plan today 18:00</code>, "
    "<code>/plan tomorrow 06:45</code> — once\n"
    "Add a duration if you like: <code>/plan sat 09:00 90m</code>. "
    "Or send /plan alone and tap through."
)


@dataclass(frozen=True)
class Rule:
    """When a plan runs: a wall time on some weekdays (Mon=0) or on one date, in a zone."""

    at: time
    tz: str
    weekdays: frozenset[int] = frozenset()
    on: date | None = None
    duration_minutes: int = DEFAULT_DURATION

    @property
    def weekly(self) -> bool:
        return self.on is None


@dataclass(frozen=True)
class Invalid:
    """Input we could not use; `message` says what is accepted (Telegram HTML)."""

    message: str


# --- zones ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name known to zoneinfo/tzdata, sorted."""
    return tuple(sorted(z for z in available_timezones() if "/" in z or z == "UTC"))


def find_zone(name: str) -> str | None:
    """The canonical spelling of an IANA zone name (case-insensitive), or None."""
    text = name.strip().replace(" ", "_")
    if not text or len(text) > 64:
        return None
    lowered = {z.lower(): z for z in zone_names()}
    found = lowered.get(text.lower())
    if found is None:
        return None
    try:
        ZoneInfo(found)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return found


def suggest_zones(name: str, limit: int = 3) -> list[str]:
    """Close matches for a mistyped zone: by full name, then by city ("london")."""
    import difflib

    text = name.strip().replace(" ", "_").lower()[:64]
    if not text:
        return []
    names = zone_names()
    by_lower = {z.lower(): z for z in names}
    hits = difflib.get_close_matches(text, list(by_lower), n=limit, cutoff=0.6)
    cities: dict[str, str] = {}
    for z in names:
        cities.setdefault(z.rsplit("/", 1)[-1].lower(), z)
    hits += [
        cities[c] for c in difflib.get_close_matches(text.rsplit("/", 1)[-1], list(cities), n=limit)
    ]
    result: list[str] = []
    for hit in hits:
        zone = by_lower.get(hit, hit)
        if zone not in result:
            result.append(zone)
    return result[:limit]


# --- parsing ----------------------------------------------------------------------------


def parse_time(text: str) -> time | None:
    """`7:30`, `07:30`, `7.30` or `7h30` -> 07:30; None for anything else."""
    match = _TIME_RE.match(text.strip().lower())
    if match is None:
        return None
    hour, minute = parse_int(match.group(1), 0, 23), parse_int(match.group(2), 0, 59)
    return time(hour, minute) if hour is not None and minute is not None else None


def parse_weekdays(text: str) -> frozenset[int] | None:
    """`mon,wed,fri`, `mon-fri`, `weekdays`, `daily`, `Tuesday` -> weekday numbers."""
    days: set[int] = set()
    for part in re.split(r"[,\s]+", text.strip().lower()):
        if not part:
            continue
        if part in _GROUPS:
            days.update(_GROUPS[part])
            continue
        if "-" in part:
            first, _, last = part.partition("-")
            a, b = _day(first), _day(last)
            if a is None or b is None:
                return None
            days.update((a + i) % 7 for i in range((b - a) % 7 + 1))
            continue
        day = _day(part)
        if day is None:
            return None
        days.add(day)
    return frozenset(days) or None


def _day(word: str) -> int | None:
    if word in WEEKDAYS:
        return WEEKDAYS.index(word)
    if word in _FULL_NAMES:
        return _FULL_NAMES.index(word)
    return None


def parse_duration(text: str) -> int | None:
    """`45`, `45m`, `45 min` -> 45 (5–600 minutes)."""
    match = _DURATION_RE.match(text.strip().lower())
    if match is None:
        return None
    return parse_int(match.group(1), MIN_DURATION, MAX_DURATION)


def parse_date(text: str, today: date) -> date | None:
    """`today`, `tomorrow` or `YYYY-MM-DD`."""
    word = text.strip().lower()
    if word == "today":
        return today
    if word == "tomorrow":
        return today + timedelta(days=1)
    if not _DATE_RE.fullmatch(word):
        return None
    try:
        return date.fromisoformat(word)
    except ValueError:
        return None


def parse_plan(args: list[str], now: datetime, tz: str) -> Rule | Invalid:
    """The shortcut forms of `/plan`: `<days|date|today|tomorrow> <HH:MM> [duration]`."""
    if len(args) not in (2, 3):
        return Invalid(ACCEPTED)
    at = parse_time(args[1])
    duration = parse_duration(args[2]) if len(args) == 3 else DEFAULT_DURATION
    if at is None or duration is None:
        return Invalid(ACCEPTED)
    today = now.astimezone(ZoneInfo(tz)).date()
    on = parse_date(args[0], today)
    if on is not None:
        rule = Rule(at=at, tz=tz, on=on, duration_minutes=duration)
        return check_future(rule, now)
    days = parse_weekdays(args[0])
    if days is None:
        return Invalid(ACCEPTED)
    return Rule(at=at, tz=tz, weekdays=days, duration_minutes=duration)


PASSED = "That time has already passed. Pick a time that's still ahead."
TOO_FAR = "That's more than a year away. Plan something sooner."


def check_day(day: date, today: date) -> Invalid | None:
    """A one-off run's date, before any time is known: not past, a year ahead at most."""
    if day < today:
        return Invalid(PASSED)
    if day > today + timedelta(days=MAX_DAYS_AHEAD):
        return Invalid(TOO_FAR)
    return None


def check_future(rule: Rule, now: datetime) -> Rule | Invalid:
    """A one-off run must still be ahead; a year ahead at most.

    The dates are compared first: the instant of 9999-12-31 23:59 west of UTC (or of
    0001-01-01 east of it) is outside what datetime can hold, so it is never computed.
    """
    if rule.on is None:
        return rule
    problem = check_day(rule.on, now.astimezone(ZoneInfo(rule.tz)).date())
    if problem is not None:
        return problem
    start = local_instant(rule.on, rule.at, rule.tz)
    if start <= now:
        return Invalid(PASSED)
    if start > now + timedelta(days=MAX_DAYS_AHEAD):
        return Invalid(TOO_FAR)
    return rule


# --- occurrences ------------------------------------------------------------------------


def local_instant(day: date, at: time, tz: str) -> datetime:
    """The UTC instant of wall time `at` on `day` in `tz` (gap: shifted forward; fold=0)."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def occurrences(rule: Rule, start: datetime, end: datetime) -> list[datetime]:
    """UTC start instants of the rule's runs in [start, end), in order."""
    if end <= start:
        return []
    zone = ZoneInfo(rule.tz)
    # One local day of margin each side: offsets reach ±14 h and a shifted gap time can
    # cross midnight in neither direction by more than a day.
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    days: Iterable[date]
    if rule.on is not None:
        days = [rule.on] if first <= rule.on <= last else []
    else:
        days = (
            first + timedelta(days=i)
            for i in range((last - first).days + 1)
            if (first + timedelta(days=i)).weekday() in rule.weekdays
        )
    found = [local_instant(d, rule.at, rule.tz) for d in days]
    return sorted(x for x in found if start <= x < end)


def next_occurrences(rule: Rule, after: datetime, count: int = 3) -> list[datetime]:
    """The next `count` runs strictly after `after` (fewer for a one-off)."""
    found: list[datetime] = []
    window_start = after + timedelta(microseconds=1)
    for _ in range(60):  # at most ~7 years of weeks: a weekly rule has >= 1 day per week
        window_end = window_start + timedelta(days=45)
        found += occurrences(rule, window_start, window_end)
        if len(found) >= count or rule.on is not None:
            break
        window_start = window_end
    return found[:count]


# --- text helpers -----------------------------------------------------------------------


def days_text(weekdays: Iterable[int]) -> str:
    """`Mon, Wed, Fri`; `every day`; `weekdays`."""
    days = sorted(set(weekdays))
    if days == list(range(7)):
        return "every day"
    if days == list(range(5)):
        return "weekdays"
    if days == [5, 6]:
        return "weekends"
    return ", ".join(DAY_NAMES[d] for d in days)


def encode_weekdays(weekdays: Iterable[int]) -> str:
    """Stored form: `0,2,4` (Mon=0)."""
    return ",".join(str(d) for d in sorted(set(weekdays)))


def decode_weekdays(text: str | None) -> frozenset[int]:
    return frozenset(int(d) for d in (text or "").split(",") if d.strip())


# --- location -> zone -------------------------------------------------------------------


@lru_cache(maxsize=1)
def _finder() -> Any:
    import atexit

    from timezonefinder import TimezoneFinder  # loaded on first use: ~0.5 s

    # Release its memory-mapped files before interpreter teardown, or its __del__ fails.
    atexit.register(_finder.cache_clear)
    return TimezoneFinder()


def zone_at(latitude: float, longitude: float) -> str | None:
    """The IANA zone at a point, offline (timezonefinder); None at sea or out of range."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    name = _finder().timezone_at(lng=longitude, lat=latitude)
    return find_zone(name) if name else None
