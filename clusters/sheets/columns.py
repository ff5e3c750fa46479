"""A sheet's column, declared once: how a cell is read on import and written on export, and its limits.

The same ``Column`` drives the import (header matching, parsing, required, length), the admin export, the
template workbook and its notes sheet, and the public downloads. A text column's ``max_length`` is read
from the model field it fills (``Sheet.model._meta.get_field(attribute)``), so a cell the database would
refuse (PostgreSQL: value too long; NUL) is a row error before anything is written, never a 500 on confirm.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from operator import itemgetter

from django.db.models import ForeignObjectRel
from django.utils import translation
from django.utils.translation import gettext as _

from clusters.choices import Qualifier

from .parsing import format_quantity

# Characters XML 1.0 cannot hold (so no xlsx can carry them back) and PostgreSQL refuses in text (NUL).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMULA_STARTS = frozenset(FORMULA_PREFIXES)  # each one character: ``text[:1] in FORMULA_STARTS``


@dataclass(frozen=True)
class Column:
    """One column of a sheet.

    name: the English field name (also accepted as a header); header: the Chinese template header;
    english: what the header means, shown beside it in the English UI (``RowError.column_gloss``); parser: turns a cell into a value
    (a function, or the name of a ``Lookups`` method for names the file's lookups resolve), None for text;
    attribute: the model attribute the value fills, dotted through relations ("source.title"), which
    gives ``max_length``; many: several values in one cell, each parsed and checked on its own;
    export: what an export writes: a ``values()`` path ("cluster__name") or a function of the record;
    reads: the further ``values()`` paths that function needs. For readers of the data (the data
    dictionary on /data/ and in each download): meaning, what a cell holds; unit, its unit or format;
    example, a cell as an export writes it (also the template's example when no record exists).
    """

    name: str
    header: str
    english: str = ""
    required: bool = False
    aliases: tuple = ()
    help: str = ""
    example: object = ""
    parser: Callable | str | None = None
    attribute: str = ""
    many: bool = False
    max_length: int | None = None
    export: Callable | str | None = None
    reads: tuple = ()
    width: int | None = None  # in an xlsx export; None: room for the header
    meaning: str = ""
    unit: str = ""

    def bound(self, model):
        """This column with ``max_length`` read from ``model``'s field (through relations)."""
        if not self.attribute or model is None:
            return self
        field = None
        for part in self.attribute.split("."):
            field = (field.related_model if field is not None else model)._meta.get_field(part)
        if isinstance(field, ForeignObjectRel) or field.is_relation:
            return self  # a lookup: the cell names a record, it is not stored
        return replace(self, max_length=field.max_length)

    @property
    def empty(self):
        """What an empty cell reads as: '' for text, [] for a list, None for a parsed value."""
        if self.many:
            return []
        return "" if self.parser is None else None

    @property
    def paths(self):
        """The ``values()`` paths an export of this column reads."""
        return (self.export, *self.reads) if isinstance(self.export, str) else self.reads

    def getter(self, record):
        """A function of a record like ``record`` giving this column's cell (``cell`` without its checks)."""
        if isinstance(self.export, str) and isinstance(record, dict):
            return itemgetter(self.export)
        return self.export if callable(self.export) else self.cell

    def cell(self, record):
        """The exported cell for ``record`` (a ``values()`` dict or a model instance)."""
        if callable(self.export):
            return self.export(record)
        if isinstance(record, dict):
            return record[self.export]
        return follow(record, self.export)

    def text_problem(self, text):
        """Why ``text`` cannot be stored in this column, or None."""
        if CONTROL_CHARACTERS.search(text):
            return _("含有不可见的控制字符（如 NUL），请删除后再导入")
        if self.max_length is not None and len(text) > self.max_length:
            return _("不能超过 %(limit)s 字（这里有 %(length)s 字）") % {"limit": self.max_length, "length": len(text)}
        return None


def follow(obj, path):
    """``obj.a.b`` for the path 'a__b', None when a step is None."""
    for part in path.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, part)
    return obj


def neutralise(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe (the import strips it again)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def number_cell(value, qualifier=Qualifier.EXACT, default=Qualifier.EXACT):
    """A plain number stays a number (a numeric cell in xlsx); a qualified one becomes text like '2000以上'."""
    if value is None:
        return None
    if qualifier != default:
        return format_quantity(value, qualifier, default)
    if value == value.to_integral_value():
        return int(value)
    if len(value.normalize().as_tuple().digits) <= 15:
        return float(value)
    return format_quantity(value, qualifier, default)


def label_of(field, choices):
    """An export function writing ``field``'s choice label as the import reads it back: the Chinese label,
    whatever language the export is made in (the cells are data, not interface)."""
    with translation.override(None):
        labels = {member.value: str(member.label) for member in choices}

    def label(record):
        value = record[field] if isinstance(record, dict) else getattr(record, field)
        return labels.get(value, "")

    return label
