"""generate_demo_data: synthetic, visibly so, deterministic for a seed, and never touching real records."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from clusters import demo
from clusters.choices import EvaluationState
from clusters.models import (
    Cluster,
    DimensionScore,
    EvaluationRecord,
    EvaluationScheme,
    IndicatorValue,
    Measure,
    Source,
    Target,
)
from clusters.services.evaluations import compute_total, grade_for

pytestmark = pytest.mark.django_db


def real_snapshot():
    """Every real row the demo must not touch, as comparable values."""
    return {
        "clusters": list(Cluster.objects.real().order_by("pk").values()),
        "cities": list(Cluster.cities.through.objects.filter(cluster__is_synthetic=False).order_by("pk").values()),
        "values": list(IndicatorValue.objects.filter(is_synthetic=False).order_by("pk").values()),
        "targets": list(Target.objects.filter(cluster__is_synthetic=False).order_by("pk").values()),
        "measures": Measure.objects.count(),
        "evaluations": list(EvaluationRecord.objects.filter(is_synthetic=False).order_by("pk").values()),
        "sources": list(Source.objects.exclude(code=demo.SOURCE_CODE).order_by("pk").values()),
        "history": Cluster.history.filter(is_synthetic=False).count(),
    }


def demo_fingerprint():
    clusters = list(
        Cluster.objects.filter(is_synthetic=True).order_by("slug").values_list("name", "field__slug", "tier", "status")
    )
    records = list(
        EvaluationRecord.objects.filter(is_synthetic=True)
        .order_by("cluster__slug", "period")
        .values_list("cluster__slug", "period", "total", "grade")
    )
    values = list(
        IndicatorValue.objects.filter(is_synthetic=True)
        .order_by("cluster__slug", "indicator__code", "period")
        .values_list("cluster__slug", "indicator__code", "period", "value")
    )
    return clusters, records, values


def test_generates_synthetic_data_marked_and_named_as_such():
    before = real_snapshot()
    assert len(before["clusters"]) == 25
    call_command("generate_demo_data", clusters=12, years=3, seed=5, verbosity=0)

    synthetic = Cluster.objects.filter(is_synthetic=True)
    assert synthetic.count() == 12
    assert all(c.name.startswith("演示") and c.display_name.startswith("演示") for c in synthetic)
    assert all(c.cities.exists() for c in synthetic)
    assert IndicatorValue.objects.filter(cluster__in=synthetic).exclude(is_synthetic=True).count() == 0
    assert IndicatorValue.objects.filter(is_synthetic=True).count() == 12 * 3 * 3
    records = EvaluationRecord.objects.filter(cluster__in=synthetic)
    assert records.count() == 36 and not records.exclude(is_synthetic=True).exists()
    assert not records.exclude(state=EvaluationState.PUBLISHED).exists()
    assert DimensionScore.objects.filter(record__in=records).count() == 36 * 5
    scheme = EvaluationScheme.objects.get(code=demo.SCHEME_CODE)
    assert scheme.is_synthetic and scheme.name.startswith("演示")
    # totals follow the scheme's formula and thresholds, as for real records
    record = records.first()
    pairs = [(s.dimension, s.score) for s in record.scores.select_related("dimension")]
    assert record.total == compute_total(pairs) and record.grade == grade_for(scheme, record.total)
    # history kept for the created rows
    assert Cluster.history.filter(is_synthetic=True, history_type="+").count() == 12

    assert real_snapshot() == before


def test_same_seed_same_data_and_rerun_replaces():
    call_command("generate_demo_data", clusters=8, years=2, seed=42, verbosity=0)
    first = demo_fingerprint()
    call_command("generate_demo_data", clusters=8, years=2, seed=42, verbosity=0)
    assert demo_fingerprint() == first
    assert Cluster.objects.filter(is_synthetic=True).count() == 8
    call_command("generate_demo_data", clusters=8, years=2, seed=43, verbosity=0)
    assert demo_fingerprint() != first


def test_delete_removes_all_demo_data_and_nothing_else():
    before = real_snapshot()
    call_command("generate_demo_data", clusters=10, years=2, seed=1, verbosity=0)
    call_command("generate_demo_data", delete=True, verbosity=0)
    assert not Cluster.objects.filter(is_synthetic=True).exists()
    assert not EvaluationRecord.objects.filter(is_synthetic=True).exists()
    assert not IndicatorValue.objects.filter(is_synthetic=True).exists()
    assert not EvaluationScheme.objects.filter(is_synthetic=True).exists()
    assert not Source.objects.filter(code=demo.SOURCE_CODE).exists()
    assert not Cluster.history.filter(is_synthetic=True).exists()
    assert real_snapshot() == before
    assert Cluster.objects.count() == 25


def test_pages_show_demo_data_where_synthetic_rows_show(client):
    call_command("generate_demo_data", clusters=6, years=2, seed=3, verbosity=0)
    ranking = client.get(reverse("clusters:rankings"), {"scheme": demo.SCHEME_CODE})
    assert ranking.status_code == 200
    page = ranking.content.decode()
    assert "演示数据" in page and page.count("badge-synthetic") >= 6
    cluster = Cluster.objects.filter(is_synthetic=True).first()
    detail = client.get(cluster.get_absolute_url())
    assert detail.status_code == 200 and "演示数据" in detail.content.decode()
    listing = client.get(reverse("clusters:list"), {"q": "演示"})
    assert listing.status_code == 200 and "演示数据" in listing.content.decode()
