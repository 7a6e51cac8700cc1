"""The catalogue loads, carries the article's numbers, and rejects malformed files clearly."""

from pathlib import Path

import pytest

from bot.core.content import CATALOGUE_FILE, CatalogueError, load_catalogue


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
    original = CATALOGUE_FILE.read_text(encoding="utf-8")
    broken = original.replace('kind = "hold"', 'kind = "hover"')
    with pytest.raises(CatalogueError) as err:
        load_catalogue(write(tmp_path, broken))
    message = str(err.value)
    assert "bad.toml" in message
    assert "exercises.ninety_ninety.dose.kind" in message


def test_missing_required_field_and_unknown_exercise(tmp_path):
    original = CATALOGUE_FILE.read_text(encoding="utf-8")
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
