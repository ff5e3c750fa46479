"""The evaluations sheet: imported records start as drafts, scores are checked, bad files write nothing."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.urls import reverse

from clusters.choices import EvaluationState
from clusters.models import Cluster, EvaluationRecord
from clusters.services import evaluations as service
from clusters.sheets.services import run_import

from .evaluation_helpers import colleague, make_scheme
from .import_helpers import body

pytestmark = pytest.mark.django_db

HEADER = "集群名称,评估期,评估方案,协同创新,先进制造能力,优质企业,产业生态,治理体系,评估机构,结论,说明"


@pytest.fixture
def scheme():
    return make_scheme(
        code="import-scheme", name="导入方案", weights=[0.3, 0.2, 0.2, 0.2, 0.1], maxima=[30, 20, 20, 20, 10]
    )


@pytest.fixture
def clusters():
    return list(Cluster.objects.real().order_by("name")[:2])


def sheet(*rows, header=HEADER):
    return ("\n".join([header, *rows]) + "\n").encode("utf-8-sig")


def good_file(clusters):
    a, b = clusters
    return sheet(
        f"{a.name},2024,import-scheme,27,18,16,14,9,工业和信息化部,保留,协同创新突出",
        f"{b.short_name or b.name},2024年,导入方案,３０,20,20,20,10,工业和信息化部,,",
    )


def test_import_creates_drafts_with_computed_totals(scheme, clusters, admin_user):
    result = run_import("evaluations", good_file(clusters), file_name="评估.csv", user=admin_user)
    assert result.ok, [str(e) for e in result.errors]
    assert result.new == 2
    a, b = clusters
    first = EvaluationRecord.objects.get(cluster=a, period="2024")
    assert first.state == EvaluationState.DRAFT and first.scheme == scheme
    assert first.total == Decimal("84.00") and first.grade == "good" and first.conclusion == "retain"
    assert first.created_by == admin_user and first.narrative == "协同创新突出"
    assert first.scores.count() == 5
    assert first.transitions.get().to_state == EvaluationState.DRAFT
    assert first.history.get().history_user == admin_user
    second = EvaluationRecord.objects.get(cluster=b, period="2024")
    assert second.total == Decimal("100.00") and second.grade == "excellent"
    # nothing imported is public
    assert not EvaluationRecord.objects.published().exists()


def test_reimporting_the_same_file_changes_nothing(scheme, clusters, admin_user):
    run_import("evaluations", good_file(clusters), user=admin_user)
    again = run_import("evaluations", good_file(clusters), user=admin_user)
    assert again.ok and again.new == 0 and again.updated == 0 and again.unchanged == 2
    assert EvaluationRecord.objects.count() == 2


def test_changed_draft_is_updated_and_recomputed(scheme, clusters, admin_user):
    run_import("evaluations", good_file(clusters), user=admin_user)
    a, _ = clusters
    result = run_import("evaluations", sheet(f"{a.name},2024,import-scheme,30,20,16,14,9,工业和信息化部,保留,改"))
    assert result.ok and result.updated == 1
    record = EvaluationRecord.objects.get(cluster=a, period="2024")
    assert record.total == Decimal("89.00") and record.grade == "excellent" and record.narrative == "改"


def test_every_bad_row_is_reported_and_nothing_is_written(scheme, clusters):
    a, b = clusters
    data = sheet(
        f"{a.name},2024,import-scheme,31,18,16,14,9,工业和信息化部,保留,",  # above the maximum
        "不存在的集群,2024,import-scheme,27,18,16,14,9,工业和信息化部,保留,",
        f"{b.name},2024,no-such-scheme,27,18,16,14,9,工业和信息化部,保留,",
        f"{b.name},二〇二四,import-scheme,27,18,16,14,九,,大概,",  # bad period, score, body, conclusion
    )
    result = run_import("evaluations", data)
    assert not result.ok
    rows = {e.row for e in result.errors}
    assert rows == {2, 3, 4, 5}
    columns = {(e.row, e.column) for e in result.errors}
    assert (2, "协同创新") in columns and (3, "集群名称") in columns and (4, "评估方案") in columns
    assert {(5, "评估期"), (5, "治理体系"), (5, "评估机构"), (5, "结论")} <= columns
    assert not EvaluationRecord.objects.exists()


def test_a_missing_dimension_column_is_an_error(scheme, clusters):
    header = "集群名称,评估期,评估方案,协同创新,先进制造能力,优质企业,产业生态,评估机构"
    result = run_import("evaluations", sheet(f"{clusters[0].name},2024,import-scheme,27,18,16,14,机构", header=header))
    assert not result.ok and "治理体系" in str(result.errors[0])


def test_import_cannot_change_a_published_record(scheme, clusters, admin_user):
    run_import("evaluations", good_file(clusters), user=admin_user)
    record = EvaluationRecord.objects.get(cluster=clusters[0], period="2024")
    for step in ("submit", "approve", "publish"):
        service.transition(step, record, admin_user if step == "submit" else colleague(admin_user))
    assert run_import("evaluations", good_file(clusters)).unchanged == 2  # the same values: fine
    changed = sheet(f"{clusters[0].name},2024,import-scheme,10,18,16,14,9,工业和信息化部,保留,协同创新突出")
    result = run_import("evaluations", changed)
    assert not result.ok and "修订版" in str(result.errors[0])
    assert EvaluationRecord.objects.get(pk=record.pk).total == Decimal("84.00")


def test_import_sheet_command(scheme, clusters, tmp_path, admin_user):
    path = tmp_path / "评估.csv"
    path.write_bytes(good_file(clusters))
    call_command("import_sheet", "evaluations", str(path), "--dry-run")
    assert not EvaluationRecord.objects.exists()
    call_command("import_sheet", "evaluations", str(path), "--user", admin_user.username)
    assert EvaluationRecord.objects.filter(state=EvaluationState.DRAFT).count() == 2
    bad = tmp_path / "bad.csv"
    bad.write_bytes(sheet(f"{clusters[0].name},2024,import-scheme,99,18,16,14,9,机构,,"))
    with pytest.raises(CommandError):
        call_command("import_sheet", "evaluations", str(bad))


def test_imported_draft_to_publication_through_the_admin(
    scheme, clusters, client, admin_user, django_capture_on_commit_callbacks
):
    """The issue's 'done': a reviewer takes an imported draft through to publication; the public sees it ranked."""
    run_import("evaluations", good_file(clusters), user=admin_user)
    record = EvaluationRecord.objects.get(cluster=clusters[0], period="2024")
    assert client.get(reverse("clusters:rankings")).status_code == 200
    assert clusters[0].display_name not in client.get(reverse("clusters:rankings")).content.decode()
    for action, actor in (
        ("submit", admin_user),
        ("approve", colleague(admin_user)),
        ("publish", colleague(admin_user)),
    ):
        client.force_login(actor)
        url = reverse("admin:clusters_evaluationrecord_workflow", args=[record.pk, action])
        with django_capture_on_commit_callbacks(execute=True):  # the commit bumps the data version (memos)
            assert client.post(url, {"note": ""}).status_code == 302
    client.logout()
    page = client.get(reverse("clusters:rankings")).content.decode()
    assert clusters[0].display_name in page and clusters[1].display_name not in page


def test_admin_upload_preview_confirm_then_review(scheme, clusters, client, admin_user):
    from .job_helpers import confirm, upload_file

    client.force_login(admin_user)
    changelist = reverse("admin:clusters_evaluationrecord_changelist")
    page = client.get(changelist).content.decode()
    upload_url = reverse("admin:clusters_evaluationrecord_sheet_import")
    assert upload_url in page and reverse("admin:clusters_evaluationrecord_sheet_template") in page

    response = upload_file(client, upload_url, good_file(clusters), "评估.csv")
    assert response.status_code == 200
    assert not EvaluationRecord.objects.exists()  # the preview writes nothing
    response = confirm(client, response)
    assert response.context["record"].committed
    records = EvaluationRecord.objects.all()
    assert records.count() == 2 and {r.state for r in records} == {EvaluationState.DRAFT}
    drafts = client.get(changelist, {"queue": "mine"}).context["cl"].result_list
    assert {r.pk for r in drafts} == {r.pk for r in records}


def test_export_reimports_unchanged_and_template_has_dimension_columns(scheme, clusters, client, admin_user):
    from io import BytesIO

    from openpyxl import load_workbook

    run_import("evaluations", good_file(clusters), user=admin_user)
    client.force_login(admin_user)
    export = client.get(reverse("admin:clusters_evaluationrecord_sheet_export"), {"_format": "xlsx"})
    assert export.status_code == 200
    again = run_import("evaluations", body(export), file_name="export.xlsx")
    assert again.ok, [str(e) for e in again.errors]
    assert again.unchanged == 2 and again.new == again.updated == 0
    template = client.get(reverse("admin:clusters_evaluationrecord_sheet_template"))
    header = [cell.value for cell in load_workbook(BytesIO(template.content)).active[1]]
    assert header[:3] == ["集群名称", "评估期", "评估方案"]
    assert {"协同创新", "先进制造能力", "优质企业", "产业生态", "治理体系", "评估机构", "结论", "说明"} <= set(header)


def test_import_respects_the_users_scope(scheme, clusters, django_user_model):
    from clusters.models.roles import StaffScope

    editor = django_user_model.objects.create_user("scoped", password="pw-for-tests-123", is_staff=True)
    editor.user_permissions.set(
        Permission.objects.filter(codename__in=["add_evaluationrecord", "change_evaluationrecord"])
    )
    StaffScope.objects.create(user=editor).clusters.add(clusters[0])
    result = run_import("evaluations", good_file(clusters), user=editor)
    assert not result.ok and [e.row for e in result.errors] == [3]
    assert "职责范围" in str(result.errors[0])
    assert not EvaluationRecord.objects.exists()


def _collide(monkeypatch, act):
    """Run ``act()`` inside the evaluations sheet's write, after its compare found nothing stored."""
    from clusters.sheets.kinds.evaluations import EvaluationSheet

    write = EvaluationSheet.write

    def colliding(self):
        act()
        write(self)

    monkeypatch.setattr(EvaluationSheet, "write", colliding)


def test_a_record_created_between_check_and_write_is_a_collision_not_a_duplicate(scheme, clusters, monkeypatch):
    """The one-record-per-(cluster, scheme, period, revision) constraint fails the later write."""
    monkeypatch.setattr("clusters.sheets.services.logger.warning", lambda *args, **kwargs: None)
    done = []

    def other_clerk():
        if not done:  # once: the nested import's own write passes through here too
            done.append(None)
            done[0] = run_import("evaluations", good_file(clusters))

    _collide(monkeypatch, other_clerk)
    result = run_import("evaluations", good_file(clusters))
    assert done[0].ok and done[0].new == 2  # the other clerk's import, inside ours
    assert [str(e) for e in result.errors] == ["导入期间，有人修改了同样的记录，没有写入任何数据。请重新导入。"]
    assert result.new == 0 and not result.committed
    assert not EvaluationRecord.objects.exists()  # ours rolled back, and took the nested one with it


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_file_at_once_create_each_record_once(shipped_data, monkeypatch):
    """Two processes, one file (PostgreSQL: two connections): one imports, the other is told to import again."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs a database with concurrent transactions")
    make_scheme(code="import-scheme", name="导入方案", weights=[0.3, 0.2, 0.2, 0.2, 0.1], maxima=[30, 20, 20, 20, 10])
    data = good_file(list(Cluster.objects.real().order_by("name")[:2]))
    barrier = threading.Barrier(2, timeout=30)
    _collide(monkeypatch, barrier.wait)  # both have compared and found nothing before either writes
    results = []

    def clerk():
        try:
            results.append(run_import("evaluations", data, file_name="评估.csv"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=clerk) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(r.new for r in results) == [0, 2]
    loser = next(r for r in results if not r.ok)
    assert [str(e) for e in loser.errors] == ["导入期间，有人修改了同样的记录，没有写入任何数据。请重新导入。"]
    assert EvaluationRecord.objects.count() == 2
    assert EvaluationRecord.objects.values("cluster", "scheme", "period").distinct().count() == 2
