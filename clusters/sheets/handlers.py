"""One handler per sheet kind: its columns, how a row becomes field values, how rows meet the database.

A handler parses rows (collecting errors on the Row), then ``compare`` loads the existing records for all
keys at once and says new / updated / unchanged, then ``write`` saves in bulk with history.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clusters import scoping
from clusters.bulk import insert_with_history, update_with_history
from clusters.choices import Qualifier
from clusters.models import IndicatorValue, Measure, Target

from .lookups import PendingSource
from .parsing import (
    ParseError,
    convert,
    format_decimal,
    parse_date,
    parse_period,
    parse_quantity,
    parse_unit,
    parse_year,
)
from .results import NEW, UNCHANGED, UPDATED, Column, RowOutcome

CHUNK = 500


def chunks(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


CLUSTER = Column(
    "cluster",
    "集群名称",
    True,
    ("集群", "cluster_name", "集群全称"),
    gettext_lazy("集群全称、简称或网址标识"),
    header_en="Cluster",
)
SOURCE = Column(
    "source",
    "来源",
    False,
    ("出处", "来源代码", "出处代码", "source_code"),
    gettext_lazy("出处代码或标题；找不到则新建一条“地方报送”出处；留空则以导入文件为出处"),
    header_en="Source",
)
UNIT = Column(
    "unit",
    "单位",
    False,
    ("计量单位",),
    gettext_lazy("数值的单位，例如 亿元、万元、%、家；留空则为指标的单位"),
    header_en="Unit",
)
INDICATOR = Column(
    "indicator", "指标", True, ("指标名称", "指标代码"), gettext_lazy("指标名称或代码"), header_en="Indicator"
)
ORIGINAL = Column(
    "original_text", "原文", False, ("原文表述",), gettext_lazy("出处中的原话"), header_en="Original wording"
)


def check_scope(row, user, model, *, columns=None, **write):
    """The role scope (`clusters.scoping.check_write`) for one row; a refusal is an error in the row's cell."""
    try:
        scoping.check_write(user, model, "add", **write)
    except PermissionDenied as error:
        row.error(next(iter(columns or {"cluster": None})), str(error))
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            row.error((columns or {}).get(field, field), messages[0])


class FactHandler:
    """Shared by measures, targets and indicator values: flat records with a natural key and a source."""

    kind = ""
    model = None
    columns = ()
    sheet_names = ()
    key_column = "cluster"
    key_label = ""
    # model attribute -> column name, for the change list in the preview
    field_columns = {}

    def __init__(self, lookups, user=None, reason=""):
        self.lookups, self.user, self.reason = lookups, user, reason
        self.items = []
        self.to_create, self.to_update = [], []

    def accept(self, number, key, fields):
        self.items.append((number, key, fields))

    def source_of(self, row):
        """The row's Source (or PendingSource); None when the sheet has no 来源 column."""
        if not row.has("source"):
            return None
        try:
            return self.lookups.source(row.raw("source") or "")
        except ParseError as error:
            row.error("source", str(error))
            return None

    @staticmethod
    def unit_known(row, unit):
        """Figures are converted into the indicator's unit, so an indicator without one is a row error."""
        if unit is None:
            row.error("indicator", _("该指标的单位无法识别，请先在后台修正指标"))
        return unit is not None

    def cluster_of(self, row, required=True):
        errors = len(row.errors)
        cluster_id = row.parse("cluster", self.lookups.cluster, required=required)
        if len(row.errors) == errors:  # the cell named a cluster (or none, for a programme-wide row)
            check_scope(row, self.user, self.model, cluster=cluster_id)
        return cluster_id

    def existing(self, keys):
        raise NotImplementedError

    def label(self, key, fields):
        """(cluster, indicator, period or year) keys; handlers with other keys override this."""
        return f"{self.lookups.clusters.labels[key[0]]} · {self.lookups.indicator_labels[key[1]]} · {key[2]}"

    def compare(self):
        existing = self.existing([key for _number, key, _fields in self.items])
        for number, key, fields in self.items:
            obj = existing.get(key)
            if obj is None:
                if "source" not in fields or fields["source"] is None:
                    fields["source"] = self.lookups.default_source()
                self.to_create.append(fields)
                yield RowOutcome(number, NEW, self.label(key, fields))
                continue
            changed = [name for name, value in fields.items() if value is not None or name != "source"]
            changed = [name for name in changed if not self._same(obj, name, fields[name])]
            if changed:
                changes = [
                    (self.header(name), self.show(obj, name), self.show_new(name, fields[name])) for name in changed
                ]
                self.to_update.append((obj, {name: fields[name] for name in changed}))
                yield RowOutcome(number, UPDATED, self.label(key, fields), changes)
            else:
                yield RowOutcome(number, UNCHANGED, self.label(key, fields))

    def header(self, name):
        column = self.field_columns.get(name, name)
        return next((c.header for c in self.columns if c.name == column), name)

    @staticmethod
    def _same(obj, name, value):
        if name == "source":
            return obj.source_id == value.pk
        return getattr(obj, name) == value

    def show(self, obj, name):
        if name == "source":
            # From the sources read once per file: existing rows are loaded without a join.
            return self.lookups.source_code(obj.source_id)
        return self._display(name, getattr(obj, name))

    def show_new(self, name, value):
        if name == "source":
            return (
                value.code if not isinstance(value, PendingSource) else _("%(title)s（新建）") % {"title": value.title}
            )
        return self._display(name, value)

    def _display(self, name, value):
        if value is None:
            return ""
        if name.endswith("_id"):
            index = {"cluster_id": "clusters", "indicator_id": "indicators", "category_id": "categories"}[name]
            return str(getattr(self.lookups, index).labels.get(value, value))
        if hasattr(value, "normalize"):
            return format_decimal(value)
        if name == "qualifier":
            return str(Qualifier(value).label)
        return str(value)

    def write(self):
        rows = []
        for fields in self.to_create:
            source = fields.pop("source")
            rows.append({**fields, "source_id": source.pk})
        insert_with_history(self.model, rows, user=self.user, reason=self.reason)
        names, objs = set(), []
        for obj, changes in self.to_update:
            for name, value in changes.items():
                if name == "source":
                    obj.source_id = value.pk
                    names.add("source")
                else:
                    setattr(obj, name, value)
                    names.add(name.removesuffix("_id"))
            objs.append(obj)
        update_with_history(self.model, objs, sorted(names), user=self.user, reason=self.reason)


class IndicatorValueHandler(FactHandler):
    kind = "indicator-values"
    model = IndicatorValue
    sheet_names = ("指标值", "indicator-values", "indicator_values", "指标数据", "values")
    key_label = gettext_lazy("集群、指标、期间")
    columns = (
        CLUSTER,
        INDICATOR,
        Column(
            "period",
            "期间",
            True,
            ("年份", "年度", "时间"),
            gettext_lazy("2020、2020-06、2020-Q2、2020年上半年"),
            header_en="Period",
        ),
        Column(
            "value", "数值", True, ("值", "数据"), gettext_lazy("数字，可带单位与“超过、约、以上”等"), header_en="Value"
        ),
        UNIT,
        SOURCE,
        ORIGINAL,
    )
    field_columns = {"value": "value", "qualifier": "value", "original_text": "original_text", "source": "source"}

    def parse(self, row):
        cluster_id = self.cluster_of(row)
        indicator = row.parse("indicator", self.lookups.indicator, required=True)
        period = row.parse("period", parse_period, required=True)
        column_unit = row.parse("unit", parse_unit)
        quantity = row.parse("value", parse_quantity, required=True)
        source = self.source_of(row)
        if row.errors:
            return None
        indicator_id, unit = indicator
        if not self.unit_known(row, unit):
            return None
        try:
            value = convert(quantity, unit, column_unit)
        except ParseError as error:
            row.error("value", str(error))
            return None
        fields = {"value": value, "qualifier": quantity.qualifier, "source": source}
        if row.has("original_text"):
            fields["original_text"] = row.text("original_text")
        key = (cluster_id, indicator_id, period)
        return key, fields

    def existing(self, keys):
        cluster_ids = {key[0] for key in keys}
        indicator_ids = {key[1] for key in keys}
        found = {}
        for ids in chunks(cluster_ids):
            for obj in IndicatorValue.objects.filter(cluster_id__in=ids, indicator_id__in=indicator_ids):
                found[obj.cluster_id, obj.indicator_id, obj.period] = obj
        return found

    def accept(self, number, key, fields):
        cluster_id, indicator_id, period = key
        fields.update(cluster_id=cluster_id, indicator_id=indicator_id, period=period)
        super().accept(number, key, fields)


class TargetHandler(FactHandler):
    kind = "targets"
    model = Target
    sheet_names = ("目标", "targets")
    key_label = gettext_lazy("集群、指标、目标年份")
    columns = (
        CLUSTER,
        INDICATOR,
        Column(
            "target_value",
            "目标值",
            True,
            ("目标",),
            gettext_lazy("数字，可带单位；默认按“以上/突破”理解"),
            header_en="Target value",
        ),
        UNIT,
        Column(
            "target_year", "目标年份", True, ("年份",), gettext_lazy("四位年份，例如 2025"), header_en="Target year"
        ),
        Column(
            "baseline_value",
            "基期值",
            False,
            ("基数",),
            gettext_lazy("可选；与目标值同一单位"),
            header_en="Baseline value",
        ),
        Column(
            "baseline_year",
            "基期年份",
            False,
            (),
            gettext_lazy("填写基期值时必填，早于目标年份"),
            header_en="Baseline year",
        ),
        ORIGINAL,
        SOURCE,
    )
    field_columns = {"target_value": "target_value", "qualifier": "target_value"}

    def parse(self, row):
        cluster_id = self.cluster_of(row)
        indicator = row.parse("indicator", self.lookups.indicator, required=True)
        column_unit = row.parse("unit", parse_unit)
        quantity = row.parse("target_value", parse_quantity, required=True)
        target_year = row.parse("target_year", parse_year, required=True)
        baseline = row.parse("baseline_value", parse_quantity)
        baseline_year = row.parse("baseline_year", parse_year)
        source = self.source_of(row)
        if row.errors:
            return None
        indicator_id, unit = indicator
        if not self.unit_known(row, unit):
            return None
        fields = {"source": source}
        try:
            fields["target_value"] = convert(quantity, unit, column_unit)
        except ParseError as error:
            row.error("target_value", str(error))
        fields["qualifier"] = quantity.qualifier if quantity.explicit_qualifier else Qualifier.AT_LEAST
        if row.has("baseline_value"):
            try:
                fields["baseline_value"] = convert(baseline, unit, column_unit) if baseline else None
            except ParseError as error:
                row.error("baseline_value", str(error))
        if row.has("baseline_year"):
            fields["baseline_year"] = baseline_year
        if fields.get("baseline_value") is not None and baseline_year is None:
            row.error("baseline_year", _("填写基期值时必须同时填写基期年份"))
        if baseline_year is not None and baseline_year >= target_year:
            row.error("baseline_year", _("基期年份必须早于目标年份（%(year)s）") % {"year": target_year})
        if row.has("original_text"):
            fields["original_text"] = row.text("original_text")
        if row.errors:
            return None
        return (cluster_id, indicator_id, target_year), fields

    def accept(self, number, key, fields):
        fields.update(cluster_id=key[0], indicator_id=key[1], target_year=key[2])
        super().accept(number, key, fields)

    def existing(self, keys):
        found = {}
        for ids in chunks({key[0] for key in keys}):
            for obj in Target.objects.filter(cluster_id__in=ids):
                found[obj.cluster_id, obj.indicator_id, obj.target_year] = obj
        return found


class MeasureHandler(FactHandler):
    kind = "measures"
    model = Measure
    sheet_names = ("举措", "measures")
    key_label = gettext_lazy("集群、标题")
    key_column = "title"
    columns = (
        Column(
            "cluster",
            "集群名称",
            True,
            ("集群", "cluster_name"),
            gettext_lazy("集群全称、简称或网址标识；留空表示面向全部集群"),
            header_en="Cluster",
        ),
        Column(
            "category", "类别", True, ("举措类别",), gettext_lazy("举措类别名称，例如 强链补链"), header_en="Category"
        ),
        Column("title", "标题", True, ("举措", "名称"), gettext_lazy("同一集群内唯一"), header_en="Title"),
        Column("description", "内容", False, ("说明", "举措内容"), "", header_en="Description"),
        Column("issuing_body", "发布机构", False, ("发布单位",), "", header_en="Issuing body"),
        Column(
            "issued_on",
            "发布日期",
            False,
            ("日期",),
            gettext_lazy("2021-03-22、2021/3/22、2021年3月22日"),
            header_en="Issued on",
        ),
        Column(
            "document_title",
            "政策文件",
            False,
            ("文件名称",),
            gettext_lazy("可选；文件全名，含书名号《》"),
            header_en="Policy document",
        ),
        SOURCE,
    )

    def parse(self, row):
        cluster_id = self.cluster_of(row, required=False)
        category_id = row.parse("category", self.lookups.category, required=True)
        title = row.text("title")
        if not title:
            row.error("title", _("不能为空"))
        elif len(title) > 200:
            row.error("title", _("标题不能超过 200 字"), value=title[:40] + "…")
        issued_on = row.parse("issued_on", parse_date)
        source = self.source_of(row)
        fields = {"category_id": category_id, "source": source}
        for name, limit in (("description", None), ("issuing_body", 200), ("document_title", 300)):
            if row.has(name):
                fields[name] = row.text(name)
                if limit and len(fields[name]) > limit:
                    row.error(name, _("不能超过 %(limit)s 字") % {"limit": limit}, value=fields[name][:40] + "…")
        if row.has("issued_on"):
            fields["issued_on"] = issued_on
        if row.errors:
            return None
        return (cluster_id, title), fields

    def accept(self, number, key, fields):
        fields.update(cluster_id=key[0], title=key[1])
        super().accept(number, key, fields)

    def existing(self, keys):
        found = {}
        cluster_ids = {key[0] for key in keys if key[0] is not None}
        for ids in chunks(cluster_ids):
            for obj in Measure.objects.filter(cluster_id__in=ids):
                found[obj.cluster_id, obj.title] = obj
        if any(key[0] is None for key in keys):
            for obj in Measure.objects.filter(cluster__isnull=True):
                found[None, obj.title] = obj
        return found

    def label(self, key, fields):
        cluster = self.lookups.clusters.labels[key[0]] if key[0] else _("全部集群")
        return f"{cluster} · {key[1]}"


KINDS = ("clusters", "measures", "targets", "indicator-values", "evaluations")


def get_handler(kind):
    """The handler class for a sheet kind; ValueError for an unknown kind."""
    from .cluster_handler import ClusterHandler
    from .evaluation_handler import EvaluationHandler

    handlers = {
        h.kind: h for h in (ClusterHandler, MeasureHandler, TargetHandler, IndicatorValueHandler, EvaluationHandler)
    }
    if kind not in handlers:
        raise ValueError(f"Unknown sheet kind {kind!r}; expected one of {', '.join(KINDS)}")
    return handlers[kind]
