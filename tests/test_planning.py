"""Occurrence computation and /plan parsing, checked against dateutil's rrule as an oracle."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil import rrule
from dateutil import tz as dtz
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot import storage, views
from bot.core.language import LANGUAGES
from bot.core.localtime import local_instant
from bot.core.planning import (
    ACCEPTED,
    PASSED,
    TOO_FAR,
    Invalid,
    Rule,
    check_future,
    find_zone,
    next_occurrences,
    occurrences,
    parse_date,
    parse_duration,
    parse_plan,
    parse_time,
    parse_weekdays,
    suggest_zones,
    zone_at,
)
from bot.core.report_words import LOCAL_WORDS
from bot.storage.db import open_db
from tests.i18n import translators

ZONES = [
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Santiago",
    "America/St_Johns",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Africa/Casablanca",
    "UTC",
]
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
EN = translators()["en"].words


def oracle(rule: Rule, start: datetime, end: datetime) -> list[datetime]:
    """dateutil: rrule over local wall times, gaps resolved forward, ambiguity -> fold 0."""
    zone = dtz.gettz(rule.tz)
    local_start = start.astimezone(zone).replace(tzinfo=None) - timedelta(days=2)
    local_end = end.astimezone(zone).replace(tzinfo=None) + timedelta(days=2)
    if rule.on is not None:
        naive = [datetime.combine(rule.on, rule.at)]
    else:
        naive = list(
            rrule.rrule(
                rrule.WEEKLY,
                byweekday=sorted(rule.weekdays),
                byhour=rule.at.hour,
                byminute=rule.at.minute,
                bysecond=0,
                dtstart=local_start.replace(hour=0, minute=0, second=0, microsecond=0),
                until=local_end,
            )
        )
    instants = [dtz.resolve_imaginary(n.replace(tzinfo=zone)).astimezone(UTC) for n in naive]
    return sorted(i for i in instants if start <= i < end)


# --- properties against the oracle -----------------------------------------------------

weekday_sets = st.frozensets(st.integers(0, 6), min_size=1)
wall_times = st.builds(
    time, st.integers(0, 23), st.sampled_from([0, 1, 15, 29, 30, 45, 59]) | st.integers(0, 59)
)
starts = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2029, 12, 1), timezones=st.just(UTC)
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    zone=st.sampled_from(ZONES),
    days=weekday_sets,
    at=wall_times,
    start=starts,
    span=st.integers(1, 40),
)
# Spring forward / fall back in several zones, at times inside the gap and the overlap.
@example("Europe/Berlin", frozenset({6}), time(2, 30), datetime(2026, 3, 20, tzinfo=UTC), 20)
@example("Europe/Berlin", frozenset({6}), time(2, 30), datetime(2026, 10, 20, tzinfo=UTC), 20)
@example("America/New_York", frozenset(range(7)), time(1, 30), datetime(2026, 11, 1, tzinfo=UTC), 3)
@example("Australia/Lord_Howe", frozenset({6}), time(2, 15), datetime(2026, 9, 30, tzinfo=UTC), 9)
@example("Australia/Lord_Howe", frozenset({6}), time(1, 45), datetime(2026, 4, 1, tzinfo=UTC), 9)
@example("Pacific/Chatham", frozenset({6}), time(2, 50), datetime(2026, 9, 20, tzinfo=UTC), 9)
@example("America/St_Johns", frozenset({6}), time(2, 10), datetime(2026, 3, 5, tzinfo=UTC), 9)
def test_weekly_occurrences_match_rrule(zone, days, at, start, span):
    rule = Rule(at=at, tz=zone, weekdays=days)
    end = start + timedelta(days=span)
    assert occurrences(rule, start, end) == oracle(rule, start, end)


@settings(max_examples=200, deadline=None)
@given(
    zone=st.sampled_from(ZONES), on=st.dates(date(2024, 1, 1), date(2029, 12, 31)), at=wall_times
)
def test_one_off_matches_dateutil(zone, on, at):
    rule = Rule(at=at, tz=zone, on=on)
    wide = (datetime(2023, 1, 1, tzinfo=UTC), datetime(2031, 1, 1, tzinfo=UTC))
    assert occurrences(rule, *wide) == oracle(rule, *wide) == [local_instant(on, at, zone)]


@settings(max_examples=200, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    days=weekday_sets,
    at=wall_times,
    start=starts,
    cut=st.integers(0, 30 * 24),
    rest=st.integers(0, 30 * 24),
)
def test_windows_split_without_loss_or_overlap(zone, days, at, start, cut, rest):
    rule = Rule(at=at, tz=zone, weekdays=days)
    middle = start + timedelta(hours=cut)
    end = middle + timedelta(hours=rest)
    whole = occurrences(rule, start, end)
    assert occurrences(rule, start, middle) + occurrences(rule, middle, end) == whole
    for run in whole:  # every run is on a chosen weekday, at the wall time or pushed past a gap
        local = run.astimezone(ZoneInfo(zone))
        assert local.weekday() in days or (local - timedelta(hours=3)).weekday() in days
        assert local.time() == at or local.utcoffset() != (local - timedelta(hours=3)).utcoffset()


# --- DST, spelled out -------------------------------------------------------------------


def _local(instants: list[datetime], zone: str) -> list[str]:
    return [i.astimezone(ZoneInfo(zone)).strftime("%a %d %H:%M %z") for i in instants]


def test_weekly_run_keeps_its_wall_time_across_both_changes():
    rule = Rule(at=time(7, 30), tz="Europe/London", weekdays=frozenset({6}))
    spring = occurrences(rule, datetime(2026, 3, 21, tzinfo=UTC), datetime(2026, 4, 5, tzinfo=UTC))
    assert _local(spring, "Europe/London") == ["Sun 22 07:30 +0000", "Sun 29 07:30 +0100"]
    assert [t.hour for t in spring] == [7, 6]
    autumn = occurrences(
        rule, datetime(2026, 10, 20, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)
    )
    assert _local(autumn, "Europe/London") == ["Sun 25 07:30 +0000", "Sun 01 07:30 +0000"]


def test_gap_shifts_forward_and_ambiguous_takes_the_first():
    berlin = "Europe/Berlin"
    assert _local([local_instant(date(2026, 3, 29), time(2, 30), berlin)], berlin) == [
        "Sun 29 03:30 +0200"
    ]
    assert _local([local_instant(date(2026, 10, 25), time(2, 30), berlin)], berlin) == [
        "Sun 25 02:30 +0200"
    ]
    # Lord Howe moves by only 30 minutes: 02:15 falls in the 02:00-02:30 gap.
    howe = "Australia/Lord_Howe"
    assert _local([local_instant(date(2026, 10, 4), time(2, 15), howe)], howe) == [
        "Sun 04 02:45 +1100"
    ]
    assert _local([local_instant(date(2026, 4, 5), time(1, 45), howe)], howe) == [
        "Sun 05 01:45 +1100"
    ]


def test_kathmandu_quarter_hour_offset():
    rule = Rule(at=time(6, 0), tz="Asia/Kathmandu", weekdays=frozenset({0}))
    [run] = occurrences(rule, datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 5, tzinfo=UTC))
    assert run == datetime(2026, 3, 2, 0, 15, tzinfo=UTC)


def test_next_occurrences():
    rule = Rule(at=time(7, 30), tz="UTC", weekdays=frozenset({0, 2, 4}))
    assert [t.day for t in next_occurrences(rule, NOW)] == [4, 6, 9]  # Mon 2 Mar 12:00 UTC
    one = Rule(at=time(7, 30), tz="UTC", on=date(2026, 3, 10))
    assert next_occurrences(one, NOW) == [datetime(2026, 3, 10, 7, 30, tzinfo=UTC)]
    assert next_occurrences(one, datetime(2026, 3, 11, tzinfo=UTC)) == []


# --- parsing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "days", "on", "at", "minutes"),
    [
        (["mon,wed,fri", "07:30"], {0, 2, 4}, None, time(7, 30), 45),
        (["Mon,Wed,Fri", "7:30", "60m"], {0, 2, 4}, None, time(7, 30), 60),
        (["weekdays", "6.45"], {0, 1, 2, 3, 4}, None, time(6, 45), 45),
        (["sat-mon", "09:00", "90"], {5, 6, 0}, None, time(9, 0), 90),
        (["2026-12-01", "18:00"], set(), date(2026, 12, 1), time(18, 0), 45),
        (["today", "18:00"], set(), date(2026, 3, 2), time(18, 0), 45),
        (["tomorrow", "06:45"], set(), date(2026, 3, 3), time(6, 45), 45),
    ],
)
def test_shortcuts(args, days, on, at, minutes):
    rule = parse_plan(args, NOW, "UTC", EN)
    assert isinstance(rule, Rule)
    assert (set(rule.weekdays), rule.on, rule.at, rule.duration_minutes) == (days, on, at, minutes)


@pytest.mark.parametrize(
    "args",
    [
        ["funday", "25:99"],
        ["mon", "25:00"],
        ["mon"],
        ["mon", "07:30", "2h", "x"],
        ["2026-02-30", "07:00"],
        ["2026-03-01", "07:00"],  # the past
        ["today", "11:59"],  # earlier today
        ["mon", "07:30", "1000"],
        ["2030-01-01", "07:00"],  # more than a year ahead
    ],
)
def test_bad_shortcuts_say_what_is_accepted(args):
    result = parse_plan(args, NOW, "UTC", EN)
    assert isinstance(result, Invalid)
    assert result.message in (ACCEPTED, PASSED, TOO_FAR)


def test_today_is_the_runners_today():
    # 12:00 UTC on Mon 2 Mar is already Tue 3 Mar 01:00 in Auckland.
    rule = parse_plan(["today", "18:00"], NOW, "Pacific/Auckland", EN)
    assert isinstance(rule, Rule) and rule.on == date(2026, 3, 3)


def test_time_and_day_parsers():
    assert parse_time("7h05") == time(7, 5)
    assert parse_time("24:00") is None and parse_time("0730") is None
    assert parse_weekdays("daily", EN) == frozenset(range(7))
    assert parse_weekdays("tuesday, thu", EN) == frozenset({1, 3})
    assert parse_weekdays("mon,funday", EN) is None


def test_typed_numbers_are_ascii_digits_only():
    # `\d` matches '٧' and int('٧') is 7: these used to plan a 07:30 run of 45 minutes.
    assert parse_time("٧:30") is None and parse_time("7:٣0") is None
    assert parse_duration("٤٥") is None and parse_duration("45") == 45
    assert parse_date("٢٠٢٦-١٢-٠١", date(2026, 3, 2), EN) is None
    assert isinstance(parse_plan(["mon", "٧:30"], NOW, "UTC", EN), Invalid)


# --- parsing in the runner's language ---------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "args", "days", "on", "minutes"),
    [
        ("es", ["lun,mié,vie", "07:30"], {0, 2, 4}, None, 45),
        ("es", ["LUN,MIE,VIE", "7:30"], {0, 2, 4}, None, 45),  # case and accents optional
        ("es", ["miércoles", "7:30"], {2}, None, 45),
        ("es", ["Miercoles", "7:30"], {2}, None, 45),
        ("es", ["mié.", "7:30"], {2}, None, 45),
        ("es", ["sábado", "domingo", "9:00"], {5, 6}, None, 45),
        ("es", ["lun-vie", "6:45"], {0, 1, 2, 3, 4}, None, 45),
        ("es", ["fin", "de", "semana", "9:00", "90", "min"], {5, 6}, None, 90),
        ("es", ["Entre", "Semana", "6:00"], {0, 1, 2, 3, 4}, None, 45),
        ("es", ["todos", "los", "dias", "6:00"], set(range(7)), None, 45),
        ("es", ["hoy", "18:00"], set(), date(2026, 3, 2), 45),
        ("es", ["mañana", "6:45"], set(), date(2026, 3, 3), 45),
        ("es", ["MANANA", "6:45", "60m"], set(), date(2026, 3, 3), 60),
        ("es", ["mon,wed", "07:30"], {0, 2}, None, 45),  # English works for every runner
        ("es", ["tomorrow", "06:45"], set(), date(2026, 3, 3), 45),
        ("ru", ["пн,ср,пт", "07:30"], {0, 2, 4}, None, 45),
        ("ru", ["Среда", "07:30"], {2}, None, 45),
        ("ru", ["СР", "07:30"], {2}, None, 45),
        ("ru", ["пн-пт", "07:30"], {0, 1, 2, 3, 4}, None, 45),
        ("ru", ["сб", "вс", "9:00", "90", "мин"], {5, 6}, None, 90),
        ("ru", ["по", "будням", "07:30"], {0, 1, 2, 3, 4}, None, 45),
        ("ru", ["каждый", "день", "07:30", "60мин"], set(range(7)), None, 60),
        ("ru", ["по", "выходным", "10:00"], {5, 6}, None, 45),
        ("ru", ["сегодня", "18:00"], set(), date(2026, 3, 2), 45),
        ("ru", ["Завтра", "06:45", "90м"], set(), date(2026, 3, 3), 90),
        ("ru", ["weekdays", "07:30"], {0, 1, 2, 3, 4}, None, 45),
        ("ru", ["tomorrow", "06:45"], set(), date(2026, 3, 3), 45),
    ],
)
def test_shortcuts_in_the_runners_language(lang, args, days, on, minutes):
    rule = parse_plan(args, NOW, "UTC", translators()[lang].words)
    assert isinstance(rule, Rule), rule
    assert (set(rule.weekdays), rule.on, rule.duration_minutes) == (days, on, minutes)


@pytest.mark.parametrize(
    ("lang", "args", "says"),
    [
        ("en", ["mañana", "06:45"], ACCEPTED),  # another language's words: only your own
        ("en", ["пн", "07:30"], ACCEPTED),
        ("es", ["пн", "07:30"], ACCEPTED),
        ("ru", ["lun", "07:30"], ACCEPTED),
        ("es", ["ayer", "07:30"], PASSED),
        ("ru", ["вчера", "07:30"], PASSED),
        ("es", ["fin", "de", "07:30"], ACCEPTED),
        ("ru", ["пн", "07:30", "90", "часов"], ACCEPTED),
        ("ru", ["пн", "٠٧:30"], ACCEPTED),  # digits stay ASCII in every language
        # More words than any /plan needs (MAX_ARGS) are refused, not cut short.
        ("es", ["lun", "mar", "mié", "jue", "vie", "sáb", "dom", "7:30", "90"], ACCEPTED),
    ],
)
def test_bad_shortcuts_in_the_runners_language(lang, args, says):
    result = parse_plan(args, NOW, "UTC", translators()[lang].words)
    assert isinstance(result, Invalid) and result.message == says


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_example_the_help_shows_plans_a_run(lang):
    """What /plan's help and the empty /runs suggest must work when typed back."""
    t = translators()[lang]
    empty = views.plans.runs_list(t, views.plans.RunsPage([], []), "UTC", False)
    examples = re.findall(r"<code>/plan ([^<]+)</code>", t.msg(ACCEPTED) + empty.text)
    assert len(examples) == 6, examples
    for shown in examples:
        rule = parse_plan(shown.split(), NOW, "UTC", t.words)
        assert isinstance(rule, Rule), (shown, rule)


def test_day_words_and_dates_in_the_runners_language():
    today = date(2026, 3, 2)
    es, ru = translators()["es"].words, translators()["ru"].words
    assert parse_date("Mañana", today, es) == parse_date("завтра", today, ru) == date(2026, 3, 3)
    assert parse_date("HOY", today, es) == parse_date("Сегодня", today, ru) == today
    assert parse_date("tomorrow", today, ru) == date(2026, 3, 3)
    assert parse_date("2026-12-01", today, ru) == date(2026, 12, 1)
    assert parse_date("mañana", today, EN) is None
    assert parse_weekdays("Вторник, ЧТ", ru) == frozenset({1, 3})
    assert parse_weekdays("martes y jueves", es) is None  # only commas and spaces join days
    assert parse_duration("45 мин") == parse_duration("45 minutos") == 45
    assert parse_duration("45 horas") is None


def test_plan_reads_text_as_log_does():
    """One `fold` for /plan and /log: a dash is a dash however it is typed, and digits stay
    ASCII (compatibility forms such as full-width `２` or superscript `⁰` are not digits)."""
    es = translators()["es"].words
    for args in (["lun–vie", "6:45"], ["lun—vie", "6:45"], ["LUN‐VIE", "6:45"]):
        rule = parse_plan(args, NOW, "UTC", es)
        assert isinstance(rule, Rule) and rule.weekdays == frozenset(range(5)), args
    for args in (
        ["２０２６-１２-０１", "18:00"],
        ["mon", "07:30", "9⁰m"],
        ["mon", "07:30", "９０"],
        ["mon", "07:30", "90ｍ"],
    ):
        assert parse_plan(args, NOW, "UTC", EN) == Invalid(ACCEPTED), args


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_minute_word_log_reads_is_a_plan_duration(lang):
    for word in LOCAL_WORDS[lang].minutes.split():
        assert parse_duration(f"90 {word}") == parse_duration(f"90{word}") == 90, word


@pytest.mark.parametrize(
    ("lang", "args", "says"),
    [
        ("ru", ["в", "среду", "07:00"], frozenset({2})),
        ("ru", ["в", "пятницу", "07:00"], frozenset({4})),
        ("ru", ["среду", "07:00"], frozenset({2})),
        ("es", ["anteayer", "07:00"], PASSED),
        ("ru", ["позавчера", "07:00"], PASSED),
        ("en", ["thurs,sat", "07:00"], frozenset({3, 5})),
        ("es", ["thurs", "07:00"], frozenset({3})),
    ],
)
def test_plan_and_log_read_the_same_calendar(lang, args, says):
    """The day words /log reads besides CLDR's (`в среду`, `anteayer`, `thurs`) are /plan's too."""
    t = translators()[lang]
    result = parse_plan(args, NOW, "UTC", t.words)
    if isinstance(says, frozenset):
        assert isinstance(result, Rule) and result.weekdays == says, result
    else:
        assert result == Invalid(says)
    assert {**t.words.weekdays, **t.words.days}.items() <= {
        **t.vocabulary.calendar.weekdays,
        **t.vocabulary.calendar.days,
    }.items()


@pytest.mark.parametrize(
    ("zone", "day", "says"),
    [
        # West of UTC the instant of the last minute of 9999 is past datetime's range...
        ("America/Los_Angeles", date(9999, 12, 31), TOO_FAR),
        # ...and east of it, so is the first minute of year 1.
        ("Asia/Tokyo", date(1, 1, 1), PASSED),
        ("Pacific/Kiritimati", date(1, 1, 1), PASSED),
    ],
)
def test_one_offs_at_the_ends_of_the_calendar_are_refused_not_raised(zone, day, says):
    at = time(23, 59) if day.year == 9999 else time(0, 0)
    result = check_future(Rule(at=at, tz=zone, on=day), NOW)
    assert isinstance(result, Invalid) and result.message == says
    result = parse_plan([day.isoformat(), at.strftime("%H:%M")], NOW, zone, EN)
    assert isinstance(result, Invalid) and result.message == says


def test_zones_names_suggestions_and_locations():
    assert find_zone("europe/london") == "Europe/London"
    assert find_zone("Mars/Olympus") is None
    assert "Europe/London" in suggest_zones("Europe/Londn")
    assert "Europe/London" in suggest_zones("london")
    assert "Asia/Kathmandu" in suggest_zones("Kathmandu")
    assert zone_at(51.5074, -0.1278) == "Europe/London"
    assert zone_at(27.7172, 85.3240) in ("Asia/Kathmandu", "Asia/Katmandu")
    assert zone_at(-31.55, 159.08) == "Australia/Lord_Howe"
    assert zone_at(123.0, 0.0) is None


# --- planned_runs (for streaks) ---------------------------------------------------------


def test_planned_runs_excludes_skips_and_respects_plan_lifetime(tmp_path):
    db = open_db(tmp_path / "p.db")
    stamp = "2026-01-01T00:00:00.000000Z"
    db.execute(
        "INSERT INTO users (id, chat_id, created_at, last_seen_at) VALUES (1, 1, ?, ?)",
        [stamp, stamp],
    )
    created = datetime(2026, 3, 1, 12, tzinfo=UTC)
    weekly = Rule(at=time(7, 0), tz="Europe/London", weekdays=frozenset({0, 3}))
    plan_id = storage.plans.insert_plan(db, 1, weekly, created)
    one_off = Rule(at=time(18, 0), tz="Europe/London", on=date(2026, 3, 4))
    storage.plans.insert_plan(db, 1, one_off, created)
    storage.plans.add_skip(db, plan_id, datetime(2026, 3, 5, 7, tzinfo=UTC), created)
    storage.plans.deactivate_plan(db, plan_id, datetime(2026, 3, 10, tzinfo=UTC))
    runs = storage.plans.planned_runs(
        db, 1, datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
    )
    assert runs == [
        datetime(2026, 3, 2, 7, tzinfo=UTC),
        datetime(2026, 3, 4, 18, tzinfo=UTC),
        datetime(2026, 3, 9, 7, tzinfo=UTC),
    ]
    db.close()
