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
