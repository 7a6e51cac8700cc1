"""The playground's engine: the production Application against an in-process fake Bot API.

One ``Playground`` is one bot process with one person in its chat. It turns typed lines into
Telegram updates, reports what changed in the chat since it last looked (new messages, edits,
toasts) and, for scripted runs, knows when the bot has finished reacting ("settled") from
events — the fake's update log, the Application's update queue and the JobQueue's own
job events and next run times — never from fixed sleeps.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import mimetypes
import re
from contextlib import AsyncExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Literal
from zoneinfo import ZoneInfo

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
    JobEvent,
    JobSubmissionEvent,
)
from apscheduler.triggers.date import DateTrigger

from bot.app import HipcoachApp, build_application
from bot.config import Config
from bot.core.clock import OffsetClock
from bot.playground import commands
from bot.playground.render import flat_buttons
from bot.sandbox import BotMessage, FakeBotAPI, FakeRequest
from bot.services import reminders
from bot.services.state import services_of
from bot.storage.db import private_dir, private_file
from bot.storage.users import get_user, user_tz
from bot.transport.runtime import running
from bot.transport.updates import FairUpdateProcessor

log = logging.getLogger(__name__)

# Fake, but shaped like a real token so bot/config.py's check and the log redaction apply.
PLAY_TOKEN = "123456:PLAYGROUND-offline-sandbox-token"
PLAY_API_URL = "http://playground.invalid/bot"  # never contacted: the transport is in-process
# A one-shot job of this chat due within SOON real seconds is an in-session timer the script
# waits for; any one-shot job due within DUE_NOW is work already under way.
SOON = 60.0
DUE_NOW = 1.0
SETTLE_TIMEOUT = 300.0
_MAGIC = {b"\x89PNG\r\n\x1a\n": ".png", b"\xff\xd8\xff": ".jpg", b"GIF8": ".gif", b"%PDF-": ".pdf"}
_JOB_DONE = EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED


def user_id_for(name: str) -> int:
    """A stable Telegram-like user id per name, so two terminals can be two runners."""
    digest = hashlib.sha256(name.strip().casefold().encode("utf-8")).digest()
    return 100_000_000 + int.from_bytes(digest[:6], "big") % 900_000_000


def first_name_for(name: str) -> str:
    name = name.strip() or "runner"
    return name[:1].upper() + name[1:] if name.islower() else name


def file_name(message: BotMessage) -> str:
    """The bot's own file name, else one from the content (PTB names raw bytes after their
    MIME type, e.g. `application.octet-stream`, which no viewer would open)."""
    data = message.file_data or b""
    name = Path(message.filename or "").name
    if name and name != (message.mime_type or "").replace("/", "."):
        return name
    sniffed = next((ext for magic, ext in _MAGIC.items() if data.startswith(magic)), None)
    guessed = mimetypes.guess_extension(message.mime_type or "") or ".bin"
    return f"{message.kind}{sniffed or guessed}"


def shown_path(path: Path) -> str:
    """Relative to the working directory when inside it (short), else absolute."""
    path = path.resolve()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def paced(config: Config) -> Config:
    """Telegram's send pacing, sped up with the timers: `--fast` plays 20x faster, so the
    bot may send 20x as often; at time scale 0 nothing waits (0 means no limit)."""
    scale = config.time_scale
    if scale >= 1:
        return config
    if scale <= 0:
        return replace(config, rate_limit=0.0, chat_rate_limit=0.0)
    return replace(
        config, rate_limit=config.rate_limit / scale, chat_rate_limit=config.chat_rate_limit / scale
    )


def _let_scripts_type_fast(app: HipcoachApp) -> None:
    """A script sends its next input as soon as the bot is done — faster than any thumb — so
    the per-chat flood guard (meant for people, bot/transport/updates.py) must not drop its
    lines."""
    processor = app.update_processor
    if isinstance(processor, FairUpdateProcessor):
        processor.burst = 1_000_000


@dataclass(frozen=True)
class Change:
    """Something new in the chat since the last look."""

    kind: Literal["new", "edited", "deleted", "toast"]
    message: BotMessage | None = None
    text: str = ""
    alert: bool = False
    only_buttons_removed: bool = False  # an old message lost its buttons: not worth a reprint
    saved_to: str | None = None
    # "deleted": every message found gone in one look, oldest first (`message` is the first).
    # A finished exercise's messages go in one deleteMessages call: one line, not one each.
    deleted_ids: tuple[int, ...] = ()

    @property
    def notifies(self) -> bool:
        """A new message not sent silently: on a phone it would buzz (edits never do)."""
        return (
            self.kind == "new"
            and self.message is not None
            and not self.message.disable_notification
        )


@dataclass
class Reply:
    """What handling one input produced besides bot traffic."""

    notes: list[str] = field(default_factory=list)
    update_id: int | None = None
    quit: bool = False


def _snapshot(message: BotMessage) -> tuple[str, str, bool]:
    markup = json.dumps(message.reply_markup or {}, sort_keys=True, ensure_ascii=False)
    return message.text, markup, message.deleted


class Playground:
    """One bot process and one person chatting with it, offline."""

    def __init__(
        self,
        config: Config,
        user: str = "runner",
        *,
        files_dir: Path | None = None,
        scripted: bool = False,
        language_code: str = "en",
    ) -> None:
        self.config = paced(replace(config, token=PLAY_TOKEN, api_url=PLAY_API_URL))
        self.api = FakeBotAPI(PLAY_TOKEN)
        self.clock = OffsetClock()
        self.name = user.strip() or "runner"
        self.user = self.api.user(
            user_id_for(self.name), first_name_for(self.name), language_code=language_code
        )
        self.files_dir = files_dir or self.config.db_path.parent / "playground-files"
        self.app: HipcoachApp = build_application(
            self.config,
            request=FakeRequest(self.api),
            get_updates_request=FakeRequest(self.api),
            clock=self.clock,
            # Each terminal's process looks after its own runner: reminders and recovered
            # sessions of another terminal's runner belong to that terminal.
            only_users=frozenset({self.user.id}),
        )
        if scripted:
            _let_scripts_type_fast(self.app)
        assert self.app.job_queue is not None
        self.app.job_queue.scheduler.add_listener(
            self._on_job_event, EVENT_JOB_SUBMITTED | _JOB_DONE
        )
        self._jobs_running = 0
        self._job_changed = asyncio.Event()
        self._seen: dict[int, tuple[str, str, bool]] = {}
        self._toasts_seen: set[str] = set()
        self._stack: AsyncExitStack | None = None

    # --- lifetime -------------------------------------------------------------------------

    async def __aenter__(self) -> Playground:
        self.user.open_chat()  # the chat exists before start, so recovered sessions arrive
        stack = AsyncExitStack()
        await stack.enter_async_context(running(self.app))
        self._stack = stack
        services_of(self.app).on_erase.append(self._erase_files)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the bot like production does: polling, jobs, then the database is closed."""
        if self._stack is not None:
            stack, self._stack = self._stack, None
            await stack.aclose()

    @property
    def chat_id(self) -> int:
        return self.user.chat_id

    def is_new_user(self) -> bool:
        """True until this runner has written to the bot (in any earlier session, too)."""
        return get_user(services_of(self.app).db, self.user.id) is None

    # --- input ----------------------------------------------------------------------------

    async def handle(self, line: str) -> Reply:
        """Act on one typed line: send it, press a button, or run a playground command."""
        parsed = commands.parse_input(line)
        if parsed is None:
            return Reply()
        if isinstance(parsed, commands.Text):
            return self._send(parsed.text)
        if isinstance(parsed, commands.Press):
            return self._press(parsed)
        if isinstance(parsed, commands.Invalid):
            return Reply([f"! {parsed.error}"])
        if isinstance(parsed, commands.File):
            return self._send_file(parsed.path)
        if isinstance(parsed, commands.Wait):
            return await self._advance(parsed.delta)
        if isinstance(parsed, commands.At):
            now = self.clock.now()
            target = commands.next_at(now, parsed.at, self.tz())
            return await self._advance(target - now)
        if parsed.name == "quit":
            return Reply(quit=True)
        if parsed.name == "now":
            return Reply([self.describe_clock()])
        return Reply(commands.HELP.splitlines())

    def _send(self, text: str) -> Reply:
        self.user.send(text)
        return Reply(update_id=int(self.api.update_log[-1]["update_id"]))

    def _send_file(self, name: str) -> Reply:
        path = Path(name).expanduser()
        try:
            data = path.read_bytes()
        except OSError as exc:
            return Reply([f"! Cannot read {path}: {exc.strerror or exc}"])
        mime = "text/calendar" if path.suffix.lower() == ".ics" else "application/octet-stream"
        self.user.send_document(path.name, data, mime_type=mime)
        return Reply(update_id=int(self.api.update_log[-1]["update_id"]))

    def _press(self, press: commands.Press) -> Reply:
        message = self._press_target(press.message_id)
        if isinstance(message, str):
            return Reply([message])
        buttons = flat_buttons(message)
        if not 1 <= press.button <= len(buttons):
            return Reply([f"! Message #{message.message_id} has buttons 1–{len(buttons)}."])
        button = buttons[press.button - 1]
        if button.get("url"):
            return Reply([f"(that button opens {button['url']} — a browser, not the bot)"])
        data = button.get("callback_data")
        if not isinstance(data, str):
            return Reply(["! That button does nothing in the playground."])
        self.api.post_callback_query(self.user.info, message, data)
        return Reply(update_id=int(self.api.update_log[-1]["update_id"]))

    def _press_target(self, message_id: int | None) -> BotMessage | str:
        """The message a number refers to, or an error line for the person."""
        if message_id is None:
            with_buttons = [m for m in self.user.messages if flat_buttons(m) and not m.deleted]
            if not with_buttons:
                return "! No message with buttons to press. (To send a number: :say 3)"
            return with_buttons[-1]
        chat = self.user.open_chat()
        message = chat.bot_messages.get(message_id)
        if message is None:
            return f"! There is no bot message #{message_id}."
        if message.deleted or not flat_buttons(message):
            return f"! Message #{message_id} has no buttons (any more)."
        return message

    # --- the clock ------------------------------------------------------------------------

    def tz(self) -> str:
        """The runner's time zone as the bot knows it (UTC until they set one)."""
        return user_tz(services_of(self.app).db, self.user.id)

    def local_now(self) -> str:
        """The playground clock as the runner's wall time: `Thu 26 Nov 06:00 (UTC)`."""
        tz = self.tz()
        return f"{self.clock.now().astimezone(ZoneInfo(tz)):%a %d %b %H:%M} ({tz})"

    def describe_clock(self) -> str:
        ahead = self.clock.offset
        lead = " — real time" if ahead <= timedelta(0) else f", {_span(ahead)} ahead of real time"
        return f"⏱ {self.local_now()}{lead}"

    async def _advance(self, delta: timedelta) -> Reply:
        """Move the clock on, then run what would have run meanwhile (reminders, sweeps)."""
        self.clock.advance(delta)
        notes = [f"⏩ {_span(delta)} later: {self.local_now()}"]
        notes += await self.run_due_work()
        return Reply(notes)

    async def run_due_work(self) -> list[str]:
        """The reminder dispatch pass, then every periodic job once, at the new time."""
        notes: list[str] = []
        try:
            await reminders.run_dispatch_pass(self.app)
        except Exception:
            log.exception("reminder dispatch pass failed")
            notes.append("! The reminder dispatch failed; see the log file.")
        assert self.app.job_queue is not None
        for job in self.app.job_queue.jobs():
            # (PTB's Job.enabled is only meaningful once set; a paused job has no next run.)
            if job.next_t is not None and not isinstance(job.job.trigger, DateTrigger):
                await job.run(self.app)
        return notes

    # --- output ---------------------------------------------------------------------------

    def changes(self) -> list[Change]:
        """What appeared or changed in the chat since the last call (toasts first)."""
        out: list[Change] = []
        for query in self.api.callback_queries.values():
            if query.user_id != self.user.id or not query.answered:
                continue
            if query.query_id in self._toasts_seen:
                continue
            self._toasts_seen.add(query.query_id)
            if query.text:
                out.append(Change("toast", text=query.text, alert=query.show_alert))
        gone: list[BotMessage] = []
        gone_at = 0
        for message in self.user.messages:
            now = _snapshot(message)
            before = self._seen.get(message.message_id)
            self._seen[message.message_id] = now
            if before is None:
                out.append(Change("new", message, saved_to=self._save_file(message)))
            elif before != now:
                if now[2] and not before[2]:
                    gone_at = gone_at if gone else len(out)
                    gone.append(message)
                    continue
                stripped = before[0] == now[0] and not flat_buttons(message)
                out.append(Change("edited", message, only_buttons_removed=stripped))
        if gone:
            ids = tuple(m.message_id for m in gone)
            out.insert(gone_at, Change("deleted", gone[0], deleted_ids=ids))
        return out

    def _save_file(self, message: BotMessage) -> str | None:
        """Photos and documents the bot sends are written to disk so the person can open them."""
        if message.kind == "text" or message.file_data is None:
            return None
        path = self.files_dir / f"{self._file_prefix()}-{message.message_id}-{file_name(message)}"
        # An export holds the runner's data: this user only (0700 folder, 0600 file).
        private_dir(path.parent)
        private_file(path)
        path.write_bytes(message.file_data)
        return shown_path(path)

    def _file_prefix(self) -> str:
        """Saved files start with the runner's name, made safe for any file system."""
        return "".join(c if c.isalnum() else "_" for c in self.name)

    def _erase_files(self, user_id: int) -> None:
        """/deleteme: the photos and exports saved for this runner go with their data, from
        earlier sessions too (the same name, in any case, is the same runner). Other
        runners' files stay."""
        if user_id != self.user.id or not self.files_dir.is_dir():
            return
        mine = re.compile(re.escape(self._file_prefix().casefold()) + r"-[0-9]+-.+")
        for path in self.files_dir.iterdir():
            if mine.fullmatch(path.name.casefold()) and path.is_file():
                path.unlink(missing_ok=True)

    # --- knowing the bot is done ----------------------------------------------------------

    def _on_job_event(self, event: JobEvent) -> None:
        """APScheduler listener (runs on the loop): count running jobs, wake settle()."""
        if event.code == EVENT_JOB_SUBMITTED and isinstance(event, JobSubmissionEvent):
            self._jobs_running += len(event.scheduled_run_times)
        elif event.code & _JOB_DONE:
            self._jobs_running = max(0, self._jobs_running - 1)
        woken, self._job_changed = self._job_changed, asyncio.Event()
        woken.set()

    def _fetched(self, update_id: int) -> bool:
        """The bot confirmed the update (its next getUpdates asked for later ones), so it is
        in the Application's update queue or already handled."""
        return all(u["update_id"] != update_id for u in self.api.updates)

    def _timers_pending(self) -> bool:
        """A one-shot job that will fire soon: this chat's in-session timer, or any job due."""
        assert self.app.job_queue is not None
        now = datetime.now(UTC)
        for job in self.app.job_queue.jobs():
            when = job.job.next_run_time
            if when is None or not isinstance(job.job.trigger, DateTrigger):
                continue
            wait = (when - now).total_seconds()
            if wait <= DUE_NOW or (job.chat_id == self.chat_id and wait <= SOON):
                return True
        return False

    async def handled(self, update_id: int, *, within: float = 10.0) -> None:
        """Wait only until the bot's handlers have run for ``update_id`` (not its timers)."""
        await self.api.wait_until(lambda: self._fetched(update_id), timeout=within)
        await asyncio.wait_for(self.app.update_queue.join(), within)

    async def settle(self, update_id: int | None = None, *, within: float = SETTLE_TIMEOUT) -> None:
        """Wait until the bot has handled ``update_id`` and its soon-due timers have fired.

        Order matters: first the update must be fetched (else the queue may look empty
        because it is not in it yet), then the queue joined (PTB marks an update done only
        after its handlers returned), then running and soon-due jobs are waited for via
        APScheduler's events — and the loop repeats, since a handler or job may arm a timer.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        if update_id is not None:
            await self.api.wait_until(lambda: self._fetched(update_id), timeout=within)
        while True:
            woken = self._job_changed  # grabbed before checking, so no job event is lost
            remaining = deadline - loop.time()
            await asyncio.wait_for(self.app.update_queue.join(), max(remaining, 0.001))
            if self._jobs_running == 0 and not self._timers_pending():
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"the bot was still busy after {within:g} s")
            try:
                await asyncio.wait_for(woken.wait(), remaining)
            except TimeoutError:
                raise TimeoutError(f"the bot was still busy after {within:g} s") from None


def _span(delta: timedelta) -> str:
    """`1 h 30 min`, `25 min`, `2 d 3 h` for clock notes."""
    seconds = int(delta.total_seconds())
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min"]
    if not minutes:
        parts[-1] = f"{seconds} s" if seconds or not (days or hours) else ""
    return " ".join(p for p in parts if p)
