"""What an import adds (bot.core.importing), as pure functions: groups for a phone, the
exact instant of each run, and reconciling a file with what earlier imports added."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.core.ics_import import Found
from bot.core.importing import (
    MAX_GROUPS,
    Existing,
    chosen,
    groups,
    in_scope,
    reconcile,
    rule_for,
    start_of,
)
from bot.core.planning import Rule

NOW = datetime(2027, 3, 1, 6, 0, tzinfo=UTC)


def timed(uid: str, start: datetime, *, run: bool = True, title: str = "Run", tz: str = "UTC"):
    key = start.strftime("%Y%m%dT%H%M%SZ")
    return Found(uid, key, title, start, None, tz, 45, run)


def all_day(uid: str, day: date, tz: str = "Europe/Madrid") -> Found:
    return Found(uid, day.strftime("%Y%m%d"), "Race", None, day, tz, 45, True)


def test_groups_by_local_weekday_and_time_biggest_first():
    tuesdays = [timed("t", NOW + timedelta(days=1, weeks=w)) for w in range(3)]
    saturday = timed("s", NOW + timedelta(days=5, hours=2), title="Long run")
    race = all_day("r", date(2027, 3, 21))
    found = [*tuesdays, saturday, race]
    shown = groups(found, range(len(found)), "Europe/Madrid")
    assert [(g.weekday, g.at, g.count, g.title) for g in shown] == [
        (1, time(7, 0), 3, "Run"),  # 06:00 UTC is 07:00 in Madrid (CET)
        (5, time(9, 0), 1, "Long run"),
        (None, None, 1, "Race"),
    ]


def test_more_groups_than_a_phone_shows_share_one():
    found = [timed(f"e{i}", NOW + timedelta(days=1, minutes=10 * i)) for i in range(12)]
    shown = groups(found, range(12), "UTC")
    assert len(shown) == MAX_GROUPS
    assert shown[-1].other and shown[-1].count == 12 - (MAX_GROUPS - 1)
    assert sorted(i for g in shown for i in g.members) == list(range(12))


def test_scope_and_choice():
    found = [timed("a", NOW + timedelta(days=1)), timed("b", NOW + timedelta(days=2), run=False)]
    assert in_scope(found, "runs") == [0]
    assert in_scope(found, "all") == [0, 1]
    assert chosen(found, "all", frozenset({0}), "UTC") in ([0], [1])
    assert chosen(found, "all", frozenset(), "UTC") == [0, 1]


def test_a_run_keeps_its_instant_even_on_a_fall_back_night():
    # 01:30 happens twice in New York on 7 November 2027; the second is 06:30 UTC.
    second = datetime(2027, 11, 7, 6, 30, tzinfo=UTC)
    rule = rule_for(timed("x", second, tz="America/New_York"), None)
    assert rule is not None and start_of(rule) == second
    assert rule.tz == "UTC"
    first = datetime(2027, 11, 7, 5, 30, tzinfo=UTC)
    rule = rule_for(timed("x", first, tz="America/New_York"), None)
    assert rule is not None and (rule.tz, rule.at) == ("America/New_York", time(1, 30))
    assert start_of(rule) == first


def test_all_day_needs_a_time():
    race = all_day("r", date(2027, 3, 21))
    assert rule_for(race, None) is None
    rule = rule_for(race, time(8, 0))
    assert rule == Rule(time(8, 0), "Europe/Madrid", on=date(2027, 3, 21), duration_minutes=45)


def _existing(f: Found, plan_id: int) -> Existing:
    rule = rule_for(f, time(8, 0))
    assert rule is not None
    return Existing(plan_id, f.uid, f.key, rule, f.title)


def test_reconcile_adds_keeps_updates_and_removes():
    a = timed("a", NOW + timedelta(days=1))
    b = timed("b", NOW + timedelta(days=2))
    gone = timed("b", NOW + timedelta(days=9))  # an occurrence of b no longer in the file
    other = timed("z", NOW + timedelta(days=3))  # an event from another file: untouched
    retitled = Found(a.uid, a.key, "Tempo", a.start, None, "UTC", 45, True)
    found = [retitled, b]
    existing = [_existing(a, 1), _existing(gone, 2), _existing(other, 3)]
    changes = reconcile(found, [0, 1], None, existing, set(), NOW, room=10)
    assert [f.uid for f, _ in changes.add] == ["b"]
    assert [(plan_id, f.title) for plan_id, f, _ in changes.update] == [(1, "Tempo")]
    assert changes.remove == [2]
    again = reconcile(found, [0, 1], None, [_existing(retitled, 1)], set(), NOW, room=10)
    assert again.unchanged == 1 and len(again.add) == 1


def test_reconcile_skips_past_doubled_over_cap_and_timeless():
    past = timed("p", NOW - timedelta(hours=1))
    doubled = timed("d", NOW + timedelta(days=1))
    extra = [timed(f"x{i}", NOW + timedelta(days=2, hours=i)) for i in range(3)]
    race = all_day("r", date(2027, 3, 21))
    found = [past, doubled, *extra, race]
    changes = reconcile(
        found,
        range(len(found)),
        None,
        [],
        {doubled.start},
        NOW,
        room=2,  # type: ignore[arg-type]
    )
    assert (changes.passed, changes.planned, changes.over_cap, changes.no_time) == (1, 1, 1, 1)
    assert len(changes.add) == 2


def test_reconcile_removes_what_a_new_file_of_the_same_calendar_lost():
    kept = timed("kept", NOW + timedelta(days=1))
    deleted = timed("deleted", NOW + timedelta(days=2))  # gone from the file
    cancelled = timed("cancelled", NOW + timedelta(days=3))  # in the file, cancelled
    other = timed("other", NOW + timedelta(days=4))  # from another calendar
    existing = [
        Existing(1, kept.uid, kept.key, rule_for(kept, None), kept.title, "A"),  # type: ignore[arg-type]
        Existing(2, deleted.uid, deleted.key, rule_for(deleted, None), "", "A"),  # type: ignore[arg-type]
        Existing(3, cancelled.uid, cancelled.key, rule_for(cancelled, None), "", None),  # type: ignore[arg-type]
        Existing(4, other.uid, other.key, rule_for(other, None), "", "B"),  # type: ignore[arg-type]
    ]
    uids = frozenset({"kept", "cancelled"})
    changes = reconcile([kept], [0], None, existing, set(), NOW, 10, uids=uids, calendar="A")
    assert (changes.unchanged, sorted(changes.remove)) == (1, [2, 3])
    unnamed = reconcile([kept], [0], None, existing, set(), NOW, 10, uids=uids, calendar=None)
    assert sorted(unnamed.remove) == [3]  # an unnamed file removes only its own events' runs
