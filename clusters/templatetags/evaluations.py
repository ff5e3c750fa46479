"""Cluster page: the evaluation history (totals over time, grades) and the latest published dimension scores."""

from dataclasses import dataclass
from decimal import Decimal

from django import template

from clusters.progress import period_position

register = template.Library()


@dataclass(frozen=True)
class Point:
    period: str
    value: Decimal


def current_records(records):
    """Drop published records that a published revision corrects (both are kept; the revision counts)."""
    records = list(records)
    corrected = {r.supersedes_id for r in records if r.supersedes_id}
    return [r for r in records if r.pk not in corrected]


@register.inclusion_tag("clusters/includes/evaluation_history.html")
def evaluation_history(records):
    """`records`: the cluster's published records (as the page's selector prefetches them), any order."""
    records = sorted(current_records(records), key=lambda r: (period_position(r.period), r.revision))
    scored = [r for r in records if r.total is not None]
    latest = next((r for r in reversed(records) if r.scores.all()), None)
    return {
        "records": records,
        "series": [Point(r.period, r.total) for r in scored],
        "latest": latest,
    }
