"""The shape of a comparison: rows of cells, one cell per cluster, charts and numbered sources.

`build.compare` fills it; the page, the downloads and the API render it. `Comparison.display` writes a
cell on one line, the way the downloads and the API's `display` give it.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clusters import formatting
from clusters.models import Cluster, Indicator, IndicatorValue, Source
from clusters.progress import Progress

from .selection import MIN_CLUSTERS, Selection, compare_url

SECTIONS = {
    "overview": gettext_lazy("概况"),
    "indicators": gettext_lazy("指标"),
    "targets": gettext_lazy("目标"),
    "evaluation": gettext_lazy("动态评估"),
}


@dataclass
class Cell:
    """What one cluster has on one row. `text` is the figure or fact; the rest qualifies it."""

    text: str
    detail: str = ""  # the period, a baseline, a maximum: read with the text
    note: str = ""  # a caveat the reader must see (“原文为深圳信息产业规模，非集群口径”)
    progress: Progress | None = None
    progress_text: str = ""
    sources: list[Source] = field(default_factory=list)
    # For machines (the API): the stored number, how the source bounds it, the stored period.
    value: Decimal | None = None
    qualifier: str | None = None
    period: str | None = None
    period_is_report_year: bool = False
    is_synthetic: bool = False
    cluster: Cluster | None = None


@dataclass
class Row:
    key: str  # stable across languages: "tier", "indicator:domestic-market-share:高压继电保护设备", …
    section: str
    label: str
    cells: list[Cell | None]
    indicator: Indicator | None = None
    scope: str = ""

    @property
    def full_label(self):
        """The label with its scope, for one-line surfaces (a spreadsheet's first column)."""
        return f"{self.label} · {_('口径')}{_('：')}{self.scope}" if self.scope else self.label


@dataclass
class Line:
    index: int  # the cluster's column: its line looks the same in every chart
    cluster: Cluster
    values: list[IndicatorValue]


@dataclass
class Chart:
    key: str
    indicator: Indicator
    scope: str
    lines: list[Line]

    @property
    def label(self):
        return " · ".join(filter(None, [formatting.loc(self.indicator), self.scope]))


@dataclass
class Comparison:
    selection: Selection
    clusters: list[Cluster] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    citations: dict[int, int] = field(default_factory=dict)  # source pk -> its number

    @property
    def slugs(self):
        return [cluster.slug for cluster in self.clusters]

    @property
    def is_complete(self):
        """Two clusters at least: fewer is a page that explains how to pick, not a table."""
        return len(self.clusters) >= MIN_CLUSTERS

    @property
    def sections(self):
        """[(key, label, rows)] for the sections that have rows left."""
        grouped = [(key, label, [row for row in self.rows if row.section == key]) for key, label in SECTIONS.items()]
        return [group for group in grouped if group[2]]

    @property
    def columns(self):
        """Per cluster: the link to its page (carrying this comparison) and this comparison without it."""
        return [
            {
                "cluster": cluster,
                "page_url": f"{cluster.get_absolute_url()}?compare={self.selection.query}",
                "remove_url": compare_url([slug for slug in self.slugs if slug != cluster.slug]),
            }
            for cluster in self.clusters
        ]

    def numbers(self, sources):
        return sorted({self.citations[source.pk] for source in sources if source is not None})

    def display(self, cell):
        """A cell on one line, as the downloads and the API's `display` give it: '超过 90%（据2021年报道）[1]'."""
        if cell is None:
            return ""
        extras = [cell.detail, cell.progress_text]
        if cell.note:
            extras.append(f"{_('说明：')}{cell.note}")
        if cell.is_synthetic and not (cell.cluster and cell.cluster.is_synthetic):
            extras.append(_("演示数据"))
        qualifiers = _("；").join(extra for extra in extras if extra)
        marks = "".join(f"[{number}]" for number in self.numbers(cell.sources))
        return f"{cell.text}{formatting.in_parentheses(qualifiers)}{marks}"
