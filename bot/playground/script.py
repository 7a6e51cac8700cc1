"""Scripted mode: one input per line, the whole conversation printed once, for demos and docs.

After every input the bot is left to finish (``Playground.settle``), so the transcript is the
same on every run: each message appears once, in the form it has when the bot is done.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TextIO

from bot.playground.core import Change, Playground
from bot.playground.render import change_lines, note_line

NextLine = Callable[[], Awaitable[str | None]]


def _print_changes(out: TextIO, changes: list[Change], *, ansi: bool) -> None:
    for change in changes:
        if change.kind == "edited" and change.only_buttons_removed:
            continue  # an old message losing its buttons is not news in a transcript
        for line in change_lines(change, ansi=ansi):
            out.write(line + "\n")


async def run_script(pg: Playground, next_line: NextLine, out: TextIO, *, ansi: bool) -> int:
    """Feed lines until EOF or `:quit`; 0 when done, 1 if the bot never settled."""
    try:
        await pg.settle()
        _print_changes(out, pg.changes(), ansi=ansi)
        while (line := await next_line()) is not None:
            line = line.rstrip("\r\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue  # blank lines and comments make scripts readable
            out.write(f"> {line}\n")
            reply = await pg.handle(line)
            for note in reply.notes:
                out.write(note_line(note, ansi=ansi) + "\n")
            await pg.settle(reply.update_id)
            _print_changes(out, pg.changes(), ansi=ansi)
            out.flush()
            if reply.quit:
                break
    except TimeoutError as exc:
        out.write(f"! {exc}; stopping.\n")
        out.flush()
        return 1
    out.flush()
    return 0
