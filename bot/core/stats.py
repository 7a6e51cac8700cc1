"""What the operator's /stats reports: plain counts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stats:
    users: int
    blocked: int  # users who blocked the bot (inactive)
    active: int  # users seen since `since`
    sessions: int  # guided sessions started since `since`
    sets: int  # sets performed since `since`
    plans: int | None  # active planned runs; None if the feature is not in this database
    reminders_sent: int | None
