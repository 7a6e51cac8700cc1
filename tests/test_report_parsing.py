"""The /log text parser: examples from the issue, then properties over generated input,
in every language (each also reads English)."""

from __future__ import annotations

import html
import re
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import views
from bot.core.language import LANGUAGES, fold
from bot.core.report_words import LOCAL_WORDS
from bot.core.reports import (
    MAX_DAYS_BACK,
    MAX_REPS,
    MAX_SECONDS,
    MAX_SETS,
    ParseError,
    Report,
    Vocabulary,
    parse_amount,
    parse_day,
    parse_report,
    performed_at,
)
from tests.i18n import translators

T = translators()
EN = T["en"]
CATALOGUE = EN.content
VOCAB: dict[str, Vocabulary] = {lang: t.vocabulary for lang, t in T.items()}
EN_VOCAB = VOCAB["en"]
TODAY = date(2025, 5, 14)  # a Wednesday
EXERCISES = list(CATALOGUE.exercises.values())


R = Report


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def reason_in(t, result: object) -> str:
    """A parse error, worded by `t`."""
    assert isinstance(result, ParseError), result
    return t.msg(result.reason)


def reason(result: object) -> str:
    """A parse error's English wording."""
    return reason_in(EN, result)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rotations 2x10", Report("rotations", "both", 2, 10, None, TODAY)),
        ("flexion 2x15 left", Report("flexion", "left", 2, 15, None, TODAY)),
        ("90/90 2x30s", Report("ninety_ninety", "both", 2, None, 30, TODAY)),
        (
            "yesterday flexion 1x12",
            Report("flexion", "both", 1, 12, None, TODAY - timedelta(days=1)),
        ),
        ("hip rotations 2 × 10", Report("rotations", "both", 2, 10, None, TODAY)),
        ("rotation 1x8 right", Report("rotations", "right", 1, 8, None, TODAY)),
        ("band 2x15", Report("flexion", "both", 2, 15, None, TODAY)),
        ("Rotatoins 2x10", Report("rotations", "both", 2, 10, None, TODAY)),
        ("90-90 2x30", Report("ninety_ninety", "both", 2, None, 30, TODAY)),
        ("stretch 1x1min", Report("ninety_ninety", "both", 1, None, 60, TODAY)),
        ("rotations 12", Report("rotations", "both", 1, 12, None, TODAY)),
        ("2 sets of 15 flexion each side", Report("flexion", "both", 2, 15, None, TODAY)),
        ("monday rotations 2x10", Report("rotations", "both", 2, 10, None, date(2025, 5, 12))),
        ("3 may band 1x15 l", Report("flexion", "left", 1, 15, None, date(2025, 5, 3))),
        (
            "2025-05-01 90/90 2x45s",
            Report("ninety_ninety", "both", 2, None, 45, date(2025, 5, 1)),
        ),
        ("4 days ago circles 2x10", Report("rotations", "both", 2, 10, None, date(2025, 5, 10))),
        ("flexion 1x12 on 20.12", Report("flexion", "both", 1, 12, None, date(2024, 12, 20))),
    ],
)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_examples(text, expected, lang):
    """English shortcuts, read the same for a runner of any language."""
    assert parse_report(text, VOCAB[lang], TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "Which exercise"),
        ("2x10", "Which exercise"),
        ("rotations", "How many"),
        ("banana 2x10", "didn't catch"),
        ("rotations 2x10 please", "didn't catch"),
        ("rotations flexion 2x10", "One exercise"),
        ("rotations 2x10 3x10", "One amount"),
        ("rotations 2x10 left right", "Left, right or both"),
        ("rotations 2x30s", "in reps"),
        ("90/90 2x15 reps", "in seconds"),
        ("rotations 11x10", "Sets go from 1"),
        ("rotations 1x101", "more than 100 reps"),
        ("90/90 1x601s", "more than 600 seconds"),
        ("rotations 1x0", "Zero"),
        ("tomorrow rotations 1x10", "future"),
        ("2025-05-15 rotations 1x10", "future"),
        ("2024-01-01 rotations 1x10", "more than a year"),
        ("2025-02-30 rotations 1x10", "couldn't read that date"),
        ("yesterday monday rotations 1x10", "One date"),
        ("x" * 300, "too long"),
        # Numbers are ASCII digits: `\d` matched these and int() read them (٢x١٠ was 2x10).
        ("rotations ٢x١٠", "didn't catch"),
        ("rotations ²x10", "didn't catch"),
        ("rotations 2x10 ٣ may", "didn't catch"),
        # Past 19 digits a number reads as huge, never as an error or a partial match.
        ("rotations 99999999999999999999x10", "Sets go from 1"),
        ("rotations 1x" + "9" * 150, "more than 100 reps"),
    ],
)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_errors_say_what_was_wrong(text, expected, lang):
    result = parse_report(text, VOCAB[lang], TODAY)
    assert expected in reason(result)
    line = views.reports.usage(T[lang], result.reason)
    assert "\n" not in line.text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_typed_day_and_amount_for_the_button_flow(lang):
    vocab = VOCAB[lang]
    assert parse_day("Yesterday", vocab, TODAY) == TODAY - timedelta(days=1)
    assert parse_day("sat", vocab, TODAY) == date(2025, 5, 10)
    assert isinstance(parse_day("soon", vocab, TODAY), ParseError)
    assert parse_amount("12", vocab, seconds=False) == 12
    assert parse_amount("45s", vocab, seconds=True) == 45
    assert parse_amount("1 min", vocab, seconds=True) == 60
    assert isinstance(parse_amount("12s", vocab, seconds=False), ParseError)
    assert isinstance(parse_amount("0", vocab, seconds=False), ParseError)
    assert isinstance(parse_amount("2x10", vocab, seconds=False), ParseError)
    assert isinstance(parse_amount("١٢", vocab, seconds=False), ParseError)
    assert isinstance(parse_amount("9" * 30, vocab, seconds=False), ParseError)
    assert isinstance(parse_day("٣ may", vocab, TODAY), ParseError)


def test_performed_at_is_now_today_and_local_noon_before():
    now = datetime(2025, 5, 14, 23, 30, tzinfo=UTC)
    assert performed_at(date(2025, 5, 15), now, "Pacific/Auckland") == now
    assert performed_at(date(2025, 5, 14), now, "Pacific/Auckland") == datetime(
        2025, 5, 14, 0, 0, tzinfo=UTC
    )
    assert performed_at(date(2025, 3, 30), now, "Europe/London") == datetime(
        2025, 3, 30, 11, 0, tzinfo=UTC
    )


# --- in the runner's language ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("es", "rotaciones 2x10", R("rotations", "both", 2, 10, None, ago(0))),
        ("es", "flexión 2x15 izquierda", R("flexion", "left", 2, 15, None, ago(0))),
        ("es", "FLEXION 2x15 Izq", R("flexion", "left", 2, 15, None, ago(0))),
        ("es", "90/90 2 × 30 seg", R("ninety_ninety", "both", 2, None, 30, ago(0))),
        ("es", "ayer flexion 1x12", R("flexion", "both", 1, 12, None, ago(1))),
        (
            "es",
            "Rotaciones de Cadera 2x10 ambos lados",
            R("rotations", "both", 2, 10, None, ago(0)),
        ),
        ("es", "3 de mayo banda 1x15 der", R("flexion", "right", 1, 15, None, ago(11))),
        ("es", "3 dic. rotaciones 1x10", R("rotations", "both", 1, 10, None, date(2024, 12, 3))),
        ("es", "hace 4 dias circulos 2x10", R("rotations", "both", 2, 10, None, ago(4))),
        ("es", "el lunes rotaciones 2x10", R("rotations", "both", 2, 10, None, ago(2))),
        ("es", "Miércoles rotación 1x8 derecha", R("rotations", "right", 1, 8, None, ago(0))),
        (
            "es",
            "anteayer estiramiento 2 series de 1 min",
            R("ninety_ninety", "both", 2, None, 60, ago(2)),
        ),
        ("es", "rotaciones 2 por 10 cada lado", R("rotations", "both", 2, 10, None, ago(0))),
        ("ru", "вращения 2x10", R("rotations", "both", 2, 10, None, ago(0))),
        ("ru", "Подъёмы 2x15 левой", R("flexion", "left", 2, 15, None, ago(0))),
        # Without the ё, with a Cyrillic х: as phones type it.
        ("ru", "подъемы 2х15 ЛЕВОЙ", R("flexion", "left", 2, 15, None, ago(0))),
        ("ru", "90/90 2x30 с", R("ninety_ninety", "both", 2, None, 30, ago(0))),
        ("ru", "растяжка 2x30 сек.", R("ninety_ninety", "both", 2, None, 30, ago(0))),
        ("ru", "вчера подъём колена 1x12", R("flexion", "both", 1, 12, None, ago(1))),
        (
            "ru",
            "вращения тазом 2 по 10 с каждой стороны",
            R("rotations", "both", 2, 10, None, ago(0)),
        ),
        ("ru", "3 мая резинка 1x15 справа", R("flexion", "right", 1, 15, None, ago(11))),
        ("ru", "4 дня назад круги 2x10", R("rotations", "both", 2, 10, None, ago(4))),
        ("ru", "в пятницу вращения 2x10", R("rotations", "both", 2, 10, None, ago(5))),
        ("ru", "пн вращения 2 подхода по 10", R("rotations", "both", 2, 10, None, ago(2))),
        ("ru", "позавчера вращения 12 раз", R("rotations", "both", 1, 12, None, ago(2))),
        ("ru", "rotations 2x10 вчера", R("rotations", "both", 2, 10, None, ago(1))),
    ],
)
def test_localized_examples(lang, text, expected):
    assert parse_report(text, VOCAB[lang], TODAY) == expected


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("es", "mañana rotaciones 1x10", "future"),
        ("es", "rotaciones 2x10 izquierda derecha", "Left, right or both"),
        ("es", "rotaciones 2x30 seg", "in reps"),
        ("es", "rotaciones 2x10 por favor", "didn't catch"),
        ("es", "rotaciones estiramiento 2x10", "One exercise"),
        ("ru", "завтра вращения 1x10", "future"),
        ("ru", "вращения 2x10 левой правой", "Left, right or both"),
        ("ru", "вращения 2x30 сек", "in reps"),
        ("ru", "растяжка 2x15 раз", "in seconds"),
        ("ru", "вращения 2x10 пожалуйста", "didn't catch"),
        ("ru", "вчера в среду вращения 1x10", "One date"),
        # Words of another language the runner does not speak are not read.
        ("ru", "estiramiento 2x30", "didn't catch"),
        ("es", "растяжка 2x30", "didn't catch"),
    ],
)
def test_localized_errors(lang, text, expected):
    assert expected in reason(parse_report(text, VOCAB[lang], TODAY))


def test_localized_day_and_amount_for_the_button_flow():
    es, ru = VOCAB["es"], VOCAB["ru"]
    assert parse_day("Ayer", es, TODAY) == date(2025, 5, 13)
    assert parse_day("el sábado", es, TODAY) == parse_day("sabado", es, TODAY) == date(2025, 5, 10)
    assert parse_day("3 de mayo", es, TODAY) == date(2025, 5, 3)
    assert parse_day("ВЧЕРА", ru, TODAY) == date(2025, 5, 13)
    assert parse_day("в субботу", ru, TODAY) == parse_day("сб", ru, TODAY) == date(2025, 5, 10)
    assert parse_day("3 мая", ru, TODAY) == date(2025, 5, 3)
    assert isinstance(parse_day("пожалуйста", ru, TODAY), ParseError)
    assert parse_amount("45 seg", es, seconds=True) == 45
    assert parse_amount("1 минута", ru, seconds=True) == 60
    assert parse_amount("12 раз", ru, seconds=False) == 12
    assert reason(parse_amount("12 с", ru, seconds=False)) == "Send reps, like 12."


def test_table_words_match_what_runners_type():
    """Every word the vocabulary keys on is in the form `fold` leaves a typed word, so none
    is unreachable."""
    assert set(LOCAL_WORDS) == set(LANGUAGES), "every language needs its sides and units"
    for lang, vocab in VOCAB.items():
        calendar = vocab.calendar
        for table in (calendar.weekdays, calendar.months, calendar.days, vocab.phrases):
            for word in table:
                assert fold(word) == word, (lang, word)
        assert {p for p, ids in vocab.phrases.items() if len(ids) > 1} == set(), lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_example_in_the_help_parses(lang):
    """The unparseable-line help shows examples a runner can copy, in their language."""
    t = T[lang]
    shown = [
        html.unescape(e) for e in re.findall(r"<code>(.*?)</code>", views.reports.usage_help(t))
    ]
    assert len(shown) == 4, shown
    for example in shown:
        assert example.startswith("/log "), example
        result = parse_report(example.removeprefix("/log "), VOCAB[lang], TODAY)
        assert isinstance(result, Report), (example, result)
    # ...and so does the hint for a typed date.
    hint = reason_in(t, parse_day("soon", VOCAB[lang], TODAY))
    quoted = re.findall(r"(?:^|\s)[«'\"“‘]([^»'\"”’]+)[»'\"”’]", hint)
    assert len(quoted) == 3, hint
    for example in quoted:
        assert isinstance(parse_day(example, VOCAB[lang], TODAY), date), (hint, example)


def test_parsing_is_quick_with_every_language_in_the_vocabulary():
    """Each /log line is read on the update path: a bound far above what it takes."""
    lines = ["вращения тазом 2 по 10 с каждой стороны вчера", "banana pizza 2x10 3 may"] * 50
    start = time.perf_counter()
    for line in lines:
        parse_report(line, VOCAB["ru"], TODAY)
    assert (time.perf_counter() - start) / len(lines) < 0.005


# --- properties ----------------------------------------------------------------------------


def names_for(exercise) -> list[str]:
    return sorted({exercise.name, exercise.short, *exercise.aliases})


# What a runner of each language may type for seconds, reps and sides (besides English).
SECONDS = {
    "en": ["s", " sec", " seconds", ""],
    "es": [" seg", " segundos", "s", ""],
    "ru": ["с", " с", " сек", " секунд", ""],
}
REPS = {"en": ["", " reps"], "es": ["", " repeticiones"], "ru": ["", " раз", " повторов"]}
SIDES = {
    "en": {"both": ["both"], "left": ["left"], "right": ["right"]},
    "es": {
        "both": ["ambos lados", "cada lado"],
        "left": ["izquierda", "izq"],
        "right": ["derecha", "der"],
    },
    "ru": {
        "both": ["обе стороны", "с каждой стороны"],
        "left": ["левой", "слева"],
        "right": ["правой", "справа"],
    },
}
TIMES = {"en": ["x", "X", " x ", "×", "*"], "es": ["x", " x ", "×"], "ru": ["x", "х", " Х ", "×"]}
AGO = {"en": "{n} days ago", "es": "hace {n} días", "ru": "{n} дней назад"}  # fmt: skip


@st.composite
def reports(draw, lang: str = "en"):
    """A well-formed report in any order, case and spacing, in `lang` or in English, and
    what it must parse to."""
    t = T[lang]
    local = draw(st.sampled_from([lang, "en"]))  # the runner's words, or English ones
    exercise_id = draw(st.sampled_from([e.id for e in EXERCISES]))
    exercise = T[local].content.exercises[exercise_id]
    name = draw(st.sampled_from(names_for(exercise)))
    timed = exercise.dose.kind == "hold"
    sets = draw(st.integers(1, MAX_SETS))
    amount = draw(st.integers(1, MAX_SECONDS if timed else MAX_REPS))
    unit = draw(st.sampled_from((SECONDS if timed else REPS)[local]))
    times = draw(st.sampled_from(TIMES[local]))
    side = draw(st.sampled_from(["both", "left", "right", None]))
    back = draw(st.integers(0, 30))
    day = TODAY - timedelta(days=back)
    month = T[local].month(day.month, "wide")
    day_word = draw(
        st.sampled_from(
            [
                day.isoformat(),
                AGO[local].format(n=back),
                f"{day.day} {month}",
                f"{day.day} {T[local].month(day.month)}",
            ]
            + ([f"{month} {day.day}"] if local == "en" else [])
            + ([T[local].content.words.today[0]] if back == 0 else [])
            + ([T[local].content.words.yesterday[0]] if back == 1 else [])
        )
    )
    parts = [name, f"{sets}{times}{amount}{unit}"]
    if side is not None:
        parts.append(draw(st.sampled_from(SIDES[local][side])))
    with_day = draw(st.booleans())
    if with_day:
        parts.append(day_word)
    order = draw(st.permutations(parts))
    text = draw(st.sampled_from([" ", "  ", ", "])).join(order)
    text = text.upper() if draw(st.booleans()) else text
    expected = Report(
        exercise.id,
        side or "both",
        sets,
        None if timed else amount,
        amount if timed else None,
        day if with_day else TODAY,
    )
    assert t.lang == lang
    return text, expected


@pytest.mark.parametrize("lang", LANGUAGES)
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_well_formed_reports_parse_exactly(lang, data):
    text, expected = data.draw(reports(lang))
    assert parse_report(text, VOCAB[lang], TODAY) == expected


@pytest.mark.parametrize("lang", LANGUAGES)
@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=120))
def test_any_text_gives_an_entry_or_an_error_never_an_exception(lang, text):
    result = parse_report(text, VOCAB[lang], TODAY)
    assert isinstance(result, Report | ParseError)
    if isinstance(result, Report):
        assert result.exercise in CATALOGUE.exercises
        assert 1 <= result.sets <= MAX_SETS
        assert (result.reps is None) != (result.seconds is None)
        assert 1 <= (result.reps or result.seconds or 0) <= MAX_SECONDS
        assert TODAY - timedelta(days=MAX_DAYS_BACK) <= result.day <= TODAY


@pytest.mark.parametrize("lang", LANGUAGES)
@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet=st.characters(exclude_categories=("Nd",)), max_size=80))
def test_nothing_without_a_number_is_ever_saved(lang, text):
    # Without a digit there is no amount, so nothing can be logged by accident.
    assert isinstance(parse_report(text, VOCAB[lang], TODAY), ParseError)


@pytest.mark.parametrize("lang", LANGUAGES)
@settings(max_examples=150, deadline=None)
@given(
    data=st.data(), junk=st.sampled_from(["banana", "zzz", "qwerty", "pizza", "пицца", "basura"])
)
def test_an_unknown_word_anywhere_spoils_the_whole_line(lang, data, junk):
    text, _ = data.draw(reports(lang))
    words = text.split(" ")
    words.insert(len(words) // 2, junk)
    assert isinstance(parse_report(" ".join(words), VOCAB[lang], TODAY), ParseError)
