"""The bot's languages for tests: one Translator per language, loaded once, the catalogs
read as Babel sees them, and a check for English words left in a text meant for another
language."""

from __future__ import annotations

import re
from functools import cache

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from bot.core.content import load_catalogues
from bot.views.i18n import LOCALE_DIR, Translator, load_translators


@cache
def translators() -> dict[str, Translator]:
    return load_translators(load_catalogues())


def t(lang: str = "en") -> Translator:
    return translators()[lang]


# --- leftover English --------------------------------------------------------------------

# Words that are the same in every language: names, units, what Telegram itself shows.
# ("English" is the English button's label in /language, in every language.)
ALLOWED = {"english", "hipcoach", "telegram", "utc", "ok", "csv", "json", "zip", "iana", "physio"}
_WORD = re.compile(r"[A-Za-z][a-z]{2,}")


def po(lang: str | None = None) -> Catalog:
    """`lang`'s catalog (bot/locales/<lang>/LC_MESSAGES/hipcoach.po), or the template."""
    path = LOCALE_DIR / (f"{lang}/LC_MESSAGES/hipcoach.po" if lang else "hipcoach.pot")
    with path.open("rb") as f:
        return read_po(f, locale=lang)


def msgids(m: Message) -> list[str]:
    """The English of an entry: its msgid, and its msgid_plural if it has one."""
    return list(m.id) if isinstance(m.id, tuple | list) else [m.id]


def msgstrs(m: Message) -> list[str]:
    """The translation of an entry: one form, or one per plural form."""
    return list(m.string) if isinstance(m.string, tuple | list) else [m.string]


def _content_texts(lang: str) -> list[str]:
    c = t(lang).content
    out = [c.source.title, c.source.author, c.source.publication]
    for e in c.exercises.values():
        out += [e.name, e.short, e.why, e.dose.cue, *e.aliases, *e.muscles, *e.technique, *e.watch]
    for r in c.routines.values():
        out += [r.name, r.blurb]
    return out


@cache
def english_words(lang: str) -> frozenset[str]:
    """Words of the English source that never occur in `lang`'s own texts."""
    english = {
        w.lower()
        for text in [s for m in po() if m.id for s in msgids(m)] + _content_texts("en")
        for w in _WORD.findall(text)
    }
    own = {
        w.lower()
        for text in [s for m in po(lang) if m.id for s in msgstrs(m)] + _content_texts(lang)
        for w in _WORD.findall(text)
    }
    credit = {w.lower() for w in _WORD.findall(" ".join(_content_texts("en")[:3]))}
    return frozenset(english - own - credit - ALLOWED)


def leftover_english(text: str, lang: str) -> list[str]:
    """English words in a text meant for `lang` (commands like /plan are not words)."""
    text = re.sub(r"/[a-z_]+", " ", text)  # commands stay the same in every language
    text = re.sub(r"<[^>]+>", " ", text)  # HTML tags
    vocabulary = english_words(lang)
    return sorted({w for w in _WORD.findall(text) if w.lower() in vocabulary})
