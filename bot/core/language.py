"""Which languages the coach speaks, which one a runner gets, and the words it reads in each.

Adding a language starts here (README: "Adding a language"): its code and its own name in
`LANGUAGES`, then a catalog in bot/locales and a content file in data/.

The words a runner may type (weekday and month names, "today", "yesterday") come from two
places: Babel's CLDR data for the calendar names, and the content file's `[words]` table for
the rest. Matching is case- and accent-insensitive (`fold`), so "miercoles" finds "miércoles".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from babel.dates import get_day_names, get_month_names

# Code -> the language's name in itself, as its button shows it. The first is the source.
LANGUAGES: dict[str, str] = {"en": "English", "es": "Español", "ru": "Русский"}
SOURCE = "en"


def from_telegram(language_code: str | None) -> str:
    """The language for a Telegram `language_code`: `es-MX` -> es, `ru` -> ru, else English."""
    base = (language_code or "").replace("_", "-").split("-", 1)[0].strip().lower()
    return base if base in LANGUAGES else SOURCE


def pick(chosen: str | None, language_code: str | None) -> str:
    """The runner's choice (/language) wins; else what Telegram says their app speaks."""
    return chosen if chosen in LANGUAGES else from_telegram(language_code)


def fold(text: str) -> str:
    """Lower case without accents or dots, for matching what a runner types."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace(".", "")


@dataclass(frozen=True)
class Words:
    """What a runner may type for days, in one language or several merged.

    Keys are folded (`fold`). `days` maps a word to an offset from today (0, 1, -1);
    `groups` maps "daily", "weekdays", "weekend" and their translations to weekday numbers.
    """

    weekdays: Mapping[str, int]
    months: Mapping[str, int]
    days: Mapping[str, int]
    groups: Mapping[str, frozenset[int]]

    def __or__(self, other: Words) -> Words:
        return Words(
            {**other.weekdays, **self.weekdays},
            {**other.months, **self.months},
            {**other.days, **self.days},
            {**other.groups, **self.groups},
        )


@dataclass(frozen=True)
class DayWords:
    """The `[words]` table of a content file: the language's words for these days."""

    today: tuple[str, ...]
    tomorrow: tuple[str, ...]
    yesterday: tuple[str, ...]
    every_day: tuple[str, ...]
    weekdays: tuple[str, ...]
    weekend: tuple[str, ...]


@cache
def calendar_names(lang: str) -> tuple[dict[str, int], dict[str, int]]:
    """Weekday (Mon=0) and month (Jan=1) names from CLDR, wide and abbreviated, folded."""
    weekdays: dict[str, int] = {}
    months: dict[str, int] = {}
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for number, name in get_day_names(width, context, lang).items():
                weekdays[fold(name)] = number
            for number, name in get_month_names(width, context, lang).items():
                months[fold(name)] = number
    if lang == SOURCE:  # the short forms runners type in English
        for number, name in enumerate(("tues", "weds", "thur", "thurs")):
            weekdays[name] = (1, 2, 3, 3)[number]
        months["sept"] = 9
    return weekdays, months


def words_for(lang: str, day_words: DayWords) -> Words:
    """The words of one language: CLDR names plus its content file's day words."""
    weekdays, months = calendar_names(lang)

    def table(groups: Iterable[tuple[tuple[str, ...], object]]) -> dict[str, object]:
        return {fold(word): value for words, value in groups for word in words}

    days = table(((day_words.today, 0), (day_words.tomorrow, 1), (day_words.yesterday, -1)))
    groups = table(
        (
            (day_words.every_day, frozenset(range(7))),
            (day_words.weekdays, frozenset(range(5))),
            (day_words.weekend, frozenset(range(5, 7))),
        )
    )
    return Words(
        weekdays,
        months,
        {k: int(str(v)) for k, v in days.items()},
        {k: v for k, v in groups.items() if isinstance(v, frozenset)},
    )
