"""The offline playground: the production bot against an in-process fake Telegram.

`hipcoach play` (and `make run` without a token) opens a chat in the terminal; with
`--script FILE` or piped input it prints a whole transcript instead. It is the same
Application as over Telegram — only the transport (bot/sandbox) differs.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.config import Config
from bot.ops.logsetup import RedactTokenFilter
from bot.playground.core import PLAY_TOKEN, Playground
from bot.playground.script import NextLine, run_script
from bot.storage.db import private_dir, private_file

__all__ = ["Playground", "run_playground"]


def log_file_for(config: Config) -> Path:
    """The playground's log sits next to its database, e.g. data/playground.log."""
    return config.db_path.with_suffix(".log")


def _configure_logging(config: Config) -> Callable[[], None]:
    """Logs go to a file so the chat stays readable; only errors reach stderr.

    Returns an undo, so calling the playground in-process (tests) leaves logging as it was.
    """
    path = log_file_for(config)
    private_dir(path.parent)
    private_file(path)  # log lines name users: private, like the database beside it
    redact = RedactTokenFilter(PLAY_TOKEN)
    to_file = logging.FileHandler(path, encoding="utf-8")
    to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    to_stderr = logging.StreamHandler(sys.stderr)
    to_stderr.setLevel(logging.ERROR)
    to_stderr.setFormatter(logging.Formatter("hipcoach: %(levelname)s %(name)s: %(message)s"))
    for handler in (to_file, to_stderr):
        handler.addFilter(redact)
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    quiet = {name: logging.getLogger(name).level for name in ("httpx", "apscheduler")}
    root.handlers[:] = [to_file, to_stderr]
    root.setLevel(config.log_level)
    for name in quiet:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.captureWarnings(True)

    def undo() -> None:
        logging.captureWarnings(False)
        root.handlers[:], level = saved
        root.setLevel(level)
        for name, old in quiet.items():
            logging.getLogger(name).setLevel(old)
        to_file.close()

    return undo


def _file_lines(path: Path) -> NextLine:
    lines = iter(path.read_text(encoding="utf-8").splitlines())

    async def next_line() -> str | None:
        return next(lines, None)

    return next_line


def _stream_lines(stream: TextIO) -> NextLine:
    async def next_line() -> str | None:
        line = await asyncio.to_thread(stream.readline)
        return line or None

    return next_line


async def play(
    config: Config,
    *,
    user: str = "runner",
    script: NextLine | None = None,
    out: TextIO | None = None,
    language_code: str = "en",
) -> int:
    """Run one playground session on the current loop: scripted when ``script`` is given."""
    out = out or sys.stdout
    async with Playground(
        config, user, scripted=script is not None, language_code=language_code
    ) as pg:
        if script is not None:
            return await run_script(pg, script, out, ansi=out.isatty())
        from bot.playground.terminal import run_terminal

        return await run_terminal(pg, out)


def run_playground(
    config: Config, *, user: str = "runner", script: Path | None = None, language_code: str = "en"
) -> int:
    """Entry point for `hipcoach play`: interactive on a terminal, else scripted."""
    from bot.playground.terminal import restore_terminal, terminal_state

    if script is not None and not script.is_file():
        print(f"hipcoach: no such script file: {script}", file=sys.stderr)
        return 2
    if script is not None:
        lines: NextLine | None = _file_lines(script)
    elif not sys.stdin.isatty():
        lines = _stream_lines(sys.stdin)  # piped input: scripted mode
    else:
        lines = None
    undo = _configure_logging(config)
    saved_tty = terminal_state() if lines is None else None
    try:
        return asyncio.run(play(config, user=user, script=lines, language_code=language_code))
    except KeyboardInterrupt:  # a second Ctrl-C while shutting down
        return 130
    finally:
        restore_terminal(saved_tty)
        undo()
