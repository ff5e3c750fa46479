"""Querysets compiled to SQL once per process, then run with a new value for their one parameter (issue 14).

A cluster's page and API detail read eleven kinds of row for one cluster. Through the ORM each read cost 0.23 ms
at 5,025 clusters, 0.12 of it compiling the queryset (its filters, joins, select list and ORDER BY); through
``Manager.raw`` 0.10, matching columns to fields and finding converters on every call. A ``Prepared`` read keeps
the SQL, the fields its columns fill and their converters from the first compilation and builds each model
instance as Django's ModelIterable does: 0.04 ms. ``run_together`` sends several reads to PostgreSQL at once, where
each becomes a prepared statement of the connection (``_cursor``), so the server stops parsing and planning it.
"""

from contextlib import nullcontext
from typing import NamedTuple

from django.db import DEFAULT_DB_ALIAS, connections


class Statement(NamedTuple):
    """A compiled read: its model, SQL and parameters (the value goes in at ``slot``), and how a row becomes an
    instance (the fields its first columns fill, the annotations after them, the columns' converters)."""

    model: type
    sql: str
    params: tuple
    slot: int
    names: list
    annotations: list
    converters: list

    def bind(self, value):
        return (*self.params[: self.slot], value, *self.params[self.slot + 1 :])


class Prepared:
    """The rows that ``build(value)``'s queryset reads, for any value: compiled once per process and database
    with ``placeholder`` (a value no row has) standing for the parameter. The queryset may select its own
    model's columns and annotations (which become attributes), nothing through select_related."""

    def __init__(self, build, placeholder):
        self.build, self.placeholder = build, placeholder
        self._compiled = {}

    def __call__(self, value, using=DEFAULT_DB_ALIAS):
        return run_together([self], value, using)[0]

    def statement(self, connection, using):
        key = (using, connection.vendor)
        if key not in self._compiled:
            self._compiled[key] = self._compile(using)
        return self._compiled[key]

    def _compile(self, using):
        queryset = self.build(self.placeholder)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = [index for index, param in enumerate(params) if param == self.placeholder]
        if len(slots) != 1:
            raise ValueError(f"{queryset.model.__name__}: the value must be one parameter of the query")
        fields = compiler.klass_info["select_fields"]
        if compiler.klass_info.get("related_klass_infos") or fields != list(range(len(fields))):
            raise ValueError(f"{queryset.model.__name__}: only the model's own columns, then annotations")
        return Statement(
            model=queryset.model,
            sql=sql,
            params=tuple(params),
            slot=slots[0],
            names=[compiler.select[position][0].target.attname for position in fields],
            annotations=sorted(compiler.annotation_col_map.items(), key=lambda item: item[1]),
            converters=list(compiler.get_converters([column for column, _, _ in compiler.select]).items()),
        )


def run_together(reads, value, using=DEFAULT_DB_ALIAS):
    """Each of ``reads``' rows (model instances) for ``value``, in order.

    PostgreSQL receives them in one pipeline (psycopg's pipeline mode: one round trip for all). The eleven reads of
    a cluster's page took 1.08 ms of this process's CPU and 3.3 ms of wall time one after another, 0.44 and 1.3
    together. Other databases run them one after another."""
    connection = connections[using]
    statements = [read.statement(connection, using) for read in reads]
    together = connection.vendor == "postgresql" and len(statements) > 1
    cursors = []
    try:
        for _ in statements:  # before the pipeline opens, so that Django's health check runs outside it
            cursors.append(_cursor(connection))
        # An error surfaces when the pipeline syncs, outside any cursor: Django's wrapper still translates it.
        with connection.wrap_database_errors, connection.connection.pipeline() if together else nullcontext():
            for cursor, statement in zip(cursors, statements, strict=True):
                cursor.execute(statement.sql, statement.bind(value))
        results = [cursor.fetchall() for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()
    return [_instances(statement, rows, connection, using) for statement, rows in zip(statements, results, strict=True)]


def _cursor(connection):
    """Django's cursor, or on PostgreSQL, where the connection may prepare statements (``prepare_threshold`` in the
    database's OPTIONS, set in settings.py), Django's cursor that binds parameters on the server, with what
    ``connection.cursor()`` adds (the health check, query logging, error translation).

    psycopg prepares a statement that a server-binding cursor has run ``prepare_threshold`` times on a connection,
    and PostgreSQL then stops parsing and planning it. A compiled read's SQL never changes, which is the case
    prepared statements are for: at 5,025 clusters, in one process, a cluster's API detail took 6.0 ms of wall time
    unprepared and 4.3 prepared, its page 7.7 and 5.4 (issue 14). Django's own cursors bind on the client and are
    never prepared."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    if connection.connection.prepare_threshold is None:
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    with connection.wrap_database_errors:
        return connection._prepare_cursor(ServerBindingCursor(connection.connection))


def _instances(statement, rows, connection, using):
    instances = []
    for row in rows:
        if statement.converters:
            row = list(row)
            for position, (functions, expression) in statement.converters:
                for function in functions:
                    row[position] = function(row[position], expression, connection)
        instance = statement.model.from_db(using, statement.names, row[: len(statement.names)])
        for name, position in statement.annotations:
            setattr(instance, name, row[position])
        instances.append(instance)
    return instances
