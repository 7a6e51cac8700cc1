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

# Telegram counts edits against ~20 messages per minute per chat: one edit per 3 s at most.
MIN_EDIT_INTERVAL = 3.0
# Countdowns move in steps of this many content seconds (30, 25, 20 …).
COUNTDOWN_STEP = 5.0

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


def next_wake(remaining_real: float, step_real: float) -> float:
    """When to wake next: at the end of the phase, or for the next countdown edit."""
    return min(remaining_real, max(MIN_EDIT_INTERVAL, step_real))
