"""Every file the bot keeps is its user's only (0600, folders it creates 0700), even with a
umask of 022 and outside systemd (whose unit sets UMask=0077): the database and its -wal and
-shm, backups, and the playground's database, log and saved files."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Config
from bot.ops.backup import backup
from bot.playground import Playground
from bot.storage.db import open_db


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The usual login umask: new files 0644, new folders 0755, unless created otherwise."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


async def test_the_database_and_its_backup_are_private(harness, tmp_path, umask_022):
    """The bot used as a library (no main(), so no umask of its own)."""
    db = tmp_path / "state" / "nested" / "hipcoach.db"
    harness.reconfigure(db_path=db)
    await harness.start()
    user = harness.user()
    user.send("/log rotations 2x10")
    await user.expect("Logged")
    assert harness.rows("SELECT count(*) AS n FROM log_entries") == [{"n": 1}]
    side = [db.with_name(db.name + suffix) for suffix in ("-wal", "-shm")]
    assert all(f.exists() for f in side)  # in WAL mode while the bot runs
    assert {f.name: mode(f) for f in [db, *side]} == {f.name: 0o600 for f in [db, *side]}
    assert mode(tmp_path / "state") == mode(db.parent) == 0o700

    result = backup(db, tmp_path / "backups" / "daily" / "copy.db")
    assert result.path == tmp_path / "backups" / "daily" / "copy.db"
    assert mode(result.path) == 0o600
    assert mode(tmp_path / "backups") == mode(result.path.parent) == 0o700
    copy = sqlite3.connect(result.path)
    try:
        assert copy.execute("SELECT count(*) FROM log_entries").fetchone() == (1,)
    finally:
        copy.close()


def test_an_old_world_readable_database_is_tightened(tmp_path, umask_022):
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)  # as an older hipcoach (or sqlite3 in a shell) left it
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    wal = db.with_name("old.db-wal")
    assert mode(db) == mode(wal) == 0o644
    opened = open_db(db)
    try:
        # World access goes; the owner's and group's stay (an operator's backup group).
        assert mode(db) == mode(wal) == 0o640
        assert mode(db.with_name("old.db-shm")) == 0o640
    finally:
        opened.close()
        conn.close()


async def test_playground_files_are_private(tmp_path, monkeypatch, umask_022):
    monkeypatch.chdir(tmp_path)
    config = Config(db_path=tmp_path / "play" / "play.db", time_scale=0.0)
    async with Playground(config, "ada", scripted=True) as pg:
        await pg.settle()
        bot = pg.app.bot
        await bot.send_document(pg.chat_id, b"day,sets\n1,2\n", filename="sets.csv")
        (document,) = pg.changes()
        saved = tmp_path / "play" / "playground-files" / "ada-1-sets.csv"
        assert document.saved_to is not None and saved.read_bytes() == b"day,sets\n1,2\n"
        assert mode(saved) == 0o600 and mode(saved.parent) == 0o700
        db = tmp_path / "play" / "play.db"
        assert mode(db) == mode(db.with_name("play.db-wal")) == 0o600
    assert mode(tmp_path / "play") == 0o700


def test_the_cli_keeps_what_it_writes_private(tmp_path):
    """`hipcoach play` started from a umask 022 shell: its database, log and the files it
    saves (an /export) are the user's only."""
    script = tmp_path / "demo.txt"
    script.write_text("/log rotations 2x10\n/export\n", encoding="utf-8")
    folder = tmp_path / "out"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "play",
            "--script",
            str(script),
            "--db",
            str(folder / "p.db"),
        ],
        cwd=tmp_path,
        env={**os.environ, "HIPCOACH_TIME_SCALE": "0", "NO_COLOR": ""},
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=lambda: os.umask(0o022),
    )
    assert (done.returncode, done.stderr) == (0, ""), done.stdout
    written = {p.relative_to(folder).as_posix(): mode(p) for p in folder.rglob("*")}
    assert any(name.startswith("playground-files/") for name in written), done.stdout
    expected = {name: 0o700 if (folder / name).is_dir() else 0o600 for name in written}
    assert written == expected
    assert {"p.db", "p.log", "playground-files"} <= set(written)
