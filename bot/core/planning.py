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
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.core.language import Words, fold
from bot.core.localtime import local_day, local_instant
from bot.core.numbers import parse_int
from bot.core.report_words import LOCAL_WORDS
from bot.core.text import N_, Msg

DEFAULT_DURATION = 45
MIN_DURATION, MAX_DURATION = 5, 600
# Active plans per runner: more than any training week needs, and it bounds the work of a
# rebuild (/plan, /timezone) and how many reminders one runner can have due at once.
MAX_PLANS = 12
# Words a `/plan` shortcut may take: days ("fin de semana", "по будням"), a time, a duration.
MAX_ARGS = 8
# ASCII digits only ([0-9], never \d): '٧' is a digit to `re` and to int(), not to us.
_TIME_RE = re.compile(r"^([01]?[0-9]|2[0-3])[:.h]([0-5][0-9])$")
_DURATION_RE = re.compile(r"^([0-9]{1,3})\s*([^\W\d_]*)$")
# A minute, abbreviated or not, as runners write it after a duration ("90m", "90 мин"):
# the minute words /log reads, in every language.
MINUTE_UNITS = frozenset(
    {""} | {fold(word) for words in LOCAL_WORDS.values() for word in words.minutes.split()}
)
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MAX_DAYS_AHEAD = 366

# Translators: the help for a /plan the bot could not read. Keep the commands, the dates and
# times as they are; write the weekday names and day words (today, tomorrow) the way a runner
# types them in your language: every example is tested to plan a run.
ACCEPTED = N_(
    "I understand:\n"
    "<code>/plan mon,wed,fri 07:30</code> — every week\n"
    "<code>/plan 2026-12-01 18:00</code>, <code>/plan today 18:00</code>, "
    "<code>/plan tomorrow 06:45</code> — once\n"
    "Add a duration if you like: <code>/plan sat 09:00 90m</code>. "
    "Or send /plan alone and tap through."
)
PASSED = N_("That time has already passed. Pick a time that's still ahead.")
TOO_FAR = N_("That's more than a year away. Plan something sooner.")


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
    """Input we could not use; `message` says what is accepted (Telegram HTML, worded by
    the views in the runner's language)."""

    message: Msg


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


def parse_weekdays(text: str, words: Words) -> frozenset[int] | None:
    """`mon,wed,fri`, `lun-vie`, `weekdays`, `fin de semana`, `в среду` -> weekday numbers.

    Commas or spaces separate days; a hyphen makes a range; a day or a group ("daily",
    "по будням") may be several words. Matching ignores case and accents (`fold`, which also
    turns commas into spaces).
    """
    days: set[int] = set()
    tokens = fold(text).split()
    start = 0
    while start < len(tokens):
        found = _longest(tokens, start, words)
        if found is None:
            return None
        start, matched = found
        days.update(matched)
    return frozenset(days) or None


def _longest(tokens: list[str], start: int, words: Words) -> tuple[int, set[int]] | None:
    """The longest run of tokens from `start` naming days: (where it ends, the weekdays)."""
    for end in range(len(tokens), start, -1):
        phrase = " ".join(tokens[start:end])
        if phrase in words.groups:
            return end, set(words.groups[phrase])
        day = _day_or_range(phrase, words)
        if day is not None:
            return end, day
    return None


def _day_or_range(word: str, words: Words) -> set[int] | None:
    if word in words.weekdays:
        return {words.weekdays[word]}
    first, dash, last = word.partition("-")
    a, b = words.weekdays.get(first), words.weekdays.get(last)
    if not dash or a is None or b is None:
        return None
    return {(a + i) % 7 for i in range((b - a) % 7 + 1)}


def parse_duration(text: str, low: int = MIN_DURATION, high: int = MAX_DURATION) -> int | None:
    """`45`, `45m`, `45 min`, `45 мин`, `45 minutos` -> 45 (within [low, high] minutes)."""
    match = _DURATION_RE.match(fold(text))
    if match is None or match.group(2) not in MINUTE_UNITS:
        return None
    return parse_int(match.group(1), low, high)


def parse_date(text: str, today: date, words: Words) -> date | None:
    """A day word (`today`, `mañana`, `завтра`) or `YYYY-MM-DD`."""
    word = fold(text)
    if word in words.days:
        return today + timedelta(days=words.days[word])
    if not _DATE_RE.fullmatch(word):
        return None
    try:
        return date.fromisoformat(word)
    except ValueError:
        return None


def parse_plan(args: list[str], now: datetime, tz: str, words: Words) -> Rule | Invalid:
    """The shortcut forms of `/plan`: `<days|date|day word> <HH:MM> [duration]`.

    The days may take several words ("fin de semana"), so the time is the first word after
    them that reads as one; the duration, if any, is what follows it.
    """
    if not 2 <= len(args) <= MAX_ARGS:
        return Invalid(ACCEPTED)
    cut = next((i for i in range(1, len(args)) if parse_time(args[i]) is not None), None)
    if cut is None:
        return Invalid(ACCEPTED)
    at = parse_time(args[cut])
    assert at is not None
    rest = " ".join(args[cut + 1 :])
    duration = parse_duration(rest) if rest else DEFAULT_DURATION
    if duration is None:
        return Invalid(ACCEPTED)
    when = " ".join(args[:cut])
    on = parse_date(when, local_day(now, tz), words)
    if on is not None:
        rule = Rule(at=at, tz=tz, on=on, duration_minutes=duration)
        return check_future(rule, now)
    days = parse_weekdays(when, words)
    if days is None:
        return Invalid(ACCEPTED)
    return Rule(at=at, tz=tz, weekdays=days, duration_minutes=duration)


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
    problem = check_day(rule.on, local_day(now, rule.tz))
    if problem is not None:
        return problem
    start = local_instant(rule.on, rule.at, rule.tz)
    if start <= now:
        return Invalid(PASSED)
    if start > now + timedelta(days=MAX_DAYS_AHEAD):
        return Invalid(TOO_FAR)
    return rule


# --- occurrences ------------------------------------------------------------------------


def occurrences(rule: Rule, start: datetime, end: datetime) -> list[datetime]:
    """UTC start instants of the rule's runs in [start, end), in order."""
    if end <= start:
        return []
    # One local day of margin each side: offsets reach ±14 h and a shifted gap time can
    # cross midnight in neither direction by more than a day.
    first = local_day(start, rule.tz) - timedelta(days=1)
    last = local_day(end, rule.tz) + timedelta(days=1)
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


# --- stored form ------------------------------------------------------------------------


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
