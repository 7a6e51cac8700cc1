"""The user's data as files: a flat CSV of every set and a JSON of everything kept.

Pure: rows in, bytes out. The CSV is UTF-8 with a header row, one set per line; the JSON
keeps the database's own column names and values, so it matches the database exactly.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from bot.core.clock import to_db

CSV_COLUMNS = ["timestamp", "routine", "exercise", "side", "set", "target", "actual", "feedback"]
# After the columns the issue names: whether target/actual count reps or seconds.
EXTRA_COLUMNS = ["unit"]


def sets_csv(rows: Iterable[Mapping[str, Any]]) -> bytes:
    """One row per set (bot.storage.logs.export_sets), header first."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS + EXTRA_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row[k] for k in writer.fieldnames})
    return out.getvalue().encode("utf-8")


def data_json(dump: Mapping[str, Any], user_id: int, now: datetime) -> bytes:
    """Everything about the user (bot.storage.logs.dump_user), readable and stable."""
    body = {"user_id": user_id, "exported_at": to_db(now), **dump}
    return json.dumps(body, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8")


def filenames(now: datetime) -> tuple[str, str]:
    stamp = now.strftime("%Y-%m-%d")
    return f"hipcoach-sets-{stamp}.csv", f"hipcoach-data-{stamp}.json"
