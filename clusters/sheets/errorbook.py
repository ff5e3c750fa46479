"""The error workbook: the clerk's own file back, their rows in their order and columns, with a 错误 column
that says what is wrong in each failed row (and 无误 in the rows that were fine). They fix it in Excel and
upload it again; the import ignores the 错误 column."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from . import registry
from .reading import read_sheet
from .rows import ERROR_HEADER

FINE = "无误"  # the 错误 cell of a row that was fine (a cell of the clerk's data: Chinese in every UI language)
FAILED_FILL = PatternFill("solid", fgColor="FCE4E4")


def has_row_errors(result):
    """Whether the error workbook has anything to say: some data row failed (not only the header, not the
    file as a whole)."""
    messages = result.row_messages or {}
    return any(number != result.header_row for number in messages)


def error_workbook(data, kind, result):
    """xlsx bytes of ``data`` (the uploaded file) with the 错误 column, from a result run with ``keep_rows``."""
    table = read_sheet(data, sheet_names=registry.worksheet_names(kind))
    rows = [(number, _trimmed(values)) for number, values in table.rows]
    header = next((values for number, values in rows if number == result.header_row), ())
    if ERROR_HEADER in header:  # an error workbook uploaded again: its 错误 column is rewritten in place
        at = header.index(ERROR_HEADER)
    else:
        at = max((len(values) for _number, values in rows), default=0)
    messages = result.row_messages or {}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.name if table.format != "csv" else registry.get(kind).title)
    last = 0
    for number, values in rows:
        for _gap in range(last + 1, number):  # keep Excel's row numbers: the messages name them
            sheet.append([])
        last = number
        cells = [_cell(sheet, value) for value in values]
        cells += [None] * (at + 1 - len(cells))
        if number == result.header_row:
            mark = WriteOnlyCell(sheet, ERROR_HEADER)
            mark.font = Font(bold=True)
        elif result.header_row is None or number < result.header_row or not any(values):
            mark = None
        elif number in messages:
            mark = WriteOnlyCell(sheet, "；".join(messages[number]))
            mark.fill = FAILED_FILL
        else:
            mark = FINE
        cells[at] = mark
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def error_file_name(file_name):
    stem = file_name.rsplit(".", 1)[0] if "." in file_name else file_name
    return _("%(name)s-错误.xlsx") % {"name": stem or "import"}


def _trimmed(values):
    values = list(values)
    while values and (values[-1] is None or values[-1] == ""):
        values.pop()
    return values


def _cell(sheet, value):
    if value == "":
        return None
    if isinstance(value, str) and value.startswith("="):  # the clerk's text, not a formula to run
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        return cell
    return value
