"""/stats for the operators listed in HIPCOACH_ADMIN_IDS."""

from __future__ import annotations

from datetime import timedelta

from bot import storage, views
from bot.services.state import Services

WINDOW_DAYS = 7


def is_admin(svc: Services, user_id: int) -> bool:
    return user_id in svc.config.admin_ids


def stats_view(svc: Services, user_id: int) -> views.base.View:
    """The counts, worded in the operator's own language."""
    since = svc.clock.now() - timedelta(days=WINDOW_DAYS)
    stats = storage.stats.collect_stats(svc.db, since)
    return views.admin.stats_view(svc.t(user_id), stats, svc.errors, WINDOW_DAYS)
