"""The runner's calendar: today and this week, in their own zone.

Weeks run Monday to Sunday locally. Every bound is built from a local date and converted
to UTC, so it is right on both sides of a DST change. This is the one place a wall time on
a local day becomes a UTC instant (`local_instant`) and an instant becomes a local day
(`local_day`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_day(instant: datetime, tz: str) -> date:
    """The runner's date at `instant` (at `now`: their today)."""
    return instant.astimezone(ZoneInfo(tz)).date()


def local_instant(day: date, at: time, tz: str) -> datetime:
    """The UTC instant of wall time `at` on `day` in `tz`. A time inside a spring-forward
    gap is shifted forward by the gap; one that occurs twice is the first (PEP 495 fold=0)."""
    return datetime.combine(day, at, ZoneInfo(tz)).astimezone(UTC)


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def today_start(now: datetime, tz: str) -> datetime:
    """Today 00:00 where the runner is, as a UTC instant."""
    return local_instant(local_day(now, tz), time(), tz)


def week_bounds(now: datetime, tz: str, weeks_back: int = 0) -> tuple[datetime, datetime]:
    """[Monday 00:00, next Monday 00:00) of this week (or `weeks_back` before) in the zone,
    as UTC instants."""
    start = monday(local_day(now, tz)) - timedelta(weeks=weeks_back)
    return local_instant(start, time(), tz), local_instant(start + timedelta(weeks=1), time(), tz)


def week_start(now: datetime, tz: str) -> datetime:
    """Monday 00:00 of this week in the runner's zone, as a UTC instant."""
    return week_bounds(now, tz)[0]
