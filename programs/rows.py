"""Rows of hand-written SQL made back into model instances, as the ORM makes them.

A few reads run on every request of a busy page: the patient's link and plan
(programs/plan/reads.py) and the therapist's patient list (selectors). Django
builds and compiles their querysets each time at several times the cost of
running their SQL (issue 14's benches), so they are written out once. A row's
columns become an instance through the fields' own database converters and
Model.from_db, so what comes back is what the ORM would have made; the tests
compare each read with its ORM twin on SQLite and PostgreSQL.
"""

import dataclasses
import datetime
import functools

from django.db import connection
from django.db.models import Model


@dataclasses.dataclass(frozen=True)
class Table:
    """A model's columns, selected under an alias, and a row's slice made back
    into an instance."""

    model: type[Model]
    alias: str
    only: tuple[str, ...] = ()  # these fields alone (the others deferred); else all

    @functools.cached_property
    def fields(self) -> list:
        fields = self.model._meta.concrete_fields
        return [f for f in fields if not self.only or f.name in self.only or f.primary_key]

    @functools.cached_property
    def attnames(self) -> list[str]:
        return [field.attname for field in self.fields]

    def columns(self) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{quote(field.column)}" for field in self.fields)

    @functools.cached_property
    def converters(self) -> list[tuple[int, list, object]]:
        """Each column's converters, as the ORM's compiler finds them (they depend
        on the backend only: one per process)."""
        found = []
        for index, field in enumerate(self.fields):
            column = field.get_col(self.alias)
            functions = connection.ops.get_db_converters(column) + column.get_db_converters(
                connection
            )
            if functions:
                found.append((index, functions, column))
        return found

    def build(self, row: tuple, start: int) -> Model:
        values = list(row[start : start + len(self.fields)])
        for index, functions, column in self.converters:
            for convert in functions:
                values[index] = convert(values[index], column, connection)
        return self.model.from_db(connection.alias, self.attnames, values)


def table_name(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def date_value(value) -> datetime.date | None:
    """A date an aggregate returned: SQLite gives its text, PostgreSQL a date."""
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value)
