"""Interactive mode: chat with the bot in this terminal while its timers keep running.

Lines are read on a daemon thread (with readline editing and history when available) so the
event loop keeps serving the bot; everything printed comes from the loop, around the prompt.
A live message (a guided session's tracker) that is the last thing on screen is redrawn in
place with ANSI cursor moves; an edit further up is printed again, once, in its new state.
A message that would buzz a phone rings the terminal bell when it arrives unasked for (a hold
or a rest ending while the person waits at the prompt).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import sys
import threading
from typing import TextIO

from bot.playground.core import Change, Playground, shown_path
from bot.playground.render import change_lines, note_line, screen_rows

PROMPT = "> "
BELL = "\a"

try:  # line editing and history for input(); absent on some platforms
    import readline
except ImportError:  # pragma: no cover
    readline = None  # type: ignore[assignment]


class LineReader:
    """Reads one line at a time on a daemon thread, only when asked to.

    A daemon thread (not ``asyncio.to_thread``) so quitting never waits for a pending read.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, prompt: str = PROMPT) -> None:
        self.loop = loop
        self.prompt = prompt
        self.prompting = False
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()
        self._go = threading.Event()
        threading.Thread(target=self._run, name="playground-input", daemon=True).start()

    def _run(self) -> None:
        while True:
            self._go.wait()
            self._go.clear()
            self.prompting = True
            try:
                line: str | None = input(self.prompt)
            except (EOFError, OSError, ValueError):
                line = None
            finally:
                self.prompting = False
            self.loop.call_soon_threadsafe(self._lines.put_nowait, line)
            if line is None:
                return

    async def read(self) -> str | None:
        """The next line, or None for Ctrl-D / Ctrl-C."""
        if self._lines.empty():
            self._go.set()
        return await self._lines.get()

    def interrupt(self) -> None:
        """Ctrl-C: quit as if the person had typed :quit (call on the loop)."""
        self._lines.put_nowait(None)

    def buffer(self) -> str:
        """What the person has typed so far on the prompt line."""
        return readline.get_line_buffer() if readline is not None else ""


class Screen:
    """Prints the chat around the prompt; knows which message block ends at the prompt."""

    def __init__(self, out: TextIO, reader: LineReader, *, ansi: bool, styles: bool) -> None:
        self.out = out
        self.reader = reader
        self.ansi = ansi  # cursor movement allowed
        self.styles = styles  # bold/italic allowed
        self.tail: tuple[int, int] | None = None  # (message id, rows) just above the prompt

    def _write(self, lines: list[str], *, up: int = 0) -> None:
        parts: list[str] = []
        prompting = self.reader.prompting and self.ansi
        if prompting:
            parts.append("\r\x1b[K")
        if up:
            parts.append(f"\x1b[{up}A\r\x1b[J")
        parts.extend(line + "\n" for line in lines)
        if prompting:
            parts.append(self.reader.prompt + self.reader.buffer())
        self.out.write("".join(parts))
        self.out.flush()

    def note(self, text: str) -> None:
        """A line from the playground itself."""
        self._write([note_line(line, ansi=self.styles) for line in text.splitlines()])
        self.tail = None

    def goodbye(self) -> None:
        """Leave the prompt line tidy: Ctrl-D / Ctrl-C leave the cursor after `> `."""
        self.out.write("\r\x1b[K" if self.ansi else "\n")
        self.note("Bye! Everything you did is saved.")

    def typed(self) -> None:
        """The person pressed Enter: their line now sits below the last message."""
        self.tail = None

    def show(self, changes: list[Change]) -> None:
        # Waiting at the prompt, the person asked for nothing: a notifying message is a
        # moment to notice (a hold or rest is over, a reminder), as a phone would buzz.
        unasked = self.reader.prompting
        for change in changes:
            self._show(change)
        if self.ansi and unasked and any(change.notifies for change in changes):
            self.out.write(BELL)
            self.out.flush()

    def _show(self, change: Change) -> None:
        message = change.message
        is_tail = (
            message is not None and self.tail is not None and self.tail[0] == message.message_id
        )
        if change.kind == "edited" and change.only_buttons_removed and not is_tail:
            return  # an older message lost its buttons: nothing worth reprinting
        if change.kind == "edited" and is_tail and self.ansi:
            assert self.tail is not None and message is not None
            lines = change_lines(change, ansi=self.styles, in_place=True)
            height = shutil.get_terminal_size().lines
            if self.tail[1] < height - 1:
                self._write(lines, up=self.tail[1])
                self.tail = (message.message_id, self._rows(lines))
                return
        lines = change_lines(change, ansi=self.styles)
        self._write(lines)
        keep = change.kind in ("new", "edited") and message is not None
        self.tail = (message.message_id, self._rows(lines)) if keep and message else None

    @staticmethod
    def _rows(lines: list[str]) -> int:
        return screen_rows(lines, shutil.get_terminal_size().columns)


def banner(pg: Playground) -> str:
    scale = pg.config.time_scale
    timers = "timers in real time (--fast: 20× faster)" if scale == 1 else f"timers × {scale:g}"
    return (
        f"hipcoach playground — the real bot, offline. You are {pg.user.info['first_name']} "
        f"(user {pg.user.id}).\n"
        f"Database {shown_path(pg.config.db_path)} · {timers} · "
        f"files go to {shown_path(pg.files_dir)}\n"
        "Type a message or /command; a number presses a button (7.2 = button 2 of message #7).\n"
        ":wait 25m / :at 07:00 move the clock · :help · :quit (or Ctrl-D)"
    )


async def _watch(pg: Playground, screen: Screen) -> None:
    """Redraw whenever the fake Bot API saw a request (a send, an edit, a toast)."""
    while True:
        await pg.api.wait_for_change()
        screen.show(pg.changes())


async def run_terminal(pg: Playground, out: TextIO) -> int:
    """The interactive loop; returns 0 on :quit, Ctrl-D or Ctrl-C."""
    loop = asyncio.get_running_loop()
    reader = LineReader(loop)
    tty = out.isatty()
    screen = Screen(out, reader, ansi=tty, styles=tty and not os.environ.get("NO_COLOR"))
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGINT, reader.interrupt)
    screen.note(banner(pg))
    await pg.settle()
    screen.show(pg.changes())
    if pg.is_new_user():  # Telegram's own Start button sends /start on first contact
        screen.note("> /start")
        await pg.settle((await pg.handle("/start")).update_id)
        screen.show(pg.changes())
    watcher = asyncio.create_task(_watch(pg, screen))
    try:
        while (line := await reader.read()) is not None:
            screen.typed()
            reply = await pg.handle(line)
            for note in reply.notes:
                screen.note(note)
            if reply.update_id is not None:  # show the answer before the next prompt
                with contextlib.suppress(TimeoutError):
                    await pg.handled(reply.update_id)
            screen.show(pg.changes())
            if reply.quit:
                break
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)
    screen.goodbye()
    return 0


def terminal_state() -> object | None:
    """Saved tty settings, restored on exit: readline may still own the terminal then."""
    if not sys.stdin.isatty():
        return None
    try:
        import termios

        return termios.tcgetattr(sys.stdin.fileno())
    except (ImportError, OSError):  # pragma: no cover
        return None


def restore_terminal(state: object | None) -> None:
    if state is None:
        return
    import termios

    with contextlib.suppress(OSError):
        termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, state)  # type: ignore[arg-type]
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.write("\x1b[?2004l")  # bracketed paste off, in case readline left it on
        sys.stdout.flush()
