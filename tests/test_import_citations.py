"""Rows without a 来源 cite the submitting body's submission (issue 12): never a user name or a file name."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from clusters.models import Cluster, IndicatorValue, Source
from clusters.sheets.services import run_import

from .import_helpers import SHENZHEN, VALUE_HEADER, last_record, xlsx_bytes
from .job_helpers import confirm, upload_file

pytestmark = pytest.mark.django_db

ROWS = [
    VALUE_HEADER,
    [SHENZHEN, "企业数", "2030", "1200家", "", ""],
    [SHENZHEN, "新增投资", "2030", "3000万元", "", ""],
]


@pytest.fixture
def clerk(client):
    user = get_user_model().objects.create_superuser("zhangsan", "z@example.com", "pw", first_name="三", last_name="张")
    client.force_login(user)
    return client


def import_in_admin(client, rows, publisher="", name="good_values.xlsx"):
    preview = upload_file(
        client, reverse("admin:clusters_indicatorvalue_sheet_import"), xlsx_bytes(rows), name, publisher=publisher
    )
    return confirm(client, preview)


def cluster_page(client):
    client.logout()
    return client.get(Cluster.objects.get(name=SHENZHEN).get_absolute_url()).content.decode()


def test_without_a_submitting_body_the_citation_is_the_generic_local_submission(clerk):
    assert import_in_admin(clerk, ROWS).context["record"].committed
    value = IndicatorValue.objects.get(cluster__name=SHENZHEN, indicator__code="enterprise-count", period="2030")
    today = dt.date.today().isoformat()
    assert (value.source.publisher, value.source.title) == ("地方报送", f"地方报送数据（{today}）")
    assert value.source.kind == "submission" and value.source.published_on.isoformat() == today
    page = cluster_page(clerk)
    assert f"地方报送《地方报送数据（{today}）》" in page
    assert "zhangsan" not in page and "张三" not in page and "good_values" not in page
    assert last_record().file_name == "good_values.xlsx"  # the file name stays in the import log


def test_the_submitting_body_is_the_publisher_and_names_the_title(clerk):
    import_in_admin(clerk, ROWS, publisher="深圳市工业和信息化局")
    source = IndicatorValue.objects.get(cluster__name=SHENZHEN, indicator__code="investment", period="2030").source
    title = f"深圳市工业和信息化局报送数据（{dt.date.today():%Y-%m-%d}）"
    assert (source.publisher, source.title) == ("深圳市工业和信息化局", title)
    assert f"深圳市工业和信息化局《{title}》" in cluster_page(clerk)
    assert Source.objects.filter(title__startswith="导入文件").count() == 0


def test_a_re_import_on_another_day_changes_nothing_and_a_changed_figure_cites_the_new_submission(monkeypatch):
    first = run_import("indicator-values", xlsx_bytes(ROWS), "a.xlsx", publisher="无锡市工信局")
    assert first.ok and first.new == 2
    monkeypatch.setattr("clusters.sheets.lookups.timezone.localdate", lambda: dt.date(2099, 1, 2))
    again = run_import("indicator-values", xlsx_bytes(ROWS), "a.xlsx", publisher="无锡市工信局")
    assert again.ok and again.unchanged == 2 and not again.created_sources
    changed = [VALUE_HEADER, ROWS[1], [SHENZHEN, "新增投资", "2030", "4000万元", "", ""]]
    result = run_import("indicator-values", xlsx_bytes(changed), "b.xlsx", publisher="无锡市工信局")
    assert (result.unchanged, result.updated) == (1, 1)
    (updated,) = [outcome for outcome in result.outcomes if outcome.status == "updated"]
    assert ("来源", "无锡市工信局报送数据（2099-01-02）（新建）") in [
        (header, new) for header, _old, new in updated.changes
    ]
    investment = IndicatorValue.objects.get(cluster__name=SHENZHEN, indicator__code="investment", period="2030")
    count = IndicatorValue.objects.get(cluster__name=SHENZHEN, indicator__code="enterprise-count", period="2030")
    assert investment.source.title == "无锡市工信局报送数据（2099-01-02）"
    assert count.source.title.startswith("无锡市工信局报送数据（") and count.source.title != investment.source.title
