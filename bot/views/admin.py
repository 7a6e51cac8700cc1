"""What operators see: /stats, short enough to read on a phone."""

from __future__ import annotations

from bot.core.stats import Stats
from bot.views.base import View
from bot.views.i18n import Translator


def stats_view(t: Translator, stats: Stats, errors: int, days: int = 7) -> View:
    """The operator's overview, short enough to read on a phone. A count the database cannot
    give (a table from a later version) shows as a dash."""

    def maybe(value: int | None) -> str:
        return "—" if value is None else t.number(value)

    lines = [
        "📊 <b>hipcoach stats</b>",
        # Translators: /stats, for the bot's operator: all users, and how many blocked the bot.
        t._("Users: {users} ({blocked} blocked the bot)", users=maybe(stats.users),
            blocked=maybe(stats.blocked)),
        # Translators: /stats: users seen in the last {n} days.
        t.n_("Active, last {n} day: {active}", "Active, last {n} days: {active}", days,
             active=maybe(stats.active)),
        # Translators: /stats: guided sessions started in the last {n} days, and sets saved.
        t.n_("Sessions, last {n} day: {sessions} · sets: {sets}",
             "Sessions, last {n} days: {sessions} · sets: {sets}", days,
             sessions=maybe(stats.sessions), sets=maybe(stats.sets)),
        # Translators: /stats: active plans of runs, and reminders sent so far.
        t._("Planned runs: {plans} · reminders sent: {reminders}", plans=maybe(stats.plans),
            reminders=maybe(stats.reminders_sent)),
        # Translators: /stats: unexpected errors since the bot last started.
        t._("Errors since start: {errors}", errors=maybe(errors)),
    ]  # fmt: skip
    return View("\n".join(lines))
