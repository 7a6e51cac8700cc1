"""Messages the domain produces but does not word: an English msgid plus named values.

The domain stays free of any language. A parser that must say what went wrong returns a
`Msg`; the views translate it into the runner's language (`Translator.msg`). `N_` and `NP_`
are also the markers Babel's extractor looks for (Makefile: `make extract`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Msg:
    """An untranslated message: `{name}` placeholders, filled from `params` once translated."""

    id: str
    params: Mapping[str, object] = field(default_factory=dict)
    plural: str | None = None
    n: int | None = None


def N_(message: str, /, **params: object) -> Msg:
    """Mark `message` for translation, to be worded later in the runner's language."""
    return Msg(message, params)


def NP_(singular: str, plural: str, n: int, /, **params: object) -> Msg:
    """A message with plural forms, chosen by `n` (also available as `{n}`)."""
    return Msg(singular, params, plural, n)
