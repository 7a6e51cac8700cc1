"""The words /log reads in each language besides exercise names and the calendar's: sides,
units, "2 sets of 15", "4 days ago", and filler it may skip (bot.core.reports).

Adding a language: one more `LocalWords` entry here, keyed by its code. Words are written
as a runner types them; matching ignores case and accents (`ё` reads as `е`). The day,
weekday and month forms here are /plan's too (bot.core.language.words_for), and so are the
minute words (bot.core.planning reads a duration with them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Side = Literal["right", "left", "both"]


@dataclass(frozen=True)
class LocalWords:
    """The words of one language the parser reads besides exercise names and the calendar:
    sides, units, "2 sets of 15", "4 days ago", and filler it may skip. Each string is its
    words separated by spaces; all are written naturally and folded (`normalize`) when a
    Vocabulary is built."""

    sides: Mapping[str, Side]
    seconds: str
    minutes: str
    reps: str
    times: str  # `2x10` (and `2 по 10`)
    sets: str  # `2 sets of 15`
    of: str  # `2 sets of 15`, `3 de mayo`
    day_units: str  # `4 days ago`
    ago_before: str = ""  # `hace 4 días`
    ago_after: str = ""  # `4 days ago`, `4 дня назад`
    filler: str = ""
    # Day, weekday and month forms CLDR's names lack (`anteayer`, `в среду`, `thurs`): part
    # of the calendar /plan and /log both read (bot.core.language.words_for).
    days: Mapping[str, int] = field(default_factory=dict)
    weekdays: Mapping[str, int] = field(default_factory=dict)
    months: Mapping[str, int] = field(default_factory=dict)
    # What runners call a run in a calendar (`Tempo 8 km`, `Tirada larga`, `Длительная`):
    # bot.core.ics_import offers those events. Words or phrases separated by commas, matched
    # as whole folded words; a `*` ending a word matches any ending (`пробежк*`: пробежка,
    # пробежку...).
    runs: str = ""


LOCAL_WORDS: dict[str, LocalWords] = {
    "en": LocalWords(
        sides={
            "left": "left",
            "l": "left",
            "right": "right",
            "r": "right",
            "both": "both",
            "each": "both",
        },
        seconds="s sec secs second seconds",
        minutes="m min mins minute minutes",
        reps="rep reps",
        times="x",
        sets="set sets",
        of="of",
        day_units="d day days",
        ago_after="ago",
        filler="side sides leg legs on of the and i did done set last",
        weekdays={"tues": 1, "weds": 2, "thur": 3, "thurs": 3},
        months={"sept": 9},
        runs=(
            "run, runs, running, jog*, long run, easy run, recovery run, progression run, "
            "trail run*, tempo, threshold, interval*, fartlek*, strides, hill repeats, "
            "hill sprints, hill reps, hills session, track session, track workout, "
            "speedwork, speed work, time trial, parkrun, race, race day, marathon*, "
            "half marathon, halfmarathon, ultra, 5k, 8k, 10k, 15k, 21k, 42k, cross country"
        ),
    ),
    "es": LocalWords(
        sides={
            "izquierda": "left",
            "izquierdo": "left",
            "izq": "left",
            "derecha": "right",
            "derecho": "right",
            "der": "right",
            "ambos": "both",
            "ambas": "both",
            "ambos lados": "both",
            "cada": "both",
        },
        seconds="s seg segs segundo segundos",
        minutes="min mins minuto minutos",
        reps="rep reps repes repetición repeticiones veces",
        times="x por",
        sets="serie series",
        of="de",
        day_units="d día días",
        ago_before="hace",
        filler="lado lados pierna piernas el la los las de del y en por hice serie pasado pasada",
        days={"anteayer": -2, "antier": -2},
        runs=(
            "correr, a correr, carrera, carreras, rodaje*, rodar, trote, trotar, "
            "tirada larga, tirada, series en pista, series de carrera, cambios de ritmo, "
            "fartlek, cuestas, maraton*, media maraton, medio maraton, umbral, trail"
        ),
    ),
    "ru": LocalWords(
        sides={
            "левая": "left",
            "левой": "left",
            "левую": "left",
            "левый": "left",
            "лев": "left",
            "слева": "left",
            "правая": "right",
            "правой": "right",
            "правую": "right",
            "правый": "right",
            "прав": "right",
            "справа": "right",
            "обе": "both",
            "обеими": "both",
            "обе стороны": "both",
            "каждую": "both",
            "каждой": "both",
            "с каждой стороны": "both",
            "с обеих сторон": "both",
            "с левой": "left",
            "с правой": "right",
        },
        seconds="с сек секунда секунды секунд секунду",
        minutes="м мин минута минуты минут минуту",
        reps="раз раза повт повтор повтора повторов повторений",
        times="x по",
        sets="подход подхода подходов",
        of="по",
        day_units="д дн день дня дней",
        ago_after="назад",
        filler="сторона стороны сторону стороне нога ногу ноги ногой на по и в во с сделал сделала "
        "подход прошлый прошлую прошлое прошлой",
        days={"позавчера": -2},
        weekdays={
            "в понедельник": 0,
            "во вторник": 1,
            "в среду": 2,
            "в четверг": 3,
            "в пятницу": 4,
            "в субботу": 5,
            "в воскресенье": 6,
            "среду": 2,
            "пятницу": 4,
            "субботу": 5,
        },
        runs=(
            "бег, бега, бегу, бегом, пробежк*, пробег*, длительн*, темпов*, интервал*, "
            "отрезк*, фартлек*, марафон*, полумарафон*, забег*, трусц*, кросс, кросса, "
            "кроссе, трейл*, паркран*, ускорени*"
        ),
    ),
}
