"""The measures sheet: what a locality or the ministry does, keyed by cluster (none: the whole programme)
and title.

主题 (topics, a many-to-many facet beside the source's category) holds several topic names in one cell
(资金支持、人才). The flat-record machinery compares stored ``values()`` tuples, which cannot hold a set, so
topics travel beside the fields: read per row, compared with the stored links once per file, written as
link rows after the measures. A file without the 主题 column leaves every measure's topics alone; an empty
cell clears them.
"""

from collections import defaultdict
from dataclasses import replace
from itertools import islice

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clusters.bulk import BATCH_SIZE, update_with_history
from clusters.models import Measure

from ..base import EXPORT_CHUNK, FactSheet, chunks
from ..columns import Column
from ..dates import parse_date
from ..results import NEW, UNCHANGED, UPDATED
from .common import CLUSTER, NANJING, SOURCE

TEXT_FIELDS = ("description", "issuing_body", "document_title")
SEPARATOR = "、"
TOPIC_LINKS = Measure.topics.through


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
            meaning=gettext_lazy("举措所属集群的官方全称；空白表示面向全部集群的举措（例如工信部的统一举措）"),
            example=NANJING,
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
            meaning=gettext_lazy("出处给出的举措类别；空白表示出处没有归类"),
            example="搭建平台",
        ),
        Column(
            "topics",
            "主题",
            "Topics",
            aliases=("举措主题",),
            help=gettext_lazy("可选；举措涉及的主题名称或代码，多个用顿号分隔，例如 资金支持、人才；留空表示没有主题"),
            parser="topic",
            many=True,
            export=lambda r: r["topics"],
            meaning=gettext_lazy("举措涉及的主题（资金支持、人才等），多个用顿号分隔；与类别并列的另一种分类"),
            example="资金支持",
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
            meaning=gettext_lazy("举措的标题（同一集群内唯一）"),
            example="制定产业链关键技术攻关清单并给予资金支持",
        ),
        Column(
            "description",
            "内容",
            "Content",
            aliases=("说明", "举措内容"),
            attribute="description",
            export="description",
            meaning=gettext_lazy("举措的内容，多为出处原文"),
            example="制定新型电力装备产业链关键技术攻关清单，给予资金支持。",
        ),
        Column(
            "issuing_body",
            "发布机构",
            "Issuing body",
            aliases=("发布单位",),
            attribute="issuing_body",
            export="issuing_body",
            meaning=gettext_lazy("发布或实施举措的机构或地方"),
            example="南京市",
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
            meaning=gettext_lazy("发布日期；出处没有写明则空白"),
            unit="YYYY-MM-DD",
        ),
        Column(
            "document_title",
            "政策文件",
            "Policy document",
            aliases=("文件名称",),
            help=gettext_lazy("可选；文件全名，含书名号《》"),
            attribute="document_title",
            export="document_title",
            meaning=gettext_lazy("举措所依据的政策文件全名，含书名号"),
            example="《西安航空产业发展规划》",
        ),
        SOURCE,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.topics = {}  # key -> frozenset of topic ids, for the rows of a file with a 主题 column
        self.stored_pks = {}  # key -> pk of the stored measures the file names
        self.topic_changes = {}  # pk -> the topic ids a stored measure gets

    def parse(self, row):
        cells = row.cells()
        cluster_id = self.cluster_of(row, cells["cluster"])
        fields = {"category_id": cells["category"], "source": cells["source"]}
        for name in (*TEXT_FIELDS, "issued_on"):  # a column the file leaves out leaves the field alone
            if row.has(name):
                fields[name] = cells[name]
        if row.has("topics"):
            fields["topics"] = frozenset(cells.get("topics", ()))  # an empty cell: no topics
        if row.errors:
            return None
        return (cluster_id, cells["title"]), fields

    def accept(self, number, key, fields):
        topics = fields.pop("topics", None)
        if topics is not None:
            self.topics[key] = topics
        super().accept(number, key, fields)

    def stored(self, keys, names):
        found = {}
        for ids in chunks({key[0] for key in keys if key[0] is not None}):
            found.update(self.stored_values(Measure.objects.filter(cluster_id__in=ids), names))
        if any(key[0] is None for key in keys):
            found.update(self.stored_values(Measure.objects.filter(cluster__isnull=True), names))
        self.stored_pks = {key: values[0] for key, values in found.items()}
        return found

    # ------------------------------------------------------------------------------------------ topics

    def compare(self):
        outcomes = list(super().compare())  # fills stored_pks
        current = self._stored_topics([self.stored_pks[key] for key in self.topics if key in self.stored_pks])
        for number, status, key, changes in outcomes:
            wanted = self.topics.get(key)
            if wanted is not None and status != NEW:
                pk = self.stored_pks[key]
                old = current.get(pk, frozenset())
                if old != wanted:
                    self.topic_changes[pk] = wanted
                    changes = [*changes, (self.header("topics"), self._topic_names(old), self._topic_names(wanted))]
                    status = UPDATED if status == UNCHANGED else status
            yield number, status, key, changes

    @staticmethod
    def _stored_topics(pks):
        topics = defaultdict(set)
        for ids in chunks(pks):
            for measure_id, topic_id in TOPIC_LINKS.objects.filter(measure_id__in=ids).values_list(
                "measure_id", "measuretopic_id"
            ):
                topics[measure_id].add(topic_id)
        return {pk: frozenset(ids) for pk, ids in topics.items()}

    def _topic_names(self, ids):
        return SEPARATOR.join(sorted(self.lookups.topic_name(pk) for pk in ids))

    def write(self):
        super().write()
        # Only topic links changed: the measure is still stamped (updated_at) and its history notes the import.
        updated = {pk for pk, _fields in self.to_update}
        only_topics = [pk for pk in self.topic_changes if pk not in updated]
        for ids in chunks(only_topics):
            update_with_history(Measure, Measure.objects.filter(pk__in=ids), [], user=self.user, reason=self.reason)
        links = dict(self.topic_changes)
        new = {(f["cluster_id"], f["title"]) for f in self.to_create} & {k for k, v in self.topics.items() if v}
        if new:
            for key, values in self.stored(new, []).items():  # the new measures' ids, and their neighbours'
                if key in new:
                    links[values[0]] = self.topics[key]
        for ids in chunks(self.topic_changes):
            TOPIC_LINKS.objects.filter(measure_id__in=ids).delete()
        TOPIC_LINKS.objects.bulk_create(
            [TOPIC_LINKS(measure_id=pk, measuretopic_id=topic) for pk, topics in links.items() for topic in topics],
            batch_size=BATCH_SIZE,
        )

    # ------------------------------------------------------------------------------------------ export

    @classmethod
    def export_records(cls, queryset, columns):
        """``values()`` dicts with their topics' names joined (one query per chunk of measures)."""
        paths = list(dict.fromkeys(path for column in columns for path in column.paths))
        records = queryset.values("pk", *paths).iterator(chunk_size=EXPORT_CHUNK)
        while batch := list(islice(records, EXPORT_CHUNK)):
            names = defaultdict(list)
            links = TOPIC_LINKS.objects.filter(measure_id__in=[r["pk"] for r in batch]).order_by(
                "measuretopic__order", "measuretopic__slug"
            )
            for measure_id, name in links.values_list("measure_id", "measuretopic__name"):
                names[measure_id].append(name)
            for record in batch:
                record["topics"] = SEPARATOR.join(names[record["pk"]])
                yield record

    def label(self, key):
        cluster = self.lookups.clusters.labels[key[0]] if key[0] else _("全部集群")
        return f"{cluster} · {key[1]}"
