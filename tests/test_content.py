"""The catalogue loads in every language, carries the article's numbers in each, and rejects
malformed files clearly."""

import json
import re
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.core.content import (
    CatalogueError,
    Exercise,
    content_file,
    load_catalogue,
    load_catalogues,
)
from bot.core.language import LANGUAGES, SOURCE
from bot.core.reports import exercise_phrases

SOURCE_FILE = content_file(SOURCE)


def test_catalogue_has_the_articles_doses():
    c = load_catalogue()
    rot, flex, ninety = (c.exercise(i) for i in ("rotations", "flexion", "ninety_ninety"))
    assert (rot.category, rot.dose.kind, rot.dose.sets, rot.dose.reps) == (
        "mobility",
        "reps",
        2,
        10,
    )
    assert (flex.category, flex.dose.sets, flex.dose.reps, flex.dose.hold_seconds) == (
        "strength",
        2,
        15,
        3,
    )
    assert (ninety.category, ninety.dose.sets, ninety.dose.hold_seconds) == ("flexibility", 2, 30)
    for ex in (rot, flex, ninety):
        assert ex.muscles and ex.why and ex.technique and ex.watch
        assert ex.dose.sides == ("right", "left")
    assert "Women's Running" in c.credit


def test_routines_and_estimates():
    c = load_catalogue()
    assert set(c.routines) == {"full", "pre_run", "post_run", "quick"}
    assert c.routine("pre_run").exercises == ("rotations", "flexion")
    assert c.routine("post_run").exercises == ("ninety_ninety",)
    assert c.routine("quick").sets == 1
    # Estimates follow the doses: the full routine is the longest, quick shorter than full.
    full, quick, post = (c.routine_seconds(r) for r in ("full", "quick", "post_run"))
    assert full > quick > post > 0
    # 90/90: 2 sets x 2 sides x (5 s ready + 30 s hold) + 15 s rest + 20 s reading.
    assert post == 2 * 2 * 35 + 15 + 20


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_field_names_file_entry_and_field(tmp_path):
    original = SOURCE_FILE.read_text(encoding="utf-8")
    broken = original.replace('kind = "hold"', 'kind = "hover"')
    with pytest.raises(CatalogueError) as err:
        load_catalogue(write(tmp_path, broken))
    message = str(err.value)
    assert "bad.toml" in message
    assert "exercises.ninety_ninety.dose.kind" in message


def test_missing_required_field_and_unknown_exercise(tmp_path):
    original = SOURCE_FILE.read_text(encoding="utf-8")
    broken = original.replace('exercises = ["ninety_ninety"]', 'exercises = ["pigeon"]')
    with pytest.raises(CatalogueError, match="unknown exercise 'pigeon'"):
        load_catalogue(write(tmp_path, broken))
    broken = original.replace("reps = 15\n", "")
    with pytest.raises(CatalogueError, match=r"exercises\.flexion\.dose.*needs 'reps'"):
        load_catalogue(write(tmp_path, broken))


def test_invalid_toml_and_missing_file(tmp_path):
    with pytest.raises(CatalogueError, match="not valid TOML"):
        load_catalogue(write(tmp_path, "[exercises\n"))
    with pytest.raises(CatalogueError, match="file not found"):
        load_catalogue(tmp_path / "nope.toml")


# --- translations (data/exercises.<lang>.toml) ---------------------------------------------

# Text that reads the same in every language: the stretch's name and how runners type it.
SAME_EVERYWHERE = {"90/90"}
# Words that would mean a line was left in English (or half translated).
ENGLISH_WORDS = {"the", "your", "and", "with", "hip", "hips", "knee", "leg", "hold", "stretch"}
# Forms of address the coach does not use: "tú" in Spanish, "ты" in Russian.
FORMAL = {
    "es": {"usted", "ustedes", "vosotros", "vosotras", "vuestro", "vuestra"},
    "ru": {"вы", "вас", "вам", "ваш", "ваша", "ваши"},
}


def texts(ex: Exercise) -> list[tuple[str, str]]:
    """(field, text) for every line of an exercise a runner reads, in order."""
    out = [("name", ex.name), ("short", ex.short), ("why", ex.why), ("cue", ex.dose.cue)]
    for field in ("muscles", "technique", "watch"):
        out += [(f"{field}[{i}]", line) for i, line in enumerate(getattr(ex, field))]
    return out


def words_of(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def test_every_language_loads_with_the_same_entries_and_credit():
    catalogues = load_catalogues()
    assert list(catalogues) == list(LANGUAGES)
    english = catalogues[SOURCE]
    for lang, c in catalogues.items():
        assert list(c.exercises) == list(english.exercises), lang
        assert list(c.routines) == list(english.routines), lang
        # The credit line stays in every language.
        assert c.source == english.source
        assert "Elizabeth Hufton" in c.credit and "Women's Running" in c.credit


def test_doses_and_order_are_the_same_in_every_language():
    catalogues = load_catalogues()
    english = catalogues[SOURCE]
    for lang, c in catalogues.items():
        for key, ex in c.exercises.items():
            en = english.exercise(key)
            assert ex.dose.model_dump(exclude={"cue"}) == en.dose.model_dump(exclude={"cue"})
            assert (ex.id, ex.category) == (en.id, en.category)
            assert ex.seconds() == en.seconds()
        for key, r in c.routines.items():
            en_r = english.routine(key)
            assert (r.exercises, r.sets, r.emoji) == (en_r.exercises, en_r.sets, en_r.emoji)
            assert c.routine_minutes(key) == english.routine_minutes(key), (lang, key)


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != SOURCE])
def test_every_text_is_translated(lang):
    catalogues = load_catalogues()
    english, c = catalogues[SOURCE], catalogues[lang]
    for key, ex in c.exercises.items():
        en = english.exercise(key)
        for (field, text), (_, en_text) in zip(texts(ex), texts(en), strict=True):
            where = f"{lang} {key}.{field}: {text!r}"
            assert text != en_text or text in SAME_EVERYWHERE, where
            assert not words_of(text) & ENGLISH_WORDS, where
            assert not words_of(text) & FORMAL[lang], where
            if lang == "ru":  # Cyrillic throughout; no Latin letter left behind
                assert not re.search(r"[A-Za-z]", text), where
        # Aliases of its own; only digit forms such as "90-90" may be shared with English.
        shared = set(ex.aliases) & set(en.aliases)
        assert all(not re.search(r"[^\W\d_]", a) for a in shared), (lang, key, shared)
        assert set(ex.aliases) - shared, (lang, key)
    for key, r in c.routines.items():
        en_r = english.routine(key)
        for field in ("name", "blurb"):
            text = getattr(r, field)
            assert text != getattr(en_r, field), (lang, key, field)
            assert not words_of(text) & (ENGLISH_WORDS | FORMAL[lang]), (lang, key, text)
    for field, words in c.words.model_dump().items():
        assert not set(words) & set(getattr(english.words, field)), (lang, field)


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != SOURCE])
def test_every_name_a_runner_may_log_means_one_exercise(lang):
    """/log reads names, shorts and aliases; none may name two exercises, alone or inside
    another exercise's name ("One exercise at a time"), in the language or with English."""
    catalogues = load_catalogues()
    for exercises in (
        catalogues[lang].exercises.values(),
        [*catalogues[lang].exercises.values(), *catalogues[SOURCE].exercises.values()],
    ):
        phrases = exercise_phrases(exercises)
        assert {p: ids for p, ids in phrases.items() if len(ids) > 1} == {}
        for phrase, ids in phrases.items():
            inside = {
                other
                for other, other_ids in phrases.items()
                if other_ids != ids and f" {other} " in f" {phrase} "
            }
            assert not inside, (lang, phrase, inside)


def dump_toml(data: dict, prefix: str = "") -> str:
    """Just enough TOML for a content file: tables, strings and lists of strings."""
    scalars, tables = [], []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append(dump_toml(value, f"{prefix}{key}."))
        else:
            scalars.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    head = [f"[{prefix[:-1]}]"] if prefix and scalars else []
    return "\n".join([*head, *scalars, "", *tables])


def broken_folder(tmp_path: Path, lang: str, edit: Callable[[dict], None]) -> Path:
    """A content folder with the real files, but `lang`'s translation passed through `edit`."""
    for path in SOURCE_FILE.parent.glob("exercises*.toml"):
        shutil.copy(path, tmp_path / path.name)
    target = content_file(lang, tmp_path)
    raw = tomllib.loads(target.read_text(encoding="utf-8"))
    edit(raw)
    target.write_text(dump_toml(raw), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != SOURCE])
def test_an_untouched_rewrite_loads_the_same(tmp_path, lang):
    """The helper below rewrites a translation; unedited, it must load as the real one, so
    each failure that follows comes from its one edit."""
    assert load_catalogues(broken_folder(tmp_path, lang, lambda raw: None)) == load_catalogues()


def _drop_exercise(raw: dict) -> None:
    del raw["exercises"]["ninety_ninety"]


def _extra_routine(raw: dict) -> None:
    raw["routines"]["long_run"] = {"name": "x", "blurb": "y"}


def _short_technique(raw: dict) -> None:
    raw["exercises"]["flexion"]["technique"].pop()


def _dose_number(raw: dict) -> None:
    raw["exercises"]["flexion"]["dose"]["hold_seconds"] = 5


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != SOURCE])
@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_drop_exercise, r"exercises\.ninety_ninety: missing"),
        (_extra_routine, r"routines\.long_run: not in exercises\.toml"),
        (_short_technique, r"exercises\.flexion\.technique: not the same number of lines"),
        (_dose_number, r"exercises\.flexion\.dose\.hold_seconds: Extra inputs"),
    ],
)
def test_a_bad_translation_names_the_file_and_the_entry(tmp_path, lang, edit, expected):
    folder = broken_folder(tmp_path, lang, edit)
    with pytest.raises(CatalogueError) as err:
        load_catalogues(folder)
    message = str(err.value)
    assert f"exercises.{lang}.toml: " in message
    assert re.search(expected, message), message


def test_a_missing_translation_names_its_file(tmp_path):
    shutil.copy(SOURCE_FILE, tmp_path / SOURCE_FILE.name)
    with pytest.raises(CatalogueError, match=r"exercises\.es\.toml: file not found"):
        load_catalogues(tmp_path)
