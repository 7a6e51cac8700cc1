"""The catalogue of exercises and routines the coach teaches, loaded from `data/`.

The content is data so that wording and doses can change without touching code; it is
validated once at start-up so a typo fails loudly, naming the file, the entry and the field.

`exercises.toml` is the English source: doses, order and text. Each other language has
`exercises.<lang>.toml` with the text only (names, cues, technique, ...), for exactly the same
entries; `load_catalogues` lays it over the English, so doses can never differ by language.
The models say so too: an `Exercise` is an `ExerciseText` (all a translation may give) plus
its id, category and dose numbers, and likewise for a `Dose` and a `Routine`.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot import paths
from bot.core.language import LANGUAGES, SOURCE


def content_file(lang: str, folder: Path | None = None) -> Path:
    """`exercises.toml` for the source language, `exercises.<lang>.toml` for the others."""
    name = "exercises.toml" if lang == SOURCE else f"exercises.{lang}.toml"
    return (folder or paths.content_dir()) / name


# Time a runner spends reading a card and giving feedback, for the estimate only.
CARD_SECONDS = 20


class CatalogueError(Exception):
    """The content files are malformed; the message says where."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Model):
    title: str
    publication: str
    author: str


class DoseText(_Model):
    """A dose's words: all a translation may give it."""

    cue: str = Field(min_length=1, max_length=60)


class Dose(DoseText):
    kind: Literal["reps", "paced", "hold"]
    sets: int = Field(ge=1, le=10)
    reps: int | None = Field(default=None, ge=1, le=100)
    sides: tuple[Literal["right", "left"], ...] = ()
    hold_seconds: int | None = Field(default=None, ge=1, le=600)
    lower_seconds: int = Field(default=0, ge=0, le=30)
    rest_seconds: int = Field(ge=0, le=600)
    ready_seconds: int = Field(default=0, ge=0, le=60)
    rep_seconds: int = Field(default=3, ge=1, le=60)

    @model_validator(mode="after")
    def _fields_for_kind(self) -> Dose:
        if self.kind in ("reps", "paced") and self.reps is None:
            raise ValueError(f"a {self.kind!r} dose needs 'reps'")
        if self.kind in ("paced", "hold") and self.hold_seconds is None:
            raise ValueError(f"a {self.kind!r} dose needs 'hold_seconds'")
        return self

    @property
    def timed(self) -> bool:
        """Whether the bot runs a clock for each set (instead of waiting for Done)."""
        return self.kind in ("paced", "hold")

    def side_list(self) -> tuple[str | None, ...]:
        return self.sides or (None,)

    def work_seconds(self) -> int:
        """Seconds of work in one set on one side."""
        if self.kind == "reps":
            return (self.reps or 0) * self.rep_seconds
        if self.kind == "paced":
            return (self.reps or 0) * ((self.hold_seconds or 0) + self.lower_seconds)
        return self.hold_seconds or 0


def dose_seconds(dose: Dose) -> int:
    """Estimated seconds for one exercise at `dose`: its card, every set on every side
    (get-ready included) and the rests between sets."""
    sides = len(dose.side_list())
    per_set = sides * (dose.work_seconds() + dose.ready_seconds)
    return CARD_SECONDS + dose.sets * per_set + (dose.sets - 1) * dose.rest_seconds


class Rung(_Model):
    """One step of a ladder: what it changes from the exercise's `[dose]` (nothing, for
    the article's own dose)."""

    sets: int | None = Field(default=None, ge=1, le=10)
    reps: int | None = Field(default=None, ge=1, le=100)
    hold_seconds: int | None = Field(default=None, ge=1, le=600)

    def changes(self) -> dict[str, int]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class Ladder(_Model):
    """An exercise's doses from gentlest to hardest; `start` is the article's dose, where
    every runner begins (its rung changes nothing)."""

    start: int = Field(ge=0)
    steps: tuple[Rung, ...] = Field(min_length=1, max_length=8)

    @model_validator(mode="after")
    def _start_is_the_dose(self) -> Ladder:
        if self.start >= len(self.steps):
            raise ValueError(f"start {self.start} is past the last step")
        if self.steps[self.start].changes():
            raise ValueError("the start step is the [dose] itself: it must change nothing")
        return self

    @property
    def top(self) -> int:
        return len(self.steps) - 1


class ExerciseText(_Model):
    """An exercise's words: all a translation may give it."""

    name: str = Field(min_length=1, max_length=60)
    short: str = Field(min_length=1, max_length=30)
    aliases: tuple[str, ...] = ()
    muscles: tuple[str, ...] = Field(min_length=1)
    why: str = Field(min_length=1, max_length=400)
    technique: tuple[str, ...] = Field(min_length=1, max_length=8)
    watch: tuple[str, ...] = Field(min_length=1, max_length=4)
    # One yes/no question per watch point, asked after the exercise now and then.
    questions: tuple[str, ...] = Field(min_length=1, max_length=4)
    dose: DoseText

    @model_validator(mode="after")
    def _a_question_per_watch_point(self) -> ExerciseText:
        if len(self.questions) != len(self.watch):
            raise ValueError("'questions' needs one question per 'watch' point")
        if any(len(q) > 100 for q in self.questions):
            raise ValueError("a question is longer than 100 characters")
        return self


class Exercise(ExerciseText):
    id: str
    category: Literal["mobility", "strength", "flexibility"]
    dose: Dose
    ladder: Ladder = Ladder(start=0, steps=(Rung(),))

    @model_validator(mode="after")
    def _ladder_climbs(self) -> Exercise:
        """Every rung makes a valid dose, and each is at least as much work as the one
        below it (a typo that makes a step easier fails here)."""
        work = [d.sets * d.work_seconds() for d in map(self.dose_at, range(len(self.ladder.steps)))]
        if work != sorted(work):
            raise ValueError("ladder: each step must be at least as much work as the one before")
        return self

    def dose_at(self, step: int) -> Dose:
        """The dose at ladder step `step` (clamped to the ladder)."""
        step = max(0, min(step, self.ladder.top))
        changes = self.ladder.steps[step].changes()
        if not changes:
            return self.dose
        try:
            return Dose.model_validate({**self.dose.model_dump(), **changes})
        except ValidationError as exc:
            raise ValueError(f"ladder step {step}: {exc}") from None

    def seconds(self, sets: int | None = None) -> int:
        """Estimated seconds for this exercise at `sets` sets (default: its dose)."""
        return dose_seconds(self.dose.model_copy(update={"sets": sets or self.dose.sets}))


class RoutineText(_Model):
    """A routine's words: all a translation may give it."""

    name: str = Field(min_length=1, max_length=40)
    blurb: str = Field(min_length=1, max_length=120)


class Routine(RoutineText):
    id: str
    emoji: str = ""
    exercises: tuple[str, ...] = Field(min_length=1)
    sets: int | None = Field(default=None, ge=1, le=10)


class DayWords(_Model):
    """The `[words]` table: what a runner may type for days in the file's language, besides
    the calendar's names (read by bot.core.language.words_for)."""

    today: tuple[str, ...] = Field(min_length=1)
    tomorrow: tuple[str, ...] = Field(min_length=1)
    yesterday: tuple[str, ...] = Field(min_length=1)
    every_day: tuple[str, ...] = Field(min_length=1)
    weekdays: tuple[str, ...] = Field(min_length=1)
    weekend: tuple[str, ...] = Field(min_length=1)


class Catalogue(_Model):
    source: Source
    exercises: dict[str, Exercise]
    routines: dict[str, Routine]
    words: DayWords

    @model_validator(mode="after")
    def _routines_name_known_exercises(self) -> Catalogue:
        for routine in self.routines.values():
            for exercise_id in routine.exercises:
                if exercise_id not in self.exercises:
                    raise ValueError(
                        f"routine {routine.id!r} names unknown exercise {exercise_id!r}"
                    )
        return self

    def exercise(self, exercise_id: str) -> Exercise:
        return self.exercises[exercise_id]

    def routine(self, routine_id: str) -> Routine:
        return self.routines[routine_id]

    def sets_for(self, routine: Routine, exercise: Exercise) -> int:
        return routine.sets or exercise.dose.sets

    def routine_seconds(self, routine_id: str) -> int:
        """Estimated duration of a routine, computed from the doses."""
        routine = self.routine(routine_id)
        return sum(
            self.exercise(e).seconds(self.sets_for(routine, self.exercise(e)))
            for e in routine.exercises
        )

    def routine_minutes(self, routine_id: str) -> int:
        return max(1, round(self.routine_seconds(routine_id) / 60))

    @property
    def credit(self) -> str:
        return f"“{self.source.title}”, {self.source.author}, {self.source.publication}"


def _with_ids(table: dict, section: str, path: Path) -> dict:
    """TOML keys become each entry's `id`, so entries need not repeat their own name."""
    if not isinstance(table, dict):
        raise CatalogueError(f"{path}: [{section}] must be a table")
    out = {}
    for key, value in table.items():
        if not isinstance(value, dict):
            raise CatalogueError(f"{path}: {section}.{key} must be a table")
        out[key] = {"id": key, **value}
    return out


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CatalogueError(f"{path}: file not found") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{path}: not valid TOML: {exc}") from exc


def _problems(path: Path, exc: ValidationError) -> CatalogueError:
    lines = []
    for err in exc.errors():
        where = ".".join(str(part) for part in err["loc"])
        lines.append(f"{path}: {where or 'catalogue'}: {err['msg']}")
    return CatalogueError("\n".join(lines))


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Read and validate the catalogue (by default the source language's); raise
    CatalogueError naming file, entry and field."""
    path = path or content_file(SOURCE)
    raw = _read(path)
    raw["exercises"] = _with_ids(raw.get("exercises", {}), "exercises", path)
    raw["routines"] = _with_ids(raw.get("routines", {}), "routines", path)
    try:
        return Catalogue.model_validate(raw)
    except ValidationError as exc:
        raise _problems(path, exc) from None


# --- translations -----------------------------------------------------------------------


class Translation(_Model):
    """A content file in another language: the words of every entry, no numbers."""

    exercises: dict[str, ExerciseText]
    routines: dict[str, RoutineText]
    words: DayWords


def translate(source: Catalogue, path: Path) -> Catalogue:
    """The source catalogue worded from the translation at `path`, which must cover exactly
    the same exercises and routines, step for step (technique, watch points, muscles)."""
    try:
        text = Translation.model_validate(_read(path))
    except ValidationError as exc:
        raise _problems(path, exc) from None
    problems = []
    for section, have, want in (
        ("exercises", text.exercises, source.exercises),
        ("routines", text.routines, source.routines),
    ):
        for missing in sorted(set(want) - set(have)):
            problems.append(f"{path}: {section}.{missing}: missing")
        for extra in sorted(set(have) - set(want)):
            problems.append(f"{path}: {section}.{extra}: not in {content_file(SOURCE).name}")
    for key, ex in text.exercises.items():
        for field in ("muscles", "technique", "watch", "questions"):
            if key in source.exercises and len(getattr(ex, field)) != len(
                getattr(source.exercises[key], field)
            ):
                problems.append(f"{path}: exercises.{key}.{field}: not the same number of lines")
    if problems:
        raise CatalogueError("\n".join(problems))
    exercises = {
        key: ex.model_copy(
            update={
                **text.exercises[key].model_dump(exclude={"dose"}),
                "dose": ex.dose.model_copy(update={"cue": text.exercises[key].dose.cue}),
            }
        )
        for key, ex in source.exercises.items()
    }
    routines = {
        key: r.model_copy(update=text.routines[key].model_dump())
        for key, r in source.routines.items()
    }
    return source.model_copy(
        update={"exercises": exercises, "routines": routines, "words": text.words}
    )


def load_catalogues(folder: Path | None = None) -> dict[str, Catalogue]:
    """The catalogue in every language the bot speaks, each validated (see `translate`)."""
    source = load_catalogue(content_file(SOURCE, folder))
    return {
        lang: source if lang == SOURCE else translate(source, content_file(lang, folder))
        for lang in LANGUAGES
    }
