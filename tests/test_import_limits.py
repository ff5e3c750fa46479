"""Hostile files (issue 15): each is refused early, with the limit named and nothing written, in seconds and
bounded memory, from the command and the admin. Time and memory bounds are loose safety bounds."""

import functools
import io
import resource
import struct
import time
import tracemalloc
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from clusters.sheets.services import run_import

from .import_helpers import SHENZHEN, VALUE_HEADER, counts, csv_bytes, ods_bytes, xls_bytes, xlsx_bytes
from .job_helpers import upload_file

pytestmark = pytest.mark.django_db

SECONDS, MEGABYTES = 10, 300


def rewrite(data, change):
    """``data`` (an xlsx) with each part passed through ``change(name, bytes) -> bytes or an iterator``."""
    source, output = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            part = change(item.filename, source.read(item.filename))
            if isinstance(part, bytes):
                target.writestr(item, part)
            else:  # streamed: a part too large to build in memory first
                with target.open(item.filename, "w", force_zip64=True) as stream:
                    for piece in part:
                        stream.write(piece)
    return output.getvalue()


@functools.cache
def shared_strings_xlsx(count, declare=True):
    """An xlsx whose sharedStrings part holds ``count`` distinct strings (a 442 KB file held 10 million)."""
    header = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    header += f' count="{count}" uniqueCount="{count}">' if declare else ">"

    def strings():  # the same text over and over: the hostile file was 442 KB
        yield header.encode()
        block = 100_000
        for start in range(0, count, block):
            yield b"<si><t>x</t></si>" * (min(count, start + block) - start)
        yield b"</sst>"

    def change(name, part):
        if name == "[Content_Types].xml":
            return part.replace(
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
            )
        if name == "xl/_rels/workbook.xml.rels":
            return part.replace(
                b"</Relationships>",
                b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
            )
        return part

    data = rewrite(xlsx_bytes([VALUE_HEADER, [SHENZHEN, "产值", "2030", 1, "", ""]]), change)
    return _add_part(data, "xl/sharedStrings.xml", strings())


def _add_part(data, name, pieces):
    output = io.BytesIO(data)
    with zipfile.ZipFile(output, "a", zipfile.ZIP_DEFLATED) as archive, archive.open(name, "w", force_zip64=True) as f:
        for piece in pieces:
            f.write(piece)
    return output.getvalue()


def sheet_xml(cells):
    """A worksheet part with the given (ref, text) inline-string cells, one row element per cell."""
    rows = "".join(
        f'<row r="{ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}"><c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c></row>'
        for ref, text in cells
    )
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f"{rows}</sheetData></worksheet>"
    ).encode()


def with_sheet(xml):
    return rewrite(xlsx_bytes([["x"]]), lambda name, part: xml if name.startswith("xl/worksheets/") else part)


def zip_bomb(declared_honestly=True):
    """A sheet part of 300 MB of spaces (compressed to about 300 KB)."""

    def spaces():
        yield b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        for _ in range(300):
            yield b" " * (1 << 20)
        yield b"</sheetData></worksheet>"

    data = rewrite(xlsx_bytes([["x"]]), lambda name, part: spaces() if name.startswith("xl/worksheets/") else part)
    if declared_honestly:
        return data
    # Understate the sheet's size in the central directory and the local header: 1 KB, not 300 MB.
    data = bytearray(data)
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.getinfo("xl/worksheets/sheet1.xml")
    struct.pack_into("<I", data, info.header_offset + 22, 1024)
    central = bytes(data).rfind(b"PK\x01\x02", 0, len(data))
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + name_length]) == b"xl/worksheets/sheet1.xml":
            struct.pack_into("<I", data, central + 24, 1024)
            break
        central = bytes(data).rfind(b"PK\x01\x02", 0, central)
    return bytes(data)


def xls_far_cell():
    return _xls_with_cell(65535, 255)


def _xls_with_cell(row, column):
    import xlwt

    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("指标值")
    for index, header in enumerate(VALUE_HEADER):
        sheet.write(0, index, header)
    sheet.write(row, column, "far")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def many_csv_rows(count):
    """``count`` rows with four bad cells each (the hostile file: 19.5 MB, 1.97 million bad rows)."""
    return ("集群名称,指标,期间,数值\n" + "x,y,z,w\n" * count).encode()


def ods_repeat_bomb():
    body = (
        '<table:table-row table:number-rows-repeated="200000">'
        '<table:table-cell table:number-columns-repeated="100" office:value-type="string"><text:p>x</text:p>'
        "</table:table-cell></table:table-row>"
    )
    return ods_bytes([], title="指标值", body=body)


HOSTILE = {
    "10 million shared strings": (lambda: shared_strings_xlsx(10_000_000), "不同的文本"),
    "1.2 million shared strings, count not declared": (
        lambda: shared_strings_xlsx(1_200_000, declare=False),
        "不同文本超过 1,000,000 个的上限",
    ),
    "a uniqueCount that lies": (lambda: _declared_only(2_000_000_000), "2,000,000,000 个不同的文本"),
    "zip bomb": (lambda: zip_bomb(), "解压后超过 200 MB"),
    "zip bomb with an understated size": (lambda: zip_bomb(declared_honestly=False), "已损坏"),
    "a cell at XFD1048576": (lambda: with_sheet(sheet_xml([("A1", "x"), ("XFD1048576", "y")])), "行"),
    "a cell at ZZ150000": (lambda: with_sheet(sheet_xml([("A1", "x"), ("ZZ150000", "y")])), "个单元格"),
    "an xls cell at row 65536, column IV": (xls_far_cell, "个单元格"),
    "an ods row repeated 200,000 times": (ods_repeat_bomb, "个单元格"),
    "2 million csv rows": (lambda: many_csv_rows(2_000_000), "超过 200,000 行的上限"),
    "a DTD with entities": (
        lambda: with_sheet(
            b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            + sheet_xml([("A1", "&b;")])
        ),
        "文档类型定义（DTD）",
    ),
    "broken sheet XML": (lambda: with_sheet(sheet_xml([("A1", "集群名称"), ("A2", "x")])[:-40]), "已损坏"),
}


def _declared_only(count):
    data = shared_strings_xlsx(1)
    return rewrite(
        data,
        lambda name, part: (
            part.replace(b'count="1" uniqueCount="1"', f'count="{count}" uniqueCount="{count}"'.encode())
            if name == "xl/sharedStrings.xml"
            else part
        ),
    )


def measured(function):
    """(result, seconds, peak traced MB, growth of the process's peak RSS in MB)."""
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    start = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - start
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    return result, seconds, peak / 1024 / 1024, rss_growth


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_files_are_refused_fast_and_small_from_the_command(tmp_path, case):
    build, reason = HOSTILE[case]
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(build())
    before = counts()
    err = io.StringIO()

    def run():
        with pytest.raises(CommandError) as raised:
            call_command("import_sheet", "indicator-values", str(path), "--dry-run", stdout=io.StringIO(), stderr=err)
        return raised.value

    refusal, seconds, traced, rss = measured(run)
    message = f"{err.getvalue()}\n{refusal}"
    assert reason in message, message
    assert "文件无法导入，没有写入任何数据。" in message and "Traceback" not in message
    assert seconds < SECONDS and traced < MEGABYTES and rss < MEGABYTES, (seconds, traced, rss)
    assert counts() == before


def test_a_hostile_file_through_the_admin_is_a_page_not_a_500(client):
    client.force_login(get_user_model().objects.create_superuser("limits", "l@example.com", "pw"))
    data = shared_strings_xlsx(10_000_000)

    def upload():  # the upload, the worker's check and the job page
        return upload_file(client, reverse("admin:clusters_indicatorvalue_sheet_import"), data, "big.xlsx")

    response, seconds, traced, rss = measured(upload)
    assert response.status_code == 200
    assert "文件有 10,000,000 个不同的文本，超过上限 1,000,000" in response.content.decode()
    assert seconds < SECONDS and traced < MEGABYTES and rss < MEGABYTES, (seconds, traced, rss)


def test_far_but_legal_cells_are_read(tmp_path):
    """The extent check counts what calamine would allocate; a wide-but-short or a long-but-narrow sheet passes."""
    xml = sheet_xml([("A1", "集群名称"), ("B1", "指标"), ("C1", "期间"), ("D1", "数值"), ("A2", SHENZHEN), ("Z2", "x")])
    result = run_import("indicator-values", with_sheet(xml), "wide.xlsx", dry_run=True)
    assert [e.column for e in result.errors] == ["指标", "期间", "数值"]  # read: the row's empty cells


def test_rows_over_the_limit_are_refused_before_reading(settings):
    settings.IMPORT_MAX_ROWS = 50
    rows = [VALUE_HEADER, *([SHENZHEN, "产值", str(1960 + n), n, "", ""] for n in range(60))]
    for data in (xlsx_bytes(rows), xls_bytes(rows), ods_bytes(rows), csv_bytes(rows)):
        result = run_import("indicator-values", data, "rows", dry_run=True)
        assert [str(e) for e in result.errors] in (
            ["工作表有 61 行，超过上限 50。请拆分成几个文件分别导入。"],
            ["工作表超过 50 行的上限。请拆分成几个文件分别导入。"],
        )


def test_errors_past_the_limit_are_counted_not_listed(tmp_path, client, settings):
    settings.IMPORT_MAX_ERRORS = 100
    data = many_csv_rows(3000)
    result = run_import("indicator-values", data, "bad.csv")
    assert result.error_count == 4 * 3000 and len(result.errors) == 100 and result.error_rows == 3000
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    err = io.StringIO()
    with pytest.raises(CommandError, match="12000 处错误（涉及 3000 行）"):
        call_command("import_sheet", "indicator-values", str(path), stdout=io.StringIO(), stderr=err)
    assert "……另有 11900 处错误未列出。" in err.getvalue() and len(err.getvalue().splitlines()) == 101
    client.force_login(get_user_model().objects.create_superuser("errs", "e@example.com", "pw"))
    page = upload_file(client, reverse("admin:clusters_indicatorvalue_sheet_import"), data, "bad.csv").content.decode()
    assert "发现 12000 处错误" in page and "下面列出前 100 处" in page
    assert page.count("<tr><td>") < 150 and len(page) < 200_000
