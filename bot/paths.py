"""Where hipcoach finds its content and keeps its files, from a checkout or a wheel.

- **Content** (`exercises.toml`) is edited in the repository's top-level `data/`. A wheel
  carries a copy inside the package (`bot/_content/`, see pyproject.toml); a checkout reads
  `data/` itself, so an edit shows on the next start.
- **Files the bot writes** (the default database, the playground's) stay in `data/` in a
  checkout, and go to the user's data directory (platformdirs) when installed.
  `HIPCOACH_DB` always wins for the database.
"""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_path

PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT_DIR = PACKAGE_DIR.parent
BUNDLED_CONTENT = PACKAGE_DIR / "_content"


def in_checkout() -> bool:
    """True when the code runs from the repository (editable install or `python -m bot`)."""
    return (CHECKOUT_DIR / "pyproject.toml").is_file() and (CHECKOUT_DIR / "data").is_dir()


def content_dir() -> Path:
    """The folder holding exercises.toml."""
    return CHECKOUT_DIR / "data" if in_checkout() else BUNDLED_CONTENT


def data_dir() -> Path:
    """The folder for files the bot writes by default (created when first written)."""
    return CHECKOUT_DIR / "data" if in_checkout() else user_data_path("hipcoach", appauthor=False)


def default_db() -> Path:
    return data_dir() / "hipcoach.db"


def playground_db() -> Path:
    return data_dir() / "playground.db"
