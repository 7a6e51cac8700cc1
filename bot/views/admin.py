"""What operators see: /stats, short enough to read on a phone."""

from __future__ import annotations

from bot.core.stats import Stats
from bot.views.base import View


def stats_view(stats: Stats, errors: int, days: int = 7) -> View:
    """The operator's overview, short enough to read on a phone."""

    def maybe(value: int | None) -> str:
        return "—" if value is None else str(value)

    lines = [
        "📊 <b>hipcoach stats</b>",
        f"Users: {stats.users} ({stats.blocked} blocked the bot)",
        f"Active, last {days} days: {stats.active}",
        f"Sessions, last {days} days: {stats.sessions} · sets: {stats.sets}",
        f"Planned runs: {maybe(stats.plans)} · reminders sent: {maybe(stats.reminders_sent)}",
        f"Errors since start: {errors}",
    ]
    return View("\n".join(lines))
