"""The one strict number parser: every number the bot reads goes through `parse_int`.

`str.isdigit()` accepts '²' and `int()` accepts '٣', ' 7' and '+7'; a button or a typed
value must be plain ASCII digits. Nothing above SQLite's largest integer (2**63 - 1) passes,
and the length cap means a huge string is never even converted.
"""

from __future__ import annotations

import re

SQLITE_MAX = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")  # SQLITE_MAX has 19 digits


def parse_int(text: str, low: int = 0, high: int = SQLITE_MAX) -> int | None:
    """`text` as an int in [low, high], or None: ASCII digits only, no sign or spaces."""
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None
