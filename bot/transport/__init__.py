"""Transport: how messages reach Telegram (sending, pacing, update processing) and the
in-session timers. It knows views and the one storage call a blocked chat needs."""
