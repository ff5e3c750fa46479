"""What reading a spreadsheet file may end in: a refusal (``FileRejected``) with a message a clerk understands,
the limits it is measured against, and the rows it yields (``Table``)."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import pgettext


class FileRejected(Exception):
    """The file as a whole cannot be read; the message says why and what to do."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limits:
    upload: int
    uncompressed: int
    shared_strings: int
    rows: int
    cells: int

    @classmethod
    def from_settings(cls):
        from django.conf import settings

        return cls(
            upload=settings.IMPORT_MAX_UPLOAD_SIZE,
            uncompressed=settings.IMPORT_MAX_UNCOMPRESSED_SIZE,
            shared_strings=settings.IMPORT_MAX_SHARED_STRINGS,
            rows=settings.IMPORT_MAX_ROWS,
            cells=settings.IMPORT_MAX_CELLS,
        )


@dataclass
class CellProblem:
    """A cell the reader cannot hand over (an uncomputed formula, a merged range)."""

    row: int | None  # Excel's row number; None: somewhere in the sheet (an ods's merged cells)
    column: int | None  # 0-based index
    message: str


@dataclass
class Table:
    format: str  # "xlsx", "xls", "ods" or "csv"
    name: str  # the sheet's title, or the encoding for csv
    rows: object  # iterator of (Excel row number, tuple of cell values)
    problems: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    total: int | None = None  # the rows the sheet spans (header included), when known before reading


def damaged(kind="xlsx"):
    return FileRejected(_("%(kind)s 文件已损坏，无法打开。请在 Excel 中打开并重新保存后再导入。") % {"kind": kind})


def megabytes(size):
    return f"{size / 1024 / 1024:.0f}"


def too_many(what, count, limit, exact=True):
    if exact:
        message = _("工作表有 %(count)s %(what)s，超过上限 %(limit)s。请拆分成几个文件分别导入。")
    else:
        message = _("工作表超过 %(limit)s %(what)s的上限。请拆分成几个文件分别导入。")
    return FileRejected(message % {"count": f"{count:,}", "what": what, "limit": f"{limit:,}"})


def check_extent(rows, columns, limits):
    """calamine allocates every cell of the sheet's bounding box: rows × columns must stay within the limit."""
    if rows > limits.rows + 1:  # the header row comes on top of the data rows
        raise too_many(pgettext("数量单位", "行"), rows, limits.rows)
    if rows * columns > limits.cells:
        raise FileRejected(
            _(
                "工作表的数据区域跨 %(rows)s 行 × %(columns)s 列（%(cells)s 个单元格），超过上限 %(limit)s 个单元格。"
                "请删除远处的空白格式或拆分文件后再导入。"
            )
            % {"rows": f"{rows:,}", "columns": columns, "cells": f"{rows * columns:,}", "limit": f"{limits.cells:,}"}
        )


def encrypted():
    return FileRejected(
        _("文件设置了打开密码，无法读取。请在 Excel 中取消密码（文件→信息→保护工作簿）后重新保存再导入。")
    )
