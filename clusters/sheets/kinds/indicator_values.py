"""The indicator-values sheet: one figure per row, keyed by cluster, indicator, period and scope (口径).

口径 is part of a figure's identity (one report gives 南京 several shares of one year, each for another
product); left empty it means the whole cluster. 期间性质 says whether the period is the year the data
describe (数据年份, the default) or only the year of the report that gave it (报道年份: the page then
reads “据2021年报道”).
"""

from dataclasses import replace

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clusters.models import IndicatorValue

from ..base import FactSheet, chunks
from ..columns import Column, number_cell
from ..dates import parse_period
from ..parsing import ParseError, convert, join_list, lookup_key, parse_quantity
from .common import CLUSTER, IN_UNIT_COLUMN, INDICATOR, ORIGINAL, SOURCE, UNIT

DATA_YEAR, REPORT_YEAR = "数据年份", "报道年份"
PERIOD_BASES = {lookup_key(DATA_YEAR): False, "data": False, lookup_key(REPORT_YEAR): True, "report": True}


def parse_period_basis(value):
    """'数据年份' (or 'data') -> False; '报道年份' (or 'report') -> True."""
    basis = PERIOD_BASES.get(lookup_key(value))
    if basis is None:
        raise ParseError(_("应填写%(options)s，或留空（数据年份）") % {"options": join_list([DATA_YEAR, REPORT_YEAR])})
    return basis


class IndicatorValueSheet(FactSheet):
    kind = "indicator-values"
    title = "指标值"
    sheet_names = ("indicator-values", "indicator_values", "指标数据", "values")
    model = IndicatorValue
    key_label = gettext_lazy("集群、指标、期间、口径")
    key_fields = ("cluster_id", "indicator_id", "period", "scope")
    field_columns = {"qualifier": "value", "period_is_report_year": "period_basis"}
    export_order = ("cluster__name", "indicator__order", "period", "scope")
    columns = (
        CLUSTER,
        INDICATOR,
        Column(
            "period",
            "期间",
            "Period",
            required=True,
            aliases=("年份", "年度", "时间"),
            help=gettext_lazy("2020、2020-06、2020-Q2、2020年上半年"),
            parser=parse_period,
            export="period",
            meaning=gettext_lazy("数值所属的期间：年、月、季度或半年"),
            unit="YYYY、YYYY-MM、YYYY-Qn、YYYY-Hn",
            example="2019",
        ),
        Column(
            "scope",
            "口径",
            "Scope",
            aliases=("统计口径",),
            help=gettext_lazy("数值所指的产品、环节或地域，例如“高压继电保护设备”；留空表示整个集群"),
            attribute="scope",
            export="scope",
            meaning=gettext_lazy("口径：数值所指的产品、环节或地域；空白表示整个集群。口径不同的数值不可直接比较"),
            example="高压继电保护设备",
        ),
        Column(
            "value",
            "数值",
            "Value",
            required=True,
            aliases=("值", "数据"),
            help=gettext_lazy("数字，可带单位与“超过、约、以上”等"),
            parser=parse_quantity,
            export=lambda r: number_cell(r["value"], r["qualifier"]),
            reads=("value", "qualifier"),
            meaning=gettext_lazy("数值；出处的限定写在数字前后：“2000以上”为超过2000，“约22”为约数，只写数字为确数"),
            unit=IN_UNIT_COLUMN,
            example="255",
        ),
        UNIT,
        Column(
            "period_basis",
            "期间性质",
            "Period basis",
            aliases=("期间类型",),
            help=gettext_lazy(
                "数据年份或报道年份：出处没有写明数据年份时填“报道年份”，期间填报道的年份；留空为数据年份"
            ),
            parser=parse_period_basis,
            export=lambda r: REPORT_YEAR if r["period_is_report_year"] else "",
            reads=("period_is_report_year",),
            meaning=gettext_lazy(
                "空白：期间是数据所属的年份；“报道年份”：出处没有写明数据年份，期间是报道或文件的年份"
            ),
            example=REPORT_YEAR,
        ),
        SOURCE,
        replace(ORIGINAL, example="2019年，该集群产值达到255亿元"),
        Column(
            "note",
            "说明",
            "Note",
            aliases=("备注说明",),
            help=gettext_lazy("读者需要知道的限定，例如“原文为深圳信息产业规模，非集群口径”"),
            attribute="note",
            export="note",
            meaning=gettext_lazy("读者需要知道的限定，例如口径与集群不一致"),
            example="原文为深圳信息产业规模，非集群口径",
        ),
    )

    def parse(self, row):
        cells = row.cells()
        cluster_id = self.cluster_of(row, cells["cluster"])
        fields = {"source": cells["source"]}  # None: the row names no source (FactSheet.compare)
        has = self.mapping.__contains__
        for name in ("original_text", "note"):  # a column the file leaves out leaves the field alone
            if has(name):
                fields[name] = cells[name]
        if has("period_basis"):
            fields["period_is_report_year"] = bool(cells["period_basis"])
        if row.errors:
            return None
        indicator_id, unit = cells["indicator"]
        if not self.unit_known(row, unit):
            return None
        quantity = cells["value"]
        try:
            fields["value"] = convert(quantity, unit, cells["unit"])
        except ParseError as error:
            row.error("value", str(error))
            return None
        fields["qualifier"] = quantity.qualifier
        return (cluster_id, indicator_id, cells["period"], cells["scope"]), fields

    def new_changes(self, key, fields):
        """The value in the indicator's unit, which the import converted it to (“2.5万亿元” → 25000 亿元)."""
        unit = self.lookups.indicator_unit_names.get(key[1])
        value_header = self._header("value")
        return [
            (header, old, f"{new}{'' if unit == '%' else ' '}{unit}" if header == value_header and unit else new)
            for header, old, new in super().new_changes(key, fields)
        ]

    def stored(self, keys, names):
        cluster_ids = {key[0] for key in keys}
        indicator_ids = {key[1] for key in keys}
        found = {}
        for ids in chunks(cluster_ids):
            queryset = IndicatorValue.objects.filter(cluster_id__in=ids, indicator_id__in=indicator_ids)
            found.update(self.stored_values(queryset, names))
        return found

    def label(self, key):
        cluster_id, indicator_id, period, scope = key
        parts = [self.lookups.clusters.labels[cluster_id], self.lookups.indicator_labels[indicator_id], period]
        return " · ".join([*parts, scope] if scope else parts)
