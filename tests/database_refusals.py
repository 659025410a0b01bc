"""What PostgreSQL refuses and SQLite stores, refused on SQLite too.

The suite runs on both. A NUL character in text goes into SQLite without a
word, where PostgreSQL's driver raises ValueError (a 500 in production). Tests
of hostile input send their requests inside `refusing_nul_characters()`, so
they fail on SQLite as they would on PostgreSQL. (An integer beyond 64 bits
SQLite refuses by itself, with OverflowError.)
"""

from django.db import connection

NUL_REFUSED = "A string literal cannot contain NUL (0x00) characters."  # psycopg's words


def _refuse_nul(execute, sql, params, many, context):
    rows = list(params) if many else [params]
    for row in rows:
        values = row.values() if isinstance(row, dict) else row or ()
        if any(isinstance(value, str) and "\x00" in value for value in values):
            raise ValueError(NUL_REFUSED)
    return execute(sql, rows if many else params, many, context)


def refusing_nul_characters():
    """A context manager: every query in it refuses text with a NUL, as PostgreSQL does."""
    return connection.execute_wrapper(_refuse_nul)
