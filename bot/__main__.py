"""`python -m bot`: the same entry point as the `hipcoach` command."""

import sys

from bot.cli import main

sys.exit(main())
