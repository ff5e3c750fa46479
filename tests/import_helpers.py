"""Builders for the spreadsheet import tests: files in every accepted format, and database counts."""

import csv
import datetime as dt
import io

from openpyxl import Workbook

from clusters.models import Cluster, Enterprise, ImportRecord, IndicatorValue, LeadEnterprise, Measure, Source, Target

SHENZHEN = "广东省深圳市新一代信息通信集群"
SHENZHEN_SHORT = "深圳市新一代信息通信集群"
WUXI = "江苏省无锡市物联网集群"

VALUE_HEADER = ["集群名称", "指标", "期间", "数值", "单位", "来源"]


def xlsx_bytes(rows, title="Sheet1", extra_sheets=(), merge=None, setup=None):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    if merge:
        sheet.merge_cells(merge)
    if setup:
        setup(sheet)
    for name, extra_rows in extra_sheets:
        other = workbook.create_sheet(name)
        for row in extra_rows:
            other.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xls_bytes(rows, title="Sheet1"):
    """An Excel 97-2003 workbook (BIFF8), as offices still send them."""
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet(title)
    dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write(r, c, value, dates)
            elif value is not None:
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ods_bytes(rows, title="Sheet1", body=None):
    """An OpenDocument spreadsheet; ``body`` replaces the generated table rows (for hostile files)."""
    import zipfile
    from xml.sax.saxutils import escape, quoteattr

    def cell(value):
        if value is None or value == "":
            return "<table:table-cell/>"
        if isinstance(value, dt.date):
            return f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}"/>'
        if isinstance(value, int | float):
            return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    if body is None:
        body = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet><table:table table:name={quoteattr(title)}>{body}"
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)
    return buffer.getvalue()


def csv_bytes(rows, encoding="utf-8", bom=False):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def value_rows():
    """Three fresh indicator values, written the way localities write them."""
    return [
        VALUE_HEADER,
        [SHENZHEN, "新增投资", "2030", "3000万元", "", "seed-004"],
        [SHENZHEN_SHORT, "企业数", "2030年", "１，２００家", "", ""],
        [WUXI, "占全国比重", dt.date(2030, 6, 1), "超过42.5%", "", "seed-000"],
    ]


def counts():
    """Row counts of everything an import may write, to prove a failed import wrote nothing."""
    models = (Cluster, Enterprise, LeadEnterprise, Measure, Target, IndicatorValue, Source)
    result = {model.__name__: model.objects.count() for model in models}
    result.update({f"history_{m.__name__}": m.history.count() for m in (Cluster, Measure, Target, IndicatorValue)})
    return result


def body(response):
    """A response's bytes, streamed or not (downloads stream)."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def last_record():
    return ImportRecord.objects.order_by("-id").first()


def collide_during_write(monkeypatch):
    """Make another clerk save the first row of ``value_rows()`` after the import's check, before its write."""
    from clusters.models import Indicator
    from clusters.sheets.lookups import Lookups

    create_sources = Lookups.create_pending_sources

    def meanwhile(self):
        IndicatorValue.objects.create(
            cluster=Cluster.objects.get(name=SHENZHEN),
            indicator=Indicator.objects.get(code="investment"),
            period="2030",
            value=1,
            source=Source.objects.get(code="seed-004"),
        )
        create_sources(self)

    monkeypatch.setattr(Lookups, "create_pending_sources", meanwhile)
