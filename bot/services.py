"""The long-lived objects every handler and job needs, kept in `application.bot_data`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database
from telegram.ext import Application, CallbackContext

from bot.clock import Clock
from bot.config import Config
from bot.content import Catalogue
from bot.engine import Routine

SERVICES_KEY = "hipcoach.services"


@dataclass
class Services:
    config: Config
    db: Database
    catalogue: Catalogue
    clock: Clock
    # Users this process looks after in the background (recovery, idle sweep, reminders).
    # None: everyone. The playground runs one process per user on a shared database.
    only_users: frozenset[int] | None = None
    _routines: dict[str, Routine] = field(default_factory=dict)

    def serves(self, user_id: int) -> bool:
        return self.only_users is None or user_id in self.only_users

    def routine(self, routine_id: str) -> Routine:
        """The unrolled routine (cached: content does not change while the bot runs)."""
        if routine_id not in self._routines:
            self._routines[routine_id] = Routine(self.catalogue, routine_id, self.config.time_scale)
        return self._routines[routine_id]


def services(source: Application | CallbackContext[Any, Any, Any, Any]) -> Services:
    """The Services of an Application, from the app itself or a handler/job context."""
    app = source if isinstance(source, Application) else source.application
    return app.bot_data[SERVICES_KEY]
