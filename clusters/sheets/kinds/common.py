"""Columns that several sheets share, declared once; each sheet binds them to its own model's limits."""

from django.utils.translation import gettext_lazy

from ..columns import Column
from ..parsing import parse_unit

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
)
UNIT = Column(
    "unit",
    "单位",
    "Unit",
    aliases=("计量单位",),
    help=gettext_lazy("数值的单位，例如 亿元、万元、%、家；留空则为指标的单位"),
    parser=parse_unit,
    export="indicator__unit",
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
)
ORIGINAL = Column(
    "original_text",
    "原文",
    "Original wording",
    aliases=("原文表述",),
    help=gettext_lazy("出处中的原话"),
    attribute="original_text",
    export="original_text",
)
