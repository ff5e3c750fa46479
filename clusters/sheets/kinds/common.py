"""Columns that several sheets share, declared once; each sheet binds them to its own model's limits.

Examples are cells as an export writes them, taken from the shipped data (seeds 000 and 004).
"""

from django.utils.translation import gettext_lazy

from ..columns import Column
from ..parsing import parse_unit

NANJING = "江苏省南京市新型电力（智能电网）装备集群"
IN_UNIT_COLUMN = gettext_lazy("见“单位”列")
YEAR = gettext_lazy("四位年份")

CLUSTER = Column(
    "cluster",
    "集群名称",
    "Cluster name",
    required=True,
    aliases=("集群", "cluster_name", "集群全称"),
    help=gettext_lazy("集群全称、简称或网址标识"),
    parser="cluster",
    attribute="cluster",
    export="cluster__name",
    meaning=gettext_lazy("记录所属集群的官方全称"),
    example=NANJING,
)
INDICATOR = Column(
    "indicator",
    "指标",
    "Indicator",
    required=True,
    aliases=("指标名称", "指标代码"),
    help=gettext_lazy("指标名称或代码"),
    parser="indicator",
    attribute="indicator",
    export="indicator__name",
    meaning=gettext_lazy("指标名称，例如 产值、企业数、占全国比重"),
    example="产值",
)
UNIT = Column(
    "unit",
    "单位",
    "Unit",
    aliases=("计量单位",),
    help=gettext_lazy("数值的单位，例如 亿元、万元、%、家；留空则为指标的单位"),
    parser=parse_unit,
    export="indicator__unit",
    meaning=gettext_lazy("数值的单位，即指标的单位：金额一律为亿元，占比为%，数量为家、项、个等"),
    example="亿元",
)
SOURCE = Column(
    "source",
    "来源",
    "Source",
    aliases=("出处", "来源代码", "出处代码", "source_code"),
    help=gettext_lazy("出处代码或标题；找不到则新建一条出处，发布者为报送单位；留空则引用“报送单位报送数据”"),
    parser="source",
    attribute="source.title",  # a title the portal lacks becomes a new source's title
    export="source__code",
    meaning=gettext_lazy("出处代码；每个代码的发布者、标题和日期列在“出处代码”表中。引用数据时请注明出处"),
    unit=gettext_lazy("出处代码"),
    example="seed-004",
)
ORIGINAL = Column(
    "original_text",
    "原文",
    "Original wording",
    aliases=("原文表述",),
    help=gettext_lazy("出处中的原话"),
    attribute="original_text",
    export="original_text",
    meaning=gettext_lazy("出处中的原话"),
    example="南京提出，到2025年新型电力（智能电网）装备集群产值突破4000亿元。",
)
