"""Telegram messages as terminal text: formatting as ANSI styles, buttons as numbered choices.

Pure functions over the fake's ``BotMessage``; the HTML is read with the sandbox's own
Telegram-faithful parser, so the terminal shows exactly the text Telegram would.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import TYPE_CHECKING, Any

from bot.sandbox.html_check import HtmlParseError, ParsedText, render, utf16_len
from bot.sandbox.models import BotMessage

if TYPE_CHECKING:
    from bot.playground.core import Change

# Entity type -> SGR code. Code is dimmed; a spoiler shows in reverse video.
_SGR = {
    "bold": "1",
    "italic": "3",
    "underline": "4",
    "strikethrough": "9",
    "code": "2",
    "pre": "2",
    "spoiler": "7",
    "text_link": "4",
}
RESET = "\x1b[0m"
HEADER = "\x1b[1;36m"
DIM = "\x1b[2m"
_ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
INDENT = "  "


def _parsed(text: str, parse_mode: str | None) -> ParsedText:
    try:
        return render(text, parse_mode)
    except HtmlParseError:  # the fake refuses bad HTML, but never let a redraw crash
        return ParsedText(text)


def styled_text(text: str, parse_mode: str | None, *, ansi: bool) -> str:
    """The visible text, with bold/italic/... as ANSI styles when ``ansi``.

    Hidden link targets are shown after the link text, since a terminal cannot click them.
    """
    parsed = _parsed(text, parse_mode)
    plain = parsed.text
    index_at: dict[int, int] = {}
    offset = 0
    for i, char in enumerate(plain):
        index_at[offset] = i
        offset += utf16_len(char)
    index_at[offset] = len(plain)
    styles: list[set[str]] = [set() for _ in plain]
    suffix: dict[int, str] = {}
    for entity in parsed.entities:
        start = index_at.get(entity["offset"], 0)
        end = index_at.get(entity["offset"] + entity["length"], len(plain))
        code = _SGR.get(entity["type"])
        if code:
            for i in range(start, end):
                styles[i].add(code)
        url = entity.get("url")
        if url and url != plain[start:end]:
            suffix[end - 1] = suffix.get(end - 1, "") + f" ({url})"
    out: list[str] = []
    current: tuple[str, ...] = ()
    for i, char in enumerate(plain):
        wanted = tuple(sorted(styles[i])) if ansi and char != "\n" else ()
        if wanted != current:
            out.append(RESET if current else "")
            out.append(f"\x1b[{';'.join(wanted)}m" if wanted else "")
            current = wanted
        out.append(char)
        if i in suffix:
            if current:
                out.append(RESET)
                current = ()
            out.append(suffix[i])
    if current:
        out.append(RESET)
    return "".join(out)


def flat_buttons(message: BotMessage) -> list[dict[str, Any]]:
    """The message's inline buttons in reading order: what `n` and `m.n` count."""
    rows = (message.reply_markup or {}).get("inline_keyboard") or []
    return [button for row in rows for button in row]


def button_lines(message: BotMessage) -> list[str]:
    """One line per keyboard row: `[1] ▶ Start   [2] ⏭ Skip`."""
    rows = (message.reply_markup or {}).get("inline_keyboard") or []
    lines: list[str] = []
    number = 0
    for row in rows:
        cells = []
        for button in row:
            number += 1
            label = f"[{number}] {button.get('text', '')}"
            if button.get("url"):
                label += f" ↗ {button['url']}"
            cells.append(label)
        lines.append(INDENT + "   ".join(cells))
    return lines


def message_lines(
    message: BotMessage, *, ansi: bool, edited: bool = False, saved_to: str | None = None
) -> list[str]:
    """A bot message as a block of lines: a header, the indented text, then its buttons."""
    head = f"hipcoach #{message.message_id}"
    if message.kind != "text":
        head += f" · {message.kind}" + (f" saved to {saved_to}" if saved_to else "")
    if message.deleted:
        head += " (deleted)"
    elif edited:
        head += " (edited)"
    elif message.disable_notification:
        head += " (silent)"  # sent without a notification: a phone would not buzz
    lines = [f"{HEADER}{head}{RESET}" if ansi else head]
    body = styled_text(message.text, message.parse_mode, ansi=ansi)
    if body:
        lines += [INDENT + line if line else "" for line in body.split("\n")]
    if not message.deleted:
        lines += button_lines(message)
    return lines


def id_list(ids: tuple[int, ...]) -> str:
    """`#3–#6, #9`: message ids, runs of three or more consecutive ones as a range."""
    runs: list[list[int]] = []
    for i in sorted(ids):
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    parts = [
        f"#{run[0]}–#{run[-1]}" if len(run) >= 3 else ", ".join(f"#{i}" for i in run)
        for run in runs
    ]
    return ", ".join(parts)


def note_line(text: str, *, ansi: bool) -> str:
    """A line from the playground itself (toasts, clock changes, errors), set apart."""
    return f"{DIM}{text}{RESET}" if ansi else text


def toast_line(text: str, *, alert: bool, ansi: bool) -> str:
    """A callback answer: Telegram shows it as a brief toast (or an alert box)."""
    return note_line(f"{INDENT}{'⚠ alert' if alert else '↳'} {text}", ansi=ansi)


def display_width(line: str) -> int:
    """Terminal columns a line takes: wide (CJK, most emoji) chars count 2, marks 0."""
    width = 0
    for char in _ANSI_RE.sub("", line):
        if unicodedata.combining(char) or char in "\u200d\ufe0e\ufe0f":
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def screen_rows(lines: list[str], columns: int) -> int:
    """How many terminal rows the lines occupy once wrapped at ``columns``."""
    columns = max(columns, 1)
    return sum(max(1, math.ceil(display_width(line) / columns)) for line in lines)


def change_lines(change: Change, *, ansi: bool, in_place: bool = False) -> list[str]:
    """The lines to print for one change in the chat ([] when it is not worth printing)."""
    if change.kind == "toast":
        return [toast_line(change.text, alert=change.alert, ansi=ansi)]
    message = change.message
    assert message is not None
    if change.kind == "deleted":
        ids = change.deleted_ids or (message.message_id,)
        noun = "message" if len(ids) == 1 else "messages"
        return [note_line(f"(the bot deleted {noun} {id_list(ids)})", ansi=ansi)]
    edited = change.kind == "edited" and not in_place
    return message_lines(message, ansi=ansi, edited=edited, saved_to=change.saved_to)
