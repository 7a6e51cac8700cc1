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


@MIGRATIONS(name="0002_plans_and_reminders")
def plans_and_reminders(db: Database) -> None:
    _run(
        db,
        """
        -- Reminder settings; NULL turns that reminder off.
        ALTER TABLE users ADD COLUMN remind_minutes INTEGER DEFAULT 30;
        ALTER TABLE users ADD COLUMN afterrun_minutes INTEGER DEFAULT 15;
        -- When the runner chose a zone (NULL: still on the UTC default).
        ALTER TABLE users ADD COLUMN tz_set_at TEXT;

        CREATE TABLE plans (
            id                  INTEGER PRIMARY KEY,
            user_id             INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            weekdays            TEXT,             -- '0,2,4' (Mon=0) for a weekly plan
            run_date            TEXT,             -- 'YYYY-MM-DD' for a one-off plan
            local_time          TEXT NOT NULL,    -- 'HH:MM' wall time in tz
            tz                  TEXT NOT NULL,    -- IANA zone of the wall time
            duration_minutes    INTEGER NOT NULL DEFAULT 45,
            active              INTEGER NOT NULL DEFAULT 1,
            -- reminder rows exist for every occurrence starting before this UTC instant
            materialised_until  TEXT NOT NULL,
            created_at          TEXT NOT NULL,
            updated_at          TEXT NOT NULL,
            deleted_at          TEXT,
            CHECK ((weekdays IS NULL) <> (run_date IS NULL))
        );
        CREATE INDEX plans_user ON plans(user_id, active);
        -- The dispatcher's top-up reads only plans whose horizon runs short.
        CREATE INDEX plans_topup ON plans(materialised_until) WHERE active = 1;

        CREATE TABLE plan_skips (
            plan_id     INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
            occurrence  TEXT NOT NULL,            -- UTC start of the skipped run
            created_at  TEXT NOT NULL,
            PRIMARY KEY (plan_id, occurrence)
        );

        CREATE TABLE reminders (
            id          INTEGER PRIMARY KEY,
            user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            plan_id     INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
            occurrence  TEXT NOT NULL,            -- UTC start of the planned run
            kind        TEXT NOT NULL CHECK (kind IN ('pre_run', 'post_run')),
            due_at      TEXT NOT NULL,
            status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN
                        ('pending', 'claimed', 'sent', 'failed', 'skipped', 'dropped')),
            reason      TEXT,
            late        INTEGER NOT NULL DEFAULT 0,
            snoozes     INTEGER NOT NULL DEFAULT 0,
            response    TEXT,
            message_id  INTEGER,
            claimed_at  TEXT,
            sent_at     TEXT,
            created_at  TEXT NOT NULL,
            updated_at  TEXT NOT NULL,
            UNIQUE (user_id, plan_id, occurrence, kind)
        );
        -- A dispatcher pass reads only due pending rows.
        CREATE INDEX reminders_due ON reminders(due_at) WHERE status = 'pending';
        CREATE INDEX reminders_plan ON reminders(plan_id, occurrence);
        """,
    )


@MIGRATIONS(name="0003_logs")
def logs(db: Database) -> None:
    """Sets reported with /log: one `log_entries` row per report, its sets point back at it, so
    /undo removes exactly the last thing logged."""
    _run(
        db,
        """
        CREATE TABLE log_entries (
            id            INTEGER PRIMARY KEY,
            user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            exercise      TEXT NOT NULL,
            side          TEXT NOT NULL CHECK (side IN ('right', 'left', 'both')),
            sets          INTEGER NOT NULL,
            reps          INTEGER,
            seconds       INTEGER,
            day           TEXT NOT NULL,      -- the runner's local calendar day, YYYY-MM-DD
            performed_at  TEXT NOT NULL,      -- UTC instant inside that day
            created_at    TEXT NOT NULL
        );
        CREATE INDEX log_entries_user ON log_entries(user_id, id);

        ALTER TABLE sets ADD COLUMN log_id INTEGER REFERENCES log_entries(id) ON DELETE CASCADE;
        CREATE INDEX sets_log ON sets(log_id);
        """,
    )


@MIGRATIONS(name="0004_user_language")
def user_language(db: Database) -> None:
    """The language a runner chose with /language; NULL follows their Telegram app's
    `language_code`, which `users` already keeps."""
    _run(db, "ALTER TABLE users ADD COLUMN language TEXT;")


@MIGRATIONS(name="0005_coach")
def coach(db: Database) -> None:
    """The adaptive coach (issue 13): each session's own plan and tightness check-ins, the
    runner's ladder changes and watch-point answers, their coaching preferences, and weekly
    notes as reminder rows without a plan (the reminders table is rebuilt for that: SQLite
    cannot change a CHECK constraint in place)."""
    _run(
        db,
        """
        -- The session's own plan (bot.core.coach.SessionPlan as JSON): doses, offers,
        -- questions. NULL for sessions started before 0005: the routine's default.
        ALTER TABLE sessions ADD COLUMN plan TEXT;
        -- Hip tightness, 0 (loose) to 10 (very tight), before and after the routine.
        ALTER TABLE sessions ADD COLUMN tight_before INTEGER
            CHECK (tight_before BETWEEN 0 AND 10);
        ALTER TABLE sessions ADD COLUMN tight_after INTEGER
            CHECK (tight_after BETWEEN 0 AND 10);

        -- Coaching preferences (all on by default; /settings turns them off).
        ALTER TABLE users ADD COLUMN checkins INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE users ADD COLUMN questions INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE users ADD COLUMN weekly_note INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE users ADD COLUMN weekly_day INTEGER NOT NULL DEFAULT 6     -- Mon=0
            CHECK (weekly_day BETWEEN 0 AND 6);
        ALTER TABLE users ADD COLUMN weekly_time TEXT NOT NULL DEFAULT '18:00';  -- local
        -- The UTC instant of the runner's next weekly note row ('' : none made yet); the
        -- dispatcher's top-up reads only the runners whose mark has passed.
        ALTER TABLE users ADD COLUMN weekly_until TEXT NOT NULL DEFAULT '';
        CREATE INDEX users_weekly ON users(weekly_until) WHERE weekly_note = 1;

        -- Every move on an exercise's ladder, with its reason; decisions that keep the step
        -- ('kept', 'pain_skip') are rows too, so the rules count sessions since the last one.
        CREATE TABLE ladder_changes (
            id          INTEGER PRIMARY KEY,
            user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            session_id  INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
            exercise    TEXT NOT NULL,
            step_from   INTEGER NOT NULL,
            step_to     INTEGER NOT NULL,
            paused      INTEGER NOT NULL DEFAULT 0,
            reason      TEXT NOT NULL,
            created_at  TEXT NOT NULL
        );
        CREATE INDEX ladder_changes_user ON ladder_changes(user_id, exercise, id);

        -- Answers to an exercise's watch-point question ("Were your circles slow?").
        CREATE TABLE watch_answers (
            id          INTEGER PRIMARY KEY,
            user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            exercise    TEXT NOT NULL,
            point       INTEGER NOT NULL,
            answer      TEXT NOT NULL CHECK (answer IN ('yes', 'not_quite')),
            created_at  TEXT NOT NULL,
            UNIQUE (session_id, exercise)
        );
        CREATE INDEX watch_answers_user ON watch_answers(user_id, exercise, id);

        -- Reminders again, now also 'weekly' notes, which belong to no plan.
        CREATE TABLE reminders_new (
            id          INTEGER PRIMARY KEY,
            user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            plan_id     INTEGER REFERENCES plans(id) ON DELETE CASCADE,
            occurrence  TEXT NOT NULL,  -- UTC start of the planned run; a note's due time
            kind        TEXT NOT NULL CHECK (kind IN ('pre_run', 'post_run', 'weekly')),
            due_at      TEXT NOT NULL,
            status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN
                        ('pending', 'claimed', 'sent', 'failed', 'skipped', 'dropped')),
            reason      TEXT,
            late        INTEGER NOT NULL DEFAULT 0,
            snoozes     INTEGER NOT NULL DEFAULT 0,
            response    TEXT,
            message_id  INTEGER,
            claimed_at  TEXT,
            sent_at     TEXT,
            created_at  TEXT NOT NULL,
            updated_at  TEXT NOT NULL,
            CHECK ((kind = 'weekly') = (plan_id IS NULL)),
            UNIQUE (user_id, plan_id, occurrence, kind)
        );
        INSERT INTO reminders_new SELECT * FROM reminders;
        DROP TABLE reminders;
        ALTER TABLE reminders_new RENAME TO reminders;
        CREATE INDEX reminders_due ON reminders(due_at) WHERE status = 'pending';
        CREATE INDEX reminders_plan ON reminders(plan_id, occurrence);
        -- A plan_id of NULL escapes the UNIQUE above: one note per runner and instant.
        CREATE UNIQUE INDEX reminders_weekly ON reminders(user_id, occurrence)
            WHERE kind = 'weekly';
        """,
    )


@MIGRATIONS(name="0006_coach_indexes")
def coach_indexes(db: Database) -> None:
    """The coach reads a runner's ratings of one exercise at every routine start, and each
    summary its session's skips: without these, both scanned the whole table."""
    _run(
        db,
        """
        CREATE INDEX feedback_user ON feedback(user_id, exercise, created_at);
        CREATE INDEX skips_session ON skips(session_id, exercise);
        """,
    )


@MIGRATIONS(name="0007_calendar")
def calendar(db: Database) -> None:
    """Runs imported from a calendar file, pending imports, and live calendar links."""
    _run(
        db,
        """
        -- A plan imported from an .ics file: which event and occurrence it is (so importing
        -- again updates it instead of adding it twice) and the event's title.
        ALTER TABLE plans ADD COLUMN source TEXT;      -- NULL: made with /plan; 'ics'
        ALTER TABLE plans ADD COLUMN source_uid TEXT;  -- the event's UID
        ALTER TABLE plans ADD COLUMN source_key TEXT;  -- its occurrence: RECURRENCE-ID/start
        ALTER TABLE plans ADD COLUMN title TEXT;       -- the event's SUMMARY, shortened
        CREATE UNIQUE INDEX plans_source ON plans(user_id, source_uid, source_key)
            WHERE active = 1 AND source_uid IS NOT NULL;

        -- A calendar file read but not yet added: what was found, until Add, Cancel or the
        -- next file. Kept in SQLite so a restart between the two taps loses nothing.
        CREATE TABLE calendar_imports (
            id          INTEGER PRIMARY KEY,
            user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            found       TEXT NOT NULL,   -- JSON list of occurrences (bot.core.ics_import)
            scope       TEXT NOT NULL DEFAULT 'runs' CHECK (scope IN ('runs', 'all')),
            dropped     TEXT NOT NULL DEFAULT '[]',  -- JSON list of groups left out (Choose)
            status      TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'added', 'cancelled')),
            created_at  TEXT NOT NULL,
            updated_at  TEXT NOT NULL
        );
        CREATE INDEX calendar_imports_user ON calendar_imports(user_id, status);

        -- A live calendar link: the URL's token is derived from `nonce` and the server's
        -- secret (never stored); `token_hash` finds the runner from a request.
        CREATE TABLE calendar_feeds (
            user_id     INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            nonce       TEXT NOT NULL,
            token_hash  TEXT NOT NULL UNIQUE,
            created_at  TEXT NOT NULL
        );
        """,
    )


@MIGRATIONS(name="0008_calendar_sources")
def calendar_sources(db: Database) -> None:
    """Which calendar an imported run came from, and what a pending import's file says about
    itself, so importing that calendar again removes runs whose events were deleted from it."""
    _run(
        db,
        """
        ALTER TABLE plans ADD COLUMN source_calendar TEXT;  -- bot.core.ics_import.Read.calendar
        -- Every event UID in the file (cancelled ones and those outside the window too).
        ALTER TABLE calendar_imports ADD COLUMN uids TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE calendar_imports ADD COLUMN source_calendar TEXT;
        ALTER TABLE calendar_imports ADD COLUMN zone TEXT;  -- the calendar's own zone
        """,
    )


@MIGRATIONS(name="0009_session_trail")
def session_trail(db: Database) -> None:
    """The messages the current exercise has left in the chat, so they can be deleted in one
    call when it ends (and after a restart)."""
    _run(
        db,
        """
        ALTER TABLE sessions ADD COLUMN trail TEXT NOT NULL DEFAULT '[]';  -- JSON message ids
        """,
    )
