"""Model instances from rows read with hand-written SQL, converted exactly as the ORM would convert them."""
from functools import cache

from django.db import connection


def columns(model, alias: str = "") -> str:
    """The model's concrete columns in field order, for `SELECT` or `RETURNING`."""
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + field.column for field in model._meta.concrete_fields)


def instance(model, row):
    """The instance for a row of `columns(model)`: JSON parsed, SQLite's text dates made datetimes, and so on."""
    names, converters = _converters(model, connection.vendor)
    values = list(row)
    for index, field_converters in converters:
        for converter, expression in field_converters:
            values[index] = converter(values[index], expression, connection)
    return model.from_db(connection.alias, names, values)


@cache
def _converters(model, vendor: str):
    names, converters = [], []
    for index, field in enumerate(model._meta.concrete_fields):
        names.append(field.attname)
        column = field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converters.append((index, [(converter, column) for converter in found]))
    return names, converters
