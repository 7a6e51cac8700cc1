"""The runner's calendar: today and this week, in their own zone.

Weeks run Monday to Sunday locally. Every bound is built from a local date and converted
to UTC, so it is right on both sides of a DST change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_day(instant: datetime, tz: str) -> date:
    """The runner's date at `instant`."""
    return instant.astimezone(ZoneInfo(tz)).date()


def local_today(now: datetime, tz: str) -> date:
    """Today's date where the runner is."""
    return local_day(now, tz)


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def midnight(day: date, tz: str) -> datetime:
    """The UTC instant `day` begins in the runner's zone."""
    return datetime.combine(day, time(), ZoneInfo(tz)).astimezone(UTC)


def today_start(now: datetime, tz: str) -> datetime:
    """Today 00:00 where the runner is, as a UTC instant."""
    return midnight(local_today(now, tz), tz)


def week_bounds(now: datetime, tz: str, weeks_back: int = 0) -> tuple[datetime, datetime]:
    """[Monday 00:00, next Monday 00:00) of this week (or `weeks_back` before) in the zone,
    as UTC instants."""
    start = monday(local_day(now, tz)) - timedelta(weeks=weeks_back)
    return midnight(start, tz), midnight(start + timedelta(weeks=1), tz)


def week_start(now: datetime, tz: str) -> datetime:
    """Monday 00:00 of this week in the runner's zone, as a UTC instant."""
    return week_bounds(now, tz)[0]
