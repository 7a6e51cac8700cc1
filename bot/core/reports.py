"""Reports of sets done without the bot (/log): the model, and the parser of one-line
shortcuts such as `rotations 2x10`, `flexion 2x15 left`, `yesterday 90/90 2x30s`.

Pure and forgiving about wording (names and aliases from the content in the runner's
language and in English, plurals, small typos, accents, any order), but strict about
meaning: anything left over that it cannot place makes the whole line a ParseError, so a
typo never saves the wrong thing. Errors are `Msg`s; the views word them.

The words it reads in a language make a `Vocabulary`, built once per language (each
Translator holds its own, bot.views.i18n) from the content, the calendar's words
(bot.core.language.Words, the ones /plan reads) and the sides, units and filler of
bot.core.report_words. Text is read as `bot.core.language.fold` leaves it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from bot.core.content import Catalogue, Exercise
from bot.core.language import SOURCE, Words, fold
from bot.core.localtime import local_day, local_instant
from bot.core.numbers import SQLITE_MAX, parse_int
from bot.core.report_words import LOCAL_WORDS, Side
from bot.core.text import N_, NP_, Msg

MAX_SETS = 10
MAX_REPS = 100
MAX_SECONDS = 600
MAX_DAYS_BACK = 365
MAX_TEXT = 200
FUZZY_CUTOFF = 0.8  # how alike a mistyped word must be (difflib's ratio)


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
    """What was wrong with the line, worded by the views in the runner's language."""

    reason: Msg


# --- words -------------------------------------------------------------------------------


_END = r"(?![\w/.-])"
_START = r"(?<![\w/.-])"
# Numbers are ASCII digits ([0-9], never \d: '٣' is a digit to `re` and to int()), read by
# _number; the guards above keep a longer run of digits from matching in part.


def _number(digits: str) -> int:
    """Digits a pattern matched, through the one parser; past 19 digits it reads as huge,
    so the range checks reject it with their usual message."""
    value = parse_int(digits)
    return SQLITE_MAX if value is None else value


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    return _pattern(r"\s+".join(re.escape(word) for word in phrase.split()))


def _either(words: Iterable[str]) -> str:
    """A regex alternative of folded words, longest first; words may hold spaces."""
    folded = {fold(w) for w in words} - {""}
    return "|".join(r"\s+".join(map(re.escape, w.split())) for w in _longest_first(folded))


def _variants(phrase: str) -> set[str]:
    """A name with and without a plural ending: `hip rotation(s)`, `stretch(es)`."""
    out = {phrase}
    if phrase[-1:].isascii() and phrase[-1:].isalpha():
        out |= {phrase + "s", phrase + "es"}
        if phrase.endswith("es"):
            out.add(phrase[:-2])
        if phrase.endswith("s"):
            out.add(phrase[:-1])
    return {v for v in out if v}


def exercise_phrases(exercises: Iterable[Exercise]) -> dict[str, set[str]]:
    """Every folded name a runner may use -> the exercise ids it names."""
    phrases: dict[str, set[str]] = {}
    for ex in exercises:
        names = {ex.id.replace("_", " "), ex.name, ex.short, *ex.aliases}
        for name in names:
            for variant in _variants(fold(name)):
                phrases.setdefault(variant, set()).add(ex.id)
    return phrases


@dataclass(frozen=True)
class Vocabulary:
    """Everything the parser reads in one language, English included: built once per
    language (`vocabulary`, kept on its Translator) since every /log line is read with it."""

    exercises: Mapping[str, Exercise]  # in the runner's language, for names in errors
    phrases: Mapping[str, frozenset[str]]
    phrase_patterns: tuple[tuple[str, re.Pattern[str]], ...]  # longest first
    sides: tuple[tuple[re.Pattern[str], Side], ...]  # longest first
    seconds: frozenset[str]
    minutes: frozenset[str]
    filler: frozenset[str]
    calendar: Words  # weekday, month and day words: the Translator's, as /plan reads them
    dose_patterns: tuple[re.Pattern[str], ...]
    single_pattern: re.Pattern[str]
    date_patterns: tuple[tuple[str, re.Pattern[str]], ...]


def vocabulary(lang: str, catalogue: Catalogue, english: Catalogue, words: Words) -> Vocabulary:
    """The words of `lang` and of English: names from both catalogues, `words` (the
    Translator's calendar, already merged with English) and LOCAL_WORDS of both."""
    tables = [LOCAL_WORDS[SOURCE]] + ([LOCAL_WORDS[lang]] if lang != SOURCE else [])
    exercises = [*catalogue.exercises.values()]
    if lang != SOURCE:
        exercises += english.exercises.values()
    phrases = {p: frozenset(ids) for p, ids in exercise_phrases(exercises).items()}
    sides = {fold(w): s for table in tables for w, s in table.sides.items()}

    def joined(kind: str) -> list[str]:
        return [word for table in tables for word in getattr(table, kind).split()]

    unit = f"(?P<unit>{_either(joined('seconds') + joined('minutes') + joined('reps'))})"
    return Vocabulary(
        exercises=catalogue.exercises,
        phrases=phrases,
        phrase_patterns=tuple((p, _phrase_pattern(p)) for p in _longest_first(phrases)),
        sides=tuple((_phrase_pattern(w), sides[w]) for w in _longest_first(sides)),
        seconds=frozenset(fold(w) for w in joined("seconds")),
        minutes=frozenset(fold(w) for w in joined("minutes")),
        filler=frozenset(fold(w) for w in joined("filler")),
        calendar=words,
        dose_patterns=(
            # 2x10, 2 x 30s, 2 по 10
            _pattern(rf"(?P<sets>[0-9]+)\s*(?:{_either(joined('times'))})\s*{_AMOUNT}{unit}?"),
            # 2 sets of 15, 2 series de 15, 2 подхода по 15
            _pattern(
                rf"(?P<sets>[0-9]+)\s*(?:{_either(joined('sets'))})\s*"
                rf"(?:(?:{_either(joined('of'))})\s*)?{_AMOUNT}{unit}?"
            ),
        ),
        single_pattern=_pattern(_AMOUNT + unit),
        date_patterns=_date_patterns(joined, words),
    )


_AMOUNT = r"(?P<amount>[0-9]+)\s*"
_ORDINAL = r"(?:st|nd|rd|th)?"


def _pattern(body: str) -> re.Pattern[str]:
    return re.compile(_START + body + _END)


def _longest_first(words: Iterable[str]) -> list[str]:
    return sorted(words, key=lambda w: (-len(w), w))


def _date_patterns(
    joined: Callable[[str], list[str]], calendar: Words
) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """What a date may look like, in the order they are taken out of a line."""
    month, of = _either(calendar.months), _either(joined("of"))
    day_units = _either(joined("day_units"))
    ago = []
    if before := joined("ago_before"):  # hace 4 días
        ago.append(_pattern(rf"(?:{_either(before)})\s+(?P<n>[0-9]+)\s*(?:{day_units})"))
    if after := joined("ago_after"):  # 4 days ago, 4 дня назад
        ago.append(_pattern(rf"(?P<n>[0-9]+)\s*(?:{day_units})\s+(?:{_either(after)})"))
    return (
        ("iso", _pattern(r"(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})")),
        ("dotted", _pattern(r"(?P<d>[0-9]{1,2})\.(?P<m>[0-9]{1,2})(?:\.(?P<y>[0-9]{2,4}))?")),
        *(("ago", pattern) for pattern in ago),
        # 3 may, 3rd of May, 3 de mayo, 3 мая
        (
            "day_month",
            _pattern(rf"(?P<d>[0-9]{{1,2}}){_ORDINAL}\s+(?:(?:{of})\s+)?(?P<mon>{month})"),
        ),
        ("month_day", _pattern(rf"(?P<mon>{month})\s+(?P<d>[0-9]{{1,2}}){_ORDINAL}")),
        ("weekday", _pattern(rf"(?P<wd>{_either(calendar.weekdays)})")),
        ("word", _pattern(rf"(?P<word>{_either(calendar.days)})")),
    )


def _key(matched: str) -> str:
    """A matched word or phrase as the tables key it (single spaces)."""
    return " ".join(matched.split())


# --- dates -------------------------------------------------------------------------------


def _latest(day: int, month: int, today: date, year: int | None) -> date | None:
    """`3 May` means the most recent 3 May that is not in the future."""
    try:
        if year is not None:
            return date(year, month, day)
        candidate = date(today.year, month, day)
        return candidate if candidate <= today else date(today.year - 1, month, day)
    except ValueError:
        return None


def _date_from(kind: str, m: re.Match[str], today: date, vocab: Vocabulary) -> date | None:
    """The day a matched date phrase names, or None if it names no real day."""
    groups = m.groupdict()
    if kind == "word":
        return today + timedelta(days=vocab.calendar.days[_key(groups["word"])])
    if kind == "ago":
        n = _number(groups["n"])
        return today - timedelta(days=n) if n <= MAX_DAYS_BACK else None
    if kind == "weekday":
        weekday = vocab.calendar.weekdays[_key(groups["wd"])]
        return today - timedelta(days=(today.weekday() - weekday) % 7)
    if kind in ("day_month", "month_day"):
        month = vocab.calendar.months[_key(groups["mon"])]
        return _latest(_number(groups["d"]), month, today, None)
    year = groups.get("y")
    if year is not None and len(year) == 2:
        year = "20" + year
    if year is not None and len(year) != 4:
        return None
    day, month = _number(groups["d"]), _number(groups["m"])
    return _latest(day, month, today, _number(year) if year else None)


def _take_date(text: str, vocab: Vocabulary, today: date) -> tuple[str, date | None, Msg | None]:
    """Remove the one date phrase from `text`: (rest, day, error)."""
    found: list[date | None] = []
    for kind, pattern in vocab.date_patterns:
        while (m := pattern.search(text)) is not None:
            found.append(_date_from(kind, m, today, vocab))
            text = text[: m.start()] + " " + text[m.end() :]
    if not found:
        return text, None, None
    if len(found) > 1:
        return text, None, N_("One date at a time, please.")
    day = found[0]
    if day is None:
        return text, None, N_("I couldn't read that date.")
    return text, day, check_day(day, today)


def check_day(day: date, today: date) -> Msg | None:
    """Why a day cannot be logged (future, or over a year ago), or None if it can."""
    if day > today:
        return N_("That date is in the future.")
    if (today - day).days > MAX_DAYS_BACK:
        return N_("That's more than a year ago.")
    return None


def parse_day(text: str, vocab: Vocabulary, today: date) -> date | ParseError:
    """A typed date on its own (the button flow's 'another date')."""
    rest, day, error = _take_date(fold(text)[:MAX_TEXT], vocab, today)
    if error:
        return ParseError(error)
    if day is None or any(w not in vocab.filler for w in rest.split()):
        # Translators: the examples in quotes must be words the bot reads in your language.
        return ParseError(N_("I couldn't read that date. Try 'yesterday', 'monday' or '3 may'."))
    return day


# --- doses -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Dose:
    sets: int
    amount: int
    unit: Literal["reps", "seconds"] | None


def _unit(word: str | None, vocab: Vocabulary) -> tuple[Literal["reps", "seconds"] | None, int]:
    if not word:
        return None, 1
    if word in vocab.seconds:
        return "seconds", 1
    if word in vocab.minutes:
        return "seconds", 60
    return "reps", 1


def _take_dose(
    text: str, vocab: Vocabulary, patterns: Iterable[re.Pattern[str]]
) -> tuple[str, list[_Dose]]:
    doses: list[_Dose] = []
    for pattern in patterns:
        while (m := pattern.search(text)) is not None:
            unit, factor = _unit(m.group("unit"), vocab)
            sets = _number(m.group("sets")) if "sets" in m.groupdict() else 1
            doses.append(_Dose(sets, _number(m.group("amount")) * factor, unit))
            text = text[: m.start()] + " " + text[m.end() :]
    return text, doses


BARE_NUMBER = re.compile(r"^[0-9]+$")


def parse_amount(text: str, vocab: Vocabulary, seconds: bool) -> int | ParseError:
    """A typed number of reps (or seconds, `45` / `45s` / `1m`) for the button flow."""
    rest, doses = _take_dose(
        fold(text)[:MAX_TEXT], vocab, (*vocab.dose_patterns, vocab.single_pattern)
    )
    words = rest.split()
    if not doses and len(words) == 1 and BARE_NUMBER.match(words[0]):
        doses, words = [_Dose(1, _number(words[0]), None)], []
    if len(doses) != 1 or words or doses[0].sets != 1:
        return ParseError(N_("Send one number, like 12."))
    dose = doses[0]
    if dose.unit is not None and (dose.unit == "seconds") != seconds:
        return ParseError(N_("Send seconds, like 30.") if seconds else N_("Send reps, like 12."))
    limit = MAX_SECONDS if seconds else MAX_REPS
    if not 1 <= dose.amount <= limit:
        return ParseError(N_("Pick a number from 1 to {limit}.", limit=limit))
    return dose.amount


# --- the whole line ----------------------------------------------------------------------


def _take_exercise(text: str, vocab: Vocabulary) -> tuple[str, frozenset[str], Msg | None]:
    """Remove the longest exercise name in `text`: (rest, ids, error)."""
    for phrase, pattern in vocab.phrase_patterns:
        m = pattern.search(text)
        if m is None:
            continue
        rest = text[: m.start()] + " " + text[m.end() :]
        ids = vocab.phrases[phrase]
        for other, other_pattern in vocab.phrase_patterns:
            if vocab.phrases[other] - ids and other_pattern.search(rest):
                return rest, frozenset(), N_("One exercise at a time, please.")
        return rest, ids, None
    return text, frozenset(), None


def _take_sides(text: str, vocab: Vocabulary) -> tuple[str, set[Side]]:
    sides: set[Side] = set()
    for pattern, side in vocab.sides:
        while (m := pattern.search(text)) is not None:
            sides.add(side)
            text = text[: m.start()] + " " + text[m.end() :]
    return text, sides


def _fuzzy(words: list[str], vocab: Vocabulary) -> frozenset[str]:
    """Exercise ids for a mistyped name ('rotatoins'), only when the guess is unambiguous."""
    if not words:
        return frozenset()
    # The whole leftover must be the name, word for word (filler aside, as it was taken out
    # of the leftover): a stray word is never absorbed, even in place of a `de` or `с`.
    found: set[str] = set()
    for phrase, ids in vocab.phrases.items():
        parts = [w for w in phrase.split() if w not in vocab.filler]
        if len(parts) == len(words) and all(map(_close, words, parts)):
            found |= ids
    return frozenset(found)


def _close(typed: str, word: str) -> bool:
    return difflib.SequenceMatcher(None, typed, word).ratio() >= FUZZY_CUTOFF


def parse_report(text: str, vocab: Vocabulary, today: date) -> Report | ParseError:
    """Read a `/log` line (without the command) into one Report, or say what was wrong."""
    if len(text) > MAX_TEXT:
        return ParseError(N_("That's too long for me."))
    rest, ids, error = _take_exercise(fold(text), vocab)
    if error:
        return ParseError(error)
    # Sides before amounts: `2x10 с каждой стороны` is "on each side", not ten seconds.
    rest, sides = _take_sides(rest, vocab)
    # `2x10` first, so `1 x 1 may 14` keeps its date; lone `30s` after dates (`3 may`).
    rest, doses = _take_dose(rest, vocab, vocab.dose_patterns)
    rest, day, error = _take_date(rest, vocab, today)
    if error:
        return ParseError(error)
    rest, singles = _take_dose(rest, vocab, [vocab.single_pattern])
    doses += singles
    unknown: list[str] = []
    for word in rest.split():
        if BARE_NUMBER.match(word):
            doses.append(_Dose(1, _number(word), None))
        elif word not in vocab.filler:
            unknown.append(word)
    if not ids:
        ids = _fuzzy(unknown, vocab)
        unknown = [] if ids else unknown
    if len(ids) > 1:
        return ParseError(N_("Which exercise did you mean?"))
    if not ids:
        if unknown:
            return ParseError(N_("I didn't catch that."))
        return ParseError(N_("Which exercise was that?"))
    if unknown:
        return ParseError(N_("I didn't catch that."))
    exercise = vocab.exercises[next(iter(ids))]
    return _entry(exercise, doses, sides, day or today)


def _entry(
    exercise: Exercise, doses: list[_Dose], sides: set[Side], day: date
) -> Report | ParseError:
    if not doses:
        return ParseError(N_("How many did you do?"))
    if len(doses) > 1:
        return ParseError(N_("One amount at a time, please."))
    if len(sides) > 1:
        return ParseError(N_("Left, right or both?"))
    side: Side = next(iter(sides)) if sides else "both"
    if side != "both" and not exercise.dose.sides:
        return ParseError(N_("{name} works both sides at once.", name=exercise.name))
    dose = doses[0]
    timed = exercise.dose.kind == "hold"
    if dose.unit is not None and (dose.unit == "seconds") != timed:
        name = exercise.short
        if timed:
            # Translators: {name} is an exercise's short name; {example} is like 2x30s.
            return ParseError(
                N_("Log {name} in seconds, e.g. {example}.", name=name, example="2x30s")
            )
        example = f"2x{exercise.dose.reps}"
        # Translators: {name} is an exercise's short name; {example} is like 2x10.
        return ParseError(N_("Log {name} in reps, e.g. {example}.", name=name, example=example))
    if not 1 <= dose.sets <= MAX_SETS:
        return ParseError(N_("Sets go from 1 to {most}.", most=MAX_SETS))
    limit = MAX_SECONDS if timed else MAX_REPS
    if not 1 <= dose.amount <= limit:
        if dose.amount == 0:
            return ParseError(N_("Zero doesn't need logging."))
        if timed:
            return ParseError(
                NP_("That's more than {n} second.", "That's more than {n} seconds.", limit)
            )
        return ParseError(NP_("That's more than {n} rep.", "That's more than {n} reps.", limit))
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
    return now if day == local_day(now, tz) else local_instant(day, time(12), tz)
