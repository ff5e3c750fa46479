"""Turn an uploaded file into rows of cells, or refuse it with a message a clerk understands.

The file is recognised by its content, not its name: a zip holding ``xl/workbook.xml`` (xlsx) or an
OpenDocument spreadsheet (ods), an OLE compound file (Excel 97-2003 .xls, or an encrypted xlsx), else csv
in UTF-8 with or without BOM, UTF-16 (Excel's "Unicode text") or GB18030/GBK. Workbooks are measured
and read in ``workbooks.py``; a csv's rows are counted before any is parsed. Rows are yielded lazily
with the row number Excel shows.
"""

import codecs
import csv
import io
import zipfile

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .files import CellProblem, FileRejected, Limits, Table, encrypted, too_many
from .inspection import open_zip
from .parsing import lookup_key
from .workbooks import read_workbook

__all__ = [
    "CFB_MAGIC",
    "ENCRYPTED_MARKER",
    "CellProblem",
    "FileRejected",
    "Limits",
    "Table",
    "max_upload_size",
    "read_sheet",
]

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: .xls, or an encrypted .xlsx
ENCRYPTED_MARKER = "EncryptionInfo".encode("utf-16-le")  # the stream an encrypted xlsx keeps its key in
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def max_upload_size():
    return Limits.from_settings().upload


def _megabytes(size):
    return f"{size / 1024 / 1024:.1f}"


def read_sheet(data, sheet_names=(), limits=None):
    """``data`` (bytes) -> Table. ``sheet_names``: titles that mark the sheet for this kind."""
    limits = limits or Limits.from_settings()
    if len(data) > limits.upload:
        raise FileRejected(
            _("文件大小 %(size)s MB，超过上限 %(limit)s MB。请拆分成几个文件分别导入。")
            % {"size": _megabytes(len(data)), "limit": _megabytes(limits.upload)}
        )
    if not data.strip():
        raise FileRejected(_("文件是空的。"))
    wanted = {lookup_key(name) for name in sheet_names}
    if data.startswith(CFB_MAGIC):
        if ENCRYPTED_MARKER in data:
            raise encrypted()
        return read_workbook(data, "xls", wanted, limits)
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return read_workbook(data, _zip_format(data, limits), wanted, limits)
    return _read_csv(data, limits)


def _zip_format(data, limits):
    archive = open_zip(data, limits)
    names = set(archive.namelist())
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "content.xml" in names and "mimetype" in names:
        try:
            if archive.read("mimetype").strip() == ODS_MIMETYPE:
                return "ods"
        except (zipfile.BadZipFile, OSError, KeyError):
            pass
        raise FileRejected(_("这是 OpenDocument 文本或演示文稿，不是电子表格。请上传表格文件。"))
    if "word/document.xml" in names:
        raise FileRejected(_("这是 Word 文档，不是电子表格。请上传 .xlsx、.xls、.ods 或 .csv 文件。"))
    raise FileRejected(_("这是压缩包，不是 Excel 工作簿。请上传 .xlsx、.xls、.ods 或 .csv 文件。"))


# ----------------------------------------------------------------------------------------------- csv


def _not_a_sheet():
    return FileRejected(_("无法识别的文件：不是 Excel 工作簿，也不是 CSV 文本。"))


def _decode(data):
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "UTF-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "UTF-16"
    head = data[:4096]
    if head.count(b"\x00") > len(head) // 10:  # UTF-16 without its BOM, or binary: not text we can read
        raise _not_a_sheet()
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GB18030"
    except UnicodeDecodeError as error:
        raise FileRejected(_("无法识别 CSV 文件的编码。请另存为“CSV UTF-8（逗号分隔）”后再导入。")) from error


def _read_csv(data, limits):
    try:
        text, encoding = _decode(data)
    except UnicodeError as error:  # a broken UTF-8 BOM file or UTF-16 with odd length
        raise FileRejected(_("无法识别 CSV 文件的编码。请另存为“CSV UTF-8（逗号分隔）”后再导入。")) from error
    head = text.lstrip()[:512].lower()
    if head.startswith(("<html", "<!doctype", "<table", "<?xml")):
        raise FileRejected(_("这是网页（HTML/XML）文件，不是电子表格。请在 Excel 中打开后另存为 .xlsx。"))
    if head.startswith("%pdf"):
        raise FileRejected(_("这是 PDF 文件，不是电子表格。请上传 .xlsx、.xls、.ods 或 .csv 文件。"))
    control = sum(1 for char in text[:4096] if ord(char) < 32 and char not in "\r\n\t")
    if control > 8:
        raise _not_a_sheet()
    if not text.strip():
        raise FileRejected(_("文件是空的。"))
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max([",", "\t", ";"], key=first_line.count) if first_line else ","
    if first_line.count(delimiter) == 0:
        delimiter = ","
    _check_rows(text, delimiter, limits)
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

    name = _("CSV（%(encoding)s）") % {"encoding": encoding}
    return Table(format="csv", name=name, rows=rows(), total=text.count("\n") + (not text.endswith("\n")))


def _check_rows(text, delimiter, limits):
    """Refuse a csv of more rows than the limit before parsing any: lines are counted at C speed, and
    only when they exceed the limit are records counted (a quoted cell may span lines)."""
    if text.count("\n") <= limits.rows + 1:
        return
    records = 0
    try:
        for _record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            records += 1
            if records > limits.rows + 1:
                raise too_many(pgettext("数量单位", "行"), records, limits.rows, exact=False)
    except csv.Error:
        return  # the row-by-row read reports where the file is broken
