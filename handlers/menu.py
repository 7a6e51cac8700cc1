"""The command menu Telegram shows, and /help lists: (command, description)."""

from __future__ import annotations

COMMANDS = [
    ("routine", "Start or continue a hip routine"),
    ("plan", "Plan your runs"),
    ("runs", "Upcoming runs: skip one or delete a plan"),
    ("timezone", "Set your time zone"),
    ("remind", "Minutes of notice before a run"),
    ("afterrun", "Stretch prompt after a run"),
    ("log", "Log sets you did: /log rotations 2x10"),
    ("progress", "Your week, streak and chart"),
    ("history", "Your last sessions and logs"),
    ("undo", "Remove the last thing you logged"),
    ("export", "Download all your data"),
    ("deleteme", "Delete all your data"),
    ("help", "What I can do"),
    ("cancel", "Leave what you're doing"),
]
# Shown only in the menus of the chats of HIPCOACH_ADMIN_IDS.
ADMIN_COMMANDS = [("stats", "Users, sessions, reminders and errors")]
