"""The measures sheet's 主题 column: several topics in one cell, read by name, code or English name, written with
the measures, exported so that an admin export (and a public download) re-imports unchanged."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from clusters.models import Measure, MeasureTopic
from clusters.sheets.services import run_import
from clusters.sheets.writers import export_bytes

from .import_helpers import SHENZHEN, body, counts, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADER = ["集群名称", "类别", "主题", "标题", "来源"]
TITLE = "测试举措：人才与资金"
SHANGHAI_IC = "上海市集成电路集群"


def topics_of(title, cluster=SHENZHEN):
    measure = Measure.objects.get(title=title, cluster__name=cluster) if cluster else Measure.objects.get(title=title)
    return sorted(measure.topics.values_list("slug", flat=True))


@pytest.mark.parametrize(
    "cell",
    ["资金支持、人才", "funding；talent", "Funding, Talent", "人才;资金支持", "资金支持，talent，资金支持"],
)
def test_topics_are_read_by_name_code_or_english_name_with_any_separator(cell):
    result = run_import("measures", csv_bytes([HEADER, [SHENZHEN, "", cell, TITLE, "seed-004"]]), "topics.csv")
    assert result.ok and result.new == 1, [str(e) for e in result.errors]
    assert topics_of(TITLE) == ["funding", "talent"]
    again = run_import("measures", csv_bytes([HEADER, [SHENZHEN, "", cell, TITLE, "seed-004"]]), "topics.csv")
    assert again.ok and again.unchanged == 1 and again.new == again.updated == 0


def test_an_unknown_topic_is_a_row_error_naming_the_cell_and_the_topics_there_are(tmp_path):
    rows = [HEADER, [SHENZHEN, "", "人才", TITLE, "seed-004"], [SHENZHEN, "", "人才、补贴", "另一条举措", "seed-004"]]
    before = counts()
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(rows))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_sheet", "measures", str(path), stdout=io.StringIO(), stderr=err)
    assert counts() == before  # the good row was not written either
    (error,) = run_import("measures", csv_bytes(rows), "bad.csv").errors
    assert (error.row, error.column, error.value) == (3, "主题", "补贴")
    assert "找不到举措主题“补贴”" in error.message and "资金支持、人才" in error.message
    assert "第 3 行" in err.getvalue() and "补贴" in err.getvalue()


def test_changing_only_the_topics_is_an_update_that_stamps_the_measure_and_its_history():
    run_import("measures", csv_bytes([HEADER, [SHENZHEN, "", "人才", TITLE, "seed-004"]]), "a.csv")
    measure = Measure.objects.get(title=TITLE)
    stamped, history = measure.updated_at, measure.history.count()
    result = run_import("measures", csv_bytes([HEADER, [SHENZHEN, "", "资金支持、人才", TITLE, "seed-004"]]), "b.csv")
    assert result.ok and result.updated == 1 and result.unchanged == 0
    (outcome,) = [o for o in result.outcomes if o.status == "updated"]
    assert outcome.changes == [("主题", "人才", "人才、资金支持")]
    measure.refresh_from_db()
    assert topics_of(TITLE) == ["funding", "talent"]
    assert measure.updated_at > stamped and measure.history.count() == history + 1


def test_a_dry_run_reports_a_topic_change_and_writes_nothing():
    run_import("measures", csv_bytes([HEADER, [SHENZHEN, "", "人才", TITLE, "seed-004"]]), "a.csv")
    result = run_import(
        "measures", csv_bytes([HEADER, [SHENZHEN, "", "个税减免", TITLE, "seed-004"]]), "b.csv", dry_run=True
    )
    assert result.ok and result.updated == 1
    assert topics_of(TITLE) == ["talent"]


def test_an_empty_cell_clears_the_topics_and_a_file_without_the_column_leaves_them_alone():
    run_import("measures", csv_bytes([HEADER, [SHENZHEN, "", "人才、资金支持", TITLE, "seed-004"]]), "a.csv")
    without = run_import(
        "measures", csv_bytes([["集群名称", "标题", "来源"], [SHENZHEN, TITLE, "seed-004"]]), "without.csv"
    )
    assert without.ok and without.unchanged == 1
    assert topics_of(TITLE) == ["funding", "talent"]
    cleared = run_import("measures", csv_bytes([HEADER, [SHENZHEN, "", "", TITLE, "seed-004"]]), "empty.csv")
    assert cleared.ok and cleared.updated == 1
    assert topics_of(TITLE) == []


def test_a_programme_wide_measure_gets_its_topics_too():
    title = "测试：面向全部集群的人才举措"
    result = run_import("measures", csv_bytes([HEADER, ["", "", "人才、集群治理", title, "seed-000"]]), "p.csv")
    assert result.ok and result.new == 1, [str(e) for e in result.errors]
    assert topics_of(title, cluster=None) == ["governance", "talent"]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_admin_export_writes_topics_and_reimports_unchanged(client, file_format):
    """The shipped measures carry topics (seed 000's words); the admin's export round-trips them."""
    client.force_login(get_user_model().objects.create_superuser("topics", "t@example.com", "pw"))
    response = client.get(reverse("admin:clusters_measure_sheet_export"), {"_format": file_format})
    data = body(response)
    if file_format == "csv":
        lines = data.decode("utf-8-sig").splitlines()
        assert lines[0].split(",")[:4] == ["集群名称", "类别", "主题", "标题"]
        assert any(line.startswith(f"{SHANGHAI_IC},,个税减免,个税减免政策") for line in lines)
        assert any(",资金支持、个税减免、中小企业培育,集群所在地围绕" in line for line in lines)
    before = counts()
    result = run_import("measures", data, f"export.{file_format}")
    assert result.ok and result.new == result.updated == 0, [str(e) for e in result.errors]
    assert result.unchanged == Measure.objects.count() == 48
    assert counts() == before


def test_a_topic_renamed_since_the_export_is_found_by_its_code_not_lost():
    """Exports write the topic's name; after a rename the old name is unknown (an error, nothing lost), while
    a sheet written with codes keeps working."""
    exported = export_bytes("measures", Measure.objects.filter(title="个税减免政策"), "csv")
    MeasureTopic.objects.filter(slug="tax").update(name="个人所得税优惠")
    result = run_import("measures", exported, "old.csv")
    assert not result.ok and "个税减免" in result.errors[0].value
    by_code = run_import("measures", csv_bytes([HEADER, [SHANGHAI_IC, "", "tax", "个税减免政策", "seed-000"]]), "c.csv")
    assert by_code.ok and by_code.unchanged == 1


def test_topics_in_an_xlsx_with_several_rows_are_written_in_one_import():
    rows = [HEADER] + [
        [SHENZHEN, "", "人才" if n % 2 else "资金支持、营商环境", f"{TITLE}{n}", "seed-004"] for n in range(6)
    ]
    result = run_import("measures", xlsx_bytes(rows), "many.xlsx")
    assert result.ok and result.new == 6
    assert topics_of(f"{TITLE}1") == ["talent"]
    assert topics_of(f"{TITLE}2") == ["business-environment", "funding"]
