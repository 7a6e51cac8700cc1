"""The package works from a real wheel: built, installed non-editable into a fresh venv, and
run from an unrelated directory, with its content read from the wheel and its files written
to the user's data directory (bot/paths.py), never to a checkout."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.i18n import t

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120  # seconds, for every subprocess

DEMO = """\
# a scripted chat: hello, the routine menu, then button 4 (Quick round)
/start
/routine
4
"""


def _run(cmd: list[str | Path], **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in cmd], capture_output=True, text=True, timeout=TIMEOUT, **kwargs
    )


def _show(proc: subprocess.CompletedProcess[str]) -> str:
    return (
        f"\n$ {' '.join(proc.args)}\nexit code {proc.returncode}\n"
        f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
    )


def _ok(proc: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert proc.returncode == 0, _show(proc)
    return proc


def _clean_env(home: Path, xdg_data: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "TELEGRAM_BOT_TOKEN"}
        and not k.startswith(("HIPCOACH_", "TELEGRAM_"))
    }
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(xdg_data),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        PYTHONNOUSERSITE="1",
    )
    return env


@pytest.mark.e2e
def test_wheel_installs_and_runs_outside_the_checkout(tmp_path: Path) -> None:
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]

    # 1. Build the wheel (hatchling from the dev venv, offline) and look inside.
    dist = tmp_path / "dist"
    _ok(_run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", dist, ROOT]))
    wheels = sorted(dist.glob("hipcoach-*.whl"))
    assert len(wheels) == 1, f"expected one hipcoach wheel in {dist}: {list(dist.iterdir())}"
    wheel = wheels[0]
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    # Every language's content file and compiled catalog travels with the code.
    content = [f"bot/_content/{p.name}" for p in sorted((ROOT / "data").glob("exercises*.toml"))]
    catalogs = [
        str(p.relative_to(ROOT)) for p in sorted((ROOT / "bot/locales").glob("*/LC_MESSAGES/*.mo"))
    ]
    assert len(content) == len(catalogs) + 1 >= 3, (content, catalogs)
    for needed in (*content, *catalogs, "bot/app.py", "handlers/__init__.py"):
        assert needed in names, f"{needed} missing from {wheel.name}: {sorted(names)}"
    stray = sorted(n for n in names if n.startswith(("tests/", "bench/")))
    assert not stray, f"{wheel.name} carries files it should not: {stray}"

    # 2. A fresh venv without pip; the wheel installed non-editable with the dev venv's pip.
    venv = tmp_path / "venv"
    _ok(_run([sys.executable, "-m", "venv", "--without-pip", venv]))
    venv_python = venv / "bin" / "python"
    _ok(_run([*pip, "--python", venv_python, "install", "--no-deps", "--no-index", wheel]))
    # Only now lend it the dev venv's dependencies (so pip above saw an empty environment).
    # A .pth line is not scanned for further .pth files, so the editable install's
    # `_editable_impl_hipcoach.pth` (pointing at the checkout) stays inactive.
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    venv_site = Path(_ok(_run([venv_python, "-c", purelib])).stdout.strip())
    assert venv_site.resolve().is_relative_to(venv.resolve()), venv_site
    dev_site = sysconfig.get_paths()["purelib"]
    (venv_site / "_hipcoach_test_dev_deps.pth").write_text(dev_site + "\n", encoding="utf-8")

    # 3. Run it from an empty, unrelated directory with a clean environment.
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    home, xdg_data = tmp_path / "home", tmp_path / "xdg-data"
    home.mkdir()
    env = _clean_env(home, xdg_data)

    where = _ok(
        _run(
            [
                venv_python,
                "-c",
                "import bot, handlers; from bot import paths; "
                "print(bot.__file__); print(handlers.__file__); "
                "print(paths.in_checkout()); print(paths.content_dir())",
            ],
            cwd=cwd,
            env=env,
        )
    )
    lines = where.stdout.splitlines()
    assert len(lines) == 4, _show(where)
    bot_file, handlers_file, in_checkout, content = lines
    installed = venv_site.resolve()
    for found in (bot_file, handlers_file, content):
        resolved = Path(found).resolve()
        assert resolved.is_relative_to(installed), f"{found}: not the wheel's" + _show(where)
        assert not resolved.is_relative_to(ROOT), f"{found}: from the checkout" + _show(where)
    assert in_checkout == "False", _show(where)

    (cwd / "demo.txt").write_text(DEMO, encoding="utf-8")
    hipcoach = venv / "bin" / "hipcoach"  # the console script the wheel installed
    play = _ok(_run([hipcoach, "play", "--fast", "--script", "demo.txt"], cwd=cwd, env=env))
    for text in ("> /routine", "Pick a routine", "Quick round", "> 4", "Hip rotations"):
        assert text in play.stdout, f"{text!r} not in the transcript" + _show(play)

    # ... in every language: a Spanish app gets Spanish, content included.
    script = ["--script", "demo.txt"]
    spanish = _ok(
        _run(
            [hipcoach, "play", "--fast", "--lang", "es", "--db", tmp_path / "es.db", *script],
            cwd=cwd,
            env=env,
        )
    )
    es = t("es")
    for text in (es._("<b>Pick a routine</b>")[3:-4], es.content.routine("quick").name):
        assert text in spanish.stdout, f"{text!r} not in the transcript" + _show(spanish)

    # 4. Without --db the playground writes to the user data directory, not to ./data.
    db = xdg_data / "hipcoach" / "playground.db"
    assert db.is_file(), f"{db} was not created" + _show(play)
    assert not (cwd / "data").exists(), f"{cwd / 'data'} was created" + _show(play)
    assert sorted(p.name for p in cwd.iterdir()) == ["demo.txt"], _show(play)
    # ... and what the runner did is in it: the Quick round the script started.
    conn = sqlite3.connect(db)
    try:
        users = conn.execute("SELECT COUNT(*) FROM users").fetchone()[0]
        sessions = conn.execute("SELECT routine, status FROM sessions").fetchall()
    finally:
        conn.close()
    assert users == 1 and sessions == [("quick", "active")], (users, sessions)
