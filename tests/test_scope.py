"""Two bot processes on one database, each serving its own runner (the playground's setup):
one never sends the other's reminders or offers back the other's sessions."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.clock import OffsetClock
from bot.services.reminders import JOB_NAME, run_dispatch_pass

from .conftest import Harness

MON_0600 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


async def process_for(tmp_path, user_id: int) -> Harness:
    h = Harness(tmp_path)
    h.only_users = frozenset({user_id})
    h.clock = OffsetClock()
    h.clock.set(MON_0600)
    await h.start()
    for job in h.app.job_queue.get_jobs_by_name(JOB_NAME):
        job.schedule_removal()  # the test runs dispatcher passes itself
    return h


async def test_each_process_sends_only_its_own_runners_reminders(tmp_path):
    a, b = await process_for(tmp_path, 1), await process_for(tmp_path, 2)
    try:
        ann, bob = a.user(1, "Ann"), b.user(2, "Bob")
        ann.send("/plan today 07:00")
        await ann.expect("planned")
        bob.send("/plan today 07:00")
        await bob.expect("planned")
        jump = datetime(2026, 3, 2, 6, 31, tzinfo=UTC)
        a.clock.set(jump)
        assert await run_dispatch_pass(a.app) == 1  # Ann's only, Bob's stays pending
        rows = a.rows("SELECT user_id, status FROM reminders WHERE kind='pre_run' ORDER BY 1")
        assert rows == [{"user_id": 1, "status": "sent"}, {"user_id": 2, "status": "pending"}]
        b.clock.set(jump)
        assert await run_dispatch_pass(b.app) == 1
        await bob.expect("Run at 07:00")
        assert [m for m in ann.messages if "Run at" in m.plain]
        assert a.rows("SELECT COUNT(*) n FROM reminders WHERE status='sent'") == [{"n": 2}]
    finally:
        await a.stop()
        await b.stop()
