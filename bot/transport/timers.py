"""In-session timers on PTB's JobQueue: one job per chat, named `timer:<chat_id>`.

The job carries the session id and rev it was scheduled for; the session row stays the
source of truth, so a job that outlives its phase simply finds a newer rev and does nothing.
Each chat's armed job is kept in a dict, so arming and cancelling cost one lookup rather
than a scan of every job in the queue (which grows with the number of running sessions).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from telegram.ext import Job, JobQueue

# A countdown is redrawn at a few meaningful marks, not on a steady tick: Telegram counts
# every edit against a chat's ~20 messages a minute, alongside the messages that matter.
# Marks, in content seconds left: halfway through a phase of HALFWAY_FROM seconds or more,
# and LAST_SECONDS before the end of one of LAST_FROM or more; never within MIN_GAP of
# another mark or of the phase's start or end (a 5 s get-ready has none).
HALFWAY_FROM = 20.0
LAST_SECONDS = 5.0
LAST_FROM = 12.0
MIN_GAP = 3.0
# A wake this close to a mark counts as the mark (scheduler jitter), in content seconds.
MARK_SLACK = 0.5

TimerCallback = Callable[[Any], Coroutine[Any, Any, None]]


def timer_name(chat_id: int) -> str:
    return f"timer:{chat_id}"


class Timers:
    """The armed timer of each chat."""

    def __init__(self, job_queue: JobQueue[Any]) -> None:
        self.job_queue = job_queue
        self._armed: dict[int, Job[Any]] = {}

    def __len__(self) -> int:
        return len(self._armed)

    def armed(self, chat_id: int) -> Job[Any] | None:
        return self._armed.get(chat_id)

    def cancel(self, chat_id: int) -> None:
        job = self._armed.pop(chat_id, None)
        if job is not None and not job.removed:
            with contextlib.suppress(JobLookupError):  # it already ran (one-shot jobs vanish)
                job.schedule_removal()

    def arm(
        self, callback: TimerCallback, chat_id: int, delay: float, session_id: int, rev: int
    ) -> None:
        """Replace the chat's timer with one firing in `delay` real seconds."""
        self.cancel(chat_id)
        self._armed[chat_id] = self.job_queue.run_once(
            callback,
            when=max(0.0, delay),
            data=(session_id, rev),
            name=timer_name(chat_id),
            chat_id=chat_id,
            job_kwargs={"misfire_grace_time": None},
        )


def job_target(job: Job[Any]) -> tuple[int, int]:
    """The (session id, rev) a timer job was armed for."""
    data = job.data
    assert isinstance(data, tuple) and len(data) == 2, "set by Timers.arm"
    return int(data[0]), int(data[1])


def countdown_marks(total: float) -> tuple[float, ...]:
    """The content seconds left at which a phase `total` seconds long redraws, latest last."""
    wanted = ([total / 2] if total >= HALFWAY_FROM else []) + (
        [LAST_SECONDS] if total >= LAST_FROM else []
    )
    kept: list[float] = []
    for mark in sorted(wanted, reverse=True):
        clear = total - mark >= MIN_GAP and mark >= MIN_GAP
        if clear and all(abs(k - mark) >= MIN_GAP for k in kept):
            kept.append(mark)
    return tuple(kept)


def next_wake(remaining: float, total: float, scale: float) -> float:
    """Real seconds until the phase's next countdown mark, or until its end. `remaining`
    and `total` are content seconds; `scale` turns them into real ones."""
    for mark in countdown_marks(total):
        # Never right after a redraw (a mark, or a resume with 15.6 s left): it would say
        # the same. Marks themselves are MIN_GAP apart; the slack absorbs scheduler jitter.
        if remaining - mark >= MIN_GAP - MARK_SLACK:
            return (remaining - mark) * scale
    return max(0.0, remaining) * scale
