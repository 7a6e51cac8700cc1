"""The long-lived state every use case needs, typed, and the handlers' context type.

One `Services` per Application, built in `post_init` (bot.app) and kept in `bot_data`
under one key; handlers and jobs reach it as `context.svc`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database
from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Config
from bot.core.clock import Clock
from bot.core.content import Catalogue
from bot.core.engine import Walkthrough
from bot.transport.timers import Timers

SERVICES_KEY = "hipcoach.services"


@dataclass
class Services:
    config: Config
    db: Database
    catalogue: Catalogue
    clock: Clock
    timers: Timers
    # Users this process looks after in the background (recovery, idle sweep, reminders).
    # None: everyone. The playground runs one process per user on a shared database.
    only_users: frozenset[int] | None = None
    # One reminder dispatch pass at a time (the repeating job and explicit passes).
    dispatch_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Unexpected errors since start, for /stats.
    errors: int = 0
    _walkthroughs: dict[str, Walkthrough] = field(default_factory=dict)

    def serves(self, user_id: int) -> bool:
        return self.only_users is None or user_id in self.only_users

    def walkthrough(self, routine_id: str) -> Walkthrough:
        """The unrolled routine (cached: content does not change while the bot runs)."""
        if routine_id not in self._walkthroughs:
            self._walkthroughs[routine_id] = Walkthrough(
                self.catalogue, routine_id, self.config.time_scale
            )
        return self._walkthroughs[routine_id]


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
