"""Which languages the coach speaks, which one a runner gets, and the words it reads in each.

Adding a language starts here (README: "Adding a fourth language"): its code and its own name
in `LANGUAGES`, then a catalog in bot/locales and a content file in data/.

The day words a runner may type (/plan and /log read the same ones) come from three places:
Babel's CLDR data for the weekday and month names, the content file's `[words]` table for
"today", "tomorrow", "every day"..., and bot.core.report_words for the forms CLDR lacks
(`thurs`, `anteayer`, `в среду`). Matching is case- and accent-insensitive (`fold`), so
"miercoles" finds "miércoles".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from babel.dates import get_day_names, get_month_names

from bot.core.report_words import LOCAL_WORDS

if TYPE_CHECKING:  # only a type: bot.core.content imports this module
    from bot.core.content import DayWords

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
    """What a runner typed, in the one form every table of words is keyed in (/plan and /log
    alike): lower case without accents (`miércoles`, `подъём`), one kind of dash and times
    sign, no stray punctuation, single spaces.

    Canonical decomposition only (NFD, never NFKD), so `²` or a full-width `２` never becomes
    an ASCII digit; dots stay inside `20.12` but go after a word (`dic.`, `сек.`)."""
    text = unicodedata.normalize("NFD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("×", "x").replace("*", "x")
    text = re.sub(r"(?<=[0-9])\s*х\s*(?=[0-9])", "x", text)  # a Cyrillic `х`: `2х10`
    text = re.sub(r"[‐-―−]", "-", text)
    text = re.sub(r"(?<=[^\W\d_])\.", " ", text)
    text = re.sub(r"[,;:!?()\[\]\"'`«»“”„]", " ", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class Words:
    """What a runner may type for days, in one language or several merged.

    Keys are folded (`fold`). `days` maps a word to an offset from today (0, 1, -1, -2);
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
    return weekdays, months


def words_for(lang: str, day_words: DayWords) -> Words:
    """The words of one language: CLDR's calendar names, its content file's day words, and
    the forms bot.core.report_words adds (`thurs`, `anteayer`, `в среду`)."""
    weekdays, months = calendar_names(lang)
    extra = LOCAL_WORDS[lang]
    offsets = ((day_words.today, 0), (day_words.tomorrow, 1), (day_words.yesterday, -1))
    spans = (
        (day_words.every_day, range(7)),
        (day_words.weekdays, range(5)),
        (day_words.weekend, range(5, 7)),
    )
    days = {fold(word): offset for words, offset in offsets for word in words}
    return Words(
        weekdays={**weekdays, **_folded(extra.weekdays)},
        months={**months, **_folded(extra.months)},
        days={**days, **_folded(extra.days)},
        groups={fold(word): frozenset(span) for words, span in spans for word in words},
    )


def _folded(table: Mapping[str, int]) -> dict[str, int]:
    return {fold(word): value for word, value in table.items()}
