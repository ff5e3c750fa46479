"""Cluster page: the evaluation history (totals over time, grades) and the latest published dimension scores."""

from dataclasses import dataclass
from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

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


@register.simple_tag
def revision_note(record, records):
    """' · 第2版（更正）' for a published correction, ' · 已被第2版更正' for the record it corrects, else ''."""
    correction = next((r for r in records if r.supersedes_id == record.pk), None)
    if correction is not None:
        return format_html('<span class="badge">{}</span>', _("已被第%(n)s版更正") % {"n": correction.revision})
    if record.supersedes_id:
        return format_html('<span class="badge">{}</span>', _("第%(n)s版（更正）") % {"n": record.revision})
    return ""
