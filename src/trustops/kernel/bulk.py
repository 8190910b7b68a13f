"""Bulk writes, and lookups by many keys, for the paths that handle thousands of rows per request (intake),
where the ORM's per-row cost dominates. Services still decide what to write and call these inside their own
transaction.

On PostgreSQL new rows go in by COPY, with their ids drawn from the table's sequence first, and changed rows
are written by one UPDATE joined to the new values sent as a single JSON parameter. Elsewhere (the embedded
SQLite) the ORM's bulk methods do the same job. Like bulk_create and bulk_update, none of these send signals.
"""
import json
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Lookup

from trustops.kernel.database import is_postgres

# Field types whose Python values psycopg writes as the ORM would send them; others get the field's own
# conversion.
PASSED_AS_IS = {"AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "DateTimeField",
                "FloatField", "IntegerField", "PositiveBigIntegerField", "PositiveIntegerField",
                "PositiveSmallIntegerField", "SlugField", "SmallIntegerField", "TextField"}
CHUNK = 1000


class OneOf(Lookup):
    """`field IN (values)` for many plain values (str, int): `Model.objects.filter(OneOf(F("field"), values))`.

    On PostgreSQL the values travel as one array parameter rather than one placeholder each, which for a
    thousand values saves most of the work of building the query and of the driver splitting it again.
    """
    lookup_name = "one_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = compiler.compile(self.lhs)
        values = list(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::{self.lhs.output_field.db_type(connection)}[])", [*lhs_params, values]
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]


def _internal_type(field) -> str:
    return (field.target_field if field.is_relation else field).get_internal_type()


def _converter(field):
    if _internal_type(field) in PASSED_AS_IS:
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def _quoted(names) -> str:
    return ", ".join(connection.ops.quote_name(name) for name in names)


_sequences: dict[str, str] = {}


def next_ids(model, count: int) -> list[int]:
    """Reserve `count` ids from the table's sequence, in increasing order. PostgreSQL only."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if table not in _sequences:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [connection.ops.quote_name(table),
                                                                     model._meta.pk.column])
            _sequences[table] = cursor.fetchone()[0]
        # The sequence named as a constant: looked up once per statement, not once per id.
        cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [_sequences[table], count])
        return [row[0] for row in cursor.fetchall()]


def copy_rows(model, columns: list[str], rows) -> None:
    """COPY rows of database values (JSON columns as JSON text) into the model's table. PostgreSQL only."""
    statement = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({_quoted(columns)}) FROM STDIN"
    # The raw cursor raises psycopg's own errors: wrap them as Django's (IntegrityError...), like any query.
    with connection.cursor() as cursor, connection.wrap_database_errors:
        with cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)


def _insert_fields(model) -> list:
    fields = [f for f in model._meta.concrete_fields if not f.generated]
    if any(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) for f in fields):
        # Those take their value in pre_save, which this path does not run.
        raise ValueError(f"{model.__name__} has auto_now fields: use bulk_create")
    return fields


def create(model, objs: list[models.Model], *,
           skip_conflicts_on: list[str] | None = None) -> list[models.Model]:
    """Insert new instances and set their ids, like bulk_create.

    With `skip_conflicts_on` (the fields of a unique constraint), a row whose key another transaction has
    inserted meanwhile is skipped instead of failing the whole transaction: the database waits for that
    transaction, and the skipped instances come back (without ids) for the caller to read back. Without it,
    nothing is skipped.
    """
    if not objs:
        return []
    if not is_postgres():
        # SQLite runs one writer at a time, so there is no concurrent insert to skip.
        model.objects.bulk_create(objs, batch_size=CHUNK)
        return []
    fields = _insert_fields(model)
    for obj, pk in zip(objs, next_ids(model, len(objs))):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    converters = [(f.attname, _converter(f)) for f in fields]

    def copy():
        copy_rows(model, [f.column for f in fields], (
            [values[name] if convert is None else convert(values[name]) for name, convert in converters]
            for values in (obj.__dict__ for obj in objs)))

    if not skip_conflicts_on:
        copy()
        return []
    # Conflicts are rare: try the fast COPY first, and only when it hits one go the way that can skip rows.
    try:
        with transaction.atomic():
            copy()
        return []
    except IntegrityError:
        return _insert_skipping_conflicts(model, objs, fields, skip_conflicts_on)


def _insert_skipping_conflicts(model, objs, fields, unique_fields: list[str]) -> list[models.Model]:
    # COPY cannot skip a conflicting row: these rows travel as one JSON parameter to INSERT ... ON CONFLICT.
    quote = connection.ops.quote_name
    plan = _json_plan(fields)
    record = ", ".join(f"{quote(f.column)} {f.db_type(connection)}" for f in fields)
    conflict = _quoted(model._meta.get_field(name).column for name in unique_fields)
    columns = _quoted(f.column for f in fields)
    # Rows go in key order, so two transactions inserting some of the same keys wait on each other in the same
    # order and cannot deadlock.
    statement = (f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "
                 f"SELECT {columns} FROM jsonb_to_recordset(%s::jsonb) AS new({record}) ORDER BY {conflict} "
                 f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {quote(model._meta.pk.column)}")
    inserted = set()
    for start in range(0, len(objs), CHUNK):
        with connection.cursor() as cursor:
            cursor.execute(statement, [_json_records(objs[start:start + CHUNK], plan)])
            inserted.update(row[0] for row in cursor.fetchall())
    skipped = [obj for obj in objs if obj.pk not in inserted]
    for obj in skipped:
        obj.pk = None
        obj._state.adding = True
        obj._state.db = None
    return skipped


def insert(model, rows: list[dict]) -> list[int]:
    """Insert rows given as {attname: value} (fields left out take their default); return their new ids.

    For rows nobody needs as model instances afterwards: building thousands of instances costs more than the
    writing.
    """
    if not rows:
        return []
    if not is_postgres():
        objs = [model(**row) for row in rows]
        model.objects.bulk_create(objs, batch_size=CHUNK)
        return [obj.pk for obj in objs]
    fields = [f for f in _insert_fields(model) if not f.primary_key]
    defaults = {f.attname: f.get_default for f in fields}
    unknown = set(rows[0]) - set(defaults)
    if unknown:
        raise TypeError(f"{model.__name__} has no fields {', '.join(sorted(unknown))}")
    plan = [(f.attname, _converter(f)) for f in fields]
    ids = next_ids(model, len(rows))

    def values(row: dict) -> list:
        out = []
        for name, convert in plan:
            value = row[name] if name in row else defaults[name]()
            out.append(value if convert is None else convert(value))
        return out

    copy_rows(model, [model._meta.pk.column, *(f.column for f in fields)],
              ([pk, *values(row)] for pk, row in zip(ids, rows)))
    return ids


def _json_value(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


_json = json.JSONEncoder(separators=(",", ":"), default=_json_value)


def _json_plan(fields) -> list:
    """How each field travels in a JSON record: JSON fields as JSON, the others as the value the ORM sends."""
    return [(f.column, f.attname, None if _internal_type(f) in PASSED_AS_IS | {"JSONField"} else
             (lambda value, f=f: f.get_db_prep_save(value, connection))) for f in fields]


def _json_records(objs, plan) -> str:
    records = []
    for obj in objs:
        values = obj.__dict__
        records.append({column: values[name] if convert is None else convert(values[name])
                        for column, name, convert in plan})
    return _json.encode(records)


def update(model, objs: list[models.Model], field_names: list[str]) -> None:
    """Write these fields of existing instances, like bulk_update.

    bulk_update builds a CASE WHEN per row and field, and binds every value as its own parameter; for a few
    hundred rows that costs more than the writes. Here the new values travel as one JSON array of records.
    """
    if not objs:
        return
    if not is_postgres():
        model.objects.bulk_update(objs, field_names, batch_size=CHUNK)
        return
    quote = connection.ops.quote_name
    pk = model._meta.pk
    fields = [model._meta.get_field(name) for name in field_names]
    record = ", ".join(f"{quote(f.column)} {f.db_type(connection)}" for f in [pk, *fields])
    table = quote(model._meta.db_table)
    assignments = ", ".join(f"{quote(f.column)} = changed.{quote(f.column)}" for f in fields)
    statement = (f"UPDATE {table} SET {assignments} FROM jsonb_to_recordset(%s::jsonb) AS changed({record}) "
                 f"WHERE {table}.{quote(pk.column)} = changed.{quote(pk.column)}")
    plan = _json_plan([pk, *fields])
    objs = sorted(objs, key=lambda obj: obj.pk)
    with connection.cursor() as cursor:
        # Two transactions updating some of the same rows must lock them in the same order or they deadlock,
        # and the UPDATE's own join order is the planner's choice. NO KEY, like the UPDATE itself, so that the
        # foreign key checks of other writers are not blocked.
        cursor.execute(f"SELECT 1 FROM {table} WHERE {quote(pk.column)} = ANY(%s) "
                       f"ORDER BY {quote(pk.column)} FOR NO KEY UPDATE", [[obj.pk for obj in objs]])
        for start in range(0, len(objs), CHUNK):
            cursor.execute(statement, [_json_records(objs[start:start + CHUNK], plan)])
