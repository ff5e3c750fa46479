"""Upgrading a database that holds an earlier release's shipped data: `make data` converges on this release.

An earlier release's rows are written here as its loader wrote them, raw (no history), and staff edits
through the ORM's `save()`, which records history as the admin, the API and the imports do.
"""

import importlib
import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from clusters.models import IndicatorValue, Measure, MeasureCategory, MeasureTopic, Source

pytestmark = pytest.mark.django_db

NANJING = "江苏省南京市新型电力（智能电网）装备集群"


def load(*args):
    out = io.StringIO()
    call_command("load_portal_data", *args, stdout=out, quiet_hint=True)
    return out.getvalue()


def shipped_earlier(**fields):
    """A value row as the previous release's loader left it: saved raw, so without history."""
    now = timezone.now()
    row = IndicatorValue(created_at=now, updated_at=now, **fields)
    row.save_base(raw=True)
    return row


def nanjing_shares():
    return IndicatorValue.objects.filter(cluster__name=NANJING, indicator__code="domestic-market-share")


def test_a_row_only_the_loader_wrote_is_brought_up_to_the_new_release():
    value = IndicatorValue.objects.get(cluster__name=NANJING, indicator__code="standards")
    # As 0006 left the earlier release's row: no report-year flag yet.
    IndicatorValue.objects.filter(pk=value.pk).update(period_is_report_year=False)

    output = load()

    value.refresh_from_db()
    assert value.period_is_report_year
    assert "更新 1 行" in output and "保留本地修改 0 行" in output


def test_the_earlier_unscoped_share_is_replaced_not_kept_beside_the_scoped_one():
    scoped = nanjing_shares().get(scope="高压继电保护设备")
    old = shipped_earlier(
        cluster=scoped.cluster,
        indicator=scoped.indicator,
        period="2021",
        scope="",
        value=Decimal("80"),
        original_text="高压继电保护设备国内市场占有率达80%（产品：高压继电保护设备）",
        source=scoped.source,
    )

    output = load()

    assert not IndicatorValue.objects.filter(pk=old.pk).exists()
    assert sorted(nanjing_shares().values_list("scope", flat=True)) == [
        "地级电网调度自动化系统及设备",
        "省级电网调度自动化系统及设备",
        "高压继电保护设备",
    ]
    assert "移除 1 行" in output
    assert "移除 0 行" in load()  # and the next run has nothing left to do


def test_a_retired_row_staff_changed_is_kept_and_reported():
    scoped = nanjing_shares().get(scope="高压继电保护设备")
    old = shipped_earlier(
        cluster=scoped.cluster, indicator=scoped.indicator, period="2021", scope="", value=80, source=scoped.source
    )
    old.note = "工作人员补充的说明"
    old.save()  # a staff edit: history

    output = load()

    assert IndicatorValue.objects.filter(pk=old.pk).exists()
    assert "保留已停止发布的指标值" in output and "工作人员改过" in output
    load("--overwrite")
    assert not IndicatorValue.objects.filter(pk=old.pk).exists()


def test_the_former_categories_become_topics():
    """Migration 0008 on a database whose measures were filed under 资金支持 (an earlier release's category)."""
    migration = importlib.import_module("clusters.migrations.0008_former_measure_categories_to_topics")
    funding = MeasureCategory.objects.create(slug="funding", name="资金支持（旧类别）", name_en="Funding", order=5)
    staff_measure = Measure.objects.create(
        cluster=None, category=funding, title="工作人员录入的资金举措", source=Source.objects.get(code="seed-000")
    )

    migration.categories_to_topics(apps, None)

    staff_measure.refresh_from_db()
    assert staff_measure.category is None
    assert list(staff_measure.topics.values_list("slug", flat=True)) == ["funding"]
    assert not MeasureCategory.objects.filter(slug="funding").exists()
    assert MeasureTopic.objects.filter(slug="funding").count() == 1  # the shipped topic, not a second one


def test_migration_0008_reversed_and_reapplied_leaves_the_measures_as_they_were():
    migration = importlib.import_module("clusters.migrations.0008_former_measure_categories_to_topics")
    before = sorted(Measure.objects.values_list("title", "category__slug"))
    migration.topics_to_categories(apps, None)
    assert not Measure.objects.filter(category=None).exists()  # the old schema needs a category for each
    migration.categories_to_topics(apps, None)
    assert sorted(Measure.objects.values_list("title", "category__slug")) == before
    assert list(MeasureCategory.objects.values_list("slug", flat=True)) == [
        "top-level-design",
        "chain-strengthening",
        "platforms",
        "open-cooperation",
    ]
