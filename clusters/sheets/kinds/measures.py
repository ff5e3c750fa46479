"""The measures sheet: what a locality or the ministry does, keyed by cluster (none: the whole programme)
and title."""

from dataclasses import replace

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clusters.models import Measure

from ..base import FactSheet, chunks
from ..columns import Column
from ..dates import parse_date
from .common import CLUSTER, SOURCE

TEXT_FIELDS = ("description", "issuing_body", "document_title")


class MeasureSheet(FactSheet):
    kind = "measures"
    title = "举措"
    sheet_names = ("measures",)
    model = Measure
    key_column = "title"
    key_label = gettext_lazy("集群、标题")
    key_fields = ("cluster_id", "title")
    export_order = ("cluster__name", "category__order", "id")
    columns = (
        replace(
            CLUSTER,
            required=False,
            aliases=("集群", "cluster_name"),
            help=gettext_lazy("集群全称、简称或网址标识；留空表示面向全部集群"),
        ),
        Column(
            "category",
            "类别",
            "Category",
            aliases=("举措类别",),
            help=gettext_lazy("出处给出的举措类别，例如 强链补链；出处没有归类的举措留空（未分类）"),
            parser="category",
            attribute="category",
            export="category__name",
        ),
        Column(
            "title",
            "标题",
            "Title",
            required=True,
            aliases=("举措", "名称"),
            help=gettext_lazy("同一集群内唯一"),
            attribute="title",
            export="title",
        ),
        Column(
            "description",
            "内容",
            "Content",
            aliases=("说明", "举措内容"),
            attribute="description",
            export="description",
        ),
        Column(
            "issuing_body",
            "发布机构",
            "Issuing body",
            aliases=("发布单位",),
            attribute="issuing_body",
            export="issuing_body",
        ),
        Column(
            "issued_on",
            "发布日期",
            "Issue date",
            aliases=("日期",),
            help=gettext_lazy("2021-03-22、2021/3/22、2021年3月22日"),
            parser=parse_date,
            export=lambda r: r["issued_on"].isoformat() if r["issued_on"] else "",
            reads=("issued_on",),
        ),
        Column(
            "document_title",
            "政策文件",
            "Policy document",
            aliases=("文件名称",),
            help=gettext_lazy("可选；文件全名，含书名号《》"),
            attribute="document_title",
            export="document_title",
        ),
        SOURCE,
    )

    def parse(self, row):
        cells = row.cells()
        cluster_id = self.cluster_of(row, cells["cluster"])
        fields = {"category_id": cells["category"], "source": cells["source"]}
        for name in (*TEXT_FIELDS, "issued_on"):  # a column the file leaves out leaves the field alone
            if row.has(name):
                fields[name] = cells[name]
        if row.errors:
            return None
        return (cluster_id, cells["title"]), fields

    def stored(self, keys, names):
        found = {}
        for ids in chunks({key[0] for key in keys if key[0] is not None}):
            found.update(self.stored_values(Measure.objects.filter(cluster_id__in=ids), names))
        if any(key[0] is None for key in keys):
            found.update(self.stored_values(Measure.objects.filter(cluster__isnull=True), names))
        return found

    def label(self, key):
        cluster = self.lookups.clusters.labels[key[0]] if key[0] else _("全部集群")
        return f"{cluster} · {key[1]}"
