"""The offline playground: scripted transcripts, its clock, and the interactive terminal.

Scripted runs go through `bot.playground.play` in-process (the same code `hipcoach play
--script` runs) at time scale 0, and are checked on the transcript AND the database. The CLI
and the interactive mode are driven once each as real processes (the latter in a pty).
"""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pexpect
import pytest

from bot.config import Config
from bot.playground import Playground, play
from bot.playground.commands import (
    At,
    File,
    Invalid,
    Press,
    Simple,
    Text,
    Wait,
    next_at,
    parse_duration,
    parse_input,
)
from bot.playground.core import PLAY_TOKEN, paced, user_id_for
from bot.playground.render import change_lines, id_list, screen_rows, styled_text
from bot.playground.terminal import BELL, Screen
from tests.i18n import leftover_english, t

QUICK_ROUND = [
    "# comments and blank lines are skipped",
    "/routine",
    "4",  # ⚡ Quick round
    "1",  # ▶ Start hip rotations
    "2",  # Did fewer -> the message turns into a number picker
    "8",  # the 8th button is "7"
    "",
    "1",  # ✓ Done (left side)
    "2",  # 👍 Just right
    "1",  # 👍 Yes: the watch-point question, in the same message
    "1",  # ▶ Start band hip flexion (paced reps run by themselves at scale 0)
    "1",  # ✓ All 15 (right)
    "1",  # ✓ All 15 (left)
    "2",  # 👍 Just right
    "2",  # 🤏 Not quite
    "1",  # ▶ Start 90/90 (holds and the switch run by themselves)
    "2",  # 👍 Just right
    "1",  # 👍 Yes
    "5",  # hip tightness 4, on the summary
]


def config_for(tmp_path: Path, **changes: Any) -> Config:
    return Config(db_path=tmp_path / "play.db", time_scale=0.0, **changes)


async def transcript(config: Config, lines: list[str], *, user: str = "ada") -> str:
    out = io.StringIO()
    feed = iter(lines)

    async def next_line() -> str | None:
        return next(feed, None)

    assert await play(config, user=user, script=next_line, out=out) == 0
    return out.getvalue()


def turns(text: str) -> list[tuple[str, str]]:
    """The transcript as (input, everything printed after it) pairs."""
    pairs: list[tuple[str, str]] = []
    for chunk in ("\n" + text).split("\n> ")[1:]:
        line, _, rest = chunk.partition("\n")
        pairs.append((line, rest))
    return pairs


def message_id(header: str) -> int:
    """`hipcoach #7 (edited)` -> 7."""
    return int(header.split("#")[1].split()[0])


def deleted_ids(line: str) -> list[int]:
    """`(the bot deleted messages #3–#5, #8)` -> [3, 4, 5, 8]."""
    ids: list[int] = []
    for part in line.rstrip(")").split("deleted ")[1].split(" ", 1)[1].split(", "):
        first, _, last = part.partition("–")
        ids += range(int(first.lstrip("#")), int((last or first).lstrip("#")) + 1)
    return ids


def rows(db: Path, sql: str) -> list[dict[str, Any]]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql)]
    finally:
        conn.close()


# --- scripted mode ------------------------------------------------------------------------


async def test_script_plays_a_whole_quick_round(tmp_path):
    config = config_for(tmp_path)
    text = await transcript(config, QUICK_ROUND)
    steps = turns(text)
    assert [line for line, _ in steps] == [line for line in QUICK_ROUND if line][1:]
    assert "Pick a routine" in steps[0][1] and "[4] ⚡ Quick round · 6 min" in steps[0][1]
    assert "1/3 · Hip rotations" in steps[1][1] and "[1] ▶ Start" in steps[1][1]
    # "Did fewer" edits the message in place: shown again, marked, with the picker.
    fewer = steps[3][1]
    assert "↳ How many did you do?" in fewer and "(edited)" in fewer and "[8] 7" in fewer
    assert "Set 1/1 · left side" in steps[4][1]
    assert "💭 Were your circles slow and controlled?" in steps[6][1]  # in the same message
    assert "2/3 · Band hip flexion" in steps[7][1]
    assert "Did you get all 15?" in steps[8][1]  # the paced reps ran while the script waited
    assert "↳ I'll put it first next time." in steps[12][1]  # "Not quite"
    assert "3/3 · 90/90 stretch" in steps[12][1]
    holds = steps[13][1]  # ready, hold, switch, ready, hold: all timers, no input needed
    # The card turned into the first side's hold; the hold's end is a new message (switch
    # sides), which keeps the tally of what was done.
    assert "right side · hold 30 s" in holds and "left side · hold 30 s" in holds
    assert "Done: 30 s" in holds and "How did it feel?" in holds
    assert "Quick round complete!" in steps[15][1] and "Sets: 6/6" in steps[15][1]
    assert "Hip tightness: 4/10 ✓" in steps[16][1]
    # Each message is printed once, in its final form, unless the runner's input edited it;
    # only the summary came without a notification.
    headers = [line for line in text.splitlines() if line.startswith("hipcoach #")]
    fresh = [h for h in headers if not h.endswith("(edited)")]
    assert len(fresh) == len(set(fresh)) >= 6
    assert [h for h in fresh if "(silent)" in h] == [fresh[-1]] and "complete!" in steps[15][1]
    # A finished exercise's messages go in one call, shown as one line: the chat is left
    # with the summary alone.
    tidied = [line for line in text.splitlines() if line.startswith("(the bot deleted")]
    assert len(tidied) == 3, tidied  # one per exercise
    gone = [i for line in tidied for i in deleted_ids(line)]
    assert sorted(gone) == sorted(message_id(h) for h in fresh[:-1])
    assert "\x1b[" not in text  # not a terminal: plain text

    [session] = rows(config.db_path, "SELECT * FROM sessions")
    assert (session["routine"], session["status"]) == ("quick", "completed")
    assert session["user_id"] == user_id_for("ada")
    sets = rows(config.db_path, "SELECT * FROM sets ORDER BY id")
    assert [(s["exercise"], s["side"]) for s in sets] == [
        ("rotations", "right"),
        ("rotations", "left"),
        ("flexion", "right"),
        ("flexion", "left"),
        ("ninety_ninety", "right"),
        ("ninety_ninety", "left"),
    ]
    assert (sets[0]["actual_reps"], sets[0]["target_reps"]) == (7, 10)
    assert sets[1]["actual_reps"] == 10 and sets[4]["actual_seconds"] == 30
    feedback = rows(config.db_path, "SELECT exercise, rating FROM feedback ORDER BY id")
    assert [f["rating"] for f in feedback] == ["right"] * 3
    answers = rows(config.db_path, "SELECT exercise, answer FROM watch_answers ORDER BY id")
    assert [a["answer"] for a in answers] == ["yes", "not_quite", "yes"]
    assert session["tight_after"] == 4


async def test_script_transcript_is_the_same_every_time(tmp_path):
    first = await transcript(config_for(tmp_path / "a"), QUICK_ROUND)
    second = await transcript(config_for(tmp_path / "b"), QUICK_ROUND)
    assert first == second


async def test_waiting_on_the_clock_delivers_a_planned_run_reminder(tmp_path):
    config = config_for(tmp_path)
    script = [":at 06:00", "/plan today 07:00", ":wait 29m", ":wait 1m", "1", ":now"]
    steps = turns(await transcript(config, script))
    at, plan, early, due, pressed, now = (out for _, out in steps)
    assert "⏩" in at and "06:00 (UTC)" in at
    assert "Run planned" in plan and "07:00" in plan
    assert "06:29 (UTC)" in early and "hipcoach #" not in early  # nothing due yet
    assert "06:30 (UTC)" in due and "Run at 07:00 (in 30 min)" in due
    assert "[1] ▶ Start warm-up" in due
    assert "1/2 · Hip rotations" in pressed  # the reminder's button opened the warm-up
    assert "06:30 (UTC)" in now and "ahead of real time" in now

    [reminder] = rows(config.db_path, "SELECT * FROM reminders WHERE kind = 'pre_run'")
    assert (reminder["status"], reminder["response"]) == ("sent", "go")
    assert reminder["due_at"].endswith("T06:30:00.000000Z")
    [session] = rows(config.db_path, "SELECT routine, status FROM sessions")
    assert session == {"routine": "pre_run", "status": "active"}


async def test_two_names_are_two_runners_on_one_database(tmp_path):
    config = config_for(tmp_path)
    await transcript(config, ["/start"], user="ada")
    text = await transcript(config, ["/start", "/cancel"], user="Bea")
    assert "Hi Bea!" in text
    users = rows(config.db_path, "SELECT id, first_name FROM users ORDER BY first_name")
    assert users == [
        {"id": user_id_for("ada"), "first_name": "Ada"},
        {"id": user_id_for("Bea"), "first_name": "Bea"},
    ]
    assert user_id_for("ada") == user_id_for(" ADA ") != user_id_for("bea2")


async def test_bad_inputs_get_a_clear_line_and_change_nothing(tmp_path):
    config = config_for(tmp_path)
    script = ["7", ":wait soon", ":nope", "/start", "9", "2.1", ":say 1", ":help", ":quit", "x"]
    steps = dict(turns(await transcript(config, script)))
    assert steps["7"].startswith("! No message with buttons")
    assert "e.g. :wait 25m" in steps[":wait soon"]
    assert "Unknown playground command :nope" in steps[":nope"]
    assert steps["9"].startswith("! Message #2 has buttons 1–1.")
    assert steps["2.1"].startswith("hipcoach #3") and "Pick a routine" in steps["2.1"]
    assert "I work with buttons and commands" in steps[":say 1"]  # sent as text, not a press
    assert ":wait 25m" in steps[":help"]
    assert "x" not in steps  # :quit ends the script
    assert rows(config.db_path, "SELECT * FROM sessions") == []


async def test_photos_and_documents_are_saved_and_shown(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    png = b"\x89PNG\r\n\x1a\n fake chart"
    async with Playground(config_for(tmp_path), "ada", scripted=True) as pg:
        await pg.settle()
        bot = pg.app.bot
        await bot.send_photo(pg.chat_id, png, caption="<b>Your week</b>", parse_mode="HTML")
        await bot.send_document(pg.chat_id, b"a,b\n1,2\n", filename="sets.csv")
        photo, document = pg.changes()
    folder = Path("playground-files")
    assert photo.saved_to == str(folder / "ada-1-photo.png")
    assert document.saved_to == str(folder / "ada-2-sets.csv")
    assert (folder / "ada-1-photo.png").read_bytes() == png
    assert (folder / "ada-2-sets.csv").read_bytes() == b"a,b\n1,2\n"
    lines = change_lines(photo, ansi=False)
    assert lines == ["hipcoach #1 · photo saved to playground-files/ada-1-photo.png", "  Your week"]


async def test_a_calendar_file_is_sent_with_file_and_its_runs_added(tmp_path):
    """`:file` sends a file as a document, as the app's paper clip does: here a calendar,
    whose runs the bot finds and adds; a missing file gets one line."""
    ics = tmp_path / "training.ics"
    start = datetime.now(UTC) + timedelta(days=2)
    ics.write_bytes(
        (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:tempo@test\r\nDTSTAMP:20260101T000000Z\r\n"
            f"DTSTART:{start:%Y%m%dT070000Z}\r\nDURATION:PT50M\r\nSUMMARY:Tempo run\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n"
        ).encode()
    )
    config = config_for(tmp_path)
    script = [f":file {tmp_path / 'nope.ics'}", f":file {ics}", "1"]
    steps = dict(turns(await transcript(config, script)))
    assert steps[f":file {tmp_path / 'nope.ics'}"].startswith("! Cannot read")
    assert "1 run found" in steps[f":file {ics}"]
    assert "Added 1 run" in steps["1"]
    [plan] = rows(config.db_path, "SELECT title, duration_minutes, source FROM plans")
    assert plan == {"title": "Tempo run", "duration_minutes": 50, "source": "ics"}


# --- pieces -------------------------------------------------------------------------------


def test_inputs_parse_into_messages_presses_and_commands():
    assert parse_input("   ") is None
    assert parse_input("/routine") == Text("/routine")
    assert parse_input("hello 3") == Text("hello 3")
    assert parse_input("3") == Press(3)
    assert parse_input(" 12.2 ") == Press(2, 12)
    assert parse_input(":say 3") == Text("3")
    assert parse_input(":file ~/runs.ics") == File("~/runs.ics")
    assert isinstance(parse_input(":file"), Invalid)
    assert parse_input(":wait 1h30m") == Wait(parse_duration("90m"))
    assert parse_input(":at 7:05") == At(time(7, 5))
    assert isinstance(parse_input(":at 25:00"), Invalid)
    assert isinstance(parse_input(":wait"), Invalid)
    assert parse_input(":QUIT") == Simple("quit")
    assert [parse_duration(t) for t in ("0m", "5x", "m", "400d")] == [None] * 4
    assert parse_duration("2 h").total_seconds() == 7200


def test_at_finds_the_next_wall_time_across_dst():
    before_change = datetime(2025, 3, 29, 12, 0, tzinfo=UTC)  # London moves to BST on 30 Mar
    assert next_at(before_change, time(7, 0), "Europe/London") == datetime(
        2025, 3, 30, 6, 0, tzinfo=UTC
    )
    assert next_at(before_change, time(13, 0), "Europe/London").day == 29
    assert next_at(before_change, time(12, 0), "UTC").day == 30  # "now" is not next


def test_render_styles_only_on_a_terminal():
    html = '<b>Bold</b> and <i>it</i> <a href="https://e.x/">link</a> &amp; 😀'
    assert styled_text(html, "HTML", ansi=False) == "Bold and it link (https://e.x/) & 😀"
    colour = styled_text(html, "HTML", ansi=True)
    assert colour.startswith("\x1b[1mBold\x1b[0m") and "\x1b[3mit\x1b[0m" in colour
    assert screen_rows(["ab", "", "x" * 21, "😀" * 6], 10) == 1 + 1 + 3 + 2


class Prompt:
    """The terminal's line reader, reduced to what the screen asks it: is the person
    waiting at the prompt (so a message arriving now came unasked)?"""

    prompt = "> "

    def __init__(self, prompting: bool) -> None:
        self.prompting = prompting

    def buffer(self) -> str:
        return ""


async def test_the_terminal_redraws_the_live_message_and_rings_for_what_notifies(
    tmp_path, monkeypatch
):
    """A guided session's live message changes in place; an edit further up is printed
    once more; several deletions read as one line; a message that would buzz a phone rings
    the bell, unless the person just asked for it or it came silently."""
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("LINES", "40")
    out, waiting = io.StringIO(), Prompt(prompting=True)
    screen = Screen(out, waiting, ansi=True, styles=False)

    def printed() -> str:
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text

    async with Playground(config_for(tmp_path), "ada", scripted=True) as pg:
        await pg.settle()
        bot, chat = pg.app.bot, pg.chat_id
        # A hold ends while the person waits: a new, notifying message, and the bell.
        live = await bot.send_message(chat, "Hold — 30 s left")
        screen.show(pg.changes())
        assert printed() == "\r\x1b[Khipcoach #1\n  Hold — 30 s left\n> " + BELL
        # A countdown mark: the same block redrawn in place (two rows up), no bell.
        await bot.edit_message_text("Hold — 15 s left", chat, live.message_id)
        screen.show(pg.changes())
        assert printed() == "\r\x1b[K\x1b[2A\r\x1b[J" + "hipcoach #1\n  Hold — 15 s left\n> "
        # The summary comes silently: marked so, and no bell.
        summary = await bot.send_message(chat, "Done!", disable_notification=True)
        screen.show(pg.changes())
        assert printed() == "\r\x1b[Khipcoach #2 (silent)\n  Done!\n> "
        # An edit of a message further up: its new state printed once, marked as an edit.
        await bot.edit_message_text("Hold — 5 s left", chat, live.message_id)
        screen.show(pg.changes())
        assert printed() == "\r\x1b[Khipcoach #1 (edited)\n  Hold — 5 s left\n> "
        # One deleteMessages call tidying three messages: one line.
        extra = await bot.send_message(chat, "Release ✓")
        waiting.prompting = False  # the person just pressed a button: no bell for the reply
        screen.show(pg.changes())
        assert printed() == "hipcoach #3\n  Release ✓\n"
        await bot.delete_messages(chat, [live.message_id, summary.message_id, extra.message_id])
        changes = pg.changes()
        assert [c.kind for c in changes] == ["deleted"] and changes[0].deleted_ids == (1, 2, 3)
        screen.show(changes)
        assert printed() == "(the bot deleted messages #1–#3)\n"
    assert id_list((9, 3, 4, 5, 11, 12)) == "#3–#5, #9, #11, #12"


def test_pacing_follows_the_time_scale(tmp_path):
    config = Config(db_path=tmp_path / "x.db", chat_rate_limit=1.0, rate_limit=30.0)
    assert paced(config) == config
    fast = paced(Config(chat_rate_limit=1.0, rate_limit=30.0, time_scale=0.05))
    assert (fast.chat_rate_limit, fast.rate_limit) == pytest.approx((20.0, 600.0))
    assert paced(Config(time_scale=0.0)).chat_rate_limit == 0.0  # 0: no limit


# --- real processes -----------------------------------------------------------------------


def play_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HIPCOACH_", "TELEGRAM_"))}
    return {**env, "HIPCOACH_TIME_SCALE": "0", "NO_COLOR": "", **extra}


def test_cli_script_and_piped_input_print_a_transcript(tmp_path):
    script = tmp_path / "demo.txt"
    script.write_text("/routine\n4\n:quit\n", encoding="utf-8")
    db = tmp_path / "demo.db"
    by_file = subprocess.run(
        [sys.executable, "-m", "bot", "play", "--script", str(script), "--db", str(db)],
        cwd=tmp_path,
        env=play_env(),
        capture_output=True,
        text=True,
        timeout=30,
    )
    piped = subprocess.run(
        [sys.executable, "-m", "bot", "play", "--db", str(db), "--user", "pipe"],
        input="/help\n",
        cwd=tmp_path,
        env=play_env(),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (by_file.returncode, by_file.stderr) == (0, "")
    assert by_file.stdout.startswith("> /routine\nhipcoach #2\n  Pick a routine")
    assert "Hip rotations" in by_file.stdout
    assert (piped.returncode, piped.stderr) == (0, "")
    assert piped.stdout.startswith("> /help\n") and "/routine" in piped.stdout
    assert PLAY_TOKEN not in (tmp_path / "demo.log").read_text(encoding="utf-8")
    assert rows(db, "SELECT routine, status FROM sessions") == [
        {"routine": "quick", "status": "active"}
    ]


def test_interactive_terminal_presses_buttons_by_number(tmp_path):
    db = tmp_path / "tty.db"
    child = pexpect.spawn(
        sys.executable,
        ["-m", "bot", "play", "--db", str(db), "--user", "pat"],
        cwd=str(tmp_path),
        env=play_env(TERM="xterm"),
        encoding="utf-8",
        timeout=20,
        dimensions=(50, 160),
    )
    try:
        # A first-time runner gets /start sent for them, like Telegram's Start button.
        child.expect_exact("[1] ▶ Start a routine")
        child.expect_exact("> ")
        child.sendline("1")
        child.expect_exact("[4] ⚡ Quick round · 6 min")
        child.expect_exact("> ")
        child.sendline("3.4")  # button 4 of message #3 (the menu)
        child.expect("Hip rotations.*mobility")
        child.expect_exact("[1] ▶ Start")
        child.expect_exact("> ")
        child.sendline("1")
        child.expect("right side.*10 slow hip circles")
        child.expect_exact("> ")
        child.sendline(":quit")
        child.expect_exact("Bye!")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    assert rows(db, "SELECT routine, status, phase FROM sessions") == [
        {"routine": "quick", "status": "active", "phase": "confirm"}
    ]


@pytest.mark.parametrize(("lang", "name"), [("es", "Lucía"), ("ru", "Оля")])
def test_play_lang_makes_the_fake_app_speak_that_language(tmp_path, lang, name):
    """`hipcoach play --lang es|ru`: the fake user's language_code, so the coach answers in
    it from the first message, content included; nothing is stored as a choice."""
    script = tmp_path / "demo.txt"
    script.write_text("/start\n/routine\n4\n/plan 07:30 lun\n:quit\n", encoding="utf-8")
    db = tmp_path / "demo.db"
    command = [sys.executable, "-m", "bot", "play", "--lang", lang, "--user", name.lower()]
    proc = subprocess.run(
        [*command, "--script", str(script), "--db", str(db)],
        cwd=tmp_path,
        env=play_env(),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (proc.returncode, proc.stderr) == (0, "")
    tr = t(lang)
    assert tr._("Hi {name}! 👋 I'm your hip coach.", name=name) in proc.stdout
    assert tr.content.routine("quick").name in proc.stdout
    assert tr.content.exercise("rotations").name in proc.stdout
    bot_lines = [line for line in proc.stdout.splitlines() if not line.startswith(">")]
    assert leftover_english("\n".join(bot_lines), lang) == []
    assert rows(db, "SELECT language, language_code FROM users") == [
        {"language": None, "language_code": lang}
    ]
