"""Reports of sets done without the bot (/log): the model, and the parser of one-line
shortcuts such as `rotations 2x10`, `flexion 2x15 left`, `yesterday 90/90 2x30s`.

Pure and forgiving about wording (aliases from data/exercises.toml, plurals, small typos,
any order), but strict about meaning: anything left over that it cannot place makes the
whole line a ParseError, so a typo never saves the wrong thing.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.core.content import Catalogue, Exercise
from bot.core.localtime import local_today
from bot.core.numbers import SQLITE_MAX, parse_int

Side = Literal["right", "left", "both"]

MAX_SETS = 10
MAX_REPS = 100
MAX_SECONDS = 600
MAX_DAYS_BACK = 365
MAX_TEXT = 200

USAGE = (
    "Try /log rotations 2x10, /log flexion 2x15 left, /log 90/90 2x30s "
    "or /log yesterday flexion 1x12."
)


@dataclass(frozen=True)
class Report:
    """One report: `sets` sets of `reps` reps (or `seconds` s) on `side`, on local `day`."""

    exercise: str
    side: Side
    sets: int
    reps: int | None
    seconds: int | None
    day: date


@dataclass(frozen=True)
class SavedReport:
    """A report as stored: its id, when it was made, and how many set rows it stands for."""

    id: int
    user_id: int
    report: Report
    performed_at: datetime
    created_at: datetime
    set_rows: int


@dataclass(frozen=True)
class ParseError:
    reason: str

    @property
    def line(self) -> str:
        """The one line the runner sees: what was wrong, then the accepted forms."""
        return f"{self.reason} {USAGE}"


# --- words -------------------------------------------------------------------------------

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
SIDE_WORDS: dict[str, Side] = {
    "left": "left",
    "l": "left",
    "right": "right",
    "r": "right",
    "both": "both",
    "each": "both",
}
FILLER = {"side", "sides", "leg", "legs", "on", "of", "the", "and", "i", "did", "done", "set"}
SECOND_UNITS = {"s", "sec", "secs", "second", "seconds"}
MINUTE_UNITS = {"m", "min", "mins", "minute", "minutes"}
_UNIT = r"(?P<unit>s|secs?|seconds?|m|mins?|minutes?|reps?)?"
_END = r"(?![\w/.-])"
_START = r"(?<![\w/.-])"
# Numbers are ASCII digits ([0-9], never \d: '٣' is a digit to `re` and to int()), read by
# _number; the guards above keep a longer run of digits from matching in part.

DOSE_PATTERNS = [
    re.compile(_START + r"(?P<sets>[0-9]+)\s*x\s*(?P<amount>[0-9]+)\s*" + _UNIT + _END),
    re.compile(
        _START + r"(?P<sets>[0-9]+)\s*sets?\s*(?:of\s*)?(?P<amount>[0-9]+)\s*" + _UNIT + _END
    ),
]
SINGLE_PATTERN = re.compile(
    _START + r"(?P<amount>[0-9]+)\s*(?P<unit>s|secs?|seconds?|m|mins?|minutes?|reps?)" + _END
)
BARE_NUMBER = re.compile(r"^[0-9]+$")


def _number(digits: str) -> int:
    """Digits a pattern matched, through the one parser; past 19 digits it reads as huge,
    so the range checks reject it with their usual message."""
    value = parse_int(digits)
    return SQLITE_MAX if value is None else value


def normalize(text: str) -> str:
    """Lower case, one kind of dash and times sign, no stray punctuation, single spaces."""
    text = text.lower().replace("×", "x").replace("*", "x")
    text = re.sub(r"[‐-―−]", "-", text)
    text = re.sub(r"[,;:!?()\[\]\"'`]", " ", text)
    return " ".join(text.split())


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    body = r"\s+".join(re.escape(word) for word in phrase.split())
    return re.compile(_START + body + _END)


def _variants(phrase: str) -> set[str]:
    """A name with and without a plural ending: `hip rotation(s)`, `stretch(es)`."""
    out = {phrase}
    if phrase[-1:].isalpha():
        out |= {phrase + "s", phrase + "es"}
        if phrase.endswith("es"):
            out.add(phrase[:-2])
        if phrase.endswith("s"):
            out.add(phrase[:-1])
    return {v for v in out if v}


def exercise_phrases(exercises: Iterable[Exercise]) -> dict[str, set[str]]:
    """Every normalized name a runner may use -> the exercise ids it names."""
    phrases: dict[str, set[str]] = {}
    for ex in exercises:
        names = {ex.id.replace("_", " "), ex.name, ex.short, *ex.aliases}
        for name in names:
            for variant in _variants(normalize(name)):
                phrases.setdefault(variant, set()).add(ex.id)
    return phrases


# --- dates -------------------------------------------------------------------------------

MONTH_WORDS = {
    **{m: i for i, m in enumerate(MONTHS, 1)},
    **{m[:3]: i for i, m in enumerate(MONTHS, 1)},
    "sept": 9,
}
WEEKDAY_WORDS = {
    **{d: i for i, d in enumerate(WEEKDAYS)},
    **{d[:3]: i for i, d in enumerate(WEEKDAYS)},
    "tues": 1,
    "thur": 3,
    "thurs": 3,
}
_MONTH = "|".join(sorted(MONTH_WORDS, key=len, reverse=True))
_WEEKDAY = "|".join(sorted(WEEKDAY_WORDS, key=len, reverse=True))
DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(_START + r"(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})" + _END)),
    (
        "dotted",
        re.compile(_START + r"(?P<d>[0-9]{1,2})\.(?P<m>[0-9]{1,2})(?:\.(?P<y>[0-9]{2,4}))?" + _END),
    ),
    ("ago", re.compile(_START + r"(?P<n>[0-9]+)\s*(?:d|days?)\s+ago" + _END)),
    (
        "day_month",
        re.compile(_START + r"(?P<d>[0-9]{1,2})(?:st|nd|rd|th)?\s+(?P<mon>" + _MONTH + ")" + _END),
    ),
    (
        "month_day",
        re.compile(_START + r"(?P<mon>" + _MONTH + r")\s+(?P<d>[0-9]{1,2})(?:st|nd|rd|th)?" + _END),
    ),
    ("weekday", re.compile(_START + r"(?:last\s+)?(?P<wd>" + _WEEKDAY + ")" + _END)),
    ("word", re.compile(_START + r"(?P<word>today|yesterday|yday|tomorrow)" + _END)),
]


def _latest(day: int, month: int, today: date, year: int | None) -> date | None:
    """`3 May` means the most recent 3 May that is not in the future."""
    try:
        if year is not None:
            return date(year, month, day)
        candidate = date(today.year, month, day)
        return candidate if candidate <= today else date(today.year - 1, month, day)
    except ValueError:
        return None


def _date_from(kind: str, m: re.Match[str], today: date) -> date | None:
    """The day a matched date phrase names, or None if it names no real day."""
    groups = m.groupdict()
    if kind == "word":
        shift = {"today": 0, "tomorrow": 1}.get(groups["word"], -1)
        return today + timedelta(days=shift)
    if kind == "ago":
        n = _number(groups["n"])
        return today - timedelta(days=n) if n <= MAX_DAYS_BACK else None
    if kind == "weekday":
        return today - timedelta(days=(today.weekday() - WEEKDAY_WORDS[groups["wd"]]) % 7)
    if kind in ("day_month", "month_day"):
        return _latest(_number(groups["d"]), MONTH_WORDS[groups["mon"]], today, None)
    year = groups.get("y")
    if year is not None and len(year) == 2:
        year = "20" + year
    if year is not None and len(year) != 4:
        return None
    day, month = _number(groups["d"]), _number(groups["m"])
    return _latest(day, month, today, _number(year) if year else None)


def _take_date(text: str, today: date) -> tuple[str, date | None, str | None]:
    """Remove the one date phrase from `text`: (rest, day, error)."""
    found: list[date | None] = []
    for kind, pattern in DATE_PATTERNS:
        while (m := pattern.search(text)) is not None:
            found.append(_date_from(kind, m, today))
            text = text[: m.start()] + " " + text[m.end() :]
    if not found:
        return text, None, None
    if len(found) > 1:
        return text, None, "One date at a time, please."
    day = found[0]
    if day is None:
        return text, None, "I couldn't read that date."
    return text, day, check_day(day, today)


def check_day(day: date, today: date) -> str | None:
    """Why a day cannot be logged (future, or over a year ago), or None if it can."""
    if day > today:
        return "That date is in the future."
    if (today - day).days > MAX_DAYS_BACK:
        return "That's more than a year ago."
    return None


def parse_day(text: str, today: date) -> date | ParseError:
    """A typed date on its own (the button flow's 'another date')."""
    rest, day, error = _take_date(normalize(text)[:MAX_TEXT], today)
    if error:
        return ParseError(error)
    if day is None or rest.strip():
        return ParseError("I couldn't read that date. Try 'yesterday', 'monday' or '3 may'.")
    return day


# --- doses -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Dose:
    sets: int
    amount: int
    unit: Literal["reps", "seconds"] | None


def _unit(word: str | None) -> tuple[Literal["reps", "seconds"] | None, int]:
    if not word:
        return None, 1
    if word in SECOND_UNITS:
        return "seconds", 1
    if word in MINUTE_UNITS:
        return "seconds", 60
    return "reps", 1


def _take_dose(
    text: str, patterns: Iterable[re.Pattern[str]] = (*DOSE_PATTERNS, SINGLE_PATTERN)
) -> tuple[str, list[_Dose]]:
    doses: list[_Dose] = []
    for pattern in patterns:
        while (m := pattern.search(text)) is not None:
            unit, factor = _unit(m.group("unit"))
            sets = _number(m.group("sets")) if "sets" in m.groupdict() else 1
            doses.append(_Dose(sets, _number(m.group("amount")) * factor, unit))
            text = text[: m.start()] + " " + text[m.end() :]
    return text, doses


def parse_amount(text: str, seconds: bool) -> int | ParseError:
    """A typed number of reps (or seconds, `45` / `45s` / `1m`) for the button flow."""
    rest, doses = _take_dose(normalize(text)[:MAX_TEXT])
    words = rest.split()
    if not doses and len(words) == 1 and BARE_NUMBER.match(words[0]):
        doses, words = [_Dose(1, _number(words[0]), None)], []
    if len(doses) != 1 or words or doses[0].sets != 1:
        return ParseError("Send one number, like 12.")
    dose = doses[0]
    if dose.unit is not None and (dose.unit == "seconds") != seconds:
        return ParseError("Send seconds, like 30." if seconds else "Send reps, like 12.")
    limit = MAX_SECONDS if seconds else MAX_REPS
    if not 1 <= dose.amount <= limit:
        return ParseError(f"Pick a number from 1 to {limit}.")
    return dose.amount


# --- the whole line ----------------------------------------------------------------------


def _take_exercise(text: str, phrases: dict[str, set[str]]) -> tuple[str, set[str], str | None]:
    """Remove the longest exercise name in `text`: (rest, ids, error)."""
    for phrase in sorted(phrases, key=lambda p: (-len(p), p)):
        m = _phrase_pattern(phrase).search(text)
        if m is None:
            continue
        rest = text[: m.start()] + " " + text[m.end() :]
        others = {
            ex
            for other, ids in phrases.items()
            if _phrase_pattern(other).search(rest)
            for ex in ids
        } - phrases[phrase]
        if others:
            return rest, set(), "One exercise at a time, please."
        return rest, phrases[phrase], None
    return text, set(), None


def _fuzzy(words: list[str], phrases: dict[str, set[str]]) -> set[str]:
    """Exercise ids for a mistyped name ('rotatoins'), only when the guess is unambiguous."""
    if not words:
        return set()
    # The whole leftover must be the name, word for word: a stray word is never absorbed.
    same_length = [p for p in phrases if len(p.split()) == len(words)]
    close = difflib.get_close_matches(" ".join(words), same_length, n=5, cutoff=0.8)
    return {ex for phrase in close for ex in phrases[phrase]}


def parse_report(text: str, catalogue: Catalogue, today: date) -> Report | ParseError:
    """Read a `/log` line (without the command) into one Report, or say what was wrong."""
    if len(text) > MAX_TEXT:
        return ParseError("That's too long for me.")
    phrases = exercise_phrases(catalogue.exercises.values())
    rest = normalize(text)
    rest, ids, error = _take_exercise(rest, phrases)
    if error:
        return ParseError(error)
    # `2x10` first, so `1 x 1 may 14` keeps its date; lone `30s` after dates (`3 may`).
    rest, doses = _take_dose(rest, DOSE_PATTERNS)
    rest, day, error = _take_date(rest, today)
    if error:
        return ParseError(error)
    rest, singles = _take_dose(rest, [SINGLE_PATTERN])
    doses += singles
    sides: set[Side] = set()
    unknown: list[str] = []
    for word in rest.split():
        if word in SIDE_WORDS:
            sides.add(SIDE_WORDS[word])
        elif BARE_NUMBER.match(word):
            doses.append(_Dose(1, _number(word), None))
        elif word not in FILLER:
            unknown.append(word)
    if not ids:
        ids = _fuzzy(unknown, phrases)
        unknown = [] if ids else unknown
    if len(ids) > 1:
        return ParseError("Which exercise did you mean?")
    if not ids:
        return ParseError("Which exercise was that?" if not unknown else "I didn't catch that.")
    if unknown:
        return ParseError("I didn't catch that.")
    exercise = catalogue.exercises[next(iter(ids))]
    return _entry(exercise, doses, sides, day or today)


def _entry(
    exercise: Exercise, doses: list[_Dose], sides: set[Side], day: date
) -> Report | ParseError:
    if not doses:
        return ParseError("How many did you do?")
    if len(doses) > 1:
        return ParseError("One amount at a time, please.")
    if len(sides) > 1:
        return ParseError("Left, right or both?")
    side: Side = next(iter(sides)) if sides else "both"
    if side != "both" and not exercise.dose.sides:
        return ParseError(f"{exercise.name} works both sides at once.")
    dose = doses[0]
    timed = exercise.dose.kind == "hold"
    if dose.unit is not None and (dose.unit == "seconds") != timed:
        example = "2x30s" if timed else f"2x{exercise.dose.reps}"
        unit = "seconds" if timed else "reps"
        return ParseError(f"Log {exercise.short} in {unit}, e.g. {example}.")
    if not 1 <= dose.sets <= MAX_SETS:
        return ParseError(f"Sets go from 1 to {MAX_SETS}.")
    limit = MAX_SECONDS if timed else MAX_REPS
    if not 1 <= dose.amount <= limit:
        if dose.amount == 0:
            return ParseError("Zero doesn't need logging.")
        return ParseError(f"That's more than {limit} {'seconds' if timed else 'reps'}.")
    return Report(
        exercise=exercise.id,
        side=side,
        sets=dose.sets,
        reps=None if timed else dose.amount,
        seconds=dose.amount if timed else None,
        day=day,
    )


def performed_at(day: date, now: datetime, tz: str) -> datetime:
    """The UTC instant a logged day is stored at: now for today, else noon that day locally."""
    if day == local_today(now, tz):
        return now
    return datetime.combine(day, time(12), ZoneInfo(tz)).astimezone(UTC)
