"""The long-lived state every use case needs, typed, and the handlers' context type.

One `Services` per Application, built in `post_init` (bot.app) and kept in `bot_data`
under one key; handlers and jobs reach it as `context.svc`.
"""

from __future__ import annotations

import asyncio
import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database
from telegram.ext import Application, CallbackContext, ExtBot

from bot import storage
from bot.config import Config
from bot.core.clock import Clock
from bot.core.content import Catalogue
from bot.core.dosing import SessionPlan, plan_for
from bot.core.engine import Walkthrough
from bot.core.language import SOURCE, pick
from bot.core.progress import ChartData
from bot.transport.timers import Timers
from bot.views.i18n import Translator

SERVICES_KEY = "hipcoach.services"
WALKTHROUGH_CACHE = 512


@dataclass
class Services:
    config: Config
    db: Database
    # Every language the bot speaks (bot.views.i18n), each with its content.
    translators: dict[str, Translator]
    clock: Clock
    timers: Timers
    # Users this process looks after in the background (recovery, idle sweep, reminders).
    # None: everyone. The playground runs one process per user on a shared database.
    only_users: frozenset[int] | None = None
    # One reminder dispatch pass at a time (the repeating job and explicit passes).
    dispatch_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Unexpected errors since start, for /stats.
    errors: int = 0
    # Each user's last /progress chart, the language and data it shows, least recently used
    # first (bounded by bot.services.progress): drawn again only when either changes.
    charts: OrderedDict[int, tuple[str, ChartData, bytes]] = field(default_factory=OrderedDict)
    # When each (heavy command, user) last ran, for the short cooldown (see cooldown()).
    heavy_runs: dict[tuple[str, int], float] = field(default_factory=dict)
    # Called with a user's id once their data is deleted (/deleteme): the playground
    # removes the files it saved for them.
    on_erase: list[Callable[[int], None]] = field(default_factory=list)
    # Unrolled session plans, least recently used first (most runners share a few plans).
    _walkthroughs: OrderedDict[tuple[SessionPlan, str], Walkthrough] = field(
        default_factory=OrderedDict
    )

    @property
    def catalogue(self) -> Catalogue:
        """The source (English) content: doses and ids are the same in every language."""
        return self.translators[SOURCE].content

    def t(
        self, user_id: int, language_code: str | None = None, *, db: Database | None = None
    ) -> Translator:
        """The runner's language, read when needed: a reminder is worded when it is sent.
        `language_code` (the update's) stands in when the user has no row (a group); `db`,
        a worker thread's own connection."""
        chosen, stored_code = storage.users.language_of(db or self.db, user_id)
        return self.translators[pick(chosen, stored_code or language_code)]

    def serves(self, user_id: int) -> bool:
        return self.only_users is None or user_id in self.only_users

    def cooldown(self, command: str, user_id: int, seconds: float) -> int:
        """Whole seconds before `user_id` may run the heavy `command` again; 0 means now,
        and the wait starts over. In memory: a restart forgets it, which is harmless."""
        now = self.clock.now().timestamp()
        last = self.heavy_runs.get((command, user_id))
        if last is not None and 0 <= now - last < seconds:
            return math.ceil(seconds - (now - last))
        if len(self.heavy_runs) >= 4096:  # forget finished waits (all are under a minute)
            self.heavy_runs = {k: t for k, t in self.heavy_runs.items() if now - t < 60}
        self.heavy_runs[(command, user_id)] = now
        return 0

    def walkthrough(self, plan: SessionPlan | str, lang: str = SOURCE) -> Walkthrough:
        """A session's plan (or a routine at the article's doses) unrolled, worded in
        `lang`; its steps and timings are the same in every language. Cached: content does
        not change while the bot runs, and runners at the same doses share one."""
        if isinstance(plan, str):
            plan = plan_for(self.catalogue, plan)
        key = (plan, lang)
        found = self._walkthroughs.get(key)
        if found is not None:
            self._walkthroughs.move_to_end(key)
            return found
        made = Walkthrough(self.translators[lang].content, plan, self.config.time_scale)
        self._walkthroughs[key] = made
        if len(self._walkthroughs) > WALKTHROUGH_CACHE:
            self._walkthroughs.popitem(last=False)
        return made


HipcoachApp = Application[Any, "Context", Any, Any, Any, Any]


def services_of(app: Application[Any, Any, Any, Any, Any, Any]) -> Services:
    """The Services of a running Application (after post_init)."""
    svc: Services = app.bot_data[SERVICES_KEY]
    return svc


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """What every handler and job receives (`ContextTypes(context=Context)` in bot.app)."""

    @property
    def svc(self) -> Services:
        return services_of(self.application)
