"""Bulk inserts and updates that keep history, preparing each column once instead of each value.

simple-history's ``bulk_create_with_history`` goes through Django's ``bulk_create`` twice (records, then
history rows), and Django builds a model instance per row and compiles every value through its field
(``pre_save``, ``get_db_prep_save``, a placeholder each): for a 10,000-row import that was three quarters
of the time, the database itself needing a tenth. Here each column's converter is chosen once and rows go
in by the database's fastest path (``COPY`` on PostgreSQL; multi-row ``INSERT … RETURNING`` and
``executemany`` on SQLite), leaving the same rows simple-history writes (``+`` on create, ``~`` on update,
user, reason, one date). Like ``bulk_create``, no ``save()`` runs and no signal is sent: callers bump the
cache version.
"""

import itertools
from decimal import Decimal
from operator import attrgetter, itemgetter

from django.db import connections, router
from django.db.models import CharField, DateField, DecimalField, TextField
from django.utils import timezone

BATCH_SIZE = 500
SLICE = 10_000  # rows prepared, inserted and given history at a time
MAX_PARAMETERS = 32_000  # per statement: SQLite allows 32,766, PostgreSQL 65,535
REASON_LENGTH = 100  # simple-history's history_change_reason
HISTORY_COLUMNS = ("history_date", "history_change_reason", "history_type", "history_user_id")
# Columns whose Python value is already what the database adapter takes.
AS_IS = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
    "BooleanField",
    "ForeignKey",
    "OneToOneField",
}


def change_reason(text):
    """``text`` cut to simple-history's 100-character reason column, so a long file name cannot fail a write.

    The import log keeps the whole file name; the history needs only enough of it to be recognised.
    """
    return text if not text or len(text) <= REASON_LENGTH else text[: REASON_LENGTH - 1] + "…"


def insert_with_history(model, rows, *, user=None, reason="", batch_size=BATCH_SIZE):
    """Insert ``rows`` ({attname: value}; absent fields take their defaults) and their creation history.

    -> the new primary keys, in the order of ``rows``. The model's primary key must be automatic.
    """
    meta = model._meta
    if not meta.pk.get_internal_type().endswith("AutoField"):
        raise ValueError(f"insert_with_history() needs an automatic primary key; {meta.label} has none")
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    now = timezone.now()
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    columns = [field.column for field in fields]
    names = [meta.pk.attname, *(field.attname for field in fields)]
    filled, pks = _filled(rows, fields, now), []
    # A slice at a time, records then their history: 100,000 rows never exist three times over in memory.
    while values := [tuple(row) for row in itertools.islice(filled, SLICE)]:
        prepared = _converted(values, fields, connection)
        keys = _insert(connection, meta.db_table, columns, prepared, batch_size, key=meta.pk.column)
        history = [(pk, *row) for pk, row in zip(keys, prepared, strict=True)]
        _insert_history(model, names, history, "+", user, reason, now, connection)
        pks.extend(keys)
    return pks


def _filled(rows, fields, now):
    """Each row's values for ``fields`` in order: its own, else the field's default; timestamps ``now``.

    Defaults are read once per column (a callable default once per row), not once per cell.
    """
    spec = []
    for field in fields:
        if isinstance(field, DateField) and (field.auto_now or field.auto_now_add):
            spec.append((field.attname, None, now))
        elif field.has_default() and callable(field.default):
            spec.append((field.attname, field.get_default, None))
        else:
            spec.append((field.attname, None, field.get_default()))
    stamped = {name for name, _call, value in spec if value is now}
    for row in rows:
        yield [
            now if name in stamped else row[name] if name in row else (call() if call else default)
            for name, call, default in spec
        ]


def create_with_history(model, objs, *, user=None, reason=""):
    """``insert_with_history`` for unsaved model instances: sets each one's primary key; -> ``objs``."""
    objs = list(objs)
    if any(obj.pk is not None for obj in objs):
        raise ValueError("create_with_history() inserts new rows only")
    names = [field.attname for field in model._meta.concrete_fields if not field.primary_key]
    pks = insert_with_history(
        model, [{name: getattr(obj, name) for name in names} for obj in objs], user=user, reason=reason
    )
    alias = router.db_for_write(model)
    for obj, pk in zip(objs, pks, strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, alias
    return objs


def update_with_history(model, objs, fields, *, user=None, reason=""):
    """Save ``fields`` (names) of saved ``objs`` with one ``executemany`` UPDATE, and record the change."""
    objs = list(objs)
    if not objs:
        return
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    now = timezone.now()
    targets = [meta.get_field(name) for name in fields]
    for field in meta.concrete_fields:
        if isinstance(field, DateField) and field.auto_now:
            for obj in objs:
                setattr(obj, field.attname, now)
            if field not in targets:
                targets.append(field)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(meta.db_table)} SET {', '.join(f'{quote(f.column)} = %s' for f in targets)} "
            f"WHERE {quote(meta.pk.column)} = %s",
            [(*row, obj.pk) for row, obj in zip(_read(objs, targets, connection), objs, strict=True)],
        )
    all_fields = meta.concrete_fields
    rows = _read(objs, all_fields, connection)
    _insert_history(model, [field.attname for field in all_fields], rows, "~", user, reason, now, connection)


def _insert_history(model, names, rows, history_type, user, reason, when, connection):
    """The history rows for ``rows`` (prepared values, columns ``names``), as simple-history writes them."""
    history = model.history.model
    tracked = [field.attname for field in history.tracked_fields]
    unfilled = {f.attname for f in history._meta.concrete_fields} - {*tracked, "history_id", *HISTORY_COLUMNS}
    if unfilled:
        raise ValueError(f"{history.__name__} has columns this writer does not fill: {sorted(unfilled)}")
    reason = change_reason(reason)
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    tail = (connection.ops.adapt_datetimefield_value(when), reason or None, history_type, user_id)
    pick = itemgetter(*(names.index(name) for name in tracked))
    columns = [history._meta.get_field(name).column for name in (*tracked, *HISTORY_COLUMNS)]
    _insert(connection, history._meta.db_table, columns, [(*pick(row), *tail) for row in rows])


def _insert(connection, table, columns, rows, batch_size=BATCH_SIZE, key=None):
    """Insert prepared ``rows``; -> the new values of the ``key`` column (the primary key), in row order.

    Measured on 10,000 rows (docs/performance.md): on PostgreSQL, keys drawn from the table's sequence
    and ``COPY`` take a third of the time of multi-row INSERTs (Django's cursors bind on the client);
    on SQLite, multi-row ``INSERT … RETURNING`` and ``executemany`` are the fast paths.
    """
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            keys = []
            if key:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [quote(table), key, len(rows)],
                )
                keys = [value for (value,) in cursor.fetchall()]
                columns, rows = [key, *columns], [(value, *row) for value, row in zip(keys, rows, strict=True)]
            copy_sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
            # The raw cursor's copy() bypasses Django's error mapping: a unique violation must still be
            # django.db.IntegrityError for the caller.
            with connection.wrap_database_errors, cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
            return keys
        head = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES "
        one_row = "(" + ", ".join(["%s"] * len(columns)) + ")"
        if not key:
            cursor.executemany(head + one_row, rows)
            return []
        keys, size = [], min(batch_size, MAX_PARAMETERS // len(columns))
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            # SQLite returns rows in insertion order; Django's bulk_create relies on that too.
            cursor.execute(
                f"{head}{', '.join([one_row] * len(batch))} RETURNING {quote(key)}",
                [value for row in batch for value in row],
            )
            keys.extend(value for (value,) in cursor.fetchall())
        return keys


def _read(objs, fields, connection):
    """[(database value, …) per model instance] for ``fields``."""
    read = attrgetter(*(field.attname for field in fields))
    return _converted([read(obj) if len(fields) > 1 else (read(obj),) for obj in objs], fields, connection)


def _converted(rows, fields, connection):
    """Python values -> database values, each column's converter chosen once."""
    converters = [(index, convert) for index, field in enumerate(fields) if (convert := _converter(field, connection))]
    if not converters:
        return rows
    converted = []
    for row in rows:
        row = list(row)
        for index, convert in converters:
            row[index] = convert(row[index])
        converted.append(tuple(row))
    return converted


def _converter(field, connection):
    """How a column's Python value becomes a database value; None where it already is one."""
    if isinstance(field, CharField | TextField):
        return _text  # TextChoices members become their plain value
    if field.get_internal_type() in AS_IS:
        return None
    if isinstance(field, DecimalField):  # both drivers take a finite Decimal as it is

        def decimal(value):
            if value.__class__ is Decimal and value.is_finite():
                return value
            return field.get_db_prep_save(value, connection)

        return decimal
    last = []

    def prepare(value):
        # One timestamp fills every created_at/updated_at of a batch: convert it once.
        if last and last[0] is value:
            return last[1]
        prepared = field.get_db_prep_save(value, connection)
        last[:] = [value, prepared]
        return prepared

    return prepare


def _text(value):
    return None if value is None else str(value)
