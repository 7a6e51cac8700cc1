"""The user's data as files: a flat CSV of every set and a JSON of everything kept.

Pure: rows in, bytes out. The CSV is UTF-8 with a header row, one set per line; the JSON
keeps the database's own column names and values, so it matches the database exactly.
Both go out in one zip, written row by row: a long history is never held in memory, and
compressed it stays far below Telegram's upload limit (`TooLarge` when it would not).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import IO, Any, TypeVar

from bot.core.clock import to_db

CSV_COLUMNS = ["timestamp", "routine", "exercise", "side", "set", "target", "actual", "feedback"]
# After the columns the issue names: whether target/actual count reps or seconds.
EXTRA_COLUMNS = ["unit"]
# How often (in rows) the zip's size is checked against the limit while it is written.
CHECK_EVERY = 2000

Row = Mapping[str, Any]
T = TypeVar("T")


class TooLarge(Exception):
    """The zip grew past the size it must stay under."""


def filenames(now: datetime) -> tuple[str, str, str]:
    """(the zip, the CSV inside it, the JSON inside it)."""
    stamp = now.strftime("%Y-%m-%d")
    return (
        f"hipcoach-export-{stamp}.zip",
        f"hipcoach-sets-{stamp}.csv",
        f"hipcoach-data-{stamp}.json",
    )


def write_zip(
    out: IO[bytes],
    now: datetime,
    user_id: int,
    sets: Iterable[Row],
    settings: Row | None,
    tables: Iterable[tuple[str, Iterable[Row]]],
    *,
    max_bytes: int,
) -> None:
    """The CSV (one row per set, bot.storage.privacy.export_sets) and the JSON (everything
    about the user, bot.storage.privacy.user_tables), deflated into `out`.

    Raises TooLarge as soon as `out` holds more than `max_bytes`.
    """
    _, csv_name, json_name = filenames(now)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with _member(archive, csv_name) as text:
            write_sets_csv(text, _checked(sets, out, max_bytes))
        with _member(archive, json_name) as text:
            checked = ((name, _checked(rows, out, max_bytes)) for name, rows in tables)
            write_data_json(text, user_id, now, settings, checked)
    if out.tell() > max_bytes:
        raise TooLarge


def write_sets_csv(text: IO[str], rows: Iterable[Row]) -> None:
    writer = csv.DictWriter(text, fieldnames=CSV_COLUMNS + EXTRA_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row[k] for k in writer.fieldnames})


def write_data_json(
    text: IO[str],
    user_id: int,
    now: datetime,
    settings: Row | None,
    tables: Iterable[tuple[str, Iterable[Row]]],
) -> None:
    """One JSON object: user_id, exported_at, settings, then each table's rows as a list,
    one row per line, so it is readable and diffable without holding it all."""
    dump = json.JSONEncoder(ensure_ascii=False).encode
    text.write("{\n")
    text.write(f'  "user_id": {dump(user_id)},\n  "exported_at": {dump(to_db(now))},\n')
    text.write(f'  "settings": {dump(settings)}')
    for name, rows in tables:
        text.write(f",\n  {dump(name)}: [")
        for i, row in enumerate(rows):
            text.write(f"{',' if i else ''}\n    {dump(dict(row))}")
        text.write("\n  ]")
    text.write("\n}\n")


@contextmanager
def _member(archive: zipfile.ZipFile, name: str) -> Iterator[IO[str]]:
    """A zip member open for writing as UTF-8 text; closing it finishes its entry."""
    with archive.open(name, "w") as raw, io.TextIOWrapper(raw, "utf-8", newline="") as text:
        yield text


def _checked(rows: Iterable[T], out: IO[bytes], max_bytes: int) -> Iterator[T]:
    """The rows, stopping with TooLarge once the zip written so far exceeds `max_bytes`."""
    for i, row in enumerate(rows, 1):
        if i % CHECK_EVERY == 0 and out.tell() > max_bytes:
            raise TooLarge
        yield row
