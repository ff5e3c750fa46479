"""A sheet kind's data dictionary, read from its columns' declarations: each column's header, field name,
meaning, unit or format, and an example cell.

The /data/ page shows it as a table and every xlsx download carries it as its 说明 sheet; both call
``entries``, so what a column means is written once, beside how it is parsed and exported.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from . import registry
from .columns import Column


@dataclass(frozen=True)
class Entry:
    header: str  # the Chinese header the file writes (and the import reads)
    name: str  # an English header the import accepts (the field name)
    english: str  # what the header means, for the English page
    meaning: str
    unit: str
    example: str


def entries(kind):
    """One Entry per column a download of ``kind`` writes, in the file's order, in the active language."""
    return [
        Entry(
            header=column.header,
            name=_english_header(column),
            english=column.english,
            meaning=str(column.meaning or column.help),
            unit=str(column.unit),
            example="" if column.example in (None, "") else str(column.example),
        )
        for column in registry.get(kind).export_columns()
    ]


def _english_header(column):
    """The English header the import accepts for ``column``: its field name, or for a column whose name is
    internal (an evaluation dimension's ``score:协同创新``) the first ASCII alias (the dimension's code)."""
    return next((header for header in (column.name, *column.aliases) if header.isascii()), column.name)


def headings():
    """The dictionary's own columns (as an xlsx sheet writes them), in the active language."""
    return (
        Column("header", _("列名"), width=14),
        Column("name", _("英文字段名"), width=20),
        Column("meaning", _("含义"), width=90),
        Column("unit", _("单位或格式"), width=26),
        Column("example", _("示例"), width=48),
    )


def rows(kind):
    """The dictionary as rows of cells under ``headings()``."""
    return [[entry.header, entry.name, entry.meaning, entry.unit, entry.example] for entry in entries(kind)]
