"""Every inline button's `callback_data`, defined once: its encoder, its strict decoder and
the pattern its handler is registered with.

Telegram returns callback data as the client sent it, so it is untrusted input: a forged
or stale payload decodes to None (or never matches a handler's pattern) and is answered
as an old button. Numbers go through the one strict parser; every payload stays far under
Telegram's 64 bytes (tests check the longest of each kind).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal, get_args

from bot.core.numbers import SQLITE_MAX, parse_int
from bot.core.reports import Side

MAX_BYTES = 64
MAX_ID = SQLITE_MAX

_ID = r"[0-9]{1,19}"
_WORD = r"[a-z_]{1,32}"


def _id(text: str) -> int | None:
    return parse_int(text, 0, MAX_ID)


# --- menu / m: the routine menu ---------------------------------------------------------

MENU = "menu"
MENU_PATTERN = re.compile(r"menu\Z")
ROUTINE_PATTERN = re.compile(rf"m:(?P<routine>{_WORD})(?::(?P<minutes>[0-9]{{1,3}}))?\Z")
MAX_MINUTES = 120


def routine_choice(routine_id: str, minutes: int | None = None) -> str:
    """`m:full`, or `m:full:5` for the routine fitted to 5 minutes."""
    return f"m:{routine_id}" if minutes is None else f"m:{routine_id}:{minutes}"


def parse_routine_choice(data: str) -> tuple[str, int | None] | None:
    """`m:<routine id>[:<minutes>]` -> (the routine id, the minutes or None); the routine's
    existence is the service's to check."""
    m = ROUTINE_PATTERN.fullmatch(data)
    if m is None:
        return None
    if m["minutes"] is None:
        return m["routine"], None
    minutes = parse_int(m["minutes"], 1, MAX_MINUTES)
    return (m["routine"], minutes) if minutes is not None else None


# --- r: a button inside a running session; c: the continue prompt -----------------------

SessionAction = Literal[
    "go", "skipx", "stop", "fb", "pause", "resume", "skip", "done", "fewer", "back", "n", "pain",
    "up", "keep", "down", "gentle", "ck",
]  # fmt: skip
ResumeAction = Literal["go", "new", "end"]
SESSION_PATTERN = re.compile(
    rf"r:(?P<session>{_ID}):(?P<rev>{_ID}):(?P<action>[a-z]{{1,8}})(?::(?P<arg>[a-z0-9]{{1,8}}))?\Z"
)
RESUME_PATTERN = re.compile(rf"c:(?P<session>{_ID}):(?P<rev>{_ID}):(?P<action>go|new|end)\Z")


@dataclass(frozen=True)
class SessionButton:
    session_id: int
    rev: int
    action: str
    arg: int | str | None = None


def session_button(session_id: int, rev: int, action: SessionAction, arg: object = None) -> str:
    tail = f":{arg}" if arg is not None else ""
    return f"r:{session_id}:{rev}:{action}{tail}"


def parse_session_button(data: str) -> SessionButton | None:
    """`r:<session>:<rev>:<action>[:<arg>]`; a numeric arg must be plain ASCII digits."""
    m = SESSION_PATTERN.fullmatch(data)
    if m is None or m["action"] not in get_args(SessionAction):
        return None
    session_id, rev = _id(m["session"]), _id(m["rev"])
    if session_id is None or rev is None:
        return None
    raw: str | None = m["arg"]
    arg: int | str | None = raw
    if raw is not None and raw[0] in "0123456789":
        arg = parse_int(raw, 0, 1000)  # a number picked: 7 of 10 reps
        if arg is None:
            return None
    return SessionButton(session_id, rev, m["action"], arg)


def resume_button(session_id: int, rev: int, action: ResumeAction) -> str:
    return f"c:{session_id}:{rev}:{action}"


def parse_resume_button(data: str) -> SessionButton | None:
    m = RESUME_PATTERN.fullmatch(data)
    if m is None:
        return None
    session_id, rev = _id(m["session"]), _id(m["rev"])
    if session_id is None or rev is None:
        return None
    return SessionButton(session_id, rev, m["action"])


# --- k: a hip tightness check-in, before (b) or after (a) a session ----------------------

CHECKIN_PATTERN = re.compile(rf"k:(?P<session>{_ID}):(?P<moment>[ba]):(?P<value>[0-9]{{1,2}})\Z")


@dataclass(frozen=True)
class CheckinButton:
    session_id: int
    moment: Literal["before", "after"]
    value: int


def checkin_button(session_id: int, moment: Literal["b", "a"], value: int) -> str:
    return f"k:{session_id}:{moment}:{value}"


def parse_checkin_button(data: str) -> CheckinButton | None:
    """`k:<session>:<b|a>:<0-10>`."""
    m = CHECKIN_PATTERN.fullmatch(data)
    if m is None:
        return None
    session_id, value = _id(m["session"]), parse_int(m["value"], 0, 10)
    if session_id is None or value is None:
        return None
    return CheckinButton(session_id, "before" if m["moment"] == "b" else "after", value)


# --- rm: reminder buttons; rn: /runs ----------------------------------------------------

ReminderAction = Literal["go", "snz", "skip", "st", "later", "no"]
REMINDER_PATTERN = re.compile(rf"rm:(?P<reminder>{_ID}):(?P<action>go|snz|skip|st|later|no)\Z")
RUNS_PATTERN = re.compile(
    rf"rn:(?:s:(?P<plan>{_ID}):(?P<run>[0-9]{{1,11}})|d:(?P<deleted>{_ID}))\Z"
)


def reminder_button(reminder_id: int, action: ReminderAction) -> str:
    return f"rm:{reminder_id}:{action}"


def parse_reminder_button(data: str) -> tuple[int, ReminderAction] | None:
    m = REMINDER_PATTERN.fullmatch(data)
    reminder_id = _id(m["reminder"]) if m else None
    if m is None or reminder_id is None:
        return None
    action: ReminderAction = m["action"]  # type: ignore[assignment]  # the regex allows no other
    return reminder_id, action


@dataclass(frozen=True)
class RunsButton:
    plan_id: int
    run: datetime | None  # the run to skip; None deletes the whole plan


def skip_run_button(plan_id: int, run: datetime) -> str:
    return f"rn:s:{plan_id}:{int(run.timestamp())}"


def delete_plan_button(plan_id: int) -> str:
    return f"rn:d:{plan_id}"


def parse_runs_button(data: str) -> RunsButton | None:
    m = RUNS_PATTERN.fullmatch(data)
    if m is None:
        return None
    if m["deleted"] is not None:
        plan_id = _id(m["deleted"])
        return RunsButton(plan_id, None) if plan_id is not None else None
    plan_id, epoch = _id(m["plan"]), parse_int(m["run"], 0, 253402300799)  # up to 9999-12-31
    if plan_id is None or epoch is None:
        return None
    return RunsButton(plan_id, datetime.fromtimestamp(epoch, UTC))


# --- ic: a calendar file's import; cal:rm removes every imported run ----------------------

ImportAction = Literal["add", "ch", "x", "sc", "g", "t", "tn", "bk"]
IMPORT_PATTERN = re.compile(
    rf"ic:(?P<import>{_ID}):(?P<action>add|ch|x|sc|g|t|tn|bk)(?::(?P<arg>[0-9]{{1,4}}))?\Z"
)
REMOVE_IMPORTED = "cal:rm"
REMOVE_IMPORTED_PATTERN = re.compile(r"cal:rm\Z")


@dataclass(frozen=True)
class ImportButton:
    import_id: int
    action: ImportAction
    arg: int | None = None  # a group's number (g), a time as HHMM (t)


def import_button(import_id: int, action: ImportAction, arg: int | None = None) -> str:
    """`ic:<import>:<action>[:<arg>]`: Add all, Choose, Cancel, runs/all events, a group's
    toggle, the time for all-day events (`t:0700`), skip them, back."""
    if arg is None:
        return f"ic:{import_id}:{action}"
    return (
        f"ic:{import_id}:{action}:{arg:04d}" if action == "t" else f"ic:{import_id}:{action}:{arg}"
    )


def parse_import_button(data: str) -> ImportButton | None:
    m = IMPORT_PATTERN.fullmatch(data)
    import_id = _id(m["import"]) if m else None
    if m is None or import_id is None:
        return None
    action: ImportAction = m["action"]  # type: ignore[assignment]  # the regex allows no other
    needs_arg = action in ("g", "t")
    if needs_arg != (m["arg"] is not None):
        return None
    if action == "g":
        group = parse_int(m["arg"], 0, 99)
        return ImportButton(import_id, action, group) if group is not None else None
    if action == "t":
        hhmm = parse_int(m["arg"], 0, 2359)
        if hhmm is None or len(m["arg"]) != 4 or hhmm % 100 > 59:
            return None
        return ImportButton(import_id, action, hhmm)
    return ImportButton(import_id, action)


# --- tz: a suggested time zone ----------------------------------------------------------

ZONE_PATTERN = re.compile(r"tz:(?P<zone>[A-Za-z0-9_+\-/]{1,60})\Z")


def zone_button(zone: str) -> str:
    return f"tz:{zone}"


def parse_zone_button(data: str) -> str | None:
    """The zone name as sent; the service checks it is a real IANA zone."""
    m = ZONE_PATTERN.fullmatch(data)
    return m["zone"] if m else None


# --- md: the runner's own data (undo, delete, keep) -------------------------------------

UNDO_PATTERN = re.compile(rf"md:undo:(?P<report>{_ID})\Z")
DELETE_PATTERN = re.compile(r"md:del:(?P<issued>[0-9]{1,12})\Z")
KEEP = "md:keep"
KEEP_PATTERN = re.compile(r"md:keep\Z")


def undo_button(report_id: int) -> str:
    return f"md:undo:{report_id}"


def parse_undo_button(data: str) -> int | None:
    m = UNDO_PATTERN.fullmatch(data)
    return _id(m["report"]) if m else None


def delete_button(issued: int) -> str:
    """`issued`: when the confirmation was shown (epoch seconds), so an old one expires."""
    return f"md:del:{issued}"


def parse_delete_button(data: str) -> int | None:
    m = DELETE_PATTERN.fullmatch(data)
    return parse_int(m["issued"]) if m else None


# --- lg: the /log flow ------------------------------------------------------------------

ReportStep = Literal["x", "s", "n", "a", "d"]
REPORT_EXERCISE = re.compile(r"lg:x:(?P<value>[a-z0-9_]{1,32})\Z")
REPORT_SIDE = re.compile(r"lg:s:(?P<value>right|left|both)\Z")
REPORT_SETS = re.compile(r"lg:n:(?P<value>[0-9]{1,2})\Z")
REPORT_AMOUNT = re.compile(r"lg:a:(?P<value>[0-9]{1,3})\Z")
REPORT_DAY = re.compile(r"lg:d:(?P<value>[0-9]{4}-[0-9]{2}-[0-9]{2})\Z")
REPORT_CANCEL = "lg:cancel"
REPORT_CANCEL_PATTERN = re.compile(r"lg:cancel\Z")
_REPORT_PATTERNS = {
    "x": REPORT_EXERCISE,
    "s": REPORT_SIDE,
    "n": REPORT_SETS,
    "a": REPORT_AMOUNT,
    "d": REPORT_DAY,
}


def report_step(step: ReportStep, value: object) -> str:
    return f"lg:{step}:{value}"


def parse_report_text(step: ReportStep, data: str) -> str | None:
    m = _REPORT_PATTERNS[step].fullmatch(data)
    return m["value"] if m else None


_SIDES: dict[str, Side] = {"right": "right", "left": "left", "both": "both"}


def parse_report_side(data: str) -> Side | None:
    value = parse_report_text("s", data)
    return _SIDES.get(value) if value is not None else None


def parse_report_number(step: Literal["n", "a"], data: str, low: int, high: int) -> int | None:
    value = parse_report_text(step, data)
    return parse_int(value, low, high) if value is not None else None


def parse_report_day(data: str) -> date | None:
    value = parse_report_text("d", data)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


# --- pl: the /plan conversation ---------------------------------------------------------

PlanChoice = Literal["today", "tmrw", "date", "next", "save", "x"]
PLAN_DAYS = re.compile(r"pl:(?:d:(?P<day>[0-6])|(?P<word>today|tmrw|date|next))\Z")
PLAN_DURATION = re.compile(r"pl:dur:(?P<minutes>[0-9]{1,3})\Z")
PLAN_SAVE = re.compile(r"pl:save\Z")
PLAN_CANCEL = re.compile(r"pl:x\Z")


def plan_weekday(weekday: int) -> str:
    return f"pl:d:{weekday}"


def plan_choice(choice: PlanChoice) -> str:
    return f"pl:{choice}"


def plan_duration(minutes: int) -> str:
    return f"pl:dur:{minutes}"


def parse_plan_days(data: str) -> int | str | None:
    """A weekday to toggle (0 = Monday), or one of today / tmrw / date / next."""
    m = PLAN_DAYS.fullmatch(data)
    if m is None:
        return None
    return int(m["day"]) if m["day"] is not None else m["word"]


def parse_plan_duration(data: str, low: int, high: int) -> int | None:
    m = PLAN_DURATION.fullmatch(data)
    return parse_int(m["minutes"], low, high) if m else None


# --- rn:p: a page of /runs --------------------------------------------------------------

RUNS_PAGE_PATTERN = re.compile(r"rn:p:(?P<page>[0-9]{1,6})\Z")
MAX_RUNS_PAGE = 999_999


def runs_page_button(page: int) -> str:
    return f"rn:p:{page}"


def parse_runs_page(data: str) -> int | None:
    """`rn:p:<page>` -> the page (0 is the first); one past the end shows the last."""
    m = RUNS_PAGE_PATTERN.fullmatch(data)
    return parse_int(m["page"], 0, MAX_RUNS_PAGE) if m else None


# --- lang: the /language picker ---------------------------------------------------------

LANGUAGE_PATTERN = re.compile(r"lang:(?P<code>[a-z]{2,3})\Z")


def language_button(code: str) -> str:
    return f"lang:{code}"


def parse_language_button(data: str) -> str | None:
    """`lang:<code>` -> the code (whether the bot speaks it is the service's to check)."""
    m = LANGUAGE_PATTERN.fullmatch(data)
    return m["code"] if m else None


# --- st: /settings ----------------------------------------------------------------------

# `st:<key>` opens that setting's view (main: the list; tz: the zone prompt); `st:<key>:<v>`
# saves a value: rm/ar minutes or `off`, ci/qs/wk 1 or 0 (on/off), wd a weekday (Mon=0),
# wt a time `HHMM`, lg a language code, bb a paused exercise to bring back.
SettingsKey = Literal["main", "tz", "rm", "ar", "ci", "qs", "wk", "wd", "wt", "lg", "bb"]
OpenKey = Literal["main", "tz", "rm", "ar", "wk", "lg"]
MinutesKey = Literal["rm", "ar"]
SwitchKey = Literal["ci", "qs", "wk"]
# What /remind and /afterrun accept, and so their buttons too.
REMIND_MINUTES = (5, 240)
AFTERRUN_MINUTES = (0, 240)
_SETTING_MINUTES = {"rm": REMIND_MINUTES, "ar": AFTERRUN_MINUTES}
_SETTING_KEYS: dict[str, SettingsKey] = {key: key for key in get_args(SettingsKey)}
SETTINGS_PATTERN = re.compile(
    r"st:(?:(?P<open>main|tz|rm|ar|wk|lg)"
    r"|(?P<minutes>rm|ar):(?P<amount>off|[0-9]{1,3})"
    r"|(?P<switch>ci|qs|wk):(?P<on>[01])"
    r"|wd:(?P<day>[0-6])"
    r"|wt:(?P<hours>[0-9]{2})(?P<mins>[0-9]{2})"
    r"|lg:(?P<code>[a-z]{2,3})"
    r"|bb:(?P<exercise>[a-z0-9_]{1,32}))\Z"
)


@dataclass(frozen=True)
class SettingsButton:
    """A decoded `st:` press. `chosen` False: open `key`'s view. True: save `value` (None
    is off for minutes; 1/0 for switches; the weekday; 'HH:MM'; a code; an exercise id)."""

    key: SettingsKey
    chosen: bool = False
    value: int | str | None = None


def settings_open(key: OpenKey) -> str:
    return f"st:{key}"


def settings_minutes(key: MinutesKey, minutes: int | None) -> str:
    return f"st:{key}:{'off' if minutes is None else minutes}"


def settings_switch(key: SwitchKey, on: bool) -> str:
    return f"st:{key}:{int(on)}"


def settings_weekday(day: int) -> str:
    return f"st:wd:{day}"


def settings_time(hhmm: str) -> str:
    """`18:00` -> `st:wt:1800`."""
    return f"st:wt:{hhmm.replace(':', '')}"


def settings_language(code: str) -> str:
    return f"st:lg:{code}"


def settings_bring_back(exercise_id: str) -> str:
    return f"st:bb:{exercise_id}"


def parse_settings_button(data: str) -> SettingsButton | None:
    """Strict: minutes within what the commands accept, a real time of day. Whether a code
    is a language the bot speaks, or an exercise is paused, is the service's to check."""
    m = SETTINGS_PATTERN.fullmatch(data)
    if m is None:
        return None
    if m["open"] is not None:
        return SettingsButton(_SETTING_KEYS[m["open"]])
    if m["minutes"] is not None:
        key = _SETTING_KEYS[m["minutes"]]
        if m["amount"] == "off":
            return SettingsButton(key, True, None)
        minutes = parse_int(m["amount"], *_SETTING_MINUTES[key])
        return SettingsButton(key, True, minutes) if minutes is not None else None
    if m["switch"] is not None:
        return SettingsButton(_SETTING_KEYS[m["switch"]], True, int(m["on"]))
    if m["day"] is not None:
        return SettingsButton("wd", True, int(m["day"]))
    if m["hours"] is not None:
        hours, minutes = parse_int(m["hours"], 0, 23), parse_int(m["mins"], 0, 59)
        if hours is None or minutes is None:
            return None
        return SettingsButton("wt", True, f"{hours:02d}:{minutes:02d}")
    if m["code"] is not None:
        return SettingsButton("lg", True, m["code"])
    return SettingsButton("bb", True, m["exercise"])
