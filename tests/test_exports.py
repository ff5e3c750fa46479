"""Downloads of the filtered list: CSV (UTF-8 with BOM) and xlsx, Chinese headers, formulas neutralised."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from clusters.exports import HEADERS, neutralise
from clusters.models import Cluster, Enterprise, LeadEnterprise, PromotionOrganization
from tests import page_data

from .import_helpers import body as read

pytestmark = pytest.mark.django_db

CSV = reverse("clusters:export_csv")
XLSX = reverse("clusters:export_xlsx")

# The clusters import sheet's headers come first, so a download can be edited and imported again.
IMPORT_HEADERS = [
    "集群名称",
    "简称",
    "英文名称",
    "领域",
    "层级",
    "批次",
    "状态",
    "城市",
    "简介",
    "起步年份",
    "促进机构",
    "链主企业",
    "网址",
]


def read_csv(response):
    body = read(response)
    assert body.startswith(b"\xef\xbb\xbf"), "Excel needs the UTF-8 BOM"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def read_xlsx(response):
    sheet = load_workbook(io.BytesIO(read(response)), read_only=True).active
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def test_csv_has_bom_chinese_headers_and_one_row_per_public_cluster(client):
    page_data.hidden_cluster()
    response = client.get(CSV)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="clusters-')
    rows = read_csv(response)
    assert rows[0] == HEADERS
    assert rows[0][: len(IMPORT_HEADERS)] == IMPORT_HEADERS
    assert len(rows) - 1 == 25
    assert "未公开测试集群" not in {row[0] for row in rows}
    hangzhou = next(row for row in rows if row[0] == "浙江省杭州市数字安防集群")
    record = dict(zip(rows[0], hangzhou, strict=True))
    assert record["领域"] == "信息技术" and record["层级"] == "国家级" and record["城市"] == "杭州市"
    assert record["链主企业"] == "海康威视、大华股份、宇视科技"
    assert record["省级行政区"] == "浙江省"
    assert record["页面"] == "http://testserver/clusters/hangzhou-digital-security/"


def test_a_multi_city_cluster_lists_its_cities_and_provinces(client):
    rows = read_csv(client.get(CSV, {"q": "德阳"}))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["城市"] == "成都市、德阳市"
    assert record["省级行政区"] == "四川省"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"field": "information-technology"}, 10),
        ({"province": "440000"}, 6),
        ({"field": "information-technology", "province": "440000"}, None),
        ({"q": "海康威视"}, 1),
        ({"tier": "municipal"}, 0),
    ],
)
def test_exports_apply_the_same_filters_as_the_list(client, params, expected):
    listed = client.get(reverse("clusters:list"), params).context["page_obj"].paginator.count
    if expected is not None:
        assert listed == expected
    csv_rows = read_csv(client.get(CSV, params))
    xlsx_rows = read_xlsx(client.get(XLSX, params))
    assert len(csv_rows) - 1 == listed
    assert len(xlsx_rows) - 1 == listed
    assert [row[0] for row in csv_rows] == [row[0] for row in xlsx_rows]


def test_export_follows_the_list_ordering(client):
    rows = read_csv(client.get(CSV, {"ordering": "-name"}))[1:]
    assert [row[0] for row in rows] == sorted((row[0] for row in rows), reverse=True)


def test_xlsx_has_the_same_headers_and_rows(client):
    response = client.get(XLSX)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith('.xlsx"')
    rows = read_xlsx(response)
    assert list(rows[0]) == HEADERS
    assert len(rows) - 1 == 25


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86 123", "'+86 123"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("海康威视", "海康威视"),
        ("a=b", "a=b"),
        (1999, 1999),
        (None, None),
        ("", ""),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_formula_cells_are_neutralised_in_both_formats(client):
    cluster = page_data.demo_cluster(name='=HYPERLINK("http://evil")集群', slug="evil", short_name="+cmd|' /C calc'!A0")
    enterprise = Enterprise.objects.create(name="@SUM(1+1)公司")
    LeadEnterprise.objects.filter(cluster=cluster).update(order=1)
    LeadEnterprise.objects.create(cluster=cluster, enterprise=enterprise, order=0)
    Cluster.objects.filter(pk=cluster.pk).update(summary="-2+3 简介")

    csv_row = dict(zip(HEADERS, read_csv(client.get(CSV, {"q": "evil"}))[1], strict=True))
    assert csv_row["集群名称"] == '\'=HYPERLINK("http://evil")集群'
    assert csv_row["简称"] == "'+cmd|' /C calc'!A0"
    assert csv_row["简介"] == "'-2+3 简介"
    assert csv_row["链主企业"].startswith("'@SUM(1+1)公司")
    assert csv_row["演示数据"] == "是"

    workbook = load_workbook(io.BytesIO(read(client.get(XLSX, {"q": "HYPERLINK"}))))
    cells = dict(zip(HEADERS, workbook.active[2], strict=True))
    assert cells["集群名称"].value == '\'=HYPERLINK("http://evil")集群'
    assert cells["集群名称"].data_type == "s"  # text, not a formula
    assert cells["简介"].value == "'-2+3 简介"


def test_bad_filter_values_give_a_400_with_the_reason(client):
    for url in (CSV, XLSX):
        response = client.get(url, {"field": "nope", "province": "12"})
        assert response.status_code == 400
        text = response.content.decode()
        # The list page's words: the parameter and the value that is wrong.
        assert "领域（field）：没有代码为“nope”的领域。" in text
        assert "省份（province）：没有代码为“12”的省份。" in text


@pytest.mark.parametrize("extra", [0, 400], ids=["25-clusters", "425-clusters"])
@pytest.mark.parametrize("url", [CSV, XLSX])
def test_export_query_count_is_fixed(client, extra, url, django_assert_max_num_queries):
    if extra:
        page_data.many_clusters(extra)
        # Every row names a promotion organisation: it must come with the clusters, not one query a row.
        organisation = PromotionOrganization.objects.create(name="测试促进机构")
        Cluster.objects.update(promotion_organization=organisation)
    # Clusters, cities, lead enterprises, and the city names the sheet checks for ambiguity (a repeated name is
    # written as its code so the file re-imports); the first filtered request also reads the small tables its
    # filter values are found in (page_data.REFERENCE_QUERIES), once per data version.
    with django_assert_max_num_queries(4 + page_data.REFERENCE_QUERIES):
        response = client.get(url, {"field": "information-technology", "province": "440000", "city": "440300"})
    assert response.status_code == 200
    with django_assert_max_num_queries(4):
        response = client.get(url)
    rows = read_csv(response) if url == CSV else read_xlsx(response)
    assert len(rows) - 1 == 25 + extra


def test_the_csv_streams_a_chunk_of_clusters_at_a_time(client, monkeypatch):
    """Rows leave as they are read: clusters a chunk at a time (here 10), each chunk's cities and lead
    enterprises with one query each, so memory holds a chunk, never the whole list."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clusters.sheets import writers
    from clusters.sheets.kinds import clusters as cluster_sheet

    page_data.many_clusters(30)
    monkeypatch.setattr(cluster_sheet, "EXPORT_CHUNK", 10)
    monkeypatch.setattr(writers, "ROWS_PER_CHUNK", 5)
    response = client.get(CSV)
    assert response.streaming
    chunks = iter(response.streaming_content)
    with CaptureQueriesContext(connection) as queries:
        header = next(chunks)
        assert header.startswith("\ufeff".encode()) and len(queries) == 0
        first_rows = next(chunks)
        # The cities (once), the clusters, then the first chunk's city links and lead enterprises.
        assert len(queries) == 4
        rest = b"".join(chunks)
    # 55 clusters: 6 chunks, 2 queries each, and the chunks' rows all came out.
    assert len(queries) == 2 + 2 * 6
    rows = list(csv.reader(io.StringIO((header + first_rows + rest).decode("utf-8-sig"))))
    assert len(rows) - 1 == 55
    record = dict(zip(rows[0], next(row for row in rows if row[0] == "规模测试集群0003"), strict=True))
    assert record["链主企业"] == "规模企业0003" and record["页面"] == "http://testserver/clusters/scale-0003/"
    # Each chunk's cities and lead enterprises are its own clusters' (read by id, sheets.base.id_in).
    expected = {
        cluster.name: (
            "、".join(sorted(city.name for city in cluster.cities.all())),
            "、".join(lead.enterprise.name for lead in cluster.lead_enterprises.order_by("order", "id")),
        )
        for cluster in Cluster.objects.public().prefetch_related("cities")
    }
    listed = {
        row[0]: ("、".join(sorted(row[rows[0].index("城市")].split("、"))), row[rows[0].index("链主企业")])
        for row in rows[1:]
    }
    assert listed == expected
