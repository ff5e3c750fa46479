"""Admin imports as background jobs, through the real admin (a logged-in clerk on the test client) and the real
django-tasks-db worker run in-process: the states (queued → running → done, cancelled, failed), the paged
preview, the error workbook's round trip, the write scope in the worker, and who may see a job."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from clusters import scoping
from clusters.models import ImportRecord, IndicatorValue
from clusters.sheets import jobs

from .import_helpers import SHENZHEN, VALUE_HEADER, WUXI, counts, csv_bytes, value_rows, xlsx_bytes
from .job_helpers import confirm, run_jobs, upload_to
from .role_helpers import role_user

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:clusters_indicatorvalue_sheet_import"


@pytest.fixture
def clerk(client):
    client.force_login(get_user_model().objects.create_superuser("clerk", "clerk@example.com", "pw"))
    return client


def post_upload(client, data, name="报送.xlsx"):
    """The upload alone: it answers at once with the job page's address."""
    response = client.post(reverse(IMPORT_URL), {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 302
    return response["Location"]


def record_of(url):
    return ImportRecord.objects.get(pk=int(url.rstrip("/").split("/")[-2]))


def during_run(monkeypatch, step, action):
    """Call ``action`` once, from inside the worker, when the job reports ``step`` ("read", "written")."""
    monkeypatch.setattr(jobs, "PROGRESS_SECONDS", 0)
    original = getattr(jobs.JobProgress, step)
    done = []

    def hooked(self, count):
        if not done:
            done.append(action())
        return original(self, count)

    monkeypatch.setattr(jobs.JobProgress, step, hooked)
    return done


def test_queued_running_done_through_the_admin(clerk, monkeypatch):
    before = IndicatorValue.objects.count()
    url = post_upload(clerk, xlsx_bytes(value_rows()))
    page = clerk.get(url)
    assert page.context["record"].state == ImportRecord.QUEUED
    html = page.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in html  # no script: the CSP forbids inline ones
    assert reverse("admin:clusters_importrecord_job_cancel", args=[record_of(url).pk]) in html

    seen = during_run(monkeypatch, "read", lambda: clerk.get(url))
    run_jobs()
    running = seen[0]
    assert running.context["record"].state == ImportRecord.RUNNING
    assert running.context["record"].rows_total == 3  # the sheet's rows less the header
    assert 'http-equiv="refresh"' in running.content.decode()

    page = clerk.get(url)
    record = page.context["record"]
    assert (record.state, record.phase, record.dry_run, record.committed) == ("done", "check", True, False)
    assert (record.rows_read, record.rows_checked, record.new_count) == (3, 3, 3)
    assert 'http-equiv="refresh"' not in page.content.decode()
    assert IndicatorValue.objects.count() == before

    page = confirm(clerk, page)
    record = page.context["record"]
    assert (record.state, record.phase, record.dry_run, record.committed) == ("done", "import", False, True)
    assert record.rows_written == 3 and record.file_data is None  # the upload is not kept once imported
    assert IndicatorValue.objects.count() == before + 3
    value = IndicatorValue.objects.get(cluster__name=SHENZHEN, indicator__code="investment", period="2030")
    assert value.history.first().history_user.username == "clerk"  # the worker writes as the job's user
    # Confirming twice imports once.
    again = clerk.post(reverse("admin:clusters_importrecord_job_confirm", args=[record.pk]))
    assert again.status_code == 302
    run_jobs()
    assert IndicatorValue.objects.count() == before + 3


def test_a_queued_job_cancelled_never_runs(clerk):
    before = counts()
    url = post_upload(clerk, xlsx_bytes(value_rows()))
    record = record_of(url)
    assert clerk.post(reverse("admin:clusters_importrecord_job_cancel", args=[record.pk])).status_code == 302
    run_jobs()
    page = clerk.get(url)
    assert page.context["record"].state == ImportRecord.CANCELLED
    assert "任务已取消，没有写入任何数据。" in page.content.decode()
    assert counts() == before


@pytest.mark.parametrize("step", ["read", "written"])
def test_a_running_job_cancelled_between_batches_writes_nothing(clerk, monkeypatch, step):
    before = counts()
    url = post_upload(clerk, xlsx_bytes(value_rows()))
    record = record_of(url)
    cancel = reverse("admin:clusters_importrecord_job_cancel", args=[record.pk])
    if step == "written":  # cancelled while the import writes: the rows already inserted are rolled back
        run_jobs()
        clerk.post(reverse("admin:clusters_importrecord_job_confirm", args=[record.pk]))
    seen = during_run(monkeypatch, step, lambda: clerk.post(cancel))
    run_jobs()
    assert seen and seen[0].status_code == 302
    page = clerk.get(url)
    assert page.context["record"].state == ImportRecord.CANCELLED
    assert not page.context["record"].committed
    assert counts() == before


def test_a_dead_worker_leaves_nothing_written_and_the_job_shown_failed(clerk, monkeypatch, settings):
    url = post_upload(clerk, xlsx_bytes(value_rows()))
    run_jobs()
    before = counts()
    record = record_of(url)
    clerk.post(reverse("admin:clusters_importrecord_job_confirm", args=[record.pk]))

    from clusters.sheets import base

    insert = base.insert_with_history

    def insert_then_die(*args, **kwargs):
        insert(*args, **kwargs)
        assert IndicatorValue.objects.count() > before["IndicatorValue"]  # rows were inserted…
        raise SystemExit("killed")  # …when the process died (nothing in the job may catch this)

    monkeypatch.setattr(base, "insert_with_history", insert_then_die)
    run_jobs()
    assert counts() == before  # the write was one transaction
    record.refresh_from_db()
    assert record.state == ImportRecord.RUNNING  # as a dead worker leaves it: its heartbeat stops

    page = clerk.get(url)  # not yet stale: still shown running
    assert page.context["record"].state == ImportRecord.RUNNING
    settings.IMPORT_JOB_STALE_SECONDS = 0
    page = clerk.get(url)
    assert page.context["record"].state == ImportRecord.FAILED
    assert "任务进程停止了响应" in page.content.decode()
    record.refresh_from_db()
    assert record.state == ImportRecord.FAILED and record.file_data is None  # marked, not only shown
    assert counts() == before


def test_preview_pages_through_every_row_with_its_cells(clerk, settings):
    settings.IMPORT_PREVIEW_PAGE_SIZE = 2
    page = upload_to(clerk, "indicatorvalue", xlsx_bytes(value_rows()))
    html = page.content.decode()
    assert page.context["headers"] == VALUE_HEADER
    assert [row["row"] for row in page.context["preview_rows"]] == [2, 3]
    assert "3000万元" in html and "１，２００家" in html  # the value and unit as written, not just keys
    assert "第 1 / 2 页" in html
    second = clerk.get(page.wsgi_request.path, {"page": 2})
    rows = second.context["preview_rows"]
    assert [row["row"] for row in rows] == [4] and rows[0]["status"] == "new"
    assert "超过42.5%" in second.content.decode()


def test_preview_shows_what_changes_in_every_row(clerk, settings):
    settings.IMPORT_PREVIEW_PAGE_SIZE = 1
    confirm(clerk, upload_to(clerk, "indicatorvalue", xlsx_bytes(value_rows())))
    rows = value_rows()
    rows[3][3] = "超过43%"
    page = upload_to(clerk, "indicatorvalue", xlsx_bytes(rows))
    assert "修改 1 行" in page.content.decode()
    last = clerk.get(page.wsgi_request.path, {"page": 3}).context["preview_rows"][0]
    assert last["status"] == "updated" and last["changes"][0][1:] == ["42.5", "43"]


BAD = [
    ["2030年报送"],  # a title row above the header
    VALUE_HEADER,
    [SHENZHEN, "新增投资", "2030", "3000万元", "", "seed-004"],
    ["不存在的集群", "企业数", "2030", "12家", "", ""],
    [SHENZHEN, "企业数", "二〇三〇", "很多", "", ""],
    [WUXI, "占全国比重", "2030", "42.5%", "", "seed-000"],
]


def test_error_workbook_round_trip(clerk):
    before = counts()
    page = upload_to(clerk, "indicatorvalue", xlsx_bytes(BAD), "报送.xlsx")
    assert page.context["result"].error_count == 3
    download = clerk.get(page.context["errors_url"])
    assert "errors.xlsx" in download["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(download.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "2030年报送" and rows[1][:7] == [*VALUE_HEADER, "错误"]
    assert rows[2][6] == "无误" and rows[5][6] == "无误"
    assert "找不到集群“不存在的集群”" in rows[3][6]
    assert "“二〇三〇”不是期间" in rows[4][6] and "“很多”不是数字" in rows[4][6]
    assert [cell or "" for cell in rows[4][:6]] == BAD[4]  # the clerk's own cells, in their order

    # The clerk fixes the cells in Excel and uploads the workbook as it is, 错误 column and all.
    workbook = load_workbook(io.BytesIO(download.content))
    sheet = workbook.active
    sheet["A4"] = WUXI
    sheet["C5"], sheet["D5"] = "2030", "1200家"
    fixed = io.BytesIO()
    workbook.save(fixed)
    page = upload_to(clerk, "indicatorvalue", fixed.getvalue(), "报送-错误.xlsx")
    result = page.context["result"]
    assert result.ok, [str(e) for e in result.errors]
    assert result.new == 4 and not any("错误" in warning for warning in result.warnings)
    page = confirm(clerk, page)
    assert page.context["record"].committed and counts()["IndicatorValue"] == before["IndicatorValue"] + 4


def test_command_writes_the_error_workbook(tmp_path, db):
    path, out = tmp_path / "bad.csv", tmp_path / "errors.xlsx"
    path.write_bytes(csv_bytes(BAD, "gb18030"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="3 处错误"):
        call_command("import_sheet", "indicator-values", str(path), "--errors-out", str(out), stderr=err)
    assert f"错误工作簿：{out}" in err.getvalue()
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert [row[6] for row in rows[2:]] == ["无误", rows[3][6], rows[4][6], "无误"] and "不是数字" in rows[4][6]


def test_command_shows_progress_lines_when_not_on_a_terminal(tmp_path, db, monkeypatch):
    from clusters.management.commands import import_sheet

    monkeypatch.setattr(import_sheet, "LINE_SECONDS", 0)
    path = tmp_path / "values.csv"
    path.write_bytes(csv_bytes(value_rows()))
    err = io.StringIO()
    call_command("import_sheet", "indicator-values", str(path), "--dry-run", stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert "读取：3 / 3 行（0 秒）" in lines and "检查：3 / 3 行（0 秒）" in lines
    assert "\r" not in err.getvalue()


def test_command_draws_a_bar_on_a_terminal(tmp_path, db):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    path = tmp_path / "values.csv"
    path.write_bytes(csv_bytes(value_rows()))
    err = Terminal()
    call_command("import_sheet", "indicator-values", str(path), "--dry-run", stdout=io.StringIO(), stderr=err)
    assert "\r[" + "#" * 30 + "] 检查 3 / 3 行" in err.getvalue()


# ------------------------------------------------------------------------------------------ who and what


@pytest.fixture
def province_clerk():
    call_command("setup_roles", verbosity=0)
    return role_user("gd", scoping.PROVINCE_EDITOR_GROUP, provinces=["440000"])


def test_the_worker_enforces_the_job_users_scope(client, province_clerk):
    client.force_login(province_clerk)
    before = counts()
    rows = [VALUE_HEADER, [SHENZHEN, "企业数", "2030", "12家", "", ""], [WUXI, "企业数", "2030", "15家", "", ""]]
    page = upload_to(client, "indicatorvalue", csv_bytes(rows), "报送.csv")
    errors = [(e.row, e.message) for e in page.context["result"].errors]
    assert errors == [(3, "该集群不在您的职责范围内。")]
    assert "confirm_url" not in page.context and counts() == before


def test_a_job_whose_user_lost_the_permission_meanwhile_does_not_run(client, province_clerk):
    client.force_login(province_clerk)
    before = counts()
    page = upload_to(client, "indicatorvalue", csv_bytes(value_rows()[:2]), "报送.csv")
    client.post(page.context["confirm_url"])
    province_clerk.groups.clear()  # the import is queued; then the clerk's role is taken away
    province_clerk.user_permissions.set(Permission.objects.filter(codename="view_importrecord"))
    run_jobs()
    record = ImportRecord.objects.get(user=province_clerk)
    assert record.state == ImportRecord.FAILED and record.outcome == {"failure": "user"}
    assert counts() == before


def test_only_the_jobs_own_user_or_a_superuser_sees_it(client, province_clerk, django_user_model):
    client.force_login(province_clerk)
    page = upload_to(client, "indicatorvalue", csv_bytes(value_rows()[:2]), "mine.csv")
    record = page.context["record"]
    job = reverse("admin:clusters_importrecord_job", args=[record.pk])
    log = reverse("admin:clusters_importrecord_changelist")
    assert "mine.csv" in client.get(log).content.decode()  # the clerk's list of their jobs

    client.force_login(role_user("other", scoping.PROVINCE_EDITOR_GROUP))
    assert client.get(job).status_code == 404
    assert client.post(reverse("admin:clusters_importrecord_job_cancel", args=[record.pk])).status_code == 404
    assert client.post(reverse("admin:clusters_importrecord_job_confirm", args=[record.pk])).status_code == 404
    assert "mine.csv" not in client.get(log).content.decode()

    client.force_login(django_user_model.objects.create_superuser("boss", "b@example.com", "pw"))
    assert client.get(job).status_code == 200
    assert "mine.csv" in client.get(log).content.decode()


# ------------------------------------------------------------------------------- unchanged re-import, raw


@pytest.mark.parametrize("figure", ["3000万元", "12345678901234.5678", "0.0001", "1200"])
def test_an_unchanged_figure_is_unchanged_and_a_changed_one_updated(figure):
    """On SQLite the stored rows are compared raw (floats, or the text of a long decimal): as exact as Decimals."""
    from clusters.sheets.services import run_import

    rows = [VALUE_HEADER, [SHENZHEN, "新增投资", "2030", figure, "", "seed-004"]]
    assert run_import("indicator-values", csv_bytes(rows), "a.csv").new == 1
    again = run_import("indicator-values", csv_bytes(rows), "a.csv")
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
    rows[1][3] = figure.replace("1", "2", 1) if "1" in figure else "3001万元"
    changed = run_import("indicator-values", csv_bytes(rows), "a.csv")
    assert changed.updated == 1, [str(e) for e in changed.errors]
    header, old, new = changed.outcomes[0].changes[0]
    assert header == "数值" and old != new and "e" not in old.lower()


def _from_another_connection(function):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def run():
        try:
            return function()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has one writer at a time: there the write's counters wait for its commit",
)
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_others_see_the_write_advance_before_its_commit(client, shipped_data, monkeypatch):
    client.force_login(get_user_model().objects.create_superuser("clerk", "clerk@example.com", "pw"))
    page = upload_to(client, "indicatorvalue", xlsx_bytes(value_rows()))
    record = page.context["record"]
    before = IndicatorValue.objects.count()
    client.post(page.context["confirm_url"])
    monkeypatch.setattr(jobs, "PROGRESS_SECONDS", 0)
    written, seen = jobs.JobProgress.written, []

    def watched(self, count):
        written(self, count)
        seen.append(
            _from_another_connection(
                lambda: (
                    ImportRecord.objects.values_list("state", "rows_written").get(pk=record.pk),
                    IndicatorValue.objects.count(),
                )
            )
        )

    monkeypatch.setattr(jobs.JobProgress, "written", watched)
    run_jobs()
    assert seen[0] == (("running", 3), before)  # the counter is visible, the rows not yet
    assert IndicatorValue.objects.count() == before + 3


def test_a_new_row_shows_what_its_cells_were_read_as(clerk):
    """Before confirming, the clerk sees each new figure as it will be stored: the value in the indicator's
    unit and the qualifier taken out of the cell (“超过42.5%” → 42.5%, 超过), not only the row's key."""
    page = upload_to(clerk, "indicatorvalue", xlsx_bytes(value_rows()))
    read = {row["row"]: [(header, new) for header, _old, new in row["changes"]] for row in page.context["preview_rows"]}
    assert ("数值", "0.3 亿元") in read[2]  # 3000万元, converted
    assert ("数值", "1200 家") in read[3]  # １，２００家, full-width digits and separators read
    assert ("数值", "42.5%") in read[4] and ("数值性质", "超过/以上") in read[4]
    assert ("来源", "seed-000") in read[4]
    html = page.content.decode()
    assert "<ins>0.3 亿元</ins>" in html and "<ins>超过/以上</ins>" in html
