"""Translators that tag every message with their language, for tests that must tell which
language a message was worded in, whatever the catalogs hold (even before a translation is
written): `[es] Kept. Nothing changed.`; a plural also shows the count it was chosen by,
`[ru n=3] ...`, so a test can check a view picks the plural form by the right number."""

from __future__ import annotations

import gettext
from dataclasses import replace
from typing import Any

from bot.views.i18n import Translator
from tests.i18n import translators


class Tagged(gettext.NullTranslations):
    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def gettext(self, message: str) -> str:
        return f"[{self.lang}] {message}"

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return f"[{self.lang} n={n}] {singular if n == 1 else plural}"

    def pgettext(self, context: str, message: str) -> str:
        return self.gettext(message)


def tagged(lang: str) -> Translator:
    """The real Translator of `lang` (its content, words and formats), its messages tagged."""
    return replace(translators()[lang], messages=Tagged(lang))


def tag_languages(harness: Any, *langs: str) -> None:
    """Make a running harness word every message in `langs` through `tagged`."""
    for lang in langs:
        harness.services.translators[lang] = tagged(lang)
