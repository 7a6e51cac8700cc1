"""/language: the picker and its answer. Each language's button reads in that language, so
a runner who landed in the wrong one can still find their own."""

from __future__ import annotations

from bot.core.language import LANGUAGES
from bot.views import callbacks
from bot.views.base import View
from bot.views.i18n import Translator


def picker(t: Translator) -> View:
    """One button per language; the current one is ticked."""
    rows = [
        [(("✓ " if code == t.lang else "") + name, callbacks.language_button(code))]
        for code, name in LANGUAGES.items()
    ]
    return View(
        t._(
            "🌐 Which language should I speak? Now: <b>{language}</b>.", language=LANGUAGES[t.lang]
        ),
        rows,
    )


def changed(t: Translator) -> View:
    """Said in the new language, so the runner sees the switch at once."""
    return View(t._("🌐 Done: I'll speak English from now on. Send /language to change it."))


def answer(t: Translator) -> str:
    """The short toast on the button press."""
    return t._("Language saved.")
