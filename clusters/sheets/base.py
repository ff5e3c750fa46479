"""What every sheet kind shares: its columns, the role scope per row, comparing with the stored records
by key, writing in bulk with history, and exporting rows that the import reads back unchanged.

A kind (``clusters/sheets/kinds/<kind>.py``) declares ``kind``, ``title``, ``model``, ``columns`` and
``parse(row) -> (key, fields)``; a flat kind (measures, targets, indicator values) also names its
``key_fields`` and inherits the rest from ``FactSheet``. An import runs

    sheet = Kind(lookups, user, reason); for each row: sheet.accept(number, *sheet.parse(row))
    sheet.compare() -> (row number, status, key, changes) per row; sheet.write()

Comparing loads the stored rows as ``values()`` dicts by key (not model instances: an unchanged re-import of
100,000 rows built 100,000 instances to find nothing to do) and fetches instances only for rows that change.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from clusters import scoping
from clusters.bulk import insert_with_history, update_with_history
from clusters.choices import Qualifier
from clusters.formatting import plain

from .columns import FORMULA_STARTS
from .lookups import PendingSource
from .results import NEW, UNCHANGED, UPDATED
from .rows import reader

RAW_TYPES = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DecimalField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
}
CHUNK = 500  # ids per IN (...) list
WRITE_BATCH = 5000  # rows inserted between two looks at the job (progress, cancel)
EXPORT_CHUNK = 1000  # rows per fetch while streaming an export


def id_in(column, ids, model):
    """``column IN (ids)`` for a chunk of integer ids read from the database, written into the SQL: Django's
    ``__in`` prepares and binds a parameter per id, which cost as much as running the query (1,000 ids).

    PostgreSQL gets them as one array, ``= ANY('{…}')``: an IN list is planned as 1,000 values, each parsed and
    typed. At 5,025 clusters a chunk's query for its city links took 3.5 ms of wall time with the list, 2.2 with
    the array."""
    quote = connection.ops.quote_name
    name = f"{quote(model._meta.db_table)}.{quote(column)}"
    values = ",".join(str(int(value)) for value in ids)
    sql = f"{name} = ANY('{{{values}}}'::bigint[])" if connection.vendor == "postgresql" else f"{name} IN ({values})"
    return RawSQL(sql, [], output_field=BooleanField())


def chunks(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Sheet:
    """A sheet kind. Subclasses declare the class attributes below; columns get their limits from ``model``."""

    kind = ""  # "indicator-values": the command's KIND and the URL's name
    title = ""  # the worksheet title of exports and templates, and the kind's label ("指标值")
    sheet_names = ()  # further worksheet titles that mark this kind's sheet in a workbook
    model = None
    columns = ()
    key_column = "cluster"  # where a duplicate key is reported
    key_label = ""  # what makes two rows the same record, for the duplicate message
    export_order = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if isinstance(cls.__dict__.get("columns"), tuple):
            cls.columns = tuple(column.bound(cls.model) for column in cls.columns)

    progress = None  # services.Progress, set by run_import: told of rows written, may cancel between batches

    def __init__(self, lookups, user=None, reason=""):
        self.lookups, self.user, self.reason = lookups, user, reason
        self.items, self.to_create, self.to_update = [], [], []
        self.mapping, self.headers, self.readers = {}, {}, {}  # set by ``prepare`` once the header row is found
        self._columns = {column.name: column for column in self.columns}
        self._cluster_answers = {}  # cluster id -> refusals: a sheet names the same clusters many times

    def column(self, name):
        return self._columns.get(name)

    def prepare(self, mapping, headers):
        """The file's header row is known: {column name: cell index} and the headers as written. Each
        present column's reader is chosen once here, not once per cell."""
        self.mapping, self.headers = mapping, headers
        self.readers = {
            name: (index, self.column(name), reader(self.column(name), self.lookups)) for name, index in mapping.items()
        }
        # what ``Row.cells`` needs of each column, flat: it runs once per row of files of 100,000 rows
        self.plan = [
            (name, index, column.required, column.many, read) for name, (index, column, read) in self.readers.items()
        ]
        self.empty_cells = {column.name: column.empty for column in self.columns if not column.many}

    # ------------------------------------------------------------------------------------------ import

    def parse(self, row):
        """-> (key, fields) for a good row, None (with errors on the row) for a bad one."""
        raise NotImplementedError

    def accept(self, number, key, fields):
        self.items.append((number, key, fields))

    def compare(self):
        raise NotImplementedError

    def write(self):
        raise NotImplementedError

    def label(self, key):
        """How the preview names the record with this key."""
        return " · ".join(str(part) for part in key)

    def header(self, name):
        """The Chinese header of the column that sets field ``name``."""
        column = self.column(name.removesuffix("_id"))
        return column.header if column else name

    def check_scope(self, row, action="add", *, error_column="cluster", **write):
        """The role scope (``clusters.scoping.check_write``) for one row: a refusal is an error in the cell
        it concerns (the field-keyed ValidationError names it; PermissionDenied goes to ``error_column``).
        """
        for column, message in self.scope_refusals(action, error_column=error_column, **write):
            row.error(column, message)

    def scope_refusals(self, action, *, error_column="cluster", **write):
        """[(column, message)] for what ``check_write`` refuses of this write; [] when it allows it."""
        refusals = []
        try:
            scoping.check_write(self.user, self.model, action, **write)
        except PermissionDenied as error:
            refusals.append((error_column, str(error)))
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                refusals.append((field if self.column(field) else error_column, messages[0]))
        return refusals

    def cluster_of(self, row, cluster_id):
        """``cluster_id`` (the row's cluster, None: programme-wide) checked against the user's scope."""
        if "cluster" in row.failed:  # a name not found: nothing to check
            return None
        refusals = self._cluster_answers.get(cluster_id)
        if refusals is None:
            refusals = self._cluster_answers[cluster_id] = self.scope_refusals("add", cluster=cluster_id)
        for column, message in refusals:
            row.error(column, message)
        return cluster_id

    # ------------------------------------------------------------------------------------------ export

    @classmethod
    def export_columns(cls):
        return cls.columns

    @classmethod
    def export_queryset(cls, queryset=None):
        """The records an export writes (``queryset`` narrows them: the admin list's filters)."""
        queryset = cls.model.objects.all() if queryset is None else queryset
        return queryset.order_by(*cls.export_order) if cls.export_order else queryset

    @classmethod
    def export_records(cls, queryset, columns):
        """``values()`` dicts, fetched a chunk at a time: an export of 100,000 rows holds 1,000 at once."""
        paths = list(dict.fromkeys(path for column in columns for path in column.paths))
        return queryset.values(*paths).iterator(chunk_size=EXPORT_CHUNK)

    @classmethod
    def export_rows(cls, queryset=None, columns=None, limit=None):
        """Each record as the list of its cells, formula-looking text neutralised."""
        columns = cls.export_columns() if columns is None else columns
        queryset = cls.export_queryset(queryset)
        getters = None
        for record in cls.export_records(queryset[:limit] if limit else queryset, columns):
            if getters is None:  # each column's way to its cell, chosen once: 17 cells × 5,000 rows add up
                getters = [column.getter(record) for column in columns]
            cells = [get(record) for get in getters]
            # `neutralise`, inlined: it ran for every cell
            yield [("'" + cell) if isinstance(cell, str) and cell[:1] in FORMULA_STARTS else cell for cell in cells]


class FactSheet(Sheet):
    """Flat records with a natural key and a source: measures, targets, indicator values.

    ``parse`` returns (key, fields); the key's parts are ``key_fields`` (attnames), ``fields`` the values
    the row sets. "source" is the Source (or PendingSource) the row's 来源 names, or None when it names
    none: such a row keeps its source when nothing else changes, so a re-import changes nothing, and a new
    or changed figure cites this submission (``Lookups.default_source``).
    """

    key_fields = ()
    describe_new = False  # set for a preview of every row: a new row then shows what its cells were read as
    _float_decimals = frozenset()  # decimal columns read raw from SQLite, as floats (``_fetch``)
    # field -> the column that shows it in the preview, where they differ (qualifier is part of 数值)
    field_columns = {}

    @staticmethod
    def unit_known(row, unit):
        """Figures are converted into the indicator's unit, so an indicator without one is a row error."""
        if unit is None:
            row.error("indicator", _("该指标的单位无法识别，请先在后台修正指标"))
        return unit is not None

    def stored(self, keys, names):
        """{key: (pk, values of ``names``…)} for the stored records among ``keys`` (``stored_values``)."""
        raise NotImplementedError

    def stored_values(self, queryset, names):
        """{key: tuple} from ``queryset``: plain tuples, not model instances, so that finding 100,000
        unchanged rows costs one fetch and a comparison each."""
        columns = ["pk", *self.key_fields, *(self._stored_name(name) for name in names)]
        key = slice(1, 1 + len(self.key_fields))
        # unordered: the model's default ordering would join three tables and sort every stored row
        return {values[key]: values for values in self._fetch(queryset.order_by(), columns)}

    def _fetch(self, queryset, columns):
        """The rows of ``columns``. SQLite hands a decimal over as a float, of which Django makes a Decimal
        (the dearest part of finding 100,000 unchanged rows): there the rows are read raw and a decimal is
        compared as the float SQLite holds (``_same``), as exact as the Decimal Django would make of it.
        Only for columns whose raw value compares as it is (numbers, text, ids, booleans as 0/1)."""
        meta = self.model._meta
        fields = [meta.pk if column == "pk" else meta.get_field(column) for column in columns]
        if connection.vendor != "sqlite" or any(field.get_internal_type() not in RAW_TYPES for field in fields):
            return queryset.values_list(*columns)
        self._float_decimals = {
            column for column, field in zip(columns, fields, strict=True) if field.get_internal_type() == "DecimalField"
        }
        sql, params = queryset.values_list(*columns).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    @staticmethod
    def _stored_name(name):
        return "source_id" if name == "source" else name

    def compare(self):
        names = sorted({name for _number, _key, fields in self.items for name in fields})
        first = 1 + len(self.key_fields)
        self._at = {name: first + position for position, name in enumerate(names)}
        existing = self.stored([key for _number, key, _fields in self.items], names)
        as_stored = [(name, self._as_stored(name)) for name in names]
        count = len(names)
        for number, key, fields in self.items:
            stored = existing.get(key)
            if (
                stored is not None
                and len(fields) == count
                and stored[first:] == tuple(form(fields[name]) for name, form in as_stored)
            ):  # the common case of a re-import, in one comparison; any doubt goes the long way below
                yield number, UNCHANGED, key, ()
                continue
            if stored is None:
                if fields.get("source") is None:
                    fields["source"] = self.lookups.default_source()
                shown = self.new_changes(key, fields) if self.describe_new else ()
                fields.update(zip(self.key_fields, key, strict=True))  # the same dict: no second copy per row
                self.to_create.append(fields)
                yield number, NEW, key, shown
                continue
            changed = [
                name
                for name, value in fields.items()
                if not (name == "source" and value is None) and not self._same(stored, name, value)
            ]
            if not changed:
                yield number, UNCHANGED, key, ()
                continue
            if fields.get("source") is None:  # the new figure comes from this submission
                fields["source"] = self.lookups.default_source()
                if not self._same(stored, "source", fields["source"]):
                    changed.append("source")
            self.to_update.append((stored[0], {name: fields[name] for name in changed}))
            changes = [
                (self._header(name), self.show(stored, name), self.show_new(name, fields[name])) for name in changed
            ]
            yield number, UPDATED, key, changes

    def new_changes(self, key, fields):
        """A new row's fields as parsed, in the preview's (header, old, new) shape: “约2500亿元” is shown as
        the value and qualifier it was read as before anyone confirms."""
        return [
            (self._new_header(name), "", self.show_new(name, value))
            for name, value in fields.items()
            if value is not None and value != ""
        ]

    def _new_header(self, name):
        if name in self.field_columns:  # read from another field's cell (约 from 数值): the model's own name
            return str(self.model._meta.get_field(name).verbose_name)
        return self._header(name)

    def _header(self, name):
        return self.header(self.field_columns.get(name, name))

    def _as_stored(self, name):
        """A parsed value as ``stored`` holds it, for comparing a whole row at once (``_same`` per field)."""
        if name == "source":
            return lambda source: None if source is None else source.pk
        if name in self._float_decimals:
            return lambda value: None if value is None else float(value)
        return lambda value: value

    def _same(self, stored, name, value):
        if name == "source":
            return stored[self._at["source"]] == value.pk
        held = stored[self._at[name]]
        if name in self._float_decimals and held is not None and value is not None:
            # SQLite keeps a decimal of more than 15 digits as the text it was given
            return Decimal(held) == value if held.__class__ is str else held == float(value)
        return held == value

    def show(self, stored, name):
        if name == "source":  # from the sources read once per file: stored rows are loaded without a join
            return self.lookups.source_code(stored[self._at["source"]])
        held = stored[self._at[name]]
        if name in self._float_decimals and held is not None:
            held = Decimal(held if held.__class__ is str else repr(held))  # raw from SQLite: shown as Django would
        return self._display(name, held)

    def show_new(self, name, value):
        if name == "source":
            return (
                value.code if not isinstance(value, PendingSource) else _("%(title)s（新建）") % {"title": value.title}
            )
        return self._display(name, value)

    def _display(self, name, value):
        if value is None:
            return ""
        if name.endswith("_id"):
            index = {"cluster_id": "clusters", "indicator_id": "indicators", "category_id": "categories"}[name]
            return str(getattr(self.lookups, index).labels.get(value, value))
        if hasattr(value, "normalize"):
            return plain(value)
        if name == "qualifier":
            return str(Qualifier(value).label)
        if isinstance(value, bool):
            return _("是") if value else _("否")
        return str(value)

    def write(self):
        for fields in self.to_create:
            fields["source_id"] = fields.pop("source").pk
        written = 0
        for start in range(0, len(self.to_create), WRITE_BATCH):
            batch = self.to_create[start : start + WRITE_BATCH]
            insert_with_history(self.model, batch, user=self.user, reason=self.reason)
            written += len(batch)
            if self.progress is not None:
                self.progress.written(written)
        changes = dict(self.to_update)
        names, objs = set(), []
        for pks in chunks(changes):
            for obj in self.model.objects.filter(pk__in=pks):
                for name, value in changes[obj.pk].items():
                    if name == "source":
                        obj.source_id = value.pk
                    else:
                        setattr(obj, name, value)
                    names.add(name.removesuffix("_id"))
                objs.append(obj)
        update_with_history(self.model, objs, sorted(names), user=self.user, reason=self.reason)
