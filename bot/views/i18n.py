"""Every word the runner reads, in their language: gettext catalogs and CLDR formats (Babel).

A `Translator` is one language: its compiled catalog (bot/locales/<lang>/LC_MESSAGES/
hipcoach.mo, built from the .po by `make catalogs`), its content (data/exercises.<lang>.toml)
and Babel's formats for dates, times and numbers; and what a runner may type in it (`words`
for /plan, `vocabulary` for /log, each with English). Views take one as their first
argument, `t`, and word everything through it:

    t._("Plan deleted.")                              # gettext
    t._("Again in {minutes} min.", minutes=10)        # named placeholders, str.format
    t.n_("{n} run", "{n} runs", count)                # plural forms (Russian has three)
    t.p_("button", "Done")                            # a context for a word used twice
    t.msg(error)                                      # a bot.core.text.Msg from the domain

Placeholders are always named (`{minutes}`), so a translation can move them; the catalog
test checks every translation keeps the same placeholders and HTML tags as its msgid.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as TimeOfDay
from pathlib import Path

from babel import Locale
from babel.dates import format_skeleton, get_datetime_format
from babel.numbers import format_decimal

from bot import paths
from bot.core.content import Catalogue, CatalogueError
from bot.core.language import LANGUAGES, SOURCE, Words, words_for
from bot.core.reports import Vocabulary, vocabulary
from bot.core.text import Msg

DOMAIN = "hipcoach"
LOCALE_DIR = paths.PACKAGE_DIR / "locales"
# Formats follow the language; English ones are British (24-hour clock, "Mon 7 Dec"),
# which read naturally to runners everywhere.
FORMAT_LOCALES = {"en": "en_GB"}


class CatalogError(CatalogueError):
    """A compiled catalog is missing or unreadable; the message says which and what to run."""


def catalog_file(lang: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def load_messages(lang: str, locale_dir: Path = LOCALE_DIR) -> gettext.NullTranslations:
    """The compiled catalog of `lang`; English is the source and needs none."""
    if lang == SOURCE:
        return gettext.NullTranslations()
    path = catalog_file(lang, locale_dir)
    try:
        with path.open("rb") as f:
            return gettext.GNUTranslations(f)
    except FileNotFoundError:
        raise CatalogError(f"{path}: compiled catalog missing; run `make catalogs`") from None
    except OSError as exc:
        raise CatalogError(f"{path}: unreadable catalog: {exc}") from None


@dataclass(frozen=True)
class Translator:
    """One language: messages, content, formats and the words a runner may type."""

    lang: str
    messages: gettext.NullTranslations
    content: Catalogue
    # The runner's words and English ones: "/plan tomorrow" works in every language.
    words: Words
    # What /log reads in this language (and in English), built once with the Translator.
    vocabulary: Vocabulary
    locale: Locale = field(init=False)
    # Whether small whole numbers read as plain ASCII digits here (a fast path: counts and
    # seconds are formatted on every countdown tick).
    _plain_digits: bool = field(init=False)

    def __post_init__(self) -> None:
        locale = Locale.parse(FORMAT_LOCALES.get(self.lang, self.lang))
        object.__setattr__(self, "locale", locale)
        object.__setattr__(self, "_plain_digits", format_decimal(-987, locale=locale) == "-987")

    # --- messages ---------------------------------------------------------------------

    def _(self, message: str, /, **params: object) -> str:
        text = self.messages.gettext(message)
        return text.format(**params) if params else text

    def n_(self, singular: str, plural: str, n: int, /, **params: object) -> str:
        text = self.messages.ngettext(singular, plural, n)
        return text.format(n=self.number(n), **params)

    def p_(self, context: str, message: str, /, **params: object) -> str:
        text = self.messages.pgettext(context, message)
        return text.format(**params) if params else text

    def msg(self, m: Msg) -> str:
        """A message from the domain (bot.core.text), worded in this language."""
        if m.plural is not None and m.n is not None:
            return self.n_(m.id, m.plural, m.n, **m.params)
        return self._(m.id, **m.params)

    # --- formats (CLDR, via Babel) ----------------------------------------------------

    def number(self, value: float) -> str:
        """`1,234` (es `1234`, ru `1 234`): CLDR's digits, grouping and decimal mark."""
        if self._plain_digits and isinstance(value, int) and -1000 < value < 1000:
            return str(value)
        return format_decimal(value, locale=self.locale)

    def time(self, when: TimeOfDay | datetime) -> str:
        """`07:30` (es: `7:30`)."""
        return format_skeleton("Hm", _as_datetime(when), locale=self.locale)

    def day(self, when: date) -> str:
        """`Mon 7 Dec` (es: `lun, 7 dic`; ru: `пн, 7 дек.`)."""
        return format_skeleton("MMMEd", when, locale=self.locale)

    def day_time(self, when: datetime, day: str | None = None) -> str:
        """`Mon 7 Dec, 07:30`: the day and time of a run, in the locale's own order; `day`
        words the day another way ("Yesterday, 07:30")."""
        pattern = get_datetime_format("medium", locale=self.locale)
        return str(pattern).replace("{1}", day or self.day(when)).replace("{0}", self.time(when))

    def weekday(self, number: int, width: str = "abbreviated") -> str:
        """Mon=0 -> `Mon` (es `lun`, ru `пн`); width `wide` gives `Monday`."""
        return str(self.locale.days["format"][width][number])

    def month(self, number: int, width: str = "abbreviated") -> str:
        return str(self.locale.months["format"][width][number])


def _as_datetime(when: TimeOfDay | datetime) -> datetime:
    return when if isinstance(when, datetime) else datetime.combine(date(2000, 1, 3), when)


def load_translators(
    catalogues: dict[str, Catalogue], locale_dir: Path = LOCALE_DIR
) -> dict[str, Translator]:
    """One Translator per language the bot speaks; fails at start-up if any is incomplete."""
    source = catalogues[SOURCE]
    english = words_for(SOURCE, source.words)
    out = {}
    for lang in LANGUAGES:
        content = catalogues[lang]
        words = words_for(lang, content.words) | english
        out[lang] = Translator(
            lang,
            load_messages(lang, locale_dir),
            content,
            words,
            vocabulary(lang, content, source, words),
        )
    return out
