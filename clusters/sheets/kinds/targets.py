"""The targets sheet: a locality's promise, keyed by cluster, indicator and target year."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clusters.choices import Qualifier
from clusters.models import Target

from ..base import FactSheet, chunks
from ..columns import Column, number_cell
from ..parsing import ParseError, convert, parse_quantity, parse_year
from .common import CLUSTER, IN_UNIT_COLUMN, INDICATOR, ORIGINAL, SOURCE, UNIT, YEAR


class TargetSheet(FactSheet):
    kind = "targets"
    title = "目标"
    sheet_names = ("targets",)
    model = Target
    key_label = gettext_lazy("集群、指标、目标年份")
    key_fields = ("cluster_id", "indicator_id", "target_year")
    field_columns = {"qualifier": "target_value"}
    export_order = ("cluster__name", "target_year", "indicator__order")
    columns = (
        CLUSTER,
        INDICATOR,
        Column(
            "target_value",
            "目标值",
            "Target value",
            required=True,
            aliases=("目标",),
            help=gettext_lazy("数字，可带单位；默认按“以上/突破”理解"),
            parser=parse_quantity,
            export=lambda r: number_cell(r["target_value"], r["qualifier"], Qualifier.AT_LEAST),
            reads=("target_value", "qualifier"),
            meaning=gettext_lazy("目标值，默认为“以上/突破”；“=3000”表示恰为此数，“约3000”表示约数"),
            unit=IN_UNIT_COLUMN,
            example="4000",
        ),
        UNIT,
        Column(
            "target_year",
            "目标年份",
            "Target year",
            required=True,
            aliases=("年份",),
            help=gettext_lazy("四位年份，例如 2025"),
            parser=parse_year,
            export="target_year",
            meaning=gettext_lazy("实现目标的年份"),
            unit=YEAR,
            example="2025",
        ),
        Column(
            "baseline_value",
            "基期值",
            "Baseline value",
            aliases=("基数",),
            help=gettext_lazy("可选；与目标值同一单位"),
            parser=parse_quantity,
            export=lambda r: number_cell(r["baseline_value"]),
            reads=("baseline_value",),
            meaning=gettext_lazy("基期值（可空），与目标值同一单位"),
            unit=IN_UNIT_COLUMN,
        ),
        Column(
            "baseline_year",
            "基期年份",
            "Baseline year",
            help=gettext_lazy("填写基期值时必填，早于目标年份"),
            parser=parse_year,
            export="baseline_year",
            meaning=gettext_lazy("基期值所属的年份（可空）"),
            unit=YEAR,
        ),
        ORIGINAL,
        SOURCE,
    )

    def parse(self, row):
        cells = row.cells()
        cluster_id = self.cluster_of(row, cells["cluster"])
        indicator, column_unit, quantity = cells["indicator"], cells["unit"], cells["target_value"]
        target_year, baseline, baseline_year = cells["target_year"], cells["baseline_value"], cells["baseline_year"]
        fields = {"source": cells["source"]}
        if row.has("original_text"):
            fields["original_text"] = cells["original_text"]
        if row.errors:
            return None
        indicator_id, unit = indicator
        if not self.unit_known(row, unit):
            return None
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
        if row.errors:
            return None
        return (cluster_id, indicator_id, target_year), fields

    def stored(self, keys, names):
        found = {}
        for ids in chunks({key[0] for key in keys}):
            found.update(self.stored_values(Target.objects.filter(cluster_id__in=ids), names))
        return found

    def label(self, key):
        cluster_id, indicator_id, year = key
        return f"{self.lookups.clusters.labels[cluster_id]} · {self.lookups.indicator_labels[indicator_id]} · {year}"
