"""The runner's own data as a whole: export every row about them, or delete every one.

Both discover the tables that hold a user's rows from the schema (a `user_id` column, a
private `chat_id`, or a foreign key into such a table), so tables that later features add
are covered without touching this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlite_utils import Database


def export_sets(db: Database, user_id: int) -> Iterator[dict[str, Any]]:
    """Every set as one flat row: the CSV a runner can open in a spreadsheet (streamed: a
    long history is never held in memory at once)."""
    return iter(
        db.query(
            """
            SELECT s.performed_at AS timestamp,
                   COALESCE(se.routine, 'log') AS routine,
                   s.exercise, s.side, s.set_no AS "set",
                   COALESCE(s.target_reps, s.target_seconds) AS target,
                   COALESCE(s.actual_reps, s.actual_seconds) AS actual,
                   COALESCE(f.rating, '') AS feedback,
                   CASE WHEN s.actual_seconds IS NOT NULL OR s.target_seconds IS NOT NULL
                        THEN 'seconds' ELSE 'reps' END AS unit
            FROM sets s
            LEFT JOIN sessions se ON se.id = s.session_id
            LEFT JOIN feedback f ON f.session_id = s.session_id AND f.exercise = s.exercise
            WHERE s.user_id = ?
            ORDER BY s.performed_at, s.id
            """,
            [user_id],
        )
    )


def _tables(db: Database) -> list[str]:
    return [t for t in db.table_names() if not t.startswith(("sqlite_", "_"))]


def owned_rows(db: Database) -> dict[str, str]:
    """table -> WHERE clause (params :user, :chat) selecting the rows about one user.

    A table is the user's through `users.id`, a `user_id` column, a `chat_id` column (their
    private chat), or a foreign key into rows already selected (e.g. a plan's skipped dates).
    """
    tables = _tables(db)
    base: dict[str, str] = {}
    for table in tables:
        columns = db[table].columns_dict
        if table == "users":
            base[table] = "id = :user"
        elif "user_id" in columns:
            base[table] = "user_id = :user"
        elif "chat_id" in columns:
            base[table] = "chat_id = :chat"
    clauses = dict(base)
    for _ in range(len(tables)):
        changed = False
        for table in tables:
            if table == "users":
                continue
            parts = [base[table]] if table in base else []
            for fk in db.table(table).foreign_keys:
                parent = clauses.get(fk.other_table)
                if parent is not None and fk.other_table != table:
                    parts.append(
                        f"[{fk.column}] IN (SELECT [{fk.other_column}] "
                        f"FROM [{fk.other_table}] WHERE {parent})"
                    )
            clause = " OR ".join(f"({p})" for p in parts)
            if parts and clauses.get(table) != clause:
                clauses[table] = clause
                changed = True
        if not changed:
            break
    return clauses


def _children_first(db: Database, tables: list[str]) -> list[str]:
    """Order tables so every table comes before the tables it references."""
    refs = {t: {fk.other_table for fk in db.table(t).foreign_keys} - {t} for t in tables}
    order: list[str] = []
    remaining = set(tables)
    while remaining:
        # A table is ready once nothing still remaining references it.
        ready = sorted(t for t in remaining if not any(t in refs[o] for o in remaining))
        if not ready:  # a reference cycle: foreign keys with ON DELETE CASCADE settle it
            ready = sorted(remaining)
        order.extend(ready)
        remaining -= set(ready)
    return order


# Columns an export leaves out: a live calendar link's nonce and token hash would make the
# export file a key to the link (the runner sees that they have one, and since when).
SECRET_COLUMNS = {"calendar_feeds": ("nonce", "token_hash")}


def user_tables(
    db: Database, user_id: int, chat_id: int
) -> Iterator[tuple[str, Iterator[dict[str, Any]]]]:
    """(table, its rows about the user) for every table but `users`, rows streamed; secret
    columns left out."""
    params = {"user": user_id, "chat": chat_id}
    clauses = owned_rows(db)
    for table in sorted(clauses):
        if table == "users":
            continue
        hidden = SECRET_COLUMNS.get(table, ())
        columns = ", ".join(f"[{c}]" for c in db[table].columns_dict if c not in hidden)
        yield (
            table,
            iter(db.query(f"SELECT {columns} FROM [{table}] WHERE {clauses[table]}", params)),
        )


def delete_user(db: Database, user_id: int, chat_id: int) -> dict[str, int]:
    """Delete every row about the user, children first, in one transaction; freed space is
    zeroed (secure_delete, on since bot.storage.db opened the file). The WAL still holds
    older copies of their pages until bot.storage.db.checkpoint succeeds.
    Returns rows deleted per table."""
    params = {"user": user_id, "chat": chat_id}
    clauses = owned_rows(db)
    deleted: dict[str, int] = {}
    with db.atomic():
        for table in _children_first(db, list(clauses)):
            cursor = db.execute(f"DELETE FROM [{table}] WHERE {clauses[table]}", params)
            if cursor.rowcount:
                deleted[table] = cursor.rowcount
    return deleted
