"""What one line typed into the playground means: a message, a button press, or a `:command`.

Pure parsing, so the terminal and the scripted mode agree on every input and tests can check
the grammar without a bot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

HELP = """\
Playground commands
  hello, /routine …     send a message or a command to the bot
  3                     press button 3 of the latest message with buttons
  7.2                   press button 2 of message #7 (numbers are shown as [n])
  :say 3                send the text 3 (a bare number presses a button)
  :file runs.ics        send a file as a document (a calendar to import, say)
  :wait 25m             move the clock on (s, m, h, d: 90s, 2h, 1h30m, 1d) — due
                        reminders arrive at once
  :at 07:00             move the clock on to the next 07:00 in your time zone
  :now                  show the playground clock
  :help                 this list
  :quit                 leave (Ctrl-D and Ctrl-C too); everything is saved
In the chat
  (edited)              the bot changed a message in place (a session's live one)
  (silent)              sent without a notification; one that would buzz a phone
                        rings the terminal bell when it arrives while you wait"""

_PRESS = re.compile(r"^(?:(?P<message>\d+)\.)?(?P<button>\d+)$")
_DURATION = re.compile(r"(\d+)\s*([smhd])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_AT = re.compile(r"^(\d{1,2}):(\d{2})$")
MAX_WAIT = timedelta(days=366)


@dataclass(frozen=True)
class Text:
    """Anything the runner would type into Telegram (including /commands)."""

    text: str


@dataclass(frozen=True)
class Press:
    """Press button ``button`` (1-based) of message ``message_id`` (None: the latest)."""

    button: int
    message_id: int | None = None


@dataclass(frozen=True)
class File:
    """Send the file at ``path`` as a document, as the Telegram app's paper clip does."""

    path: str


@dataclass(frozen=True)
class Wait:
    delta: timedelta


@dataclass(frozen=True)
class At:
    at: time


@dataclass(frozen=True)
class Simple:
    """`:help`, `:now` and `:quit`."""

    name: str


@dataclass(frozen=True)
class Invalid:
    """A playground command we could not read; ``error`` says how to fix it."""

    error: str


Input = Text | Press | File | Wait | At | Simple | Invalid


def parse_input(line: str) -> Input | None:
    """One typed line -> what to do; None for a blank line."""
    text = line.strip()
    if not text:
        return None
    if text.startswith(":"):
        return _command(text[1:].strip())
    press = _PRESS.match(text)
    if press:
        message = press["message"]
        return Press(int(press["button"]), int(message) if message else None)
    return Text(line.rstrip("\r\n"))


def _command(text: str) -> Input:
    name, _, arg = text.partition(" ")
    name, arg = name.lower(), arg.strip()
    if name in ("quit", "q", "exit"):
        return Simple("quit")
    if name in ("help", "h", "?"):
        return Simple("help")
    if name == "now":
        return Simple("now")
    if name == "say":
        return Text(arg) if arg else Invalid("Say what? e.g. :say 3 sends the text 3.")
    if name == "file":
        return File(arg) if arg else Invalid("Which file? e.g. :file ~/Downloads/runs.ics")
    if name == "wait":
        delta = parse_duration(arg)
        if delta is None:
            return Invalid("Say how long, e.g. :wait 25m, :wait 2h or :wait 1h30m.")
        return Wait(delta)
    if name == "at":
        match = _AT.match(arg)
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            return Invalid("Say when as HH:MM, e.g. :at 07:00.")
        return At(time(int(match[1]), int(match[2])))
    return Invalid(f"Unknown playground command :{name}. Type :help for the list.")


def parse_duration(text: str) -> timedelta | None:
    """`25m`, `2h`, `1h30m`, `90s`, `1d` -> timedelta; None unless the whole text parses."""
    compact = text.replace(" ", "").lower()
    parts = _DURATION.findall(compact)
    if not compact or "".join(n + u for n, u in parts) != compact:
        return None
    delta = timedelta(seconds=sum(int(n) * _UNITS[u] for n, u in parts))
    return delta if timedelta(0) < delta <= MAX_WAIT else None


def next_at(now: datetime, at: time, tz: str) -> datetime:
    """The next instant (after ``now``) when the wall clock in ``tz`` shows ``at``.

    DST gaps resolve like zoneinfo does (the wall time is read with the earlier offset).
    """
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    day = local.date()
    for _ in range(3):
        candidate = datetime.combine(day, at, zone)
        if candidate > local:
            return candidate
        day += timedelta(days=1)
    raise AssertionError("unreachable: a wall time recurs within two days")
