"""Workbooks (xlsx, xls, ods) measured before calamine reads them (``workbooks.py``).

calamine (Rust, through python-calamine) reads a 100,000-row xlsx in 0.7 s where openpyxl took 12 s, and
reads .xls and .ods too. It trusts the file: it allocates a sheet's whole bounding box at once (two cells,
A1 and XFD1048576, asked for 550 GB and aborted the process) and a sharedStrings table as large as its
``uniqueCount`` attribute says; an ods row repeated 200,000 times over 100 columns took 2.4 GB. So each
workbook is inspected first, in constant memory, from what it really holds: the zip directory and every
part's real decompressed size, the shared strings counted, the chosen sheet's rows, cells and the largest
row and column any cell names (xlsx), the BIFF records of an xls, the repeats of an ods. A file past a
limit (``settings.IMPORT_MAX_*``) is refused with the limit named before calamine sees it.

A DTD in a workbook part is refused outright: no spreadsheet needs one, and it is how XML entity attacks
begin (calamine does not expand entities; it stops at an unknown one, which is reported as a damaged file).
"""

import io
import re
import struct
import zipfile
import zlib
from xml.etree.ElementTree import ParseError as XMLParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring, iterparse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .files import CellProblem, FileRejected, check_extent, damaged, encrypted, megabytes, too_many
from .parsing import lookup_key

CHUNK = 1 << 20
MAX_PARTS = 10_000


# ---------------------------------------------------------------------------------------------- zip parts

_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def _blocks(archive, name, budget):
    """A zip member's decompressed bytes in blocks that end after a '>' (no tag is cut in two), counting
    each byte against ``budget`` (a one-item list): a member whose directory entry understates it is caught."""
    carry = b""
    try:
        member = archive.open(name)
    except (zipfile.BadZipFile, NotImplementedError, OSError, ValueError) as error:
        raise damaged() from error
    with member:
        while chunk := _read(member):
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise FileRejected(_("文件解压后过大，无法处理。请拆分成几个文件分别导入。"))
            data = carry + chunk
            cut = data.rfind(b">") + 1
            block, carry = data[:cut], data[cut:]
            if b"<!" in block and _DTD.search(block):
                raise FileRejected(_("文件含有 XML 文档类型定义（DTD），电子表格不会有这种内容，已拒绝。"))
            yield block
    if carry.strip():
        yield carry


def _read(member):
    try:
        return member.read(CHUNK)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, zlib.error) as error:  # a CRC or size that lies
        raise damaged() from error


def open_zip(data, limits):
    """The archive, its parts' declared total checked against the limit."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise damaged() from error
    if len(infos) > MAX_PARTS or sum(info.file_size for info in infos) > limits.uncompressed:
        raise FileRejected(
            _("文件解压后超过 %(limit)s MB 的上限，无法处理。请拆分成几个文件分别导入。")
            % {"limit": megabytes(limits.uncompressed)}
        )
    return archive


def _read_part(archive, name, budget, size_limit=4 * 1024 * 1024):
    """A small XML part (workbook, relationships) parsed safely; None when absent."""
    if name not in archive.NameToInfo:
        return None
    data = b"".join(_blocks(archive, name, budget))
    if len(data) > size_limit:
        raise damaged()
    try:
        return fromstring(data, forbid_dtd=True)
    except (XMLParseError, DefusedXmlException) as error:
        raise damaged() from error


def _local(tag):
    return tag.rsplit("}", 1)[-1]


# ---------------------------------------------------------------------------------------------- xlsx

_SHARED = re.compile(rb"<(?:\w+:)?si[\s>/]")
_UNIQUE = re.compile(rb'<(?:\w+:)?sst\b[^>]*?\b(?:uniqueCount|count)="([0-9]+)"')
_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")
_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_DIGITS = b"0123456789"
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _column_number(letters):
    number = 0
    for char in letters.upper():
        number = number * 26 + char - 64
    return number


def _xlsx_sheets(archive, budget):
    """[(sheet title, part name)] in workbook order, from workbook.xml and its relationships."""
    workbook = _read_part(archive, "xl/workbook.xml", budget)
    rels = _read_part(archive, "xl/_rels/workbook.xml.rels", budget)
    if workbook is None or rels is None:
        raise damaged()
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    sheets = []
    for element in workbook.iter():
        if _local(element.tag) == "sheet":
            rid = next((value for key, value in element.attrib.items() if _local(key) == "id"), None)
            sheets.append((element.get("name", ""), targets.get(rid, "")))
    return sheets


def _scan_shared_strings(archive, name, budget, limits):
    count = 0
    for block in _blocks(archive, name, budget):
        if count == 0 and (declared := _UNIQUE.search(block)) and int(declared[1]) > limits.shared_strings:
            raise _too_many_strings(int(declared[1]), limits)
        count += len(_SHARED.findall(block)) if b":si" in block else block.count(b"<si>") + block.count(b"<si ")
        if count > limits.shared_strings:
            raise _too_many_strings(count, limits, exact=False)


def _too_many_strings(count, limits, exact=True):
    if exact:
        message = _("文件有 %(count)s 个不同的文本，超过上限 %(limit)s。请拆分成几个文件分别导入。")
    else:
        message = _("文件的不同文本超过 %(limit)s 个的上限。请拆分成几个文件分别导入。")
    return FileRejected(message % {"count": f"{count:,}", "limit": f"{limits.shared_strings:,}"})


_FOLD = bytes.maketrans(_LETTERS + _DIGITS, b"A" * len(_LETTERS) + b"0" * len(_DIGITS))
_REF = re.compile(rb'\sr="([A-Za-z]{0,4}[0-9]{1,9})"')  # a row's r="7" and a cell's r="B7"


def _extent(block, max_row, max_column, limits):
    """The largest row number and column ``block``'s references may name, with those before.

    With letters folded to A and digits to 0, two searches at C speed give a bound: no number as long as
    the row limit's (six digits for 200,000) and no two-letter column means at most 99,999 rows and 26
    columns. Only a block where that bound could pass a limit has its references read one by one (a
    100,000-row sheet: its last blocks).
    """
    folded = block.translate(_FOLD)
    digits = len(str(limits.rows + 1))  # no number that long: every row number is below 10 ** (digits - 1)
    if folded.find(b"0" * digits + b'"') == -1 and folded.find(b'="AA0') == -1:
        rows, columns = 10 ** (digits - 1) - 1, 26  # …and no column beyond Z
        if rows * columns <= limits.cells:
            return max(max_row, rows), max(max_column, columns)
    refs = b" ".join(_REF.findall(block))  # split at C speed into row numbers and column letters
    if refs:
        max_row = max(max_row, max(map(int, refs.translate(None, _LETTERS).split())))
        max_column = max(max_column, max(map(_column_number, set(refs.translate(None, _DIGITS).split())), default=0))
    return max_row, max_column


def _scan_sheet(archive, name, budget, limits):
    """Rows, cells and the bounding box of one worksheet part, counted as it streams; -> has formulas."""
    rows = cells = max_row = max_column = 0
    formulas = False
    for block in _blocks(archive, name, budget):
        if b":c" in block or b":row" in block:  # prefixed tags (<x:c>): counted exactly
            rows, cells = rows + len(_ROW.findall(block)), cells + len(_CELL.findall(block))
        else:  # an upper bound at C speed (<col> and <rowBreaks> are counted too)
            rows, cells = rows + block.count(b"<row"), cells + block.count(b"<c")
        if rows > limits.rows + 1:
            raise too_many(pgettext("数量单位", "行"), rows, limits.rows, exact=False)
        if cells > limits.cells:
            raise too_many(pgettext("数量单位", "个单元格"), cells, limits.cells, exact=False)
        max_row, max_column = _extent(block, max_row, max_column, limits)
        formulas = formulas or ((b"<f" in block or b":f" in block) and bool(_FORMULA.search(block)))
    check_extent(max(rows, max_row), max(max_column, 1 if cells else 0), limits)
    return formulas


def _uncomputed_formulas(archive, name):
    """[(row, column index, formula text)] of formula cells saved without a value, and how many have one."""
    missing, computed = [], 0
    try:
        with archive.open(name) as member:
            for _event, element in iterparse(member, forbid_dtd=True):
                if _local(element.tag) != "c":
                    continue
                children = {_local(child.tag): child for child in element}
                if "f" in children:
                    value = children.get("v")
                    if value is None or value.text is None:
                        ref = element.get("r", "")
                        match = re.fullmatch(r"([A-Z]+)([0-9]+)", ref)
                        if match:
                            formula = children["f"].text
                            column = _column_number(match[1].encode()) - 1
                            missing.append((int(match[2]), column, f"={formula}" if formula else "", ref))
                    else:
                        computed += 1
                element.clear()
    except (XMLParseError, DefusedXmlException) as error:
        raise damaged() from error
    return missing, computed


def inspect_xlsx(data, wanted, limits):
    """-> (sheet title, problems, warnings), or FileRejected; nothing built that grows with the file."""
    archive = open_zip(data, limits)
    budget = [limits.uncompressed]
    sheets = _xlsx_sheets(archive, budget)
    if not sheets:
        raise FileRejected(_("工作簿里没有工作表。"))
    title, part = next(((t, p) for t, p in sheets if lookup_key(t) in wanted), sheets[0])
    if part not in archive.NameToInfo:
        raise damaged()
    for info in archive.infolist():  # every part's real size, and the shared strings counted
        if info.filename == part:
            continue
        if info.filename.endswith("sharedStrings.xml"):
            _scan_shared_strings(archive, info.filename, budget, limits)
        else:
            for _block in _blocks(archive, info.filename, budget):
                pass
    problems, warnings = [], []
    if _scan_sheet(archive, part, budget, limits):
        missing, computed = _uncomputed_formulas(archive, part)
        for row, column, formula, ref in missing:
            problems.append(
                CellProblem(
                    row,
                    column,
                    _(
                        "%(cell)s 是公式 %(formula)s，但文件里没有保存计算结果。请在 Excel 中打开并保存，或把公式换成数值。"
                    )
                    % {"cell": ref, "formula": formula},
                )
            )
        if computed:
            warnings.append(_("%(count)s 个单元格是公式，已使用 Excel 保存的计算结果。") % {"count": computed})
    return title, problems, warnings


# ----------------------------------------------------------------------------------------------- xls

_BOF, _EOF, _BOUNDSHEET, _FILEPASS, _SST = 0x0809, 0x000A, 0x0085, 0x002F, 0x00FC
_CELL_RECORDS = {0x0203, 0x027E, 0x00FD, 0x0204, 0x0201, 0x0205, 0x0006, 0x00D6}  # row, column first
_MULTI_RECORDS = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first column … last column


def inspect_xls(ole, wanted, limits):
    """Walk the BIFF records of an .xls: refuse encryption, too many strings, or a sheet too large."""
    if not ole.exists("Workbook"):
        raise damaged("xls")
    stream = ole.openstream("Workbook").read()
    names, extents, position = {}, {}, 0
    current = None
    size = len(stream)
    while position + 4 <= size:
        kind, length = struct.unpack_from("<HH", stream, position)
        body = position + 4
        if kind == _FILEPASS:
            raise encrypted()
        if kind == _SST and length >= 8 and struct.unpack_from("<I", stream, body + 4)[0] > limits.shared_strings:
            raise _too_many_strings(struct.unpack_from("<I", stream, body + 4)[0], limits)
        if kind == _BOUNDSHEET and length >= 8:
            offset, count, high = struct.unpack_from("<IxxBB", stream, body)
            raw = stream[body + 8 : body + 8 + (count * 2 if high & 1 else count)]
            names[offset] = raw.decode("utf-16-le" if high & 1 else "latin-1", errors="replace")
        elif kind == _BOF:
            current = names.get(position)
            if current is not None:
                extents[current] = [0, 0, 0]  # rows, columns, cells
        elif kind == _EOF:
            current = None
        elif current is not None and length >= 4 and (kind in _CELL_RECORDS or kind in _MULTI_RECORDS):
            row, column = struct.unpack_from("<HH", stream, body)
            if kind in _MULTI_RECORDS and length >= 6:
                last = struct.unpack_from("<H", stream, body + length - 2)[0]
                extents[current][2] += max(last - column + 1, 1)
                column = last
            else:
                extents[current][2] += 1
            extent = extents[current]
            extent[0], extent[1] = max(extent[0], row + 1), max(extent[1], column + 1)
        position = body + length
    if not names:
        raise damaged("xls")
    title = next((name for name in names.values() if lookup_key(name) in wanted), next(iter(names.values())))
    rows, columns, cells = extents.get(title, (0, 0, 0))
    if cells > limits.cells:
        raise too_many(pgettext("数量单位", "个单元格"), cells, limits.cells)
    check_extent(rows, columns, limits)
    return title


# ----------------------------------------------------------------------------------------------- ods

_ODS_TAG = re.compile(rb"<(/?)(?:\w+:)?(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*?)(/?)>")
_REPEAT = re.compile(rb'number-(rows|columns)-repeated="([0-9]+)"')
_SPANNED = re.compile(rb'number-(?:rows|columns)-spanned="([0-9]+)"')
_NAME = re.compile(rb'name="([^"]*)"')


def inspect_ods(archive, wanted, limits):
    """The chosen table's extent as calamine would build it: repeats count, empty trailing repeats do not."""
    budget = [limits.uncompressed]
    for info in archive.infolist():
        if info.filename != "content.xml":
            for _block in _blocks(archive, info.filename, budget):
                pass
    tables, table = {}, None
    row = row_repeat = column = 0
    row_has = False
    merged = False
    for block in _blocks(archive, "content.xml", budget):
        for closing, tag, attributes, empty in _ODS_TAG.findall(block):
            repeat = {kind: int(n) for kind, n in _REPEAT.findall(attributes)}
            if tag == b"table":
                if not closing:
                    name = _NAME.search(attributes)
                    table = tables.setdefault(name[1].decode("utf-8", "replace") if name else "", [0, 0, 0])
                    row = 0
                continue
            if table is None:
                continue
            if tag == b"table-row":
                if closing:
                    row += row_repeat
                    if row_has:
                        table[0] = row
                elif empty:
                    row += repeat.get(b"rows", 1)
                else:
                    row_repeat, column, row_has = repeat.get(b"rows", 1), 0, False
                continue
            if closing:
                continue
            column += repeat.get(b"columns", 1)
            if any(int(n) > 1 for n in _SPANNED.findall(attributes)):
                merged = True
            if not empty and tag == b"table-cell":
                row_has = True
                table[1] = max(table[1], column)
                table[2] += repeat.get(b"columns", 1) * row_repeat
                if table[2] > limits.cells:
                    raise too_many(pgettext("数量单位", "个单元格"), table[2], limits.cells, exact=False)
    if not tables:
        raise FileRejected(_("工作簿里没有工作表。"))
    title = next((name for name in tables if lookup_key(name) in wanted), next(iter(tables)))
    rows, columns, _cells = tables[title]
    check_extent(rows, columns, limits)
    problems = []
    if merged:
        problems.append(CellProblem(None, None, _("工作表里有合并单元格。请取消合并，并在每一行填上各自的值。")))
    return title, problems
