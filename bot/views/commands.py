"""The command menu Telegram shows, and /help lists: (command, description).

Commands are the same in every language; their descriptions are translated
(`command_menu`) and published per language at start-up (bot.app), and per chat when a
runner picks a language with /language.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.text import N_, Msg
from bot.views.i18n import Translator

COMMANDS: list[tuple[str, Msg]] = [
    ("routine", N_("Start or continue a hip routine")),
    ("plan", N_("Plan your runs")),
    ("runs", N_("Upcoming runs: skip one or delete a plan")),
    ("calendar", N_("Your runs and warm-ups in your calendar app")),
    ("settings", N_("All your settings, with buttons")),
    ("timezone", N_("Set your time zone")),
    ("remind", N_("Minutes of notice before a run")),
    ("afterrun", N_("Stretch prompt after a run")),
    # Translators: keep the example command as it is; only the exercise name may change.
    ("log", N_("Log sets you did: /log rotations 2x10")),
    ("progress", N_("Your week, streak and chart")),
    ("history", N_("Your last sessions and logs")),
    ("undo", N_("Remove the last thing you logged")),
    ("export", N_("Download all your data")),
    ("deleteme", N_("Delete all your data")),
    ("language", N_("Change the language")),
    # Translators: /help's description in the menu, and the heading of /help's answer.
    ("help", N_("What I can do")),
    ("cancel", N_("Leave what you're doing")),
]
# Shown only in the menus of the chats of HIPCOACH_ADMIN_IDS.
ADMIN_COMMANDS: list[tuple[str, Msg]] = [("stats", N_("Users, sessions, reminders and errors"))]


def command_menu(t: Translator, commands: Sequence[tuple[str, Msg]]) -> list[tuple[str, str]]:
    """(command, description in the runner's language): Telegram's menu and /help."""
    return [(name, t.msg(text)) for name, text in commands]
