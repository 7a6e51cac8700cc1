"""The translation catalogs are complete and in step with the code.

- the template (bot/locales/hipcoach.pot) holds exactly the strings the code marks;
- every language's .po holds exactly those, each translated, none fuzzy, every plural form
  there, with the same placeholders and HTML tags as the English;
- every committed .mo says what its .po says (`make catalogs` was run);
- every language the bot speaks has a catalog and a content file, and nothing more.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo

from bot.core.content import content_file
from bot.core.language import LANGUAGES, SOURCE
from bot.views.i18n import LOCALE_DIR, catalog_file
from tests.i18n import msgids, msgstrs, po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = sorted(set(LANGUAGES) - {SOURCE})
# The keywords `make extract` passes to pybabel (checked against the Makefile below).
KEYWORDS = {"_": None, "n_": (1, 2), "p_": ((1, "c"), 2), "N_": None, "NP_": (1, 2)}
MAKEFILE_KEYWORDS = ("-k _ ", "-k n_:1,2", "-k p_:1c,2", "-k N_ ", "-k NP_:1,2")
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
TAG = re.compile(r"</?[a-z]+>")
WORD = re.compile(r"[A-Za-z]{2,}")


def _keys(catalog: Catalog) -> set[tuple[str | None, str]]:
    return {(m.context, msgids(m)[0]) for m in catalog if m.id}


def test_the_makefile_extracts_with_the_keywords_checked_here() -> None:
    recipe = (ROOT / "Makefile").read_text(encoding="utf-8")
    for keyword in MAKEFILE_KEYWORDS:
        assert keyword in recipe, f"Makefile's extract lost {keyword!r}"


def test_the_template_holds_exactly_what_the_code_marks() -> None:
    found: set[tuple[str | None, str]] = set()
    for folder in ("bot", "handlers"):
        for _file, _line, message, _comments, context in extract_from_dir(
            ROOT / folder, keywords=KEYWORDS, comment_tags=("Translators:",)
        ):
            found.add((context, message[0] if isinstance(message, tuple | list) else message))
    template = _keys(po())
    assert found - template == set(), "strings not in the template: run `make update`"
    assert template - found == set(), "template strings no longer in the code: `make update`"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_string_is_translated_in(lang: str) -> None:
    catalog = po(lang)
    assert _keys(catalog) == _keys(po()), "catalog out of step: run `make update`"
    problems = []
    for m in catalog:
        if not m.id:
            continue
        forms = msgstrs(m)
        if m.fuzzy:
            problems.append(f"fuzzy: {m.id!r}")
        if not all(forms):
            problems.append(f"untranslated: {m.id!r}")
        # A msgid copied into its msgstr is untranslated too, unless it holds no words
        # ("{sets} × {reps}", "90/90", "{n} min").
        for form in forms:
            if form in msgids(m) and WORD.search(PLACEHOLDER.sub("", form).replace("min", "")):
                problems.append(f"still English: {m.id!r}")
        if m.pluralizable and len(forms) != catalog.num_plurals:
            problems.append(f"{len(forms)} of {catalog.num_plurals} plural forms: {m.id!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_placeholders_and_tags(lang: str) -> None:
    problems = []
    for m in po(lang):
        if not m.id:
            continue
        want_fields = {p for s in msgids(m) for p in PLACEHOLDER.findall(s)}
        want_tags = Counter(TAG.findall(msgids(m)[0]))
        for form in filter(None, msgstrs(m)):
            fields = set(PLACEHOLDER.findall(form))
            # A singular may drop {n} only if it is the same in every source form (never).
            if fields != want_fields:
                problems.append(f"{m.id!r}: placeholders {sorted(fields)} != {sorted(want_fields)}")
            if Counter(TAG.findall(form)) != want_tags:
                problems.append(f"{m.id!r}: HTML tags differ in {form!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_plural_rules_are_the_languages_own(lang: str) -> None:
    catalog = po(lang)
    assert catalog.num_plurals == Catalog(locale=lang).num_plurals == 3
    assert catalog.plural_expr == Catalog(locale=lang).plural_expr


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_compiled_catalog_says_what_the_po_says(lang: str) -> None:
    with catalog_file(lang).open("rb") as f:
        compiled = read_mo(f)
    # (pybabel compile leaves out untranslated and fuzzy entries; the test above fails on those)
    want = {
        (m.context, msgids(m)[0]): msgstrs(m)
        for m in po(lang)
        if m.id and all(msgstrs(m)) and not m.fuzzy
    }
    have = {(m.context, msgids(m)[0]): msgstrs(m) for m in compiled if m.id}
    assert have == want, f"{catalog_file(lang)} is stale: run `make catalogs`"


def test_every_language_has_its_files_and_no_more() -> None:
    folders = {p.name for p in LOCALE_DIR.iterdir() if p.is_dir()}
    assert folders == set(TRANSLATED)
    for lang in LANGUAGES:
        assert content_file(lang).is_file(), content_file(lang)
    extra = {p.name for p in content_file(SOURCE).parent.glob("exercises.*.toml")}
    assert extra == {f"exercises.{lang}.toml" for lang in TRANSLATED}


def test_a_missing_catalog_stops_the_bot_with_one_line(tmp_path: Path) -> None:
    """A checkout (or install) without a compiled catalog does not start: one line naming the
    file and the fix, exit code 2 (like bad content), no traceback."""
    for part in ("bot", "handlers", "data"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("*.db*"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "bot/locales/es/LC_MESSAGES/hipcoach.mo").unlink()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("HIPCOACH_", "TELEGRAM_"))},
        "TELEGRAM_BOT_TOKEN": "123456:TEST-missing-catalog",
        "HIPCOACH_DB": str(tmp_path / "bot.db"),
        "PYTHONPATH": str(tmp_path),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "es/LC_MESSAGES/hipcoach.mo: compiled catalog missing; run `make catalogs`" in (
        proc.stderr
    )
