"""Open data (/data/): every record kind the public may see, each as its own import sheet, in CSV or xlsx.

What is public, per kind, through the shared selectors: published clusters; the measures, targets and
indicator values of published clusters; of evaluations, the published records still current (a published
correction replaces the record it supersedes), one per cluster, scheme and period as the evaluations sheet is
keyed; the superseded versions stay on the cluster pages and in the API. The list page's one FilterSet
narrows every kind through its cluster; measures for the whole programme (no cluster) come only when no
cluster filter applies, as no filter on clusters can say whether they belong.

A download is the kind's export (``Sheet.export_rows``): the headers and cells that the admin export and
the template write and the import reads, so ``manage.py import_sheet KIND <download> --dry-run`` adds and
changes nothing. Rows stream from the database a chunk at a time (``clusters.sheets.writers``).

Synthetic demo rows are included, as on the list page, and marked by their own cells: cluster names begin
with 演示 and they cite the source demo-synthetic (演示数据（程序生成，非真实数据）); the page counts them.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from clusters import demo, selectors
from clusters.models import Cluster, Source
from clusters.sheets import dictionary, registry
from clusters.sheets.parsing import join_list
from clusters.sheets.writers import file_response

KINDS = registry.KINDS
FORMATS = ("csv", "xlsx")
DEMO_SOURCE = demo.SOURCE_CODE  # the source every synthetic row cites
# The licence of the compilation: a placeholder until the portal's owner confirms it (README, 开放数据).
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/deed.zh-hans"

# The kinds as the page names them, in its language (the sheets' titles are data: always Chinese).
LABELS = {
    "clusters": pgettext_lazy("数据类型", "集群"),
    "measures": pgettext_lazy("数据类型", "举措"),
    "targets": pgettext_lazy("数据类型", "目标"),
    "indicator-values": pgettext_lazy("数据类型", "指标值"),
    "evaluations": pgettext_lazy("数据类型", "动态评估"),
}
SCOPE_NOTES = {
    "clusters": gettext_lazy("公开的集群，每个集群一行。"),
    "measures": gettext_lazy(
        "公开集群的举措，以及面向全部集群的举措（集群名称为空）；按集群筛选时只含所选集群的举措，不含面向全部集群的举措。"
    ),
    "targets": gettext_lazy("公开集群的发展目标，每个集群每个指标每个目标年份一行。"),
    "indicator-values": gettext_lazy(
        "公开集群的指标值，每个集群、指标、期间和口径一行；数值的限定（以上、约）、口径和说明都在各自的列中。"
    ),
    "evaluations": gettext_lazy(
        "已发布的现行动态评估记录，每个集群、评估方案和评估期一行：经更正的记录只有更正后的版本，旧版本见集群页面和数据接口。"
        "总分和等级由维度得分按方案算出，见数据接口；没有采用评估方案的记录不在表中。"
    ),
}
TERMS = (
    gettext_lazy("数据来自各条记录注明的公开文件（出处），由本站整理汇编；以出处原文为准。"),
    gettext_lazy("使用、转载或再发布时，请注明“先进制造业集群门户”，并注明所用数据的出处（“来源”列的出处代码）。"),
    gettext_lazy("汇编的数据按知识共享署名 4.0 国际许可协议（CC BY 4.0）提供；各出处原文的权利属于其发布者。"),
    gettext_lazy(
        "集群名称以“演示”开头、来源为 demo-synthetic 的行是程序生成的演示数据，并非真实数据，不能作为事实引用。"
    ),
)
# A record is synthetic if it, or the cluster it belongs to, is marked so.
SYNTHETIC = {
    "clusters": Q(is_synthetic=True),
    "measures": Q(cluster__is_synthetic=True),
    "targets": Q(cluster__is_synthetic=True),
    "indicator-values": Q(is_synthetic=True) | Q(cluster__is_synthetic=True),
    "evaluations": Q(is_synthetic=True) | Q(cluster__is_synthetic=True),
}


@dataclass(frozen=True)
class Selection:
    """The public clusters a request picked. ``filtered``: a cluster filter applies (the list page's
    ``q``, ``field``, ``province``, ``city``, ``tier`` or ``status``); ``filters``: those filters as text."""

    clusters: object = None  # a queryset of public clusters; None: all of them
    filtered: bool = False
    filters: list = field(default_factory=list)

    @property
    def public_clusters(self):
        return Cluster.objects.public() if self.clusters is None else self.clusters


EVERYTHING = Selection()


def records(kind, selection=EVERYTHING):
    """The public records of ``kind`` in ``selection``, before the sheet's own export ordering and joins."""
    clusters = selection.public_clusters
    if kind == "clusters":
        return clusters
    ids = clusters.values("pk")
    if kind == "measures":
        queryset = selectors.measure_list(ids)
        if selection.filtered:
            queryset = queryset.filter(cluster__isnull=False)
    elif kind == "targets":
        queryset = selectors.target_list(ids)
    elif kind == "indicator-values":
        queryset = selectors.indicator_value_list(ids)
    elif kind == "evaluations":
        queryset = selectors.evaluation_list().current().filter(cluster__in=ids)
    else:
        raise ValueError(f"Unknown sheet kind {kind!r}")
    # The sheet reads values() paths of its own; the pages' joins and prefetches would only cost.
    return queryset.select_related(None).prefetch_related(None)


@dataclass
class Summary:
    kind: str
    label: str  # the kind in the page's language
    rows: int
    synthetic: int
    changed: object  # the latest updated_at among the rows (None without rows)
    scope: str
    entries: list


def summary(kind, selection=EVERYTHING):
    """What the page says of ``kind``: rows, synthetic rows and the last change (one query), and its dictionary."""
    sheet = registry.get(kind)
    totals = (
        sheet.export_queryset(records(kind, selection))
        .order_by()
        .aggregate(rows=Count("pk"), synthetic=Count("pk", filter=SYNTHETIC[kind]), changed=Max("updated_at"))
    )
    return Summary(
        kind=kind,
        label=LABELS[kind],
        rows=totals["rows"],
        synthetic=totals["synthetic"],
        changed=totals["changed"],
        scope=SCOPE_NOTES[kind],
        entries=dictionary.entries(kind),
    )


def cited_sources(selection=EVERYTHING, kinds=KINDS):
    """The sources the rows of ``kinds`` cite (those with a 来源 column), by code: one query."""
    cited = Q()
    for kind in kinds:
        if any(column.name == "source" for column in registry.get(kind).export_columns()):
            cited |= Q(pk__in=records(kind, selection).values("source"))
    return Source.objects.filter(cited).order_by("code") if cited else Source.objects.none()


def download(kind, file_format, selection=EVERYTHING, address=""):
    """The streaming download of ``kind`` as ``file_format``; an xlsx carries the dictionary as its 说明 sheet.

    ``address``: the download's own URL, written into the 说明 sheet so a file that travels alone says
    where it came from.
    """
    if file_format not in FORMATS:
        raise ValueError(f"Unknown open data format {file_format!r}")
    sheet = registry.get(kind)
    columns = sheet.export_columns()
    rows = sheet.export_rows(records(kind, selection), columns)
    sheets = ()
    if file_format == "xlsx":
        sheets = [(_("说明"), dictionary.headings(), notes(kind, selection, address))]
    name = f"{kind}-{timezone.localdate():%Y%m%d}.{file_format}"
    return file_response(file_format, columns, rows, name, title=sheet.title, sheets=sheets)


def when(moment):
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i O") if moment else "—"


def notes(kind, selection, address=""):
    """The 说明 sheet under its headings: the dictionary, then what the file holds, its terms and its sources."""
    info = summary(kind, selection)
    lines = [
        _("%(title)s（%(kind)s）：%(scope)s") % {"title": info.label, "kind": kind, "scope": info.scope},
        _("筛选条件：%(filters)s") % {"filters": join_list(selection.filters) or _("无（全部公开数据）")},
        _("行数：%(rows)s；其中演示数据 %(synthetic)s 行") % {"rows": info.rows, "synthetic": info.synthetic},
        _("数据最近更新：%(changed)s；下载时间：%(now)s")
        % {"changed": when(info.changed), "now": when(timezone.now())},
    ]
    if address:
        lines.append(_("下载地址：%(address)s") % {"address": address})
    lines.append(_("使用条款："))
    lines.extend(str(term) for term in TERMS)
    rows = [*dictionary.rows(kind), [], *([line] for line in lines)]
    sources = list(cited_sources(selection, kinds=[kind]))
    if sources:
        rows += [[], [_("出处代码"), _("发布者"), _("标题"), _("发布日期"), _("文号/期号或网址")]]
        rows += [
            [
                s.code,
                s.publisher,
                s.title,
                s.published_on.isoformat() if s.published_on else "",
                s.url or s.document_number,
            ]
            for s in sources
        ]
    return rows
