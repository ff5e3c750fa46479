"""Turn an uploaded file into rows of cells, or refuse it with a message a clerk understands.

The file is recognised by its content, not its name: xlsx (a zip holding ``xl/workbook.xml``), csv in
UTF-8 with or without BOM, UTF-16 (Excel's "Unicode text") or GB18030/GBK. Rows are yielded lazily with
the row number Excel shows, so a 10,000-row sheet never exists twice in memory.
"""

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula

from .parsing import lookup_key

DEFAULT_MAX_SIZE = 20 * 1024 * 1024
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: .xls, or an encrypted .xlsx
ENCRYPTED_MARKER = "EncryptionInfo".encode("utf-16-le")
_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+\d+(?::[A-Z]+\d+)?)"')
_FORMULA_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")


class FileRejected(Exception):
    """The file as a whole cannot be read; the message says why and what to do."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class CellProblem:
    """A cell the reader cannot hand over (an uncomputed formula, a merged range)."""

    row: int
    column: int  # 0-based index
    message: str


@dataclass
class Sheet:
    format: str  # "xlsx" or "csv"
    name: str  # sheet title, or the encoding for csv
    rows: Iterator  # (excel row number, tuple of cell values)
    problems: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


def max_upload_size():
    return getattr(settings, "IMPORT_MAX_UPLOAD_SIZE", DEFAULT_MAX_SIZE)


def _megabytes(size):
    return f"{size / 1024 / 1024:.1f}"


def read_sheet(data, sheet_names=(), max_size=None):
    """``data`` (bytes) -> Sheet. ``sheet_names``: titles that mark the sheet for this kind."""
    max_size = max_upload_size() if max_size is None else max_size
    if len(data) > max_size:
        raise FileRejected(
            _("文件大小 %(size)s MB，超过上限 %(limit)s MB。请拆分成几个文件分别导入。")
            % {"size": _megabytes(len(data)), "limit": _megabytes(max_size)}
        )
    if not data.strip():
        raise FileRejected(_("文件是空的。"))
    if data.startswith(CFB_MAGIC):
        if ENCRYPTED_MARKER in data:
            raise FileRejected(
                _("文件设置了打开密码，无法读取。请在 Excel 中取消密码（文件→信息→保护工作簿）后另存为 .xlsx。")
            )
        raise FileRejected(
            _("这是 Excel 97-2003（.xls）等旧格式文件。请在 Excel 中“另存为”Excel 工作簿（.xlsx）后再导入。")
        )
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _read_xlsx(data, sheet_names, max_size)
    return _read_csv(data)


# ---------------------------------------------------------------------------------------------- xlsx


def _open_zip(data, max_size):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise FileRejected(_("xlsx 文件已损坏，无法打开。请在 Excel 中打开并重新保存后再导入。")) from error
    if "xl/workbook.xml" not in names:
        if "mimetype" in names and "content.xml" in names:
            raise FileRejected(_("这是 OpenDocument（.ods）表格。请另存为 Excel 工作簿（.xlsx）或 CSV 后再导入。"))
        if "word/document.xml" in names:
            raise FileRejected(_("这是 Word 文档，不是电子表格。请上传 .xlsx 或 .csv 文件。"))
        raise FileRejected(_("这是压缩包，不是 Excel 工作簿。请上传 .xlsx 或 .csv 文件。"))
    if sum(info.file_size for info in archive.infolist()) > max(10 * max_size, 200 * 1024 * 1024):
        raise FileRejected(_("xlsx 文件解压后过大，无法处理。请拆分成几个文件分别导入。"))
    return archive


def _choose_sheet(workbook, sheet_names):
    wanted = {lookup_key(name) for name in sheet_names}
    for worksheet in workbook.worksheets:
        if lookup_key(worksheet.title) in wanted:
            return worksheet
    if not workbook.worksheets:
        raise FileRejected(_("工作簿里没有工作表。"))
    return workbook.worksheets[0]


def _load(data, data_only):
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except FileRejected:
        raise
    except Exception as error:  # openpyxl raises KeyError, ValueError, TypeError … on damaged files
        raise FileRejected(_("xlsx 文件已损坏，无法打开。请在 Excel 中打开并重新保存后再导入。")) from error


def _read_xlsx(data, sheet_names, max_size):
    archive = _open_zip(data, max_size)
    workbook = _load(data, data_only=True)
    worksheet = _choose_sheet(workbook, sheet_names)
    try:
        xml = archive.read(worksheet._worksheet_path)
    except KeyError as error:
        raise FileRejected(_("xlsx 文件已损坏，无法打开。请在 Excel 中打开并重新保存后再导入。")) from error
    sheet = Sheet(format="xlsx", name=worksheet.title, rows=iter(()))
    for ref in _MERGE_RE.findall(xml):
        ref = ref.decode()
        first = ref.split(":")[0]
        row = int(re.sub(r"\D", "", first))
        column = _column_index(re.sub(r"\d", "", first))
        sheet.problems.append(
            CellProblem(row, column, _("%(ref)s 是合并单元格。请取消合并，并在每一行填上各自的值。") % {"ref": ref})
        )
    formulas = _formula_cells(data, worksheet.title) if _FORMULA_RE.search(xml) else {}
    del xml
    worksheet.reset_dimensions()  # trust the cells, not the file's (often wrong) dimension tag
    sheet.rows = _xlsx_rows(worksheet, formulas, sheet)
    return sheet


def _column_index(letters):
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index - 1


def _formula_cells(data, title):
    """{(row, column index): formula text} for every formula cell of the sheet."""
    workbook = _load(data, data_only=False)
    formulas = {}
    for row_number, row in enumerate(workbook[title].iter_rows(values_only=True), start=1):
        for index, value in enumerate(row):
            if isinstance(value, ArrayFormula):
                formulas[row_number, index] = value.text
            elif isinstance(value, str) and value.startswith("="):
                formulas[row_number, index] = value
    workbook.close()
    return formulas


def _xlsx_rows(worksheet, formulas, sheet):
    used = 0
    try:
        for row_number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            if formulas:
                for index, value in enumerate(values):
                    formula = formulas.get((row_number, index))
                    if formula is None:
                        continue
                    if value is None:
                        sheet.problems.append(
                            CellProblem(
                                row_number,
                                index,
                                _(
                                    "%(cell)s 是公式 %(formula)s，但文件里没有保存计算结果。请在 Excel 中打开并保存，或把公式换成数值。"
                                )
                                % {"cell": f"{get_column_letter(index + 1)}{row_number}", "formula": formula},
                            )
                        )
                    else:
                        used += 1
            yield row_number, values
    finally:
        worksheet.parent.close()
    if used:
        sheet.warnings.append(_("%(count)s 个单元格是公式，已使用 Excel 保存的计算结果。") % {"count": used})


# ----------------------------------------------------------------------------------------------- csv


def _decode(data):
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "UTF-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "UTF-16"
    if b"\x00" in data[:4096]:
        raise FileRejected(_("无法识别的文件：不是 Excel 工作簿（.xlsx），也不是 CSV 文本。"))
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GB18030"
    except UnicodeDecodeError as error:
        raise FileRejected(_("无法识别 CSV 文件的编码。请另存为“CSV UTF-8（逗号分隔）”后再导入。")) from error


def _read_csv(data):
    try:
        text, encoding = _decode(data)
    except UnicodeError as error:  # a broken UTF-8 BOM file or UTF-16 with odd length
        raise FileRejected(_("无法识别 CSV 文件的编码。请另存为“CSV UTF-8（逗号分隔）”后再导入。")) from error
    head = text.lstrip()[:512].lower()
    if head.startswith(("<html", "<!doctype", "<table", "<?xml")):
        raise FileRejected(_("这是网页（HTML/XML）文件，不是电子表格。请在 Excel 中打开后另存为 .xlsx。"))
    if head.startswith("%pdf"):
        raise FileRejected(_("这是 PDF 文件，不是电子表格。请上传 .xlsx 或 .csv 文件。"))
    control = sum(1 for char in text[:4096] if ord(char) < 32 and char not in "\r\n\t")
    if control > 8:
        raise FileRejected(_("无法识别的文件：不是 Excel 工作簿（.xlsx），也不是 CSV 文本。"))
    if not text.strip():
        raise FileRejected(_("文件是空的。"))
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max([",", "\t", ";"], key=first_line.count) if first_line else ","
    if first_line.count(delimiter) == 0:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows():
        try:
            for row_number, values in enumerate(reader, start=1):
                yield row_number, tuple(values)
        except csv.Error as error:
            raise FileRejected(
                _("CSV 第 %(row)s 行格式有误（%(error)s），请检查引号是否成对。")
                % {"row": reader.line_num, "error": error}
            ) from error

    return Sheet(format="csv", name=_("CSV（%(encoding)s）") % {"encoding": encoding}, rows=rows())
