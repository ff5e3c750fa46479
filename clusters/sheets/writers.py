"""Sheets out: exports (csv, json, xlsx) and the template workbook, written from the kinds' own columns.

Every export streams: rows come from the database a chunk at a time (``Sheet.export_rows``) and leave as
they are written, CSV and JSON through a generator, xlsx through openpyxl's write-only mode into a
temporary file, so 100,000 indicator values take the memory of a few thousand. (tablib, which builds the
whole workbook cell by cell in memory, took 33 s and 168 MB for the 45,024 values of 5,000 demo clusters;
write-only mode 22 s and 2 MB, both under tracemalloc: docs/performance.md.) Cells are data, not interface: choice
labels stay Chinese in every UI language, so an export made in the English admin re-imports unchanged.
"""

import csv
import io
import json
import tempfile

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from . import registry

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
ROWS_PER_CHUNK = 200  # CSV/JSON rows joined into one piece of the response
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def width(column):
    """A column's width in xlsx: its own, else room for the header (CJK characters are two wide)."""
    return column.width or max(10, 2 * len(column.header) + 4)


# ------------------------------------------------------------------------------------------------ formats


class _Echo:
    def write(self, value):
        return value


def csv_chunks(columns, rows):
    """UTF-8 CSV with the BOM Excel needs, header first; yields bytes a few hundred rows at a time."""
    writer = csv.writer(_Echo())
    yield "\ufeff".encode() + writer.writerow([column.header for column in columns]).encode()
    batch = []
    for row in rows:
        batch.append(writer.writerow(["" if value is None else value for value in row]))
        if len(batch) == ROWS_PER_CHUNK:
            yield "".join(batch).encode()
            batch = []
    if batch:
        yield "".join(batch).encode()


def json_chunks(columns, rows):
    """A JSON array of objects keyed by the Chinese headers; yields bytes a few hundred rows at a time."""
    headers = [column.header for column in columns]
    yield b"["
    batch, first = [], True
    for row in rows:
        text = json.dumps(dict(zip(headers, row, strict=True)), ensure_ascii=False, default=str)
        batch.append(("\n" if first else ",\n") + text)
        first = False
        if len(batch) == ROWS_PER_CHUNK:
            yield "".join(batch).encode()
            batch = []
    yield ("".join(batch) + "\n]\n").encode()


def xlsx_file(title, columns, rows, freeze="A2", sheets=()):
    """An xlsx in a temporary file (open, at its start): bold header, widths from the columns, frozen header.

    openpyxl's write-only mode writes each row out as it comes, so memory does not grow with the rows.
    ``sheets``: further (title, columns, rows) after the first, e.g. a download's data dictionary (说明);
    the import reads the first sheet (or the one titled as its kind), so they never reach it.
    """
    workbook = Workbook(write_only=True)
    _append_sheet(workbook, title, columns, rows, freeze)
    for sheet_title, sheet_columns, sheet_rows in sheets:
        _append_sheet(workbook, sheet_title, sheet_columns, sheet_rows, "A2")
    output = tempfile.TemporaryFile()  # noqa: SIM115 - the response streams it, then closes it
    workbook.save(output)
    output.seek(0)
    return output


def _append_sheet(workbook, title, columns, rows, freeze):
    sheet = workbook.create_sheet(title)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width(column)
    sheet.freeze_panes = freeze
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font, cell.fill = bold, HEADER_FILL
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append(row)


def in_portal_language(rows):
    """``rows`` produced in the portal's own language, whenever the response is streamed."""
    with translation.override(settings.LANGUAGE_CODE):
        yield from rows


def file_response(file_format, columns, rows, file_name, title="", freeze="A2", sheets=()):
    """A streaming download of ``rows`` (lists of cells in ``columns``' order) as ``file_format``;
    ``sheets`` (see ``xlsx_file``) go into an xlsx only."""
    rows = in_portal_language(rows)
    if file_format == "xlsx":
        workbook = xlsx_file(title or "Sheet1", columns, rows, freeze, sheets)
        response = FileResponse(workbook, content_type=FORMATS["xlsx"])
    else:
        chunks = csv_chunks(columns, rows) if file_format == "csv" else json_chunks(columns, rows)
        response = StreamingHttpResponse(chunks, content_type=FORMATS[file_format])
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


# ------------------------------------------------------------------------------------------------ exports


def export_response(kind, queryset=None, file_format="xlsx"):
    """The admin's export of ``kind``: the records in ``queryset`` (default all), as the import reads them."""
    if file_format not in FORMATS:
        raise ValueError(f"Unknown export format {file_format!r}")
    sheet = registry.get(kind)
    columns = sheet.export_columns()
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    rows = sheet.export_rows(queryset, columns)
    return file_response(file_format, columns, rows, f"{kind}-{stamp}.{file_format}", sheet.title)


def export_bytes(kind, queryset=None, file_format="xlsx"):
    """``export_response``'s file as bytes (tests, the command line)."""
    response = export_response(kind, queryset, file_format)
    return b"".join(response.streaming_content)


def _example_row(sheet, columns):
    """The first existing record as exported, so the template's example re-imports unchanged."""
    with translation.override(settings.LANGUAGE_CODE):
        for row in sheet.export_rows(columns=columns, limit=1):
            return row
    return [column.example for column in columns]


def template_file(kind):
    """-> (xlsx bytes, content type, file name): the Chinese header row and an example row, and a second
    sheet explaining each column."""
    sheet_class = registry.get(kind)
    columns = sheet_class.export_columns()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_class.title
    bold = Font(bold=True)
    sheet.append([column.header for column in columns])
    for cell in sheet[1]:
        cell.font, cell.fill = bold, HEADER_FILL
    sheet.append(_example_row(sheet_class, columns))
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width(column)

    notes = workbook.create_sheet(_("说明"))
    notes.append([_("列名"), _("英文字段名"), _("必需"), _("说明")])
    for cell in notes[1]:
        cell.font, cell.fill = bold, HEADER_FILL
    for column in columns:
        notes.append([column.header, column.name, _("必需") if column.required else _("可选"), str(column.help)])
    notes.append([])
    for line in (
        _("第一个工作表的第一行是表头，可用中文列名或英文字段名；从第二行起每行一条记录。"),
        _("示例行是库中已有的一条记录，原样导入不会改变任何数据；可以直接覆盖。"),
        _("一个单元格填多个值（城市、链主企业）时用顿号、逗号或分号分隔。"),
        _("数字可带单位和量级，例如 4000亿元、1.2万亿元、3000万元、42.5%；“超过”“以上”“约”会被记录为数值性质。"),
        _("日期可写 2021-03-22、2021/3/22、2021年3月22日 或 Excel 日期。"),
        _("有任何一行出错时不会写入任何数据，系统会列出每一处错误（行号、列名、原因）。"),
        _("不要合并单元格，也不要使用未计算的公式。"),
    ):
        notes.append([line])
    for letter, size in zip("ABCD", (16, 24, 8, 80), strict=True):
        notes.column_dimensions[letter].width = size
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), FORMATS["xlsx"], f"template-{kind}.xlsx"
