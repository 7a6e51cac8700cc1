"""Named schema migrations, applied in order at start-up (sqlite-utils `Migrations`).

Never edit a migration that has shipped: add a new one.
"""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRATIONS = Migrations("hipcoach")


def _run(db: Database, script: str) -> None:
    """Run statements one by one: `executescript` would commit the migration's transaction."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in migration: {statement!r}")


@MIGRATIONS(name="0001_initial")
def initial(db: Database) -> None:
    _run(
        db,
        """
        CREATE TABLE users (
            id              INTEGER PRIMARY KEY,      -- Telegram user id
            chat_id         INTEGER NOT NULL,
            first_name      TEXT NOT NULL DEFAULT '',
            language_code   TEXT,
            tz              TEXT NOT NULL DEFAULT 'UTC',
            active          INTEGER NOT NULL DEFAULT 1,
            created_at      TEXT NOT NULL,
            last_seen_at    TEXT NOT NULL
        );

        CREATE TABLE sessions (
            id               INTEGER PRIMARY KEY,
            user_id          INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            chat_id          INTEGER NOT NULL,
            routine          TEXT NOT NULL,
            status           TEXT NOT NULL
                             CHECK (status IN ('active', 'completed', 'partial', 'abandoned')),
            started_at       TEXT NOT NULL,
            ended_at         TEXT,
            updated_at       TEXT NOT NULL,
            -- the cursor: where the runner is, so a restart can pick up from there
            step             INTEGER NOT NULL DEFAULT 0,
            phase            TEXT NOT NULL,
            ends_at          TEXT,
            paused_phase     TEXT,
            remaining        REAL,
            rev              INTEGER NOT NULL DEFAULT 0,
            live_message_id  INTEGER
        );
        CREATE UNIQUE INDEX sessions_one_active ON sessions(user_id) WHERE status = 'active';
        CREATE INDEX sessions_user_started ON sessions(user_id, started_at);

        CREATE TABLE sets (
            id              INTEGER PRIMARY KEY,
            user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            session_id      INTEGER REFERENCES sessions(id) ON DELETE CASCADE,
            exercise        TEXT NOT NULL,
            side            TEXT NOT NULL DEFAULT 'both',
            set_no          INTEGER NOT NULL,
            target_reps     INTEGER,
            actual_reps     INTEGER,
            target_seconds  INTEGER,
            actual_seconds  INTEGER,
            source          TEXT NOT NULL DEFAULT 'guided',
            performed_at    TEXT NOT NULL,
            created_at      TEXT NOT NULL,
            UNIQUE (session_id, exercise, side, set_no)
        );
        CREATE INDEX sets_user_performed ON sets(user_id, performed_at);

        CREATE TABLE feedback (
            id          INTEGER PRIMARY KEY,
            user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            exercise    TEXT NOT NULL,
            rating      TEXT NOT NULL CHECK (rating IN ('easy', 'right', 'hard', 'pain')),
            created_at  TEXT NOT NULL,
            UNIQUE (session_id, exercise)
        );

        CREATE TABLE skips (
            id          INTEGER PRIMARY KEY,
            user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            exercise    TEXT NOT NULL,
            side        TEXT,
            set_no      INTEGER,
            reason      TEXT NOT NULL CHECK (reason IN ('skipped', 'pain')),
            created_at  TEXT NOT NULL
        );

        CREATE TABLE group_notices (
            chat_id     INTEGER PRIMARY KEY,
            created_at  TEXT NOT NULL
        );
        """,
    )


# (0002: planned runs and reminders go here)

# (0003: reporting and progress go here)
