"""hipcoach: a Telegram coach that keeps runners' hips strong and mobile."""

import os

# Opt in to PTB's coming timedelta durations (e.g. RetryAfter.retry_after) so the bot does
# not emit a deprecation warning on every 429; our code reads both forms.
os.environ.setdefault("PTB_TIMEDELTA", "true")
