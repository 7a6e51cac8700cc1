"""The bot's languages for tests: one Translator per language, loaded once, and a check
for English words left in a text meant for another language."""

from __future__ import annotations

import re
from functools import cache

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


def _texts_of(catalog_path: str, lang: str | None) -> list[str]:
    with (LOCALE_DIR / catalog_path).open("rb") as f:
        catalog = read_po(f, locale=lang)
    out: list[str] = []
    for m in catalog:
        if not m.id:
            continue
        if lang is None:
            out += list(m.id) if isinstance(m.id, tuple | list) else [m.id]
        else:
            out += list(m.string) if isinstance(m.string, tuple | list) else [m.string]
    return out


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
        for text in _texts_of("hipcoach.pot", None) + _content_texts("en")
        for w in _WORD.findall(text)
    }
    own = {
        w.lower()
        for text in _texts_of(f"{lang}/LC_MESSAGES/hipcoach.po", lang) + _content_texts(lang)
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
