"""A copy of every table's rows, taken once and put back before each browser test.

The browser tests run against the live server's transactional database, which is emptied after every
test. Loading the demo again through its command costs seconds per test (pages, revisions, aliases,
search and reference indexes, on PostgreSQL above all); putting its rows back with one batched INSERT
per table costs a fraction of that and gives the same rows, ids and sequences.
"""

from dataclasses import dataclass

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]


def take():
    """Every row of every table Django knows of, as they stand now."""
    tables = []
    with connection.cursor() as cursor:
        names = connection.introspection.django_table_names(only_existing=True, include_views=False)
        for name in sorted(set(names) - set(_sqlite_full_text_tables(cursor))):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(name)}")  # noqa: S608 (table names from Django)
            columns = tuple(column[0] for column in cursor.description)
            tables.append(Table(name, columns, tuple(cursor.fetchall())))
    return tuple(tables)


def restore(snapshot):
    """Empty every table and put the snapshot's rows back, with each sequence set past its highest id."""
    names = [table.name for table in snapshot]
    # Rows refer to each other in circles (a page and its latest revision): the checks wait for the end.
    with connection.constraint_checks_disabled(), transaction.atomic():
        flush = connection.ops.sql_flush(no_style(), names, reset_sequences=False, allow_cascade=True)
        connection.ops.execute_sql_flush(flush)
        with connection.cursor() as cursor:
            for table in snapshot:
                if not table.rows:
                    continue
                columns = ", ".join(connection.ops.quote_name(column) for column in table.columns)
                placeholders = ", ".join(["%s"] * len(table.columns))
                cursor.executemany(
                    f"INSERT INTO {connection.ops.quote_name(table.name)} ({columns}) VALUES ({placeholders})",  # noqa: S608
                    table.rows,
                )
            for statement in connection.ops.sequence_reset_sql(
                no_style(), apps.get_models(include_auto_created=True)
            ):
                cursor.execute(statement)


def _sqlite_full_text_tables(cursor):
    """SQLite's full-text tables (the search index's): triggers keep them in step with the index entries,
    so putting those back fills them."""
    if connection.vendor != "sqlite":
        return []
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'")
    return [row[0] for row in cursor.fetchall()]
