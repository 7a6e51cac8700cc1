"""The one strict number parser: every number the bot reads goes through `parse_int`.

`str.isdigit()` accepts '²' and `int()` accepts '٣', ' 7' and '+7'; a button or a typed
value must be plain ASCII digits. The length cap keeps values far below SQLite's 2**63 - 1.
"""

from __future__ import annotations

import re

MAX_DIGITS = 18
_DIGITS = re.compile(r"[0-9]{1,18}")


def parse_int(text: str, low: int = 0, high: int = 10**MAX_DIGITS - 1) -> int | None:
    """`text` as an int in [low, high], or None: ASCII digits only, no sign or spaces."""
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None
