"""In-session timers on PTB's JobQueue: one job per chat, named `timer:<chat_id>`.

The job carries the session id and rev it was scheduled for; the session row stays the
source of truth, so a job that outlives its phase simply finds a newer rev and does nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from telegram.ext import CallbackContext, Job, JobQueue

# Telegram counts edits against ~20 messages per minute per chat: one edit per 3 s at most.
MIN_EDIT_INTERVAL = 3.0
# Countdowns move in steps of this many content seconds (30, 25, 20 …).
COUNTDOWN_STEP = 5.0

TIMERS_KEY = "hipcoach.timers"

TimerCallback = Callable[[CallbackContext[Any, Any, Any, Any]], Awaitable[None]]


def timer_name(chat_id: int) -> str:
    return f"timer:{chat_id}"


def _armed(job_queue: JobQueue[Any]) -> dict[int, Job[Any]]:
    """The armed timer of each chat. Looking jobs up by name scans every job in the
    queue, which grows with the number of running sessions; this is one dict lookup."""
    return job_queue.application.bot_data.setdefault(TIMERS_KEY, {})


def cancel_timer(job_queue: JobQueue[Any], chat_id: int) -> None:
    job = _armed(job_queue).pop(chat_id, None)
    if job is not None and not job.removed:
        with contextlib.suppress(JobLookupError):  # it already ran (one-shot jobs vanish)
            job.schedule_removal()


def schedule_timer(
    job_queue: JobQueue[Any],
    callback: TimerCallback,
    chat_id: int,
    delay: float,
    session_id: int,
    rev: int,
) -> None:
    """Replace the chat's timer with one firing in `delay` real seconds."""
    cancel_timer(job_queue, chat_id)
    _armed(job_queue)[chat_id] = job_queue.run_once(
        callback,
        when=max(0.0, delay),
        data=(session_id, rev),
        name=timer_name(chat_id),
        chat_id=chat_id,
        job_kwargs={"misfire_grace_time": None},
    )


def next_wake(remaining_real: float, step_real: float) -> float:
    """When to wake next: at the end of the phase, or for the next countdown edit."""
    return min(remaining_real, max(MIN_EDIT_INTERVAL, step_real))
