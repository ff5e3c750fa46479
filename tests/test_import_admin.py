"""The import, export and template in the real admin: a superuser uploads, previews, confirms."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from clusters.models import ImportRecord, IndicatorValue, Measure

from .import_helpers import (
    SHENZHEN,
    VALUE_HEADER,
    body,
    collide_during_write,
    counts,
    csv_bytes,
    value_rows,
    xlsx_bytes,
)
from .job_helpers import confirm, upload_to

pytestmark = pytest.mark.django_db

KINDS = [
    ("clusters", "cluster"),
    ("measures", "measure"),
    ("targets", "target"),
    ("indicator-values", "indicatorvalue"),
]


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("importer", "importer@example.com", "pw")
    client.force_login(user)
    return client


def url(model, view):
    return reverse(f"admin:clusters_{model}_{view}")


def upload(client, model, data, name):
    """Upload, let the worker check it, -> the job page (or the form's own answer when it refuses)."""
    return upload_to(client, model, data, name)


@pytest.mark.parametrize(("kind", "model"), KINDS)
def test_change_list_offers_import_export_and_template(admin_client, kind, model):
    page = admin_client.get(url(model, "changelist")).content.decode()
    assert url(model, "sheet_import") in page
    assert url(model, "sheet_template") in page
    assert "_format=xlsx" in page and "_format=csv" in page and "_format=json" in page


def test_upload_preview_confirm(admin_client):
    before = IndicatorValue.objects.count()
    response = upload(admin_client, "indicatorvalue", xlsx_bytes(value_rows()), "报送.xlsx")
    page = response.content.decode()
    assert response.status_code == 200
    assert "新增 3 行，修改 0 行，不变 0 行" in page
    assert IndicatorValue.objects.count() == before  # the preview writes nothing
    response = confirm(admin_client, response)
    assert "已导入：新增 3 行，修改 0 行，不变 0 行" in response.content.decode()
    assert IndicatorValue.objects.count() == before + 3
    record = ImportRecord.objects.order_by("-id").first()
    assert (record.via, record.dry_run, record.committed, record.new_count) == ("admin", False, True, 3)
    assert record.user.username == "importer"
    # History names the user who confirmed.
    value = IndicatorValue.objects.get(cluster__name=SHENZHEN, indicator__code="investment", period="2030")
    assert value.history.first().history_user.username == "importer"
    # Again: the preview says unchanged, and there is nothing to confirm.
    response = upload(admin_client, "indicatorvalue", xlsx_bytes(value_rows()), "报送.xlsx")
    assert "不变 3 行" in response.content.decode()
    assert "confirm_url" not in response.context


def test_confirm_that_collides_with_another_clerk_shows_why_and_writes_nothing(admin_client, monkeypatch):
    response = upload(admin_client, "indicatorvalue", xlsx_bytes(value_rows()), "报送.xlsx")
    before = counts()
    collide_during_write(monkeypatch)
    response = confirm(admin_client, response)
    assert response.status_code == 200
    assert "导入期间，有人修改了同样的记录，没有写入任何数据。请重新导入。" in response.content.decode()
    assert counts() == before


def test_bad_file_lists_every_error_and_writes_nothing(admin_client):
    rows = [
        *value_rows(),
        ["不存在的集群", "产值", "2030", "12", "", ""],
        [SHENZHEN, "产值", "二〇三〇", "很多", "", ""],
    ]
    before = counts()
    response = upload(admin_client, "indicatorvalue", csv_bytes(rows, "gb18030"), "bad.csv")
    page = response.content.decode()
    assert "发现 3 处错误，没有写入任何数据" in page
    assert "找不到集群“不存在的集群”" in page
    assert "“二〇三〇”不是期间" in page
    assert "“很多”不是数字" in page
    assert "confirm_url" not in response.context
    assert counts() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "文件是空的"),
        (b"%PDF-1.4 binary \x00\x01\x02", "这是 PDF 文件"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "不是 Excel 工作簿"),
        (b"PK\x03\x04 broken zip", "已损坏"),
        (csv_bytes([VALUE_HEADER]), "只有表头"),
        (csv_bytes([["名称", "值"], ["a", "1"]]), "缺少必填列“集群名称”"),
    ],
)
def test_unreadable_files_get_a_clear_message(admin_client, data, message):
    response = upload(admin_client, "indicatorvalue", data, "x.xlsx")
    assert response.status_code == 200
    assert message in response.content.decode()


def test_file_over_the_size_limit_is_refused(admin_client, settings):
    settings.IMPORT_MAX_UPLOAD_SIZE = 100
    response = upload(admin_client, "indicatorvalue", xlsx_bytes(value_rows()), "big.xlsx")
    assert "超过上限" in response.content.decode()


@pytest.mark.parametrize(("kind", "model"), KINDS)
@pytest.mark.parametrize("file_format", ["xlsx", "csv", "json"])
def test_export_downloads(admin_client, kind, model, file_format):
    response = admin_client.get(url(model, "sheet_export"), {"_format": file_format})
    assert response.status_code == 200
    assert f".{file_format}" in response["Content-Disposition"]


@pytest.mark.parametrize(("kind", "model"), KINDS)
def test_export_then_import_changes_nothing(admin_client, kind, model):
    exported = body(admin_client.get(url(model, "sheet_export"), {"_format": "xlsx"}))
    response = upload(admin_client, model, exported, "export.xlsx")
    result = response.context["result"]
    assert result.ok, [str(e) for e in result.errors]
    assert result.new == result.updated == 0 and result.unchanged > 0


def test_export_follows_the_list_filters(admin_client):
    response = admin_client.get(url("measure", "sheet_export"), {"_format": "csv", "q": "不会出现的标题"})
    assert body(response).decode("utf-8-sig").strip().count("\n") == 0  # header only


@pytest.mark.parametrize(("kind", "model"), KINDS)
def test_template_downloads_and_reimports_cleanly(admin_client, kind, model):
    response = admin_client.get(url(model, "sheet_template"))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[1] == "说明"
    assert workbook.worksheets[0].cell(1, 1).value in ("集群名称",)
    before = counts()
    response = upload(admin_client, model, response.content, f"template-{kind}.xlsx")
    result = response.context["result"]
    assert result.ok, [str(e) for e in result.errors]
    assert result.unchanged == 1
    assert counts() == before


def test_staff_without_permission_cannot_import(client):
    user = get_user_model().objects.create_user("viewer", password="pw", is_staff=True)
    client.force_login(user)
    assert client.get(url("measure", "sheet_import")).status_code == 403
    assert Measure.objects.exists()


def test_import_log_is_read_only_in_admin(admin_client):
    upload(admin_client, "indicatorvalue", xlsx_bytes(value_rows()), "log.xlsx")
    page = admin_client.get(reverse("admin:clusters_importrecord_changelist")).content.decode()
    assert "log.xlsx" in page
    assert admin_client.get(reverse("admin:clusters_importrecord_add")).status_code == 403


def test_a_job_that_crashes_is_failed_and_lets_go_of_the_file(admin_client, monkeypatch):
    response = upload(admin_client, "indicatorvalue", xlsx_bytes(value_rows()), "报送.xlsx")
    record = response.context["record"]

    def crash(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("clusters.sheets.jobs.run_import", crash)
    before = counts()
    response = confirm(admin_client, response)
    assert response.context["record"].state == ImportRecord.FAILED
    assert "任务意外出错，没有写入任何数据" in response.content.decode()
    assert counts() == before
    record.refresh_from_db()
    assert record.file_data is None  # the upload is not kept
    again = admin_client.post(reverse("admin:clusters_importrecord_job_confirm", args=[record.pk]))
    assert again.status_code == 302  # and it cannot be confirmed again
    assert admin_client.get(again["Location"]).context["record"].state == ImportRecord.FAILED
