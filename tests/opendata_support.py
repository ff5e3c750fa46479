"""Builders for the open-data tests: published (and unpublished) evaluations, downloads read back."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from clusters.choices import EvaluationState
from clusters.models import Cluster, EvaluationRecord
from clusters.services import evaluations as service

from .evaluation_helpers import make_record, make_scheme, make_user, publish_through_workflow
from .import_helpers import body

NANJING = "江苏省南京市新型电力（智能电网）装备集群"
SHENZHEN = "广东省深圳市新一代信息通信集群"
WUXI = "江苏省无锡市物联网集群"
JIANGSU = "320000"


def url(kind, file_format, **params):
    name = "clusters:data_csv" if file_format == "csv" else "clusters:data_xlsx"
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse(name, kwargs={"kind": kind}) + (f"?{query}" if query else "")


def csv_rows(data):
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the UTF-8 BOM"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def workbook(data):
    return load_workbook(io.BytesIO(data), read_only=True)


def sheet_rows(sheet):
    return [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]


def rows_of(data, file_format):
    """The data rows (header first) of a download, whatever its format."""
    return csv_rows(data) if file_format == "csv" else sheet_rows(workbook(data).worksheets[0])


def download(client, kind, file_format, **params):
    response = client.get(url(kind, file_format, **params))
    assert response.status_code == 200, response
    return body(response)


@pytest.fixture
def evaluations():
    """Published evaluations through the workflow: Nanjing's corrected once (both versions published), Shenzhen's
    as first published; a draft for Wuxi and a published record of an unpublished cluster, neither public."""
    editor, reviewer, publisher = make_user("editor"), make_user("reviewer"), make_user("publisher")
    scheme = make_scheme(code="opendata-scheme", name="开放数据测试方案")
    clusters = {name: Cluster.objects.get(name=name) for name in (NANJING, SHENZHEN, WUXI)}
    first = make_record(clusters[NANJING], scheme, "2023", [80, 82, 84, 86, 88], editor, evaluating_body="测试评估机构")
    publish_through_workflow(first, editor, reviewer, publisher)
    correction = service.create_revision(first, editor, "更正")
    service.set_scores(correction, {scheme.dimensions.get(code="innovation"): 90})
    publish_through_workflow(correction, editor, reviewer, publisher)
    shenzhen = make_record(clusters[SHENZHEN], scheme, "2023", [70, 71, 72, 73, 74], editor, conclusion="retain")
    publish_through_workflow(shenzhen, editor, reviewer, publisher)
    make_record(clusters[WUXI], scheme, "2023", [60, 60, 60, 60, 60], editor)  # a draft
    hidden = Cluster.objects.create(
        name="未公开测试集群", slug="hidden-opendata", field=clusters[WUXI].field, tier="national", published=False
    )
    hidden.cities.set(clusters[WUXI].cities.all())
    secret = make_record(hidden, scheme, "2023", [99, 99, 99, 99, 99], editor)
    publish_through_workflow(secret, editor, reviewer, publisher)
    assert EvaluationRecord.objects.filter(state=EvaluationState.PUBLISHED).count() == 4
    return {"first": first, "correction": correction, "shenzhen": shenzhen, "hidden": hidden, "scheme": scheme}
