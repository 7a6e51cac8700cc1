"""What an import adds: the runner's choice of a calendar's occurrences, grouped for a
phone screen, and reconciled with the runs an earlier import added.

Pure, like the rest of bot.core. The rules:
- a run keeps its calendar's instant exactly (wall time in the event's zone, or in UTC when
  that wall time would read back as another instant, e.g. the second 01:30 of a
  fall-back night);
- an occurrence is matched by the event's UID and the occurrence's key, so importing the
  same file twice adds nothing, and a moved event updates its run in place;
- a run is removed when a new file of its calendar no longer has it (within the window the
  file was read for): its event is still in the file but that occurrence is gone (moved
  away, cancelled, past its end), or the event is gone from the same named calendar; plans
  made with /plan, and runs of other calendars, are never touched;
- a run at the same instant as a run of a /plan plan is not added twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.ics_import import WINDOW_DAYS, Found
from bot.core.localtime import local_instant
from bot.core.planning import Rule

# Groups shown on a phone (`Choose` has one toggle each); the rest share one "other" group.
MAX_GROUPS = 8
# Imported runs still ahead one runner may have: 8 weeks of two runs a day, with room.
MAX_IMPORTED = 120
SCOPES = ("runs", "all")


@dataclass(frozen=True)
class Group:
    """Occurrences on the same weekday at the same local time (or all-day ones)."""

    weekday: int | None  # Mon=0; None for all-day events and the "other" group
    at: time | None  # local time in the runner's zone; None for all-day and "other"
    members: tuple[int, ...]  # indexes into the import's occurrences
    title: str = ""  # the most common title among them
    other: bool = False  # the group holding whatever did not fit MAX_GROUPS

    @property
    def count(self) -> int:
        return len(self.members)


def in_scope(found: Sequence[Found], scope: str) -> list[int]:
    """Indexes of the occurrences a scope covers: the runs, or every event."""
    return [i for i, f in enumerate(found) if scope == "all" or f.run]


def groups(found: Sequence[Found], indexes: Iterable[int], tz: str) -> list[Group]:
    """The occurrences grouped by local weekday and time, biggest first, then by weekday
    and time; all-day ones make one group; beyond MAX_GROUPS the rest share one."""
    zone = ZoneInfo(tz)
    keyed: dict[tuple[int, int] | None, list[int]] = {}
    for i in indexes:
        f = found[i]
        if f.start is None:
            keyed.setdefault(None, []).append(i)
            continue
        local = f.start.astimezone(zone)
        keyed.setdefault((local.weekday(), local.hour * 60 + local.minute), []).append(i)
    made: list[Group] = []
    for key, members in keyed.items():
        title = _common_title(found[i].title for i in members)
        if key is None:
            made.append(Group(None, None, tuple(members), title))
        else:
            weekday, minutes = key
            made.append(Group(weekday, time(minutes // 60, minutes % 60), tuple(members), title))
    made.sort(key=_order)
    if len(made) <= MAX_GROUPS:
        return made
    rest = sorted(i for g in made[MAX_GROUPS - 1 :] for i in g.members)
    return [*made[: MAX_GROUPS - 1], Group(None, None, tuple(rest), other=True)]


def _order(g: Group) -> tuple[int, int, int, int]:
    weekday = 7 if g.weekday is None else g.weekday
    minutes = 0 if g.at is None else g.at.hour * 60 + g.at.minute
    return (-g.count, 1 if g.at is None else 0, weekday, minutes)


def _common_title(titles: Iterable[str]) -> str:
    counted = Counter(t for t in titles if t)
    return counted.most_common(1)[0][0] if counted else ""


def chosen(found: Sequence[Found], scope: str, dropped: frozenset[int], tz: str) -> list[int]:
    """Indexes of the occurrences to add: the scope, minus the groups left out."""
    kept = groups(found, in_scope(found, scope), tz)
    return sorted(i for n, g in enumerate(kept) if n not in dropped for i in g.members)


def rule_for(f: Found, all_day_at: time | None) -> Rule | None:
    """The one-off plan for an occurrence; None for an all-day one with no time chosen."""
    if f.start is None:
        if f.day is None or all_day_at is None:
            return None
        return Rule(at=all_day_at, tz=f.tz, on=f.day, duration_minutes=f.minutes)
    start = f.start.replace(second=0, microsecond=0)  # plans keep minutes
    local = start.astimezone(ZoneInfo(f.tz))
    at = local.time().replace(tzinfo=None, fold=0)  # stored as HH:MM, which has no fold
    rule = Rule(at=at, tz=f.tz, on=local.date(), duration_minutes=f.minutes)
    if local_instant(local.date(), rule.at, f.tz) != start:
        # The wall time reads back as another instant (the second 01:30 of a fall-back
        # night): UTC keeps the instant.
        utc = start.astimezone(ZoneInfo("UTC"))
        at = utc.time().replace(tzinfo=None)
        rule = Rule(at=at, tz="UTC", on=utc.date(), duration_minutes=f.minutes)
    return rule


def start_of(rule: Rule) -> datetime:
    assert rule.on is not None, "imported runs are one-off plans"
    return local_instant(rule.on, rule.at, rule.tz)


@dataclass(frozen=True)
class Existing:
    """A run an earlier import added, still active."""

    plan_id: int
    uid: str
    key: str
    rule: Rule
    title: str
    calendar: str | None = None  # the calendar it came from (bot.core.ics_import.Read)


@dataclass
class Changes:
    """What one import does, and what it leaves out (for the runner's summary)."""

    add: list[tuple[Found, Rule]] = field(default_factory=list)
    update: list[tuple[int, Found, Rule]] = field(default_factory=list)
    remove: list[int] = field(default_factory=list)
    unchanged: int = 0
    passed: int = 0  # started already (an all-day run at a time of today that is gone)
    planned: int = 0  # at the same instant as a run of a /plan plan
    over_cap: int = 0  # past MAX_IMPORTED
    no_time: int = 0  # all-day ones left out

    @property
    def touched(self) -> int:
        return len(self.add) + len(self.update) + len(self.remove)


def reconcile(
    found: Sequence[Found],
    picked: Sequence[int],
    all_day_at: time | None,
    existing: Sequence[Existing],
    hand_starts: set[datetime],
    now: datetime,
    room: int,
    uids: frozenset[str] = frozenset(),
    calendar: str | None = None,
) -> Changes:
    """The plans to add, update and remove for the picked occurrences of a file whose
    events have `uids` (cancelled ones and those outside the window too), of `calendar`."""
    changes = Changes()
    by_key = {(e.uid, e.key): e for e in existing}
    for i in picked:
        f = found[i]
        rule = rule_for(f, all_day_at)
        if rule is None:
            changes.no_time += 1
            continue
        start = start_of(rule)
        if start <= now:
            changes.passed += 1
            continue
        old = by_key.get((f.uid, f.key))
        if old is not None:
            if old.rule == rule and old.title == f.title:
                changes.unchanged += 1
            else:
                changes.update.append((old.plan_id, f, rule))
        elif start in hand_starts:
            changes.planned += 1
        elif room <= 0:
            changes.over_cap += 1
        else:
            changes.add.append((f, rule))
            room -= 1
    in_file: dict[str, set[str]] = {}
    for f in found:
        in_file.setdefault(f.uid, set()).add(f.key)
    end = now + timedelta(days=WINDOW_DAYS)
    for e in existing:
        ours = e.uid in uids or e.uid in in_file or (calendar and e.calendar == calendar)
        if ours and e.key not in in_file.get(e.uid, ()) and now < start_of(e.rule) < end:
            changes.remove.append(e.plan_id)
    return changes
