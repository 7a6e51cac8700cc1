"""Transport: how messages reach Telegram (sending, pacing, update processing), the
in-session timers, and webhook mode's web server (the webhook and the calendar feeds). It
knows views and the one storage call a blocked chat needs."""
